// pgshuttle verify SOURCE TARGET: prove that two databases hold the same
// schema and data; exit 6 (verify-failed) when they differ.
#include <fstream>
#include <iostream>

#include <fmt/format.h>

#include "cli/command.h"
#include "verify/report.h"
#include "verify/verify.h"
#include "verify/verify_transfer.h"

namespace pgshuttle::cli {
namespace {

struct VerifyArgs {
  std::string source, target, html, junit;
  bool schema_only = false, data_only = false;
  verify::VerifyOptions options;
};

Status write_file(const std::string& path, const std::string& content, std::string_view what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    return make_error(ErrorCode::kStorage,
                      fmt::format("cannot write the {} report to {}", what, path),
                      "check that the folder exists and is writable");
  }
  return ok_status();
}

Status run_verify(const CliContext& ctx, VerifyArgs args) {
  if (args.schema_only && args.data_only) {
    return make_error(ErrorCode::kUsage, "--schema-only and --data-only exclude each other");
  }
  args.options.compare_data = !args.schema_only;
  args.options.compare_schema = !args.data_only;
  PGS_ASSIGN_OR_RETURN(auto source, pg::ConnInfo::parse(args.source));
  PGS_ASSIGN_OR_RETURN(auto target, pg::ConnInfo::parse(args.target));
  PGS_ASSIGN_OR_RETURN(auto recorded,
                       verify::verify_recorded(source, target, args.options, ctx.state_dir));
  const verify::VerifyReport& report = recorded.report;
  if (ctx.json) {
    auto j = verify::to_json(report);
    j["id"] = recorded.id;
    ctx.print_json(j);
  } else {
    std::cout << verify::to_text(report) << "recorded as " << recorded.id << "\n";
  }
  if (!args.html.empty()) PGS_TRY(write_file(args.html, verify::to_html(report), "HTML"));
  if (!args.junit.empty()) PGS_TRY(write_file(args.junit, verify::to_junit(report), "JUnit"));
  return verify::report_status(report);
}

void register_verify(CLI::App& app, CliContext& ctx) {
  auto args = std::make_shared<VerifyArgs>();
  auto* cmd = app.add_subcommand(
      "verify", "Prove that TARGET holds the same schema and data as SOURCE (exit 6 if not)");
  cmd->add_option("SOURCE", args->source, "Source database: postgres:// URL or key=value string")
      ->required();
  cmd->add_option("TARGET", args->target, "Target database: postgres:// URL or key=value string")
      ->required();
  cmd->add_option("-j,--jobs", args->options.jobs, "Parallel workers per side")
      ->capture_default_str()
      ->check(CLI::Range(1, 256));
  cmd->add_flag("--compare-owners", args->options.compare_owners, "Also compare object owners");
  cmd->add_flag("--compare-acls", args->options.compare_acls, "Also compare privileges (ACLs)");
  cmd->add_flag("--skip-unsupported", args->options.skip_unsupported,
                "The target was loaded with --skip-unsupported: report what only a superuser may "
                "create (and what depends on it) as known skips when missing on the target; the "
                "verdict is then INCOMPLETE (exit 12), never PASSED");
  cmd->add_option("--query-file", args->options.query_files,
                  "Run each query of FILE on both sides and compare the results (queries end "
                  "with ';' at the end of a line or with a blank line); repeatable");
  cmd->add_option("--html", args->html, "Also write a self-contained HTML report to FILE");
  cmd->add_option("--junit", args->junit, "Also write a JUnit XML report to FILE (for CI)");
  cmd->add_flag("--md5", args->options.md5_row_hash,
                "Hash rows with md5 even when both servers agree on the faster "
                "hashtextextended()");
  cmd->add_option("--hash-bits", args->options.hash_bits,
                  "Bits of hash per row: 64 (one hashtextextended per row) or 128 (two; "
                  "about 40% more server time on narrow tables)")
      ->capture_default_str()
      ->check(CLI::IsMember({64, 128}));
  add_filter_options(cmd, args->options.filter);
  add_pg_bindir_option(cmd, args->options.pg_bindir);
  cmd->add_flag("--schema-only", args->schema_only, "Compare only the schema");
  cmd->add_flag("--data-only", args->data_only, "Compare only table data (and --query-file)");
  cmd->add_option("--chunk-rows", args->options.chunk_rows,
                  "Rows per key-range chunk of a table with a primary key (default: enough "
                  "chunks to balance --jobs, at least a million rows each)")
      ->check(CLI::PositiveNumber);
  cmd->add_option("--bisect-rows", args->options.row_fetch_rows,
                  "A differing key range of at most this many rows is compared row by row; "
                  "larger ones are split in two first")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  cmd->add_option("--max-row-differences", args->options.max_row_differences,
                  "Rows listed per table; further ones are only counted")
      ->capture_default_str();
  cmd->callback([&ctx, args] { ctx.run = [&ctx, args] { return run_verify(ctx, *args); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(verify, register_verify);

}  // namespace pgshuttle::cli
