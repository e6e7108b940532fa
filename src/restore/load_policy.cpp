#include "restore/load_policy.h"

#include <fmt/format.h>

#include "core/log.h"

namespace pgshuttle::restore {

exec::TaskGraph task_graph(const RestorePlan& plan) {
  exec::TaskGraph g;
  for (const RestoreJob& j : plan.jobs) {
    exec::Task t;
    t.label = j.label;
    t.waits_for = j.waits_for;
    bool statement = j.kind == JobKind::kStatement;
    t.priority = statement ? 1 : 0;
    t.weight = statement ? j.weight : j.data_bytes;
    t.resources = j.tables;
    t.exclusive = j.exclusive;
    g.add(std::move(t));
  }
  return g;
}

LoadPolicy::LoadPolicy(const RestorePlan& plan, std::vector<const ReadMeter*> meters,
                       exec::Clock::time_point now)
    : plan_(plan), meters_(std::move(meters)), sampled_at_(now) {
  if (meters_.size() < 2) return;
  critical_ = critical_load(plan_).value_or(SIZE_MAX);
}

std::optional<exec::TaskId> LoadPolicy::choose(const exec::ReadyTasks& ready, int worker) {
  // A split load's sessions count against --jobs: the others wait for it,
  // and it starts only when nothing else runs.
  if (sessions_ >= static_cast<int>(meters_.size())) return std::nullopt;
  auto fits = [&](exec::TaskId t) { return plan_.jobs[t].sessions == 1 || sessions_ == 0; };
  if (critical_ != SIZE_MAX && !critical_started_) {
    if (auto c = ready.first([&](exec::TaskId t) { return t == critical_ && fits(t); })) return c;
  }
  auto load = [&](exec::TaskId t) { return is_load(t) && fits(t); };
  auto statement = [&](exec::TaskId t) { return !is_load(t); };
  bool loads_open = !(critical_running_ && (link_bound_ || awaiting_verdict_));
  bool lane = meters_.size() >= 2 && worker == static_cast<int>(meters_.size()) - 1;
  if (loads_open && link_bound_ && lane) {
    if (auto t = ready.first(load)) return t;
  }
  if (auto t = ready.first(statement)) return t;
  if (loads_open) return ready.first(load);
  return std::nullopt;
}

void LoadPolicy::started(exec::TaskId task, int worker) {
  sessions_ += plan_.jobs[task].sessions;
  if (!is_load(task)) return;
  const ReadMeter* m = meters_[static_cast<size_t>(worker)];
  loading_[worker] = Load{m->reads(), m->read_wait_ns(), false};
  if (task == critical_) {
    critical_started_ = critical_running_ = true;
    awaiting_verdict_ = true;  // other loads wait for the first verdict on this one
  }
}

void LoadPolicy::finished(exec::TaskId task, int worker) {
  sessions_ -= plan_.jobs[task].sessions;
  if (task == critical_) critical_running_ = awaiting_verdict_ = false;
  if (is_load(task)) loading_.erase(worker);
}

// Whether the loads running now spent most of the last interval waiting
// for the archive's bytes.
bool LoadPolicy::tick(exec::Clock::time_point now) {
  auto span = std::chrono::duration_cast<std::chrono::nanoseconds>(now - sampled_at_).count();
  if (span < 150'000'000) return false;
  sampled_at_ = now;
  // Only loads that stream since the last sample count: connecting and
  // starting COPY are not waiting for the archive.
  int64_t waited = 0, judged = 0;
  for (auto& [worker, load] : loading_) {
    const ReadMeter* m = meters_[static_cast<size_t>(worker)];
    int64_t reads = m->reads(), total = m->read_wait_ns();
    if (load.streaming) {
      waited += total - load.waited;
      ++judged;
    } else if (reads > load.reads) {
      load.streaming = true;
    }
    load.reads = reads;
    load.waited = total;
  }
  if (judged == 0) return false;  // nothing measured: keep the last verdict
  bool bound = waited * 2 > span * judged;
  bool wake = (awaiting_verdict_ && !bound) || link_bound_ != bound;
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
  link_bound_ = bound;
  return wake;
}

}  // namespace pgshuttle::restore
