#include "state/transfer_run.h"

#include <fmt/format.h>

#include <chrono>

#include "core/cancel.h"
#include "core/log.h"

namespace pgshuttle::state {
namespace {

constexpr auto kWatchInterval = std::chrono::milliseconds(250);

std::string_view level_text(log::Level level) {
  return level == log::Level::kError ? "error" : level == log::Level::kWarn ? "warn" : "info";
}

}  // namespace

TransferStatus final_status(const Status& result) {
  // Finished with warnings: Completed, which the registry records as
  // Warnings once warnings were added.
  if (result.ok() || result.error().code == ErrorCode::kWarnings) {
    return TransferStatus::kCompleted;
  }
  if (result.error().code == ErrorCode::kCancelled || cancelled()) {
    return TransferStatus::kCancelled;
  }
  return TransferStatus::kFailed;
}

TransferRun::TransferRun(TransferRegistry registry, std::string dir, std::string id,
                         RunOptions options)
    : registry_(std::move(registry)), dir_(std::move(dir)), id_(std::move(id)), options_(options) {}

Result<std::unique_ptr<TransferRun>> TransferRun::begin(const std::string& dir, TransferKind kind,
                                                        std::string_view source,
                                                        std::string_view destination,
                                                        RunOptions options) {
  PGS_ASSIGN_OR_RETURN(auto registry, TransferRegistry::open(dir));
  PGS_ASSIGN_OR_RETURN(auto created, registry.create(kind, source, destination));
  std::unique_ptr<TransferRun> run(new TransferRun(std::move(registry), dir, created.id, options));
  PGS_TRY(run->start(false));
  return run;
}

Result<std::unique_ptr<TransferRun>> TransferRun::resume(const std::string& dir,
                                                         const std::string& id,
                                                         RunOptions options) {
  PGS_ASSIGN_OR_RETURN(auto registry, TransferRegistry::open(dir));
  std::unique_ptr<TransferRun> run(new TransferRun(std::move(registry), dir, id, options));
  PGS_TRY(run->start(true));
  return run;
}

Status TransferRun::start(bool resumed) {
  {
    std::lock_guard lock(mutex_);
    PGS_TRY(registry_.start(id_));
    // A cancelled run that is resumed starts without the old request.
    if (resumed) PGS_TRY(registry_.clear_cancel(id_));
  }
  // log::write calls sinks under its own lock, from any thread: the sink
  // only queues, so it never waits for the registry (whose holder may log).
  sink_ = log::add_sink([this](log::Level level, std::string_view line) {
    std::lock_guard lock(wake_mutex_);
    queued_.emplace_back(level, std::string(line));
  });
  watcher_ = std::thread([this] { watch(); });
  return ok_status();
}

void TransferRun::watch() {
  // A registry per thread (transfer_registry.h).
  auto registry = TransferRegistry::open(dir_);
  if (!registry.ok()) {
    note(registry.error(), "the cancel watcher's registry");
    return;
  }
  uint64_t shown = 0;
  bool told = false;
  std::unique_lock wait(wake_mutex_);
  while (!wake_.wait_for(wait, kWatchInterval, [this] { return stop_; })) {
    wait.unlock();
    flush(*registry);
    auto flag = registry->cancel_requested(id_);
    if (!flag.ok()) {
      note(flag.error(), "reading the cancel flag");
    } else if (*flag && !told) {
      told = true;
      log::warn("{}: cancel requested; stopping", id_);
      request_cancel();
    }
    uint64_t now = bytes_.load();
    if (now != shown) {
      shown = now;
      note(registry->set_progress(id_, shown, total_.load()), "recording progress");
    }
    wait.lock();
  }
  wait.unlock();
  flush(*registry);
}

void TransferRun::flush(TransferRegistry& registry) {
  std::vector<std::pair<log::Level, std::string>> lines;
  {
    std::lock_guard lock(wake_mutex_);
    lines.swap(queued_);
  }
  for (const auto& [level, line] : lines) {
    Status s = registry.add_log(id_, level_text(level), line);
    if (s.ok() && level == log::Level::kWarn && options_.warnings_from_log) {
      s = registry.add_warning(id_, line);
    }
    note(s, "recording a log line");
  }
}

void TransferRun::note(const Status& write, std::string_view what) {
  if (write.ok()) return;
  std::lock_guard lock(mutex_);
  if (lost_++ == 0) first_lost_ = fmt::format("{}: {}", what, write.error().message);
}

void TransferRun::set_progress(uint64_t bytes, uint64_t total) {
  bytes_ = bytes;
  total_ = total;
}

void TransferRun::add_warning(std::string_view text) {
  std::lock_guard lock(mutex_);
  Status s = registry_.add_warning(id_, text);
  if (!s.ok() && lost_++ == 0) first_lost_ = "recording a warning: " + s.error().message;
}

void TransferRun::set_result(uint64_t bytes, std::string sha256, std::string etag) {
  std::lock_guard lock(mutex_);
  result_bytes_ = bytes;
  result_sha256_ = std::move(sha256);
  result_etag_ = std::move(etag);
  has_result_ = true;
}

void TransferRun::stop() {
  {
    std::lock_guard lock(wake_mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  if (sink_ >= 0) log::remove_sink(sink_);
  sink_ = -1;
  if (watcher_.joinable()) watcher_.join();
}

void TransferRun::add_log(std::string_view level, std::string_view line) {
  std::lock_guard lock(mutex_);
  Status s = registry_.add_log(id_, level, line);
  if (!s.ok() && lost_++ == 0) first_lost_ = "recording a log line: " + s.error().message;
}

void TransferRun::finish(const Status& result) {
  stop();
  // After remove_sink no callback runs: the registry is this thread's alone.
  // Lines the watcher could not write (its registry failed to open) are
  // written here.
  flush(registry_);
  TransferStatus status = final_status(result);
  std::lock_guard lock(mutex_);
  std::vector<std::pair<Status, std::string_view>> writes;
  writes.emplace_back(registry_.set_progress(id_, bytes_.load(), total_.load()), "progress");
  if (has_result_) {
    writes.emplace_back(registry_.set_result(id_, result_bytes_, result_sha256_, result_etag_),
                        "the result");
  } else if (status == TransferStatus::kCompleted) {
    writes.emplace_back(registry_.set_result(id_, bytes_.load(), ""), "the result");
  }
  std::string error;
  if (status != TransferStatus::kCompleted) {
    error = result.error().to_string();
    writes.emplace_back(registry_.add_log(id_, "error", error), "the error");
  }
  writes.emplace_back(registry_.finish(id_, status, error), "the end");
  finished_ = true;
  for (const auto& [write, what] : writes) {
    if (!write.ok() && lost_++ == 0) {
      first_lost_ = fmt::format("recording {}: {}", what, write.error().message);
    }
  }
  if (lost_ > 0) {
    log::warn(
        "{}: {} writes to the transfer registry under {} failed (first: {}); "
        "`pgshuttle transfers {}` may show an incomplete record",
        id_, lost_, dir_, first_lost_, id_);
  }
}

TransferRun::~TransferRun() {
  if (finished_) return;
  finish(make_error(ErrorCode::kInternal, "the run ended without recording a result"));
}

}  // namespace pgshuttle::state
