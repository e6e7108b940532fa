#include "exec/task_pool.h"

#include <fmt/format.h>

#include <algorithm>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "core/cancel.h"
#include "core/log.h"

namespace pgshuttle::exec {
namespace {

class Pool {
 public:
  Pool(const TaskGraph& graph, const std::vector<Worker*>& workers, Policy& policy,
       const PoolOptions& o)
      : graph_(graph),
        workers_(workers),
        policy_(policy),
        o_(o),
        clock_(o.clock != nullptr ? *o.clock : steady_clock()),
        cancelled_(o.cancelled ? o.cancelled : std::function<bool()>(pgshuttle::cancelled)) {}

  PoolOutcome run();

 private:
  void prepare();
  void make_ready(TaskId id) {
    const Task& t = graph_[id];
    ready_.insert({t.priority, t.weight, id});
  }
  bool startable(TaskId id) const;
  std::optional<TaskId> next(int worker);
  void run_task(int worker, TaskId id);
  void finished(TaskId id, int worker);
  void fail(TaskId id, Error error, int attempts);
  void stop_cancelled();
  void watch();

  const TaskGraph& graph_;
  const std::vector<Worker*>& workers_;
  Policy& policy_;
  const PoolOptions& o_;
  Clock& clock_;
  std::function<bool()> cancelled_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<int> waiting_;  // unfinished tasks each task waits for
  std::vector<std::vector<TaskId>> dependents_;
  std::set<ReadyTasks::Key> ready_;
  std::set<TaskId> running_;
  bool stop_ = false;
  bool all_done_ = false;
  PoolOutcome out_;
};

void Pool::prepare() {
  size_t n = graph_.size();
  waiting_.assign(n, 0);
  dependents_.assign(n, {});
  for (TaskId i = 0; i < n; ++i) {
    for (TaskId w : graph_[i].waits_for) {
      ++waiting_[i];
      dependents_[w].push_back(i);
    }
  }
  for (TaskId i = 0; i < n; ++i) {
    if (waiting_[i] == 0) make_ready(i);
  }
}

bool Pool::startable(TaskId id) const {
  const Task& t = graph_[id];
  if (t.resources.empty()) return true;
  for (TaskId r : running_) {
    const Task& other = graph_[r];
    if (!t.exclusive && !other.exclusive) continue;
    for (int res : t.resources) {
      if (std::find(other.resources.begin(), other.resources.end(), res) != other.resources.end()) {
        return false;
      }
    }
  }
  return true;
}

std::optional<TaskId> Pool::next(int worker) {
  std::unique_lock lock(mu_);
  ReadyTasks view(ready_, [this](TaskId id) { return startable(id); });
  while (true) {
    if (stop_) return std::nullopt;
    std::optional<TaskId> pick = policy_.choose(view, worker);
    // A policy may hold tasks back only while something runs that will wake it.
    if (!pick && running_.empty()) pick = view.first();
    if (pick) {
      const Task& t = graph_[*pick];
      ready_.erase({t.priority, t.weight, *pick});
      running_.insert(*pick);
      policy_.started(*pick, worker);
      return pick;
    }
    if (running_.empty()) return std::nullopt;  // all done, or waits that never end
    cv_.wait(lock);
  }
}

void Pool::finished(TaskId id, int worker) {
  std::lock_guard lock(mu_);
  running_.erase(id);
  ++out_.done;
  policy_.finished(id, worker);
  for (TaskId d : dependents_[id]) {
    if (--waiting_[d] == 0) make_ready(d);
  }
  cv_.notify_all();
}

void Pool::fail(TaskId id, Error error, int attempts) {
  std::lock_guard lock(mu_);
  running_.erase(id);
  if (!out_.error && !out_.cancelled) {
    out_.error = std::move(error);
    out_.failed = id;
    out_.attempts = attempts;
  }
  stop_ = true;
  cv_.notify_all();
}

void Pool::stop_cancelled() {
  std::lock_guard lock(mu_);
  if (!out_.error) out_.cancelled = true;
  stop_ = true;
  cv_.notify_all();
}

// A task that throws (a bug) fails as an internal error instead of ending
// the process with std::terminate, so the run is recorded and cleaned up.
Status run_guarded(Worker& w, TaskId id, int attempt) {
  try {
    return w.run(id, attempt);
  } catch (const std::exception& e) {
    return make_error(ErrorCode::kInternal, std::string("unexpected exception: ") + e.what(),
                      "this is a bug in pgshuttle; please report it with the log");
  }
}

// The task under the one retry rule (retry.h): a failed attempt drops the
// worker's sessions, and a transient cause is tried again after its wait.
void Pool::run_task(int worker, TaskId id) {
  Worker& w = *workers_[static_cast<size_t>(worker)];
  int attempts = 0;
  int64_t retries = 0;
  Status st = cancelled_() ? Status(make_error(ErrorCode::kCancelled, "cancelled"))
                           : retry(
                                 o_.retry, clock_, graph_[id].label,
                                 [&](int attempt) {
                                   attempts = attempt;
                                   Status s = run_guarded(w, id, attempt);
                                   if (!s.ok()) w.reset();
                                   return s;
                                 },
                                 cancelled_, &retries);
  {
    std::lock_guard lock(mu_);
    out_.retries += static_cast<int>(retries);
  }
  if (st.ok()) return finished(id, worker);
  if (st.error().code == ErrorCode::kCancelled || cancelled_()) {
    {
      std::lock_guard lock(mu_);
      running_.erase(id);
    }
    return stop_cancelled();
  }
  fail(id, st.error(), attempts);
}

void Pool::watch() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (cv_.wait_for(lock, o_.tick, [&] { return all_done_; })) return;
      if (policy_.tick(clock_.now())) cv_.notify_all();
    }
    if (cancelled_()) {
      stop_cancelled();
      // Stops a long CREATE INDEX or COPY now; again each tick until the
      // workers are done, for a worker that was still opening its session
      // or between two statements the first time.
      for (Worker* w : workers_) w->cancel();
    }
  }
}

PoolOutcome Pool::run() {
  prepare();
  std::vector<std::thread> threads;
  for (size_t i = 0; i < workers_.size(); ++i) {
    threads.emplace_back([this, i] {
      int worker = static_cast<int>(i);
      while (auto id = next(worker)) run_task(worker, *id);
      workers_[i]->reset();
    });
  }
  std::thread watcher([this] { watch(); });
  for (auto& t : threads) t.join();
  {
    std::lock_guard lock(mu_);
    all_done_ = true;
    cv_.notify_all();
  }
  watcher.join();
  if (!out_.error && cancelled_()) out_.cancelled = true;
  if (!out_.error && !out_.cancelled) out_.stranded = graph_.size() - out_.done;
  return out_;
}

}  // namespace

PoolOutcome run_tasks(const TaskGraph& graph, const std::vector<Worker*>& workers, Policy& policy,
                      const PoolOptions& options) {
  if (workers.empty()) {
    PoolOutcome out;
    out.error = make_error(ErrorCode::kInternal, "a task pool needs at least one worker");
    return out;
  }
  return Pool(graph, workers, policy, options).run();
}

}  // namespace pgshuttle::exec
