// Cancelling a copy while its coordinator (not a worker) runs a long
// statement on the target: the statement is cancelled on the server too.
#include <gtest/gtest.h>

#include <signal.h>

#include <chrono>
#include <thread>

#include "core/subprocess.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

// Ctrl-C while the coordinator's own target session runs a long statement
// (here the refresh of a materialized view that takes 60 s, run after the
// tables are loaded) ends the run within seconds, Cancelled (exit 9), and
// the target's session no longer runs it.
TEST(CopyResume, CtrlCStopsALongStatementOfTheCoordinator) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::psql(src.url(),
            "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g;"
            // Instant on the source, 60 s where the copy refreshes it (the target).
            "CREATE MATERIALIZED VIEW slow AS SELECT count(*) AS n, pg_sleep(CASE WHEN "
            "current_database() LIKE 'copy_dst%' THEN 60 ELSE 0 END) IS NULL AS slept FROM t");
  std::string dir = "/tmp/" + rig::unique_name("copy_state");
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(), "--state-dir", dir, "copy", src.url(), dst.url(), "--no-verify"};
  o.inherit = {"*"};
  auto child = Subprocess::spawn(o);
  ASSERT_TRUE(child.ok());
  std::string refreshing = "0";
  for (int i = 0; i < 300 && refreshing == "0"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    refreshing =
        rig::psql(dst.admin_url(),
                  "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%REFRESH MATERIALIZED%' "
                  "AND state = 'active' AND pid <> pg_backend_pid()");
  }
  ASSERT_EQ(refreshing, "1") << "the refresh never started";
  auto sent = std::chrono::steady_clock::now();
  ::kill(child->pid(), SIGINT);
  auto status = child->wait();
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - sent).count();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 9) << child->stderr_text();
  EXPECT_LT(seconds, 20) << "the refresh ran on after Ctrl-C";
  EXPECT_EQ(
      rig::psql(dst.admin_url(),
                "SELECT count(*) FROM pg_stat_activity WHERE query LIKE '%REFRESH MATERIALIZED%' "
                "AND state = 'active' AND pid <> pg_backend_pid()"),
      "0");
}

// `pgshuttle cancel c001` while the copy's closing verify runs (the copy
// itself recorded Completed): the cancel reaches the verify, the command
// ends Cancelled (exit 9), and the same command re-run verifies again
// without copying anything.
TEST(CopyResume, CancelDuringTheClosingVerifyReachesTheVerify) {
  rig::ScratchDatabase src(rig::Server::kSource, "copy_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "copy_dst");
  rig::psql(src.url(), "CREATE TABLE t AS SELECT g AS id FROM generate_series(1, 100) g");
  std::string dir = "/tmp/" + rig::unique_name("copy_state");
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(), "--state-dir", dir, "copy", src.url(), dst.url()};
  o.inherit = {"*"};
  o.env["PGSHUTTLE_FAULTS"] = "sleep=20000@verify:data";
  auto child = Subprocess::spawn(o);
  ASSERT_TRUE(child.ok());
  // The copy ended and recorded its closing verify as its follow-up.
  bool linked = false;
  for (int i = 0; i < 300 && !linked; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto info = rig::run_pgshuttle({"--state-dir", dir, "--json", "info", "c001"});
    linked = info.exit_code == 0 && info.out.find("\"follow_up\": \"v001\"") != std::string::npos;
  }
  ASSERT_TRUE(linked) << "the closing verify never started";
  auto cancel = rig::run_pgshuttle({"--state-dir", dir, "cancel", "c001"});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  EXPECT_NE(cancel.out.find("cancel requested for v001 (the closing verify of c001"),
            std::string::npos)
      << cancel.out;
  auto ended = child->wait();
  ASSERT_TRUE(ended.ok());
  EXPECT_EQ(*ended, 9) << child->stderr_text();
  auto v = rig::run_pgshuttle({"--state-dir", dir, "--json", "info", "v001"});
  EXPECT_NE(v.out.find("\"Cancelled\""), std::string::npos) << v.out;

  auto again = rig::run_pgshuttle({"--state-dir", dir, "copy", src.url(), dst.url()});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("copy c001: verified again"), std::string::npos) << again.out;
  EXPECT_EQ(rig::psql(dst.url(), "SELECT count(*) FROM t"), "100");
}

}  // namespace
}  // namespace pgshuttle
