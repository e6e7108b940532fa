// maintenance on|off|status against the rig's source: writes fail while on,
// succeed after off; sessions opened before are reported or ended.
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <chrono>
#include <thread>

#include "rig/rig.h"

namespace pgshuttle {
namespace {

using rig::psql;

bool write_succeeds(const std::string& url) {
  auto r = rig::run_program(
      {"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url, "-c", "INSERT INTO t VALUES (1)"});
  if (r.exit_code != 0) {
    EXPECT_NE(r.err.find("read-only transaction"), std::string::npos) << r.err;
  }
  return r.exit_code == 0;
}

nlohmann::json status(const std::string& url) {
  auto r = rig::run_pgshuttle({"maintenance", "status", url, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return nlohmann::json::parse(r.out);
}

TEST(Maintenance, WriteFailsWhileOnAndSucceedsAfterOff) {
  rig::ScratchDatabase db(rig::Server::kSource, "maint");
  psql(db.url(), "CREATE TABLE t (x int)");
  ASSERT_TRUE(write_succeeds(db.url()));
  EXPECT_TRUE(status(db.url())["writes_possible"].get<bool>());

  auto on = rig::run_pgshuttle({"maintenance", "on", db.url(), "--wait", "2", "--json"});
  ASSERT_EQ(on.exit_code, 0) << on.err;
  EXPECT_FALSE(write_succeeds(db.url()));
  auto st = status(db.url());
  EXPECT_TRUE(st["read_only"].get<bool>());
  EXPECT_FALSE(st["writes_possible"].get<bool>());
  // Reads still work.
  EXPECT_EQ(psql(db.url(), "SELECT count(*) FROM t"), "1");

  auto off = rig::run_pgshuttle({"maintenance", "off", db.url()});
  ASSERT_EQ(off.exit_code, 0) << off.err;
  EXPECT_TRUE(write_succeeds(db.url()));
  EXPECT_EQ(psql(db.url(), "SELECT count(*) FROM t"), "2");
  EXPECT_TRUE(status(db.url())["writes_possible"].get<bool>());
}

// Waits until the database shows a session of application `app`.
void wait_for_session(const std::string& url, const std::string& app) {
  for (int i = 0; i < 100; ++i) {
    if (psql(url, "SELECT count(*) FROM pg_stat_activity WHERE application_name = '" + app +
                      "' AND backend_xid IS NOT NULL") == "1") {
      return;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  FAIL() << "the writer session never started";
}

TEST(Maintenance, SessionsOpenedBeforeAreReportedThenTerminated) {
  rig::ScratchDatabase db(rig::Server::kSource, "maint_sess");
  psql(db.url(), "CREATE TABLE t (x int)");
  rig::CommandResult writer;
  std::thread t([&] {
    writer = rig::run_program({"psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", db.url(), "-c",
                               "BEGIN; INSERT INTO t VALUES (7); SELECT pg_sleep(60); COMMIT"},
                              {{"PGAPPNAME", "slow_writer"}});
  });
  wait_for_session(db.url(), "slow_writer");

  auto on = rig::run_pgshuttle({"maintenance", "on", db.url(), "--wait", "1", "--json"});
  EXPECT_EQ(on.exit_code, 12) << on.err;  // kWarnings: a predating session may still write
  auto j = nlohmann::json::parse(on.out);
  ASSERT_EQ(j["remaining"].size(), 1u);
  EXPECT_EQ(j["remaining"][0]["application_name"], "slow_writer");
  EXPECT_TRUE(j["remaining"][0]["writing"].get<bool>());
  auto st = status(db.url());
  ASSERT_EQ(st["sessions"].size(), 1u);
  EXPECT_TRUE(st["sessions"][0]["writing"].get<bool>());

  auto term =
      rig::run_pgshuttle({"maintenance", "on", db.url(), "--wait", "1", "--terminate", "--json"});
  EXPECT_EQ(term.exit_code, 0) << term.err;
  auto k = nlohmann::json::parse(term.out);
  ASSERT_EQ(k["terminated"].size(), 1u);
  EXPECT_EQ(k["terminated"][0]["application_name"], "slow_writer");
  t.join();
  EXPECT_NE(writer.exit_code, 0);
  EXPECT_EQ(psql(db.url(), "SELECT count(*) FROM t"), "0");  // its write rolled back
  EXPECT_EQ(status(db.url())["sessions"].size(), 0u);
  EXPECT_EQ(rig::run_pgshuttle({"maintenance", "off", db.url()}).exit_code, 0);
}

TEST(Maintenance, RefusedAlterDatabaseShowsPerRoleAlternative) {
  // On the target the app role owns its scratch database; a database it does
  // not own (postgres) refuses ALTER DATABASE.
  std::string url = rig::env("RIG_TARGET_ADMIN");
  url.replace(url.find("postgres:tgtpass"), std::string("postgres:tgtpass").size(), "app:apppass");
  auto r = rig::run_pgshuttle({"maintenance", "on", url, "--wait", "0"});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("ALTER ROLE"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("SET default_transaction_read_only = on"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace pgshuttle
