// pgshuttle inspect DB: sizes, versions, extensions, settings and migration risks.
#include <iostream>

#include "cli/command.h"
#include "inspect/inspect.h"

namespace pgshuttle::cli {
namespace {

Status run_inspect(const CliContext& ctx, const CLI::Option& argument,
                   const std::string& conn_text) {
  PGS_ASSIGN_OR_RETURN(auto info, database_argument(argument, conn_text));
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
  auto* argument = cmd->add_option("DB", *conn, kDatabaseHelp);
  cmd->callback([&ctx, conn, argument] {
    ctx.run = [&ctx, conn, argument] { return run_inspect(ctx, *argument, *conn); };
  });
}

}  // namespace

PGSHUTTLE_COMMAND(inspect, register_inspect);

}  // namespace pgshuttle::cli
