// CopyState: what a copy run has finished, kept in a small SQLite file under
// the state directory so that a run killed at any moment can resume.
//
// A unit ("schema", "table:shop.orders", "range:shop.orders:3",
// "post:INDEX shop orders_idx") is recorded only after its work committed on
// the target. A unit that committed but was not yet recorded is redone, so
// every unit is written to be safe to redo (TRUNCATE first, "already
// exists" tolerated). The file is keyed by the run's transfer id (c001,
// copy_transfer.h).
//
// Thread safety: all methods lock an internal mutex; share one instance.
#pragma once

#include <memory>
#include <mutex>
#include <string>

#include "core/result.h"

struct sqlite3;

namespace pgshuttle::copy {

class CopyState {
 public:
  // Opens (creating if needed) `state_dir`/copy-<id>.sqlite.
  static Result<std::unique_ptr<CopyState>> open(const std::string& state_dir,
                                                 const std::string& id);
  ~CopyState();

  const std::string& id() const { return id_; }
  const std::string& path() const { return path_; }
  bool is_done(const std::string& unit);
  Status mark_done(const std::string& unit);
  // Forgets every unit whose key starts with `prefix`.
  Status forget_prefix(const std::string& prefix);
  // True when any unit at all is recorded (a resumed run).
  bool has_progress();
  std::string get_meta(const std::string& key);
  Status set_meta(const std::string& key, const std::string& value);

 private:
  CopyState() = default;
  Status exec(const std::string& sql);

  std::mutex mutex_;
  sqlite3* db_ = nullptr;
  std::string id_;
  std::string path_;
};

}  // namespace pgshuttle::copy
