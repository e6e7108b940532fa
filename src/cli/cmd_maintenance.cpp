// pgshuttle maintenance on|off|status DB: the source read-only for the migration.
#include <fmt/format.h>

#include <iostream>

#include "cli/command.h"
#include "maintenance/maintenance.h"

namespace pgshuttle::cli {
namespace {

struct MaintenanceOptions {
  std::string db;
  const CLI::Option* db_argument = nullptr;  // of the subcommand that runs
  maintenance::EnableOptions enable;
};

Result<pg::Connection> connect(const MaintenanceOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto info, database_argument(*o.db_argument, o.db));
  return pg::Connection::connect(info, pg::Side::kSource);
}

Status report_remaining(const maintenance::EnableResult& r) {
  if (r.remaining.empty()) return ok_status();
  std::string pids;
  for (const auto& s : r.remaining) pids += (pids.empty() ? "" : ", ") + std::to_string(s.pid);
  return make_error(ErrorCode::kWarnings,
                    fmt::format("{} session(s) opened before maintenance mode can still write "
                                "(pid {})",
                                r.remaining.size(), pids),
                    r.terminate_refused.empty()
                        ? "re-run with --terminate to end them, or close them in the "
                          "application"
                        : "this role may not end some of them: connect as a superuser or a "
                          "member of pg_signal_backend, or close them in the application");
}

Status run_on(const CliContext& ctx, const MaintenanceOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto conn, connect(o));
  PGS_ASSIGN_OR_RETURN(auto r, maintenance::enable(conn, o.enable));
  if (ctx.json) {
    auto j = maintenance::to_json(r);
    j["database"] = conn.database();
    j["read_only"] = true;
    ctx.print_json(j);
  } else {
    std::cout << "database " << conn.database() << " is read-only for new sessions\n";
    for (const auto& s : r.terminated) {
      std::cout << fmt::format("ended session pid {} ({}, {})\n", s.pid, s.user,
                               s.application_name);
    }
  }
  return report_remaining(r);
}

Status run_off(const CliContext& ctx, const MaintenanceOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto conn, connect(o));
  PGS_TRY(maintenance::disable(conn));
  if (ctx.json) {
    ctx.print_json({{"database", conn.database()}, {"read_only", false}});
  } else {
    std::cout << "database " << conn.database()
              << " accepts writes from new sessions (sessions opened during maintenance stay "
                 "read-only until they reconnect)\n";
  }
  return ok_status();
}

Status run_status(const CliContext& ctx, const MaintenanceOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto conn, connect(o));
  PGS_ASSIGN_OR_RETURN(auto st, maintenance::status(conn));
  if (ctx.json) {
    ctx.print_json(maintenance::to_json(st));
  } else {
    std::cout << maintenance::to_text(st);
  }
  return ok_status();
}

void register_maintenance(CLI::App& app, CliContext& ctx) {
  auto o = std::make_shared<MaintenanceOptions>();
  auto* cmd = app.add_subcommand("maintenance", "Make a database read-only for the migration");
  cmd->require_subcommand(1);
  auto* on = cmd->add_subcommand("on", "New sessions read-only; wait for or end open writers");
  auto* on_db = on->add_option("DB", o->db, kDatabaseHelp);
  on->add_option("--wait", o->enable.wait_seconds,
                 "Seconds to let in-flight write transactions finish")
      ->default_val(30)
      ->check(CLI::NonNegativeNumber);
  on->add_flag("--terminate", o->enable.terminate,
               "End sessions opened before maintenance mode (pg_terminate_backend)");
  on->callback([&ctx, o, on_db] {
    o->db_argument = on_db;
    ctx.run = [&ctx, o] { return run_on(ctx, *o); };
  });
  auto* off = cmd->add_subcommand("off", "Accept writes again");
  auto* off_db = off->add_option("DB", o->db, kDatabaseHelp);
  off->callback([&ctx, o, off_db] {
    o->db_argument = off_db;
    ctx.run = [&ctx, o] { return run_off(ctx, *o); };
  });
  auto* st = cmd->add_subcommand("status", "Whether writes are possible, and open sessions");
  auto* st_db = st->add_option("DB", o->db, kDatabaseHelp);
  st->callback([&ctx, o, st_db] {
    o->db_argument = st_db;
    ctx.run = [&ctx, o] { return run_status(ctx, *o); };
  });
}

}  // namespace

PGSHUTTLE_COMMAND(maintenance, register_maintenance);

}  // namespace pgshuttle::cli
