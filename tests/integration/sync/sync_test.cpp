// sync + cutover under a pgbench write load, and kill -9 of the sync in the
// middle of the stream: the target ends identical to the source, judged by
// row digests of both sides and by a trigger on the target that counts how
// often each row was applied.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <random>
#include <set>
#include <sstream>
#include <thread>

#include "sync_rig.h"

namespace pgshuttle::sync::test {
namespace {

const char* const kSchema =
    "CREATE TABLE accounts (id int PRIMARY KEY, balance bigint NOT NULL, note text);"
    "INSERT INTO accounts SELECT g, 0, 'a' || g FROM generate_series(1, 1000) g;"
    // Bodies stored out of line: an update of the counter alone sends them
    // as 'unchanged TOAST', which must never overwrite the target's.
    "CREATE TABLE docs (id int PRIMARY KEY, counter int NOT NULL, body text);"
    "ALTER TABLE docs ALTER body SET STORAGE EXTERNAL;"
    "INSERT INTO docs SELECT g, 0, repeat(md5(g::text), 200) FROM generate_series(1, 200) g;"
    "CREATE TABLE log (id bigserial PRIMARY KEY, account int NOT NULL, delta int NOT NULL,"
    "  at timestamptz NOT NULL DEFAULT clock_timestamp());"
    "CREATE TABLE kv (k int PRIMARY KEY, v text NOT NULL);"
    "INSERT INTO kv SELECT g, md5(g::text) FROM generate_series(1, 2000) g;"
    // Linked by a foreign key: their changes keep their order on the target.
    "CREATE TABLE orders (id bigserial PRIMARY KEY, account int NOT NULL);"
    "CREATE TABLE order_lines (id bigserial PRIMARY KEY,"
    "  order_id bigint NOT NULL REFERENCES orders ON DELETE CASCADE, qty int NOT NULL);";

const char* const kLoad =
    "\\set aid random(1, 1000)\n"
    "\\set did random(1, 200)\n"
    "\\set k random(1, 2000)\n"
    "\\set delta random(-100, 100)\n"
    "BEGIN;\n"
    "UPDATE accounts SET balance = balance + :delta WHERE id = :aid;\n"
    "INSERT INTO log (account, delta) VALUES (:aid, :delta);\n"
    "UPDATE docs SET counter = counter + 1 WHERE id = :did;\n"
    "INSERT INTO kv VALUES (:k, md5(random()::text)) ON CONFLICT (k) DO UPDATE SET v = "
    "EXCLUDED.v;\n"
    "DELETE FROM kv WHERE k = :k + 7;\n"
    "WITH o AS (INSERT INTO orders (account) VALUES (:aid) RETURNING id) "
    "INSERT INTO order_lines (order_id, qty) SELECT id, :delta FROM o;\n"
    "DELETE FROM orders WHERE id = currval('orders_id_seq') - 20;\n"
    "END;\n";

const std::vector<std::string> kTables = {"accounts", "docs", "kv", "log", "orders", "order_lines"};

// The log rows one side has and the other lacks, for the failure message.
std::string log_difference(const std::string& source, const std::string& target) {
  auto ids = [](const std::string& url) {
    std::set<std::string> out;
    std::istringstream in(rig::psql(url, "SELECT id FROM public.log"));
    for (std::string line; std::getline(in, line);) out.insert(line);
    return out;
  };
  auto a = ids(source), b = ids(target);
  std::string out;
  for (const auto& id : a) {
    if (!b.count(id)) out += "missing " + id + "\n";
  }
  for (const auto& id : b) {
    if (!a.count(id)) out += "extra " + id + "\n";
  }
  return out;
}

void expect_same(const std::string& source, const std::string& target) {
  EXPECT_EQ(digest(source, kTables), digest(target, kTables)) << log_difference(source, target);
  EXPECT_EQ(rig::psql(source, "SELECT last_value FROM public.log_id_seq"),
            rig::psql(target, "SELECT last_value FROM public.log_id_seq"));
  EXPECT_EQ(leftovers(source), "0 slots, 0 publications");
  EXPECT_EQ(rig::psql(target, "SELECT to_regnamespace('pgshuttle') IS NULL"), "t");
  // The sync's publication, which its copy's snapshot sees, is not copied.
  EXPECT_EQ(rig::psql(target, "SELECT count(*) FROM pg_publication"), "0");
}

TEST(Sync, CutoverUnderWriteLoadLeavesTheTargetIdentical) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto load = start_pgbench(src.admin_url(), kLoad, 200, 120);
  std::this_thread::sleep_for(1s);
  auto sync = start_sync(dir, src.url(), dst.url());
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  std::this_thread::sleep_for(8s);
  auto cut = cutover(dir, "s001");
  auto status = sync.wait();
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err << sync.stderr_text();
  EXPECT_NE(cut.out.find("downtime"), std::string::npos) << cut.out;
  // Where the applications go next, without the target's password.
  EXPECT_NE(cut.out.find("DATABASE_URL=postgresql://" + rig::env("RIG_TARGET_APP_USER") + ":***@"),
            std::string::npos)
      << cut.out;
  EXPECT_NE(cut.out.find("/" + dst.name()), std::string::npos) << cut.out;
  EXPECT_EQ(cut.out.find(rig::env("RIG_TARGET_APP_PASSWORD")), std::string::npos) << cut.out;
  std::cout << "cutover: " << cut.out;
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << sync.stderr_text();
  (void)load.wait();  // its sessions were ended by the fence
  // The load ran during the copy and the stream: both carried changes.
  EXPECT_GT(std::stoi(rig::psql(src.admin_url(), "SELECT count(*) FROM log")), 1000);
  EXPECT_GT(std::stoi(rig::psql(src.admin_url(), "SELECT max(counter) FROM docs")), 1);
  expect_same(src.admin_url(), dst.admin_url());
}

TEST(Sync, KilledMidStreamResumesWithoutLosingOrRepeatingAChange) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto load = start_pgbench(src.admin_url(), kLoad, 300, 180);
  auto sync = start_sync(dir, src.url(), dst.url());
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  count_applications(dst.admin_url(), "log");
  // First killed right after a target commit that the slot never heard of:
  // the resumed run is sent that batch again and must skip it.
  std::this_thread::sleep_for(1s);
  sync.kill(SIGKILL);
  (void)sync.wait();
  sync = start_sync(dir, src.url(), dst.url(), "kill@sync:committed:5");
  auto faulted = sync.wait();
  ASSERT_TRUE(faulted.ok());
  ASSERT_EQ(*faulted, 128 + SIGKILL) << sync.stderr_text();
  sync = start_sync(dir, src.url(), dst.url());
  // Then kill -9 at moments the test does not choose.
  for (int kill = 0; kill < 3; ++kill) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2500 + 700 * kill));
    sync.kill(SIGKILL);
    (void)sync.wait();
    sync = start_sync(dir, src.url(), dst.url());
  }
  std::this_thread::sleep_for(5s);
  auto cut = cutover(dir, "s001");
  auto status = sync.wait();
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err << sync.stderr_text();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << sync.stderr_text();
  (void)load.wait();
  expect_same(src.admin_url(), dst.admin_url());
  // Every log row the stream wrote was written once; the trigger saw many.
  EXPECT_EQ(rig::psql(dst.admin_url(), "SELECT count(*) FILTER (WHERE n > 1) FROM applied_count"),
            "0");
  EXPECT_GT(std::stoi(rig::psql(dst.admin_url(), "SELECT count(*) FROM applied_count")), 500);
  EXPECT_EQ(rig::psql(dst.admin_url(),
                      "SELECT count(*) FROM applied_count a WHERE NOT EXISTS (SELECT 1 FROM "
                      "log l WHERE l.id = a.id)"),
            "0");
}

// kill -9 ten times at moments drawn at random (the seed is printed): in
// the copy, while streaming, and after a cutover was asked for (in its
// fence, drain, verify or end); each time the same command again. The
// target ends identical, every log row applied once.
TEST(Sync, TenKillsAtRandomMomentsAcrossCopyStreamAndCutover) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  unsigned seed = std::random_device{}();
  std::cout << "seed " << seed << std::endl;
  std::mt19937 random(seed);
  auto ms = [&](int lo, int hi) {
    return std::chrono::milliseconds(std::uniform_int_distribution<int>(lo, hi)(random));
  };
  auto load = start_pgbench(src.admin_url(), kLoad, 300, 180);
  // A run that ended by itself before the kill (its cutover finished) is
  // not started again.
  bool ended = false;
  int ended_status = -1;
  auto kill_and_restart = [&](Subprocess& sync) {
    if (ended) return;
    sync.kill(SIGKILL);
    auto st = sync.wait();
    if (st.ok() && *st != 128 + SIGKILL) {
      ended = true;
      ended_status = *st;
      return;
    }
    sync = start_sync(dir, src.url(), dst.url());
  };
  auto sync = start_sync(dir, src.url(), dst.url());
  std::this_thread::sleep_for(ms(100, 900));  // setup or copy
  kill_and_restart(sync);
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  count_applications(dst.admin_url(), "log");
  for (int kill = 0; kill < 6; ++kill) {  // streaming
    std::this_thread::sleep_for(ms(200, 2500));
    kill_and_restart(sync);
  }
  std::this_thread::sleep_for(2s);
  // The cutover is asked for; the sync dies under it three times (the
  // command then says the sync does not run: whichever run is next finishes
  // the cutover it finds asked for).
  SubprocessOptions c;
  c.argv = {rig::pgshuttle_bin(), "--state-dir", dir, "cutover", "s001", "--timeout", "300"};
  c.inherit = {"*"};
  auto asked = Subprocess::spawn(c);
  ASSERT_TRUE(asked.ok());
  for (int kill = 0; kill < 3; ++kill) {
    std::this_thread::sleep_for(ms(0, 1500));
    kill_and_restart(sync);
  }
  (void)asked->wait();
  if (!ended) {
    auto status = sync.wait();
    ASSERT_TRUE(status.ok());
    ended_status = *status;
  }
  EXPECT_EQ(ended_status, 0) << sync.stderr_text();
  // The same command once more: it reports the cutover, does nothing again.
  auto again = start_sync(dir, src.url(), dst.url());
  auto again_status = again.wait();
  ASSERT_TRUE(again_status.ok());
  EXPECT_NE(*again_status, 0) << again.stderr_text();
  EXPECT_NE(again.stderr_text().find("sync s001 of these databases cut over into it already"),
            std::string::npos)
      << again.stderr_text();
  auto cut = cutover(dir, "s001");  // the recorded result
  EXPECT_EQ(cut.exit_code, 0) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("verified: rows match the source"), std::string::npos) << cut.out;
  (void)load.wait();
  expect_same(src.admin_url(), dst.admin_url());
  EXPECT_EQ(rig::psql(dst.admin_url(), "SELECT count(*) FILTER (WHERE n > 1) FROM applied_count"),
            "0");
  EXPECT_EQ(rig::psql(dst.admin_url(),
                      "SELECT count(*) FROM applied_count a WHERE NOT EXISTS (SELECT 1 FROM "
                      "log l WHERE l.id = a.id)"),
            "0");
}

// Killed in the middle of the initial copy (its snapshot is then gone: the
// resumed copy reads a later one and the stream replays over it), then
// killed right after fencing the source for a cutover: the same command
// finishes the cutover itself, and `cutover` reports it.
TEST(Sync, KilledDuringTheCopyAndDuringTheCutoverFinishesIdentical) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto load = start_pgbench(src.admin_url(), kLoad, 300, 180);
  std::this_thread::sleep_for(1s);
  auto sync = start_sync(dir, src.url(), dst.url(), "kill@copy:stream:public.kv");
  auto killed = sync.wait();
  ASSERT_TRUE(killed.ok());
  ASSERT_EQ(*killed, 128 + SIGKILL) << sync.stderr_text();
  sync = start_sync(dir, src.url(), dst.url());
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  std::this_thread::sleep_for(4s);
  sync.kill(SIGKILL);
  (void)sync.wait();
  sync = start_sync(dir, src.url(), dst.url(), "kill@sync:fenced");
  std::this_thread::sleep_for(2s);
  // The cutover runs while the sync dies at its fence (reaped here, so that
  // the registry sees it gone): it says the sync does not run.
  SubprocessOptions c;
  c.argv = {rig::pgshuttle_bin(), "--state-dir", dir, "cutover", "s001", "--timeout", "120"};
  c.inherit = {"*"};
  auto refused = Subprocess::spawn(c);
  ASSERT_TRUE(refused.ok());
  killed = sync.wait();
  ASSERT_TRUE(killed.ok());
  ASSERT_EQ(*killed, 128 + SIGKILL) << sync.stderr_text();
  auto refused_status = refused->wait();
  ASSERT_TRUE(refused_status.ok());
  EXPECT_EQ(*refused_status, 8) << refused->stderr_text();
  EXPECT_NE(refused->stderr_text().find("is not running"), std::string::npos)
      << refused->stderr_text();
  sync = start_sync(dir, src.url(), dst.url());
  auto status = sync.wait();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << sync.stderr_text();
  auto cut = cutover(dir, "s001");
  EXPECT_EQ(cut.exit_code, 0) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("downtime"), std::string::npos) << cut.out;
  (void)load.wait();
  expect_same(src.admin_url(), dst.admin_url());
}

// migrate --online: the whole runbook with the source writable until the
// sync has caught up and cut over by itself, under a write load; the
// target ends identical (independent digests), the migration's own verify
// passed, the downtime is reported, and nothing is left on either side.
TEST(Sync, MigrateOnlineCutsOverByItselfUnderWriteLoad) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto load = start_pgbench(src.admin_url(), kLoad, 200, 120);
  std::this_thread::sleep_for(1s);
  auto r = rig::run_pgshuttle({"--state-dir", dir, "migrate", src.url(), dst.url(), "--online",
                               "--fence-grace", "1", "--jobs", "2"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.err.find("caught up"), std::string::npos) << r.err;
  EXPECT_NE(r.out.find("downtime"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("verified:"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("still read-only"), std::string::npos) << r.out;
  (void)load.wait();  // its sessions were ended by the fence
  EXPECT_GT(std::stoi(rig::psql(src.admin_url(), "SELECT count(*) FROM log")), 0);
  expect_same(src.admin_url(), dst.admin_url());
}

// migrate --online with --exclude and --keep-acl: only the selected part is
// copied, published and kept in sync under a write load (a keyless table in
// an excluded schema does not block it; an excluded table's writes do not
// reach the target), its sequences are set at cutover, and its grants come
// along. (Before: both options were refused with --online.)
TEST(Sync, MigrateOnlineMovesAPartWithItsGrants) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  std::string reader = rig::unique_name("sync_reader");
  rig::psql(src.admin_url(), "CREATE ROLE " + reader);
  rig::psql(dst.admin_url(), "CREATE ROLE " + reader);
  rig::psql(src.admin_url(), kSchema);
  rig::psql(src.admin_url(),
            "CREATE SCHEMA other; CREATE TABLE other.keyless (x int); "
            "INSERT INTO other.keyless VALUES (1); "
            "GRANT SELECT ON public.accounts TO " +
                reader);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto load = start_pgbench(src.admin_url(), kLoad, 200, 120);
  std::this_thread::sleep_for(1s);
  auto r = rig::run_pgshuttle({"--state-dir", dir, "migrate", src.url(), dst.url(), "--online",
                               "--fence-grace", "1", "--jobs", "2", "--exclude", "other",
                               "--exclude", "public.kv", "--keep-acl"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("verified:"), std::string::npos) << r.out;
  (void)load.wait();
  const std::vector<std::string> part = {"accounts", "docs", "log", "orders", "order_lines"};
  EXPECT_EQ(digest(src.admin_url(), part), digest(dst.admin_url(), part))
      << log_difference(src.admin_url(), dst.admin_url());
  EXPECT_EQ(rig::psql(src.admin_url(), "SELECT last_value FROM public.log_id_seq"),
            rig::psql(dst.admin_url(), "SELECT last_value FROM public.log_id_seq"));
  EXPECT_EQ(rig::psql(dst.admin_url(),
                      "SELECT to_regnamespace('other') IS NULL, "
                      "to_regclass('public.kv') IS NULL"),
            "t|t");
  EXPECT_EQ(rig::psql(dst.admin_url(),
                      "SELECT has_table_privilege('" + reader + "', 'public.accounts', 'SELECT')"),
            "t");
  EXPECT_EQ(leftovers(src.admin_url()), "0 slots, 0 publications");
  // The cutover left the source read-only: released to drop the role.
  auto off = rig::run_pgshuttle({"--state-dir", dir, "maintenance", "off", src.url()});
  EXPECT_EQ(off.exit_code, 0) << off.err;
  rig::psql(src.admin_url(), "DROP OWNED BY " + reader + "; DROP ROLE " + reader);
  rig::psql(dst.admin_url(), "DROP OWNED BY " + reader + "; DROP ROLE " + reader);
}

// A sync resumed after kill -9 copies, publishes and sets what it started
// with: the same command without its --exclude is refused (exit 2, naming
// the filter), with it the sync resumes and cuts over to an identical part.
TEST(Sync, AResumedSyncKeepsTheFilterItStartedWith) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  rig::psql(src.admin_url(), "CREATE SCHEMA other; CREATE TABLE other.keyless (x int)");
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  const std::vector<std::string> filter = {"--exclude", "other"};
  auto sync = start_sync(dir, src.url(), dst.url(), "", {}, filter);
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  sync.kill(SIGKILL);
  (void)sync.wait();
  rig::psql(src.admin_url(), "UPDATE accounts SET balance = 7 WHERE id = 3");

  auto other = rig::run_pgshuttle({"--state-dir", dir, "sync", src.url(), dst.url()});
  EXPECT_EQ(other.exit_code, 2) << other.err;
  EXPECT_NE(other.err.find("was started with the options"), std::string::npos) << other.err;

  sync = start_sync(dir, src.url(), dst.url(), "", {}, filter);
  std::this_thread::sleep_for(3s);
  auto cut = cutover(dir, "s001");
  auto status = sync.wait();
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err << sync.stderr_text();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << sync.stderr_text();
  EXPECT_EQ(digest(src.admin_url(), kTables), digest(dst.admin_url(), kTables));
  EXPECT_EQ(rig::psql(dst.admin_url(), "SELECT balance FROM accounts WHERE id = 3"), "7");
  EXPECT_EQ(rig::psql(dst.admin_url(), "SELECT to_regnamespace('other') IS NULL"), "t");
  EXPECT_EQ(leftovers(src.admin_url()), "0 slots, 0 publications");
}

// Large objects, which logical decoding does not carry, changed while the
// sync streams: one rewritten shorter, one unlinked, one made, one's
// comment changed. After the cutover the target's large objects are the
// source's, judged by each object's MD5 and comment on both sides.
// (Before: the target kept the copy's large objects.)
TEST(Sync, LargeObjectsChangedDuringTheSyncArriveAtCutover) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  rig::psql(src.admin_url(),
            "SELECT lo_from_bytea(91001, convert_to(repeat('a', 3000000), 'UTF8')); "
            "SELECT lo_from_bytea(91002, '\\x0102'); "
            "SELECT lo_from_bytea(91003, '\\x03'); "
            "COMMENT ON LARGE OBJECT 91003 IS 'before'");
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url());
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  const std::string objects =
      "SELECT string_agg(oid || ':' || md5(lo_get(oid)) || ':' || "
      "coalesce(obj_description(oid, 'pg_largeobject'), '-'), ' ' ORDER BY oid) "
      "FROM pg_largeobject_metadata";
  ASSERT_EQ(rig::psql(src.admin_url(), objects), rig::psql(dst.admin_url(), objects));
  rig::psql(src.admin_url(),
            "SELECT lo_unlink(91001); "
            "SELECT lo_from_bytea(91001, convert_to(repeat('b', 1500000), 'UTF8')); "
            "SELECT lo_unlink(91002); "
            "SELECT lo_from_bytea(91004, '\\x04'); "
            "COMMENT ON LARGE OBJECT 91003 IS 'after'; "
            "UPDATE accounts SET balance = 5 WHERE id = 1");
  std::this_thread::sleep_for(2s);
  auto cut = cutover(dir, "s001");
  auto status = sync.wait();
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err << sync.stderr_text();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << sync.stderr_text();
  EXPECT_EQ(rig::psql(src.admin_url(), objects), rig::psql(dst.admin_url(), objects));
  EXPECT_NE(sync.stderr_text().find("3 copied again"), std::string::npos) << sync.stderr_text();
  EXPECT_EQ(digest(src.admin_url(), kTables), digest(dst.admin_url(), kTables));
  EXPECT_EQ(leftovers(src.admin_url()), "0 slots, 0 publications");
}

// With --json, each progress line on stderr is one object giving the lag
// in bytes and in seconds: seconds since the oldest source commit not yet
// applied, so under a load they stay small, never negative, and never a
// clock or epoch mistake's thousands.
TEST(Sync, JsonProgressGivesTheLagInBytesAndSeconds) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto load = start_pgbench(src.admin_url(), kLoad, 300, 120);
  auto sync = start_sync(dir, src.url(), dst.url(), "", {"--json"});
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  std::this_thread::sleep_for(5s);
  auto cut = cutover(dir, "s001");
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err;
  auto status = sync.wait();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << sync.stderr_text();
  (void)load.wait();
  int lines = 0, behind = 0;
  std::istringstream err(sync.stderr_text());
  for (std::string line; std::getline(err, line);) {
    auto j = nlohmann::json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.contains("progress")) continue;
    const auto& p = j["progress"];
    ASSERT_TRUE(p.contains("lag_seconds")) << line;
    double seconds = p["lag_seconds"].get<double>();
    EXPECT_GE(seconds, 0.0) << line;
    EXPECT_LT(seconds, 60.0) << line;
    EXPECT_GE(p["lag_bytes"].get<int64_t>(), 0) << line;
    ++lines;
    if (p["lag_bytes"].get<int64_t>() > 0) ++behind;
  }
  EXPECT_GE(lines, 4) << sync.stderr_text();
  EXPECT_GT(behind, 0) << sync.stderr_text();
}

// check --online names what sync needs and the source lacks: here a table
// without a key, in sync's own words, as a blocker (exit 8).
TEST(Sync, CheckOnlineNamesATableWithoutAKey) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), "CREATE TABLE keyed (id int PRIMARY KEY); CREATE TABLE loose (v int)");
  auto plain = rig::run_pgshuttle({"check", src.url(), dst.url()});
  EXPECT_EQ(plain.out.find("replica identity"), std::string::npos) << plain.out;
  auto online = rig::run_pgshuttle({"check", src.url(), dst.url(), "--online"});
  EXPECT_EQ(online.exit_code, 8) << online.out << online.err;
  EXPECT_NE(online.out.find("no primary key or replica identity index"), std::string::npos)
      << online.out;
  EXPECT_NE(online.out.find("loose"), std::string::npos) << online.out;
}

}  // namespace
}  // namespace pgshuttle::sync::test
