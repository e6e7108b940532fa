// TransferRun: the one lifecycle of a recorded transfer (backup, restore,
// copy, verify), so that every kind is created, logged, cancelled and ended
// the same way:
//
//   begin()/resume()  the record is Running with this process's pid; every
//                     log line goes to its log (warnings also to its
//                     warnings, unless told otherwise), queued by the log
//                     sink and written by the watcher, so that code holding
//                     the run's registry may log;
//   while it runs     one watcher thread, with its own registry, looks every
//                     250 ms at the record's cancel flag (`pgshuttle cancel
//                     v003` from another terminal) and turns it into the
//                     process-wide cancel flag (core/cancel.h), and writes
//                     the progress set_progress() left;
//   finish(result)    Completed (Warnings when warnings were recorded) for
//                     success or ErrorCode::kWarnings; Cancelled for ErrorCode::kCancelled or when
//                     the process was cancelled; Failed otherwise, with the
//                     error's text. A run destroyed unfinished is recorded
//                     Failed, never left Running by a live process.
//
// Registry writes that fail are not dropped: finish() logs them once as a
// warning, so a user knows the record may be incomplete.
//
// Thread safety: set_progress() and add_warning() from any thread;
// with_registry() serialises access to the run's registry; begin/resume/
// finish from the thread that owns the run.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "core/log.h"
#include "core/result.h"
#include "state/transfer_registry.h"

namespace pgshuttle::state {

struct RunOptions {
  // Log lines at warn level become the transfer's warnings (so it ends as
  // Warnings). Off for a kind that records its own warnings at the end.
  bool warnings_from_log = true;
};

class TransferRun {
 public:
  // A new transfer of `kind` in the registry at `dir`, Running.
  static Result<std::unique_ptr<TransferRun>> begin(const std::string& dir, TransferKind kind,
                                                    std::string_view source,
                                                    std::string_view destination,
                                                    RunOptions options = {});
  // An existing transfer `id`, Running again, its cancel request cleared.
  static Result<std::unique_ptr<TransferRun>> resume(const std::string& dir, const std::string& id,
                                                     RunOptions options = {});
  ~TransferRun();
  TransferRun(const TransferRun&) = delete;
  TransferRun& operator=(const TransferRun&) = delete;

  const std::string& id() const { return id_; }
  const std::string& dir() const { return dir_; }

  // Bytes done and expected (0 = unknown); the watcher records them.
  void set_progress(uint64_t bytes, uint64_t total);
  void add_warning(std::string_view text);
  // The final bytes, SHA-256 and stored object's ETag (either may be
  // empty), recorded by finish().
  void set_result(uint64_t bytes, std::string sha256, std::string etag = {});

  // Runs `f(TransferRegistry&)` under the run's lock (the log sink shares
  // the registry).
  template <typename F>
  auto with_registry(F&& f) {
    std::lock_guard lock(mutex_);
    return f(registry_);
  }

  // A line for the transfer's log only (not printed).
  void add_log(std::string_view level, std::string_view line);

  // Stops the watcher and the log copy and records the end (see above).
  void finish(const Status& result);

 private:
  TransferRun(TransferRegistry registry, std::string dir, std::string id, RunOptions options);
  Status start(bool resumed);
  void watch();
  void stop();
  void note(const Status& write, std::string_view what);
  // Writes the queued log lines with `registry`.
  void flush(TransferRegistry& registry);

  TransferRegistry registry_;
  std::string dir_;
  std::string id_;
  RunOptions options_;
  std::mutex mutex_;  // registry_, result_, lost_
  uint64_t result_bytes_ = 0;
  std::string result_sha256_;
  std::string result_etag_;
  bool has_result_ = false;
  int lost_ = 0;  // registry writes that failed
  std::string first_lost_;
  bool finished_ = false;
  int sink_ = -1;
  std::mutex wake_mutex_;  // stop_, queued_ and wake_; nothing else is locked under it
  std::condition_variable wake_;
  bool stop_ = false;
  std::vector<std::pair<log::Level, std::string>> queued_;
  std::atomic<uint64_t> bytes_{0}, total_{0};
  std::thread watcher_;
};

// The status a run's end is recorded with (see finish()).
TransferStatus final_status(const Status& result);

}  // namespace pgshuttle::state
