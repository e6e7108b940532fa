// The transfer registry on a real SQLite file, including two processes
// allocating ids at once.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "state/transfer_registry.h"

namespace pgshuttle::state {
namespace {

std::string fresh_dir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/state_" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  return dir;
}

TEST(TransferRegistry, IdsCountPerKind) {
  auto reg = TransferRegistry::open(fresh_dir("ids"));
  ASSERT_TRUE(reg.ok()) << reg.error().to_string();
  EXPECT_EQ(reg->create(TransferKind::kBackup, "a", "b")->id, "b001");
  EXPECT_EQ(reg->create(TransferKind::kBackup, "a", "b")->id, "b002");
  EXPECT_EQ(reg->create(TransferKind::kRestore, "a", "b")->id, "r001");
  EXPECT_EQ(reg->create(TransferKind::kCopy, "a", "b")->id, "c001");
  EXPECT_EQ(reg->create(TransferKind::kVerify, "a", "b")->id, "v001");
  EXPECT_EQ(reg->create(TransferKind::kSync, "a", "b")->id, "s001");
  auto all = reg->list();
  ASSERT_TRUE(all.ok());
  EXPECT_EQ(all->size(), 6u);
  auto sync = reg->get("s001");
  ASSERT_TRUE(sync.ok());
  EXPECT_EQ(sync->kind, TransferKind::kSync);
}

mode_t mode_of(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::stat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

// The registry holds endpoints, logs and ids: the directories pgshuttle
// creates are 0700 and its files 0600 even under umask 022, and a registry
// an older version left world-readable is made private when opened.
TEST(TransferRegistry, StateDirectoryAndFilesArePrivate) {
  std::string parent = fresh_dir("private");
  std::string dir = parent + "/nested/state";
  mode_t old = ::umask(022);
  {
    auto reg = TransferRegistry::open(dir);
    ASSERT_TRUE(reg.ok()) << reg.error().to_string();
    ASSERT_TRUE(reg->create(TransferKind::kBackup, "a", "b").ok());
    EXPECT_EQ(mode_of(parent), 0700u);
    EXPECT_EQ(mode_of(parent + "/nested"), 0700u);
    EXPECT_EQ(mode_of(dir), 0700u);
    EXPECT_EQ(mode_of(dir + "/transfers.db"), 0600u);
    EXPECT_EQ(mode_of(dir + "/transfers.db-wal"), 0600u);  // WAL mode, still open
  }
  ::chmod((dir + "/transfers.db").c_str(), 0644);
  auto again = TransferRegistry::open(dir);
  ::umask(old);
  ASSERT_TRUE(again.ok()) << again.error().to_string();
  EXPECT_EQ(mode_of(dir + "/transfers.db"), 0600u);
  EXPECT_EQ(again->list()->size(), 1u);
}

TEST(TransferRegistry, LifecycleRedactsAndCountsWarnings) {
  auto reg = TransferRegistry::open(fresh_dir("life"));
  ASSERT_TRUE(reg.ok());
  auto t = reg->create(TransferKind::kBackup, "postgresql://u:hunter22@db/x", "s3://b/k");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->source.find("hunter22"), std::string::npos);
  EXPECT_EQ(t->status, TransferStatus::kPending);
  ASSERT_TRUE(reg->start(t->id).ok());
  EXPECT_EQ(reg->get(t->id)->status, TransferStatus::kRunning);
  ASSERT_TRUE(reg->add_log(t->id, "info", "connected with password=hunter22").ok());
  ASSERT_TRUE(reg->add_warning(t->id, "first").ok());
  ASSERT_TRUE(reg->add_warning(t->id, "second").ok());
  ASSERT_TRUE(reg->set_result(t->id, 1234, "abcd").ok());
  ASSERT_TRUE(reg->finish(t->id, TransferStatus::kCompleted).ok());
  auto done = reg->get(t->id);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done->status, TransferStatus::kWarnings);
  EXPECT_EQ(done->status_text(), "Finished with 2 warnings");
  EXPECT_EQ(done->bytes, 1234u);
  EXPECT_EQ(done->sha256, "abcd");
  EXPECT_TRUE(done->finished_at.has_value());
  auto logs = reg->logs(t->id);
  ASSERT_TRUE(logs.ok());
  ASSERT_EQ(logs->size(), 1u);
  EXPECT_EQ((*logs)[0].line.find("hunter22"), std::string::npos);
}

TEST(TransferRegistry, CancelFlagSeenByAnotherHandle) {
  std::string dir = fresh_dir("cancel");
  auto a = TransferRegistry::open(dir);
  auto b = TransferRegistry::open(dir);
  ASSERT_TRUE(a.ok() && b.ok());
  auto t = a->create(TransferKind::kBackup, "x", "y");
  ASSERT_TRUE(a->start(t->id).ok());
  EXPECT_FALSE(*a->cancel_requested(t->id));
  ASSERT_TRUE(b->request_cancel(t->id).ok());
  EXPECT_TRUE(*a->cancel_requested(t->id));
  ASSERT_TRUE(a->finish(t->id, TransferStatus::kCancelled).ok());
  auto again = b->request_cancel(t->id);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kUsage);
  EXPECT_EQ(b->get("b999").error().code, ErrorCode::kNotFound);
}

// `cancel c001` after the copy ended while its closing verify runs reaches
// the verify; once the verify ended too, it says what ended.
TEST(TransferRegistry, CancelOfAnEndedTransferReachesItsRunningFollowUp) {
  std::string dir = fresh_dir("follow");
  auto reg = TransferRegistry::open(dir);
  ASSERT_TRUE(reg.ok());
  auto copy = reg->create(TransferKind::kCopy, "x", "y");
  auto verify = reg->create(TransferKind::kVerify, "x", "y");
  ASSERT_TRUE(copy.ok() && verify.ok());
  ASSERT_TRUE(reg->start(copy->id).ok());
  ASSERT_TRUE(reg->finish(copy->id, TransferStatus::kCompleted).ok());
  ASSERT_TRUE(reg->start(verify->id).ok());
  ASSERT_TRUE(reg->set_follow_up(copy->id, verify->id).ok());
  EXPECT_EQ(reg->get(copy->id)->follow_up, verify->id);
  auto cancelled = reg->request_cancel(copy->id);
  ASSERT_TRUE(cancelled.ok()) << cancelled.error().to_string();
  EXPECT_EQ(*cancelled, verify->id);
  EXPECT_TRUE(*reg->cancel_requested(verify->id));
  EXPECT_FALSE(*reg->cancel_requested(copy->id));
  ASSERT_TRUE(reg->finish(verify->id, TransferStatus::kCancelled).ok());
  auto again = reg->request_cancel(copy->id);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.error().message.find("already ended (Completed)"), std::string::npos)
      << again.error().message;
  EXPECT_EQ(reg->set_follow_up("c999", verify->id).error().code, ErrorCode::kNotFound);
}

TEST(TransferRegistry, RunningTransferOfADeadProcessShowsFailed) {
  std::string dir = fresh_dir("dead");
  ASSERT_TRUE(TransferRegistry::open(dir).ok());
  pid_t child = ::fork();
  if (child == 0) {
    auto reg = TransferRegistry::open(dir);
    auto t = reg->create(TransferKind::kCopy, "x", "y");
    _exit(t.ok() && reg->start(t->id).ok() ? 0 : 1);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  ASSERT_EQ(WEXITSTATUS(status), 0);
  auto reg = TransferRegistry::open(dir);
  auto t = reg->get("c001");
  ASSERT_TRUE(t.ok());
  EXPECT_EQ(t->status, TransferStatus::kFailed);
  EXPECT_FALSE(t->error.empty());
  // Messages about it tell a killed run from one that failed (issue 16).
  EXPECT_EQ(how_it_stopped(*t), "was interrupted");
  auto failed = reg->create(TransferKind::kCopy, "x", "y");
  ASSERT_TRUE(failed.ok() && reg->start(failed->id).ok());
  ASSERT_TRUE(reg->finish(failed->id, TransferStatus::kFailed, "no space").ok());
  EXPECT_EQ(how_it_stopped(*reg->get(failed->id)), "failed");
  auto cancelled = reg->create(TransferKind::kCopy, "x", "y");
  ASSERT_TRUE(cancelled.ok() && reg->start(cancelled->id).ok());
  ASSERT_TRUE(reg->finish(cancelled->id, TransferStatus::kCancelled).ok());
  EXPECT_EQ(how_it_stopped(*reg->get(cancelled->id)), "was cancelled");
}

TEST(TransferRegistry, TwoProcessesAllocateDistinctIds) {
  std::string dir = fresh_dir("two");
  ASSERT_TRUE(TransferRegistry::open(dir).ok());
  constexpr int kEach = 40;
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    pid_t pid = ::fork();
    if (pid == 0) {
      auto reg = TransferRegistry::open(dir);
      if (!reg.ok()) _exit(2);
      for (int i = 0; i < kEach; ++i) {
        auto t = reg->create(TransferKind::kBackup, "s", "d");
        if (!t.ok() || !reg->add_log(t->id, "info", "line").ok()) _exit(3);
      }
      _exit(0);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  auto reg = TransferRegistry::open(dir);
  auto all = reg->list();
  ASSERT_TRUE(all.ok());
  std::set<std::string> ids;
  for (const auto& t : *all) ids.insert(t.id);
  EXPECT_EQ(ids.size(), 2u * kEach);
  EXPECT_TRUE(ids.count("b080"));
}

}  // namespace
}  // namespace pgshuttle::state
