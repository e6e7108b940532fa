#include "migrate/step_runner.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace pgshuttle::migrate {
namespace {

class StepRunnerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("migrate_test_" + std::to_string(getpid()));
    std::filesystem::remove_all(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

TEST_F(StepRunnerTest, ResumesAfterTheLastCompletedStep) {
  std::vector<std::string> ran;
  bool fail_second = true;
  auto steps = [&] {
    return std::vector<Step>{
        {"check", "",
         [&]() -> Result<std::string> {
           ran.push_back("check");
           return std::string("ok");
         }},
        {"backup", "",
         [&]() -> Result<std::string> {
           ran.push_back("backup");
           if (fail_second) return make_error(ErrorCode::kStorage, "network down");
           return std::string("b001");
         }},
        {"restore", "",
         [&]() -> Result<std::string> {
           ran.push_back("restore");
           return std::string();
         }},
    };
  };
  {
    auto st = MigrationState::open(dir_.string(), "src->dst");
    ASSERT_TRUE(st.ok());
    EXPECT_FALSE(st->is_resumed());
    StepRunner runner(*st);
    Status s = runner.run(steps());
    ASSERT_FALSE(s.ok());
    EXPECT_EQ(s.error().code, ErrorCode::kStorage);
    EXPECT_NE(s.error().to_string().find("step backup"), std::string::npos);
  }
  EXPECT_EQ(ran, (std::vector<std::string>{"check", "backup"}));
  ran.clear();
  fail_second = false;
  {
    auto st = MigrationState::open(dir_.string(), "src->dst");
    ASSERT_TRUE(st.ok());
    EXPECT_TRUE(st->is_resumed());
    StepRunner runner(*st);
    ASSERT_TRUE(runner.run(steps()).ok());
    EXPECT_EQ(runner.skipped(), (std::vector<std::string>{"check"}));
    EXPECT_TRUE(st->completed("restore"));
    EXPECT_EQ(st->step("backup").detail, "b001");
  }
  EXPECT_EQ(ran, (std::vector<std::string>{"backup", "restore"}));
}

TEST_F(StepRunnerTest, DifferentIdentitiesDoNotShareRecords) {
  auto a = MigrationState::open(dir_.string(), "a");
  auto b = MigrationState::open(dir_.string(), "b");
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->path(), b->path());
  a->set_artifact("key", "value");
  ASSERT_TRUE(a->save().ok());
  auto a2 = MigrationState::open(dir_.string(), "a");
  EXPECT_EQ(a2->artifact("key"), "value");
  auto b2 = MigrationState::open(dir_.string(), "b");
  EXPECT_EQ(b2->artifact("key"), "");
}

TEST_F(StepRunnerTest, RecordNeverHoldsAPassword) {
  auto st = MigrationState::open(dir_.string(), "x");
  ASSERT_TRUE(st.ok());
  st->set_artifact("target", "postgresql://app:sup3rs3cret@h/db");
  ASSERT_TRUE(st->save().ok());
  // Every byte the state database holds on disk, its WAL included.
  std::string text;
  for (const char* file : {"/transfers.db", "/transfers.db-wal"}) {
    std::ifstream in(dir_.string() + file, std::ios::binary);
    text.append((std::istreambuf_iterator<char>(in)), {});
  }
  EXPECT_EQ(text.find("sup3rs3cret"), std::string::npos);
  EXPECT_NE(text.find("app:***@h/db"), std::string::npos);
}

// A record an older pgshuttle wrote as migrations/<hash>.json is taken into
// the state database and the file removed.
TEST_F(StepRunnerTest, ARecordFromAnOlderVersionIsMovedIntoTheStore) {
  std::string run;
  {
    auto st = MigrationState::open(dir_.string(), "legacy");
    ASSERT_TRUE(st.ok());
    EXPECT_FALSE(st->is_resumed());
    run = st->path().substr(0, st->path().find(' '));  // "migrate:<hash>"
  }
  std::string hash = run.substr(run.find(':') + 1);
  std::filesystem::create_directories(dir_ / "migrations");
  std::filesystem::path file = dir_ / "migrations" / (hash + ".json");
  std::ofstream(file) << R"({"steps":[{"name":"backup","status":"completed","detail":"b007"}],)"
                      << R"("artifacts":{"backup_url":"s3://b/k"}})";
  auto st = MigrationState::open(dir_.string(), "legacy");
  ASSERT_TRUE(st.ok()) << st.error().to_string();
  EXPECT_TRUE(st->is_resumed());
  EXPECT_TRUE(st->completed("backup"));
  EXPECT_EQ(st->step("backup").detail, "b007");
  EXPECT_EQ(st->artifact("backup_url"), "s3://b/k");
  EXPECT_FALSE(std::filesystem::exists(file));
  auto again = MigrationState::open(dir_.string(), "legacy");
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->artifact("backup_url"), "s3://b/k");
}

}  // namespace
}  // namespace pgshuttle::migrate
