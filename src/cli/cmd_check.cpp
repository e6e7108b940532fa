// pgshuttle check SOURCE TARGET: the preflight; writes nothing.
#include <fmt/format.h>

#include <iostream>

#include "check/check.h"
#include "cli/command.h"

namespace pgshuttle::cli {
namespace {

struct CheckCliOptions {
  std::string source;
  std::string target;
  check::CheckOptions check;
};

Status run_check(const CliContext& ctx, const CheckCliOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto sinfo, pg::ConnInfo::parse(o.source));
  PGS_ASSIGN_OR_RETURN(auto tinfo, pg::ConnInfo::parse(o.target));
  PGS_ASSIGN_OR_RETURN(auto source, pg::Connection::connect(sinfo, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto target, pg::Connection::connect(tinfo, pg::Side::kTarget));
  PGS_ASSIGN_OR_RETURN(auto report, check::run_check(source, target, o.check));
  if (ctx.json) {
    ctx.print_json(check::to_json(report));
  } else {
    std::cout << check::to_text(report);
  }
  switch (report.outcome()) {
    case ErrorCode::kBlocked:
      return make_error(
          ErrorCode::kBlocked,
          fmt::format("check found {} blocker(s)", report.count(check::Severity::kBlocker)),
          "fix each blocker as listed, then run check again");
    case ErrorCode::kWarnings:
      return make_error(ErrorCode::kWarnings,
                        fmt::format("check found {} warning(s) and no blockers",
                                    report.count(check::Severity::kWarning)),
                        "read the warnings; the migration can proceed");
    default:
      return ok_status();
  }
}

void register_check(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<CheckCliOptions>();
  auto* cmd = app.add_subcommand("check",
                                 "Preflight a migration: blockers and warnings with fixes "
                                 "(writes nothing; exit 8 blockers, 12 warnings only)");
  cmd->add_option("SOURCE", o->source, "source database URL")->required();
  cmd->add_option("TARGET", o->target, "target database URL")->required();
  cmd->add_option("--pg-dump", o->check.pg_dump,
                  "pg_dump program (default: the one copy and backup would choose)");
  cmd->add_option("--pg-restore", o->check.pg_restore,
                  "pg_restore program (default: the one restore would choose)");
  cmd->add_flag("--online", o->check.online,
                "Also what `sync` and `migrate --online` need of the source: wal_level = "
                "logical, the REPLICATION privilege, a free slot, a key on every table");
  add_pg_bindir_option(cmd, o->check.pg_bindir);
  cmd->callback([&ctx, o] { ctx.run = [&ctx, o] { return run_check(ctx, *o); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(check, register_check);

}  // namespace pgshuttle::cli
