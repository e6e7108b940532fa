// What stops a sync: DDL on the source (stops with the table named; after
// the same change on the target the same command continues), cancel (no
// slot or publication left), a source without logical decoding, a table
// without a key.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "sync_rig.h"

namespace pgshuttle::sync::test {
namespace {

TEST(SyncGuard, DdlOnTheSourceStopsTheSyncNamingTheTable) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(),
            "CREATE TABLE items (id int PRIMARY KEY, name text);"
            "INSERT INTO items SELECT g, 'n' || g FROM generate_series(1, 100) g;");
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url());
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  rig::psql(src.admin_url(), "INSERT INTO items VALUES (101, 'before');");
  rig::psql(src.admin_url(),
            "ALTER TABLE items ADD COLUMN price numeric;"
            "INSERT INTO items VALUES (102, 'after', 9.5);");
  auto status = sync.wait();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 8) << sync.stderr_text();
  EXPECT_NE(sync.stderr_text().find("public.items"), std::string::npos) << sync.stderr_text();
  EXPECT_NE(sync.stderr_text().find("column price is not on the target"), std::string::npos);
  EXPECT_NE(sync.stderr_text().find("ALTER TABLE"), std::string::npos);
  // Nothing after the DDL was applied; what came before was.
  EXPECT_EQ(rig::psql(dst.admin_url(),
                      "SELECT string_agg(id::text, ',' ORDER BY id) FROM "
                      "items WHERE id > 100"),
            "101");
  // The same change on the target, and the same command continues.
  rig::psql(dst.url(), "ALTER TABLE items ADD COLUMN price numeric;");
  sync = start_sync(dir, src.url(), dst.url());
  std::this_thread::sleep_for(3s);
  auto cut = cutover(dir, "s001");
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err << sync.stderr_text();
  EXPECT_EQ(*sync.wait(), 0) << sync.stderr_text();
  EXPECT_EQ(digest(src.admin_url(), {"items"}), digest(dst.admin_url(), {"items"}));
}

TEST(SyncGuard, CancelLeavesNoSlotOrPublication) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), "CREATE TABLE items (id int PRIMARY KEY, name text);");
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url());
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  EXPECT_EQ(leftovers(src.admin_url()), "1 slots, 1 publications");
  auto cancel = rig::run_pgshuttle({"--state-dir", dir, "cancel", "s001"});
  EXPECT_EQ(cancel.exit_code, 0) << cancel.err;
  auto status = sync.wait();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 9) << sync.stderr_text();
  EXPECT_EQ(leftovers(src.admin_url()), "0 slots, 0 publications");
}

// A sync killed with kill -9 cannot answer `cancel`; `sync --cancel` with
// the same databases drops what it left.
TEST(SyncGuard, CancelOfAKilledSyncLeavesNoSlotOrPublication) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), "CREATE TABLE items (id int PRIMARY KEY, name text);");
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url());
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  sync.kill(SIGKILL);
  (void)sync.wait();
  EXPECT_EQ(leftovers(src.admin_url()), "1 slots, 1 publications");
  auto r = rig::run_pgshuttle({"--state-dir", dir, "sync", src.url(), dst.url(), "--cancel"});
  EXPECT_EQ(r.exit_code, 9) << r.err;
  EXPECT_EQ(leftovers(src.admin_url()), "0 slots, 0 publications");
  auto again = rig::run_pgshuttle({"--state-dir", dir, "sync", src.url(), dst.url(), "--cancel"});
  EXPECT_EQ(again.exit_code, 13) << again.err;
}

TEST(SyncGuard, RefusesASourceWithoutLogicalDecoding) {
  // The rig's target cluster runs wal_level = replica.
  rig::ScratchDatabase src(rig::Server::kTarget, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), "CREATE TABLE items (id int PRIMARY KEY)");
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto r = rig::run_pgshuttle({"--state-dir", dir, "sync", src.admin_url(), dst.url()});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("wal_level"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("wal_level = logical"), std::string::npos) << r.err;
}

TEST(SyncGuard, RefusesATableWithoutAKeyNamingItAndTheFix) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(),
            "CREATE TABLE keyed (id int PRIMARY KEY); CREATE TABLE \"Loose Rows\" (v text);");
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto r = rig::run_pgshuttle({"--state-dir", dir, "sync", src.url(), dst.url()});
  EXPECT_EQ(r.exit_code, 8) << r.err;
  EXPECT_NE(r.err.find("public.\"Loose Rows\""), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("REPLICA IDENTITY USING INDEX"), std::string::npos) << r.err;
  EXPECT_EQ(leftovers(src.admin_url()), "0 slots, 0 publications");
}

// The source ends the replication session and the target session under
// the sync (a failover, an idle timeout): it reconnects and goes on.
TEST(SyncGuard, TerminatedSessionsReconnectAndContinue) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), "CREATE TABLE items (id int PRIMARY KEY, n int NOT NULL);");
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url());
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  rig::psql(src.admin_url(), "INSERT INTO items SELECT g, 0 FROM generate_series(1, 100) g;");
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(rig::psql(src.admin_url(),
                      "SELECT count(pg_terminate_backend(active_pid)) FROM pg_replication_slots "
                      "WHERE database = current_database()"),
            "1");
  rig::psql(src.admin_url(), "UPDATE items SET n = n + 1 WHERE id <= 50;");
  std::this_thread::sleep_for(2s);
  // The applier's session and the live verify's.
  EXPECT_EQ(rig::psql(dst.admin_url(),
                      "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE "
                      "datname = current_database() AND usename = 'app'"),
            "2");
  rig::psql(src.admin_url(), "DELETE FROM items WHERE id > 90;");
  std::this_thread::sleep_for(3s);
  auto cut = cutover(dir, "s001");
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err << sync.stderr_text();
  EXPECT_EQ(*sync.wait(), 0) << sync.stderr_text();
  EXPECT_NE(sync.stderr_text().find("retrying"), std::string::npos) << sync.stderr_text();
  EXPECT_NE(sync.stderr_text().find("live verify: "), std::string::npos) << sync.stderr_text();
  EXPECT_EQ(sync.stderr_text().find("live verify stopped"), std::string::npos)
      << sync.stderr_text();
  EXPECT_EQ(digest(src.admin_url(), {"items"}), digest(dst.admin_url(), {"items"}));
}

}  // namespace
}  // namespace pgshuttle::sync::test
