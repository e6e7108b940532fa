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
  auto cut = rig::run_pgshuttle({"--state-dir", dir, "--json", "cutover", "s001"});
  auto status = sync.wait();
  (void)load.wait();
  ASSERT_EQ(cut.exit_code, 0) << cut.out << cut.err << sync.stderr_text();
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 0) << sync.stderr_text();
  std::cout << "cutover: " << cut.out;
  auto j = nlohmann::json::parse(cut.out);
  ASSERT_TRUE(j["verify"].is_object()) << cut.out;
  EXPECT_EQ(j["verify"]["chunks"].get<int>(), chunks) << cut.out;
  EXPECT_EQ(j["verify"]["differences"].get<int>(), 0) << cut.out;
  // big's first chunk and log's (one, or its last) at most, plus chunks the
  // load touched after their last comparison: not the untouched rest.
  int compared = j["verify"]["compared_at_cutover"].get<int>();
  EXPECT_GE(compared, 1) << cut.out;
  EXPECT_LT(compared, chunks - 3) << cut.out << sync.stderr_text();
  EXPECT_EQ(digest(src.admin_url(), kTables), digest(dst.admin_url(), kTables));
  EXPECT_GT(std::stoi(rig::psql(src.admin_url(), "SELECT count(*) FROM log")), 100);
}

// Rows changed on the target behind the sync's back, each in a chunk that
// the stream changes afterwards by one path only: an update of other
// columns, a key change (its old key), a delete, and a uuid-keyed table.
// The cutover compares those chunks and names each row. Had a path not
// marked its chunk, that chunk would stay clean (it matched before the
// rows were changed; clean chunks are compared again only after 60 s) and
// its row would go unnamed. Row `k` shares a chunk with k-1 or k+1,
// whatever the boundaries, so both neighbours are changed.
TEST(LiveVerify, RowsChangedOnTheTargetFailTheCutoverNamingThem) {
  rig::ScratchDatabase src(rig::Server::kSource, "sync_src");
  rig::ScratchDatabase dst(rig::Server::kTarget, "sync_dst");
  rig::psql(src.admin_url(), std::string(kSchema) +
                                 "CREATE TABLE ukeys (id uuid PRIMARY KEY, n int NOT NULL);"
                                 "INSERT INTO ukeys SELECT gen_random_uuid(), 0 "
                                 "FROM generate_series(1, 20000);"
                                 "ANALYZE ukeys;");
  std::string uuids = rig::psql(src.admin_url(),
                                "SELECT string_agg(id::text, ',' ORDER BY id) FROM (SELECT id "
                                "FROM ukeys ORDER BY id OFFSET 6998 LIMIT 3) s");
  ASSERT_EQ(uuids.size(), 3 * 36 + 2) << uuids;
  std::string before = uuids.substr(0, 36), tampered = uuids.substr(37, 36),
              after = uuids.substr(74, 36);
  std::string dir = "/tmp/" + rig::unique_name("sync_state");
  auto sync = start_sync(dir, src.url(), dst.url(), "", {}, {"--verify-chunk-rows", "2000"});
  ASSERT_TRUE(wait_streaming(dst.admin_url(), sync)) << sync.stderr_text();
  ASSERT_GE(wait_all_verified(dir, sync), 15) << sync.stderr_text();
  rig::psql(dst.admin_url(),
            "UPDATE big SET v = 'tampered' WHERE id IN (12345, 4321, 8765);"
            "UPDATE ukeys SET n = -1 WHERE id = '" +
                tampered + "';");
  rig::psql(src.admin_url(),
            "UPDATE big SET n = n + 1 WHERE id IN (12344, 12346);"
            "UPDATE big SET id = id + 1000000 WHERE id IN (4320, 4322);"
            "DELETE FROM big WHERE id IN (8764, 8766);"
            "UPDATE ukeys SET n = 1 WHERE id IN ('" +
                before + "', '" + after + "');");
  std::this_thread::sleep_for(1s);
  auto cut = cutover(dir, "s001");
  auto status = sync.wait();
  EXPECT_EQ(cut.exit_code, 6) << cut.out << cut.err;
  std::vector<std::string> rows = {"public.big id=12345", "public.big id=4321",
                                   "public.big id=8765", "public.ukeys id=" + tampered};
  for (const auto& row : rows) {
    EXPECT_NE(cut.err.find(row), std::string::npos) << row << "\n" << cut.err;
  }
  // No row the target did not change is named, and no value is shown.
  EXPECT_EQ(cut.err.find("12344"), std::string::npos) << cut.err;
  EXPECT_EQ(cut.err.find("tampered"), std::string::npos) << cut.err;
  EXPECT_EQ(cut.out.find("DATABASE_URL="), std::string::npos) << cut.out;
  ASSERT_TRUE(status.ok());
  EXPECT_EQ(*status, 6) << sync.stderr_text();
  EXPECT_NE(sync.stderr_text().find("public.big id=4321"), std::string::npos) << sync.stderr_text();
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
