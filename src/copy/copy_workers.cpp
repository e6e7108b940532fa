#include "copy/copy_workers.h"

#include <fmt/format.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <thread>

#include "core/cancel.h"
#include "core/log.h"
#include "ddl/ddl_apply.h"
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

bool is_retryable(const Error& e) {
  if (e.code != ErrorCode::kSource && e.code != ErrorCode::kTarget) return false;
  return e.sqlstate.empty() || e.sqlstate.rfind("08", 0) == 0 ||  // connection exception
         e.sqlstate == "57P01" || e.sqlstate == "57P02" ||        // terminated / crashed
         e.sqlstate == "57P03" || e.sqlstate == "40001" || e.sqlstate == "40P01";
}

namespace {

enum class UnitKind { kCopy, kBuild, kFinish, kFree, kLinked, kLargeObjects };

struct Unit {
  UnitKind kind = UnitKind::kCopy;
  int table = -1;
  int index = -1;  // range (-1: the whole table), build, free or linked unit
};

std::string unit_key(const TableInfo& t, int range) {
  return range < 0 ? "table:" + t.qualified : fmt::format("range:{}:{}", t.qualified, range);
}

class Scheduler {
 public:
  Scheduler(const CopyOptions& o, const std::string& snapshot, const WorkPlan& plan,
            CopyState& state, WorkTotals& totals)
      : o_(o), snapshot_(snapshot), plan_(plan), state_(state), totals_(totals) {}

  Status run();

 private:
  struct Sessions {
    std::optional<pg::Connection> source, target;
    bool ddl_ready = false;  // the target session has the post-data settings
  };
  void enqueue_initial();
  void enqueue_post(int table);
  void table_finished(int table);
  const TablePost* post_of(int table) const;
  void worker();
  std::optional<Unit> next();
  void finished(const Unit& unit);
  Status run_with_retries(Sessions& s, const Unit& unit);
  Status run_unit(Sessions& s, const Unit& unit);
  Status ensure(Sessions& s, bool need_source);
  Status copy_unit(Sessions& s, const Unit& unit);
  Status ddl_unit(Sessions& s, const DdlUnit& unit);
  Status large_objects_unit(Sessions& s);

  const CopyOptions& o_;
  const std::string& snapshot_;
  const WorkPlan& plan_;
  CopyState& state_;
  WorkTotals& totals_;

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Unit> queue_;
  std::vector<int> remaining_;                       // copy units left per table before its builds
  std::vector<int> builds_left_;                     // builds left per table before its finish
  std::map<std::string, std::vector<int>> waiting_;  // table -> linked units
  std::vector<int> linked_left_;                     // tables each linked unit still waits for
  int active_ = 0;
  std::optional<Error> error_;
};

const TablePost* Scheduler::post_of(int table) const {
  auto it = plan_.post_by_table.find(plan_.tables[table].qualified);
  return it == plan_.post_by_table.end() ? nullptr : &it->second;
}

// Called with mu_ held (or before the workers start).
void Scheduler::enqueue_post(int table) {
  const TablePost* post = post_of(table);
  if (post == nullptr) {
    table_finished(table);
    return;
  }
  builds_left_[table] = static_cast<int>(post->builds.size());
  // Index builds of a loaded table go first: they overlap with other copies.
  for (int b = builds_left_[table] - 1; b >= 0; --b) {
    queue_.push_front({UnitKind::kBuild, table, b});
  }
  if (builds_left_[table] == 0) {
    if (post->finish.steps.empty()) {
      table_finished(table);
    } else {
      queue_.push_front({UnitKind::kFinish, table, -1});
    }
  }
}

// Called with mu_ held (or before the workers start).
void Scheduler::table_finished(int table) {
  auto it = waiting_.find(plan_.tables[table].qualified);
  if (it == waiting_.end()) return;
  for (int u : it->second) {
    if (--linked_left_[u] == 0) queue_.push_front({UnitKind::kLinked, -1, u});
  }
}

void Scheduler::enqueue_initial() {
  remaining_.assign(plan_.tables.size(), 0);
  builds_left_.assign(plan_.tables.size(), 0);
  linked_left_.assign(plan_.linked.size(), 0);
  for (size_t u = 0; u < plan_.linked.size(); ++u) {
    const auto& l = plan_.linked[u];
    waiting_[l.table].push_back(static_cast<int>(u));
    linked_left_[u] = 1;
    if (l.referenced != l.table) {  // not a key on its own table
      waiting_[l.referenced].push_back(static_cast<int>(u));
      ++linked_left_[u];
    }
  }
  std::vector<int> post_ready;
  for (size_t i = 0; i < plan_.tables.size(); ++i) {
    const auto& t = plan_.tables[i];
    if (plan_.copy_data) {
      int n = t.ranges > 1 ? t.ranges : 1;
      for (int r = 0; r < n; ++r) {
        int range = t.ranges > 1 ? r : -1;
        if (state_.is_done(unit_key(t, range))) continue;
        queue_.push_back({UnitKind::kCopy, static_cast<int>(i), range});
        ++remaining_[i];
      }
    }
    if (remaining_[i] == 0) post_ready.push_back(static_cast<int>(i));
  }
  for (int i : post_ready) enqueue_post(i);
  for (size_t f = 0; f < plan_.free_units.size(); ++f) {
    queue_.push_back({UnitKind::kFree, -1, static_cast<int>(f)});
  }
  if (plan_.copy_data && plan_.copy_large_objects && !state_.is_done("large-objects")) {
    queue_.push_back({UnitKind::kLargeObjects, -1, -1});
  }
}

std::optional<Unit> Scheduler::next() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return error_ || !queue_.empty() || active_ == 0; });
  if (error_ || queue_.empty()) return std::nullopt;
  Unit u = queue_.front();
  queue_.pop_front();
  ++active_;
  return u;
}

void Scheduler::finished(const Unit& unit) {
  std::lock_guard lock(mu_);
  --active_;
  if (unit.kind == UnitKind::kCopy && --remaining_[unit.table] == 0) {
    enqueue_post(unit.table);
  } else if (unit.kind == UnitKind::kBuild && --builds_left_[unit.table] == 0) {
    if (post_of(unit.table)->finish.steps.empty()) {
      table_finished(unit.table);
    } else {
      queue_.push_front({UnitKind::kFinish, unit.table, -1});
    }
  } else if (unit.kind == UnitKind::kFinish) {
    table_finished(unit.table);
  }
  cv_.notify_all();
}

void Scheduler::worker() {
  Sessions sessions;
  while (auto unit = next()) {
    Status st = run_with_retries(sessions, *unit);
    if (!st.ok()) {
      std::lock_guard lock(mu_);
      if (!error_) error_ = st.error();
      --active_;
      cv_.notify_all();
      return;
    }
    finished(*unit);
  }
}

Status Scheduler::run_with_retries(Sessions& s, const Unit& unit) {
  for (int attempt = 1;; ++attempt) {
    if (cancelled()) return make_error(ErrorCode::kCancelled, "copy cancelled");
    Status st = run_unit(s, unit);
    if (st.ok()) return st;
    // A failed unit may leave a session mid-COPY or mid-transaction: drop both.
    s.source.reset();
    s.target.reset();
    s.ddl_ready = false;
    if (!is_retryable(st.error()) || attempt >= o_.max_attempts) return st;
    ++totals_.retries;
    auto delay = std::chrono::milliseconds(250 << attempt);
    log::warn("retrying after a lost connection (attempt {} of {}, in {} ms): {}", attempt + 1,
              o_.max_attempts, delay.count(), st.error().message);
    std::this_thread::sleep_for(delay);
  }
}

Status Scheduler::ensure(Sessions& s, bool need_source) {
  if (need_source && !s.source) {
    PGS_ASSIGN_OR_RETURN(auto c,
                         open_snapshot_session(o_.source, snapshot_, plan_.client_encoding));
    s.source.emplace(std::move(c));
  }
  if (!s.target) {
    PGS_ASSIGN_OR_RETURN(
        auto c, pg::connect_data_session(o_.target, pg::Side::kTarget, plan_.client_encoding));
    s.target.emplace(std::move(c));
  }
  return ok_status();
}

Status Scheduler::run_unit(Sessions& s, const Unit& unit) {
  switch (unit.kind) {
    case UnitKind::kCopy:
      return copy_unit(s, unit);
    case UnitKind::kBuild:
      return ddl_unit(s, post_of(unit.table)->builds[unit.index]);
    case UnitKind::kFinish:
      return ddl_unit(s, post_of(unit.table)->finish);
    case UnitKind::kFree:
      return ddl_unit(s, plan_.free_units[unit.index]);
    case UnitKind::kLinked:
      return ddl_unit(s, plan_.linked[unit.index].unit);
    case UnitKind::kLargeObjects:
      return large_objects_unit(s);
  }
  return ok_status();
}

Status Scheduler::copy_unit(Sessions& s, const Unit& unit) {
  PGS_TRY(ensure(s, true));
  const TableInfo& t = plan_.tables[unit.table];
  std::optional<CtidRange> range;
  if (unit.index >= 0) range = range_of(t.pages, unit.index, t.ranges);
  auto start = std::chrono::steady_clock::now();
  auto r = stream_unit(*s.source, *s.target, t, range, &totals_.bytes, o_.data_only);
  if (!r.ok()) return std::move(r).error().with_context("table " + t.qualified);
  totals_.rows += r->rows;
  PGS_TRY(state_.mark_done(unit_key(t, unit.index)));
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  log::info("copied {}{}: {} rows, {} bytes ({}) in {:.2f}s", t.qualified,
            unit.index >= 0 ? fmt::format(" range {}/{}", unit.index + 1, t.ranges) : "", r->rows,
            r->bytes, t.binary ? "binary" : "text", secs);
  return ok_status();
}

Status Scheduler::ddl_unit(Sessions& s, const DdlUnit& unit) {
  PGS_TRY(ensure(s, false));
  pg::Connection& c = *s.target;
  if (!s.ddl_ready) {
    PGS_TRY(c.exec(plan_.preamble));
    PGS_TRY(c.exec("SET maintenance_work_mem = " + c.quote_literal(o_.maintenance_work_mem)));
    PGS_TRY(c.exec(fmt::format("SET max_parallel_maintenance_workers = {}",
                               o_.max_parallel_maintenance_workers)));
    s.ddl_ready = true;
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
      if (outcome == ddl::ApplyOutcome::kWarned) ++totals_.warnings;
      if (outcome == ddl::ApplyOutcome::kSkippedUnsupported) {
        std::lock_guard lock(totals_.skipped_mutex);
        totals_.skipped_unsupported.push_back(ddl::item_label(step.item));
      }
      ++totals_.ddl_items;
    }
    PGS_TRY(state_.mark_done(step.key));
    log::debug("{} in {:.2f}s", step.key,
               std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return ok_status();
}

Status Scheduler::large_objects_unit(Sessions& s) {
  PGS_TRY(ensure(s, true));
  PGS_ASSIGN_OR_RETURN(auto oids, s.source->query(sql::copy::large_objects));
  constexpr int kChunk = 1 << 20;
  for (int i = 0; i < oids.rows(); ++i) {
    std::string oid = oids.get(i, 0);
    // The object exists when pre-data ran (lo_create); create it otherwise.
    PGS_TRY(
        s.target->query("SELECT lo_create($1::oid) WHERE NOT EXISTS (SELECT 1 FROM "
                        "pg_largeobject_metadata WHERE oid = $1::oid)",
                        {oid}));
    for (int64_t off = 0;; off += kChunk) {
      PGS_ASSIGN_OR_RETURN(auto part,
                           s.source->query("SELECT lo_get($1::oid, $2::bigint, $3)",
                                           {oid, std::to_string(off), std::to_string(kChunk)}));
      std::string hex = part.get(0, 0);
      if (hex.size() <= 2) break;  // "\x": past the end
      PGS_TRY(s.target->query("SELECT lo_put($1::oid, $2::bigint, $3::bytea)",
                              {oid, std::to_string(off), hex}));
      if (static_cast<int64_t>(hex.size() - 2) / 2 < kChunk) break;
    }
    if (!oids.is_null(i, 1)) {
      PGS_TRY(s.target->exec("COMMENT ON LARGE OBJECT " + oid + " IS " +
                             s.target->quote_literal(oids.get(i, 1))));
    }
    ++totals_.large_objects;
  }
  return state_.mark_done("large-objects");
}

Status Scheduler::run() {
  enqueue_initial();
  int n = std::max(1, o_.jobs);
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i) threads.emplace_back([this] { worker(); });
  for (auto& t : threads) t.join();
  if (error_) return *error_;
  return ok_status();
}

}  // namespace

Status run_workers(const CopyOptions& options, const std::string& snapshot, const WorkPlan& plan,
                   CopyState& state, WorkTotals& totals) {
  Scheduler scheduler(options, snapshot, plan, state, totals);
  return scheduler.run();
}

}  // namespace pgshuttle::copy
