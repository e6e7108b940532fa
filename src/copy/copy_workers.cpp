#include "copy/copy_workers.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

#include "copy/large_objects.h"
#include "core/cancel.h"
#include "core/log.h"
#include "ddl/ddl_apply.h"
#include "exec/task_pool.h"
#include "pg/data_session.h"
#include "sql/copy.h"

namespace pgshuttle::copy {

Result<pg::Connection> open_snapshot_session(const pg::ConnInfo& source,
                                             const std::string& snapshot,
                                             const std::string& client_encoding) {
  PGS_ASSIGN_OR_RETURN(auto conn,
                       pg::connect_data_session(source, pg::Side::kSource, client_encoding));
  PGS_TRY(conn.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  PGS_TRY(conn.exec("SET TRANSACTION SNAPSHOT " + conn.quote_literal(snapshot)));
  return conn;
}

namespace {

enum class UnitKind { kCopy, kBuild, kFinish, kFree, kLinked, kLargeObjects };

struct Unit {
  UnitKind kind = UnitKind::kCopy;
  int table = -1;
  int index = -1;  // range (-1: the whole table), build, free or linked unit
};

bool is_data(const Unit& u) {
  return u.kind == UnitKind::kCopy || u.kind == UnitKind::kLargeObjects;
}

// A copy unit's share of its table's on-disk size.
uint64_t planned_bytes(const TableInfo& t, int range) {
  auto bytes = static_cast<uint64_t>(std::max<int64_t>(t.bytes, 0));
  if (range < 0 || t.ranges <= 1) return bytes;
  uint64_t share = bytes / static_cast<uint64_t>(t.ranges);
  return range == t.ranges - 1 ? bytes - share * static_cast<uint64_t>(t.ranges - 1) : share;
}

std::string unit_key(const TableInfo& t, int range) {
  return range < 0 ? "table:" + t.qualified : fmt::format("range:{}:{}", t.qualified, range);
}

// The units of a copy as a task graph (exec/task_pool.h): a table's builds
// wait for all of its copy units, its finish for all of its builds, a
// linked unit for both of its tables' last stage. Builds, finishes and
// linked units go before copies (they overlap with other tables' copies),
// the slowest builds first; copies go in table order; free units and the
// large objects last.
struct UnitGraph {
  exec::TaskGraph graph;
  std::vector<Unit> units;  // by task id

  exec::TaskId add(Unit u, exec::Task t) {
    units.push_back(u);
    return graph.add(std::move(t));
  }
};

constexpr int kPriorityPost = 2, kPriorityCopy = 1, kPriorityLast = 0;

UnitGraph unit_graph(const WorkPlan& plan, CopyState& state) {
  UnitGraph g;
  std::map<std::string, int> table_of;
  for (size_t i = 0; i < plan.tables.size(); ++i) {
    table_of[plan.tables[i].qualified] = static_cast<int>(i);
  }
  std::vector<std::vector<exec::TaskId>> last_stage(plan.tables.size());
  for (size_t i = 0; i < plan.tables.size(); ++i) {
    const TableInfo& t = plan.tables[i];
    int table = static_cast<int>(i);
    std::vector<exec::TaskId> copies;
    if (plan.copy_data) {
      int n = t.ranges > 1 ? t.ranges : 1;
      for (int r = 0; r < n; ++r) {
        int range = t.ranges > 1 ? r : -1;
        if (state.is_done(unit_key(t, range))) continue;
        std::string label = range < 0 ? "table " + t.qualified
                                      : fmt::format("table {} range {}/{}", t.qualified, r + 1, n);
        copies.push_back(g.add({UnitKind::kCopy, table, range}, {label, {}, kPriorityCopy}));
      }
    }
    auto post = plan.post_by_table.find(t.qualified);
    if (post == plan.post_by_table.end()) {
      last_stage[i] = copies;
      continue;
    }
    std::vector<exec::TaskId> builds;
    for (size_t b = 0; b < post->second.builds.size(); ++b) {
      const DdlUnit& unit = post->second.builds[b];
      const ddl::DdlItem& item = unit.steps.front().item;
      exec::Task task{"index " + ddl::item_label(item), copies, kPriorityPost,
                      static_cast<uint64_t>(ddl::build_cost(item.sql))};
      builds.push_back(g.add({UnitKind::kBuild, table, static_cast<int>(b)}, std::move(task)));
    }
    if (builds.empty()) builds = copies;
    if (post->second.finish.steps.empty()) {
      last_stage[i] = builds;
      continue;
    }
    last_stage[i] = {
        g.add({UnitKind::kFinish, table, -1}, {"finish " + t.qualified, builds, kPriorityPost})};
  }
  for (size_t u = 0; u < plan.linked.size(); ++u) {
    const LinkedUnit& l = plan.linked[u];
    exec::Task task{"foreign key on " + l.table, {}, kPriorityPost};
    for (const std::string& name : {l.table, l.referenced}) {
      auto it = table_of.find(name);
      if (it == table_of.end()) continue;
      const auto& stage = last_stage[static_cast<size_t>(it->second)];
      task.waits_for.insert(task.waits_for.end(), stage.begin(), stage.end());
    }
    g.add({UnitKind::kLinked, -1, static_cast<int>(u)}, std::move(task));
  }
  for (size_t f = 0; f < plan.free_units.size(); ++f) {
    g.add({UnitKind::kFree, -1, static_cast<int>(f)},
          {"validate " + ddl::item_label(plan.free_units[f].steps.back().item), {}, kPriorityLast});
  }
  if (plan.copy_data && plan.copy_large_objects && !state.is_done("large-objects")) {
    g.add({UnitKind::kLargeObjects, -1, -1}, {"large objects", {}, kPriorityLast});
  }
  return g;
}

class CopyWorker : public exec::Worker {
 public:
  CopyWorker(const CopyOptions& o, const std::string& snapshot, const WorkPlan& plan,
             const UnitGraph& units, CopyState& state, WorkTotals& totals)
      : o_(o), snapshot_(snapshot), plan_(plan), units_(units), state_(state), totals_(totals) {}

  Status run(exec::TaskId task, int /*attempt*/) override {
    const Unit& unit = units_.units[task];
    PGS_TRY(run_unit(unit));
    ++(is_data(unit) ? totals_.data_units_done : totals_.post_units_done);
    return ok_status();
  }
  // A failed unit may leave a session mid-COPY or mid-transaction: drop both.
  void reset() override {
    std::lock_guard lock(mu_);
    source_.reset();
    target_.reset();
    ddl_ready_ = false;
  }
  void cancel() override {
    std::lock_guard lock(mu_);
    if (source_) source_->cancel_running();
    if (target_) target_->cancel_running();
  }

 private:
  const TablePost* post_of(int table) const {
    auto it = plan_.post_by_table.find(plan_.tables[table].qualified);
    return it == plan_.post_by_table.end() ? nullptr : &it->second;
  }
  Status run_unit(const Unit& unit);
  Status ensure(bool need_source);
  Status copy_unit(const Unit& unit);
  Status ddl_unit(const DdlUnit& unit);
  Status large_objects_unit();

  const CopyOptions& o_;
  const std::string& snapshot_;
  const WorkPlan& plan_;
  const UnitGraph& units_;
  CopyState& state_;
  WorkTotals& totals_;
  std::mutex mu_;  // guards the sessions' lifetime against cancel()
  std::optional<pg::Connection> source_, target_;
  bool ddl_ready_ = false;  // the target session has the post-data settings
};

Status CopyWorker::ensure(bool need_source) {
  if (need_source && !source_) {
    PGS_ASSIGN_OR_RETURN(auto c,
                         open_snapshot_session(o_.source, snapshot_, plan_.client_encoding));
    std::lock_guard lock(mu_);
    source_.emplace(std::move(c));
  }
  if (!target_) {
    PGS_ASSIGN_OR_RETURN(
        auto c, pg::connect_data_session(o_.target, pg::Side::kTarget, plan_.client_encoding));
    std::lock_guard lock(mu_);
    target_.emplace(std::move(c));
  }
  return ok_status();
}

Status CopyWorker::run_unit(const Unit& unit) {
  switch (unit.kind) {
    case UnitKind::kCopy:
      return copy_unit(unit);
    case UnitKind::kBuild:
      return ddl_unit(post_of(unit.table)->builds[unit.index]);
    case UnitKind::kFinish:
      return ddl_unit(post_of(unit.table)->finish);
    case UnitKind::kFree:
      return ddl_unit(plan_.free_units[unit.index]);
    case UnitKind::kLinked:
      return ddl_unit(plan_.linked[unit.index].unit);
    case UnitKind::kLargeObjects:
      return large_objects_unit();
  }
  return ok_status();
}

Status CopyWorker::copy_unit(const Unit& unit) {
  PGS_TRY(ensure(true));
  const TableInfo& t = plan_.tables[unit.table];
  std::optional<CtidRange> range;
  if (unit.index >= 0) range = range_of(t.pages, unit.index, t.ranges);
  auto start = std::chrono::steady_clock::now();
  auto r = stream_unit(*source_, *target_, t, range, &totals_.bytes, o_.data_only);
  if (!r.ok()) return std::move(r).error().with_context("table " + t.qualified);
  totals_.rows += r->rows;
  PGS_TRY(state_.mark_done(unit_key(t, unit.index)));
  totals_.bytes_settled += static_cast<uint64_t>(r->bytes);
  totals_.data_settled += planned_bytes(t, unit.index);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log::info("copied {}{}: {} rows, {} bytes ({}) in {:.2f}s", t.qualified,
            unit.index >= 0 ? fmt::format(" range {}/{}", unit.index + 1, t.ranges) : "", r->rows,
            r->bytes, t.binary ? "binary" : "text", secs);
  return ok_status();
}

Status CopyWorker::ddl_unit(const DdlUnit& unit) {
  PGS_TRY(ensure(false));
  pg::Connection& c = *target_;
  if (!ddl_ready_) {
    PGS_TRY(c.exec(plan_.preamble));
    PGS_TRY(c.exec("SET maintenance_work_mem = " + c.quote_literal(o_.maintenance_work_mem)));
    PGS_TRY(c.exec(fmt::format("SET max_parallel_maintenance_workers = {}",
                               o_.max_parallel_maintenance_workers)));
    ddl_ready_ = true;
  }
  const ddl::ApplyPolicy& policy = plan_.policy;
  for (const auto& step : unit.steps) {
    if (state_.is_done(step.key)) continue;
    if (cancelled()) return make_error(ErrorCode::kCancelled, "copy cancelled");
    auto start = std::chrono::steady_clock::now();
    bool there = false;
    if (!step.done_if.empty()) {
      PGS_ASSIGN_OR_RETURN(auto found, c.query(step.done_if));
      there = found.rows() > 0;
    }
    if (!there) {
      PGS_ASSIGN_OR_RETURN(auto outcome, ddl::apply_item(c, step.item, policy));
      // Kept with the run, so that a resumed run's summary counts it too.
      if (outcome == ddl::ApplyOutcome::kWarned) {
        PGS_TRY(state_.note(ddl::item_label(step.item), CopyState::Outcome::kWarned));
      }
      if (outcome == ddl::ApplyOutcome::kSkippedUnsupported) {
        PGS_TRY(state_.note(ddl::item_label(step.item), CopyState::Outcome::kSkipped));
      }
      ++totals_.ddl_items;
    }
    PGS_TRY(state_.mark_done(step.key));
    log::debug("{} in {:.2f}s", step.key,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return ok_status();
}

Status CopyWorker::large_objects_unit() {
  PGS_TRY(ensure(true));
  PGS_ASSIGN_OR_RETURN(auto oids, source_->query(sql::copy::large_objects));
  for (int i = 0; i < oids.rows(); ++i) {
    std::optional<std::string> comment;
    if (!oids.is_null(i, 1)) comment = oids.get(i, 1);
    PGS_TRY(copy_large_object(*source_, *target_, oids.get(i, 0), comment));
    ++totals_.large_objects;
  }
  return state_.mark_done("large-objects");
}

}  // namespace

void show_progress(Progress& progress, const WorkTotals& totals) {
  int data_done = totals.data_units_done, data_units = totals.data_units;
  if (data_done < data_units || totals.post_units == 0) {
    uint64_t planned = totals.data_planned, settled = totals.data_settled;
    uint64_t running =
        totals.bytes.load() - std::min(totals.bytes.load(), totals.bytes_settled.load());
    progress.set_phase("data");
    progress.set_total(planned);
    progress.set_done(std::min(planned, settled + running));
    return;
  }
  progress.set_phase("indexes", static_cast<uint64_t>(totals.post_units.load()));
  progress.set_total(totals.data_planned);
  progress.set_done(totals.data_planned);
  progress.set_items(static_cast<uint64_t>(totals.post_units_done.load()),
                     static_cast<uint64_t>(totals.post_units.load()));
}

Status run_workers(const CopyOptions& options, const std::string& snapshot, const WorkPlan& plan,
                   CopyState& state, WorkTotals& totals) {
  UnitGraph units = unit_graph(plan, state);
  int data_units = 0, post_units = 0;
  uint64_t planned = 0;
  for (const Unit& u : units.units) {
    ++(is_data(u) ? data_units : post_units);
    if (u.kind == UnitKind::kCopy) planned += planned_bytes(plan.tables[u.table], u.index);
  }
  totals.data_planned = planned;
  totals.post_units = post_units;
  totals.data_units = data_units;  // last: show_progress reads it first
  std::vector<std::unique_ptr<CopyWorker>> workers;
  std::vector<exec::Worker*> pool;
  for (int i = 0; i < std::max(1, options.jobs); ++i) {
    workers.push_back(std::make_unique<CopyWorker>(options, snapshot, plan, units, state, totals));
    pool.push_back(workers.back().get());
  }
  exec::Policy policy;
  exec::PoolOptions po;
  po.retry.max_attempts = options.max_attempts;
  exec::PoolOutcome ran = exec::run_tasks(units.graph, pool, policy, po);
  totals.retries += ran.retries;
  if (ran.cancelled) return make_error(ErrorCode::kCancelled, "copy cancelled");
  if (ran.error) {
    Error e = *ran.error;
    if (ran.attempts > 1) e.message += fmt::format(" (after {} attempts)", ran.attempts);
    return e;
  }
  if (ran.stranded > 0) {
    return make_error(
        ErrorCode::kInternal,
        fmt::format("{} copy units waited for work that never finished", ran.stranded));
  }
  return ok_status();
}

}  // namespace pgshuttle::copy
