// pgshuttle roles SOURCE TARGET: the roles a database names (a schema's
// owner, the grantee of two tables, a policy's role, a default-privileges
// grantee) and which of them the target server lacks; then a copy with
// --keep-acl keeps the grants once the roles exist on the target.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

nlohmann::json role_entry(const nlohmann::json& j, const std::string& role) {
  for (const auto& r : j["roles"]) {
    if (r["role"] == role) return r;
  }
  return nlohmann::json();
}

TEST(Roles, ListsTheRolesADatabaseNamesAndWhichTheTargetLacks) {
  rig::ScratchDatabase src(rig::Server::kSource, "roles_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "roles_dst");
  std::string reader = rig::unique_name("r_read"), owner = rig::unique_name("r_own"),
              policy = rig::unique_name("r_pol"), later = rig::unique_name("r_def");
  psql(src.admin_url(), "CREATE ROLE " + reader + " LOGIN; CREATE ROLE " + owner +
                            "; CREATE ROLE " + policy + "; CREATE ROLE " + later + " IN ROLE " +
                            reader);
  psql(src.admin_url(), "CREATE SCHEMA s AUTHORIZATION " + owner +
                            "; CREATE TABLE public.a (id int); CREATE TABLE public.b (id int); "
                            "GRANT SELECT ON public.a, public.b TO " +
                            reader +
                            "; ALTER TABLE public.a ENABLE ROW LEVEL SECURITY; "
                            "CREATE POLICY p ON public.a TO " +
                            policy +
                            " USING (true); ALTER DEFAULT PRIVILEGES GRANT SELECT ON "
                            "TABLES TO " +
                            later);
  psql(dst.admin_url(), "CREATE ROLE " + reader);
  auto r = rig::run_pgshuttle({"--json", "roles", src.url(), dst.url()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;

  auto read = role_entry(j, reader);
  ASSERT_FALSE(read.is_null()) << r.out;
  EXPECT_EQ(read["grants"], 2) << r.out;  // SELECT on a and on b
  EXPECT_EQ(read["on_target"], true) << r.out;
  EXPECT_EQ(read["can_login"], true) << r.out;
  auto own = role_entry(j, owner);
  EXPECT_NE(own["used_for"].get<std::string>().find("owns schemas"), std::string::npos) << r.out;
  EXPECT_EQ(own["on_target"], false) << r.out;
  auto pol = role_entry(j, policy);
  EXPECT_NE(pol["used_for"].get<std::string>().find("policies"), std::string::npos) << r.out;
  auto def = role_entry(j, later);
  EXPECT_NE(def["used_for"].get<std::string>().find("default privileges"), std::string::npos)
      << r.out;
  EXPECT_EQ(def["member_of"], reader) << r.out;
  std::string missing = j["missing_on_target"].dump();
  EXPECT_NE(missing.find(owner), std::string::npos) << missing;
  EXPECT_NE(missing.find(policy), std::string::npos) << missing;
  EXPECT_EQ(missing.find(reader), std::string::npos) << missing;

  // The text form names the missing roles and the fix.
  auto text = rig::run_pgshuttle({"roles", src.url(), dst.url()});
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("The target lacks 3 of them"), std::string::npos) << text.out;
  EXPECT_NE(text.out.find("--keep-acl"), std::string::npos) << text.out;

  // Without --keep-acl, copy and restore say how many grants they leave out.
  psql(src.admin_url(), "DROP POLICY p ON public.a");  // its role is not on the target
  std::string dir = "/tmp/" + rig::unique_name("roles_state");
  auto copied = rig::run_pgshuttle({"--state-dir", dir, "--json", "copy", src.url(), dst.url()});
  EXPECT_EQ(copied.exit_code, 0) << copied.out << copied.err;
  auto cj = nlohmann::json::parse(copied.out, nullptr, false);
  ASSERT_FALSE(cj.is_discarded()) << copied.out;
  EXPECT_EQ(cj["grants_left_out"], 3) << copied.out << r.out;  // a, b and the default privileges
  EXPECT_NE(copied.err.find("3 grant(s) of the source were left out"), std::string::npos)
      << copied.err;
  rig::ScratchDatabase dst2(rig::Server::kTarget, "roles_dst2");
  std::string file = dir + "/roles.dump";
  auto b = rig::run_pgshuttle({"--state-dir", dir, "backup", src.url(), "--to", file});
  ASSERT_EQ(b.exit_code, 0) << b.err;
  auto restored =
      rig::run_pgshuttle({"--state-dir", dir, "--json", "restore", file, "--target", dst2.url()});
  EXPECT_EQ(restored.exit_code, 0) << restored.out << restored.err;
  auto rj = nlohmann::json::parse(restored.out, nullptr, false);
  ASSERT_FALSE(rj.is_discarded()) << restored.out;
  EXPECT_EQ(rj["acl_entries_left_out"], 3) << restored.out;  // ACL a, ACL b, DEFAULT ACL

  for (const auto& role : {reader, owner, policy, later}) {
    psql(src.admin_url(), "DROP OWNED BY " + role + "; DROP ROLE " + role);
  }
  psql(dst.admin_url(), "DROP ROLE " + reader);
}

// migrate --keep-acl keeps the grants of roles the target has; without it
// they are left out.
TEST(Roles, MigrateKeepsGrantsWithKeepAcl) {
  rig::ScratchDatabase src(rig::Server::kSource, "roles_msrc");
  rig::ScratchDatabase dst(rig::Server::kTarget, "roles_mdst");
  std::string reader = rig::unique_name("r_mread");
  psql(src.admin_url(), "CREATE ROLE " + reader);
  psql(dst.admin_url(), "CREATE ROLE " + reader);
  psql(src.admin_url(),
       "CREATE TABLE public.a (id int PRIMARY KEY); INSERT INTO public.a "
       "VALUES (1); GRANT SELECT ON public.a TO " +
           reader);
  std::string dir = "/tmp/" + rig::unique_name("roles_state");
  auto m = rig::run_pgshuttle({"--state-dir", dir, "migrate", src.url(), dst.url(), "--direct",
                               "--release-source", "--keep-acl"});
  EXPECT_EQ(m.exit_code, 0) << m.out << m.err;
  EXPECT_EQ(psql(dst.admin_url(), "SELECT has_table_privilege('" + reader +
                                      "', 'public.a', "
                                      "'SELECT')"),
            "t");
  psql(src.admin_url(), "DROP OWNED BY " + reader + "; DROP ROLE " + reader);
  psql(dst.admin_url(), "DROP OWNED BY " + reader + "; DROP ROLE " + reader);
}

}  // namespace
}  // namespace pgshuttle
