// pgshuttle sync SOURCE TARGET: online migration by logical decoding;
// pgshuttle cutover ID: ends it with the source fenced and the target ready.

#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <thread>

#include "cli/command.h"
#include "core/log.h"
#include "sync/sync.h"

namespace pgshuttle::cli {
namespace {

struct SyncCliOptions {
  std::string source, target;
  sync::SyncOptions sync;
};

nlohmann::json progress_json(const sync::SyncProgress& p) {
  return {{"id", p.id},
          {"phase", p.phase},
          {"lag_bytes", p.lag_bytes},
          {"lag_seconds", p.lag_seconds},
          {"retained_bytes", p.retained_bytes},
          {"changes_per_second", p.changes_per_second},
          {"changes", p.changes},
          {"transactions", p.transactions},
          {"applied_lsn", p.applied_lsn},
          {"verify_chunks", p.verify_chunks},
          {"verify_clean", p.verify_clean},
          {"verify_pending_rows", p.verify_pending_rows}};
}

// The verify at cutover, in the summaries of sync and cutover.
nlohmann::json verify_json(bool verified, int chunks, int compared, int64_t changed_rows,
                           int differences, const std::string& not_compared) {
  if (!verified) return nullptr;
  return {{"chunks", chunks},
          {"compared_at_cutover", compared},
          {"changed_rows_compared_at_cutover", changed_rows},
          {"differences", differences},
          {"not_compared", not_compared}};
}

std::string verify_text(bool verified, int chunks, int compared, int64_t changed_rows,
                        const std::string& not_compared) {
  if (!verified) return "; rows not verified (--no-live-verify)";
  std::string text = fmt::format(
      "; verified: rows match the source ({} of {} chunks and {} changed rows compared inside "
      "the downtime, the rest while streaming)",
      compared, chunks, changed_rows);
  if (!not_compared.empty()) text += "; rows NOT compared of: " + not_compared;
  return text;
}

Status run_sync(const CliContext& ctx, SyncCliOptions& o) {
  PGS_ASSIGN_OR_RETURN(o.sync.source, pg::ConnInfo::parse(o.source));
  PGS_ASSIGN_OR_RETURN(o.sync.target, pg::ConnInfo::parse(o.target));
  o.sync.state_dir = ctx.state_dir;
  bool json = ctx.json;
  // Progress goes to stderr: with --json one object per line, so stdout
  // keeps exactly one document, the summary.
  o.sync.on_progress = [json](const sync::SyncProgress& p) {
    if (json) {
      std::cerr << nlohmann::json{{"progress", progress_json(p)}}.dump() << std::endl;
      return;
    }
    log::info("{}", sync::progress_text(p));
  };
  PGS_ASSIGN_OR_RETURN(auto s, sync::run_sync(o.sync));
  if (ctx.json) {
    ctx.print_json({{"id", s.id},
                    {"resumed", s.resumed},
                    {"copy_id", s.copy_id},
                    {"changes", s.changes},
                    {"transactions", s.transactions},
                    {"cutover_lsn", s.cutover_lsn},
                    {"downtime_seconds", s.downtime_seconds},
                    {"sequences", s.sequences},
                    {"verify", verify_json(s.verified, s.verify_chunks, s.verify_compared,
                                           s.verify_changed_rows, s.verify_differences,
                                           s.verify_not_compared)}});
  } else {
    std::cout << fmt::format(
        "sync {}: cut over at {}, {} changes in {} transactions applied, "
        "{} sequences set, downtime {:.2f} s{}\n",
        s.id, s.cutover_lsn, s.changes, s.transactions, s.sequences, s.downtime_seconds,
        verify_text(s.verified, s.verify_chunks, s.verify_compared, s.verify_changed_rows,
                    s.verify_not_compared));
  }
  return ok_status();
}

void register_sync(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<SyncCliOptions>();
  o->sync.jobs = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  auto* cmd = app.add_subcommand(
      "sync",
      "Copy a database and keep the target in sync by logical decoding until `pgshuttle "
      "cutover`; resumable, exactly once");
  cmd->add_option("SOURCE", o->source, "Source connection string (wal_level = logical)")
      ->required();
  cmd->add_option("TARGET", o->target, "Target connection string")->required();
  auto& s = o->sync;
  cmd->add_option("-j,--jobs", s.jobs, "Concurrency of the initial copy");
  add_pg_bindir_option(cmd, s.pg_bindir);
  cmd->add_option("--batch-changes", s.batch_changes,
                  "Commit the target transaction after about this many changes");
  cmd->add_flag("--cancel", s.cancel,
                "Cancel the unfinished sync of these databases whose process is gone (drops "
                "its slot and publication); a running one: pgshuttle cancel sNNN");
  cmd->add_option("--fence-grace", s.fence_grace_seconds,
                  "Cutover: seconds writers get before their sessions are ended");
  add_filter_options(cmd, s.filter);
  cmd->add_flag("--keep-acl", s.keep_acl, "Keep GRANTs (the roles must exist on the target)");
  cmd->add_flag("!--no-live-verify", s.live_verify,
                "Do not compare rows while streaming and at cutover (pgshuttle verify after "
                "the cutover then proves the copy)");
  cmd->add_option("--verify-chunk-rows", s.verify_chunk_rows,
                  "Rows per key-range chunk of the live verify")
      ->check(CLI::PositiveNumber);
  cmd->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_sync(ctx, *o); }; });
}

struct CutoverCliOptions {
  std::string id;
  int timeout_seconds = 600;
};

Status run_cutover(const CliContext& ctx, const CutoverCliOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto r, sync::request_cutover(ctx.state_dir, o.id, o.timeout_seconds));
  if (ctx.json) {
    ctx.print_json({{"id", r.id},
                    {"lsn", r.lsn},
                    {"downtime_seconds", r.downtime_seconds},
                    {"sequences", r.sequences},
                    {"verify", verify_json(r.verified, r.verify_chunks, r.verify_compared,
                                           r.verify_changed_rows, r.verify_differences,
                                           r.verify_not_compared)},
                    {"database_url", r.database_url}});
  } else {
    std::cout << fmt::format(
        "sync {}: cut over at {}; downtime {:.2f} s (source fenced to target ready); {} "
        "sequences set{}; the source stays read-only (pgshuttle maintenance off SOURCE)\n"
        "Point your applications at the target (its password shown as ***):\n  DATABASE_URL={}\n",
        r.id, r.lsn, r.downtime_seconds, r.sequences,
        verify_text(r.verified, r.verify_chunks, r.verify_compared, r.verify_changed_rows,
                    r.verify_not_compared),
        r.database_url);
  }
  return ok_status();
}

void register_cutover(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<CutoverCliOptions>();
  auto* cmd = app.add_subcommand(
      "cutover", "Fence the source of a running sync, drain it exactly and finish it");
  cmd->add_option("ID", o->id, "Sync id, e.g. s001")->required();
  cmd->add_option("--timeout", o->timeout_seconds, "Seconds to wait for the sync to finish");
  cmd->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_cutover(ctx, *o); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(sync, register_sync);
PGSHUTTLE_COMMAND(cutover, register_cutover);

}  // namespace pgshuttle::cli
