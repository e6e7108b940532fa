// pgshuttle conninfo CONNSTRING: how libpq will read a connection string.
#include <iostream>

#include "cli/command.h"
#include "pg/conninfo.h"

namespace pgshuttle::cli {
namespace {

struct ConninfoOptions {
  std::string conn;
  const CLI::Option* conn_argument = nullptr;
  bool env = false;
  bool show_password = false;
};

Status run_conninfo(const CliContext& ctx, const ConninfoOptions& o) {
  PGS_ASSIGN_OR_RETURN(auto info, database_argument(*o.conn_argument, o.conn));
  auto eff = info.effective();
  std::string password = info.has("password") ? (o.show_password ? info.password() : "***") : "";
  if (ctx.json) {
    nlohmann::json j = {{"host", eff["host"]},       {"port", eff["port"]},
                        {"user", eff["user"]},       {"dbname", eff["dbname"]},
                        {"sslmode", eff["sslmode"]}, {"url", info.to_uri(o.show_password)}};
    if (!password.empty()) j["password"] = password;
    if (o.show_password) {
      std::cout << j.dump(2) << std::endl;  // explicitly asked for: not redacted
    } else {
      ctx.print_json(j);
    }
    return ok_status();
  }
  if (o.env) {
    std::cout << "PGHOST=" << eff["host"] << "\nPGPORT=" << eff["port"]
              << "\nPGUSER=" << eff["user"] << "\nPGDATABASE=" << eff["dbname"]
              << "\nPGSSLMODE=" << eff["sslmode"] << "\n";
    if (!password.empty()) std::cout << "PGPASSWORD=" << password << "\n";
    return ok_status();
  }
  std::cout << "host:     " << eff["host"] << "\nport:     " << eff["port"]
            << "\nuser:     " << eff["user"] << "\ndatabase: " << eff["dbname"]
            << "\nsslmode:  " << eff["sslmode"] << "\n";
  if (!password.empty()) std::cout << "password: " << password << "\n";
  std::cout << "url:      " << info.to_uri(o.show_password) << "\n";
  return ok_status();
}

void register_conninfo(CLI::App& app, CliContext& ctx) {
  auto opts = std::make_shared<ConninfoOptions>();
  auto* cmd = app.add_subcommand("conninfo",
                                 "Show how a connection string is read (host, port, "
                                 "user, database, sslmode)");
  opts->conn_argument = cmd->add_option("CONN", opts->conn, kDatabaseHelp);
  cmd->add_flag("--env", opts->env, "Print PGHOST=... lines");
  cmd->add_flag("--show-password", opts->show_password, "Print the password instead of ***");
  cmd->callback([&ctx, opts] { ctx.run = [&ctx, opts] { return run_conninfo(ctx, *opts); }; });
}

}  // namespace

PGSHUTTLE_COMMAND(conninfo, register_conninfo);

}  // namespace pgshuttle::cli
