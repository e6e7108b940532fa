// pgshuttle's entry point: parse the command line, run the chosen command,
// print its error once and exit with the error's code. Everything else lives
// in the libraries.
#include <CLI/CLI.hpp>

#include <cstdlib>
#include <iostream>

#include "cli/command.h"
#include "core/cancel.h"
#include "core/log.h"
#include "core/progress.h"
#include "core/redact.h"

int main(int argc, char** argv) {
  using namespace pgshuttle;
  cli::CliContext context;
  CLI::App app{"pgshuttle: move a PostgreSQL database between servers and prove nothing was lost",
               "pgshuttle"};
  app.set_version_flag("--version", std::string("pgshuttle ") + PGSHUTTLE_VERSION);
  app.require_subcommand(1);
  app.fallthrough();
  app.add_flag("--json", context.json, "Print machine-readable JSON on stdout");
  app.add_flag("-v,--verbose", context.verbose, "Print debug log lines");
  app.add_flag("-q,--quiet", context.quiet, "Print only warnings and errors");
  if (const char* dir = std::getenv("PGSHUTTLE_STATE_DIR")) context.state_dir = dir;
  app.add_option("--state-dir", context.state_dir,
                 "Transfer registry folder (default ~/.local/state/pgshuttle)");
  cli::add_all_commands(app, context);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    int rc = app.exit(e);
    return rc == 0 ? 0 : static_cast<int>(ErrorCode::kUsage);
  }

  if (context.verbose) log::set_level(log::Level::kDebug);
  if (context.quiet) log::set_level(log::Level::kWarn);
  if (context.json) Progress::set_quiet(true);
  install_cancel_handlers();
  if (!context.run) return static_cast<int>(ErrorCode::kUsage);

  Status status = context.run();
  if (status.ok()) return 0;
  const Error& e = status.error();
  if (e.code != ErrorCode::kWarnings && e.code != ErrorCode::kVerifyFailed) {
    log::error("{}", e.to_string());
  } else if (!e.message.empty()) {
    log::warn("{}", e.to_string());
  }
  return static_cast<int>(e.code);
}
