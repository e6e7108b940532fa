#include "cli/command.h"

#include <iostream>
#include <map>

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

bool register_command(const char* name, CommandRegistrar registrar) {
  registry()[name] = registrar;
  return true;
}

void add_all_commands(CLI::App& app, CliContext& context) {
  for (const auto& [name, registrar] : registry()) registrar(app, context);
}

}  // namespace pgshuttle::cli
