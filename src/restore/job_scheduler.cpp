#include "restore/job_scheduler.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "core/cancel.h"
#include "core/human.h"
#include "core/log.h"
#include "restore/job_runner.h"

namespace pgshuttle::restore {
namespace {

using Clock = std::chrono::steady_clock;

bool retryable(const Error& e) {
  if (e.code != ErrorCode::kTarget) return false;
  const std::string& s = e.sqlstate;
  return s.empty() || s.rfind("08", 0) == 0 || s == "57P01" || s == "57P02" || s == "57P03" ||
         s == "40001" || s == "40P01";
}

class Scheduler {
 public:
  Scheduler(const SchedulerOptions& o, const RestorePlan& plan, const archive::ArchiveToc& toc,
            storage::ByteSource& source, Progress& progress)
      : o_(o), plan_(plan), toc_(toc), source_(source), progress_(progress) {}

  JobsOutcome run();

 private:
  void prepare();
  void make_ready(size_t job);
  bool conflicts(size_t job) const;
  std::optional<size_t> next(JobRunner& runner, bool lane);
  void finished(size_t job, JobRunner& runner);
  void worker(JobRunner& runner, bool lane);
  void sample_link();
  void run_one(JobRunner& runner, size_t index);
  void fail(RestoreError error, bool cancelled);
  void watch_cancel();

  const SchedulerOptions& o_;
  const RestorePlan& plan_;
  const archive::ArchiveToc& toc_;
  storage::ByteSource& source_;
  Progress& progress_;
  std::string preamble_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> waiting_;  // unfinished jobs each job waits for
  std::vector<std::vector<size_t>> dependents_;
  // Heaviest first (RestoreJob::weight), then archive order.
  std::set<std::pair<uint64_t, size_t>, std::greater<>> ready_statements_;
  std::vector<size_t> ready_data_;  // kept sorted, largest last
  std::set<size_t> running_;
  // The critical load: the table data that the heaviest slow index build
  // (GiST ...) waits for. While it streams and mostly waits for the archive
  // (a slow link), other loads hold back so that it has the link to itself
  // and its build starts as early as possible; sampled by the watcher.
  size_t critical_ = SIZE_MAX;
  bool critical_running_ = false;
  // Link meter: the runners now loading data, with their read-wait time at
  // the last sample. When the loads spent most of the last interval waiting
  // for bytes (`link_bound_`), the archive is the bottleneck: the critical
  // load streams alone, and one worker (the data lane) takes loads before
  // statements to keep the link busy while the others build indexes.
  struct Load {
    int64_t reads = 0;       // the runner's reads when the load began, then at the last sample
    int64_t waited = 0;      // its read-wait time at the last sample
    bool streaming = false;  // judged from the first full interval after its first read
  };
  std::map<JobRunner*, Load> loading_;
  Clock::time_point sampled_at_ = Clock::now();
  bool link_bound_ = false;        // the meter's last verdict
  bool awaiting_verdict_ = false;  // the critical load runs, not yet judged: hold others
  bool told_link_ = false;
  size_t done_ = 0;
  bool stop_ = false;
  bool all_done_ = false;
  JobsOutcome out_;
};

void Scheduler::prepare() {
  size_t n = plan_.jobs.size();
  waiting_.assign(n, 0);
  dependents_.assign(n, {});
  for (size_t i = 0; i < n; ++i) {
    for (size_t w : plan_.jobs[i].waits_for) {
      ++waiting_[i];
      dependents_[w].push_back(i);
    }
  }
  // The heaviest slow build, and the largest table load it waits for.
  const RestoreJob* slowest = nullptr;
  for (const RestoreJob& j : plan_.jobs) {
    if (j.slow_build && (!slowest || j.weight > slowest->weight)) slowest = &j;
  }
  if (slowest != nullptr && o_.jobs >= 2) {
    for (size_t w : slowest->waits_for) {
      if (plan_.jobs[w].kind != JobKind::kTableData) continue;
      if (critical_ == SIZE_MAX || plan_.jobs[w].data_bytes > plan_.jobs[critical_].data_bytes) {
        critical_ = w;
      }
    }
  }
  for (size_t i = 0; i < n; ++i) {
    if (waiting_[i] == 0) make_ready(i);
  }
}

void Scheduler::make_ready(size_t job) {
  if (plan_.jobs[job].kind == JobKind::kStatement) {
    // greater<> on (weight, -index): heaviest first, earlier first among equals.
    ready_statements_.insert({plan_.jobs[job].weight, SIZE_MAX - job});
    return;
  }
  auto smaller = [&](size_t a, size_t b) {
    return plan_.jobs[a].data_bytes < plan_.jobs[b].data_bytes;
  };
  ready_data_.insert(std::upper_bound(ready_data_.begin(), ready_data_.end(), job, smaller), job);
}

bool Scheduler::conflicts(size_t job) const {
  const RestoreJob& j = plan_.jobs[job];
  for (size_t r : running_) {
    const RestoreJob& other = plan_.jobs[r];
    if (!j.exclusive && !other.exclusive) continue;
    for (int t : j.tables) {
      if (std::find(other.tables.begin(), other.tables.end(), t) != other.tables.end()) return true;
    }
  }
  return false;
}

std::optional<size_t> Scheduler::next(JobRunner& runner, bool lane) {
  std::unique_lock lock(mu_);
  while (true) {
    if (stop_) return std::nullopt;
    auto take_load = [&](size_t job) {
      running_.insert(job);
      loading_[&runner] = Load{runner.reads(), runner.read_wait_ns(), false};
      return job;
    };
    auto critical = std::find(ready_data_.begin(), ready_data_.end(), critical_);
    if (critical != ready_data_.end()) {
      ready_data_.erase(critical);
      critical_running_ = true;
      // Other loads wait for the first verdict on this one.
      awaiting_verdict_ = true;
      return take_load(critical_);
    }
    bool loads_open =
        !ready_data_.empty() && !(critical_running_ && (link_bound_ || awaiting_verdict_));
    if (loads_open && link_bound_ && lane) {
      size_t job = ready_data_.back();
      ready_data_.pop_back();
      return take_load(job);
    }
    for (auto it = ready_statements_.begin(); it != ready_statements_.end(); ++it) {
      size_t job = SIZE_MAX - it->second;
      if (conflicts(job)) continue;
      ready_statements_.erase(it);
      running_.insert(job);
      return job;
    }
    if (loads_open) {
      size_t job = ready_data_.back();
      ready_data_.pop_back();
      return take_load(job);
    }
    if (running_.empty()) return std::nullopt;  // all done, or waits that never end
    cv_.wait(lock);
  }
}

void Scheduler::finished(size_t job, JobRunner& runner) {
  std::lock_guard lock(mu_);
  running_.erase(job);
  ++done_;
  if (job == critical_) critical_running_ = awaiting_verdict_ = false;
  loading_.erase(&runner);
  for (size_t d : dependents_[job]) {
    if (--waiting_[d] == 0) make_ready(d);
  }
  cv_.notify_all();
}

void Scheduler::fail(RestoreError error, bool cancelled) {
  std::lock_guard lock(mu_);
  if (cancelled) {
    out_.cancelled = true;
  } else {
    out_.errors.push_back(std::move(error));
  }
  stop_ = true;
  cv_.notify_all();
}

void Scheduler::run_one(JobRunner& runner, size_t index) {
  const RestoreJob& job = plan_.jobs[index];
  auto start = Clock::now();
  int64_t rows = 0, large_objects = 0;
  for (int attempt = 1;; ++attempt) {
    auto r = runner.run(job);
    if (r.ok()) {
      rows = r->rows;
      large_objects = r->large_objects;
      std::lock_guard lock(mu_);
      out_.rows += r->rows;
      out_.large_objects += r->large_objects;
      ++out_.jobs_done;
      if (job.kind == JobKind::kTableData) {
        ++out_.tables_loaded;
        out_.loaded.push_back({job.entry, r->rows});
      }
      if (!r->warning.empty()) {
        out_.errors.push_back({Severity::kWarning, job.label, r->warning, ""});
        log::warn("{}: {}", job.label, r->warning);
      }
      break;
    }
    runner.reset();
    const Error& e = r.error();
    if (e.code == ErrorCode::kCancelled || cancelled()) return fail({}, true);
    if (!retryable(e) || attempt >= o_.max_attempts) {
      std::string what = attempt > 1 ? fmt::format(" (after {} attempts)", attempt) : "";
      std::string where = e.context != job.label ? " [" + e.context + "]" : "";
      return fail({Severity::kFatal, job.label, e.message + where + what, "", e.code}, false);
    }
    auto delay = std::chrono::milliseconds(250 << attempt);
    log::warn("{}: retrying on a new connection (attempt {} of {}, in {} ms): {}", job.label,
              attempt + 1, o_.max_attempts, delay.count(), e.message);
    {
      std::lock_guard lock(mu_);
      ++out_.retries;
    }
    std::this_thread::sleep_for(delay);
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (job.kind == JobKind::kTableData) {
    log::info("loaded {}: {} rows from {} of archive data in {:.2f}s", job.label, rows,
              human_bytes(job.data_bytes), secs);
  } else if (job.kind == JobKind::kLargeObjects) {
    log::info("loaded {} large objects in {:.2f}s", large_objects, secs);
  } else {
    if (secs >= 1.0) {
      log::info("done {} in {:.2f}s", job.label, secs);
    } else {
      log::debug("done {} in {:.2f}s", job.label, secs);
    }
  }
  finished(index, runner);
}

void Scheduler::worker(JobRunner& runner, bool lane) {
  while (auto job = next(runner, lane)) run_one(runner, *job);
  runner.reset();
}

// Called about every 200 ms: whether the loads running now spent most of
// the last interval waiting for the archive's bytes.
void Scheduler::sample_link() {
  std::lock_guard lock(mu_);
  auto now = Clock::now();
  auto span = std::chrono::duration_cast<std::chrono::nanoseconds>(now - sampled_at_).count();
  if (span < 150'000'000) return;
  sampled_at_ = now;
  // Only loads that stream since the last sample count: connecting and
  // starting COPY are not waiting for the archive.
  int64_t waited = 0, judged = 0;
  for (auto& [runner, load] : loading_) {
    int64_t reads = runner->reads(), total = runner->read_wait_ns();
    if (load.streaming) {
      waited += total - load.waited;
      ++judged;
    } else if (reads > load.reads) {
      load.streaming = true;
    }
    load.reads = reads;
    load.waited = total;
  }
  if (judged == 0) return;  // nothing measured: keep the last verdict
  bool bound = waited * 2 > span * judged;
  if (awaiting_verdict_ && !bound) cv_.notify_all();
  awaiting_verdict_ = false;
  if (bound && !told_link_) {
    told_link_ = true;
    log::info(
        "the archive arrives slower than the target takes it: one worker keeps loading "
        "tables while the others build indexes{}",
        critical_running_ ? fmt::format(", and {} streams alone so that the slow index "
                                        "build waiting for it starts sooner",
                                        plan_.jobs[critical_].label)
                          : "");
  }
  if (link_bound_ != bound) cv_.notify_all();
  link_bound_ = bound;
}

void Scheduler::watch_cancel() {
  auto last_poll = Clock::now();
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, std::chrono::milliseconds(200), [&] { return all_done_; })) return;
    }
    sample_link();
    bool asked = cancelled();
    if (!asked && o_.cancel_requested && Clock::now() - last_poll >= std::chrono::seconds(1)) {
      last_poll = Clock::now();
      asked = o_.cancel_requested();
      if (asked) request_cancel();
    }
    if (asked) return;
  }
}

JobsOutcome Scheduler::run() {
  preamble_ = session_preamble(toc_, o_.maintenance_work_mem);
  prepare();
  int n = std::max(1, o_.jobs);
  std::vector<std::unique_ptr<JobRunner>> runners;
  for (int i = 0; i < n; ++i) {
    runners.push_back(std::make_unique<JobRunner>(o_.target, preamble_, source_, toc_, progress_));
  }
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) {
    bool lane = n >= 2 && i == n - 1;  // the data lane (see link_bound_)
    threads.emplace_back([this, &r = *runners[i], lane] { worker(r, lane); });
  }
  std::thread watcher([this, &runners] {
    watch_cancel();
    if (!cancelled()) return;
    for (auto& r : runners) r->cancel();  // stops a long CREATE INDEX or COPY now
  });
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(mu_);
    all_done_ = true;
    cv_.notify_all();
  }
  watcher.join();
  if (cancelled()) out_.cancelled = true;
  if (!out_.cancelled &&
      out_.errors.end() ==
          std::find_if(out_.errors.begin(), out_.errors.end(),
                       [](const RestoreError& e) { return e.severity == Severity::kFatal; }) &&
      done_ < plan_.jobs.size()) {
    out_.errors.push_back(
        {Severity::kFatal, "", "jobs whose dependencies never finished were left", ""});
  }
  return out_;
}

}  // namespace

JobsOutcome run_jobs(const SchedulerOptions& options, const RestorePlan& plan,
                     const archive::ArchiveToc& toc, storage::ByteSource& source,
                     Progress& progress) {
  return Scheduler(options, plan, toc, source, progress).run();
}

}  // namespace pgshuttle::restore
