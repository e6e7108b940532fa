// LoadPolicy: the order in which the parallel restore starts its jobs, as
// an exec::Policy for the shared task pool (exec/task_pool.h).
//
// Statements go before table loads, heaviest first, so a loaded table's
// indexes build while the other tables still load; loads go largest first
// (the pool's default order, with statements at a higher priority). A split
// load (restore_plan.h: split_loads) uses several target sessions at once;
// they count against the workers, so the others wait while it runs.
//
// A link meter samples, on the pool's tick, how much of their time the
// running loads spent waiting for the archive's bytes. When that is most of
// it (a slow link to the archive, not the target, is the bottleneck), the
// load that the slowest index build (GiST, GIN, exclusion) waits for — the
// critical load — streams alone, so that build starts as early as the link
// allows, and one worker (the data lane, the last) takes loads before
// statements so the link never idles while the others build indexes. Over a
// fast link or from a file the order is the one above.
//
// Thread safety: called by the pool with its lock held (task_pool.h).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "exec/task_pool.h"
#include "restore/restore_plan.h"

namespace pgshuttle::restore {

// What the meter reads of one worker: its reads of archive data so far and
// the time they spent waiting (a read still blocked counts up to now).
class ReadMeter {
 public:
  virtual ~ReadMeter() = default;
  virtual int64_t reads() const = 0;
  virtual int64_t read_wait_ns() const = 0;
};

// The graph of a plan: one task per job, in plan order (task i is job i).
exec::TaskGraph task_graph(const RestorePlan& plan);

class LoadPolicy : public exec::Policy {
 public:
  // `meters[i]` is worker i's; with fewer than two workers there is no
  // critical load and no data lane.
  LoadPolicy(const RestorePlan& plan, std::vector<const ReadMeter*> meters,
             exec::Clock::time_point now);

  std::optional<exec::TaskId> choose(const exec::ReadyTasks& ready, int worker) override;
  void started(exec::TaskId task, int worker) override;
  void finished(exec::TaskId task, int worker) override;
  bool tick(exec::Clock::time_point now) override;

  std::optional<size_t> critical() const {
    return critical_ == SIZE_MAX ? std::nullopt : std::optional<size_t>(critical_);
  }
  bool link_bound() const { return link_bound_; }

 private:
  bool is_load(exec::TaskId t) const { return plan_.jobs[t].kind != JobKind::kStatement; }

  const RestorePlan& plan_;
  std::vector<const ReadMeter*> meters_;
  size_t critical_ = SIZE_MAX;
  bool critical_started_ = false;
  bool critical_running_ = false;
  struct Load {
    int64_t reads = 0;       // the worker's reads when the load began, then at the last sample
    int64_t waited = 0;      // its read-wait time at the last sample
    bool streaming = false;  // judged from the first full interval after its first read
  };
  std::map<int, Load> loading_;  // by worker
  int sessions_ = 0;             // target sessions of the running jobs (a split load counts each)
  exec::Clock::time_point sampled_at_;
  bool link_bound_ = false;        // the meter's last verdict
  bool awaiting_verdict_ = false;  // the critical load runs, not yet judged: hold others
  bool told_link_ = false;
};

}  // namespace pgshuttle::restore
