// The live verify of a sync: chunks compared while streaming, and at
// cutover only those changed since. Judged by what the cutover reports
// (how many chunks it compared, which row differs) and by an independent
// digest of both sides.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <iostream>
#include <regex>

#include "sync_rig.h"

namespace pgshuttle::sync::test {
namespace {

// 20,000 rows in chunks of 2,000 (about ten), a text-keyed table (one
// chunk), and an append-only log.
const char* const kSchema =
    "CREATE TABLE big (id bigint PRIMARY KEY, n int NOT NULL DEFAULT 0, v text NOT NULL);"
    "INSERT INTO big SELECT g, 0, md5(g::text) FROM generate_series(1, 20000) g;"
    "CREATE TABLE tags (name text PRIMARY KEY, n int NOT NULL);"
    "INSERT INTO tags SELECT 't' || g, g FROM generate_series(1, 100) g;"
    "CREATE TABLE log (id bigserial PRIMARY KEY, big_id bigint NOT NULL);"
    "ANALYZE;";

const std::vector<std::string> kTables = {"big", "tags", "log"};

// Waits until the sync's progress says every chunk matched once: "verified
// N of N chunks". Returns N, or 0 when it did not within a minute.
int wait_all_verified(const std::string& dir, Subprocess& sync) {
  std::regex line("verified ([0-9]+) of ([0-9]+) chunks");
  for (int i = 0; i < 300; ++i) {
    auto logs = rig::run_pgshuttle({"--state-dir", dir, "logs", "s001"});
    int found = 0;
    for (auto it = std::sregex_iterator(logs.out.begin(), logs.out.end(), line);
         it != std::sregex_iterator(); ++it) {
      found = (*it)[1] == (*it)[2] ? std::stoi((*it)[2]) : 0;
    }
    if (found > 0) return found;
    if (::kill(sync.pid(), 0) != 0) return 0;
    std::this_thread::sleep_for(200ms);
  }
  return 0;
}

// `cutover --json` of s001, then both the sync and the load waited for:
// the cutover's JSON (null when it failed, with the failure reported).
nlohmann::json cut_over(const std::string& dir, Subprocess& sync, Subprocess& load) {
  auto cut = rig::run_pgshuttle({"--state-dir", dir, "--json", "cutover", "s001"});
  auto status = sync.wait();
  (void)load.wait();
  EXPECT_EQ(cut.exit_code, 0) << cut.out << cut.err << sync.stderr_text();
  EXPECT_TRUE(status.ok() && *status == 0) << sync.stderr_text();
  std::cout << "cutover: " << cut.out;
  return cut.exit_code == 0 ? nlohmann::json::parse(cut.out) : nlohmann::json();
}

TEST(LiveVerify, CutoverComparesOnlyTheChunksChangedSinceTheyMatched) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url(), "", {}, {"--verify-chunk-rows", "2000"});
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  int chunks = wait_all_verified(dir, sync);
  ASSERT_GE(chunks, 6) << sync.stderr_text();
  // Changes in the first rows of big and in the log only, under load.
  auto load = start_pgbench(src.admin_url(),
                            "\\set id random(1, 500)\n"
                            "UPDATE big SET n = n + 1, v = md5(random()::text) WHERE id = :id;\n"
                            "INSERT INTO log (big_id) VALUES (:id);\n",
                            200, 120);
  std::this_thread::sleep_for(4s);
  auto j = cut_over(dir, sync, load);
  ASSERT_TRUE(j["verify"].is_object()) << j.dump();
  EXPECT_EQ(j["verify"]["chunks"].get<int>(), chunks) << j.dump();
  EXPECT_EQ(j["verify"]["differences"].get<int>(), 0) << j.dump();
  // Rows the load changed since the background last compared them, one by
  // one; no chunk whole (each matched once, and no change lacked a key).
  EXPECT_EQ(j["verify"]["compared_at_cutover"].get<int>(), 0) << j.dump();
  int64_t changed = j["verify"]["changed_rows_compared_at_cutover"].get<int64_t>();
  EXPECT_LT(changed, 2000) << j.dump() << sync.stderr_text();
  // While the load ran, changed rows were pending and then compared.
  EXPECT_NE(sync.stderr_text().find("changed rows to compare)"), std::string::npos)
      << sync.stderr_text();
  EXPECT_EQ(digest(src.admin_url(), kTables), digest(dst.admin_url(), kTables));
  EXPECT_GT(std::stoi(rig::psql(src.admin_url(), "SELECT count(*) FROM log")), 100);
}

// Under a load over every row from the start, a chunk's checksums seldom
// match (the source is always a little ahead): its rows are then compared
// by key and hash, and only those that differ stay pending. So the cutover
// compares no chunk whole, only rows.
TEST(LiveVerify, ABusyTableMatchesRowByRowAndTheCutoverComparesNoChunkWhole) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto load = start_pgbench(src.admin_url(),
                            "\\set id random(1, 20000)\n"
                            "UPDATE big SET n = n + 1 WHERE id = :id;\n"
                            "INSERT INTO log (big_id) VALUES (:id);\n",
                            400, 120);
  auto sync = start_sync(dir, src.url(), dst.url(), "", {}, {"--verify-chunk-rows", "2000"});
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  std::this_thread::sleep_for(8s);
  auto j = cut_over(dir, sync, load);
  ASSERT_TRUE(j["verify"].is_object()) << j.dump();
  EXPECT_EQ(j["verify"]["compared_at_cutover"].get<int>(), 0) << j.dump() << sync.stderr_text();
  EXPECT_LT(j["verify"]["changed_rows_compared_at_cutover"].get<int64_t>(), 5000) << j.dump();
  EXPECT_EQ(digest(src.admin_url(), kTables), digest(dst.admin_url(), kTables));
}

// An apply that writes the wrong rows (simulated by triggers the sync
// keeps firing, ENABLE ALWAYS, on the target), each by one path of the
// stream only: an update whose row comes out changed, a key change that
// leaves the row at its old key, a delete that does not happen, and a
// uuid-keyed table. The cutover names each row. Had a path not recorded
// its keys, its chunk would stay clean (it matched before; a clean chunk
// is compared whole again only after a minute) and its row go unnamed.
TEST(LiveVerify, RowsTheApplyGotWrongFailTheCutoverNamingThem) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), std::string(kSchema) +
                                 "CREATE TABLE ukeys (id uuid PRIMARY KEY, n int NOT NULL);"
                                 "INSERT INTO ukeys SELECT gen_random_uuid(), 0 "
                                 "FROM generate_series(1, 20000);"
                                 "ANALYZE ukeys;");
  std::string uuids = rig::psql(src.admin_url(),
                                "SELECT string_agg(id::text, ',' ORDER BY id) FROM (SELECT id "
                                "FROM ukeys ORDER BY id OFFSET 7000 LIMIT 2) s");
  ASSERT_EQ(uuids.size(), 2 * 36 + 1) << uuids;
  std::string first = uuids.substr(0, 36), second = uuids.substr(37, 36);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url(), "", {}, {"--verify-chunk-rows", "2000"});
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  ASSERT_GE(wait_all_verified(dir, sync), 15) << sync.stderr_text();
  rig::psql(dst.admin_url(),
            "CREATE FUNCTION public.bad_apply() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            "  IF TG_OP = 'DELETE' THEN"
            "    IF OLD.id = 8765 THEN RETURN NULL; END IF; RETURN OLD;"
            "  END IF;"
            "  IF OLD.id = 4321 THEN RETURN NULL; END IF;"
            "  IF NEW.id = 12345 THEN NEW.v := 'wrong'; END IF;"
            "  RETURN NEW; END $$;"
            "CREATE TRIGGER bad_apply BEFORE UPDATE OR DELETE ON public.big"
            "  FOR EACH ROW EXECUTE FUNCTION public.bad_apply();"
            "ALTER TABLE public.big ENABLE ALWAYS TRIGGER bad_apply;"
            "CREATE FUNCTION public.bad_apply_u() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN"
            "  NEW.n := -1; RETURN NEW; END $$;"
            "CREATE TRIGGER bad_apply BEFORE UPDATE ON public.ukeys"
            "  FOR EACH ROW EXECUTE FUNCTION public.bad_apply_u();"
            "ALTER TABLE public.ukeys ENABLE ALWAYS TRIGGER bad_apply;");
  rig::psql(src.admin_url(),
            "UPDATE big SET n = n + 1 WHERE id = 12345;"
            "UPDATE big SET id = 1004321 WHERE id = 4321;"
            "DELETE FROM big WHERE id = 8765;"
            "UPDATE ukeys SET n = 1 WHERE id = '" +
                first + "';");
  std::this_thread::sleep_for(1s);
  auto cut = cutover(dir, "s001");
  auto status = sync.wait();
  EXPECT_EQ(cut.exit_code, 6) << cut.out << cut.err;
  std::vector<std::string> rows = {
      "row public.big id=12345: changed", "row public.big id=4321: extra on target",
      "row public.big id=8765: extra on target", "row public.ukeys id=" + first + ": changed"};
  for (const auto& row : rows) {
    EXPECT_NE(cut.err.find(row), std::string::npos) << row << "\n" << cut.err;
  }
  // Nothing else is named, and no value is shown.
  EXPECT_EQ(cut.err.find(second), std::string::npos) << cut.err;
  EXPECT_EQ(cut.err.find("wrong"), std::string::npos) << cut.err;
  EXPECT_EQ(cut.out.find("DATABASE_URL="), std::string::npos) << cut.out;
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 6) << sync.stderr_text();
  EXPECT_NE(sync.stderr_text().find("row public.big id=4321"), std::string::npos)
      << sync.stderr_text();
  // The cutover itself finished: nothing is left retained on the source.
  EXPECT_EQ(leftovers(src.admin_url()), "0 slots, 0 publications");
}

// Without the live verify the cutover says the rows were not verified.
TEST(LiveVerify, OffTheCutoverSaysTheRowsWereNotVerified) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), kSchema);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url(), "", {}, {"--no-live-verify"});
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  rig::psql(src.admin_url(), "UPDATE big SET n = 1 WHERE id < 100");
  auto cut = cutover(dir, "s001");
  auto status = sync.wait();
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err;
  EXPECT_NE(cut.out.find("rows not verified (--no-live-verify)"), std::string::npos) << cut.out;
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << sync.stderr_text();
  EXPECT_EQ(sync.stderr_text().find("verified 0 of"), std::string::npos) << sync.stderr_text();
  EXPECT_EQ(digest(src.admin_url(), kTables), digest(dst.admin_url(), kTables));
}

}  // namespace
}  // namespace pgshuttle::sync::test
