// CopyTransfer: a copy run's record in the transfer registry
// (state/transfer_registry.h): id c001, c002 ..., status, redacted source and
// destination, bytes copied, warnings and log lines. The run's resume state
// (copy_state.h) lives in the same state database, as run "copy:<id>".
//
// Which run a command continues: `--resume cNNN` names it; otherwise the
// newest unfinished copy of the same source and target that recorded
// progress (a run killed with SIGKILL stays "Running" with a dead pid),
// unless --clean asks for a fresh copy; otherwise a new transfer. The run's
// lifecycle (log, progress, `pgshuttle cancel cNNN`, its end) is a
// state::TransferRun's.
//
// Thread safety: set_bytes() from any thread; the rest from the thread that
// opened it.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "copy/copy.h"
#include "copy/copy_state.h"
#include "core/result.h"
#include "state/transfer_run.h"

namespace pgshuttle::copy {

class CopyTransfer {
 public:
  // Chooses (or creates) the transfer for `options` and starts it (Running);
  // see above.
  static Result<std::unique_ptr<CopyTransfer>> open(const CopyOptions& options);

  // The newest copy of the same source and target when it completed but
  // its closing verify never reached a result (killed, its session
  // terminated): a re-run of the same command only verifies again. Not
  // with --clean or --resume.
  static Result<std::optional<std::string>> unverified(const CopyOptions& options);
  // Records that copy `id`'s closing verify starts (pending until
  // record_verified): only such a copy is verified again by a re-run.
  static Status record_verify_started(const CopyOptions& options, const std::string& id);
  // Records that copy `id`'s closing verify reached a result.
  static Status record_verified(const CopyOptions& options, const std::string& id);
  // The warnings and skips copy `id` met over all its invocations.
  static Result<CopyState::Noted> noted(const CopyOptions& options, const std::string& id);

  const std::string& id() const { return run_->id(); }
  // The directory of the registry and of the resume state.
  const std::string& dir() const { return dir_; }
  // True when an existing transfer is continued.
  bool continued() const { return continued_; }

  void set_bytes(uint64_t bytes, uint64_t total);
  // Records the final status from `result`.
  void finish(const Status& result);

 private:
  explicit CopyTransfer(std::string dir) : dir_(std::move(dir)) {}
  Status choose(const CopyOptions& o);
  // The id of the run `o` continues; empty for a new run.
  Result<std::string> continued_id(const CopyOptions& o);

  std::string dir_;
  bool continued_ = false;
  std::unique_ptr<state::TransferRun> run_;
};

}  // namespace pgshuttle::copy
