#include "migrate/migrate.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <thread>

#include "check/check.h"
#include "copy/copy.h"
#include "core/human.h"
#include "core/log.h"
#include "core/parse_number.h"
#include "extensions/extension_plan.h"
#include "maintenance/maintenance.h"
#include "migrate/migrate_backup.h"
#include "migrate/step_runner.h"
#include "restore/restore.h"
#include "settings/settings.h"
#include "storage/storage.h"
#include "sync/sync.h"
#include "sync/sync_source.h"
#include "verify/verify.h"

namespace pgshuttle::migrate {
namespace {

int default_jobs(int jobs) {
  if (jobs > 0) return jobs;
  unsigned n = std::thread::hardware_concurrency();
  return n > 0 ? static_cast<int>(n) : 2;
}

// Everything a step needs, opened once per run.
struct Run {
  const MigrateOptions& o;
  pg::ConnInfo source, target;
  MigrationState& state;
  bool we_set_read_only = false;
};

// A new key for each backup this migration takes: a backup never replaces
// an object, and a redone backup (after a refence) may start within the
// same second as the one before it, so attempts after the first are
// numbered.
std::string archive_location(Run& r) {
  int attempt = parse_number<int>(r.state.artifact("backup_attempts")).value_or(0) + 1;
  r.state.set_artifact("backup_attempts", std::to_string(attempt));
  std::string prefix = r.o.via;
  if (!prefix.empty() && prefix.back() != '/') prefix += '/';
  auto eff = r.source.effective();
  std::string stamp = utc_now_iso();
  std::erase(stamp, ':');
  std::erase(stamp, '-');
  return prefix + eff["dbname"] + "-" + stamp + (attempt > 1 ? "-" + std::to_string(attempt) : "") +
         ".dump";
}

// The preflight of this migration: online, only the part its filter selects.
Result<check::CheckOptions> check_options(const MigrateOptions& o, const pg::ConnInfo& source,
                                          pg::Connection& src, pg::Connection& dst) {
  check::CheckOptions co;
  co.online = o.online;
  if (o.online) {
    PGS_ASSIGN_OR_RETURN(co.online_selection,
                         sync::selected_relations(source, src, dst, o.filter, ""));
  }
  return co;
}

Result<std::string> step_check(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto src, pg::Connection::connect(r.source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto dst, pg::Connection::connect(r.target, pg::Side::kTarget));
  PGS_ASSIGN_OR_RETURN(auto co, check_options(r.o, r.source, src, dst));
  PGS_ASSIGN_OR_RETURN(auto report, check::run_check(src, dst, co));
  // A non-empty target is what --confirm/--clean are for; restore/copy enforce it.
  bool target_cleared = r.o.clean && !r.o.confirm.empty();
  int blockers = 0;
  for (const auto& f : report.findings) {
    if (f.severity == check::Severity::kBlocker) {
      if (f.code == "target-not-empty" && target_cleared) continue;
      if (r.o.skip_unsupported && f.code.rfind("superuser-only-", 0) == 0) {
        log::warn("{} — left out (--skip-unsupported)", f.message);
        continue;
      }
      log::error("blocker: {} — {}", f.message, f.fix);
      ++blockers;
    } else if (f.severity == check::Severity::kWarning) {
      log::warn("{} — {}", f.message, f.fix);
    }
  }
  if (blockers > 0) {
    return make_error(ErrorCode::kBlocked,
                      fmt::format("preflight found {} blocker(s); nothing was changed", blockers),
                      "fix them (see `pgshuttle check SOURCE TARGET`) and run migrate again");
  }
  r.state.set_artifact("source_bytes", std::to_string(report.source_size_bytes));
  bool target_empty = std::none_of(report.findings.begin(), report.findings.end(),
                                   [](const auto& f) { return f.code == "target-not-empty"; });
  r.state.set_artifact("target_empty_at_check", target_empty ? "1" : "0");
  return fmt::format("{} warning(s), source {}", report.count(check::Severity::kWarning),
                     human_bytes(report.source_size_bytes));
}

Result<std::string> step_maintenance_on(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto src, pg::Connection::connect(r.source, pg::Side::kSource));
  maintenance::EnableOptions eo;
  eo.wait_seconds = r.o.maintenance_wait_seconds;
  eo.terminate = r.o.terminate_sessions;
  PGS_ASSIGN_OR_RETURN(auto res, maintenance::enable(src, eo));
  r.we_set_read_only = true;
  r.state.set_artifact("source_read_only", "1");
  // What a resumed run compares: the same mark means never writable since.
  PGS_ASSIGN_OR_RETURN(std::string mark, maintenance::fence_mark(src));
  r.state.set_artifact("fence_mark", mark);
  if (!res.remaining.empty()) {
    return make_error(ErrorCode::kBlocked,
                      fmt::format("{} session(s) that started before read-only mode still run on "
                                  "the source and may write",
                                  res.remaining.size()),
                      "end them, or re-run with --terminate-sessions, or wait longer "
                      "(--maintenance-wait SECONDS)");
  }
  return fmt::format("source is read-only ({} session(s) ended)", res.terminated.size());
}

// The online route: sync copies at its slot's snapshot, streams the
// changes, and cuts over by itself once caught up (fencing the source); a
// re-run after a crash resumes the same sync from what the target applied.
Result<std::string> step_sync(Run& r) {
  sync::SyncOptions so;
  so.source = r.source;
  so.target = r.target;
  so.jobs = default_jobs(r.o.jobs);
  so.state_dir = r.o.state_dir;
  so.cutover_at_lag_bytes = r.o.cutover_lag_bytes;
  so.fence_grace_seconds = r.o.fence_grace_seconds;
  so.filter = r.o.filter;
  so.keep_acl = r.o.keep_acl;
  auto last = std::chrono::steady_clock::time_point{};
  so.on_progress = [&last](const sync::SyncProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::seconds(5)) return;
    last = now;
    log::info("{}", sync::progress_text(p));
  };
  auto synced = sync::run_sync(so);
  if (!synced.ok() && synced.error().code == ErrorCode::kVerifyFailed) {
    r.state.set_artifact("source_read_only", "1");  // cut over, then the rows differed
  }
  PGS_ASSIGN_OR_RETURN(auto s, std::move(synced));
  r.state.set_artifact("source_read_only", "1");  // the cutover fenced it
  r.state.set_artifact("sync_id", s.id);
  r.state.set_artifact("downtime_seconds", fmt::format("{:.2f}", s.downtime_seconds));
  return fmt::format(
      "sync {}: {} change(s) in {} transaction(s) streamed; cut over at {}, {} sequence(s) set, "
      "downtime {:.2f} s",
      s.id, s.changes, s.transactions, s.cutover_lsn, s.sequences, s.downtime_seconds);
}

Result<std::string> step_extensions(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto src, pg::Connection::connect(r.source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto dst, pg::Connection::connect(r.target, pg::Side::kTarget));
  PGS_ASSIGN_OR_RETURN(auto plan, extensions::plan_extensions(src, dst));
  PGS_TRY(extensions::blocking_error(plan));
  PGS_ASSIGN_OR_RETURN(auto created, extensions::apply_extension_plan(dst, plan));
  return fmt::format("{} extension(s) created", created.size());
}

// Whether an earlier attempt of this migration wrote into a target that
// was empty when the migration checked it: what is there now is the
// migration's own partial work, which a resumed run may clear without the
// user's --clean --confirm. Records (durably, before any write) that this
// attempt is about to write.
Result<bool> own_partial_target(Run& r) {
  bool earlier =
      r.state.artifact("target_written") == "1" && r.state.artifact("target_empty_at_check") == "1";
  r.state.set_artifact("target_written", "1");
  PGS_TRY(r.state.save());
  return earlier;
}

void clear_own_partial_target(Run& r, bool& clean, std::string& confirm) {
  if (clean) return;
  log::info(
      "the target was empty when this migration checked it and holds what its earlier "
      "attempt wrote: clearing that before writing again");
  clean = true;
  confirm = r.target.effective()["dbname"];
}

Result<std::string> step_restore(Run& r) {
  std::string location = r.state.artifact("archive");
  // A presigned URL, as the runbook does; made now so it is fresh even when resumed.
  uint64_t bytes = parse_u64(r.state.artifact("source_bytes")).value_or(0);
  auto expires = std::max<std::chrono::seconds>(std::chrono::minutes(30),
                                                std::chrono::seconds(bytes / (5 << 20)));
  expires = std::min(expires, storage::kMaxUrlExpiry);
  PGS_ASSIGN_OR_RETURN(std::string url, storage::presign_get_url(location, expires, r.o.s3));
  restore::RestoreOptions ro;
  ro.source = url;
  ro.target = r.target;
  ro.jobs = default_jobs(r.o.jobs);
  ro.clean = r.o.clean;
  ro.confirm = r.o.confirm;
  ro.s3 = r.o.s3;
  ro.state_dir = r.o.state_dir;
  ro.verify = false;  // the verify step compares the whole target with the source
  ro.backup_id = r.state.artifact("backup_id");  // the URL is checked against its record
  ro.skip_unsupported = r.o.skip_unsupported;
  ro.keep_acl = r.o.keep_acl;
  PGS_ASSIGN_OR_RETURN(bool partial, own_partial_target(r));
  if (partial) clear_own_partial_target(r, ro.clean, ro.confirm);
  PGS_ASSIGN_OR_RETURN(auto outcome, restore::run_restore(ro));
  Status st = outcome.to_status();
  if (!st.ok() && st.error().code != ErrorCode::kWarnings) return std::move(st).error();
  return fmt::format("{} restored from a presigned URL valid {} ({} warning(s))",
                     outcome.transfer_id, human_duration(expires), outcome.warning_count());
}

Result<std::string> step_copy(Run& r) {
  copy::CopyOptions co;
  co.source = r.source;
  co.target = r.target;
  co.jobs = default_jobs(r.o.jobs);
  co.clean = r.o.clean;
  co.confirm = r.o.confirm;
  co.state_dir = r.o.state_dir;
  co.skip_unsupported = r.o.skip_unsupported;
  co.filter = r.o.filter;
  co.keep_acl = r.o.keep_acl;
  PGS_ASSIGN_OR_RETURN(bool partial, own_partial_target(r));
  // A copy resumes its own partial target itself while the source stayed
  // fenced (the same data); after a refence it starts over.
  if (partial && r.state.artifact("refenced") == "1") {
    clear_own_partial_target(r, co.clean, co.confirm);
    // Once this copy has started over, a later resume continues it.
    r.state.set_artifact("refenced", "0");
    PGS_TRY(r.state.save());
  }
  PGS_ASSIGN_OR_RETURN(auto s, copy::run_copy(co));
  return fmt::format("copy {}: {} tables, {} rows, {} ({} warning(s))", s.id, s.tables, s.rows,
                     human_bytes(static_cast<uint64_t>(s.bytes)), s.warnings);
}

Result<std::string> step_settings(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto src, pg::Connection::connect(r.source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto dst, pg::Connection::connect(r.target, pg::Side::kTarget));
  PGS_ASSIGN_OR_RETURN(auto res, settings::apply_settings(src, dst));
  for (const auto& item : res.needs_console)
    log::warn("needs the provider's console: {}", item.name);
  for (const auto& item : res.not_on_target) {
    log::warn("setting {} = {} left out: {}", item.name, item.value, item.reason);
  }
  std::string absent =
      res.not_on_target.empty()
          ? ""
          : fmt::format(", {} the target's server does not have", res.not_on_target.size());
  return fmt::format("{} setting(s) applied, {} need the provider's console{}", res.applied.size(),
                     res.needs_console.size(), absent);
}

Result<std::string> step_verify(Run& r) {
  verify::VerifyOptions vo;
  vo.jobs = default_jobs(r.o.jobs);
  vo.skip_unsupported = r.o.skip_unsupported;
  vo.filter = r.o.filter;  // a part moved: that part compared
  PGS_ASSIGN_OR_RETURN(auto report, verify::verify_databases(r.source, r.target, vo));
  for (const auto& d : report.differences) {
    if (d.severity == verify::Severity::kDifference) {
      log::error("difference: {} {} {} {}", d.kind, d.object, d.property, d.problem);
    }
  }
  Status verdict = verify::report_status(report);
  // Known skips only (--skip-unsupported) end the step; the summary says so.
  if (!verdict.ok() && report.difference_count() > 0) return std::move(verdict).error();
  std::string summary =
      fmt::format("{} tables and {} schema objects identical ({} warning(s){})",
                  report.tables.size(), report.schema_objects, report.warning_count(),
                  report.known_skip_count() > 0
                      ? fmt::format(", {} known skips: left out by --skip-unsupported",
                                    report.known_skip_count())
                      : "");
  r.state.set_artifact("verify_summary", summary);
  r.state.set_artifact("known_skips", std::to_string(report.known_skip_count()));
  return summary;
}

Result<std::string> step_release(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto src, pg::Connection::connect(r.source, pg::Side::kSource));
  PGS_TRY(maintenance::disable(src));
  r.state.set_artifact("source_read_only", "0");
  return std::string("source writable again");
}

std::vector<Step> make_steps(Run& r) {
  std::vector<Step> steps;
  steps.push_back({"check", "preflight: versions, extensions, privileges, emptiness",
                   [&r] { return step_check(r); }});
  if (r.o.online) {
    steps.push_back({"sync",
                     "copy at a replication slot's snapshot, stream the changes, cut over once "
                     "caught up (the source is read-only from then on)",
                     [&r] { return step_sync(r); }});
  } else {
    steps.push_back({"maintenance-on", "source read-only (default_transaction_read_only)",
                     [&r] { return step_maintenance_on(r); }});
  }
  if (r.o.online) {
    // The sync's copy and cutover did the moving.
  } else if (r.o.direct) {
    steps.push_back(
        {"copy", "direct parallel copy from one snapshot", [&r] { return step_copy(r); }});
  } else {
    steps.push_back({"backup", "pg_dump -Fc streamed to " + r.o.via, [&r] {
                       return run_backup_step(r.source, r.o.s3, r.o.state_dir, r.state,
                                              archive_location(r), r.o.filter);
                     }});
    steps.push_back({"extensions", "create the source's extensions on the target",
                     [&r] { return step_extensions(r); }});
    steps.push_back(
        {"restore", "parallel restore from a presigned URL", [&r] { return step_restore(r); }});
  }
  steps.push_back(
      {"settings", "apply database- and role-level settings", [&r] { return step_settings(r); }});
  if (r.o.verify) {
    steps.push_back(
        {"verify", "schema and every row, both sides", [&r] { return step_verify(r); }});
  }
  if (r.o.release_source) {
    steps.push_back({"maintenance-off", "source writable again", [&r] { return step_release(r); }});
  }
  return steps;
}

std::string identity(const MigrateOptions& o, const pg::ConnInfo& s, const pg::ConnInfo& t) {
  auto se = s.effective(), te = t.effective();
  std::string id =
      fmt::format("{}:{}/{}|{}:{}/{}|{}", se["host"], se["port"], se["dbname"], te["host"],
                  te["port"], te["dbname"], o.online ? "online" : (o.direct ? "direct" : o.via));
  // Another part of the same databases is another migration.
  for (const auto& arg : o.filter.pg_dump_args()) id += "|" + arg;
  return id;
}

Status validate(const MigrateOptions& o) {
  if (int(o.direct) + int(o.online) + int(!o.via.empty()) != 1) {
    return make_error(ErrorCode::kUsage,
                      "choose one route: --via s3://bucket/prefix, --direct or --online",
                      "--via keeps an archive in S3 (the runbook); --direct copies server to "
                      "server with the source read-only throughout; --online keeps the source "
                      "writable and in sync until a cutover of seconds");
  }
  if (!o.via.empty() && o.via.rfind("s3://", 0) != 0) {
    return make_error(ErrorCode::kUsage, "--via must be an s3://bucket/prefix location");
  }
  return ok_status();
}

// Whether new sessions on the source start read-only now (maintenance on).
Result<bool> source_fenced(const pg::ConnInfo& source) {
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto st, maintenance::status(conn));
  return st.read_only_database;
}

// Whether the source stayed read-only since this migration fenced it: the
// mode is on now, and its mark is the one maintenance-on recorded (off and
// on again by hand writes a new one).
Result<bool> fenced_since(const Run& r) {
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(r.source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(std::string mark, maintenance::fence_mark(conn));
  return !mark.empty() && mark == r.state.artifact("fence_mark");
}

// A resumed migration may only trust what earlier steps read from the
// source while the source stayed read-only since. When it was made writable
// again in between (released after a failure, or by hand), its data may
// have changed: fence it again and redo every step from there, so neither
// an old archive nor an old copy reaches the target.
Status refence_if_released(Run& r) {
  if (!r.state.is_resumed() || r.state.all_completed() || !r.state.completed("maintenance-on")) {
    return ok_status();
  }
  PGS_ASSIGN_OR_RETURN(bool fenced, fenced_since(r));
  if (fenced) {
    log::info("the source stayed read-only since the earlier run: resuming after its last step");
    return ok_status();
  }
  log::warn(
      "the source was writable since the earlier run (released after its failure, or off "
      "and on again by hand), so what that run read from it may be out of date: fencing it again "
      "and redoing "
      "every step from maintenance-on{}",
      r.o.direct ? "" : " (a new backup; the earlier archive is not restored)");
  r.state.reset_from("maintenance-on");
  r.state.set_artifact("refenced", "1");
  return r.state.save();
}

}  // namespace

Result<MigrateSummary> run_migration(const MigrateOptions& o) {
  PGS_TRY(validate(o));
  PGS_ASSIGN_OR_RETURN(auto source, pg::ConnInfo::parse(o.source));
  PGS_ASSIGN_OR_RETURN(auto target, pg::ConnInfo::parse(o.target));
  PGS_ASSIGN_OR_RETURN(auto state, MigrationState::open(o.state_dir, identity(o, source, target)));
  if (o.restart) {
    PGS_TRY(state.remove());
    PGS_ASSIGN_OR_RETURN(state, MigrationState::open(o.state_dir, identity(o, source, target)));
  }
  if (state.is_resumed()) log::info("resuming the migration recorded in {}", state.path());
  Run run{o, source, target, state};
  auto start = std::chrono::steady_clock::now();
  bool finished_earlier = state.is_resumed() && state.all_completed();
  PGS_TRY(refence_if_released(run));
  StepRunner runner(state);
  Status st = runner.run(make_steps(run));
  if (!st.ok()) {
    Error e = std::move(st).error();
    if (o.online) {
      // The cutover fenced the source (it may have failed after that): it
      // stays fenced, the same command finishes a started cutover, and the
      // user is told, read from the source itself.
      auto fenced = source_fenced(source);
      if (e.code == ErrorCode::kVerifyFailed && fenced.ok() && *fenced) {
        e.hint += std::string(e.hint.empty() ? "" : "\n") +
                  "the cutover happened, so the source stays read-only: once the difference "
                  "is understood, `pgshuttle maintenance off SOURCE` releases it; to migrate "
                  "again, empty the target database and run with --restart";
      } else if (fenced.ok() && *fenced) {
        e.hint += std::string(e.hint.empty() ? "" : "\n") +
                  "the source is read-only (the cutover fenced it): the same command finishes "
                  "the cutover, or `pgshuttle maintenance off SOURCE` releases it";
      }
    } else if (state.artifact("source_read_only") == "1") {
      auto released = step_release(run);
      e.hint += released.ok() ? (e.hint.empty() ? "" : "\n") +
                                    std::string(
                                        "the source was made writable again; the same "
                                        "command re-run fences it again and redoes the work "
                                        "from maintenance-on (a new backup or copy)")
                              : "\nthe source could NOT be made writable again: run `pgshuttle "
                                "maintenance off SOURCE`";
      (void)state.save();
    }
    return e;
  }
  MigrateSummary s;
  s.steps = state.steps();
  s.skipped = runner.skipped();
  s.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  s.backup_location = state.artifact("archive");
  // Read now, not taken from the record: someone may have released it.
  auto fenced = source_fenced(source);
  if (!fenced.ok()) {
    log::warn("could not read whether the source is read-only now: {}", fenced.error().to_string());
  }
  s.source_read_only = fenced.ok() && *fenced;
  s.finished_earlier = finished_earlier && runner.skipped().size() == s.steps.size();
  s.verify_summary = state.artifact("verify_summary");
  s.known_skips = parse_u64(state.artifact("known_skips")).value_or(0);
  if (o.online) s.downtime_seconds = parse_number<double>(state.artifact("downtime_seconds"));
  auto eff = target.effective();
  s.host = eff["host"];
  s.port = eff["port"];
  s.user = eff["user"];
  s.dbname = eff["dbname"];
  s.database_url = target.to_uri(o.show_password);
  return s;
}

Result<nlohmann::json> plan_migration(const MigrateOptions& o) {
  PGS_TRY(validate(o));
  PGS_ASSIGN_OR_RETURN(auto source, pg::ConnInfo::parse(o.source));
  PGS_ASSIGN_OR_RETURN(auto target, pg::ConnInfo::parse(o.target));
  PGS_ASSIGN_OR_RETURN(auto src, pg::Connection::connect(source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto dst, pg::Connection::connect(target, pg::Side::kTarget));
  PGS_ASSIGN_OR_RETURN(auto co, check_options(o, source, src, dst));
  PGS_ASSIGN_OR_RETURN(auto report, check::run_check(src, dst, co));
  PGS_ASSIGN_OR_RETURN(auto state, MigrationState::open(o.state_dir, identity(o, source, target)));
  Run run{o, source, target, state};
  nlohmann::json steps = nlohmann::json::array();
  for (const auto& step : make_steps(run)) {
    steps.push_back({{"name", step.name},
                     {"description", step.description},
                     {"done_by_earlier_run", state.completed(step.name)}});
  }
  return nlohmann::json{{"steps", steps},
                        {"source_bytes", report.source_size_bytes},
                        {"estimated_seconds", report.estimated_seconds},
                        {"blockers", report.count(check::Severity::kBlocker)},
                        {"warnings", report.count(check::Severity::kWarning)},
                        {"record", state.path()}};
}

}  // namespace pgshuttle::migrate
