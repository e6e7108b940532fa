// pgshuttle copy SOURCE TARGET: direct, parallel, snapshot-consistent clone.

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "cli/verify_after.h"
#include "copy/copy.h"
#include "copy/copy_transfer.h"
#include "core/human.h"
#include "core/log.h"

namespace pgshuttle::cli {
namespace {

struct CopyCliOptions {
  std::string source, target;
  std::string split = "256MB";
  std::string index_build = "after";
  bool no_verify = false;
  copy::CopyOptions copy;
};

nlohmann::json summary_json(const copy::CopySummary& s) {
  return {{"id", s.id},
          {"tables", s.tables},
          {"rows", s.rows},
          {"bytes", s.bytes},
          {"ddl_items", s.ddl_items},
          {"warnings", s.warnings},
          {"skipped_unsupported", s.skipped_unsupported},
          {"retries", s.retries},
          {"large_objects", s.large_objects},
          {"sequences", s.sequences},
          {"grants_left_out", s.grants_left_out},
          {"resumed", s.resumed},
          {"seconds", s.seconds}};
}

// Why the automatic verify is skipped, or empty when it runs.
std::string verify_skipped(const CopyCliOptions& o) {
  if (o.no_verify) return "--no-verify";
  if (o.copy.schema_only) {
    // Verify's schema side includes sequence values and large object
    // contents, which a schema-only copy leaves out on purpose.
    return "--schema-only left sequence values and large objects out; compare with "
           "pgshuttle verify --schema-only and read those differences as expected";
  }
  return {};
}

// Verifies the target against the source (a v00N transfer); kVerifyFailed
// when they differ. The copy matches the source's snapshot at the copy's
// start, so writes to the source since then show up as differences.
Status verify_copy(const CliContext& ctx, const CopyCliOptions& o, const copy::CopySummary& s,
                   nlohmann::json& json) {
  verify::VerifyOptions vo;
  vo.jobs = std::max(1, o.copy.jobs);
  vo.compare_data = !o.copy.schema_only;
  vo.compare_schema = !o.copy.data_only;
  vo.skip_unsupported = o.copy.skip_unsupported;
  vo.filter = o.copy.filter;  // a part copied: that part compared
  vo.pg_bindir = o.copy.pg_bindir;
  Status st = verify_after(ctx, o.copy.source, o.copy.target, vo, "the copy", s.id, "", json);
  if (st.ok() || st.error().code != ErrorCode::kVerifyFailed) return st;
  // Whether writes to the source can explain a difference is known: the
  // source's transaction counter moved since the copy's snapshot or not
  // (read after the verify, whose snapshot came later).
  Error e = st.error();
  auto written = copy::source_written_since(o.copy.source, s.snapshot_xmax);
  std::string why =
      written.ok() && !*written
          ? "The source has not been written to since the copy's snapshot (no transaction id "
            "was assigned since), so writes do not explain these differences: the copy made "
            "them. Please report it with the verify report."
          : "The copy matches the source as of the snapshot taken at its start, and the source "
            "cluster ran writing transactions since (writes, or autovacuum's ANALYZE): a source "
            "written during or after the copy explains such differences (verify compares with "
            "the live source); verify again on a quiet source to tell.";
  e.hint = why + e.hint;
  if (!s.skipped_unsupported.empty()) {
    e.message += fmt::format(
        ", besides the {} object(s) the target role may not create that "
        "--skip-unsupported left out (reported as known skips)",
        s.skipped_unsupported.size());
  }
  return e;
}

// A verify that reached a result (identical, or differences) is recorded,
// so that only an interrupted one is redone by the next run.
Status record_outcome(const CopyCliOptions& o, const std::string& id, const Status& verified) {
  // A verdict (differences, or known skips only) is a result; anything else
  // (lost session, Ctrl-C) is not, and a re-run verifies again.
  if (!verified.ok() && verified.error().code != ErrorCode::kVerifyFailed &&
      verified.error().code != ErrorCode::kWarnings) {
    return ok_status();
  }
  return copy::CopyTransfer::record_verified(o.copy, id);
}

// The exit of a copy, given its closing verify's result: differences first,
// then what --skip-unsupported left out, then the other warnings of every
// invocation of the run (a resumed copy counts what earlier ones met).
Status outcome(const copy::CopySummary& s, const Status& verified) {
  // Known skips only (--skip-unsupported): the list below says more.
  bool known_skips_only = !verified.ok() && verified.error().code == ErrorCode::kWarnings;
  if (!known_skips_only) PGS_TRY(verified);
  if (!s.skipped_unsupported.empty()) {
    std::string list;
    for (const auto& k : s.skipped_unsupported) list += (list.empty() ? "" : "; ") + k;
    return make_error(ErrorCode::kWarnings,
                      fmt::format("{} object(s) the target role may not create were skipped "
                                  "(--skip-unsupported): {}",
                                  s.skipped_unsupported.size(), list),
                      "create them through the provider (or as a superuser), or do without "
                      "them; `pgshuttle check` lists why each needs a superuser");
  }
  if (known_skips_only) return verified;
  if (s.warnings > 0) {
    return make_error(
        ErrorCode::kWarnings,
        std::to_string(s.warnings) + " DDL items were skipped or changed with a warning",
        "read the warnings above: each names the object and why");
  }
  return ok_status();
}

// The same command after a copy that completed while its closing verify
// did not: the copy stands, only the verify runs again.
Status verify_again(const CliContext& ctx, const CopyCliOptions& o, const std::string& id) {
  log::info(
      "copy {} of these databases completed, but its closing verify did not reach a result: "
      "verifying again (--clean --confirm TARGETDB starts a new copy instead)",
      id);
  copy::CopySummary s;
  s.id = id;
  PGS_ASSIGN_OR_RETURN(auto noted, copy::CopyTransfer::noted(o.copy, id));
  s.warnings = noted.warnings;
  s.skipped_unsupported = std::move(noted.skipped);
  nlohmann::json json = summary_json(s);
  json["verify_only"] = true;
  Status verified = verify_copy(ctx, o, s, json);
  PGS_TRY(record_outcome(o, id, verified));
  if (ctx.json) ctx.print_json(json);
  if (verified.ok() && !ctx.json) std::cout << "copy " << id << ": verified again\n";
  return outcome(s, verified);
}

Status run(const CliContext& ctx, CopyCliOptions& o) {
  PGS_ASSIGN_OR_RETURN(o.copy.source, pg::ConnInfo::parse(o.source));
  PGS_ASSIGN_OR_RETURN(o.copy.target, pg::ConnInfo::parse(o.target));
  PGS_ASSIGN_OR_RETURN(o.copy.split_larger_than, size_option("--split-larger-than", o.split));
  o.copy.indexes_during_load = o.index_build == "during";
  if (o.copy.schema_only && o.copy.data_only) {
    return make_error(ErrorCode::kUsage, "--schema-only and --data-only exclude each other");
  }
  o.copy.state_dir = ctx.state_dir;
  if (!o.no_verify) {
    PGS_ASSIGN_OR_RETURN(auto pending, copy::CopyTransfer::unverified(o.copy));
    if (pending) return verify_again(ctx, o, *pending);
  }
  o.copy.closing_verify = verify_skipped(o).empty();
  PGS_ASSIGN_OR_RETURN(auto s, copy::run_copy(o.copy));
  nlohmann::json json = summary_json(s);
  if (!ctx.json) {
    // A resumed run's counts are what this invocation moved; its warnings
    // and skips (below) are every invocation's.
    std::cout << "copy " << s.id << (s.resumed ? " (resumed; this run)" : "") << ": " << s.tables
              << " tables, " << s.rows << " rows, " << human_bytes(static_cast<uint64_t>(s.bytes))
              << ", " << s.ddl_items << " DDL items, " << s.large_objects << " large objects, "
              << s.sequences << " sequences in "
              << human_duration(std::chrono::duration<double>(s.seconds))
              << (s.retries ? " (" + std::to_string(s.retries) + " retries)" : "") << "\n";
  }
  std::string skipped = verify_skipped(o);
  Status verified = ok_status();
  if (skipped.empty()) {
    PGS_TRY(copy::CopyTransfer::record_verify_started(o.copy, s.id));
    verified = verify_copy(ctx, o, s, json);
  } else {
    log::info("verify skipped: {}", skipped);
  }
  PGS_TRY(record_outcome(o, s.id, verified));
  if (ctx.json) ctx.print_json(json);
  return outcome(s, verified);
}

void register_copy(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<CopyCliOptions>();
  o->copy.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto* cmd = app.add_subcommand("copy",
                                 "Clone a database directly into another, in parallel, "
                                 "from one consistent snapshot; resumable");
  cmd->add_option("SOURCE", o->source, "Source connection string")->required();
  cmd->add_option("TARGET", o->target, "Target connection string")->required();
  auto& c = o->copy;
  cmd->add_option("-j,--jobs", c.jobs, "Total concurrency (copies and index builds)");
  cmd->add_option("--split-larger-than", o->split, "Split tables larger than this (0: never)");
  cmd->add_option("--index-build", o->index_build,
                  "after: every index is built after its table's load; during: a table of 32MB "
                  "or more with a GiST (without sorted build) or SP-GiST index is loaded by "
                  "--jobs sessions into that index, created before the load")
      ->check(CLI::IsMember({"after", "during"}))
      ->capture_default_str();
  cmd->add_option("--maintenance-work-mem", c.maintenance_work_mem,
                  "maintenance_work_mem of index sessions");
  cmd->add_option("--max-parallel-maintenance-workers", c.max_parallel_maintenance_workers);
  add_filter_options(cmd, c.filter);
  add_pg_bindir_option(cmd, c.pg_bindir);
  cmd->add_flag("--schema-only", c.schema_only, "Copy only the schema");
  cmd->add_flag("--data-only", c.data_only, "Copy only rows into an existing schema");
  cmd->add_flag("--keep-owner", c.keep_owner, "Keep object owners (default: target user owns)");
  cmd->add_flag("--keep-acl", c.keep_acl, "Keep GRANTs");
  cmd->add_flag("--skip-analyze", c.skip_analyze, "Do not ANALYZE the target at the end");
  cmd->add_flag("--no-binary", c.no_binary, "Always use text COPY");
  cmd->add_flag("--clean", c.clean, "Replace the contents of a non-empty target");
  cmd->add_flag("--skip-unsupported", c.skip_unsupported,
                "Skip schema objects the target role may not create (C functions, operator "
                "classes, ...) with a warning each, and load the rest");
  cmd->add_option("--confirm", c.confirm,
                  "Target database name, required with --clean, and with --data-only when the "
                  "tables to load hold rows");
  cmd->add_option("--resume", c.resume_id, "Resume the interrupted run with this id");
  cmd->add_flag("--allow-inconsistent-resume", c.allow_inconsistent_resume,
                "Resume although the original snapshot is gone");
  cmd->add_option("--max-attempts", c.max_attempts, "Attempts per unit on lost connections");
  cmd->add_flag("--no-verify", o->no_verify,
                "Do not verify the target against the source at the end (verify compares with "
                "the live source: writes made during the copy show up as differences)");
  cmd->callback([&ctx, o] { ctx.run = [&ctx, o] { return run(ctx, *o); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(copy, register_copy);

}  // namespace pgshuttle::cli
