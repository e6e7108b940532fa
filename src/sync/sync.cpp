#include "sync/sync.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <optional>
#include <set>

#include "copy/copy.h"
#include "copy/large_objects.h"
#include "copy/sequences.h"
#include "core/cancel.h"
#include "core/human.h"
#include "core/log.h"
#include "core/parse_number.h"
#include "core/redact.h"
#include "exec/retry.h"
#include "logical/replication_stream.h"
#include "pg/data_session.h"
#include "sql/sync.h"
#include "state/run_store.h"
#include "state/transfer_run.h"
#include "sync/live_verify.h"
#include "sync/sync_source.h"
#include "sync/sync_stream.h"
#include "sync/target_applier.h"
#include "sync/target_triggers.h"
#include "target/target_objects.h"

namespace pgshuttle::sync {
namespace {

// The phases a run records in its store ("sync:s001" "phase"): setup (the
// publication and the slot), copy, stream (until a cutover is drained),
// verifying (the rows changed since the live verify compared them),
// finishing (sequences, slot and publication dropped), done; or cancelled.
struct Run {
  const SyncOptions& o;
  std::string dir;
  std::unique_ptr<state::TransferRun> transfer;
  std::unique_ptr<state::RunStore> store;
  std::string name;      // of the publication and the slot
  std::string encoding;  // the source database's
  SyncSummary summary;
  std::unique_ptr<LiveVerify> live;  // this process's; a resumed run starts anew
  std::string finished_before;       // an earlier sync of these databases that cut over
};

double unix_now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// The unfinished sync of these databases a re-run continues, or ""; the
// last one that cut over in `finished`.
Result<std::string> continued_id(const std::string& dir, const SyncOptions& o,
                                 std::string& finished) {
  PGS_ASSIGN_OR_RETURN(auto registry, state::TransferRegistry::open(dir));
  PGS_ASSIGN_OR_RETURN(auto all, registry.list());
  std::string source = redact(o.source.to_uri(false)), target = redact(o.target.to_uri(false));
  for (const auto& t : all) {
    if (t.kind != state::TransferKind::kSync || t.source != source || t.destination != target) {
      continue;
    }
    if (t.status == state::TransferStatus::kRunning) {
      return make_error(
          ErrorCode::kBlocked,
          fmt::format("sync {} of these databases is running (pid {})", t.id, t.pid.value_or(0)),
          fmt::format("cut it over (pgshuttle cutover {0}) or cancel it (pgshuttle cancel {0})",
                      t.id));
    }
    PGS_ASSIGN_OR_RETURN(auto store, state::RunStore::open(dir, "sync:" + t.id));
    PGS_ASSIGN_OR_RETURN(auto phase, store->value("phase"));
    if (phase.value_or("") == "cancelled") continue;
    // Done, and the run that did it ended (its verify may have found
    // differences): a new sync. Done by a run killed before it ended: that
    // result, again.
    bool ended = t.status == state::TransferStatus::kCompleted ||
                 t.status == state::TransferStatus::kWarnings || !t.error.empty();
    if (phase.value_or("setup") == "done" && ended) {
      finished = t.id;
      continue;
    }
    return t.id;
  }
  return std::string();
}

Status set_phase(Run& r, const std::string& phase) {
  log::info("sync {}: {}", r.transfer->id(), phase);
  return r.store->set_value("phase", phase);
}

copy::CopyOptions copy_options(const SyncOptions& o, const std::string& publication) {
  copy::CopyOptions c;
  c.leave_out_publications = {publication};
  c.source = o.source;
  c.target = o.target;
  c.jobs = o.jobs;
  c.pg_bindir = o.pg_bindir;
  c.state_dir = o.state_dir;
  c.filter = o.filter;
  c.keep_acl = o.keep_acl;
  return c;
}

// The relations the filter selects (nullopt: the whole database), chosen
// once when the sync starts and recorded: its resumes and its cutover use
// the same set (and the cutover runs no pg_dump inside the downtime).
Result<std::optional<std::set<std::string>>> selected_relations(Run& r, pg::Connection& source,
                                                                bool fresh) {
  if (r.o.filter.empty()) return std::optional<std::set<std::string>>();
  if (!fresh) {
    PGS_ASSIGN_OR_RETURN(auto recorded, r.store->value("relations"));
    auto j = nlohmann::json::parse(recorded.value_or(""), nullptr, false);
    if (j.is_array()) return std::optional<std::set<std::string>>(j.get<std::set<std::string>>());
  }
  PGS_ASSIGN_OR_RETURN(auto target, pg::Connection::connect(r.o.target, pg::Side::kTarget));
  PGS_ASSIGN_OR_RETURN(auto selected, sync::selected_relations(r.o.source, source, target,
                                                               r.o.filter, r.o.pg_bindir));
  PGS_TRY(r.store->set_value("relations", nlohmann::json(*selected).dump()));
  return selected;
}

// A resumed sync copies, publishes and sets what it started with: the
// filter (and --keep-acl) is recorded when it starts and must be given
// again, in any order.
Status check_filter(Run& r, bool fresh) {
  std::vector<std::string> args = r.o.filter.pg_dump_args();
  if (r.o.keep_acl) args.push_back("--keep-acl");
  std::sort(args.begin(), args.end());
  std::string given;
  for (const auto& arg : args) given += (given.empty() ? "" : " ") + arg;
  if (fresh) return r.store->set_value("filter", given);
  PGS_ASSIGN_OR_RETURN(auto recorded, r.store->value("filter"));
  if (recorded.value_or("") == given) return ok_status();
  return make_error(ErrorCode::kUsage,
                    fmt::format("sync {} was started with the options \"{}\", not \"{}\"",
                                r.transfer->id(), recorded.value_or(""), given),
                    "run it again with the --include/--exclude/--keep-acl it started with, or "
                    "cancel it (pgshuttle cancel " +
                        r.transfer->id() + ") and start another");
}

Status record_copy(Run& r, const copy::CopySummary& s) {
  r.summary.copy_id = s.id;
  log::info("sync {}: copy {} loaded {} tables, {} rows", r.transfer->id(), s.id, s.tables, s.rows);
  PGS_TRY(r.store->set_value("copy_id", s.id));
  return set_phase(r, "stream");
}

// The publication, the slot and the copy at the slot's snapshot. The
// session that created the slot stays open (and idle) until the copy's own
// session imported the snapshot, which lives only as long as it.
Status setup_and_copy(Run& r, pg::Connection& source, const std::vector<SyncTable>& tables) {
  PGS_TRY(create_publication(source, r.name, tables));
  PGS_TRY(drop_slot(source, r.name));  // an interrupted setup's
  PGS_ASSIGN_OR_RETURN(
      auto creator, logical::ReplicationStream::open(replication_conninfo(r.o.source, r.encoding)));
  PGS_ASSIGN_OR_RETURN(auto slot, creator.create_slot(r.name));
  log::info("sync {}: publication and slot {} ({} tables), consistent at {}", r.transfer->id(),
            r.name, tables.size(), slot.consistent_point.to_string());
  PGS_TRY(r.store->set_value("consistent_point", slot.consistent_point.to_string()));
  PGS_TRY(set_phase(r, "copy"));
  copy::CopyOptions c = copy_options(r.o, r.name);
  c.snapshot = slot.snapshot_name;
  PGS_ASSIGN_OR_RETURN(auto copied, copy::run_copy(c));
  return record_copy(r, copied);
}

// A copy interrupted after the slot was made: its snapshot is gone, so the
// tables it copies now come from a later moment; the stream replays every
// change since the slot's consistent point over them (the apply is
// idempotent), so the target converges once the stream passes the resumed
// copy's snapshot.
Status resume_copy(Run& r) {
  log::warn(
      "sync {}: the interrupted copy resumes with a new snapshot; the change stream replays "
      "from the slot's start over it, so the target is consistent once streaming catches up",
      r.transfer->id());
  copy::CopyOptions c = copy_options(r.o, r.name);
  c.allow_inconsistent_resume = true;
  // A table the killed copy finished holds rows of the old snapshot, one
  // copied now rows of the new: a foreign key between them may point at a
  // row the stream has yet to replay. Validated at cutover, once drained.
  c.defer_foreign_key_validation = true;
  PGS_ASSIGN_OR_RETURN(auto copied, copy::run_copy(c));
  return record_copy(r, copied);
}

LiveVerifyOptions live_options(const Run& r) {
  LiveVerifyOptions lo;
  lo.source = r.o.source;
  lo.target = r.o.target;
  lo.encoding = r.encoding;
  lo.sync_id = r.transfer->id();
  lo.publication = r.name;
  lo.chunk_rows = r.o.verify_chunk_rows;
  lo.jobs = r.o.jobs;
  return lo;
}

// The stream phase, with the one retry rule: a lost session (the source's,
// the walsender's or the target's) is replaced and the stream resumes from
// the slot, skipping what the target holds. A sync runs for days, so a
// round of attempts that applied something before failing starts a new one.
Result<Drained> stream(Run& r, pg::Connection& source) {
  StreamPlan plan{r.transfer->id(), r.name, r.name, r.encoding};
  if (r.o.live_verify && !r.live) {
    auto live = LiveVerify::open(live_options(r));
    if (live.ok()) {
      r.live = std::move(*live);
      r.live->start();
      auto counts = r.live->counts();
      log::info("sync {}: live verify of {} tables in {} chunks", plan.id, counts.tables,
                counts.chunks);
    } else {
      log::warn("sync {}: no live verify ({}); the cutover compares every row", plan.id,
                live.error().to_string());
    }
  }
  Drained drained;
  bool reconnect = false;
  for (;;) {
    int64_t before = r.summary.transactions;
    int64_t retries = 0;
    Status st = exec::retry(
        exec::RetryPolicy{}, exec::steady_clock(), "sync stream",
        [&](int) -> Status {
          if (reconnect) {
            PGS_ASSIGN_OR_RETURN(source, pg::Connection::connect(r.o.source, pg::Side::kSource));
          }
          reconnect = true;
          PGS_ASSIGN_OR_RETURN(auto target,
                               pg::connect_data_session(r.o.target, pg::Side::kTarget, r.encoding));
          PGS_ASSIGN_OR_RETURN(int disabled, disable_target_triggers(target, *r.store));
          (void)disabled;
          PGS_ASSIGN_OR_RETURN(auto applier,
                               TargetApplier::open(std::move(target), plan.id, r.o.run_rows));
          auto result = stream_until_cutover(r.o, plan, *r.store, source, *applier, r.live.get());
          r.summary.changes = applier->applied().changes;
          r.summary.transactions = applier->applied().transactions;
          if (!result.ok()) return result.error();
          drained = *result;
          return ok_status();
        },
        [] { return cancelled(); }, &retries);
    if (st.ok()) return drained;
    if (!exec::is_transient(st.error()) || r.summary.transactions == before || cancelled()) {
      return st.error();
    }
  }
}

}  // namespace

std::string progress_text(const SyncProgress& p) {
  std::string text = fmt::format(
      "{} {}: lag {} bytes ({:.1f} s), {:.0f} changes/s, {} changes in {} transactions applied "
      "(up to {}), slot retains {}",
      p.id, p.phase, p.lag_bytes, p.lag_seconds, p.changes_per_second, p.changes, p.transactions,
      p.applied_lsn, human_bytes(static_cast<uint64_t>(p.retained_bytes)));
  if (p.verify_chunks > 0) {
    text += fmt::format(", verified {} of {} chunks", p.verify_clean, p.verify_chunks);
    if (p.verify_pending_rows > 0) {
      text += fmt::format(" ({} changed rows to compare)", p.verify_pending_rows);
    }
  }
  return text;
}

namespace {

// The foreign keys a resumed copy left NOT VALID (resume_copy), validated
// now that the target holds the source's state at the cutover position;
// one the source keeps NOT VALID itself stays so.
Status validate_deferred_foreign_keys(pg::Connection& source, pg::Connection& target) {
  PGS_ASSIGN_OR_RETURN(auto keys, target.query(sql::sync::unvalidated_foreign_keys));
  if (keys.rows() == 0) return ok_status();
  // The same query on the source: keys it keeps NOT VALID stay so.
  PGS_ASSIGN_OR_RETURN(auto kept, source.query(sql::sync::unvalidated_foreign_keys));
  std::set<std::array<std::string, 3>> source_not_valid;
  for (int i = 0; i < kept.rows(); ++i) {
    source_not_valid.insert({kept.get(i, 0), kept.get(i, 1), kept.get(i, 2)});
  }
  for (int i = 0; i < keys.rows(); ++i) {
    if (source_not_valid.count({keys.get(i, 0), keys.get(i, 1), keys.get(i, 2)})) continue;
    PGS_TRY(target.exec(keys.get(i, 3)));
    log::info("sync: {}", keys.get(i, 3));
  }
  return ok_status();
}

// "row public.t id=4: changed". Without the values: the line is kept in
// the state directory, and row contents (a token, a hash) do not belong
// there; pgshuttle verify shows them.
std::string difference_line(const verify::Difference& d) {
  std::string line = d.kind + " " + d.object + ": " + d.problem;
  if (!d.property.empty()) line += " (" + d.property + ")";
  return line;
}

// The rows the live verify has not seen unchanged since it compared them,
// compared now that the source is fenced and the target drained: inside
// the downtime. A resumed run compares every chunk. Recorded, so that a
// run killed after it does not compare again.
Status verify_at_cutover(Run& r) {
  if (!r.live) {
    PGS_ASSIGN_OR_RETURN(r.live, LiveVerify::open(live_options(r)));
  }
  PGS_ASSIGN_OR_RETURN(auto v, r.live->check_at_cutover());
  int differences = static_cast<int>(std::count_if(
      v.differences.begin(), v.differences.end(),
      [](const verify::Difference& d) { return d.severity == verify::Severity::kDifference; }));
  std::string report;
  constexpr size_t kShown = 20;
  for (size_t i = 0; i < v.differences.size() && i < kShown; ++i) {
    report += difference_line(v.differences[i]) + "\n";
  }
  if (v.differences.size() > kShown) {
    report += fmt::format("... and {} more\n", v.differences.size() - kShown);
  }
  log::info(
      "sync {}: verify at cutover: {} of {} chunks compared whole ({} rows) and {} changed rows "
      "one by one (the rest matched while streaming and did not change since) in {:.2f} s: {}",
      r.transfer->id(), v.compared, v.chunks, v.rows, v.changed_rows, v.seconds,
      differences == 0 ? "no difference" : fmt::format("{} difference(s)", differences));
  PGS_TRY(r.store->set_value("verify_chunks", std::to_string(v.chunks)));
  PGS_TRY(r.store->set_value("verify_compared", std::to_string(v.compared)));
  PGS_TRY(r.store->set_value("verify_changed_rows", std::to_string(v.changed_rows)));
  PGS_TRY(r.store->set_value("verify_seconds", fmt::format("{:.3f}", v.seconds)));
  PGS_TRY(r.store->set_value("verify_differences", std::to_string(differences)));
  PGS_TRY(r.store->set_value("verify_report", report));
  if (!v.not_compared.empty()) {
    std::string why = fmt::format("{}", fmt::join(v.not_compared, "; "));
    log::warn("sync {}: rows of {} table(s) not compared: {}", r.transfer->id(),
              v.not_compared.size(), why);
    PGS_TRY(r.store->set_value("verify_not_compared", why));
  }
  return set_phase(r, "finishing");
}

// The verify at cutover as recorded: nothing when it did not run; an error
// naming the differences when it found any.
Status report_verify(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto values, r.store->values());
  if (values["verify_chunks"].empty()) return ok_status();
  r.summary.verified = true;
  r.summary.verify_chunks = parse_number<int>(values["verify_chunks"]).value_or(0);
  r.summary.verify_compared = parse_number<int>(values["verify_compared"]).value_or(0);
  r.summary.verify_changed_rows = parse_number<int64_t>(values["verify_changed_rows"]).value_or(0);
  r.summary.verify_differences = parse_number<int>(values["verify_differences"]).value_or(0);
  r.summary.verify_not_compared = values["verify_not_compared"];
  if (r.summary.verify_differences == 0) return ok_status();
  return make_error(
      ErrorCode::kVerifyFailed,
      fmt::format("the cutover happened, but its verify found {} difference(s) between the "
                  "source and the target:\n{}",
                  r.summary.verify_differences, values["verify_report"]),
      "do not point applications at the target yet (the source stays read-only); pgshuttle "
      "verify SOURCE TARGET gives the full report");
}

// The end of a cutover: every step may run again after a crash.
Status finish_cutover(Run& r, pg::Connection& source) {
  PGS_ASSIGN_OR_RETURN(auto target,
                       pg::connect_data_session(r.o.target, pg::Side::kTarget, r.encoding));
  PGS_TRY(validate_deferred_foreign_keys(source, target));
  PGS_ASSIGN_OR_RETURN(auto selected, selected_relations(r, source, false));
  if (selected) {
    // The source's sequences the filter selects (their tables' own ones
    // come with them), matched by raw name.
    PGS_ASSIGN_OR_RETURN(auto all, source.query(sql::sync::sequences));
    std::set<std::pair<std::string, std::string>> wanted;
    for (int i = 0; i < all.rows(); ++i) {
      if (selected->count(all.get(i, 0) + "." + all.get(i, 1))) {
        wanted.insert({all.get(i, 0), all.get(i, 1)});
      }
    }
    PGS_ASSIGN_OR_RETURN(r.summary.sequences, copy::copy_sequence_values(source, target, &wanted));
  } else {
    PGS_ASSIGN_OR_RETURN(r.summary.sequences, copy::copy_sequence_values(source, target, nullptr));
  }
  // Logical decoding does not carry large objects: those changed, made or
  // unlinked on the source since the copy are brought over now.
  PGS_ASSIGN_OR_RETURN(auto objects, copy::sync_large_objects(source, target));
  if (objects.copied + objects.removed > 0) {
    log::info(
        "sync {}: large objects: {} copied again (new or changed since the copy), {} "
        "removed, {} unchanged",
        r.transfer->id(), objects.copied, objects.removed, objects.unchanged);
  }
  PGS_TRY(drop_slot(source, r.name));
  PGS_TRY(drop_publication(source, r.name));
  PGS_TRY(enable_target_triggers(target, *r.store));
  PGS_TRY(forget_position(target, r.transfer->id()));
  PGS_ASSIGN_OR_RETURN(auto lsn, r.store->value("cutover_lsn"));
  PGS_ASSIGN_OR_RETURN(auto fenced, r.store->value("fenced_at"));
  r.summary.cutover_lsn = lsn.value_or("");
  r.summary.downtime_seconds =
      unix_now() - parse_number<double>(fenced.value_or("0")).value_or(unix_now());
  PGS_TRY(r.store->set_value("sequences", std::to_string(r.summary.sequences)));
  PGS_TRY(
      r.store->set_value("downtime_seconds", fmt::format("{:.3f}", r.summary.downtime_seconds)));
  log::info(
      "sync {}: cut over at {}: {} sequence(s) set, slot and publication dropped; downtime "
      "{:.2f} s (source fenced to target ready); the source stays read-only",
      r.transfer->id(), r.summary.cutover_lsn, r.summary.sequences, r.summary.downtime_seconds);
  return set_phase(r, "done");
}

// Before the slot is made (it would retain the source's WAL): the copy
// writes only into an empty target, which a sync does not clean.
Status check_target_empty(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto target, pg::Connection::connect(r.o.target, pg::Side::kTarget));
  Status empty = target::guard_target(target, {});
  if (empty.ok()) return empty;
  Error e = empty.error();
  e.hint = "sync into an empty database (extensions pre-installed by the provider are fine)";
  if (!r.finished_before.empty()) {
    e.message +=
        fmt::format("; sync {} of these databases cut over into it already", r.finished_before);
  }
  return e;
}

// A cutover finished by a run that was killed before it ended: its result
// as recorded, nothing done again.
Status recorded_cutover(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto values, r.store->values());
  r.summary.cutover_lsn = values["cutover_lsn"];
  r.summary.downtime_seconds = parse_number<double>(values["downtime_seconds"]).value_or(0);
  r.summary.sequences = parse_number<int64_t>(values["sequences"]).value_or(0);
  log::info("sync {}: cut over already at {}", r.transfer->id(), r.summary.cutover_lsn);
  return report_verify(r);
}

Status sync_phases(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto phase, r.store->value("phase"));
  std::string p = phase.value_or("setup");
  if (p == "done") return recorded_cutover(r);
  PGS_ASSIGN_OR_RETURN(auto source, pg::Connection::connect(r.o.source, pg::Side::kSource));
  // A resumed run uses the slot it made: all slots in use is no obstacle.
  PGS_TRY(check_source(source, p == "setup"));
  PGS_ASSIGN_OR_RETURN(auto enc,
                       source.query("SELECT pg_catalog.current_setting('server_encoding')"));
  r.encoding = enc.get(0, 0);
  PGS_TRY(check_filter(r, p == "setup"));
  if (p == "setup") {
    PGS_TRY(check_target_empty(r));
    PGS_ASSIGN_OR_RETURN(auto selected, selected_relations(r, source, true));
    PGS_ASSIGN_OR_RETURN(auto tables, sync_tables(source, selected ? &*selected : nullptr));
    PGS_TRY(setup_and_copy(r, source, tables));
    p = "stream";
  } else if (p == "copy") {
    PGS_TRY(resume_copy(r));
    p = "stream";
  }
  if (p == "stream") {
    PGS_ASSIGN_OR_RETURN(auto drained, stream(r, source));
    (void)drained;
    p = r.o.live_verify ? "verifying" : "finishing";
    PGS_TRY(set_phase(r, p));
  }
  if (p == "verifying") {
    // Run again with --no-live-verify: a verify that cannot run (and keeps
    // the fenced source from being cut over) is passed over.
    if (r.o.live_verify) {
      PGS_TRY(verify_at_cutover(r));
    } else {
      log::warn("sync {}: the verify at cutover is left out (--no-live-verify)", r.transfer->id());
      PGS_TRY(set_phase(r, "finishing"));
    }
  }
  PGS_TRY(finish_cutover(r, source));
  return report_verify(r);
}

// Ctrl-C or `pgshuttle cancel`: the slot would retain the source's WAL for
// ever, so it goes, and the publication with it.
void drop_on_cancel(Run& r) {
  auto source = pg::Connection::connect(r.o.source, pg::Side::kSource);
  Status st = source.ok() ? drop_slot(*source, r.name) : Status(source.error());
  if (st.ok()) st = drop_publication(*source, r.name);
  if (st.ok()) {
    auto target = pg::Connection::connect(r.o.target, pg::Side::kTarget);
    st = target.ok() ? enable_target_triggers(*target, *r.store) : Status(target.error());
  }
  if (st.ok()) st = r.store->set_value("phase", "cancelled");
  if (st.ok()) {
    log::info("sync {}: slot and publication {} dropped", r.transfer->id(), r.name);
  } else {
    log::warn("sync {}: could not drop slot and publication {}: {}", r.transfer->id(), r.name,
              st.error().to_string());
  }
}

}  // namespace

Result<SyncSummary> run_sync(const SyncOptions& options) {
  Run r{options, state::default_state_dir(options.state_dir)};
  std::string finished;
  PGS_ASSIGN_OR_RETURN(std::string id, continued_id(r.dir, options, finished));
  r.finished_before = finished;
  if (options.cancel && id.empty()) {
    return make_error(ErrorCode::kNotFound,
                      "no unfinished sync of these databases to cancel (a running one: "
                      "pgshuttle cancel sNNN)");
  }
  r.summary.resumed = !id.empty();
  if (r.summary.resumed) {
    PGS_ASSIGN_OR_RETURN(r.transfer, state::TransferRun::resume(r.dir, id));
  } else {
    PGS_ASSIGN_OR_RETURN(r.transfer, state::TransferRun::begin(r.dir, state::TransferKind::kSync,
                                                               options.source.to_uri(false),
                                                               options.target.to_uri(false)));
  }
  r.summary.id = r.transfer->id();
  r.name = object_name(r.summary.id, r.dir);
  PGS_ASSIGN_OR_RETURN(r.store, state::RunStore::open(r.dir, "sync:" + r.summary.id));
  log::info("sync {}{}: {} -> {}", r.summary.id, r.summary.resumed ? " (resumed)" : "",
            options.source.to_uri(false), options.target.to_uri(false));
  Status st =
      options.cancel ? Status(make_error(ErrorCode::kCancelled, "sync cancelled")) : sync_phases(r);
  if (!st.ok()) {
    Error e = st.error();
    auto fenced = r.store->value("cutover_lsn");
    bool cutting_over = fenced.ok() && fenced->has_value();
    if ((e.code == ErrorCode::kCancelled || cancelled()) && !cutting_over) {
      drop_on_cancel(r);
    } else if (cutting_over && e.code != ErrorCode::kVerifyFailed) {
      // The source is fenced and the target drained: the cutover is not
      // undone by a Ctrl-C, it is finished by the same command.
      e.hint =
          "the source is read-only (the cutover fenced it); run the same pgshuttle sync "
          "command again: it finishes the cutover";
      if (e.code == ErrorCode::kCancelled && r.o.live_verify) {
        e.hint += " (--no-live-verify leaves the rows' comparison out)";
      }
    } else if (e.hint.empty()) {
      e.hint = "fix the cause, then run the same command again: it continues where it stopped";
    }
    r.transfer->finish(e);
    return e.with_context("sync " + r.summary.id);
  }
  r.transfer->finish(ok_status());
  return r.summary;
}

}  // namespace pgshuttle::sync
