// RunStore: the progress of one resumable run — a copy's finished units, a
// migration's record — kept in the state database (state_db.h) beside the
// transfer registry, so that a run killed at any moment resumes from what
// it had committed. A run is named by its key ("copy:c001",
// "migrate:9f2c…"); it holds units (done or not) and named values.
//
// Every read returns a Result: a failed read is an error for the caller to
// stop on, never "not there" (a resumed run that read "not there" would
// redo or overwrite what it had saved).
//
// Thread safety: all methods lock an internal mutex; share one instance.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "core/result.h"
#include "state/sqlite_db.h"

namespace pgshuttle::state {

class RunStore {
 public:
  // Opens the store of run `run` in `state_dir` (creating what is missing).
  static Result<std::unique_ptr<RunStore>> open(const std::string& state_dir, std::string run);

  const std::string& run() const { return run_; }

  Result<bool> is_done(std::string_view unit);
  Status mark_done(std::string_view unit);
  // Forgets every unit whose name starts with `prefix`.
  Status forget_prefix(std::string_view prefix);
  // True when any unit is recorded (a resumed run).
  Result<bool> has_progress();

  // Everything the run recorded, read at once.
  Result<std::set<std::string>> units();
  Result<std::map<std::string, std::string>> values();

  // The value of `key`, nullopt when it was never set.
  Result<std::optional<std::string>> value(std::string_view key);
  Status set_value(std::string_view key, std::string_view value);

  // Forgets the run: its units and values.
  Status forget();

  // Upgrade of a run's progress kept by pgshuttle before schema 2: a SQLite
  // file with tables done(unit) and meta(key, value) (copy-c001.sqlite).
  // Copies what the store does not hold yet, then removes the file. No file,
  // nothing to do.
  Status import_legacy_file(const std::string& path);

 private:
  RunStore(SqliteDb db, std::string run) : db_(std::move(db)), run_(std::move(run)) {}

  std::mutex mutex_;
  SqliteDb db_;
  std::string run_;
};

}  // namespace pgshuttle::state
