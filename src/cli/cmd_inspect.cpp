// pgshuttle inspect DB: sizes, versions, extensions, settings and migration risks.
#include <iostream>

#include "cli/command.h"
#include "inspect/inspect.h"

namespace pgshuttle::cli {
namespace {

Status run_inspect(const CliContext& ctx, const std::string& conn_text) {
  PGS_ASSIGN_OR_RETURN(auto info, pg::ConnInfo::parse(conn_text));
  PGS_ASSIGN_OR_RETURN(auto conn, pg::Connection::connect(info, pg::Side::kSource));
  PGS_ASSIGN_OR_RETURN(auto report, inspect::inspect_database(conn));
  if (ctx.json) {
    ctx.print_json(inspect::to_json(report));
  } else {
    std::cout << inspect::to_text(report);
  }
  return ok_status();
}

void register_inspect(CLI::App& app, CliContext& ctx) {
  auto conn = std::make_shared<std::string>();
  auto* cmd = app.add_subcommand("inspect",
                                 "Survey a database: sizes, versions, extensions, "
                                 "settings, large objects, migration risks");
  cmd->add_option("DB", *conn, "postgres:// URL or key=value string (default: PG* env)");
  cmd->callback([&ctx, conn] { ctx.run = [&ctx, conn] { return run_inspect(ctx, *conn); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(inspect, register_inspect);

}  // namespace pgshuttle::cli
