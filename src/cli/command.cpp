#include "cli/command.h"

#include <cstdlib>
#include <iostream>
#include <map>

#include "core/log.h"
#include "core/redact.h"

namespace pgshuttle::cli {
namespace {

std::map<std::string, CommandRegistrar>& registry() {
  static std::map<std::string, CommandRegistrar> r;
  return r;
}

}  // namespace

void CliContext::print_json(const nlohmann::json& value) const {
  // Reports may quote user input (URLs, connection strings): redact them too.
  std::cout << redact(value.dump(2)) << std::endl;
  printed_json = true;
}

void CliContext::print_json_error(const Error& e) const {
  nlohmann::json error = {{"code", static_cast<int>(e.code)},
                          {"name", error_code_name(e.code)},
                          {"message", e.message}};
  if (!e.hint.empty()) error["hint"] = e.hint;
  if (!e.context.empty()) error["context"] = e.context;
  if (!e.sqlstate.empty()) error["sqlstate"] = e.sqlstate;
  print_json({{"error", error}});
}

Result<std::string> database_text(const CLI::Option& argument, const std::string& value) {
  if (argument.count() > 0) return value;
  const char* env = std::getenv("DATABASE_URL");
  if (env == nullptr || *env == '\0') {
    return make_error(ErrorCode::kUsage, "no database given, and DATABASE_URL is not set",
                      "pass the database as postgresql://user@host:port/dbname, or export "
                      "DATABASE_URL");
  }
  log::info("using the database in DATABASE_URL");
  return std::string(env);
}

Result<pg::ConnInfo> database_argument(const CLI::Option& argument, const std::string& value) {
  PGS_ASSIGN_OR_RETURN(auto text, database_text(argument, value));
  return pg::ConnInfo::parse(text);
}

bool register_command(const char* name, CommandRegistrar registrar) {
  registry()[name] = registrar;
  return true;
}

void add_all_commands(CLI::App& app, CliContext& context) {
  for (const auto& [name, registrar] : registry()) registrar(app, context);
}

}  // namespace pgshuttle::cli
