// pgshuttle backup against the rig: file and S3 destinations for the
// fixture, Chinook and Northwind; the stored archive lists like pg_restore -l,
// restores with pg_restore -j 2 into an empty database with the same rows;
// every compression level lists identically; cancel leaves nothing behind.
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "archive/archive_toc.h"
#include "core/subprocess.h"
#include "rig/rig.h"
#include "storage/crypto.h"
#include "storage/storage.h"

namespace pgshuttle {
namespace {

using rig::run_pgshuttle;

class BackupTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state_dir_ = ::testing::TempDir() + "/" + rig::unique_name("bstate");
    env_ = {{"PGSHUTTLE_STATE_DIR", state_dir_}};
    for (const char* k :
         {"S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}) {
      env_[k] = rig::env(k);
    }
    env_["AWS_REGION"] = rig::env("AWS_DEFAULT_REGION");
  }
  rig::CommandResult pgs(std::vector<std::string> args) { return run_pgshuttle(args, env_); }
  std::vector<std::string> s3_flags() { return {"--endpoint", rig::env("S3_ENDPOINT")}; }
  std::string make_bucket() {
    std::string bucket = rig::unique_name("bk");
    std::replace(bucket.begin(), bucket.end(), '_', '-');
    auto r = pgs({"storage", "mb", "s3://" + bucket, "--endpoint", rig::env("S3_ENDPOINT")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return bucket;
  }
  // Downloads `object` with the AWS CLI (not pgshuttle) and returns sha256sum's digest.
  std::string aws_download_sha256(const std::string& object, const std::string& path) {
    auto r = rig::run_program({"/usr/bin/aws", "--endpoint-url", rig::env("S3_ENDPOINT"), "s3",
                               "cp", "--only-show-errors", object, path},
                              env_);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    auto sum = rig::run_program({"sha256sum", path});
    EXPECT_EQ(sum.exit_code, 0) << sum.err;
    return sum.out.substr(0, sum.out.find(' '));
  }
  // `pgshuttle cancel b001` from another process: the backup exits Cancelled
  // and `bucket` holds no object.
  void cancel_and_expect_nothing_left(Subprocess& child, const std::string& bucket) {
    auto c = pgs({"cancel", "b001"});
    EXPECT_EQ(c.exit_code, 0) << c.err;
    auto rc = child.wait();
    ASSERT_TRUE(rc.ok());
    EXPECT_EQ(*rc, static_cast<int>(ErrorCode::kCancelled)) << child.stderr_text();
    auto info = pgs({"--json", "info", "b001"});
    EXPECT_EQ(nlohmann::json::parse(info.out)["status"], "Cancelled");
    auto ls = pgs(
        {"--json", "storage", "ls", "s3://" + bucket + "/", "--endpoint", rig::env("S3_ENDPOINT")});
    EXPECT_EQ(nlohmann::json::parse(ls.out).size(), 0u) << ls.out;
  }
  std::string state_dir_;
  std::map<std::string, std::string> env_;
};

std::string pg_restore_list(const std::string& path) {
  return rig::run_program({"pg_restore", "-l", path}).out;
}

// Every user table with its row count, for comparing source and restore.
std::string row_counts(const std::string& url) {
  return rig::psql(url,
                   "SELECT string_agg(format('%s.%s=%s', table_schema, table_name, "
                   "(xpath('/row/c/text()', query_to_xml(format('SELECT count(*) AS c FROM "
                   "%I.%I', table_schema, table_name), false, true, '')))[1]::text), ',' ORDER "
                   "BY table_schema, table_name) FROM information_schema.tables WHERE "
                   "table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', "
                   "'information_schema')");
}

void expect_reader_matches_pg_restore(const std::string& path) {
  auto toc = archive::parse_toc(rig::read_file(path));
  ASSERT_TRUE(toc.ok()) << toc.error().to_string();
  EXPECT_TRUE(toc->data_offsets_present());
  std::string theirs = rig::toc_entry_lines(pg_restore_list(path));
  EXPECT_FALSE(theirs.empty());
  EXPECT_EQ(rig::toc_entry_lines(archive::list_toc(*toc)), theirs);
}

void expect_parallel_restore_matches(const std::string& path, const std::string& source_url) {
  rig::ScratchDatabase target(rig::Server::kTarget, "brestore");
  auto r = rig::run_program(
      {"pg_restore", "-j", "2", "--no-owner", "--no-acl", "-d", target.admin_url(), path});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(row_counts(target.admin_url()), row_counts(source_url));
}

enum class Data { kFixture, kChinook, kNorthwind };

void load(Data d, const std::string& url) {
  if (d == Data::kFixture) {
    rig::load_fixture(url);
  } else {
    rig::load_sample(url, d == Data::kChinook ? "chinook" : "northwind");
  }
}

class BackupOf : public BackupTest, public ::testing::WithParamInterface<Data> {};

TEST_P(BackupOf, FileAndS3ListAndRestoreLikePgDumpsOwn) {
  rig::ScratchDatabase source(rig::Server::kSource, "bsrc");
  load(GetParam(), source.admin_url());
  std::string file = ::testing::TempDir() + "/" + rig::unique_name("b") + ".dump";
  auto r = pgs({"--json", "backup", source.url(), "--to", file});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["bytes"].get<uint64_t>(), std::filesystem::file_size(file));
  EXPECT_EQ(j["sha256"].get<std::string>(), storage::sha256_hex(rig::read_file(file)));
  EXPECT_TRUE(j["data_offsets"].get<bool>());
  expect_reader_matches_pg_restore(file);

  std::string bucket = make_bucket();
  std::string object = "s3://" + bucket + "/backups/db.dump";
  auto flags = s3_flags();
  std::vector<std::string> args{"--json", "backup", source.url(), "--to", object, "--sse", "none"};
  args.insert(args.end(), flags.begin(), flags.end());
  r = pgs(args);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto s3 = nlohmann::json::parse(r.out);
  std::string downloaded = file + ".s3";
  EXPECT_EQ(s3["sha256"].get<std::string>(), aws_download_sha256(object, downloaded));
  EXPECT_EQ(s3["bytes"].get<uint64_t>(), std::filesystem::file_size(downloaded));
  expect_reader_matches_pg_restore(downloaded);
  expect_parallel_restore_matches(downloaded, source.admin_url());

  r = pgs({"--json", "transfers"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto list = nlohmann::json::parse(r.out);
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0]["id"], "b002");
  EXPECT_EQ(list[0]["status"], "Completed");
  EXPECT_EQ(list[1]["sha256"].get<std::string>().size(), 64u);
  EXPECT_EQ(list[0]["source"].get<std::string>().find("srcpass"), std::string::npos);
}

INSTANTIATE_TEST_SUITE_P(Rig, BackupOf,
                         ::testing::Values(Data::kFixture, Data::kChinook, Data::kNorthwind));

// An archive of several multipart parts, so the patched first part is
// uploaded last: the recorded SHA-256 and size are those of the object the
// AWS CLI downloads, whatever --jobs; info shows them; --no-checksum skips it.
TEST_F(BackupTest, S3Sha256IsThatOfTheStoredObject) {
  rig::ScratchDatabase source(rig::Server::kSource, "bsum");
  rig::load_fixture(source.admin_url());
  rig::psql(source.admin_url(),
            "CREATE TABLE bulk AS SELECT g, md5(g::text) || md5((g * 3)::text) AS t "
            "FROM generate_series(1, 400000) g");
  std::string bucket = make_bucket();
  std::string dir = ::testing::TempDir() + "/" + rig::unique_name("bsum");
  std::filesystem::create_directories(dir);
  for (std::string jobs : {"1", "3"}) {
    std::string object = "s3://" + bucket + "/j" + jobs + ".dump";
    auto r = pgs({"--json", "backup", source.url(), "--to", object, "--compress", "0", "--jobs",
                  jobs, "--sse", "none", "--endpoint", rig::env("S3_ENDPOINT")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    std::string path = dir + "/j" + jobs + ".dump";
    std::string theirs = aws_download_sha256(object, path);
    EXPECT_GT(std::filesystem::file_size(path), 20u << 20);  // three parts of 8 MiB at least
    EXPECT_EQ(j["sha256"].get<std::string>(), theirs);
    EXPECT_EQ(j["bytes"].get<uint64_t>(), std::filesystem::file_size(path));
    expect_reader_matches_pg_restore(path);
    auto info = pgs({"--json", "info", j["id"].get<std::string>()});
    ASSERT_EQ(info.exit_code, 0) << info.err;
    auto t = nlohmann::json::parse(info.out);
    EXPECT_EQ(t["sha256"].get<std::string>(), theirs);
    EXPECT_EQ(t["bytes"].get<uint64_t>(), std::filesystem::file_size(path));
    auto text = pgs({"info", j["id"].get<std::string>()});
    EXPECT_NE(text.out.find(theirs), std::string::npos) << text.out;
  }
  auto r = pgs({"--json", "backup", source.url(), "--to", "s3://" + bucket + "/quick.dump",
                "--no-checksum", "--sse", "none", "--endpoint", rig::env("S3_ENDPOINT")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(nlohmann::json::parse(r.out)["sha256"], "");
}

// A backup never replaces an existing file or S3 object without --force,
// and a backup id whose archive was replaced or altered afterwards is
// refused by restore before the target is touched (exit 15).
TEST_F(BackupTest, NeverOverwritesAndRestoreChecksTheRecord) {
  rig::ScratchDatabase first(rig::Server::kSource, "bover_a");
  rig::ScratchDatabase second(rig::Server::kSource, "bover_b");
  rig::ScratchDatabase target(rig::Server::kTarget, "bover_t");
  rig::load_fixture(first.admin_url(), 1);
  rig::load_sample(second.admin_url(), "chinook");
  std::string dir = ::testing::TempDir() + "/" + rig::unique_name("bover");
  std::filesystem::create_directories(dir);
  std::string file = dir + "/db.dump";
  auto r = pgs({"backup", first.url(), "--to", file});  // b001
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string original = storage::sha256_hex(rig::read_file(file));

  r = pgs({"backup", second.url(), "--to", file});  // b002: refused
  EXPECT_EQ(r.exit_code, 14) << r.err;
  EXPECT_NE(r.err.find("already exists"), std::string::npos) << r.err;
  EXPECT_EQ(storage::sha256_hex(rig::read_file(file)), original);

  std::string bucket = make_bucket();
  std::string object = "s3://" + bucket + "/db.dump";
  std::vector<std::string> s3{"--sse", "none", "--endpoint", rig::env("S3_ENDPOINT")};
  auto with_s3 = [&s3](std::vector<std::string> a) {
    a.insert(a.end(), s3.begin(), s3.end());
    return a;
  };
  r = pgs(with_s3({"--json", "backup", first.url(), "--to", object}));  // b003
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::string stored = nlohmann::json::parse(r.out)["sha256"];
  r = pgs(with_s3({"backup", second.url(), "--to", object}));  // b004: refused
  EXPECT_EQ(r.exit_code, 14) << r.err;
  EXPECT_EQ(aws_download_sha256(object, dir + "/s3.dump"), stored);

  // --force replaces (b005); b001 now names bytes it did not write.
  r = pgs({"backup", second.url(), "--to", file, "--force"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = pgs({"restore", "b001", "--target", target.url()});
  EXPECT_EQ(r.exit_code, 15) << r.out << r.err;
  EXPECT_NE(r.err.find("is not the archive backup b001 wrote"), std::string::npos) << r.err;
  EXPECT_EQ(
      rig::psql(target.admin_url(), "SELECT count(*) FROM pg_class WHERE relnamespace > 16384"),
      "0");

  // Same size, one byte changed: only the SHA-256 tells, still before the target.
  std::string bytes = rig::read_file(file);
  bytes[bytes.size() / 2] ^= 0x5a;
  std::ofstream(file, std::ios::binary | std::ios::trunc) << bytes;
  r = pgs({"restore", file, "--target", target.url()});  // found by path: b005's record
  EXPECT_EQ(r.exit_code, 15) << r.out << r.err;
  EXPECT_NE(r.err.find("SHA-256"), std::string::npos) << r.err;
  EXPECT_EQ(
      rig::psql(target.admin_url(), "SELECT count(*) FROM pg_class WHERE relnamespace > 16384"),
      "0");

  // The S3 archive is unchanged: its id restores.
  r = pgs({"restore", "b003", "--target", target.url(), "--endpoint", rig::env("S3_ENDPOINT")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
}

// A backup without its SHA-256 read-back (--no-checksum, like migrate's own
// backups) records the stored object's ETag: a restore by id tells an object
// replaced by another of the same size, before the target is touched.
TEST_F(BackupTest, WithoutSha256TheETagTellsAReplacedObject) {
  rig::ScratchDatabase src(rig::Server::kSource, "betag_s");
  rig::ScratchDatabase target(rig::Server::kTarget, "betag_t");
  rig::load_sample(src.admin_url(), "chinook");
  std::string dir = ::testing::TempDir() + "/" + rig::unique_name("betag");
  std::filesystem::create_directories(dir);
  std::string object = "s3://" + make_bucket() + "/db.dump";
  auto r = pgs({"--json", "backup", src.url(), "--to", object, "--no-checksum", "--sse", "none",
                "--endpoint", rig::env("S3_ENDPOINT")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["sha256"], "") << r.out;
  std::string etag = j["etag"];
  EXPECT_FALSE(etag.empty()) << r.out;
  auto info = pgs({"--json", "info", "b001"});
  EXPECT_EQ(nlohmann::json::parse(info.out)["etag"], etag) << info.out;

  // The same bytes but one, put back by the AWS CLI: same size, new object.
  std::string path = dir + "/db.dump";
  aws_download_sha256(object, path);
  std::string bytes = rig::read_file(path);
  bytes[bytes.size() / 2] ^= 0x5a;
  std::ofstream(path, std::ios::binary | std::ios::trunc) << bytes;
  auto put = rig::run_program({"/usr/bin/aws", "--endpoint-url", rig::env("S3_ENDPOINT"), "s3",
                               "cp", "--only-show-errors", path, object},
                              env_);
  ASSERT_EQ(put.exit_code, 0) << put.err;
  r = pgs({"restore", "b001", "--target", target.url(), "--endpoint", rig::env("S3_ENDPOINT")});
  EXPECT_EQ(r.exit_code, 15) << r.out << r.err;
  EXPECT_NE(r.err.find("its ETag is"), std::string::npos) << r.err;
  EXPECT_EQ(
      rig::psql(target.admin_url(), "SELECT count(*) FROM pg_class WHERE relnamespace > 16384"),
      "0");
}

// stdout cannot be patched, so its bytes are hashed as they pass.
TEST_F(BackupTest, StdoutSha256IsThatOfTheBytesWritten) {
  rig::ScratchDatabase source(rig::Server::kSource, "bout");
  rig::load_sample(source.admin_url(), "chinook");
  auto r = pgs({"backup", source.url(), "--to", "-"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  ASSERT_GT(r.out.size(), 1000u);
  auto info = pgs({"--json", "info", "b001"});
  ASSERT_EQ(info.exit_code, 0) << info.err;
  auto t = nlohmann::json::parse(info.out);
  EXPECT_EQ(t["sha256"].get<std::string>(), storage::sha256_hex(r.out));
  EXPECT_EQ(t["bytes"].get<uint64_t>(), r.out.size());
}

TEST_F(BackupTest, EveryCompressionLevelListsLikePgRestore) {
  rig::ScratchDatabase source(rig::Server::kSource, "bz");
  rig::load_sample(source.admin_url(), "northwind");
  for (int level = 0; level <= 9; ++level) {
    std::string file = ::testing::TempDir() + "/" + rig::unique_name("z") + ".dump";
    auto r = pgs({"backup", source.url(), "--to", file, "--compress", std::to_string(level)});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    expect_reader_matches_pg_restore(file);
  }
}

TEST_F(BackupTest, PgDumpErrorIsShownAndRecorded) {
  rig::ScratchDatabase source(rig::Server::kSource, "berr");
  auto r = pgs({"backup", source.url(), "--to", ::testing::TempDir() + "/never.dump", "--table",
                "no_such_table_xyz"});
  EXPECT_EQ(r.exit_code, static_cast<int>(ErrorCode::kSource)) << r.err;
  EXPECT_NE(r.err.find("no matching tables were found"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(::testing::TempDir() + "/never.dump"));
  auto info = pgs({"--json", "info", "b001"});
  EXPECT_EQ(nlohmann::json::parse(info.out)["status"], "Failed");
}

// What the destination cannot take is found before pg_dump starts: a
// missing bucket, a wrong secret, an encryption the server does not offer
// (the rig's Swift has none, and AES256 is the default). pg_dump is a
// wrapper here that notes every real dump it is asked for.
TEST_F(BackupTest, DestinationProblemsAreFoundBeforePgDumpStarts) {
  rig::ScratchDatabase source(rig::Server::kSource, "bprobe");
  std::string dir = ::testing::TempDir() + "/" + rig::unique_name("bprobe");
  std::filesystem::create_directories(dir);
  std::string marker = dir + "/dumped", wrapper = dir + "/pg_dump";
  std::ofstream(wrapper) << "#!/bin/sh\ncase \"$1\" in --version) ;; *) touch " << marker
                         << " ;; esac\nexec pg_dump \"$@\"\n";
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  std::string bucket = make_bucket();
  std::vector<std::string> base{"backup", source.url(), "--pg-dump",
                                wrapper,  "--endpoint", rig::env("S3_ENDPOINT")};
  auto run = [&](std::vector<std::string> extra, std::map<std::string, std::string> env) {
    auto args = base;
    args.insert(args.end(), extra.begin(), extra.end());
    auto e = env_;
    for (auto& [k, v] : env) e[k] = v;
    return run_pgshuttle(args, e);
  };
  auto r = run({"--to", "s3://" + bucket + "/a.dump"}, {});  // --sse AES256 by default
  EXPECT_NE(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("--sse none"), std::string::npos) << r.err;
  r = run({"--to", "s3://no-such-bucket-" + bucket + "/a.dump", "--sse", "none"}, {});
  EXPECT_EQ(r.exit_code, static_cast<int>(ErrorCode::kS3NoSuchBucket)) << r.err;
  r = run({"--to", "s3://" + bucket + "/a.dump", "--sse", "none"},
          {{"AWS_SECRET_ACCESS_KEY", "wrong-secret"}});
  EXPECT_EQ(r.exit_code, static_cast<int>(ErrorCode::kS3SignatureMismatch)) << r.err;
  EXPECT_FALSE(std::filesystem::exists(marker)) << "pg_dump ran before the destination failed";
  auto uploads = pgs(
      {"--json", "storage", "uploads", "s3://" + bucket, "--endpoint", rig::env("S3_ENDPOINT")});
  ASSERT_EQ(uploads.exit_code, 0) << uploads.err;
  EXPECT_EQ(nlohmann::json::parse(uploads.out).size(), 0u) << uploads.out;
  // The same command that can write does dump.
  r = run({"--to", "s3://" + bucket + "/a.dump", "--sse", "none"}, {});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(marker));
}

TEST_F(BackupTest, OlderPgDumpThanServerIsRefusedWithTheFix) {
  rig::ScratchDatabase source(rig::Server::kSource, "bold");
  std::string fake = ::testing::TempDir() + "/" + rig::unique_name("pg_dump12");
  std::ofstream(fake) << "#!/bin/sh\necho 'pg_dump (PostgreSQL) 12.17'\n";
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  std::string out = ::testing::TempDir() + "/old.dump";
  auto r = pgs({"backup", source.url(), "--to", out, "--pg-dump", fake});
  EXPECT_EQ(r.exit_code, static_cast<int>(ErrorCode::kVersionMismatch)) << r.err;
  EXPECT_NE(r.err.find("postgresql-client-15"), std::string::npos) << r.err;
  EXPECT_FALSE(std::filesystem::exists(out));
}

TEST_F(BackupTest, CancelMidUploadLeavesNoObjectAndNoUpload) {
  rig::ScratchDatabase source(rig::Server::kSource, "bcancel");
  rig::psql(source.admin_url(),
            "CREATE TABLE big AS SELECT g, md5(g::text) || md5((g * 7)::text) AS t "
            "FROM generate_series(1, 4000000) g");
  std::string bucket = make_bucket();
  std::string object = "s3://" + bucket + "/cancelled.dump";
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(),   "backup", source.url(), "--to", object,
            "--compress",           "0",      "--sse",      "none", "--endpoint",
            rig::env("S3_ENDPOINT")};
  o.inherit = {"*"};
  for (const auto& [k, v] : env_) o.env[k] = v;
  auto child = Subprocess::spawn(o);
  ASSERT_TRUE(child.ok());
  bool running = false;
  for (int i = 0; i < 200 && !running; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    auto r = pgs({"--json", "info", "b001"});
    running = r.exit_code == 0 && nlohmann::json::parse(r.out)["status"] == "Running";
  }
  ASSERT_TRUE(running);
  // Some parts are uploaded by now, and the dump (about 2 s unloaded) is not done.
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  cancel_and_expect_nothing_left(*child, bucket);
  auto uploads = pgs(
      {"--json", "storage", "uploads", "s3://" + bucket, "--endpoint", rig::env("S3_ENDPOINT")});
  ASSERT_EQ(uploads.exit_code, 0) << uploads.err;
  EXPECT_EQ(nlohmann::json::parse(uploads.out).size(), 0u) << uploads.out;
}

// Cancelling while the stored object is read back for its checksum removes
// the object: a cancelled backup leaves nothing, whatever its phase.
TEST_F(BackupTest, CancelDuringChecksumRemovesTheObject) {
  rig::ScratchDatabase source(rig::Server::kSource, "bcsum");
  rig::psql(source.admin_url(),
            "CREATE TABLE big AS SELECT g, md5(g::text) || md5((g * 7)::text) AS t "
            "FROM generate_series(1, 4000000) g");
  std::string bucket = make_bucket();
  SubprocessOptions o;
  o.argv = {rig::pgshuttle_bin(),
            "backup",
            source.url(),
            "--to",
            "s3://" + bucket + "/c.dump",
            "--compress",
            "0",
            "--jobs",
            "1",
            "--sse",
            "none",
            "--endpoint",
            rig::env("S3_ENDPOINT")};
  o.inherit = {"*"};
  for (const auto& [k, v] : env_) o.env[k] = v;
  auto child = Subprocess::spawn(o);
  ASSERT_TRUE(child.ok());
  bool reading_back = false;
  for (int i = 0; i < 600 && !reading_back; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    reading_back = pgs({"logs", "b001"}).out.find("reading it back") != std::string::npos;
  }
  ASSERT_TRUE(reading_back);
  cancel_and_expect_nothing_left(*child, bucket);
}

}  // namespace
}  // namespace pgshuttle
