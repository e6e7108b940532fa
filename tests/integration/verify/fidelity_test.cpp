// Fidelity cases 10 and 14 as tests, against the managed-provider style
// target: the application role `app` is no superuser and owns what it loads.
//   10: a FORCE ROW LEVEL SECURITY table its owner cannot bypass must stop
//       verify with the table and the fix named, never a PASS;
//   14: keyword and odd names ("user", "order", "select", "Mixed Case",
//       non-ASCII) are quoted by the server, so a changed value in a column
//       named "user" is found.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "rig/compare.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

std::string fidelity(const std::string& file) {
  return rig::source_dir() + "/tests/data/fidelity/" + file;
}

// Differences (not warnings) as "kind|object|property".
std::set<std::string> differences(const std::string& json) {
  std::set<std::string> out;
  auto report = nlohmann::json::parse(json, nullptr, false);
  if (!report.is_object()) return out;
  for (const auto& d : report["differences"]) {
    if (d["severity"] != "difference") continue;
    out.insert(d["kind"].get<std::string>() + "|" + d["object"].get<std::string>() + "|" +
               d["property"].get<std::string>());
  }
  return out;
}

TEST(VerifyFidelity, ForceRowLevelSecurityTableIsNamedWithTheFixNeverPassed) {
  rig::ScratchDatabase source(rig::Server::kSource, "verify_rls_src");
  rig::ScratchDatabase target(rig::Server::kTarget, "verify_rls_tgt");
  const std::string sql = fidelity("10_verify_fails_on_force_rls_table_nonsuperuser_target.sql");
  rig::psql_file(source.url(), sql);
  rig::psql_file(target.url(), sql);  // as app: the owner, subject to FORCE
  // The premise: the owner sees only its own rows (none), a superuser all.
  ASSERT_EQ(psql(target.url(), "SELECT count(*) FROM notes"), "0");
  ASSERT_EQ(psql(target.admin_url(), "SELECT count(*) FROM notes"), "2");

  auto r = rig::run_pgshuttle({"verify", source.url(), target.url()});
  EXPECT_EQ(r.exit_code, 8) << r.out << r.err;  // kBlocked: neither 4 nor 6
  EXPECT_EQ(r.out.find("PASSED"), std::string::npos) << r.out;
  EXPECT_NE(r.err.find("public.notes"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("FORCE ROW LEVEL SECURITY"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("BYPASSRLS"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("query would be affected"), std::string::npos) << r.err;

  // The fix the message names works: a role that bypasses RLS reads all rows.
  auto admin = rig::run_pgshuttle({"verify", source.url(), target.admin_url()});
  EXPECT_EQ(admin.exit_code, 0) << admin.out << admin.err;
  // A row the owner could never see is still a difference for that role.
  psql(target.admin_url(), "UPDATE notes SET body = 'changed' WHERE id = 2");
  auto changed = rig::run_pgshuttle({"verify", source.url(), target.admin_url(), "--json"});
  EXPECT_EQ(changed.exit_code, 6);
  EXPECT_TRUE(differences(changed.out).count("row|public.notes id=2|body")) << changed.out;
  // The schema alone needs no row: it may still be verified as the owner.
  auto schema = rig::run_pgshuttle({"verify", source.url(), target.url(), "--schema-only"});
  EXPECT_EQ(schema.exit_code, 0) << schema.out << schema.err;
}

TEST(VerifyFidelity, KeywordNamesAreComparedAndAChangedUserColumnIsFound) {
  rig::ScratchDatabase source(rig::Server::kSource, "verify_kw_src");
  rig::ScratchDatabase target(rig::Server::kTarget, "verify_kw_tgt");
  const std::string sql = fidelity("14_keyword_names_lost_and_verified.sql");
  rig::psql_file(source.url(), sql);
  rig::psql_file(target.url(), sql);
  psql(source.url(), "ALTER TABLE \"Mixed Case\" ADD COLUMN \"größe\" int DEFAULT 3");
  psql(target.url(), "ALTER TABLE \"Mixed Case\" ADD COLUMN \"größe\" int DEFAULT 3");
  rig::expect_identical(source.admin_url(), target.admin_url());

  auto same = rig::run_pgshuttle({"verify", source.url(), target.url(), "--json"});
  ASSERT_EQ(same.exit_code, 0) << same.out << same.err;
  auto report = nlohmann::json::parse(same.out);
  std::set<std::string> compared;
  for (const auto& t : report["tables"]) {
    if (t["status"] == "match" && t["source_rows"].get<int64_t>() > 0) {
      compared.insert(t["name"].get<std::string>());
    }
  }
  EXPECT_EQ(compared, (std::set<std::string>{"user", "order", "Mixed Case", "plain"}));

  psql(target.url(),
       "UPDATE \"user\" SET \"user\" = 'changed' WHERE id = 5;"
       "UPDATE \"order\" SET \"select\" = 'changed' WHERE id = 6;"
       "UPDATE \"Mixed Case\" SET \"Value\" = 'changed', \"größe\" = 4 WHERE id = 7");
  auto changed = rig::run_pgshuttle({"verify", source.url(), target.url(), "--json"});
  EXPECT_EQ(changed.exit_code, 6) << changed.err;
  auto found = differences(changed.out);
  EXPECT_TRUE(found.count("row|public.user id=5|user")) << changed.out;
  EXPECT_TRUE(found.count("row|public.order id=6|select")) << changed.out;
  EXPECT_TRUE(found.count("row|public.Mixed Case id=7|Value, größe")) << changed.out;
}

}  // namespace
}  // namespace pgshuttle
