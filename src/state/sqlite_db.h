// SqliteDb and SqliteStatement: move-only RAII wrappers over sqlite3 handles,
// used only inside src/state. Errors come back as Result values
// (ErrorCode::kInternal with SQLite's message, or kDiskFull).
//
// Thread safety: one thread per handle (SQLite's own locking makes several
// processes safe; the registry sets WAL mode and a busy timeout).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.h"

struct sqlite3;
struct sqlite3_stmt;

namespace pgshuttle::state {

class SqliteStatement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStatement(SqliteStatement&& other) noexcept;
  SqliteStatement& operator=(SqliteStatement&&) = delete;
  SqliteStatement(const SqliteStatement&) = delete;
  ~SqliteStatement();

  // Binds parameters by 1-based index.
  SqliteStatement& bind(int index, std::string_view text);
  SqliteStatement& bind(int index, int64_t value);
  SqliteStatement& bind_null(int index);
  // Advances: true when a row is available, false when done.
  Result<bool> step();
  // Runs to completion (for statements without rows).
  Status run();

  int64_t column_int(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class SqliteDb {
 public:
  // Opens (creating) the database file at `path`.
  static Result<SqliteDb> open(const std::string& path);
  SqliteDb(SqliteDb&& other) noexcept;
  SqliteDb& operator=(SqliteDb&& other) noexcept;
  SqliteDb(const SqliteDb&) = delete;
  ~SqliteDb();

  Status exec(const std::string& sql);
  Result<SqliteStatement> prepare(std::string_view sql);
  int64_t changes() const;

 private:
  SqliteDb() = default;
  sqlite3* db_ = nullptr;
};

// Runs BEGIN IMMEDIATE on construction; rolls back unless commit() was called.
class SqliteTransaction {
 public:
  static Result<SqliteTransaction> begin(SqliteDb& db);
  SqliteTransaction(SqliteTransaction&& other) noexcept : db_(other.db_) { other.db_ = nullptr; }
  SqliteTransaction(const SqliteTransaction&) = delete;
  ~SqliteTransaction();
  Status commit();

 private:
  explicit SqliteTransaction(SqliteDb* db) : db_(db) {}
  SqliteDb* db_;
};

// An Error for a failed SQLite call.
Error sqlite_error(sqlite3* db, std::string_view what);

}  // namespace pgshuttle::state
