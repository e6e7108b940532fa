// CopyTransfer: a copy run's record in the transfer registry
// (state/transfer_registry.h): id c001, c002 ..., status, redacted source and
// destination, bytes copied, warnings and log lines. The run's resume state
// (copy_state.h) lives beside the registry as copy-<id>.sqlite.
//
// Which run a command continues: `--resume cNNN` names it; otherwise the
// newest unfinished copy of the same source and target that recorded
// progress (a run killed with SIGKILL stays "Running" with a dead pid),
// unless --clean asks for a fresh copy; otherwise a new transfer. While the run lasts, a watcher
// thread writes the byte count to the registry and turns `pgshuttle cancel cNNN` from another
// terminal into the process-wide cancel flag (core/cancel.h).
//
// Thread safety: set_bytes() from any thread; the rest from the thread that
// opened it.
#pragma once

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "copy/copy.h"
#include "core/result.h"
#include "state/transfer_registry.h"

namespace pgshuttle::copy {

class CopyTransfer {
 public:
  // Chooses (or creates) the transfer for `options`; see above.
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
  ~CopyTransfer();

  const std::string& id() const { return id_; }
  // The directory of the registry and of the resume state.
  const std::string& dir() const { return dir_; }
  // True when an existing transfer is continued.
  bool continued() const { return continued_; }

  // Marks the transfer Running and starts the watcher and the log copy.
  Status start();
  void set_bytes(uint64_t bytes, uint64_t total);
  // Stops the watcher; records the final status from `result`.
  void finish(const Status& result);

 private:
  CopyTransfer(state::TransferRegistry registry, std::string dir)
      : registry_(std::move(registry)), dir_(std::move(dir)) {}
  Status choose(const CopyOptions& o);
  void watch();

  state::TransferRegistry registry_;
  std::string dir_;
  std::string id_;
  bool continued_ = false;
  std::mutex mutex_;  // registry_ is shared by the log sink and this thread
  int sink_ = -1;
  std::atomic<bool> stop_{false};
  std::atomic<uint64_t> bytes_{0}, total_{0};
  std::thread watcher_;
};

}  // namespace pgshuttle::copy
