#include "state/run_store.h"

#include <filesystem>

#include "state/state_db.h"

namespace pgshuttle::state {

Result<std::unique_ptr<RunStore>> RunStore::open(const std::string& state_dir, std::string run) {
  PGS_ASSIGN_OR_RETURN(auto db, open_state_db(state_dir));
  return std::unique_ptr<RunStore>(new RunStore(std::move(db), std::move(run)));
}

Result<bool> RunStore::is_done(std::string_view unit) {
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto st,
                       db_.prepare("SELECT 1 FROM run_units WHERE run = ?1 AND unit = ?2"));
  st.bind(1, run_).bind(2, unit);
  return st.step();
}

Status RunStore::mark_done(std::string_view unit) {
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto st,
                       db_.prepare("INSERT OR IGNORE INTO run_units(run, unit) VALUES (?1, ?2)"));
  st.bind(1, run_).bind(2, unit);
  return st.run();
}

Status RunStore::forget_prefix(std::string_view prefix) {
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("DELETE FROM run_units WHERE run = ?1 AND "
                                            "substr(unit, 1, length(?2)) = ?2"));
  st.bind(1, run_).bind(2, prefix);
  return st.run();
}

Result<bool> RunStore::has_progress() {
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("SELECT 1 FROM run_units WHERE run = ?1 LIMIT 1"));
  st.bind(1, run_);
  return st.step();
}

Result<std::set<std::string>> RunStore::units() {
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("SELECT unit FROM run_units WHERE run = ?1"));
  st.bind(1, run_);
  std::set<std::string> out;
  for (;;) {
    PGS_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return out;
    out.insert(st.column_text(0));
  }
}

Result<std::map<std::string, std::string>> RunStore::values() {
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("SELECT key, value FROM run_values WHERE run = ?1"));
  st.bind(1, run_);
  std::map<std::string, std::string> out;
  for (;;) {
    PGS_ASSIGN_OR_RETURN(bool row, st.step());
    if (!row) return out;
    out[st.column_text(0)] = st.column_text(1);
  }
}

Result<std::optional<std::string>> RunStore::value(std::string_view key) {
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto st,
                       db_.prepare("SELECT value FROM run_values WHERE run = ?1 AND key = ?2"));
  st.bind(1, run_).bind(2, key);
  PGS_ASSIGN_OR_RETURN(bool row, st.step());
  if (!row) return std::optional<std::string>{};
  return std::optional<std::string>(st.column_text(0));
}

Status RunStore::set_value(std::string_view key, std::string_view value) {
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("INSERT OR REPLACE INTO run_values(run, key, value) "
                                            "VALUES (?1, ?2, ?3)"));
  st.bind(1, run_).bind(2, key).bind(3, value);
  return st.run();
}

Status RunStore::forget() {
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::begin(db_));
  for (const char* sql :
       {"DELETE FROM run_units WHERE run = ?1", "DELETE FROM run_values WHERE run = ?1"}) {
    PGS_ASSIGN_OR_RETURN(auto st, db_.prepare(sql));
    st.bind(1, run_);
    PGS_TRY(st.run());
  }
  return tx.commit();
}

Status RunStore::import_legacy_file(const std::string& path) {
  std::error_code ec;
  if (!std::filesystem::exists(path, ec)) return ok_status();
  std::lock_guard lock(mutex_);
  PGS_ASSIGN_OR_RETURN(auto attach, db_.prepare("ATTACH DATABASE ?1 AS legacy"));
  attach.bind(1, path);
  PGS_TRY(attach.run());
  Status copied = [&]() -> Status {
    PGS_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::begin(db_));
    for (const char* sql : {"INSERT OR IGNORE INTO run_units(run, unit) "
                            "SELECT ?1, unit FROM legacy.done",
                            "INSERT OR IGNORE INTO run_values(run, key, value) "
                            "SELECT ?1, key, coalesce(value, '') FROM legacy.meta"}) {
      PGS_ASSIGN_OR_RETURN(auto st, db_.prepare(sql));
      st.bind(1, run_);
      PGS_TRY(st.run());
    }
    return tx.commit();
  }();
  Status detached = db_.exec("DETACH DATABASE legacy");
  PGS_TRY(copied);
  PGS_TRY(detached);
  for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path + suffix, ec);
  return ok_status();
}

}  // namespace pgshuttle::state
