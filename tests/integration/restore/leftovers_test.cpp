// Issue 16, "nothing left behind", for restore: an archive cut after its
// TOC is refused before the target is touched; a file that is no dump (a
// binary, /etc/services) is refused instead of being fed to psql; a plain
// SQL script stops at its first error, or rolls back with
// --single-transaction; the scratch directory of a killed restore goes
// with the next restore.
#include <nlohmann/json.hpp>

#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "archive/archive_toc.h"
#include "core/subprocess.h"
#include "restore_rig.h"

namespace pgshuttle::restore::testing {
namespace {

namespace fs = std::filesystem;
using rig::ScratchDatabase;
using rig::Server;

int large_object_count(const std::string& url) {
  return std::stoi(rig::psql(url, "SELECT count(*) FROM pg_largeobject_metadata"));
}

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

class RestoreLeftovers : public ::testing::Test {
 protected:
  void SetUp() override {
    rig::psql(source_.admin_url(),
              "CREATE TABLE t AS SELECT g AS id, md5(g::text) AS v FROM generate_series(1, 1000) "
              "g; ALTER TABLE t ADD PRIMARY KEY (id); SELECT lo_from_bytea(0, 'large object')");
  }
  void expect_untouched() {
    EXPECT_EQ(user_object_count(target_.url()), 0);
    EXPECT_EQ(large_object_count(target_.admin_url()), 0);
  }

  ScratchDatabase source_{Server::kSource, "rl_src"};
  ScratchDatabase target_{Server::kTarget, "rl_t"};
};

// Before: the schema and the large object were created, then exit 7.
TEST_F(RestoreLeftovers, ArchiveCutRightAfterItsTocTouchesNothing) {
  std::string archive = dump(source_.admin_url(), "-Fc");
  std::string whole = rig::read_file(archive);
  auto toc = archive::parse_toc(whole);
  ASSERT_TRUE(toc.ok()) << toc.error().to_string();
  ASSERT_TRUE(toc->data_offsets_present());
  std::string cut = temp_path("cut-after-toc.dump");
  write_file(cut, whole.substr(0, toc->toc_end));
  for (const std::string& from : {cut, upload(cut, "cut.dump")}) {
    auto r = restore(from, target_.url());
    EXPECT_EQ(r.exit_code, 7) << from << "\n" << r.err;
    EXPECT_NE(r.err.find("nothing was restored"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("the archive ends at byte " + std::to_string(toc->toc_end)),
              std::string::npos)
        << r.err;
    expect_untouched();
  }
  // Cut inside its last data block: the end marker is missing.
  write_file(cut, whole.substr(0, whole.size() - 7));
  auto r = restore(cut, target_.url());
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("ends inside a data block"), std::string::npos) << r.err;
  expect_untouched();
}

// Issue 16 item 11. Before: a damaged chunk length in the large objects'
// block, the archive's last, was reported as "archive ends at byte N inside
// a data block", as if the archive were cut short.
TEST_F(RestoreLeftovers, ADamagedLargeObjectBlockIsNotReportedAsACutArchive) {
  std::string whole = rig::read_file(dump(source_.admin_url(), "-Fc"));
  auto toc = archive::parse_toc(whole);
  ASSERT_TRUE(toc.ok()) << toc.error().to_string();
  const archive::TocEntry* blobs = nullptr;
  for (const auto& e : toc->entries) {
    if (e.desc == "BLOBS") blobs = &e;
  }
  ASSERT_NE(blobs, nullptr);
  // Type byte, dump id, first oid (a sign byte and int_size bytes each),
  // then the first chunk's length, made 1 MB: far past the archive's end.
  const size_t width = static_cast<size_t>(toc->header.int_size) + 1;
  const size_t length_at = blobs->data_offset + 1 + 2 * width;
  std::string damaged = whole;
  damaged.replace(length_at, 5, std::string("\0\0\0\x10\0", 5));
  std::string path = temp_path("damaged-lo.dump");
  write_file(path, damaged);
  auto r = restore(path, target_.url());
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("the data block is damaged"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("archive ends"), std::string::npos) << r.err;
}

// Before: both were "detected" as plain SQL and fed to psql (exit 4).
TEST_F(RestoreLeftovers, AFileThatIsNoDumpIsRefusedBeforePsqlRuns) {
  std::string services = temp_path("services.dump");
  fs::copy_file("/etc/services", services);
  std::string binary = temp_path("random.dump");
  std::string bytes;
  uint32_t x = 2463534242u;
  for (int i = 0; i < 65536; ++i) {
    x ^= x << 13, x ^= x >> 17, x ^= x << 5;  // xorshift: reproducible noise
    bytes += static_cast<char>(x & 0xff);
  }
  write_file(binary, bytes);
  for (const std::string& from : {services, binary}) {
    auto r = restore(from, target_.url());
    EXPECT_EQ(r.exit_code, 7) << from << "\n" << r.err;
    EXPECT_NE(r.err.find("neither a pg_dump archive"), std::string::npos) << r.err;
    expect_untouched();
  }
}

TEST_F(RestoreLeftovers, AGzippedFileThatIsNoSqlIsRefused) {
  std::string gzipped = temp_path("services.sql.gz");
  auto gz = rig::run_program({"sh", "-c", "gzip -c /etc/services > \"$0\"", gzipped});
  ASSERT_EQ(gz.exit_code, 0) << gz.err;
  auto r = restore(gzipped, target_.url());
  EXPECT_EQ(r.exit_code, 7) << r.err;
  EXPECT_NE(r.err.find("neither a pg_dump archive"), std::string::npos) << r.err;
  expect_untouched();
}

bool has_table(const std::string& url, const std::string& name) {
  return rig::psql(url, "SELECT to_regclass('public." + name + "') IS NOT NULL") == "t";
}

// Before: psql ran with ON_ERROR_STOP=0, so b was created after the error.
TEST_F(RestoreLeftovers, PlainSqlStopsAtTheFirstErrorOrRollsBackAsOneTransaction) {
  std::string script = temp_path("script.sql");
  write_file(script,
             "CREATE TABLE a (i int);\nINSERT INTO a VALUES (1);\n"
             "SELECT no_such_function();\nCREATE TABLE b (i int);\n");
  auto r = restore(script, target_.url());
  EXPECT_EQ(r.exit_code, 4) << r.err;
  EXPECT_NE(r.err.find("no_such_function"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("psql stopped at this error"), std::string::npos) << r.err;
  EXPECT_TRUE(has_table(target_.url(), "a"));
  EXPECT_FALSE(has_table(target_.url(), "b")) << "statements after the error ran";

  ScratchDatabase single(Server::kTarget, "rl_single");
  auto s = restore(script, single.url(), {"--single-transaction"});
  EXPECT_EQ(s.exit_code, 4) << s.err;
  EXPECT_NE(s.err.find("rolled back"), std::string::npos) << s.err;
  EXPECT_EQ(user_object_count(single.url()), 0);

  ScratchDatabase all(Server::kTarget, "rl_all");
  auto c = restore(script, all.url(), {"--continue-on-error"});
  EXPECT_EQ(c.exit_code, 4) << c.err;
  EXPECT_TRUE(has_table(all.url(), "b"));

  // An archive is not a script: the flag is refused rather than ignored.
  std::string archive = dump(source_.admin_url(), "-Fc");
  auto refused = restore(archive, single.url(), {"--single-transaction"});
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
}

std::vector<std::string> scratch_dirs(const std::string& tmp) {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(tmp)) {
    std::string name = e.path().filename().string();
    if (name.rfind("pgshuttle-", 0) == 0) out.push_back(name);
  }
  return out;
}

// kill -9 runs no destructor: before, the scratch directory stayed forever.
TEST(RestoreKilled, ItsScratchDirectoryGoesWithTheNextRestoreAndNoPassfileIsLeft) {
  ScratchDatabase source(Server::kSource, "rl_kill");
  rig::load_fixture(source.admin_url(), 2);
  std::string archive = dump(source.admin_url(), "-Fc");
  std::string tmp = temp_path("tmpdir");
  fs::create_directories(tmp);
  ScratchDatabase target(Server::kTarget, "rl_kill_t");
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(), "restore", archive, "--target", target.url(), "--jobs", "2"};
  for (const auto& [k, v] : tool_env()) o.env[k] = v;
  o.env["TMPDIR"] = tmp;
  o.env["PGSHUTTLE_FAULTS"] = "sleep=40@restore:chunk";
  auto child = Subprocess::spawn(o);
  ASSERT_TRUE(child.ok());
  bool copying = false;
  for (int i = 0; i < 300 && !copying; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    copying = std::stoi(rig::psql(target.admin_url(),
                                  "SELECT count(*) FROM pg_stat_activity WHERE datname = "
                                  "current_database() AND query ILIKE 'COPY%'")) > 0;
  }
  ASSERT_TRUE(copying) << "the restore never loaded data";
  child->kill(SIGKILL);
  (void)child->wait();
  auto left = scratch_dirs(tmp);
  ASSERT_EQ(left.size(), 1u) << "kill -9 leaves the scratch directory";
  for (const auto& e : fs::recursive_directory_iterator(tmp)) {
    EXPECT_NE(e.path().filename(), "pgpass") << "a password file is left: " << e.path();
  }

  ScratchDatabase again(Server::kTarget, "rl_kill_t2");
  auto env = std::map<std::string, std::string>{{"TMPDIR", tmp}};
  auto r = restore(archive, again.url(), {"--jobs", "2"}, env);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(scratch_dirs(tmp).empty()) << "the killed restore's scratch directory is left";
}

}  // namespace
}  // namespace pgshuttle::restore::testing
