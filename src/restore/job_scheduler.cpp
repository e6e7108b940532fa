#include "restore/job_scheduler.h"

#include <fmt/format.h>

#include <chrono>
#include <memory>
#include <mutex>

#include "core/cancel.h"
#include "core/human.h"
#include "core/log.h"
#include "exec/task_pool.h"
#include "restore/job_runner.h"
#include "restore/load_policy.h"

namespace pgshuttle::restore {
namespace {

using Clock = std::chrono::steady_clock;

// What the workers add up, under one lock.
struct Tally {
  std::mutex mu;
  JobsOutcome out;
  // For the progress line: the data jobs (table data, large objects) and
  // the others (indexes, constraints, triggers...), planned and done.
  int data_jobs = 0, data_done = 0;
  int post_jobs = 0, post_done = 0;
};

bool is_data(const RestoreJob& job) {
  return job.kind == JobKind::kTableData || job.kind == JobKind::kLargeObjects;
}

// The data phase while data jobs remain, then the post-data jobs done out
// of all (the restore no longer sits at 100% during a long index build).
void show_phase(const Tally& t, Progress& progress) {
  if (t.data_done < t.data_jobs || t.post_jobs == 0) {
    progress.set_phase("data");
    return;
  }
  progress.set_phase("indexes", static_cast<uint64_t>(t.post_jobs));
  progress.set_items(static_cast<uint64_t>(t.post_done), static_cast<uint64_t>(t.post_jobs));
}

class RestoreWorker : public exec::Worker {
 public:
  RestoreWorker(const RestorePlan& plan, Tally& tally, const pg::ConnInfo& target,
                const std::string& preamble, storage::ByteSource& source,
                const archive::ArchiveToc& toc, Progress& progress)
      : plan_(plan),
        tally_(tally),
        progress_(progress),
        runner_(target, preamble, source, toc, progress) {}

  Status run(exec::TaskId task, int /*attempt*/) override;
  void reset() override { runner_.reset(); }
  void cancel() override { runner_.cancel(); }
  const JobRunner& runner() const { return runner_; }

 private:
  const RestorePlan& plan_;
  Tally& tally_;
  Progress& progress_;
  JobRunner runner_;
};

Status RestoreWorker::run(exec::TaskId task, int /*attempt*/) {
  const RestoreJob& job = plan_.jobs[task];
  auto start = Clock::now();
  PGS_ASSIGN_OR_RETURN(JobResult r, runner_.run(job));
  {
    std::lock_guard lock(tally_.mu);
    JobsOutcome& out = tally_.out;
    out.rows += r.rows;
    out.large_objects += r.large_objects;
    ++out.jobs_done;
    ++(is_data(job) ? tally_.data_done : tally_.post_done);
    show_phase(tally_, progress_);
    if (job.kind == JobKind::kTableData) {
      ++out.tables_loaded;
      out.loaded.push_back({job.entry, r.rows});
    }
    if (!r.warning.empty()) {
      out.errors.push_back({Severity::kWarning, job.label, r.warning, ""});
      log::warn("{}: {}", job.label, r.warning);
    }
  }
  double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (job.kind == JobKind::kTableData) {
    log::info("loaded {}: {} rows from {} of archive data in {:.2f}s", job.label, r.rows,
              human_bytes(job.data_bytes), secs);
  } else if (job.kind == JobKind::kLargeObjects) {
    log::info("loaded {} large objects in {:.2f}s", r.large_objects, secs);
  } else if (secs >= 1.0) {
    log::info("done {} in {:.2f}s", job.label, secs);
  } else {
    log::debug("done {} in {:.2f}s", job.label, secs);
  }
  return ok_status();
}

}  // namespace

JobsOutcome run_jobs(const SchedulerOptions& options, RestorePlan plan,
                     const archive::ArchiveToc& toc, storage::ByteSource& source,
                     Progress& progress) {
  std::string preamble = session_preamble(toc, options.maintenance_work_mem);
  std::optional<size_t> critical = critical_load(plan);
  for (size_t i : split_loads(plan, options.jobs, options.split_larger_than)) {
    const RestoreJob& j = plan.jobs[i];
    log::info("{}: {} of archive data, split across {} sessions{}", j.label,
              human_bytes(j.data_bytes), j.sessions,
              critical == i ? " (the slowest index build waits for it)" : "");
  }
  Tally tally;
  for (const RestoreJob& job : plan.jobs) ++(is_data(job) ? tally.data_jobs : tally.post_jobs);
  show_phase(tally, progress);
  int n = std::max(1, options.jobs);
  std::vector<std::unique_ptr<RestoreWorker>> workers;
  std::vector<exec::Worker*> pool;
  std::vector<const ReadMeter*> meters;
  for (int i = 0; i < n; ++i) {
    workers.push_back(std::make_unique<RestoreWorker>(plan, tally, options.target, preamble, source,
                                                      toc, progress));
    pool.push_back(workers.back().get());
    meters.push_back(&workers.back()->runner());
  }
  exec::TaskGraph graph = task_graph(plan);
  LoadPolicy policy(plan, meters, exec::steady_clock().now());
  exec::PoolOptions po;
  po.retry.max_attempts = options.max_attempts;
  po.cancelled = [] { return cancelled(); };
  exec::PoolOutcome ran = exec::run_tasks(graph, pool, policy, po);

  JobsOutcome out = std::move(tally.out);
  out.retries = ran.retries;
  out.cancelled = ran.cancelled;
  if (ran.error) {
    const Error& e = *ran.error;
    const std::string& label = plan.jobs[*ran.failed].label;
    std::string what = ran.attempts > 1 ? fmt::format(" (after {} attempts)", ran.attempts) : "";
    std::string where = e.context != label && !e.context.empty() ? " [" + e.context + "]" : "";
    out.errors.push_back({Severity::kFatal, label, e.message + where + what, "", e.code});
  } else if (!ran.cancelled && ran.stranded > 0) {
    out.errors.push_back(
        {Severity::kFatal, "", "jobs whose dependencies never finished were left", ""});
  }
  return out;
}

}  // namespace pgshuttle::restore
