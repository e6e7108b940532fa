#include "restore/ranged_restore.h"

#include <fmt/format.h>

#include <chrono>
#include <fstream>
#include <set>

#include "core/cancel.h"
#include "core/human.h"
#include "core/log.h"
#include "core/progress.h"
#include "pg/connection.h"
#include "pg/passfile.h"
#include "restore/entry_apply.h"
#include "restore/job_runner.h"
#include "restore/job_scheduler.h"
#include "restore/restore_plan.h"
#include "restore/toc_selection.h"
#include "sql/restore.h"

namespace pgshuttle::restore {
namespace {

Status write_file(const std::string& path, std::string_view bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  f.close();
  if (!f) {
    return make_error(ErrorCode::kStorage, "cannot write " + path,
                      "check the free space and permissions of the temporary directory (TMPDIR)");
  }
  return ok_status();
}

// One pg_restore pass over the TOC copy restoring the listed dump ids.
Result<std::vector<RestoreError>> pg_restore_pass(const RestoreOptions& o,
                                                  const ScratchDir& scratch,
                                                  const archive::ArchiveToc& toc,
                                                  const TocSelection& selection,
                                                  const std::vector<int>& ids,
                                                  const std::string& name, bool& cancelled) {
  std::set<int> wanted(ids.begin(), ids.end());
  PGS_TRY(write_file(scratch.file(name + ".list"), selection.render_list(toc, &wanted)));
  PGS_ASSIGN_OR_RETURN(auto pass, pg::Passfile::create(o.target));
  ChildSpec spec;
  spec.argv = {o.tools.pg_restore,
               "-v",
               "-Fc",
               "-L",
               scratch.file(name + ".list"),
               "-d",
               o.target.to_keyword_string_without_password()};
  if (!o.keep_owner) spec.argv.push_back("--no-owner");
  if (!o.keep_acl) spec.argv.push_back("--no-acl");
  spec.argv.push_back(scratch.file("toc.dump"));
  spec.env = pass.env();
  spec.inherit_fds = pass.inherit_fds();
  spec.stderr_file = scratch.file(name + ".err");
  PGS_ASSIGN_OR_RETURN(ChildRun run, run_child(spec));
  cancelled = run.cancelled;
  auto errors = parse_pg_restore_errors(run.stderr_text);
  if (run.exit_status != 0 && errors.empty() && !run.cancelled) {
    errors.push_back({Severity::kFatal, "", "pg_restore failed: " + run.stderr_text, ""});
  }
  return errors;
}

// Seconds since `start`, for the per-phase timing lines of the transfer log.
double since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

bool has_fatal(const std::vector<RestoreError>& errors) {
  for (const auto& e : errors) {
    if (e.severity == Severity::kFatal) return true;
  }
  return false;
}

// The restored tables' row counts against the archive's (a table loaded
// through its partitioned root is counted with its siblings, so it is left out).
void check_row_counts(const RestoreOptions& o, const std::vector<LoadedTable>& loaded,
                      RestoreOutcome& out) {
  auto conn = pg::Connection::connect(o.target, pg::Side::kTarget);
  if (!conn.ok()) {
    out.errors.push_back({Severity::kFatal, "verify", conn.error().message, ""});
    return;
  }
  int checked = 0, differ = 0;
  for (const auto& t : loaded) {
    const archive::TocEntry& e = *t.entry;
    if (e.defn.rfind("-- load via partition root", 0) == 0) continue;
    std::string name = e.namespace_name.value_or("public") + "." + e.tag;
    auto kind =
        conn->query(sql::restore::table_load_kind, {e.namespace_name.value_or("public"), e.tag});
    if (!kind.ok() || kind->rows() != 1) {
      out.errors.push_back({Severity::kFatal, "verify " + name,
                            kind.ok() ? "the table is not on the target" : kind.error().message,
                            ""});
      continue;
    }
    // An extension's configuration table also holds CREATE EXTENSION's own
    // rows: only those its filter selects came from the archive.
    auto r = conn->query("SELECT count(*) FROM ONLY " + kind->get(0, 1) + " " + kind->get(0, 2));
    if (!r.ok()) {
      out.errors.push_back({Severity::kFatal, "verify " + name, r.error().message, ""});
      continue;
    }
    int64_t rows = r->get_int(0, 0);
    ++checked;
    if (rows != t.rows) {
      ++differ;
      out.errors.push_back({Severity::kFatal, "verify " + name,
                            fmt::format("the table has {} rows, the archive {}", rows, t.rows),
                            ""});
    }
  }
  out.tables_verified = checked;
  if (differ == 0) log::info("verify: the row counts of {} tables match the archive", checked);
}

}  // namespace

Status run_ranged_restore(const RestoreOptions& o, storage::ByteSource& source, uint64_t size,
                          const archive::ArchiveToc& toc, const ScratchDir& scratch,
                          const PrepareTarget& prepare, RestoreOutcome& out) {
  PGS_ASSIGN_OR_RETURN(std::string head, source.read_range(0, toc.toc_end));
  PGS_TRY(write_file(scratch.file("toc.dump"), head));
  auto selection = TocSelection::for_managed_target(toc);
  PGS_TRY(selection.leave_out_unselected(toc, o.filter));
  if (!o.keep_acl) out.acl_entries_left_out = note_acls_left_out(toc, selection);
  out.skipped = selection.warnings(toc);
  if (!o.skip_unsupported) {
    for (const auto& w : out.skipped) log::warn("{}", w);  // else with the refused ones below
  }
  PGS_ASSIGN_OR_RETURN(auto others, prepare(selection.extensions(toc)));
  selection.leave_out_comments_of(toc, others);

  RestorePlan plan = plan_restore(toc, selection.excluded_ids(), o.keep_acl, size);
  log::info(
      "parallel restore from ranged reads: {} schema entries, {} jobs ({} tables, {} of data), "
      "{} final entries, {} workers",
      plan.pre.size(), plan.jobs.size(), plan.table_data_jobs, human_bytes(plan.data_bytes),
      plan.tail.size(), out.jobs);
  bool cancelled = false;
  auto phase = std::chrono::steady_clock::now();
  if (o.skip_unsupported) {
    PGS_ASSIGN_OR_RETURN(auto pre,
                         apply_entries(o.target, toc, plan.pre,
                                       session_preamble(toc, o.maintenance_work_mem), o.keep_acl));
    cancelled = pre.cancelled;
    out.errors = std::move(pre.errors);
    out.skipped_unsupported = std::move(pre.refused_labels);
    // The rest of the plan without what was refused and what depends on it.
    selection.leave_out_refused(toc, pre.refused, pre.dependent, pre.applied);
    out.skipped = selection.warnings(toc);
    for (const auto& w : out.skipped) log::warn("{}", w);
    plan = plan_restore(toc, selection.excluded_ids(), o.keep_acl, size);
  } else {
    PGS_ASSIGN_OR_RETURN(out.errors,
                         pg_restore_pass(o, scratch, toc, selection, plan.pre, "pre", cancelled));
  }
  if (cancelled || has_fatal(out.errors)) {
    out.status = cancelled ? RestoreStatus::kCancelled : RestoreStatus::kFailed;
    return ok_status();
  }
  log::info("phase schema: {:.2f}s ({} entries by {}); loading data", since(phase), plan.pre.size(),
            o.skip_unsupported ? "pgshuttle" : "pg_restore");
  phase = std::chrono::steady_clock::now();

  Progress progress("restore", ProgressUnit::kBytes, plan.data_bytes);
  SchedulerOptions so;
  so.target = o.target;
  so.jobs = out.jobs;
  so.max_attempts = o.max_attempts;
  so.maintenance_work_mem = o.maintenance_work_mem;
  so.split_larger_than = o.split_larger_than;
  JobsOutcome jobs = run_jobs(so, plan, toc, source, progress);
  progress.finish();
  log::info("phase data and post-data: {:.2f}s ({} jobs, {} retried)", since(phase), jobs.jobs_done,
            jobs.retries);
  out.bytes_read = progress.done();
  out.rows = jobs.rows;
  out.tables_loaded = jobs.tables_loaded;
  out.retries = jobs.retries;
  out.errors.insert(out.errors.end(), jobs.errors.begin(), jobs.errors.end());
  if (jobs.cancelled || has_fatal(jobs.errors)) {
    out.status = jobs.cancelled ? RestoreStatus::kCancelled : RestoreStatus::kFailed;
    return ok_status();
  }
  if (!plan.tail.empty() && o.skip_unsupported) {
    PGS_ASSIGN_OR_RETURN(auto tail,
                         apply_entries(o.target, toc, plan.tail,
                                       session_preamble(toc, o.maintenance_work_mem), o.keep_acl));
    cancelled = tail.cancelled;
    out.errors.insert(out.errors.end(), tail.errors.begin(), tail.errors.end());
    out.skipped_unsupported.insert(out.skipped_unsupported.end(), tail.refused_labels.begin(),
                                   tail.refused_labels.end());
    selection.leave_out_refused(toc, tail.refused, tail.dependent, tail.applied);
    out.skipped = selection.warnings(toc);
  } else if (!plan.tail.empty()) {
    PGS_ASSIGN_OR_RETURN(auto tail,
                         pg_restore_pass(o, scratch, toc, selection, plan.tail, "tail", cancelled));
    out.errors.insert(out.errors.end(), tail.begin(), tail.end());
  }
  if (!cancelled && !has_fatal(out.errors) && o.verify) check_row_counts(o, jobs.loaded, out);
  if (cancelled) {
    out.status = RestoreStatus::kCancelled;
  } else if (has_fatal(out.errors)) {
    out.status = RestoreStatus::kFailed;
  } else {
    out.status =
        out.warning_count() > 0 ? RestoreStatus::kFinishedWithWarnings : RestoreStatus::kCompleted;
  }
  return ok_status();
}

}  // namespace pgshuttle::restore
