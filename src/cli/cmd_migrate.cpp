// pgshuttle migrate SOURCE TARGET --via s3://bucket/prefix | --direct
#include <fmt/format.h>

#include <iostream>

#include "cli/command.h"
#include "core/log.h"
#include "migrate/migrate.h"
#include "state/private_files.h"
#include "state/transfer_registry.h"

namespace pgshuttle::cli {
namespace {

Status run_migrate(const CliContext& ctx, migrate::MigrateOptions o, bool resume, std::string sse) {
  o.state_dir = state::default_state_dir(ctx.state_dir);
  // Migrate's own step records go under the state directory before any
  // registry opens it: create it private here, not with the umask's mode.
  PGS_TRY(state::make_private_dir(o.state_dir));
  o.s3.sse = sse == "none" ? "" : sse;
  (void)resume;  // a re-run resumes by itself; --resume only documents the intent
  if (o.dry_run) {
    PGS_ASSIGN_OR_RETURN(auto plan, migrate::plan_migration(o));
    if (ctx.json) {
      ctx.print_json(plan);
    } else {
      std::cout << "plan (nothing is written):\n";
      for (const auto& s : plan["steps"]) {
        std::cout << "  " << s["name"].get<std::string>() << ": "
                  << s["description"].get<std::string>()
                  << (s["done_by_earlier_run"].get<bool>() ? "  [done by an earlier run]" : "")
                  << "\n";
      }
      std::cout << "source size " << plan["source_bytes"] << " bytes, estimated "
                << static_cast<int>(plan["estimated_seconds"].get<double>()) << " s; "
                << plan["blockers"] << " blocker(s), " << plan["warnings"] << " warning(s)\n";
    }
    return ok_status();
  }
  PGS_ASSIGN_OR_RETURN(auto summary, migrate::run_migration(o));
  if (ctx.json) {
    if (o.show_password) {
      std::cout << migrate::to_json(summary).dump(2) << std::endl;
    } else {
      ctx.print_json(migrate::to_json(summary));
    }
  } else {
    std::cout << migrate::to_text(summary);
  }
  if (summary.known_skips > 0) {
    return make_error(ErrorCode::kWarnings,
                      fmt::format("migrated, but {} object(s) of the source the target role may "
                                  "not create were left out (--skip-unsupported)",
                                  summary.known_skips),
                      "the transfer log lists each; create them through the provider (or as a "
                      "superuser), or accept that the target does without them");
  }
  return ok_status();
}

void register_migrate(CLI::App& app, CliContext& ctx) {
  struct Args {
    migrate::MigrateOptions o;
    bool resume = false;
    bool no_verify = false;
    std::string sse = "AES256";
  };
  auto a = std::make_shared<Args>();
  auto* cmd = app.add_subcommand(
      "migrate",
      "Run the whole runbook: check, read-only source, backup to S3 (or direct copy), "
      "presigned URL, extensions, restore, settings, verify");
  cmd->add_option("SOURCE", a->o.source, "Source database URL")->required();
  cmd->add_option("TARGET", a->o.target, "Target database URL")->required();
  cmd->add_option("--via", a->o.via, "Go through an archive at s3://bucket/prefix");
  cmd->add_flag("--direct", a->o.direct, "Copy server to server, no archive");
  cmd->add_flag("--online", a->o.online,
                "Keep the source writable: copy, stream its changes by logical decoding, and "
                "cut over by itself once caught up (downtime: seconds)");
  cmd->add_option("--cutover-lag", a->o.cutover_lag_bytes,
                  "With --online: cut over once the lag is at most this many bytes")
      ->default_val(1 << 20)
      ->check(CLI::PositiveNumber);
  cmd->add_option("--fence-grace", a->o.fence_grace_seconds,
                  "With --online: seconds writers get at the cutover before their sessions end")
      ->default_val(5)
      ->check(CLI::NonNegativeNumber);
  add_s3_options(cmd, a->o.s3, &a->sse);
  cmd->add_option("-j,--jobs", a->o.jobs, "Parallel workers (default: cores)");
  cmd->add_flag("--dry-run", a->o.dry_run, "Print the plan with estimates; write nothing");
  cmd->add_flag("--resume", a->resume, "Continue a recorded run (re-running does the same)");
  cmd->add_flag("--restart", a->o.restart, "Forget the recorded run and start over");
  cmd->add_flag("--release-source", a->o.release_source, "Make the source writable at the end");
  cmd->add_option("--maintenance-wait", a->o.maintenance_wait_seconds,
                  "Seconds to wait for in-flight writes on the source");
  cmd->add_flag("--terminate-sessions", a->o.terminate_sessions,
                "End source sessions still running after the wait");
  cmd->add_flag("--no-verify", a->no_verify, "Skip the final verification");
  cmd->add_option("--confirm", a->o.confirm, "Target database name (for a non-empty target)");
  cmd->add_flag("--clean", a->o.clean, "Drop what the target holds (with --confirm)");
  add_filter_options(cmd, a->o.filter);
  cmd->add_flag("--keep-acl", a->o.keep_acl,
                "Keep GRANTs and default privileges (their roles must exist on the target; "
                "see pgshuttle roles)");
  cmd->add_flag("--skip-unsupported", a->o.skip_unsupported,
                "Leave out what the target role may not create (C functions, base types, "
                "operator classes ...) and what depends on it; list it; verify reports it as "
                "known skips");
  cmd->add_flag("--show-password", a->o.show_password, "Print the target password in the summary");
  cmd->callback([&ctx, a] {
    ctx.run = [&ctx, a] {
      a->o.verify = !a->no_verify;
      return run_migrate(ctx, a->o, a->resume, a->sse);
    };
  });
}

}  // namespace

PGSHUTTLE_COMMAND(migrate, register_migrate);

}  // namespace pgshuttle::cli
