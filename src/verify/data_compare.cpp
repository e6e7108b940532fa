#include "verify/data_compare.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "core/cancel.h"
#include "core/log.h"
#include "core/progress.h"
#include "exec/task_pool.h"

namespace pgshuttle::verify {
namespace {

using Params = std::vector<std::optional<std::string>>;
using Clock = std::chrono::steady_clock;

// Keyless tables larger than this are not compared row by row.
constexpr int64_t kMultisetRowLimit = 1000000;
constexpr size_t kMaxShownRowText = 300;

struct Checksum {
  int64_t rows = 0;
  std::string high, low;
  bool operator==(const Checksum& o) const {
    return rows == o.rows && high == o.high && low == o.low;
  }
};

std::string shorten(std::string s) {
  if (s.size() > kMaxShownRowText) s = s.substr(0, kMaxShownRowText) + "...";
  return s;
}

struct Worker {
  pg::Connection source;
  pg::Connection target;

  // Runs `sql` on both sides at once: the target on a helper thread.
  Result<std::pair<pg::QueryResult, pg::QueryResult>> both(const std::string& sql,
                                                           const Params& params) {
    auto on_target = std::async(std::launch::async, [&] { return target.query(sql, params); });
    auto s = source.query(sql, params);
    auto t = on_target.get();
    if (!s.ok()) return std::move(s).error();
    if (!t.ok()) return std::move(t).error();
    return std::make_pair(std::move(*s), std::move(*t));
  }

  Result<std::pair<Checksum, Checksum>> checksums(const TablePlan& plan, const KeyRange& range) {
    PGS_ASSIGN_OR_RETURN(auto r, both(checksum_sql(plan, range), range_params(range)));
    auto read = [](const pg::QueryResult& q) {
      return Checksum{q.get_int(0, 0), q.get(0, 1), q.get(0, 2)};
    };
    return std::make_pair(read(r.first), read(r.second));
  }
};

// (exec::Worker's name hides this one inside a pool worker.)
using Sessions = Worker;

// Collects one table's findings; merged into the shared outcome under a lock.
struct TableFindings {
  int64_t missing = 0, extra = 0, changed = 0;
  std::vector<Difference> rows;
};

Difference row_difference(const TablePlan& plan, const std::string& key, std::string problem) {
  Difference d;
  d.kind = "row";
  d.object = plan.table.qualified() + (key.empty() ? "" : " " + key);
  d.problem = std::move(problem);
  return d;
}

struct FetchedRow {
  std::string hash;
  std::vector<std::optional<std::string>> values;
};

// Rows of rows_sql() by key.
std::map<KeyValue, FetchedRow> index_rows(const pg::QueryResult& q, size_t nkey) {
  std::map<KeyValue, FetchedRow> rows;
  int first_value = static_cast<int>(nkey) + 1;
  for (int i = 0; i < q.rows(); ++i) {
    KeyValue k;
    for (int c = 0; c < static_cast<int>(nkey); ++c) k.push_back(q.get(i, c));
    FetchedRow row{q.get(i, static_cast<int>(nkey)), {}};
    for (int c = first_value; c < q.columns(); ++c) row.values.push_back(q.get_optional(i, c));
    rows[std::move(k)] = std::move(row);
  }
  return rows;
}

// "name=value, ..." of every column, or only of those marked in `only`.
std::string show_values(const std::vector<Column>& columns,
                        const std::vector<std::optional<std::string>>& values,
                        const std::vector<bool>* only) {
  std::vector<std::string> parts;
  for (size_t c = 0; c < columns.size() && c < values.size(); ++c) {
    if (only && !(*only)[c]) continue;
    parts.push_back(columns[c].name + "=" + (values[c] ? *values[c] : "NULL"));
  }
  return fmt::format("{}", fmt::join(parts, ", "));
}

class Comparer {
 public:
  Comparer(const std::vector<TablePlan>& plans, const VerifyOptions& options)
      : plans_(plans), options_(options), outcomes_(plans.size()) {
    uint64_t total = 0;
    for (size_t i = 0; i < plans.size(); ++i) {
      auto& r = outcomes_[i].result;
      r.schema = plans[i].table.schema;
      r.name = plans[i].table.name;
      r.has_key = !plans[i].table.key.empty();
      r.note = plans[i].note;
      for (size_t c = 0; c < plans[i].chunks.size(); ++c) tasks_.push_back({i, c});
      total += static_cast<uint64_t>(plans[i].table.estimated_rows);
    }
    progress_.set_total(total);
    progress_.set_phase("data");
  }

  Status run(const SideSnapshot& source, const SideSnapshot& target);
  std::vector<TableOutcome> take() { return std::move(outcomes_); }

 private:
  struct Task {
    size_t plan, chunk;
  };

  class ChunkWorker;
  Status run_task(Worker& w, const Task& task);
  Status bisect(Worker& w, const TablePlan& plan, const KeyRange& range, const Checksum& s,
                const Checksum& t, TableFindings& f, int depth);
  Status compare_rows(Worker& w, const TablePlan& plan, const KeyRange& range, TableFindings& f);
  Status compare_multiset(Worker& w, const TablePlan& plan, TableFindings& f);
  void add_row(TableFindings& f, Difference d);

  const std::vector<TablePlan>& plans_;
  const VerifyOptions& options_;
  Progress progress_{"verify", ProgressUnit::kRows, 0};
  std::vector<TableOutcome> outcomes_;
  std::vector<Task> tasks_;
  std::mutex mutex_;  // outcomes_
};

// A pool worker (exec/task_pool.h) with a session on each side, opened on
// first use and dropped by reset(), so that a chunk interrupted by a lost
// session is compared again on new ones (a chunk's findings are merged
// only once it completes).
class Comparer::ChunkWorker : public exec::Worker {
 public:
  ChunkWorker(Comparer& c, const SideSnapshot& source, const SideSnapshot& target)
      : c_(c), source_(source), target_(target) {}

  Status run(exec::TaskId task, int /*attempt*/) override {
    if (!w_) {
      PGS_ASSIGN_OR_RETURN(auto src, source_.open_worker());
      PGS_ASSIGN_OR_RETURN(auto tgt, target_.open_worker());
      std::lock_guard lock(mu_);
      w_.emplace(Sessions{std::move(src), std::move(tgt)});
    }
    return c_.run_task(*w_, c_.tasks_[task]);
  }
  void reset() override {
    std::lock_guard lock(mu_);
    w_.reset();
  }
  void cancel() override {
    std::lock_guard lock(mu_);
    if (!w_) return;
    w_->source.cancel_running();
    w_->target.cancel_running();
  }

 private:
  Comparer& c_;
  const SideSnapshot& source_;
  const SideSnapshot& target_;
  std::mutex mu_;  // w_ against cancel() from the pool's watcher
  std::optional<Sessions> w_;
};

Status Comparer::run(const SideSnapshot& source, const SideSnapshot& target) {
  exec::TaskGraph graph;
  for (const Task& t : tasks_) {
    graph.add({fmt::format("{} chunk {}", plans_[t.plan].table.qualified(), t.chunk + 1),
               {},
               0,
               0,
               {},
               false});
  }
  int jobs = std::max(1, std::min<int>(options_.jobs, static_cast<int>(tasks_.size())));
  std::vector<std::unique_ptr<ChunkWorker>> owned;
  std::vector<exec::Worker*> workers;
  for (int j = 0; j < jobs; ++j) {
    owned.push_back(std::make_unique<ChunkWorker>(*this, source, target));
    workers.push_back(owned.back().get());
  }
  exec::Policy in_order;  // all chunks equal: in table order
  exec::PoolOutcome out = exec::run_tasks(graph, workers, in_order, {});
  // The total was the planner's row estimate: every chunk compared is all.
  if (!out.cancelled && !out.error) progress_.set_total(progress_.done());
  progress_.finish();
  if (out.cancelled) return make_error(ErrorCode::kCancelled, "verify cancelled");
  if (out.error) {
    Error e = *out.error;
    if (out.failed) e = e.with_context(graph[*out.failed].label);
    return e;
  }
  return ok_status();
}

Status Comparer::run_task(Worker& w, const Task& task) {
  const TablePlan& plan = plans_[task.plan];
  const KeyRange& range = plan.chunks[task.chunk];
  auto started = Clock::now();
  PGS_ASSIGN_OR_RETURN(auto sums, w.checksums(plan, range));
  TableFindings f;
  if (!(sums.first == sums.second)) {
    if (plan.table.key.empty()) {
      PGS_TRY(compare_multiset(w, plan, f));
    } else {
      PGS_TRY(bisect(w, plan, range, sums.first, sums.second, f, 0));
    }
  }
  double seconds = std::chrono::duration<double>(Clock::now() - started).count();
  progress_.add(static_cast<uint64_t>(sums.first.rows));
  std::lock_guard lock(mutex_);
  auto& out = outcomes_[task.plan];
  out.result.chunks++;
  out.result.source_rows += sums.first.rows;
  out.result.target_rows += sums.second.rows;
  out.result.seconds += seconds;
  out.result.missing_rows += f.missing;
  out.result.extra_rows += f.extra;
  out.result.changed_rows += f.changed;
  if (!(sums.first == sums.second)) out.result.status = TableStatus::kDiffer;
  for (auto& d : f.rows) {
    if (static_cast<int>(out.differences.size()) < options_.max_row_differences) {
      out.differences.push_back(std::move(d));
    }
  }
  return ok_status();
}

Status Comparer::bisect(Worker& w, const TablePlan& plan, const KeyRange& range, const Checksum& s,
                        const Checksum& t, TableFindings& f, int depth) {
  int64_t larger = std::max(s.rows, t.rows);
  if (larger <= options_.row_fetch_rows || depth > 60) return compare_rows(w, plan, range, f);
  // The median key of whichever side has more rows splits the range in two.
  pg::Connection& side = s.rows >= t.rows ? w.source : w.target;
  Params params = range_params(range);
  params.push_back(std::to_string(larger / 2));
  PGS_ASSIGN_OR_RETURN(auto mid_rows, side.query(key_at_offset_sql(plan, range), params));
  if (mid_rows.rows() == 0) return compare_rows(w, plan, range, f);
  KeyValue mid;
  for (int c = 0; c < mid_rows.columns(); ++c) mid.push_back(mid_rows.get(0, c));
  if (range.lower && *range.lower == mid) return compare_rows(w, plan, range, f);
  for (const KeyRange& half : {KeyRange{range.lower, mid}, KeyRange{mid, range.upper}}) {
    PGS_ASSIGN_OR_RETURN(auto sums, w.checksums(plan, half));
    if (sums.first == sums.second) continue;
    PGS_TRY(bisect(w, plan, half, sums.first, sums.second, f, depth + 1));
  }
  return ok_status();
}

void Comparer::add_row(TableFindings& f, Difference d) {
  if (static_cast<int>(f.rows.size()) < options_.max_row_differences) {
    f.rows.push_back(std::move(d));
  }
}

Status Comparer::compare_rows(Worker& w, const TablePlan& plan, const KeyRange& range,
                              TableFindings& f) {
  PGS_ASSIGN_OR_RETURN(auto r, w.both(rows_sql(plan, range), range_params(range)));
  auto src = index_rows(r.first, plan.table.key.size());
  auto tgt = index_rows(r.second, plan.table.key.size());
  for (const auto& [key, row] : src) {
    auto it = tgt.find(key);
    std::string name = describe_key(plan.table.key, key);
    if (it == tgt.end()) {
      f.missing++;
      auto d = row_difference(plan, name, "missing on target");
      d.source_value = shorten(show_values(plan.columns, row.values, nullptr));
      add_row(f, std::move(d));
    } else if (it->second.hash != row.hash) {
      f.changed++;
      auto d = row_difference(plan, name, "changed");
      std::vector<bool> differs(plan.columns.size());
      std::vector<std::string> changed;
      for (size_t c = 0; c < plan.columns.size(); ++c) {
        differs[c] = row.values[c] != it->second.values[c];
        if (differs[c]) changed.push_back(plan.columns[c].name);
      }
      d.property = fmt::format("{}", fmt::join(changed, ", "));
      d.source_value = shorten(show_values(plan.columns, row.values, &differs));
      d.target_value = shorten(show_values(plan.columns, it->second.values, &differs));
      add_row(f, std::move(d));
    }
  }
  for (const auto& [key, row] : tgt) {
    if (src.count(key)) continue;
    f.extra++;
    auto d = row_difference(plan, describe_key(plan.table.key, key), "extra on target");
    d.target_value = shorten(show_values(plan.columns, row.values, nullptr));
    add_row(f, std::move(d));
  }
  return ok_status();
}

Status Comparer::compare_multiset(Worker& w, const TablePlan& plan, TableFindings& f) {
  PGS_ASSIGN_OR_RETURN(auto r, w.both(multiset_sql(plan), {}));
  if (r.first.rows() > kMultisetRowLimit || r.second.rows() > kMultisetRowLimit) {
    return ok_status();
  }
  std::map<std::string, std::pair<int64_t, std::string>> counts;  // md5 -> (source - target)
  for (int i = 0; i < r.first.rows(); ++i) {
    auto& c = counts[r.first.get(i, 0)];
    c.first += r.first.get_int(i, 1);
    c.second = r.first.get(i, 2);
  }
  for (int i = 0; i < r.second.rows(); ++i) {
    auto& c = counts[r.second.get(i, 0)];
    c.first -= r.second.get_int(i, 1);
    c.second = r.second.get(i, 2);
  }
  for (const auto& [hash, c] : counts) {
    if (c.first == 0) continue;
    int64_t n = c.first > 0 ? c.first : -c.first;
    std::string copies = n > 1 ? fmt::format(" ({} copies)", n) : "";
    if (c.first > 0) {
      f.missing += n;
      auto d = row_difference(plan, "", "row missing on target" + copies);
      d.source_value = shorten(c.second);
      add_row(f, std::move(d));
    } else {
      f.extra += n;
      auto d = row_difference(plan, "", "extra row on target" + copies);
      d.target_value = shorten(c.second);
      add_row(f, std::move(d));
    }
  }
  return ok_status();
}

}  // namespace

Result<std::vector<TableOutcome>> compare_data(const SideSnapshot& source,
                                               const SideSnapshot& target,
                                               const std::vector<TablePlan>& plans,
                                               const VerifyOptions& options) {
  Comparer comparer(plans, options);
  PGS_TRY(comparer.run(source, target));
  return comparer.take();
}

}  // namespace pgshuttle::verify
