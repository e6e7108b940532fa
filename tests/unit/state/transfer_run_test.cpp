// The one transfer lifecycle on a real SQLite registry: what each end is
// recorded as, the log and warnings it keeps, progress written while it
// runs, and `pgshuttle cancel` (another registry setting the flag) turned
// into the process-wide cancel.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "core/cancel.h"
#include "core/log.h"
#include "state/transfer_run.h"

namespace pgshuttle::state {
namespace {

std::string fresh_dir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/run_" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

Transfer read(const std::string& dir, const std::string& id) {
  auto reg = TransferRegistry::open(dir);
  EXPECT_TRUE(reg.ok());
  auto t = reg->get(id);
  EXPECT_TRUE(t.ok()) << t.error().to_string();
  return t.ok() ? *t : Transfer{};
}

std::vector<std::string> log_lines(const std::string& dir, const std::string& id) {
  auto reg = TransferRegistry::open(dir);
  std::vector<std::string> out;
  auto lines = reg->logs(id);
  EXPECT_TRUE(lines.ok());
  for (const auto& l : *lines) out.push_back(l.level + " " + l.line);
  return out;
}

bool contains_line(const std::vector<std::string>& lines, const std::string& needle) {
  for (const auto& l : lines) {
    if (l.find(needle) != std::string::npos) return true;
  }
  return false;
}

class TransferRunTest : public ::testing::Test {
 protected:
  void SetUp() override { log::set_level(log::Level::kInfo); }
};

TEST_F(TransferRunTest, RunsAndCompletesWithItsLog) {
  std::string dir = fresh_dir("complete");
  auto run = TransferRun::begin(dir, TransferKind::kVerify, "postgresql://a/x", "postgresql://b/y");
  ASSERT_TRUE(run.ok()) << run.error().to_string();
  std::string id = (*run)->id();
  EXPECT_EQ(id, "v001");
  Transfer running = read(dir, id);
  EXPECT_EQ(running.status, TransferStatus::kRunning);
  EXPECT_EQ(running.pid.value_or(0), ::getpid());
  log::info("compared table public.t");
  (*run)->set_progress(42, 100);
  (*run)->finish(ok_status());
  Transfer done = read(dir, id);
  EXPECT_EQ(done.status, TransferStatus::kCompleted);
  EXPECT_EQ(done.bytes, 42u);
  EXPECT_TRUE(done.error.empty());
  EXPECT_TRUE(contains_line(log_lines(dir, id), "info compared table public.t"));
}

TEST_F(TransferRunTest, LoggedWarningsMakeItFinishWithWarnings) {
  std::string dir = fresh_dir("warn");
  auto run = TransferRun::begin(dir, TransferKind::kCopy, "a", "b");
  ASSERT_TRUE(run.ok());
  log::warn("table t has no primary key");
  (*run)->finish(ok_status());
  Transfer t = read(dir, "c001");
  EXPECT_EQ(t.status, TransferStatus::kWarnings);
  ASSERT_EQ(t.warnings.size(), 1u);
  EXPECT_NE(t.warnings[0].find("no primary key"), std::string::npos);
}

// Restore and verify record their own warnings: a logged retry is not one.
TEST_F(TransferRunTest, WithoutWarningsFromLogOnlyAddedWarningsCount) {
  std::string dir = fresh_dir("ownwarn");
  RunOptions options;
  options.warnings_from_log = false;
  auto run = TransferRun::begin(dir, TransferKind::kRestore, "a", "b", options);
  ASSERT_TRUE(run.ok());
  log::warn("retrying on a new session");
  (*run)->finish(ok_status());
  EXPECT_EQ(read(dir, "r001").status, TransferStatus::kCompleted);

  auto second = TransferRun::begin(dir, TransferKind::kRestore, "a", "b", options);
  ASSERT_TRUE(second.ok());
  (*second)->add_warning("TABLE DATA x: skipped");
  (*second)->finish(make_error(ErrorCode::kWarnings, "restore finished with 1 warnings"));
  Transfer t = read(dir, "r002");
  EXPECT_EQ(t.status, TransferStatus::kWarnings);
  EXPECT_TRUE(t.error.empty()) << t.error;
}

TEST_F(TransferRunTest, AFailureIsRecordedWithItsError) {
  std::string dir = fresh_dir("fail");
  auto run = TransferRun::begin(dir, TransferKind::kBackup, "a", "b");
  ASSERT_TRUE(run.ok());
  (*run)->finish(make_error(ErrorCode::kSource, "pg_dump: connection refused"));
  Transfer t = read(dir, "b001");
  EXPECT_EQ(t.status, TransferStatus::kFailed);
  EXPECT_NE(t.error.find("connection refused"), std::string::npos);
  EXPECT_TRUE(contains_line(log_lines(dir, "b001"), "error pg_dump: connection refused"));
}

TEST_F(TransferRunTest, ACancelledErrorIsRecordedCancelled) {
  std::string dir = fresh_dir("cancelled");
  auto run = TransferRun::begin(dir, TransferKind::kVerify, "a", "b");
  ASSERT_TRUE(run.ok());
  (*run)->finish(make_error(ErrorCode::kCancelled, "verify cancelled"));
  EXPECT_EQ(read(dir, "v001").status, TransferStatus::kCancelled);
}

// A run that returns early without finish() must not stay Running.
TEST_F(TransferRunTest, AnUnfinishedRunIsRecordedFailed) {
  std::string dir = fresh_dir("unfinished");
  {
    auto run = TransferRun::begin(dir, TransferKind::kCopy, "a", "b");
    ASSERT_TRUE(run.ok());
  }
  Transfer t = read(dir, "c001");
  EXPECT_EQ(t.status, TransferStatus::kFailed);
  EXPECT_NE(t.error.find("without recording a result"), std::string::npos);
}

TEST_F(TransferRunTest, ProgressIsWrittenWhileItRuns) {
  std::string dir = fresh_dir("progress");
  auto run = TransferRun::begin(dir, TransferKind::kBackup, "a", "b");
  ASSERT_TRUE(run.ok());
  (*run)->set_progress(1234, 5000);
  uint64_t seen = 0;
  for (int i = 0; i < 40 && seen != 1234; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    seen = read(dir, "b001").bytes;
  }
  EXPECT_EQ(seen, 1234u);
  EXPECT_EQ(read(dir, "b001").total_bytes, 5000u);
  (*run)->finish(ok_status());
}

// Code holding the run's registry (backup's stale-upload abort) may log:
// the log sink only queues, so this returns instead of deadlocking.
TEST_F(TransferRunTest, CodeHoldingTheRegistryMayLog) {
  std::string dir = fresh_dir("reentrant");
  auto run = TransferRun::begin(dir, TransferKind::kBackup, "a", "b");
  ASSERT_TRUE(run.ok());
  Status s = (*run)->with_registry([&](TransferRegistry& registry) {
    log::warn("aborting a stale upload");
    return registry.add_pending_upload("b001", "s3://bucket/key", "upload-1");
  });
  EXPECT_TRUE(s.ok());
  (*run)->finish(ok_status());
  EXPECT_TRUE(contains_line(log_lines(dir, "b001"), "warn aborting a stale upload"));
}

TEST_F(TransferRunTest, ResumeRunsAgainWithoutTheOldCancelRequest) {
  std::string dir = fresh_dir("resume");
  std::string id;
  {
    auto reg = TransferRegistry::open(dir);
    ASSERT_TRUE(reg.ok());
    auto t = reg->create(TransferKind::kCopy, "a", "b");
    ASSERT_TRUE(t.ok());
    id = t->id;
    ASSERT_TRUE(reg->request_cancel(id).ok());
  }
  auto run = TransferRun::resume(dir, id);
  ASSERT_TRUE(run.ok()) << run.error().to_string();
  Transfer t = read(dir, id);
  EXPECT_EQ(t.status, TransferStatus::kRunning);
  EXPECT_FALSE(t.cancel_requested);
  (*run)->finish(ok_status());
  EXPECT_EQ(read(dir, id).status, TransferStatus::kCompleted);
}

// `pgshuttle cancel v001` from another process: the watcher turns the flag
// into the process-wide cancel within its interval, and a run that then
// stops with any error is recorded Cancelled. In a child process, since the
// process-wide flag cannot be cleared.
TEST_F(TransferRunTest, ACancelRequestCancelsTheProcess) {
  std::string dir = fresh_dir("cancel");
  EXPECT_EXIT(
      {
        auto run = TransferRun::begin(dir, TransferKind::kVerify, "a", "b");
        if (!run.ok()) std::_Exit(2);
        auto other = TransferRegistry::open(dir);
        if (!other.ok() || !other->request_cancel((*run)->id()).ok()) std::_Exit(3);
        for (int i = 0; i < 60 && !cancelled(); ++i) {
          std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        if (!cancelled()) std::_Exit(4);
        // A statement the cancel interrupted fails with the server's error.
        (*run)->finish(make_error(ErrorCode::kTarget, "canceling statement due to user request"));
        auto t = other->get("v001");
        std::_Exit(t.ok() && t->status == TransferStatus::kCancelled ? 0 : 5);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace pgshuttle::state
