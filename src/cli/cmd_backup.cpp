// pgshuttle backup DB --to PATH|s3://bucket/key|- : pg_dump -Fc streamed to
// the destination with its TOC data offsets filled in (see backup/backup.h).
#include <iostream>

#include "backup/backup.h"
#include "cli/command.h"

namespace pgshuttle::cli {
namespace {

struct BackupCliOptions {
  backup::BackupOptions backup;
  int compress = -1;
  bool no_checksum = false;
};

Status run_backup_command(const CliContext& ctx, BackupCliOptions& o) {
  if (o.compress >= 0) o.backup.compress_level = o.compress;
  if (o.backup.s3.sse == "none") o.backup.s3.sse.clear();
  o.backup.state_dir = ctx.state_dir;
  o.backup.checksum = !o.no_checksum;
  PGS_ASSIGN_OR_RETURN(auto result, backup::run_backup(o.backup));
  if (ctx.json) {
    ctx.print_json({{"id", result.transfer_id},
                    {"bytes", result.bytes},
                    {"sha256", result.sha256},
                    {"etag", result.etag},
                    {"data_offsets", result.offsets_present},
                    {"toc_entries", result.toc_entries},
                    {"checksum_seconds", result.checksum_seconds}});
  } else if (o.backup.destination != "-") {
    std::cout << result.transfer_id << ": " << result.bytes << " bytes"
              << (result.sha256.empty() ? "" : ", sha256 " + result.sha256) << "\n";
  }
  return ok_status();
}

void register_backup(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<BackupCliOptions>();
  auto* cmd = app.add_subcommand("backup",
                                 "pg_dump -Fc a database straight to a file, s3://bucket/key or "
                                 "stdout (-), random-access, recorded as a transfer");
  auto* db = cmd->add_option("DB", opts->backup.database, kDatabaseHelp);
  cmd->add_option("--to", opts->backup.destination, "PATH, s3://bucket/key or - (stdout)")
      ->required();
  cmd->add_option("--compress,-Z", opts->compress,
                  "pg_dump compression level 0..9 (default 1: fast; 6 is pg_dump's default)")
      ->check(CLI::Range(0, 9));
  add_filter_options(cmd, opts->backup.filter);
  // pg_dump's own spellings, appended to the same filter.
  auto append_to = [](std::vector<std::string>& list) {
    return
        [&list](const std::vector<std::string>& v) { list.insert(list.end(), v.begin(), v.end()); };
  };
  auto& f = opts->backup.filter;
  cmd->add_option_function<std::vector<std::string>>("--schema,-n", append_to(f.schemas),
                                                     "Only these schemas (pg_dump -n)");
  cmd->add_option_function<std::vector<std::string>>("--exclude-schema,-N",
                                                     append_to(f.exclude_schemas), "pg_dump -N");
  cmd->add_option_function<std::vector<std::string>>("--table,-t", append_to(f.tables),
                                                     "Only these tables (pg_dump -t)");
  cmd->add_option_function<std::vector<std::string>>("--exclude-table,-T",
                                                     append_to(f.exclude_tables), "pg_dump -T");
  cmd->add_option("--jobs,-j", opts->backup.jobs,
                  "S3 parts uploaded at once, and ranges read at once for the checksum")
      ->check(CLI::Range(1, 64))
      ->default_val(4);
  cmd->add_flag("--force", opts->backup.replace,
                "Replace an existing file or S3 object (never done otherwise: a backup id that "
                "recorded it would then restore other data)");
  cmd->add_flag("--no-checksum", opts->no_checksum,
                "Do not read the stored archive back for its SHA-256 (stdout is always hashed)");
  cmd->add_option("--pg-dump", opts->backup.pg_dump,
                  "pg_dump program (default: the one of the server's major, see --pg-bindir)");
  add_pg_bindir_option(cmd, opts->backup.pg_bindir);
  add_s3_options(cmd, opts->backup.s3, &opts->backup.s3.sse);
  cmd->callback([&ctx, opts, db] {
    ctx.run = [&ctx, opts, db]() -> Status {
      PGS_ASSIGN_OR_RETURN(opts->backup.database, database_text(*db, opts->backup.database));
      return run_backup_command(ctx, *opts);
    };
  });
}

}  // namespace

PGSHUTTLE_COMMAND(backup, register_backup);

}  // namespace pgshuttle::cli
