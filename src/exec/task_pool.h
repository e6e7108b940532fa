// The task pool: pgshuttle's one way of running dependent work on several
// sessions at once (restore's jobs, copy's units, and whatever is built on
// them).
//
// A TaskGraph holds tasks; a task starts once every task it waits for has
// finished and no running task holds a conflicting claim on one of its
// resources (two tasks conflict when they share a resource and either is
// exclusive: an ALTER TABLE and a COPY into the same table). Among the tasks
// that may start, a Policy chooses; the default takes the highest priority,
// then the heaviest, then the earliest added. A policy may hold tasks back
// (return nothing) and reconsider on its periodic tick, which the pool calls
// about every `tick` from its watcher thread.
//
// Each worker (one per thread, each with its own sessions) runs the tasks it
// is given. A task that fails with a transient cause (exec/retry.h) is
// retried on the same worker after reset() (which drops its sessions), with
// the policy's backoff; any other failure stops the start of new tasks, lets
// the running ones finish, and is reported with the task. Cancellation
// (`cancelled()` turning true) stops new tasks and calls every worker's
// cancel() so that a long statement stops now.
//
// Thread safety: run_tasks() is called from one thread and owns its threads;
// Policy methods are called with the pool's lock held, one at a time;
// Worker::run/reset run on the worker's thread, Worker::cancel on the
// watcher's.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "exec/clock.h"
#include "exec/retry.h"

namespace pgshuttle::exec {

using TaskId = size_t;

struct Task {
  std::string label;              // names the task in logs and errors
  std::vector<TaskId> waits_for;  // tasks that must finish before it starts
  int priority = 0;               // ready tasks of higher priority go first
  uint64_t weight = 0;            // then heavier first, then earlier added
  std::vector<int> resources;     // what it works on (e.g. table numbers)
  bool exclusive = false;         // conflicts with any running task sharing a resource
};

class TaskGraph {
 public:
  TaskId add(Task task) {
    tasks_.push_back(std::move(task));
    return tasks_.size() - 1;
  }
  const Task& operator[](TaskId id) const { return tasks_[id]; }
  Task& operator[](TaskId id) { return tasks_[id]; }
  size_t size() const { return tasks_.size(); }

 private:
  std::vector<Task> tasks_;
};

// The tasks that may start now, in the default order (priority, weight,
// insertion), as a policy sees them.
class ReadyTasks {
 public:
  struct Key {
    int priority;
    uint64_t weight;
    TaskId id;
    bool operator<(const Key& o) const {
      if (priority != o.priority) return priority > o.priority;
      if (weight != o.weight) return weight > o.weight;
      return id < o.id;
    }
  };
  ReadyTasks(const std::set<Key>& ready, std::function<bool(TaskId)> startable)
      : ready_(ready), startable_(std::move(startable)) {}

  // The first task in order that `pred` accepts and that conflicts with no
  // running task.
  template <typename Pred>
  std::optional<TaskId> first(Pred&& pred) const {
    for (const Key& k : ready_) {
      if (pred(k.id) && startable_(k.id)) return k.id;
    }
    return std::nullopt;
  }
  std::optional<TaskId> first() const {
    return first([](TaskId) { return true; });
  }
  bool empty() const { return ready_.empty(); }

 private:
  const std::set<Key>& ready_;
  std::function<bool(TaskId)> startable_;
};

class Policy {
 public:
  virtual ~Policy() = default;
  // The task worker `worker` starts now, or nothing to let it wait.
  virtual std::optional<TaskId> choose(const ReadyTasks& ready, int /*worker*/) {
    return ready.first();
  }
  virtual void started(TaskId /*task*/, int /*worker*/) {}
  virtual void finished(TaskId /*task*/, int /*worker*/) {}
  // Periodic: returns true when choose() may now answer differently.
  virtual bool tick(Clock::time_point /*now*/) { return false; }
};

class Worker {
 public:
  virtual ~Worker() = default;
  // Runs `task`; `attempt` counts from 1 (a retry may need to redo more).
  virtual Status run(TaskId task, int attempt) = 0;
  // Drops what a failed attempt may have left (sessions mid-transaction).
  virtual void reset() {}
  // From another thread: stop what run() is doing now (PQcancel).
  virtual void cancel() {}
};

struct PoolOptions {
  RetryPolicy retry;
  Clock* clock = nullptr;  // steady_clock() when null
  std::chrono::milliseconds tick{200};
  // The cancel signal; core's cancelled() (Ctrl-C, `pgshuttle cancel`) when empty.
  std::function<bool()> cancelled;
};

struct PoolOutcome {
  std::optional<Error> error;    // the failure that stopped the run
  std::optional<TaskId> failed;  // its task
  int attempts = 0;              // how often the failed task was tried
  bool cancelled = false;
  size_t done = 0;  // tasks finished
  int retries = 0;
  // Tasks never started because what they wait for never finished (a cycle).
  size_t stranded = 0;
};

PoolOutcome run_tasks(const TaskGraph& graph, const std::vector<Worker*>& workers, Policy& policy,
                      const PoolOptions& options);

}  // namespace pgshuttle::exec
