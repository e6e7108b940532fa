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

// The privileges of `role` on the objects of the apply test, as the server
// answers has_*_privilege: the oracle roles --apply is judged by (the
// source's role and its mapped name on the target must answer alike).
std::string privileges_of(const std::string& url, const std::string& role) {
  std::string r = "'" + role + "'";
  return psql(url,
              "SELECT concat_ws(' ', "
              "has_table_privilege(" +
                  r +
                  ", 'app.orders', 'SELECT'), "
                  "has_table_privilege(" +
                  r +
                  ", 'app.orders', 'INSERT WITH GRANT OPTION'), "
                  "has_table_privilege(" +
                  r +
                  ", 'app.orders', 'INSERT'), "
                  "has_table_privilege(" +
                  r +
                  ", 'app.orders', 'DELETE'), "
                  "has_column_privilege(" +
                  r +
                  ", 'app.orders', 'note', 'SELECT'), "
                  "has_column_privilege(" +
                  r +
                  ", 'app.orders', 'secret', 'SELECT'), "
                  "has_sequence_privilege(" +
                  r +
                  ", 'app.orders_id_seq', 'USAGE'), "
                  "has_schema_privilege(" +
                  r +
                  ", 'app', 'USAGE'), "
                  "has_schema_privilege(" +
                  r +
                  ", 'app', 'CREATE'), "
                  "has_function_privilege(" +
                  r +
                  ", 'app.f(int)', 'EXECUTE'), "
                  "has_table_privilege(" +
                  r + ", 'public.\"Select\"', 'UPDATE'))");
}

// roles SOURCE TARGET --apply --map-role: after a copy without grants, the
// target's privileges become the source's under the target's role names:
// table, column, sequence, schema and function grants, a revoked PUBLIC
// default, grant options and default privileges; a target grant the source
// lacks is revoked, a target-only role's grant is left alone; a second run
// has nothing to do. Judged by has_*_privilege on both servers.
TEST(Roles, ApplyMakesTheTargetsPrivilegesTheSourcesUnderMappedNames) {
  rig::ScratchDatabase src(rig::Server::kSource, "roles_asrc");
  rig::ScratchDatabase dst(rig::Server::kTarget, "roles_adst");
  std::string reader = rig::unique_name("r_aread"), writer = rig::unique_name("r_awrite"),
              app = rig::unique_name("r_aapp"), ro = rig::unique_name("t_ro"),
              other = rig::unique_name("t_other");
  const std::string login = rig::env("RIG_TARGET_APP_USER");
  psql(src.admin_url(),
       "CREATE ROLE " + reader + "; CREATE ROLE " + writer + "; CREATE ROLE " + app);
  psql(dst.admin_url(), "CREATE ROLE " + ro + "; CREATE ROLE " + writer + "; CREATE ROLE " + other);
  psql(src.admin_url(),
       "CREATE SCHEMA app; CREATE TABLE app.orders (id serial PRIMARY KEY, note text, secret "
       "text); CREATE TABLE public.\"Select\" (x int); "
       "CREATE FUNCTION app.f(int) RETURNS int LANGUAGE sql AS 'SELECT $1'; "
       "REVOKE EXECUTE ON FUNCTION app.f(int) FROM PUBLIC; "
       "GRANT EXECUTE ON FUNCTION app.f(int) TO " +
           reader +
           "; "
           "GRANT USAGE ON SCHEMA app TO " +
           reader + ", " + writer +
           "; "
           "GRANT SELECT ON app.orders TO " +
           reader +
           "; "
           "GRANT INSERT ON app.orders TO " +
           writer +
           " WITH GRANT OPTION; "
           "GRANT USAGE ON SEQUENCE app.orders_id_seq TO " +
           writer +
           "; "
           "GRANT SELECT (note) ON app.orders TO PUBLIC; "
           "GRANT SELECT (note) ON app.orders TO " +
           writer +
           "; "
           // A role that is the target login there: the login owns the copy.
           "GRANT SELECT, UPDATE ON app.orders TO " +
           app +
           " WITH GRANT OPTION; "
           "GRANT UPDATE ON public.\"Select\" TO " +
           writer +
           "; "
           "ALTER DEFAULT PRIVILEGES IN SCHEMA app GRANT SELECT ON TABLES TO " +
           reader +
           "; "
           "ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC");
  std::string dir = "/tmp/" + rig::unique_name("roles_state");
  auto copied = rig::run_pgshuttle({"--state-dir", dir, "copy", src.url(), dst.url()});
  ASSERT_EQ(copied.exit_code, 0) << copied.out << copied.err;
  // On the target: grants the source lacks (of a managed role: on the
  // table, whose revoke also takes the column grant beside it away, and on
  // a column) and one of a role the source does not name.
  psql(dst.url(), "GRANT DELETE, SELECT ON app.orders TO " + writer +
                      "; GRANT SELECT (note, secret) ON app.orders TO " + writer +
                      "; GRANT DELETE ON app.orders TO " + other);
  ASSERT_NE(privileges_of(src.admin_url(), reader), privileges_of(dst.admin_url(), ro));

  const std::vector<std::string> map = {"--map-role",        reader + "=" + ro, "--map-role",
                                        "postgres=" + login, "--map-role",      app + "=" + login};
  auto args = [&](std::vector<std::string> head) {
    head.insert(head.end(), map.begin(), map.end());
    return head;
  };
  // A dry run changes nothing.
  auto dry = rig::run_pgshuttle(args({"roles", src.url(), dst.url(), "--apply", "--dry-run"}));
  ASSERT_EQ(dry.exit_code, 0) << dry.out << dry.err;
  EXPECT_NE(dry.out.find("REVOKE EXECUTE ON FUNCTION app.f(integer) FROM PUBLIC"),
            std::string::npos)
      << dry.out;
  EXPECT_EQ(psql(dst.admin_url(),
                 "SELECT has_function_privilege('public', 'app.f(int)', "
                 "'EXECUTE')"),
            "t");

  auto applied = rig::run_pgshuttle(args({"--json", "roles", src.url(), dst.url(), "--apply"}));
  ASSERT_EQ(applied.exit_code, 0) << applied.out << applied.err;
  auto j = nlohmann::json::parse(applied.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << applied.out;
  EXPECT_EQ(j["applied"], true);
  EXPECT_GT(j["granted"].get<int>(), 8) << applied.out;
  // PUBLIC's EXECUTE, the writer's DELETE and SELECT (which takes its
  // column SELECTs with it: (note) is granted again, (secret) needs no
  // revoke of its own), the default EXECUTE.
  EXPECT_EQ(j["revoked"], 4) << applied.out;

  EXPECT_EQ(privileges_of(dst.admin_url(), ro), privileges_of(src.admin_url(), reader));
  EXPECT_EQ(privileges_of(dst.admin_url(), writer), privileges_of(src.admin_url(), writer));
  EXPECT_EQ(privileges_of(dst.admin_url(), "public"), privileges_of(src.admin_url(), "public"));
  EXPECT_EQ(
      psql(dst.admin_url(), "SELECT has_table_privilege('" + other + "', 'app.orders', 'DELETE')"),
      "t");  // not a role of the source: left alone
  // Default privileges: a table the login creates later is readable by the
  // mapped reader; a function it creates is not executable by PUBLIC.
  psql(dst.url(),
       "CREATE TABLE app.later (x int); CREATE FUNCTION app.g() RETURNS int "
       "LANGUAGE sql AS 'SELECT 1'");
  EXPECT_EQ(psql(dst.admin_url(), "SELECT has_table_privilege('" + ro +
                                      "', 'app.later', "
                                      "'SELECT'), has_function_privilege('public', 'app.g()', "
                                      "'EXECUTE')"),
            "t|f");

  // A second run has nothing to do.
  auto again = rig::run_pgshuttle(args({"--json", "roles", src.url(), dst.url(), "--apply"}));
  ASSERT_EQ(again.exit_code, 0) << again.out << again.err;
  auto aj = nlohmann::json::parse(again.out, nullptr, false);
  ASSERT_FALSE(aj.is_discarded()) << again.out;
  EXPECT_TRUE(aj["statements"].empty()) << again.out;

  for (const auto& role : {reader, writer, app}) {
    psql(src.admin_url(), "DROP OWNED BY " + role + "; DROP ROLE " + role);
  }
  for (const auto& role : {ro, writer, other}) {
    psql(dst.admin_url(), "DROP OWNED BY " + role + "; DROP ROLE " + role);
  }
}

// Grants of a role the target lacks are skipped and counted (exit 12, the
// rest applied); default privileges for a role the target login is no
// member of are refused before anything changes (exit 8, naming the
// --map-role fix).
TEST(Roles, ApplySaysWhatItCannotApply) {
  rig::ScratchDatabase src(rig::Server::kSource, "roles_bsrc");
  rig::ScratchDatabase dst(rig::Server::kTarget, "roles_bdst");
  std::string reader = rig::unique_name("r_bread"), gone = rig::unique_name("r_bgone");
  const std::string login = rig::env("RIG_TARGET_APP_USER");
  psql(src.admin_url(), "CREATE ROLE " + reader + "; CREATE ROLE " + gone);
  psql(dst.admin_url(), "CREATE ROLE " + reader);
  psql(src.admin_url(), "CREATE TABLE public.a (id int); GRANT SELECT ON public.a TO " + reader +
                            "; GRANT SELECT, UPDATE ON public.a TO " + gone +
                            "; ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO " + reader);
  std::string dir = "/tmp/" + rig::unique_name("roles_state");
  auto copied = rig::run_pgshuttle({"--state-dir", dir, "copy", src.url(), dst.url()});
  ASSERT_EQ(copied.exit_code, 0) << copied.out << copied.err;

  auto refused = rig::run_pgshuttle({"roles", src.url(), dst.url(), "--apply"});
  EXPECT_EQ(refused.exit_code, 8) << refused.out << refused.err;
  EXPECT_NE(refused.err.find("--map-role postgres=" + login), std::string::npos) << refused.err;
  EXPECT_EQ(psql(dst.admin_url(), "SELECT has_table_privilege('" + reader +
                                      "', 'public.a', "
                                      "'SELECT')"),
            "f");  // nothing applied

  auto partial = rig::run_pgshuttle(
      {"roles", src.url(), dst.url(), "--apply", "--map-role", "postgres=" + login});
  EXPECT_EQ(partial.exit_code, 12) << partial.out << partial.err;
  EXPECT_NE(partial.err.find(gone + " (2)"), std::string::npos) << partial.err;
  EXPECT_EQ(psql(dst.admin_url(), "SELECT has_table_privilege('" + reader +
                                      "', 'public.a', "
                                      "'SELECT')"),
            "t");

  // An object the target login does not own: the server only warns about
  // the GRANT it does not carry out; the apply reads back what it took and
  // refuses (exit 4), nothing changed.
  psql(src.admin_url(),
       "CREATE TABLE public.theirs (x int); GRANT SELECT ON public.theirs TO " + reader);
  psql(dst.admin_url(), "CREATE TABLE public.theirs (x int); GRANT SELECT ON public.theirs TO " +
                            login + "; GRANT SELECT ON public.a TO PUBLIC");
  auto not_owned = rig::run_pgshuttle(
      {"roles", src.url(), dst.url(), "--apply", "--map-role", "postgres=" + login});
  EXPECT_EQ(not_owned.exit_code, 4) << not_owned.out << not_owned.err;
  EXPECT_NE(not_owned.err.find("did not take"), std::string::npos) << not_owned.err;
  EXPECT_EQ(psql(dst.admin_url(), "SELECT has_table_privilege('public', 'public.a', 'SELECT')"),
            "t");  // the REVOKE before it was rolled back

  auto bad = rig::run_pgshuttle({"roles", src.url(), dst.url(), "--apply", "--map-role", reader});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  auto no_target = rig::run_pgshuttle({"roles", src.url(), "--apply"});
  EXPECT_EQ(no_target.exit_code, 2) << no_target.err;

  for (const auto& role : {reader, gone}) {
    psql(src.admin_url(), "DROP OWNED BY " + role + "; DROP ROLE " + role);
  }
  psql(dst.admin_url(), "DROP OWNED BY " + reader + "; DROP ROLE " + reader);
}

}  // namespace
}  // namespace pgshuttle
