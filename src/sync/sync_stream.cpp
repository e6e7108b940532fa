#include "sync/sync_stream.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <thread>
#include <variant>

#include "core/cancel.h"
#include "core/fault.h"
#include "core/human.h"
#include "core/log.h"
#include "core/parse_number.h"
#include "logical/replication_stream.h"
#include "maintenance/maintenance.h"
#include "sql/sync.h"

namespace pgshuttle::sync {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The insert position, not pg_current_wal_lsn() (the write position): with
// synchronous_commit = off a committed transaction's commit record may not
// be written yet, and a drain to the write position would miss it.
Result<logical::Lsn> current_wal_lsn(pg::Connection& source) {
  PGS_ASSIGN_OR_RETURN(auto r, source.query("SELECT pg_catalog.pg_current_wal_insert_lsn()::text"));
  auto lsn = logical::Lsn::parse(r.view(0, 0));
  if (!lsn) return make_error(ErrorCode::kSource, "the source sent an invalid WAL position");
  return *lsn;
}

class StreamLoop {
 public:
  StreamLoop(const SyncOptions& o, const StreamPlan& plan, state::RunStore& store,
             pg::Connection& source, TargetApplier& applier, logical::ReplicationStream& stream,
             LiveVerify* live)
      : o_(o),
        plan_(plan),
        store_(store),
        source_(source),
        applier_(applier),
        stream_(stream),
        live_(live) {}

  Result<Drained> run();

 private:
  Status on_message(const logical::PgOutputMessage& m);
  void mark_touched(const logical::PgOutputMessage& m);
  Status look_for_cutover();
  Status report(Clock::time_point now);
  double lag_seconds(int64_t lag_bytes) const;
  void warn_retained(int64_t retained, int64_t limit);

  const SyncOptions& o_;
  const StreamPlan& plan_;
  state::RunStore& store_;
  pg::Connection& source_;
  TargetApplier& applier_;
  logical::ReplicationStream& stream_;
  LiveVerify* live_;
  logical::Lsn commit_;  // of the transaction being received
  bool in_tx_ = false;
  bool skip_ = false;
  int64_t skipped_ = 0;
  Clock::time_point oldest_pending_;
  logical::PgTimestamp oldest_pending_commit_ = 0;  // of the first transaction not yet applied
  logical::PgTimestamp last_commit_ = 0;            // of the last transaction received
  int64_t retained_warned_ = 0;                     // the retained size last warned about
  std::optional<Drained> cutover_;
  Clock::time_point last_check_, last_report_, last_reply_;
  int64_t changes_at_report_ = 0;
  int64_t flushes_ = 0;
};

// The rows a change touches, for the live verify: marked with the
// transaction's commit position.
void StreamLoop::mark_touched(const logical::PgOutputMessage& m) {
  if (const auto* i = std::get_if<logical::Insert>(&m)) {
    live_->touched(i->relation_id, i->new_tuple, commit_);
  } else if (const auto* u = std::get_if<logical::Update>(&m)) {
    if (u->old_kind != logical::OldRow::kNone)
      live_->touched(u->relation_id, u->old_tuple, commit_);
    live_->touched(u->relation_id, u->new_tuple, commit_);
  } else if (const auto* d = std::get_if<logical::Delete>(&m)) {
    live_->touched(d->relation_id, d->old_tuple, commit_);
  } else if (const auto* t = std::get_if<logical::Truncate>(&m)) {
    for (uint32_t id : t->relation_ids) live_->touched_all(id, commit_);
  }
}

Status StreamLoop::on_message(const logical::PgOutputMessage& m) {
  if (const auto* b = std::get_if<logical::Begin>(&m)) {
    in_tx_ = true;
    commit_ = b->final_lsn;
    skip_ = applier_.applied().commit.valid() && b->final_lsn <= applier_.applied().commit;
    if (skip_) ++skipped_;
    return ok_status();
  }
  if (const auto* c = std::get_if<logical::Commit>(&m)) {
    in_tx_ = false;
    if (skip_) return ok_status();
    if (applier_.pending_transactions() == 0) {
      oldest_pending_ = Clock::now();
      oldest_pending_commit_ = c->commit_time;
    }
    last_commit_ = c->commit_time;
    applier_.commit(*c);
    return ok_status();
  }
  if (const auto* r = std::get_if<logical::Relation>(&m)) {
    if (live_) live_->relation(*r);
    return applier_.relation(*r);
  }
  if (skip_) return ok_status();
  if (live_) mark_touched(m);
  if (const auto* i = std::get_if<logical::Insert>(&m)) return applier_.insert(*i);
  if (const auto* u = std::get_if<logical::Update>(&m)) return applier_.update(*u);
  if (const auto* d = std::get_if<logical::Delete>(&m)) return applier_.remove(*d);
  if (const auto* t = std::get_if<logical::Truncate>(&m)) return applier_.truncate(*t);
  if (std::holds_alternative<logical::StreamStart>(m) ||
      std::holds_alternative<logical::StreamCommit>(m)) {
    return make_error(ErrorCode::kSource,
                      "the source streamed an in-progress transaction, "
                      "which sync did not ask for");
  }
  return ok_status();  // Type, Origin, Message: nothing to apply
}

// A cutover asked for by `pgshuttle cutover` (cutover.cpp), or one this run
// started before it was interrupted (the source is fenced already).
Status StreamLoop::look_for_cutover() {
  PGS_ASSIGN_OR_RETURN(auto lsn_text, store_.value("cutover_lsn"));
  if (lsn_text) {
    PGS_ASSIGN_OR_RETURN(auto fenced, store_.value("fenced_at"));
    cutover_ = Drained{logical::Lsn::parse(*lsn_text).value_or(logical::Lsn{}),
                       parse_number<double>(fenced.value_or("0")).value_or(0)};
    return ok_status();
  }
  PGS_ASSIGN_OR_RETURN(auto asked, store_.value("cutover"));
  if (asked.value_or("") != "requested") return ok_status();
  double fenced_at = unix_now();
  log::info("cutover: fencing the source (writers get {} s, then their sessions end)",
            o_.fence_grace_seconds);
  PGS_ASSIGN_OR_RETURN(auto before, maintenance::status(source_));
  auto fenced = maintenance::enable(source_, {o_.fence_grace_seconds, true});
  if (fenced.ok() && !fenced->remaining.empty()) {
    fenced = make_error(ErrorCode::kBlocked,
                        fmt::format("{} session(s) that may still write could not be ended",
                                    fenced->remaining.size()));
  }
  if (!fenced.ok()) {
    // Writable again (unless the user had fenced it before): a refused
    // cutover must not leave the application's database read-only while
    // the sync streams on (or stops).
    Status released = before.read_only_database ? ok_status() : maintenance::disable(source_);
    std::string why = fenced.error().to_string();
    if (!released.ok()) {
      why += "; and the source could NOT be made writable again (" + released.error().to_string() +
             "): run pgshuttle maintenance off SOURCE";
    }
    if (o_.cutover_at_lag_bytes > 0) {  // this run asked: it ends, the next run asks again
      PGS_TRY(store_.set_value("cutover", ""));
      return make_error(ErrorCode::kBlocked, "the automatic cutover was refused: " + why,
                        "end the sessions that write to the source (or let --fence-grace end "
                        "them), then run the same command again");
    }
    log::warn("cutover refused, sync goes on: {}", why);
    return store_.set_value("cutover", "failed: " + why);
  }
  PGS_ASSIGN_OR_RETURN(logical::Lsn lsn, current_wal_lsn(source_));
  PGS_TRY(store_.set_value("fenced_at", fmt::format("{:.3f}", fenced_at)));
  PGS_TRY(store_.set_value("cutover_lsn", lsn.to_string()));
  fault::hit("sync:fenced");
  log::info("cutover: source read-only at {} ({} session(s) ended); draining to it",
            lsn.to_string(), fenced->terminated.size());
  cutover_ = Drained{lsn, fenced_at};
  return ok_status();
}

Status StreamLoop::report(Clock::time_point now) {
  double seconds = std::chrono::duration<double>(now - last_report_).count();
  last_report_ = now;
  PGS_ASSIGN_OR_RETURN(logical::Lsn current, current_wal_lsn(source_));
  logical::Lsn done = std::max(applier_.applied().end, stream_.confirmed());
  SyncProgress p;
  p.id = plan_.id;
  p.phase = cutover_ ? "cutover" : "streaming";
  p.lag_bytes = current > done ? static_cast<int64_t>(current.value - done.value) : 0;
  p.lag_seconds = lag_seconds(p.lag_bytes);
  PGS_ASSIGN_OR_RETURN(auto retained, source_.query(sql::sync::slot_retained, {plan_.slot}));
  p.retained_bytes = retained.rows() == 1 ? retained.get_int(0, 0) : 0;
  if (retained.rows() == 1) warn_retained(p.retained_bytes, retained.get_int(0, 1));
  p.changes = applier_.applied().changes;
  p.transactions = applier_.applied().transactions;
  p.changes_per_second =
      seconds > 0 ? static_cast<double>(p.changes - changes_at_report_) / seconds : 0;
  p.applied_lsn = applier_.applied().end.to_string();
  bool first_pass = true;
  if (live_) {
    auto counts = live_->counts();
    first_pass = counts.never_compared == 0;
    p.verify_chunks = counts.chunks;
    p.verify_clean = counts.clean;
    p.verify_pending_rows = counts.pending_rows;
  }
  changes_at_report_ = p.changes;
  if (o_.on_progress) o_.on_progress(p);
  // The automatic cutover also waits for the live verify to have compared
  // every chunk once: what it has not is compared inside the downtime.
  if (!cutover_ && o_.cutover_at_lag_bytes > 0 && p.lag_bytes <= o_.cutover_at_lag_bytes &&
      first_pass) {
    PGS_ASSIGN_OR_RETURN(auto asked, store_.value("cutover"));
    // Not asked yet, or an earlier `pgshuttle cutover` was refused.
    if (asked.value_or("").empty() || asked->rfind("failed: ", 0) == 0) {
      log::info("{}: caught up (lag {} bytes): cutting over", plan_.id, p.lag_bytes);
      PGS_TRY(store_.set_value("cutover", "requested"));
      last_check_ = Clock::time_point{};  // looked at on the next turn
    }
  }
  return ok_status();
}

// pgoutput's commit times count microseconds from 2000-01-01 UTC.
double unix_seconds(logical::PgTimestamp t) {
  constexpr double kPostgresEpoch = 946684800.0;
  return kPostgresEpoch + static_cast<double>(t) / 1e6;
}

double StreamLoop::lag_seconds(int64_t lag_bytes) const {
  // A few records' worth (keepalives, running-transaction records) is not
  // a backlog of transactions.
  constexpr int64_t kIdleBytes = 64 * 1024;
  logical::PgTimestamp since = 0;
  if (applier_.pending_transactions() > 0) {
    since = oldest_pending_commit_;
  } else if (lag_bytes > kIdleBytes) {
    since = last_commit_;  // behind in receiving: the newest commit seen
  }
  if (since == 0) return 0;
  return std::max(0.0, unix_now() - unix_seconds(since));
}

// The slot keeps the source's WAL until the target has applied it: a sync
// that falls behind, or stops, fills the source's disk, or (with
// max_slot_wal_keep_size) gets its slot invalidated.
void StreamLoop::warn_retained(int64_t retained, int64_t limit) {
  if (!retained_warning_due(retained, limit, retained_warned_)) return;
  retained_warned_ = retained;
  if (limit > 0) {
    log::warn(
        "{}: the slot retains {} of source WAL, near max_slot_wal_keep_size ({}): past it the "
        "source drops the slot and the sync must start over; cut over soon, or raise the limit",
        plan_.id, human_bytes(static_cast<uint64_t>(retained)),
        human_bytes(static_cast<uint64_t>(limit)));
  } else {
    log::warn(
        "{}: the slot retains {} of source WAL on the source's disk, and it grows while the "
        "sync is behind or stopped; cut over, or cancel the sync (pgshuttle cancel {}) before "
        "the disk fills",
        plan_.id, human_bytes(static_cast<uint64_t>(retained)), plan_.id);
  }
}

Result<Drained> StreamLoop::run() {
  last_report_ = Clock::now();
  changes_at_report_ = applier_.applied().changes;
  PGS_TRY(look_for_cutover());
  for (;;) {
    if (cancelled()) return make_error(ErrorCode::kCancelled, "sync cancelled");
    auto now = Clock::now();
    if (!cutover_ && now - last_check_ >= 250ms) {
      last_check_ = now;
      PGS_TRY(look_for_cutover());
    }
    if (now - last_report_ >= 1s) PGS_TRY(report(now));
    bool pending = applier_.pending_transactions() > 0;
    PGS_ASSIGN_OR_RETURN(auto event, stream_.next(pending ? 5ms : 100ms));
    const auto* message = std::get_if<logical::StreamMessage>(&event);
    if (message) {
      Status handled = on_message(message->message);
      if (!handled.ok()) {
        // Stopped inside a transaction (DDL on the source): the ones
        // committed before it are applied and recorded first, when none of
        // this one's changes is among them; a resumed run starts after them.
        if (applier_.pending_transactions() > 0 && !applier_.open_transaction_has_changes() &&
            applier_.flush().ok()) {
          (void)stream_.confirm(applier_.applied().end);
        }
        return handled.error();
      }
    }
    if (in_tx_) continue;
    now = Clock::now();
    if (applier_.pending_transactions() > 0 &&
        (!message || applier_.pending_changes() >= o_.batch_changes ||
         now - oldest_pending_ >= o_.batch_wait)) {
      PGS_TRY(applier_.flush());
      // A test's kill here leaves the target ahead of the slot: the resumed
      // run must skip what it replays.
      fault::hit(fmt::format("sync:committed:{}", ++flushes_));
      PGS_TRY(stream_.confirm(applier_.applied().end));
    }
    if (applier_.pending_transactions() > 0) continue;
    // Nothing pending: everything the server sent is applied or not ours.
    if (!message && stream_.received() > stream_.confirmed()) {
      PGS_TRY(stream_.confirm(stream_.received()));
    }
    if (cutover_) {
      if (stream_.received() >= cutover_->lsn) {
        log::info("cutover: applied up to {} ({} replayed transaction(s) skipped this run)",
                  cutover_->lsn.to_string(), skipped_);
        PGS_TRY(report(now));
        return *cutover_;
      }
      if (now - last_reply_ >= 200ms) {
        last_reply_ = now;
        PGS_TRY(stream_.request_reply());
      }
    }
  }
}

}  // namespace

bool retained_warning_due(int64_t retained, int64_t limit, int64_t warned_before) {
  if (limit > 0) return warned_before == 0 && retained >= limit / 5 * 4;
  constexpr int64_t kFirstWarning = int64_t{1} << 30;
  return retained >= std::max(kFirstWarning, warned_before * 2);
}

pg::ConnInfo replication_conninfo(const pg::ConnInfo& source, const std::string& encoding) {
  std::string options = source.get("options");
  options += std::string(options.empty() ? "" : " ") +
             "-c TimeZone=UTC -c DateStyle=ISO,YMD -c IntervalStyle=postgres "
             "-c extra_float_digits=3 -c bytea_output=hex -c lc_monetary=C "
             "-c xmloption=content";
  pg::ConnInfo info = source.with("options", options);
  return encoding.empty() ? info : info.with("client_encoding", encoding);
}

Result<Drained> stream_until_cutover(const SyncOptions& o, const StreamPlan& plan,
                                     state::RunStore& store, pg::Connection& source,
                                     TargetApplier& applier, LiveVerify* live) {
  logical::StartOptions start;
  start.slot = plan.slot;
  start.publications = {plan.publication};
  // The walsender of a run killed a moment ago may still hold the slot
  // (55006) until it notices its client is gone.
  constexpr int kTries = 100;
  std::optional<logical::ReplicationStream> opened;
  for (int i = 0; !opened; ++i) {
    PGS_ASSIGN_OR_RETURN(auto stream, logical::ReplicationStream::open(
                                          replication_conninfo(o.source, plan.encoding)));
    Status started = stream.start(start);
    if (started.ok()) {
      opened.emplace(std::move(stream));
    } else if (started.error().sqlstate != "55006" || i + 1 >= kTries) {
      return started.error();
    } else {
      std::this_thread::sleep_for(200ms);
    }
  }
  logical::ReplicationStream& stream = *opened;
  log::info("sync {}: streaming from slot {} (target applied up to {})", plan.id, plan.slot,
            applier.applied().end.to_string());
  StreamLoop loop(o, plan, store, source, applier, stream, live);
  return loop.run();
}

}  // namespace pgshuttle::sync
