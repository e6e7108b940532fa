// Every verify run is a transfer in the registry (v001 ...): Completed (or
// Finished with warnings) when the databases match, Failed with the count
// of differences when they do not.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <signal.h>

#include <chrono>
#include <thread>

#include "core/subprocess.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

nlohmann::json info(const std::string& dir, const std::string& id) {
  auto r = rig::run_pgshuttle({"--state-dir", dir, "info", id, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out, nullptr, false);
  return j.is_discarded() ? nlohmann::json::object() : j;
}

// The same 500-row table t on both sides.
void same_table_on_both(const rig::ScratchDatabase& source, const rig::ScratchDatabase& target) {
  for (const auto* db : {&source, &target}) {
    psql(db->url(),
         "CREATE TABLE t (id int PRIMARY KEY, v text);"
         "INSERT INTO t SELECT g, md5(g::text) FROM generate_series(1, 500) g;");
  }
}

TEST(VerifyRegistry, EachRunIsRecordedWithItsOutcome) {
  rig::ScratchDatabase source(rig::Server::kSource, "verify_reg_src");
  rig::ScratchDatabase target(rig::Server::kTarget, "verify_reg_tgt");
  same_table_on_both(source, target);
  std::string dir = "/tmp/" + rig::unique_name("verify_state");

  auto same =
      rig::run_pgshuttle({"--state-dir", dir, "verify", source.url(), target.url(), "--json"});
  ASSERT_EQ(same.exit_code, 0) << same.err;
  auto report = nlohmann::json::parse(same.out, nullptr, false);
  ASSERT_FALSE(report.is_discarded()) << same.out;
  EXPECT_EQ(report["id"], "v001");
  auto first = info(dir, "v001");
  std::string status = first.value("status", "");
  EXPECT_TRUE(status == "Completed" || status.rfind("Finished with", 0) == 0) << first.dump();
  EXPECT_EQ(first.value("source", "").find("srcpass"), std::string::npos) << first.dump();

  psql(target.url(), "UPDATE t SET v = 'changed' WHERE id = 42");
  auto differ = rig::run_pgshuttle({"--state-dir", dir, "verify", source.url(), target.url()});
  EXPECT_EQ(differ.exit_code, 6) << differ.err;
  EXPECT_NE(differ.out.find("recorded as v002"), std::string::npos) << differ.out;
  auto second = info(dir, "v002");
  EXPECT_EQ(second.value("status", ""), "Failed") << second.dump();
  EXPECT_NE(second.value("error", "").find("differences"), std::string::npos) << second.dump();
}

// Polls `sql` on `url` until it returns "1" (up to ~20 s).
bool wait_until(const std::string& url, const std::string& sql) {
  for (int i = 0; i < 200; ++i) {
    if (psql(url, sql) == "1") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return false;
}

// A verify stuck behind a lock on the target (a long statement) stops on
// `pgshuttle cancel vNNN` from another terminal and on Ctrl-C, exits 9 and
// is recorded Cancelled, not Failed.
TEST(VerifyRegistry, CancelAndCtrlCStopAVerifyAndRecordItCancelled) {
  rig::ScratchDatabase source(rig::Server::kSource, "verify_cancel_src");
  rig::ScratchDatabase target(rig::Server::kTarget, "verify_cancel_tgt");
  same_table_on_both(source, target);
  std::string dir = "/tmp/" + rig::unique_name("verify_cancel_state");
  // Holds an exclusive lock on the target's table until killed.
  SubprocessOptions lock;
  lock.argv = {
      "psql", "-X",
      "-q",   target.admin_url(),
      "-c",   "BEGIN; LOCK TABLE t IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(120); COMMIT;"};
  lock.inherit = {"*"};
  auto locker = Subprocess::spawn(lock);
  ASSERT_TRUE(locker.ok()) << locker.error().to_string();
  ASSERT_TRUE(wait_until(target.admin_url(),
                         "SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation "
                         "WHERE c.relname = 't' AND l.mode = 'AccessExclusiveLock' AND l.granted"));
  const std::string waiting =
      "SELECT (count(*) > 0)::int FROM pg_stat_activity WHERE datname = current_database() "
      "AND wait_event_type = 'Lock' AND application_name NOT LIKE 'psql%'";

  for (std::string how : {"cancel", "ctrl-c"}) {
    SCOPED_TRACE(how);
    std::string id = how == "cancel" ? "v001" : "v002";
    SubprocessOptions o;
    o.argv = {rig::pgshuttle_bin(), "--state-dir", dir, "verify", source.url(), target.url()};
    o.inherit = {"*"};
    auto child = Subprocess::spawn(o);
    ASSERT_TRUE(child.ok());
    ASSERT_TRUE(wait_until(target.admin_url(), waiting)) << "the verify never waited on the lock";
    if (how == "cancel") {
      auto c = rig::run_pgshuttle({"--state-dir", dir, "cancel", id});
      EXPECT_EQ(c.exit_code, 0) << c.err;
    } else {
      ::kill(child->pid(), SIGINT);
    }
    auto status = child->wait();
    ASSERT_TRUE(status.ok());
    EXPECT_EQ(*status, 9) << child->stderr_text();
    EXPECT_EQ(info(dir, id).value("status", ""), "Cancelled") << info(dir, id).dump();
  }
  locker->kill(SIGTERM);
  (void)locker->wait();
}

}  // namespace
}  // namespace pgshuttle
