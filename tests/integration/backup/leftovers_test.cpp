// Issue 16, "nothing left behind", for backup: Ctrl-C aborts the multipart
// upload; after kill -9 the upload is recorded, named by `transfers` and
// `info`, and aborted by the next backup to S3 or by `storage uploads
// --abort-stale`; no password file is ever on disk; the next backup into a
// directory removes the temp file a killed one left there.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <nlohmann/json.hpp>
#include <thread>

#include "core/subprocess.h"
#include "rig/rig.h"

namespace pgshuttle {
namespace {

namespace fs = std::filesystem;

// About 4 s of pg_dump at --compress 0: long enough to interrupt mid-upload.
constexpr const char* kBigTable =
    "CREATE TABLE big AS SELECT g, md5(g::text) || md5((g * 7)::text) AS t "
    "FROM generate_series(1, 4000000) g";

class BackupLeftovers : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string base = ::testing::TempDir() + "/" + rig::unique_name("bleft");
    state_dir_ = base + "/state";
    tmp_dir_ = base + "/tmp";
    fs::create_directories(tmp_dir_);
    env_ = {{"PGSHUTTLE_STATE_DIR", state_dir_}, {"TMPDIR", tmp_dir_}};
    for (const char* k :
         {"S3_ENDPOINT", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_DEFAULT_REGION"}) {
      env_[k] = rig::env(k);
    }
    env_["AWS_REGION"] = rig::env("AWS_DEFAULT_REGION");
    rig::psql(source_.admin_url(), kBigTable);
  }
  rig::CommandResult pgs(std::vector<std::string> args) { return rig::run_pgshuttle(args, env_); }
  std::string make_bucket() {
    std::string bucket = rig::unique_name("bl");
    std::replace(bucket.begin(), bucket.end(), '_', '-');
    auto r = pgs({"storage", "mb", "s3://" + bucket, "--endpoint", rig::env("S3_ENDPOINT")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return bucket;
  }
  nlohmann::json uploads(const std::string& bucket) {
    auto r = pgs(
        {"--json", "storage", "uploads", "s3://" + bucket, "--endpoint", rig::env("S3_ENDPOINT")});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.out.empty() ? "[]" : r.out);
  }
  std::vector<std::string> backup_args(const std::string& url, const std::string& to) {
    return {rig::pgshuttle_bin(),   "backup", url,     "--to", to,
            "--compress",           "0",      "--sse", "none", "--endpoint",
            rig::env("S3_ENDPOINT")};
  }
  // Starts a backup of the big table to `to`, waits until `ready` holds
  // (up to 30 s) and sends `signal` to the pgshuttle process.
  Subprocess interrupt_backup(const std::string& to, const std::function<bool()>& ready,
                              int signal) {
    SubprocessOptions o;
    o.argv = backup_args(source_.url(), to);
    for (const auto& [k, v] : env_) o.env[k] = v;
    auto child = Subprocess::spawn(o);
    EXPECT_TRUE(child.ok());
    bool is_ready = false;
    for (int i = 0; i < 300 && !is_ready; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      is_ready = ready();
    }
    EXPECT_TRUE(is_ready) << "the backup never reached the point to interrupt";
    child->kill(signal);
    auto rc = child->wait();
    EXPECT_TRUE(rc.ok());
    return std::move(*child);
  }
  // Paths under TMPDIR named `name`, at any depth.
  std::vector<std::string> under_tmp(const std::string& name) {
    std::vector<std::string> found;
    for (const auto& e : fs::recursive_directory_iterator(tmp_dir_)) {
      if (e.path().filename() == name) found.push_back(e.path().string());
    }
    return found;
  }

  rig::ScratchDatabase source_{rig::Server::kSource, "bleft"};
  std::string state_dir_, tmp_dir_;
  std::map<std::string, std::string> env_;
};

// Before: "could not abort the multipart upload ... (transfer cancelled)".
TEST_F(BackupLeftovers, CtrlCAbortsTheMultipartUpload) {
  std::string bucket = make_bucket();
  auto child = interrupt_backup(
      "s3://" + bucket + "/ctrl-c.dump", [&] { return uploads(bucket).size() == 1; }, SIGINT);
  auto rc = child.wait();
  ASSERT_TRUE(rc.ok());
  EXPECT_EQ(*rc, static_cast<int>(ErrorCode::kCancelled)) << child.stderr_text();
  EXPECT_EQ(child.stderr_text().find("could not abort"), std::string::npos) << child.stderr_text();
  EXPECT_EQ(uploads(bucket).size(), 0u);
  auto info = nlohmann::json::parse(pgs({"--json", "info", "b001"}).out);
  EXPECT_EQ(info["status"], "Cancelled");
  EXPECT_TRUE(info["pending_uploads"].empty()) << info.dump();
}

TEST_F(BackupLeftovers, KilledBackupsUploadIsNamedAndAbortedLater) {
  std::string bucket = make_bucket();
  // The backup's own upload, recorded: not the probe's (an upload started
  // and aborted at once before pg_dump runs), which a poll may also catch.
  auto recorded = [&](const std::string& id) {
    return [&, id] {
      auto j = nlohmann::json::parse(pgs({"--json", "info", id}).out, nullptr, false);
      if (j.is_discarded() || !j.contains("pending_uploads")) return false;
      for (const auto& u : j["pending_uploads"]) {  // not the intent recorded before it
        if (u.get<std::string>().find("(upload ") != std::string::npos) return true;
      }
      return false;
    };
  };
  interrupt_backup("s3://" + bucket + "/killed.dump", recorded("b001"), SIGKILL);
  ASSERT_EQ(uploads(bucket).size(), 1u) << "kill -9 leaves the upload (nothing can abort it)";

  // transfers and info say what was left and how it goes away.
  auto list = pgs({"transfers"});
  EXPECT_NE(
      list.out.find("b001 left an incomplete multipart upload: s3://" + bucket + "/killed.dump"),
      std::string::npos)
      << list.out;
  EXPECT_NE(list.out.find("--abort-stale"), std::string::npos) << list.out;
  auto info = pgs({"info", "b001"});
  EXPECT_NE(info.out.find("upload:"), std::string::npos) << info.out;
  auto listed =
      pgs({"storage", "uploads", "s3://" + bucket, "--endpoint", rig::env("S3_ENDPOINT")});
  EXPECT_NE(listed.out.find("left by b001"), std::string::npos) << listed.out;

  // storage uploads --abort-stale aborts it.
  auto abort = pgs({"storage", "uploads", "s3://" + bucket, "--abort-stale", "--endpoint",
                    rig::env("S3_ENDPOINT")});
  EXPECT_EQ(abort.exit_code, 0) << abort.err;
  EXPECT_EQ(uploads(bucket).size(), 0u);
  EXPECT_TRUE(
      nlohmann::json::parse(pgs({"--json", "info", "b001"}).out)["pending_uploads"].empty());

  // The next backup to S3 aborts what a killed one left.
  interrupt_backup("s3://" + bucket + "/killed-again.dump", recorded("b002"), SIGKILL);
  ASSERT_EQ(uploads(bucket).size(), 1u);
  rig::ScratchDatabase small(rig::Server::kSource, "bleft_small");
  rig::psql(small.admin_url(), "CREATE TABLE t AS SELECT 1 AS i");
  std::vector<std::string> args = backup_args(small.url(), "s3://" + bucket + "/next.dump");
  args.erase(args.begin());
  auto next = pgs(args);
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(uploads(bucket).size(), 0u);
  EXPECT_NE(pgs({"logs", "b003"})
                .out.find("aborted the incomplete multipart upload of s3://" + bucket +
                          "/killed-again.dump that b002 left"),
            std::string::npos);
}

// Before: a kill between S3 creating an upload and its id being recorded
// (here the write probe's) left an upload that nothing named or aborted.
TEST_F(BackupLeftovers, UploadKilledBeforeItsIdWasRecordedIsAbortedByTheNextBackup) {
  std::string bucket = make_bucket();
  auto env = env_;
  env["PGSHUTTLE_FAULTS"] = "kill@s3:probe-created";
  std::vector<std::string> args = backup_args(source_.url(), "s3://" + bucket + "/probe.dump");
  args.erase(args.begin());
  auto killed = rig::run_pgshuttle(args, env);
  ASSERT_EQ(killed.exit_code, 128 + 9) << killed.err;
  ASSERT_EQ(uploads(bucket).size(), 1u);
  EXPECT_EQ(uploads(bucket)[0]["left_by"], "b001");

  rig::ScratchDatabase small(rig::Server::kSource, "bleft_small");
  rig::psql(small.admin_url(), "CREATE TABLE t AS SELECT 1 AS i");
  std::vector<std::string> next_args = backup_args(small.url(), "s3://" + bucket + "/next.dump");
  next_args.erase(next_args.begin());
  auto next = pgs(next_args);
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_EQ(uploads(bucket).size(), 0u);
  EXPECT_TRUE(
      nlohmann::json::parse(pgs({"--json", "info", "b001"}).out)["pending_uploads"].empty());
  EXPECT_TRUE(
      nlohmann::json::parse(pgs({"--json", "info", "b002"}).out)["pending_uploads"].empty());
}

// A password file would outlive kill -9; the temp file next to the
// destination does, until the next backup into that directory.
TEST_F(BackupLeftovers, KilledBackupToAFileLeavesNoPassfileAndItsTempFileGoesNextRun) {
  std::string dir = tmp_dir_ + "/../dest";
  fs::create_directories(dir);
  auto temp_files = [&] {
    std::vector<std::string> found;
    for (const auto& e : fs::directory_iterator(dir)) {
      std::string name = e.path().filename().string();
      if (name.rfind(".x.dump.pgshuttle-", 0) == 0) found.push_back(name);
    }
    return found;
  };
  interrupt_backup(
      dir + "/x.dump",
      [&] {
        auto t = temp_files();
        return !t.empty() && fs::file_size(dir + "/" + t[0]) > (8u << 20);
      },
      SIGKILL);
  EXPECT_TRUE(under_tmp("pgpass").empty()) << "item 7: a password file is left in TMPDIR";
  EXPECT_TRUE(fs::is_empty(tmp_dir_)) << "nothing of the killed backup stays in TMPDIR";
  ASSERT_EQ(temp_files().size(), 1u) << "kill -9 leaves the temp file";

  rig::ScratchDatabase small(rig::Server::kSource, "bleft_small");
  rig::psql(small.admin_url(), "CREATE TABLE t AS SELECT 1 AS i");
  auto next = pgs({"backup", small.url(), "--to", dir + "/y.dump"});
  EXPECT_EQ(next.exit_code, 0) << next.err;
  EXPECT_TRUE(temp_files().empty()) << "item 8: the killed backup's temp file is still there";
  EXPECT_TRUE(fs::exists(dir + "/y.dump"));
}

}  // namespace
}  // namespace pgshuttle
