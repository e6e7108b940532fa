// Text and JSON renderings of a settings diff and of an apply.
#include <fmt/format.h>

#include "settings/settings.h"

namespace pgshuttle::settings {
namespace {

nlohmann::json difference_json(const SettingDifference& d) {
  return {{"name", d.name},
          {"source", d.source_value},
          {"target", d.target_value},
          {"category", d.category},
          {"source_origin", d.source_origin},
          {"target_context", d.target_context},
          {"settable_by_owner", d.settable}};
}

nlohmann::json override_json(const Override& o) {
  return {
      {"role", o.role}, {"all_databases", o.all_databases}, {"name", o.name}, {"value", o.value}};
}

// Long paths would push the columns apart; JSON carries the full value.
std::string cell(const std::string& value) {
  return value.size() <= 24 ? value : value.substr(0, 10) + "..." + value.substr(value.size() - 11);
}

std::string difference_line(const SettingDifference& d) {
  return fmt::format("  {:<32} {:<24} {:<24} {}\n", d.name, cell(d.source_value),
                     d.target_context.empty() ? "(not visible)" : cell(d.target_value),
                     d.settable ? "ALTER DATABASE" : "console");
}

}  // namespace

nlohmann::json to_json(const SettingsDiff& diff) {
  nlohmann::json j = {{"clean", diff.clean()}};
  j["settings"] = nlohmann::json::array();
  for (const auto& d : diff.settings) j["settings"].push_back(difference_json(d));
  j["host_specific"] = nlohmann::json::array();
  for (const auto& d : diff.host_specific) j["host_specific"].push_back(difference_json(d));
  j["role_overrides"] = nlohmann::json::array();
  for (const auto& o : diff.role_overrides) {
    auto r = override_json(o.source);
    r["target_value"] = o.target_value;
    r["role_missing_on_target"] = o.role_missing;
    j["role_overrides"].push_back(r);
  }
  j["source_database_overrides"] = nlohmann::json::array();
  for (const auto& o : diff.source_database_overrides) {
    j["source_database_overrides"].push_back(override_json(o));
  }
  j["target_database_overrides"] = nlohmann::json::array();
  for (const auto& o : diff.target_database_overrides) {
    j["target_database_overrides"].push_back(override_json(o));
  }
  return j;
}

nlohmann::json to_json(const ApplyResult& result) {
  nlohmann::json console = nlohmann::json::array();
  for (const auto& c : result.needs_console) {
    console.push_back({{"name", c.name}, {"value", c.value}, {"reason", c.reason}});
  }
  nlohmann::json absent = nlohmann::json::array();
  for (const auto& c : result.not_on_target) {
    absent.push_back({{"name", c.name}, {"value", c.value}, {"reason", c.reason}});
  }
  return {{"applied", result.applied},
          {"needs_console", console},
          {"not_on_target", absent},
          {"missing_roles", result.missing_roles}};
}

std::string to_text(const SettingsDiff& diff) {
  std::string out;
  auto header = fmt::format("  {:<32} {:<24} {:<24} {}\n", "name", "source", "target", "fix");
  out += diff.settings.empty() ? "settings: no meaningful differences\n"
                               : "settings that differ:\n" + header;
  for (const auto& d : diff.settings) out += difference_line(d);
  if (!diff.host_specific.empty()) {
    out += "host-specific (ports, paths, memory, WAL, logging; set by the provider):\n" + header;
    for (const auto& d : diff.host_specific) out += difference_line(d);
  }
  if (!diff.role_overrides.empty()) out += "role overrides missing on the target:\n";
  for (const auto& o : diff.role_overrides) {
    out += fmt::format("  ALTER ROLE {} {}SET {} = {}{}\n", o.source.role,
                       o.source.all_databases ? "" : "IN DATABASE ... ", o.source.name,
                       o.source.value, o.role_missing ? "   (role missing on the target)" : "");
  }
  for (const auto& o : diff.source_database_overrides) {
    out += fmt::format("source database sets {} = {}\n", o.name, o.value);
  }
  return out;
}

std::string to_text(const ApplyResult& result) {
  std::string out;
  for (const auto& s : result.applied) out += s + ";\n";
  if (result.applied.empty()) out += "nothing to apply\n";
  if (!result.needs_console.empty()) {
    out += "needs the provider's console (or a superuser):\n";
    for (const auto& c : result.needs_console) {
      out += fmt::format("  {} = {}   ({})\n", c.name, c.value, c.reason);
    }
  }
  for (const auto& c : result.not_on_target) {
    out += fmt::format("{} = {} left out: {}\n", c.name, c.value, c.reason);
  }
  for (const auto& r : result.missing_roles) {
    out += "role " + r + " does not exist on the target: its settings were skipped\n";
  }
  return out;
}

}  // namespace pgshuttle::settings
