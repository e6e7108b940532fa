// pgshuttle restore SOURCE --target DB: a dump from a file, URL or s3:// into a database.
#include <fmt/format.h>

#include <algorithm>
#include <iostream>
#include <optional>

#include "cli/command.h"
#include "cli/verify_after.h"
#include "core/human.h"
#include "restore/restore.h"

namespace pgshuttle::cli {
namespace {

struct RestoreCliOptions {
  std::string source;
  std::string target;
  int jobs = 0;
  bool keep_owner = false;
  bool skip_unsupported = false;
  bool keep_acl = false;
  ddl::ObjectFilter filter;
  bool clean = false;
  std::string confirm;
  std::string extensions;
  storage::S3Options s3;  // where an s3:// archive is read from
  std::string maintenance_work_mem = "512MB";
  std::string split = "16MB";
  bool no_verify = false;
  bool no_checksum = false;
  bool continue_on_error = false;
  bool single_transaction = false;
  std::string verify_against;
  std::string pg_bindir;
};

std::vector<std::string> split_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma == std::string::npos ? comma : comma - start);
    if (!item.empty()) out.push_back(item);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

nlohmann::json outcome_json(const restore::RestoreOutcome& out) {
  nlohmann::json errors = nlohmann::json::array();
  for (const auto& e : out.errors) {
    errors.push_back({{"severity", e.severity == restore::Severity::kFatal ? "fatal" : "warning"},
                      {"object", e.object},
                      {"message", e.message},
                      {"command", e.command}});
  }
  return {{"id", out.transfer_id},
          {"status", restore::status_name(out.status)},
          {"format", restore::format_name(out.format)},
          {"parallel", out.parallel},
          {"jobs", out.jobs},
          {"bytes_read", out.bytes_read},
          {"rows", out.rows},
          {"tables_loaded", out.tables_loaded},
          {"tables_verified", out.tables_verified},
          {"retries", out.retries},
          {"seconds", out.seconds},
          {"warnings", out.warning_count()},
          {"skipped", out.skipped},
          {"skipped_unsupported", out.skipped_unsupported},
          {"acl_entries_left_out", out.acl_entries_left_out},
          {"errors", errors}};
}

void print_outcome(const restore::RestoreOutcome& out) {
  std::cout << "restore " << out.transfer_id << ": " << restore::status_name(out.status) << " ("
            << restore::format_name(out.format) << " format, " << out.jobs << " job(s), "
            << (out.parallel   ? "parallel from ranged reads, "
                : out.jobs > 1 ? "pg_restore -j on the local file, "
                               : "one sequential pass, ")
            << human_bytes(out.bytes_read) << " read, " << fmt::format("{:.1f}", out.seconds)
            << " s)\n";
  if (out.parallel) {
    std::cout << "  " << out.tables_loaded << " tables, " << out.rows << " rows loaded";
    if (out.retries > 0) std::cout << "; " << out.retries << " retried after a lost connection";
    std::cout << "\n";
  }
  if (out.tables_verified >= 0) {
    std::cout << "  verify: row counts of " << out.tables_verified
              << " tables checked against the archive\n";
  }
  for (const auto& s : out.skipped) std::cout << "  warning: " << s << "\n";
  for (const auto& e : out.errors) {
    std::cout << "  " << (e.severity == restore::Severity::kFatal ? "error" : "warning") << ": "
              << (e.object.empty() ? "" : e.object + ": ") << e.message << "\n";
  }
}

Status run_restore_command(const CliContext& ctx, const RestoreCliOptions& o) {
  restore::RestoreOptions ro;
  ro.source = o.source;
  PGS_ASSIGN_OR_RETURN(ro.target, pg::ConnInfo::parse(o.target));
  ro.jobs = o.jobs;
  ro.keep_owner = o.keep_owner;
  ro.keep_acl = o.keep_acl;
  ro.filter = o.filter;
  ro.clean = o.clean;
  ro.confirm = o.confirm;
  ro.extensions = split_list(o.extensions);
  ro.maintenance_work_mem = o.maintenance_work_mem;
  PGS_ASSIGN_OR_RETURN(int64_t split, size_option("--split-larger-than", o.split));
  ro.split_larger_than = static_cast<uint64_t>(split);
  ro.verify = !o.no_verify;
  ro.checksum = !o.no_checksum;
  ro.pg_bindir = o.pg_bindir;
  ro.sql_continue_on_error = o.continue_on_error;
  ro.single_transaction = o.single_transaction;
  ro.skip_unsupported = o.skip_unsupported;
  if (o.skip_unsupported && o.keep_owner) {
    return make_error(ErrorCode::kUsage, "--skip-unsupported cannot be combined with --keep-owner",
                      "drop --keep-owner: --skip-unsupported is for a target whose role is no "
                      "superuser, and such a role cannot give objects to other roles anyway");
  }
  ro.state_dir = ctx.state_dir;
  ro.s3.endpoint = o.s3.endpoint;
  ro.s3.region = o.s3.region;
  ro.s3.profile = o.s3.profile;
  std::optional<pg::ConnInfo> against;
  if (!o.verify_against.empty()) {
    PGS_ASSIGN_OR_RETURN(against, pg::ConnInfo::parse(o.verify_against));
  }
  PGS_ASSIGN_OR_RETURN(auto out, restore::run_restore(ro));
  nlohmann::json json = outcome_json(out);
  if (!ctx.json) print_outcome(out);
  Status verified = ok_status();
  bool restored = out.status == restore::RestoreStatus::kCompleted ||
                  out.status == restore::RestoreStatus::kFinishedWithWarnings;
  if (against && restored) {
    verify::VerifyOptions vo;
    vo.jobs = std::max(1, out.jobs);
    vo.skip_unsupported = o.skip_unsupported;
    vo.filter = o.filter;  // a part restored: that part compared
    vo.pg_bindir = o.pg_bindir;
    verified = verify_after(ctx, *against, ro.target, vo, "the restored database", out.transfer_id,
                            "The restore matches the archive; a source written after the backup "
                            "explains differences.",
                            json);
  }
  if (ctx.json) ctx.print_json(json);
  PGS_TRY(out.to_status());
  return verified;
}

void register_restore(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<RestoreCliOptions>();
  auto* cmd =
      app.add_subcommand("restore",
                         "Restore a dump (custom, tar, directory, .sql, .sql.gz) from a file, "
                         "http(s) URL or s3:// into a database");
  cmd->add_option("SOURCE", o->source,
                  "Path, http(s):// (presigned) URL, s3://bucket/key or a backup id (b003)")
      ->required();
  cmd->add_option("--target", o->target, "Target database (postgres:// URL or key=value)")
      ->required();
  cmd->add_option("-j,--jobs", o->jobs, "Parallel jobs for seekable archives (default: cores)");
  cmd->add_flag("--keep-owner", o->keep_owner, "Restore ownership (ALTER ... OWNER TO)");
  cmd->add_flag("--keep-acl", o->keep_acl, "Restore privileges (GRANT/REVOKE)");
  add_filter_options(cmd, o->filter);
  cmd->add_flag("--clean", o->clean, "Drop what the target holds first (needs --confirm)");
  cmd->add_option("--confirm", o->confirm, "The target database's name, to allow --clean");
  cmd->add_option("--extensions", o->extensions,
                  "Extensions to create first: name or schema.name, comma-separated");
  cmd->add_option("--maintenance-work-mem", o->maintenance_work_mem,
                  "maintenance_work_mem of the index-building sessions (default 512MB)");
  cmd->add_option("--split-larger-than", o->split,
                  "Load a table with at least this much archive data on --jobs sessions at once "
                  "when its load is the longest chain (default 16MB; 0: never)");
  cmd->add_flag("--no-verify", o->no_verify,
                "Skip the check of every table's row count against the archive at the end");
  add_pg_bindir_option(cmd, o->pg_bindir);
  cmd->add_flag("--no-checksum", o->no_checksum,
                "Do not read a recorded backup's archive once before restoring to compare its "
                "SHA-256 with the record (its size is still compared)");
  cmd->add_flag("--continue-on-error", o->continue_on_error,
                "Plain SQL: run every statement even after one failed (by default psql stops "
                "at the first error)");
  cmd->add_flag("--single-transaction", o->single_transaction,
                "Plain SQL: run the script in one transaction, so that a failure leaves the "
                "target as it was");
  cmd->add_flag("--skip-unsupported", o->skip_unsupported,
                "Leave out schema objects the target role may not create (C functions, base "
                "types, operator classes ...: only a superuser may) and what depends on them, "
                "list them, and restore the rest (custom-format archives with data offsets)");
  cmd->add_option("--verify-against", o->verify_against,
                  "Then verify the target against this database (the backup's source): schema, "
                  "row counts and content checksums, recorded as vNNN");
  add_s3_options(cmd, o->s3);
  cmd->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_restore_command(ctx, *o); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(restore, register_restore);

}  // namespace pgshuttle::cli
