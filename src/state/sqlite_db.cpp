#include "state/sqlite_db.h"

#include <sqlite3.h>

#include <utility>

namespace pgshuttle::state {

Error sqlite_error(sqlite3* db, std::string_view what) {
  int code = db ? sqlite3_errcode(db) : SQLITE_ERROR;
  std::string message = std::string(what) + ": " + (db ? sqlite3_errmsg(db) : "out of memory");
  if (code == SQLITE_FULL) {
    return make_error(ErrorCode::kDiskFull, message, "free disk space in the state directory");
  }
  if (code == SQLITE_CANTOPEN || code == SQLITE_READONLY || code == SQLITE_PERM) {
    return make_error(ErrorCode::kUsage, message,
                      "check that the state directory (--state-dir / PGSHUTTLE_STATE_DIR) is "
                      "writable");
  }
  return make_error(ErrorCode::kInternal, message);
}

SqliteStatement::SqliteStatement(SqliteStatement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

SqliteStatement::~SqliteStatement() { sqlite3_finalize(stmt_); }

SqliteStatement& SqliteStatement::bind(int index, std::string_view text) {
  // A default-constructed view has no data: bound as is, it would be NULL,
  // not the empty text it stands for.
  const char* data = text.data() != nullptr ? text.data() : "";
  sqlite3_bind_text(stmt_, index, data, static_cast<int>(text.size()), SQLITE_TRANSIENT);
  return *this;
}

SqliteStatement& SqliteStatement::bind(int index, int64_t value) {
  sqlite3_bind_int64(stmt_, index, value);
  return *this;
}

SqliteStatement& SqliteStatement::bind_null(int index) {
  sqlite3_bind_null(stmt_, index);
  return *this;
}

Result<bool> SqliteStatement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return sqlite_error(db_, "state database");
}

Status SqliteStatement::run() {
  for (;;) {
    PGS_ASSIGN_OR_RETURN(bool row, step());
    if (!row) return ok_status();
  }
}

int64_t SqliteStatement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string SqliteStatement::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  if (text == nullptr) return {};
  return std::string(reinterpret_cast<const char*>(text),
                     static_cast<size_t>(sqlite3_column_bytes(stmt_, index)));
}

bool SqliteStatement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}

Result<SqliteDb> SqliteDb::open(const std::string& path) {
  SqliteDb db;
  int rc =
      sqlite3_open_v2(path.c_str(), &db.db_,
                      SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db.db_, "cannot open " + path);
  sqlite3_busy_timeout(db.db_, 10'000);
  return db;
}

SqliteDb::SqliteDb(SqliteDb&& other) noexcept : db_(std::exchange(other.db_, nullptr)) {}

SqliteDb& SqliteDb::operator=(SqliteDb&& other) noexcept {
  if (this != &other) {
    sqlite3_close_v2(db_);
    db_ = std::exchange(other.db_, nullptr);
  }
  return *this;
}

SqliteDb::~SqliteDb() { sqlite3_close_v2(db_); }

Status SqliteDb::exec(const std::string& sql) {
  char* message = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &message);
  sqlite3_free(message);
  if (rc != SQLITE_OK) return sqlite_error(db_, "state database");
  return ok_status();
}

Result<SqliteStatement> SqliteDb::prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v2(db_, sql.data(), static_cast<int>(sql.size()), &stmt, nullptr);
  if (rc != SQLITE_OK) return sqlite_error(db_, "state database");
  return SqliteStatement(db_, stmt);
}

int64_t SqliteDb::changes() const { return sqlite3_changes(db_); }

Result<SqliteTransaction> SqliteTransaction::begin(SqliteDb& db) {
  PGS_TRY(db.exec("BEGIN IMMEDIATE"));
  return SqliteTransaction(&db);
}

SqliteTransaction::~SqliteTransaction() {
  if (db_ != nullptr) (void)db_->exec("ROLLBACK");
}

Status SqliteTransaction::commit() {
  SqliteDb* db = std::exchange(db_, nullptr);
  return db->exec("COMMIT");
}

}  // namespace pgshuttle::state
