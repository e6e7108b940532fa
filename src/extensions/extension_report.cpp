// Text and JSON renderings of an ExtensionPlan.
#include <fmt/format.h>

#include "extensions/extension_plan.h"

namespace pgshuttle::extensions {

nlohmann::json to_json(const ExtensionPlan& plan) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& i : plan.items) {
    items.push_back({{"name", i.name},
                     {"schema", i.schema},
                     {"source_version", i.source_version},
                     {"target_version", i.target_version},
                     {"create_version", i.create_version},
                     {"action", action_name(i.action)},
                     {"blocking", is_blocking(i.action)},
                     {"detail", i.detail}});
  }
  return {{"extensions", items},
          {"target_only", plan.target_only},
          {"target_user", plan.target_user},
          {"blocking", plan.blocking().size()},
          {"to_create", plan.to_create().size()}};
}

std::string to_text(const ExtensionPlan& plan) {
  std::string out =
      fmt::format("{:<22} {:<10} {:<10} {}\n", "extension", "source", "target", "action");
  for (const auto& i : plan.items) {
    std::string action(action_name(i.action));
    if (!i.create_version.empty()) action += " " + i.create_version;
    out += fmt::format("{:<22} {:<10} {:<10} {}\n", i.name,
                       i.source_version.empty() ? "-" : i.source_version,
                       i.target_version.empty() ? "-" : i.target_version, action);
    if (!i.detail.empty()) out += "    " + i.detail + "\n";
  }
  for (const auto& n : plan.target_only) out += fmt::format("{:<22} (only on the target)\n", n);
  return out;
}

}  // namespace pgshuttle::extensions
