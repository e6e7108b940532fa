// CopyState: what a copy run has finished, kept in the state database
// (state::RunStore, run "copy:<id>") so that a run killed at any moment can
// resume.
//
// A unit ("schema", "table:shop.orders", "range:shop.orders:3",
// "post:INDEX shop orders_idx") is recorded only after its work committed on
// the target. A unit that committed but was not yet recorded is redone, so
// every unit is written to be safe to redo (TRUNCATE first, "already
// exists" tolerated). Values ("snapshot", "foreign_keys", ...) are what a
// resumed run must know.
//
// open() reads the whole record; a failed read fails open(), so a resumed
// run never takes "could not read" for "not done" or "not saved". Writes go
// to the store first, then to the copy held here.
//
// Thread safety: all methods lock an internal mutex; share one instance.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "state/run_store.h"

namespace pgshuttle::copy {

class CopyState {
 public:
  // Opens the state of copy `id` in `state_dir`; state an older pgshuttle
  // kept in copy-<id>.sqlite is moved into the store first.
  static Result<std::unique_ptr<CopyState>> open(const std::string& state_dir,
                                                 const std::string& id);
  // True when copy `id` recorded any progress or value.
  static Result<bool> exists(const std::string& state_dir, const std::string& id);

  const std::string& id() const { return id_; }
  bool is_done(const std::string& unit);
  Status mark_done(const std::string& unit);
  // Forgets every unit whose key starts with `prefix`.
  Status forget_prefix(const std::string& prefix);
  // True when any unit at all is recorded (a resumed run).
  bool has_progress();
  // The value of `key`, "" when unset.
  std::string get_meta(const std::string& key);
  Status set_meta(const std::string& key, const std::string& value);

  // What an item met: a warning, or a --skip-unsupported skip. Kept with the
  // run, so that the summary of a resumed run counts what every invocation
  // met, not only its own; an item noted again (redone) counts once.
  enum class Outcome { kWarned, kSkipped };
  Status note(const std::string& label, Outcome outcome);
  struct Noted {
    int64_t warnings = 0;              // every noted item, skips included
    std::vector<std::string> skipped;  // the skipped items' labels, sorted
  };
  Noted noted();

 private:
  CopyState() = default;

  std::mutex mutex_;
  std::unique_ptr<state::RunStore> store_;
  std::string id_;
  std::set<std::string> done_;
  std::map<std::string, std::string> meta_;
};

}  // namespace pgshuttle::copy
