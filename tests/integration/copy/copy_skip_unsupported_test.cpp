// copy --skip-unsupported: a source with objects only a superuser can
// create (fidelity case 13) copied into the non-superuser app role's
// database loads everything else and lists what it skipped; without the
// flag the copy stops at the first such object.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

TEST(CopySkipUnsupported, LoadsTheRestAndListsWhatItSkipped) {
  rig::ScratchDatabase src(rig::Server::kSource, "cskip_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "cskip_dst");
  psql(src.url(),
       "CREATE FUNCTION my_abs(int) RETURNS int LANGUAGE internal IMMUTABLE STRICT AS 'int4abs'; "
       "CREATE OPERATOR FAMILY my_fam USING btree; "
       "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, -1), (2, 5); "
       "CREATE VIEW tv AS SELECT id, abs(v) AS a FROM t");
  std::string dir = "/tmp/" + rig::unique_name("cskip_state");
  auto refused = rig::run_pgshuttle({"--state-dir", dir, "copy", src.url(), dst.url()});
  EXPECT_EQ(refused.exit_code, 4) << refused.err;
  ASSERT_EQ(psql(dst.admin_url(), "DROP OWNED BY app CASCADE; SELECT 1"), "1");

  std::string dir2 = "/tmp/" + rig::unique_name("cskip_state");
  auto r = rig::run_pgshuttle(
      {"--state-dir", dir2, "--json", "copy", src.url(), dst.url(), "--skip-unsupported"});
  EXPECT_EQ(r.exit_code, 12) << r.out << r.err;  // kWarnings
  EXPECT_NE(r.err.find("my_abs"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("my_fam"), std::string::npos) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_EQ(j["skipped_unsupported"].size(), 2u) << r.out;
  // The closing verify ran and found nothing but the two known skips.
  EXPECT_EQ(j["verify"]["differences"], 0) << r.out;
  EXPECT_EQ(j["verify"]["known_skips"], 2) << r.out;
  EXPECT_EQ(j["verify"]["verdict"], "INCOMPLETE") << r.out;
  std::string rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t";
  EXPECT_EQ(psql(dst.url(), rows), psql(src.url(), rows));
  EXPECT_EQ(psql(dst.url(), "SELECT string_agg(a::text, ',' ORDER BY id) FROM tv"), "1,5");
  EXPECT_EQ(psql(dst.url(), "SELECT to_regprocedure('my_abs(int)') IS NULL"), "t");
}

// A resumed copy's summary and exit count what every invocation met: the
// index that needs the skipped operator class was skipped by the killed
// invocation, and the re-run (which does not redo it) still lists it.
TEST(CopySkipUnsupported, AResumedCopyCountsWhatTheKilledInvocationSkipped) {
  rig::ScratchDatabase src(rig::Server::kSource, "cskipr_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "cskipr_dst");
  psql(src.url(),
       "CREATE OPERATOR FAMILY my_fam USING btree; "
       "CREATE OPERATOR CLASS my_ops FOR TYPE int USING btree FAMILY my_fam AS "
       "OPERATOR 1 <, OPERATOR 2 <=, OPERATOR 3 =, OPERATOR 4 >=, OPERATOR 5 >, "
       "FUNCTION 1 btint4cmp(int, int); "
       "CREATE TABLE t (id int PRIMARY KEY, v int); INSERT INTO t VALUES (1, -1), (2, 5); "
       "CREATE INDEX t_v_idx ON t (v my_ops)");
  std::string dir = "/tmp/" + rig::unique_name("cskipr_state");
  std::vector<std::string> args = {
      "--state-dir",        dir,      "--json", "copy", src.url(), dst.url(),
      "--skip-unsupported", "--jobs", "1"};
  auto killed =
      rig::run_pgshuttle(args, {{"PGSHUTTLE_FAULTS", "kill@copy:done:post:INDEX public t_v_idx"}});
  ASSERT_EQ(killed.exit_code, 137) << killed.err;
  ASSERT_NE(killed.err.find("skipped INDEX public t_v_idx"), std::string::npos) << killed.err;

  args.push_back("--allow-inconsistent-resume");
  auto r = rig::run_pgshuttle(args);
  EXPECT_EQ(r.exit_code, 12) << r.out << r.err;  // kWarnings
  EXPECT_EQ(r.err.find("skipped INDEX public t_v_idx"), std::string::npos)
      << "the re-run redid the index: " << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  ASSERT_FALSE(j.is_discarded()) << r.out;
  EXPECT_TRUE(j["resumed"].get<bool>()) << r.out;
  std::string skipped = j["skipped_unsupported"].dump();
  EXPECT_NE(skipped.find("t_v_idx"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("my_ops"), std::string::npos) << skipped;
  EXPECT_NE(skipped.find("my_fam"), std::string::npos) << skipped;
  EXPECT_EQ(j["warnings"], j["skipped_unsupported"].size()) << r.out;
  std::string rows = "SELECT string_agg(id || ':' || v, ',' ORDER BY id) FROM t";
  EXPECT_EQ(psql(dst.url(), rows), psql(src.url(), rows));
  EXPECT_EQ(psql(dst.url(), "SELECT to_regclass('t_v_idx') IS NULL"), "t");
}

}  // namespace
}  // namespace pgshuttle
