// RunStore and the state database's schema versions on real SQLite files.
#include "state/run_store.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <filesystem>

#include "state/state_db.h"
#include "state/transfer_registry.h"

namespace pgshuttle::state {
namespace {

std::string fresh_dir(const std::string& name) {
  std::string dir = ::testing::TempDir() + "/runstore_" + name + "_" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  return dir;
}

// Runs SQL on a file with SQLite itself, not through the code under test.
void raw_exec(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  std::string message = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

int raw_user_version(const std::string& path) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, nullptr);
  int v = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int(st, 0) : -1;
  sqlite3_finalize(st);
  sqlite3_close(db);
  return v;
}

TEST(RunStore, UnitsAndValuesArePerRunAndSurviveReopening) {
  std::string dir = fresh_dir("units");
  {
    auto a = RunStore::open(dir, "copy:c001");
    auto b = RunStore::open(dir, "copy:c002");
    ASSERT_TRUE(a.ok() && b.ok());
    EXPECT_FALSE(*(*a)->has_progress());
    ASSERT_TRUE((*a)->mark_done("table:shop.orders").ok());
    ASSERT_TRUE((*a)->mark_done("range:shop.items:0").ok());
    ASSERT_TRUE((*a)->mark_done("range:shop.items:1").ok());
    ASSERT_TRUE((*a)->set_value("snapshot", "00000003-1").ok());
    ASSERT_TRUE((*a)->set_value("snapshot", "00000004-1").ok());
    EXPECT_FALSE(*(*b)->has_progress());
    EXPECT_FALSE((*b)->value("snapshot")->has_value());
  }
  auto a = RunStore::open(dir, "copy:c001");
  ASSERT_TRUE(a.ok());
  EXPECT_TRUE(*(*a)->is_done("table:shop.orders"));
  EXPECT_FALSE(*(*a)->is_done("table:shop.items"));
  EXPECT_EQ(**(*a)->value("snapshot"), "00000004-1");
  ASSERT_TRUE((*a)->forget_prefix("range:shop.items:").ok());
  EXPECT_EQ(*(*a)->units(), (std::set<std::string>{"table:shop.orders"}));
  ASSERT_TRUE((*a)->forget().ok());
  EXPECT_TRUE((*a)->units()->empty());
  EXPECT_TRUE((*a)->values()->empty());
}

// A state directory of a pgshuttle from before schema versions: the
// registry's tables, user_version 0. Opening it keeps its transfers and
// adds what is new.
TEST(StateDb, AFileOfAnOlderSchemaIsUpgradedKeepingItsTransfers) {
  std::string dir = fresh_dir("upgrade");
  std::string path = dir + "/transfers.db";
  {
    auto reg = TransferRegistry::open(dir);
    ASSERT_TRUE(reg.ok());
    ASSERT_TRUE(reg->create(TransferKind::kBackup, "src", "dst").ok());
  }
  raw_exec(path,
           "DROP TABLE run_units; DROP TABLE run_values; ALTER TABLE transfers DROP COLUMN "
           "follow_up; ALTER TABLE transfers DROP COLUMN etag; PRAGMA user_version = 0;");
  ASSERT_EQ(raw_user_version(path), 0);
  auto store = RunStore::open(dir, "copy:c009");
  ASSERT_TRUE(store.ok()) << store.error().to_string();
  ASSERT_TRUE((*store)->mark_done("schema").ok());
  EXPECT_EQ(raw_user_version(path), current_schema_version());
  auto reg = TransferRegistry::open(dir);
  ASSERT_TRUE(reg.ok());
  EXPECT_TRUE(reg->get("b001").ok());
}

TEST(StateDb, AFileOfANewerSchemaIsRefusedNamingTheFix) {
  std::string dir = fresh_dir("newer");
  ASSERT_TRUE(open_state_db(dir).ok());
  raw_exec(dir + "/transfers.db", "PRAGMA user_version = 99;");
  auto reg = TransferRegistry::open(dir);
  ASSERT_FALSE(reg.ok());
  EXPECT_EQ(reg.error().code, ErrorCode::kUsage);
  EXPECT_NE(reg.error().message.find("newer pgshuttle (schema 99"), std::string::npos);
  EXPECT_NE(reg.error().hint.find("--state-dir"), std::string::npos);
}

// copy-c001.sqlite as copy kept it before schema 2.
TEST(RunStore, ALegacyCopyFileIsImportedThenRemoved) {
  std::string dir = fresh_dir("legacy");
  std::string legacy = dir + "/copy-c001.sqlite";
  raw_exec(legacy,
           "CREATE TABLE done (unit TEXT PRIMARY KEY);"
           "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);"
           "INSERT INTO done VALUES ('schema'), ('table:public.t');"
           "INSERT INTO meta VALUES ('foreign_keys', '[{\"name\":\"fk\"}]'), ('empty', NULL);");
  auto store = RunStore::open(dir, "copy:c001");
  ASSERT_TRUE(store.ok());
  ASSERT_TRUE((*store)->import_legacy_file(legacy).ok());
  EXPECT_FALSE(std::filesystem::exists(legacy));
  EXPECT_EQ(*(*store)->units(), (std::set<std::string>{"schema", "table:public.t"}));
  EXPECT_EQ(**(*store)->value("foreign_keys"), "[{\"name\":\"fk\"}]");
  EXPECT_EQ(**(*store)->value("empty"), "");
  EXPECT_TRUE((*store)->import_legacy_file(legacy).ok());  // no file: nothing to do
}

}  // namespace
}  // namespace pgshuttle::state
