#include "copy/copy.h"

#include <fmt/format.h>

#include <chrono>
#include <filesystem>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <thread>

#include "copy/copy_plan.h"
#include "copy/copy_transfer.h"
#include "copy/copy_workers.h"
#include "copy/data_only.h"
#include "copy/post_data_plan.h"
#include "copy/sequences.h"
#include "copy/source_session.h"
#include "core/cancel.h"
#include "core/fault.h"
#include "core/log.h"
#include "core/progress.h"
#include "ddl/ddl_apply.h"
#include "ddl/schema_dump.h"
#include "exec/retry.h"
#include "extensions/extension_plan.h"
#include "maintenance/maintenance.h"
#include "pg/cancel_watch.h"
#include "pg/data_session.h"
#include "pg/tools.h"
#include "roles/roles.h"
#include "settings/settings.h"
#include "sql/copy.h"
#include "sql/pg.h"
#include "target/target_objects.h"

namespace pgshuttle::copy {
namespace {

struct Run {
  const CopyOptions& o;
  CopyTransfer* transfer = nullptr;
  std::unique_ptr<CopyState> state;
  pg::Connection holder;  // holds the exported snapshot until the end
  pg::Connection target;
  std::string snapshot;
  bool resumed = false;
  CopySummary summary;
  int foreign_keys_off = 0;      // --data-only: taken off, not yet all added back
  std::string client_encoding;   // the source database's
  std::string matview_settings;  // SET LOCALs of the source's effective settings
  std::string pg_dump;           // the program fitting both servers' majors
};

// REFRESH MATERIALIZED VIEW items run with the source's settings.
void pin_matview_refreshes(std::vector<ddl::DdlItem>& items, const std::string& settings) {
  for (auto& item : items) {
    if (item.type == "MATERIALIZED VIEW DATA") item.sql = settings + item.sql;
  }
}

Status begin_snapshot(Run& r) {
  // Read before the snapshot: a source read-only from here on cannot change
  // under this run or under a resumed one while the mark stays the same.
  PGS_ASSIGN_OR_RETURN(std::string fence, maintenance::fence_mark(r.holder));
  PGS_TRY(r.holder.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"));
  // A snapshot exported elsewhere (a replication slot's, for sync) is
  // imported; the run still exports its own for its workers and pg_dump, as
  // the given one lives only until its exporter's next command.
  if (!r.o.snapshot.empty() && !r.resumed) {
    PGS_TRY(r.holder.exec("SET TRANSACTION SNAPSHOT " + r.holder.quote_literal(r.o.snapshot)));
  }
  // The snapshot's xmax: a source that never assigned a transaction id
  // past it was not written since (what the closing verify's hint says).
  PGS_ASSIGN_OR_RETURN(auto snap, r.holder.query("SELECT pg_export_snapshot(), "
                                                 "txid_snapshot_xmax(txid_current_snapshot())"));
  r.snapshot = snap.get(0, 0);
  r.summary.snapshot_xmax = snap.get_int(0, 1);
  if (r.resumed) {
    std::string old = r.state->get_meta("snapshot");
    std::string old_fence = r.state->get_meta("source_fence");
    if (!fence.empty() && fence == old_fence) {
      log::info(
          "resuming run {} with a new snapshot {}: the source has been read-only (maintenance "
          "mode) since the earlier run's snapshot, so it sees the same data",
          r.state->id(), r.snapshot);
      PGS_TRY(r.state->set_meta("snapshot", r.snapshot));
      return ok_status();
    }
    if (!r.o.allow_inconsistent_resume) {
      return make_error(
          ErrorCode::kBlocked,
          fmt::format("run {} stopped before it finished (it failed, was cancelled or was "
                      "killed), and its snapshot {} went with its process: the tables already "
                      "copied and the rest would come from different moments of the source",
                      r.state->id(), old),
          "if the source was not written to since, pass --allow-inconsistent-resume; "
          "otherwise start over with --clean --confirm TARGETDB. A copy started while the "
          "source is read-only (pgshuttle maintenance on SOURCE) resumes without the flag");
    }
    log::warn(
        "resuming run {} with a new snapshot {}: the result is consistent only if the "
        "source did not change since the earlier run",
        r.state->id(), r.snapshot);
  }
  PGS_TRY(r.state->set_meta("snapshot", r.snapshot));
  PGS_TRY(r.state->set_meta("source_fence", fence));
  log::info("copy run {}: snapshot {}{}", r.state->id(), r.snapshot,
            fence.empty() ? "" : " (the source is read-only: a resume needs no new flags)");
  return ok_status();
}

// A warning or skip is kept with the run (CopyState::note), so that the
// summary counts what every invocation of a resumed run met.
Status note_outcome(Run& r, const ddl::DdlItem& item, ddl::ApplyOutcome outcome) {
  if (outcome == ddl::ApplyOutcome::kWarned) {
    return r.state->note(ddl::item_label(item), CopyState::Outcome::kWarned);
  }
  if (outcome == ddl::ApplyOutcome::kSkippedUnsupported) {
    return r.state->note(ddl::item_label(item), CopyState::Outcome::kSkipped);
  }
  return ok_status();
}

// The apply policy after the schema step: --skip-unsupported skips what
// depends on what it skipped there too.
ddl::ApplyPolicy post_policy(const Run& r) {
  return {r.resumed, r.o.skip_unsupported, !r.state->noted().skipped.empty()};
}

Status apply_items(Run& r, const std::vector<ddl::DdlItem>& items, const std::string& preamble) {
  PGS_TRY(r.target.exec(preamble));
  ddl::ApplyPolicy policy = post_policy(r);
  for (const auto& item : items) {
    std::string key = "post:" + ddl::item_label(item);
    if (r.state->is_done(key)) continue;
    // Ctrl-C or `pgshuttle cancel` between two statements; each done one is
    // recorded, so a resume starts at this item.
    if (cancelled()) return make_error(ErrorCode::kCancelled, "copy cancelled");
    PGS_ASSIGN_OR_RETURN(auto outcome, ddl::apply_item(r.target, item, policy));
    PGS_TRY(note_outcome(r, item, outcome));
    ++r.summary.ddl_items;
    PGS_TRY(r.state->mark_done(key));
  }
  return ok_status();
}

// Drops the items --skip-unsupported skipped from `pre`: their tables and
// sequences are not planned (nothing to load them into).
void forget_skipped(ddl::DdlScript& pre, const std::set<std::string>& skipped) {
  std::erase_if(pre.items,
                [&](const ddl::DdlItem& item) { return skipped.count(ddl::item_label(item)) > 0; });
}

Status apply_pre_data(Run& r, ddl::DdlScript& pre) {
  if (r.o.data_only) return ok_status();
  if (r.state->is_done("schema")) {
    // A resumed run: what the first one skipped stays skipped.
    auto skipped = r.state->noted().skipped;
    forget_skipped(pre, {skipped.begin(), skipped.end()});
    return ok_status();
  }
  // A schema step cut short left our own partial objects: start it over.
  if (r.resumed) PGS_TRY(target::clean_target(r.target));
  log::info("creating the schema: {} pre-data items", pre.items.size());
  PGS_TRY(r.target.exec(pre.preamble));
  ddl::ApplyPolicy policy{false, r.o.skip_unsupported};
  std::set<std::string> skipped;
  for (size_t i = 0; i < pre.items.size(); ++i) {
    fault::hit(fmt::format("copy:schema:{}", i));
    if (cancelled()) return make_error(ErrorCode::kCancelled, "copy cancelled");
    PGS_ASSIGN_OR_RETURN(auto outcome, ddl::apply_item(r.target, pre.items[i], policy));
    PGS_TRY(note_outcome(r, pre.items[i], outcome));
    if (outcome == ddl::ApplyOutcome::kSkippedUnsupported) {
      skipped.insert(ddl::item_label(pre.items[i]));
      policy.after_skips = true;
    }
    ++r.summary.ddl_items;
  }
  forget_skipped(pre, skipped);
  return r.state->mark_done("schema");
}

Status set_sequences(Run& r, const std::set<std::pair<std::string, std::string>>& wanted) {
  PGS_ASSIGN_OR_RETURN(r.summary.sequences, copy_sequence_values(r.holder, r.target, &wanted));
  return ok_status();
}

// The source database's ALTER DATABASE ... SET defaults, on the target
// database: a query that relies on them (a search_path that reaches the
// application's schema) must work the same after the move. A setting the
// target role may not set is a warning naming it.
Status carry_database_settings(Run& r) {
  PGS_ASSIGN_OR_RETURN(auto rows, r.holder.query(sql::copy::database_settings));
  std::string db = r.target.quote_ident(r.target.database());
  for (int i = 0; i < rows.rows(); ++i) {
    std::string name = rows.get(i, 0);
    std::string sql = "ALTER DATABASE " + db + " SET " + settings::set_clause(name, rows.get(i, 1));
    Status st = r.target.exec(sql);
    if (st.ok()) {
      log::info("{}", sql);
      continue;
    }
    if (st.error().sqlstate.empty()) return st;  // the connection, not a refusal
    log::warn("database setting {} not carried: {} (set it in the provider's console)", name,
              st.error().message);
    PGS_TRY(r.state->note("database setting " + name, CopyState::Outcome::kWarned));
  }
  return ok_status();
}

Status run_data_and_post(Run& r, const CopyPlan& plan, WorkPlan& work) {
  WorkTotals totals;
  Progress progress("copy", ProgressUnit::kBytes, 0);
  std::atomic<bool> done{false};
  std::thread ticker([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(250));
      show_progress(progress, totals);
      r.transfer->set_bytes(totals.bytes.load(), static_cast<uint64_t>(plan.total_bytes));
    }
  });
  Status st = run_workers(r.o, r.snapshot, work, *r.state, totals);
  done = true;
  ticker.join();
  show_progress(progress, totals);
  progress.finish();
  r.summary.rows += totals.rows;
  r.summary.bytes += static_cast<int64_t>(totals.bytes.load());
  r.transfer->set_bytes(totals.bytes.load(), static_cast<uint64_t>(plan.total_bytes));
  r.summary.ddl_items += totals.ddl_items;
  r.summary.retries += totals.retries;
  r.summary.large_objects += totals.large_objects;
  return st;
}

// Logs how long the phase that ends now took, for finding where time goes.
class PhaseClock {
 public:
  // Also the place to stop between phases when the run was cancelled.
  Status lap(std::string_view phase) {
    auto now = std::chrono::steady_clock::now();
    log::info("phase {}: {:.2f}s", phase, std::chrono::duration<double>(now - last_).count());
    last_ = now;
    if (cancelled()) return make_error(ErrorCode::kCancelled, "copy cancelled");
    return ok_status();
  }

 private:
  std::chrono::steady_clock::time_point last_ = std::chrono::steady_clock::now();
};

// The indexes the plan decided to build during a split load
// (copy_plan.cpp): created on the still empty tables, in a session of their
// own with the post-data SETs, and taken out of the builds after the load.
Status create_indexes_before_load(Run& r, const CopyPlan& plan, WorkPlan& work) {
  std::optional<pg::Connection> session;
  for (const auto& t : plan.tables) {
    if (!t.indexes_before_load) continue;
    auto found = work.post_by_table.find(t.qualified);
    if (found == work.post_by_table.end()) continue;
    for (const DdlStep& step : take_index_builds(found->second, t.insertion_built_indexes)) {
      if (r.state->is_done(step.key)) continue;
      if (!session) {
        PGS_ASSIGN_OR_RETURN(
            session, pg::connect_data_session(r.o.target, pg::Side::kTarget, r.client_encoding));
        if (!work.preamble.empty()) PGS_TRY(session->exec(work.preamble));
      }
      PGS_ASSIGN_OR_RETURN(auto outcome, ddl::apply_item(*session, step.item, work.policy));
      PGS_TRY(note_outcome(r, step.item, outcome));
      PGS_TRY(r.state->mark_done(step.key));
      log::info("{}: created before the load of {}", ddl::item_label(step.item), t.qualified);
    }
  }
  return ok_status();
}

// The post-data items cut into concurrent units (post_data_plan.h).
Result<PostDataPlan> post_data(Run& r, const CopyPlan& plan,
                               std::future<Result<std::string>>& dumped, std::string& preamble) {
  PostDataOptions po;
  po.analyze = !r.o.schema_only && !r.o.skip_analyze;
  po.defer_validation = r.o.defer_foreign_key_validation;
  if (po.defer_validation) {
    log::info(
        "foreign keys are added NOT VALID and validated later (the tables were read at "
        "different moments)");
  }
  PGS_ASSIGN_OR_RETURN(auto partitioned, r.holder.query(sql::copy::partitioned_tables));
  for (int i = 0; i < partitioned.rows(); ++i) po.partitioned.insert(partitioned.get(i, 0));
  std::vector<std::string> tables;
  for (const auto& t : plan.tables) tables.push_back(t.qualified);
  if (r.o.data_only) {
    if (!r.resumed) {
      Status guarded = guard_loaded_tables(r.target, tables, r.o.confirm);
      if (!guarded.ok()) {
        // Nothing was written: the same command with --confirm starts
        // afresh instead of resuming this run.
        PGS_TRY(r.state->forget_prefix(""));
        return std::move(guarded).error();
      }
    }
    PGS_ASSIGN_OR_RETURN(auto keys, take_off_foreign_keys(r.target, *r.state, tables));
    r.foreign_keys_off = static_cast<int>(keys.size());
    ddl::DdlScript script = foreign_key_script(keys);
    PGS_ASSIGN_OR_RETURN(auto refreshes, matview_refreshes(r.holder));
    pin_matview_refreshes(refreshes, r.matview_settings);
    script.items.insert(script.items.begin(), refreshes.begin(), refreshes.end());
    return plan_post_data(script, tables, {}, po);
  }
  PGS_ASSIGN_OR_RETURN(auto post_text, dumped.get());
  auto post = ddl::parse_ddl_script(post_text);
  leave_out_publications(post, r.o.leave_out_publications);
  pin_matview_refreshes(post.items, r.matview_settings);
  preamble = post.preamble;
  PGS_ASSIGN_OR_RETURN(auto uniques, read_unique_indexes(r.holder));
  return plan_post_data(post, tables, uniques, po);
}

// Foreign keys validated concurrently, after they were all added NOT VALID.
Status validate_foreign_keys(Run& r, PostDataPlan& post, const std::string& preamble) {
  if (post.validations.empty()) return ok_status();
  log::info("validating {} foreign keys, {} at a time", post.validations.size(), r.o.jobs);
  WorkPlan work;
  work.free_units = std::move(post.validations);
  work.preamble = preamble;
  work.client_encoding = r.client_encoding;
  work.copy_data = false;
  work.policy = post_policy(r);
  WorkTotals totals;
  Status st = run_workers(r.o, r.snapshot, work, *r.state, totals);
  r.summary.ddl_items += totals.ddl_items;
  r.summary.retries += totals.retries;
  return st;
}

// The coordinator's own target session is retried like the workers' (the
// one rule of exec/retry.h): when a try fails with a transient cause, a new
// session replaces the lost one before `step` runs again (a failed reconnect
// counts as a failed try, so a step never runs on a dead session). Every
// step given here is idempotent or skips what it recorded as done. A lost
// source session cannot be replaced (the snapshot lives in it) and is not
// retried.
template <typename Step>
Status retry_target(Run& r, std::string_view what, Step&& step) {
  exec::RetryPolicy policy;
  policy.max_attempts = r.o.max_attempts;
  policy.only_side = ErrorCode::kTarget;
  return exec::retry(
      policy, exec::steady_clock(), what,
      [&](int attempt) -> Status {
        if (attempt > 1) {
          PGS_ASSIGN_OR_RETURN(
              r.target, pg::connect_data_session(r.o.target, pg::Side::kTarget, r.client_encoding));
        }
        return step();
      },
      [] { return cancelled(); }, &r.summary.retries);
}

Status run_phases(Run& r) {
  const CopyOptions& o = r.o;
  PhaseClock clock;
  ddl::SchemaDumpOptions dump = schema_dump_options(o, r.snapshot, ddl::Section::kPreData);
  dump.pg_dump = r.pg_dump;
  // The post-data dump runs while the schema is created.
  std::future<Result<std::string>> post_text;
  if (!o.data_only) {
    ddl::SchemaDumpOptions post_dump = dump;
    post_dump.section = ddl::Section::kPostData;
    post_text = std::async(std::launch::async,
                           [&o, post_dump] { return ddl::dump_schema(o.source, post_dump); });
  }
  PGS_ASSIGN_OR_RETURN(auto pre_text, ddl::dump_schema(o.source, dump));
  auto pre = ddl::parse_ddl_script(ddl::drop_server_managed_options(pre_text));
  PGS_TRY(clock.lap("pre-data dump"));
  PGS_TRY(apply_pre_data(r, pre));
  PGS_TRY(clock.lap("schema"));
  PGS_ASSIGN_OR_RETURN(auto plan, make_plan(r.holder, r.target, o, pre));
  r.summary.tables = static_cast<int64_t>(plan.tables.size());
  if (r.resumed) PGS_TRY(reset_partial_split_tables(r.target, *r.state, plan));
  WorkPlan work;
  work.tables = plan.tables;
  work.copy_data = !o.schema_only;
  work.client_encoding = r.client_encoding;
  work.policy = post_policy(r);
  PGS_ASSIGN_OR_RETURN(auto post, post_data(r, plan, post_text, work.preamble));
  work.post_by_table = std::move(post.by_table);
  work.linked = std::move(post.linked);
  PGS_TRY(create_indexes_before_load(r, plan, work));
  PGS_TRY(clock.lap("plan and post-data dump"));
  PGS_TRY(run_data_and_post(r, plan, work));
  PGS_TRY(clock.lap("data, indexes, foreign keys between copied tables, ANALYZE"));
  if (!post.serial.empty()) {
    log::info("finishing: {} remaining post-data items, foreign keys last", post.serial.size());
    PGS_TRY(retry_target(r, "remaining post-data",
                         [&] { return apply_items(r, post.serial, work.preamble); }));
  }
  PGS_TRY(validate_foreign_keys(r, post, work.preamble));
  PGS_TRY(clock.lap("remaining post-data"));
  r.foreign_keys_off = 0;
  if (!o.schema_only) {
    PGS_TRY(retry_target(r, "sequences", [&] { return set_sequences(r, plan.sequences); }));
  }
  PGS_TRY(clock.lap("sequences"));
  if (!o.data_only) {
    PGS_TRY(retry_target(r, "database settings", [&] { return carry_database_settings(r); }));
  }
  if (o.closing_verify) PGS_TRY(r.state->set_meta("verified", "0"));
  return r.state->set_meta("complete", "1");
}

}  // namespace

namespace {

Result<CopySummary> copy_with(const CopyOptions& o, CopyTransfer& transfer) {
  auto start = std::chrono::steady_clock::now();
  PGS_ASSIGN_OR_RETURN(auto state, CopyState::open(transfer.dir(), transfer.id()));
  PGS_ASSIGN_OR_RETURN(auto holder, pg::Connection::connect(o.source, pg::Side::kSource));
  std::string encoding;
  PGS_ASSIGN_OR_RETURN(auto source_settings, read_source_settings(holder, encoding));
  PGS_TRY(pg::pin_data_session(holder, encoding));
  PGS_TRY(refuse_row_security(holder));
  PGS_ASSIGN_OR_RETURN(auto target,
                       pg::connect_data_session(o.target, pg::Side::kTarget, encoding));
  // A downgrade is refused here, before anything is written; an upgrade
  // dumps the schema with the target's pg_dump.
  PGS_ASSIGN_OR_RETURN(auto tools, pg::find_tools(holder.server_version() / 10000,
                                                  target.server_version() / 10000, o.pg_bindir));
  Run r{o, &transfer, std::move(state), std::move(holder), std::move(target)};
  r.pg_dump = tools.pg_dump;
  r.client_encoding = encoding;
  PGS_ASSIGN_OR_RETURN(r.matview_settings, matview_settings_sql(r.target, source_settings));
  r.summary.id = transfer.id();
  r.resumed = r.state->has_progress();
  r.summary.resumed = r.resumed;
  if (r.resumed) {
    std::string app = o.source.get("application_name");
    PGS_TRY(end_orphans(r.holder, app, "source"));
    PGS_TRY(end_orphans(r.target, app, "target"));
  }
  if (!r.resumed && !o.data_only) {
    // Before anything is written: extensions the target lacks and cannot
    // create, or holds at a version the source's objects cannot use, would
    // stop the schema step halfway.
    PGS_ASSIGN_OR_RETURN(auto extensions, extensions::plan_extensions(r.holder, r.target));
    PGS_TRY(extensions::blocking_error(extensions));
    PGS_TRY(target::guard_target(r.target, {o.clean, o.confirm}));
  }
  PGS_TRY(begin_snapshot(r));
  PGS_TRY(r.state->mark_done("started"));
  Status st = ok_status();
  {
    // Ctrl-C or `pgshuttle cancel` stops a long statement of the
    // coordinator's own sessions (a matview refresh, a foreign key added
    // after the load), not only the workers'. The target session may be
    // replaced by a retry meanwhile; cancel_running() allows that.
    pg::CancelWatch watch({&r.target, &r.holder});
    st = run_phases(r);
  }
  if (!st.ok()) {
    Error e = st.error();
    if (r.foreign_keys_off > 0) {
      e.message +=
          fmt::format("; up to {} foreign keys of the target stay taken off until run {} finishes",
                      r.foreign_keys_off, transfer.id());
    }
    if (e.hint.empty() && e.code != ErrorCode::kCancelled) {
      e.hint = fmt::format("fix the cause, then re-run the same command (or copy --resume {})",
                           transfer.id());
    }
    return e;
  }
  if (!o.keep_acl) {
    // Said, not silent: the grants a managed target usually cannot take
    // (their roles are the source server's), and where to read them.
    PGS_ASSIGN_OR_RETURN(r.summary.grants_left_out, roles::grant_count(r.holder));
    if (r.summary.grants_left_out > 0) {
      log::info(
          "{} grant(s) of the source were left out (--keep-acl keeps them; pgshuttle roles "
          "SOURCE TARGET lists the roles they name and which the target lacks)",
          r.summary.grants_left_out);
    }
  }
  CopyState::Noted noted = r.state->noted();
  r.summary.warnings = noted.warnings;
  r.summary.skipped_unsupported = std::move(noted.skipped);
  r.summary.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return r.summary;
}

}  // namespace

Result<CopySummary> run_copy(const CopyOptions& options) {
  PGS_ASSIGN_OR_RETURN(auto transfer, CopyTransfer::open(options));
  log::info("copy {}: {} -> {}", transfer->id(), options.source.to_uri(false),
            options.target.to_uri(false));
  // Every session of the run (pg_dump's too) carries its name, so that a
  // resumed run can find what an interrupted one left running.
  CopyOptions o = options;
  std::string app = session_name(transfer->id(), transfer->dir());
  o.source = options.source.with("application_name", app);
  o.target = options.target.with("application_name", app);
  auto result = copy_with(o, *transfer);
  if (!result.ok()) {
    Error e = std::move(result).error();
    if (e.code == ErrorCode::kCancelled) {
      e.hint = fmt::format(
          "resume it with: pgshuttle copy --resume {} SOURCE TARGET --allow-inconsistent-resume "
          "(the flag is not needed while the source stays read-only: pgshuttle maintenance on)",
          transfer->id());
    }
    transfer->finish(e);
    return e.with_context("copy " + transfer->id());
  }
  transfer->finish(ok_status());
  fault::hit("copy:completed");  // before the closing verify starts
  return result;
}

}  // namespace pgshuttle::copy
