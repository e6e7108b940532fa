#include "core/owned_temp.h"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace pgshuttle {
namespace {

namespace fs = std::filesystem;

// A pid that surely belongs to no process: a child that already exited.
pid_t dead_pid() {
  pid_t pid = fork();
  if (pid == 0) _exit(0);
  int st = 0;
  waitpid(pid, &st, 0);
  return pid;
}

std::string with_pid(std::string name, pid_t pid) {
  std::string mine = "-" + std::to_string(getpid()) + "-";
  name.replace(name.rfind(mine), mine.size(), "-" + std::to_string(pid) + "-");
  return name;
}

TEST(OwnedTemp, RemovesOnlyWhatDeadProcessesOfThisHostLeft) {
  std::string dir = ::testing::TempDir() + "/owned-temp";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::string live = owned_temp_template(dir, "pgshuttle-restore-");
  ASSERT_NE(mkdtemp(live.data()), nullptr);
  std::string dead = with_pid(live, dead_pid());
  fs::create_directories(dead);
  std::ofstream(dead + "/toc.list") << "x";
  std::string dead_file = with_pid(owned_temp_template(dir, ".x.dump.pgshuttle-"), dead_pid());
  dead_file.replace(dead_file.size() - 6, 6, "abcdef");
  std::ofstream(dead_file) << "partial";
  std::string other_host = dir + "/pgshuttle-restore-elsewhere-1-abcdef";
  fs::create_directories(other_host);
  std::string unrelated = dir + "/pgshuttle-restore-notes";
  std::ofstream(unrelated) << "keep";

  EXPECT_EQ(remove_dead_temps(dir, "pgshuttle-restore-", "pgshuttle-restore-"), 1);
  EXPECT_FALSE(fs::exists(dead));
  EXPECT_TRUE(fs::exists(live));
  EXPECT_TRUE(fs::exists(other_host));
  EXPECT_TRUE(fs::exists(unrelated));
  EXPECT_TRUE(fs::exists(dead_file));
  EXPECT_EQ(remove_dead_temps(dir, ".", ".pgshuttle-"), 1);
  EXPECT_FALSE(fs::exists(dead_file));
}

}  // namespace
}  // namespace pgshuttle
