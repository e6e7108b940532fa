#include "copy/copy_state.h"

#include <fmt/format.h>
#include <sqlite3.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <functional>
#include <thread>

#include "core/fault.h"
#include "state/private_files.h"

namespace pgshuttle::copy {
namespace {

Error state_error(sqlite3* db, const std::string& what) {
  return make_error(ErrorCode::kInternal,
                    fmt::format("copy state: {}: {}", what, db ? sqlite3_errmsg(db) : "no db"),
                    "check that the state directory is writable (--state-dir)");
}

// Runs `sql` with one text parameter; calls `row` for each result row.
bool run(sqlite3* db, const char* sql, const std::string& param,
         const std::function<void(sqlite3_stmt*)>& row = {}) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql, -1, &st, nullptr) != SQLITE_OK) return false;
  sqlite3_bind_text(st, 1, param.c_str(), -1, SQLITE_TRANSIENT);
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    if (row) row(st);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE;
}

}  // namespace

Result<std::unique_ptr<CopyState>> CopyState::open(const std::string& state_dir,
                                                   const std::string& id) {
  PGS_TRY(state::make_private_dir(state_dir));
  std::unique_ptr<CopyState> s(new CopyState());
  s->id_ = id;
  s->path_ = state_dir + "/copy-" + id + ".sqlite";
  PGS_TRY(state::make_private_file(s->path_));
  if (sqlite3_open(s->path_.c_str(), &s->db_) != SQLITE_OK) {
    return state_error(s->db_, "cannot open " + s->path_);
  }
  PGS_TRY(
      s->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
              "CREATE TABLE IF NOT EXISTS done (unit TEXT PRIMARY KEY);"
              "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);"));
  return s;
}

CopyState::~CopyState() {
  if (db_) sqlite3_close(db_);
}

Status CopyState::exec(const std::string& sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown";
    sqlite3_free(err);
    return make_error(ErrorCode::kInternal, "copy state: " + msg);
  }
  return ok_status();
}

bool CopyState::is_done(const std::string& unit) {
  std::lock_guard lock(mutex_);
  bool found = false;
  run(db_, "SELECT 1 FROM done WHERE unit = ?1", unit, [&](sqlite3_stmt*) { found = true; });
  return found;
}

Status CopyState::mark_done(const std::string& unit) {
  std::lock_guard lock(mutex_);
  if (!run(db_, "INSERT OR IGNORE INTO done(unit) VALUES (?1)", unit)) {
    return state_error(db_, "record " + unit);
  }
  fault::hit("copy:done:" + unit);
  return ok_status();
}

Status CopyState::forget_prefix(const std::string& prefix) {
  std::lock_guard lock(mutex_);
  if (!run(db_, "DELETE FROM done WHERE substr(unit, 1, length(?1)) = ?1", prefix)) {
    return state_error(db_, "forget " + prefix);
  }
  return ok_status();
}

bool CopyState::has_progress() {
  std::lock_guard lock(mutex_);
  bool found = false;
  run(db_, "SELECT 1 FROM done LIMIT ?1", "1", [&](sqlite3_stmt*) { found = true; });
  return found;
}

std::string CopyState::get_meta(const std::string& key) {
  std::lock_guard lock(mutex_);
  std::string value;
  run(db_, "SELECT value FROM meta WHERE key = ?1", key,
      [&](sqlite3_stmt* st) { value = reinterpret_cast<const char*>(sqlite3_column_text(st, 0)); });
  return value;
}

Status CopyState::set_meta(const std::string& key, const std::string& value) {
  std::lock_guard lock(mutex_);
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db_, "INSERT OR REPLACE INTO meta(key, value) VALUES (?1, ?2)", -1, &st,
                     nullptr);
  sqlite3_bind_text(st, 1, key.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, value.c_str(), -1, SQLITE_TRANSIENT);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) return state_error(db_, "set " + key);
  return ok_status();
}

}  // namespace pgshuttle::copy
