// pgshuttle settings export DB --csv FILE | diff SOURCE TARGET | apply SOURCE TARGET.
#include <iostream>

#include "cli/command.h"
#include "settings/settings.h"

namespace pgshuttle::cli {
namespace {

struct SettingsOptions {
  std::string source;
  std::string target;
  std::string csv = "-";
  bool dry_run = false;
};

Result<pg::Connection> connect(const std::string& text, pg::Side side) {
  PGS_ASSIGN_OR_RETURN(auto info, pg::ConnInfo::parse(text));
  return pg::Connection::connect(info, side);
}

Status run_export(const SettingsOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto conn, connect(o.source, pg::Side::kSource));
  return settings::export_csv(conn, o.csv);
}

Status run_diff(const CliContext& ctx, const SettingsOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto source, connect(o.source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto target, connect(o.target, pg::Side::kTarget));
  PGS_ASSIGN_OR_RETURN(auto src, settings::read_settings(source));
  PGS_ASSIGN_OR_RETURN(auto tgt, settings::read_settings(target));
  auto diff = settings::diff_settings(src, tgt);
  if (ctx.json) {
    ctx.print_json(settings::to_json(diff));
  } else {
    std::cout << settings::to_text(diff);
  }
  return ok_status();
}

Status run_apply(const CliContext& ctx, const SettingsOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto source, connect(o.source, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto target, connect(o.target, pg::Side::kTarget));
  PGS_ASSIGN_OR_RETURN(auto result, settings::apply_settings(source, target, o.dry_run));
  if (ctx.json) {
    auto j = settings::to_json(result);
    j["dry_run"] = o.dry_run;
    ctx.print_json(j);
  } else {
    std::cout << (o.dry_run ? "would run:\n" : "") << settings::to_text(result);
  }
  return ok_status();
}

void add_pair(CLI::App* cmd, SettingsOptions& o) {
  cmd->add_option("SOURCE", o.source, "source database URL")->required();
  cmd->add_option("TARGET", o.target, "target database URL")->required();
}

void register_settings(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<SettingsOptions>();
  auto* cmd = app.add_subcommand("settings", "Export, compare and apply run-time settings");
  cmd->require_subcommand(1);
  auto* exp = cmd->add_subcommand("export", "Write all of pg_settings as CSV");
  auto* db = exp->add_option("DB", o->source, kDatabaseHelp);
  exp->add_option("--csv", o->csv, "output file (- for stdout)");
  exp->callback([&ctx, o, db] {
    ctx.run = [o, db]() -> Status {
      PGS_ASSIGN_OR_RETURN(o->source, database_text(*db, o->source));
      return run_export(*o);
    };
  });
  auto* diff = cmd->add_subcommand("diff", "Meaningful setting differences, host-specific apart");
  add_pair(diff, *o);
  diff->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_diff(ctx, *o); }; });
  auto* apply = cmd->add_subcommand(
      "apply", "Set on the target database what a database owner may (ALTER DATABASE/ROLE)");
  add_pair(apply, *o);
  apply->add_flag("--dry-run", o->dry_run, "Print the statements, run nothing");
  apply->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_apply(ctx, *o); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(settings, register_settings);

}  // namespace pgshuttle::cli
