#include "extensions/extension_plan.h"

#include <fmt/format.h>

#include <algorithm>
#include <set>

#include "sql/extensions.h"

namespace pgshuttle::extensions {
namespace {

bool contains(const std::vector<std::string>& list, const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::string join(const std::vector<std::string>& list) {
  std::string out;
  for (const auto& s : list) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// Decides what to do with one extension the target does not have installed.
void plan_missing(ExtensionPlanItem& item, const TargetOffer& offer) {
  auto it = offer.extensions.find(item.name);
  if (it == offer.extensions.end()) {
    item.action = ExtensionAction::kNotAvailable;
    item.detail = "the target server does not offer it (not in pg_available_extensions)";
    return;
  }
  const AvailableExtension& a = it->second;
  if (a.creatable_versions.empty()) {
    item.action = ExtensionAction::kNotPermitted;
    if (!offer.role_is_superuser && !offer.role_can_create_in_database) {
      item.detail = "the connected role has no CREATE privilege on the target database";
    } else {
      item.detail =
          "untrusted: only a superuser may create it (offered versions: " + join(a.versions) + ")";
    }
    return;
  }
  if (!item.source_version.empty() && contains(a.creatable_versions, item.source_version)) {
    item.action = ExtensionAction::kCreate;
    item.create_version = item.source_version;
    return;
  }
  item.create_version = contains(a.creatable_versions, a.default_version)
                            ? a.default_version
                            : a.creatable_versions.back();
  if (item.source_version.empty()) {
    item.action = ExtensionAction::kCreate;
    return;
  }
  item.action = ExtensionAction::kCreateOtherVersion;
  item.detail = fmt::format("version {} is not offered; the target will get {} (offers: {})",
                            item.source_version, item.create_version, join(a.versions));
}

}  // namespace

std::string_view action_name(ExtensionAction action) {
  switch (action) {
    case ExtensionAction::kPresent:
      return "present";
    case ExtensionAction::kPresentOtherVersion:
      return "present-other-version";
    case ExtensionAction::kPresentIncompatible:
      return "present-incompatible";
    case ExtensionAction::kCreate:
      return "create";
    case ExtensionAction::kCreateOtherVersion:
      return "create-other-version";
    case ExtensionAction::kNotAvailable:
      return "not-available";
    case ExtensionAction::kNotPermitted:
      return "not-permitted";
  }
  return "unknown";
}

bool is_blocking(ExtensionAction action) {
  return action == ExtensionAction::kNotAvailable || action == ExtensionAction::kNotPermitted ||
         action == ExtensionAction::kPresentIncompatible;
}

std::vector<const ExtensionPlanItem*> ExtensionPlan::blocking() const {
  std::vector<const ExtensionPlanItem*> out;
  for (const auto& i : items) {
    if (is_blocking(i.action)) out.push_back(&i);
  }
  return out;
}

std::vector<const ExtensionPlanItem*> ExtensionPlan::to_create() const {
  std::vector<const ExtensionPlanItem*> out;
  for (const auto& i : items) {
    if (i.action == ExtensionAction::kCreate || i.action == ExtensionAction::kCreateOtherVersion) {
      out.push_back(&i);
    }
  }
  return out;
}

Result<std::vector<InstalledExtension>> list_extensions(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::extensions::installed));
  std::vector<InstalledExtension> out;
  for (int i = 0; i < rows.rows(); ++i) {
    out.push_back({rows.get(i, 0), rows.get(i, 1), rows.get(i, 2)});
  }
  return out;
}

Result<TargetOffer> read_offer(pg::Connection& conn) {
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::extensions::available));
  TargetOffer offer;
  if (rows.rows() > 0) {
    offer.role_is_superuser = rows.get_bool(0, 6);
    offer.role_can_create_in_database = rows.get_bool(0, 7);
  }
  for (int i = 0; i < rows.rows(); ++i) {
    AvailableExtension& a = offer.extensions[rows.get(i, 0)];
    a.name = rows.get(i, 0);
    a.installed_version = rows.get(i, 2);
    a.default_version = rows.get(i, 3);
    a.versions.push_back(rows.get(i, 1));
    bool may = offer.role_is_superuser ||
               (offer.role_can_create_in_database && (!rows.get_bool(i, 4) || rows.get_bool(i, 5)));
    if (may) a.creatable_versions.push_back(rows.get(i, 1));
  }
  return offer;
}

ExtensionPlan make_plan(const std::vector<InstalledExtension>& source,
                        const std::vector<std::string>& extra_names, const TargetOffer& offer) {
  ExtensionPlan plan;
  std::vector<InstalledExtension> wanted = source;
  for (const auto& n : extra_names) {
    bool known = std::any_of(wanted.begin(), wanted.end(), [&](auto& e) { return e.name == n; });
    if (!known) wanted.push_back({n, "", ""});
  }
  std::set<std::string> wanted_names;
  for (const auto& e : wanted) {
    wanted_names.insert(e.name);
    ExtensionPlanItem item{e.name, e.schema, e.version, "", "", ExtensionAction::kPresent, ""};
    auto it = offer.extensions.find(e.name);
    if (it != offer.extensions.end() && !it->second.installed_version.empty()) {
      item.target_version = it->second.installed_version;
      if (!e.version.empty() && item.target_version != e.version) {
        item.action = ExtensionAction::kPresentOtherVersion;
        item.detail = fmt::format("installed at {} on the target, {} on the source",
                                  item.target_version, e.version);
      }
    } else {
      plan_missing(item, offer);
    }
    plan.items.push_back(std::move(item));
  }
  for (const auto& [name, a] : offer.extensions) {
    if (!a.installed_version.empty() && !wanted_names.count(name)) plan.target_only.push_back(name);
  }
  return plan;
}

std::optional<int> compare_versions(const std::string& a, const std::string& b) {
  auto parts = [](const std::string& v) -> std::optional<std::vector<long>> {
    std::vector<long> out;
    size_t i = 0;
    while (i <= v.size()) {
      size_t dot = std::min(v.find('.', i), v.size());
      std::string part = v.substr(i, dot - i);
      if (part.empty() || part.find_first_not_of("0123456789") != std::string::npos ||
          part.size() > 9) {
        return std::nullopt;
      }
      out.push_back(std::stol(part));
      i = dot + 1;
    }
    return out;
  };
  auto pa = parts(a), pb = parts(b);
  if (!pa || !pb) return std::nullopt;
  pa->resize(std::max(pa->size(), pb->size()));
  pb->resize(pa->size());
  return *pa < *pb ? -1 : (*pa == *pb ? 0 : 1);
}

void judge_installed_version(ExtensionPlanItem& item, bool can_update_to_source,
                             bool source_updates_to_it) {
  const std::string& t = item.target_version;
  const std::string& s = item.source_version;
  auto order = compare_versions(t, s);
  if (can_update_to_source) {
    item.action = ExtensionAction::kPresentOtherVersion;
    item.detail = fmt::format(
        "installed at {} on the target, {} on the source; ALTER EXTENSION {} UPDATE TO '{}' "
        "(as the extension's owner) brings it to the source's version",
        t, s, item.name, s);
  } else if (source_updates_to_it || (order && *order > 0)) {
    item.action = ExtensionAction::kPresentOtherVersion;
    item.detail = fmt::format(
        "installed at {} on the target, newer than the source's {}: the source's objects load "
        "into the newer version",
        t, s);
  } else {
    item.action = ExtensionAction::kPresentIncompatible;
    item.detail = fmt::format(
        "installed at {} on the target, {} on the source, and the target offers no update from "
        "{} to {}: ask the provider to update it (ALTER EXTENSION {} UPDATE TO '{}'), or migrate "
        "into a database without it",
        t, s, t, s, item.name, s);
  }
}

Result<ExtensionPlan> plan_extensions(pg::Connection& source, pg::Connection& target,
                                      const std::vector<std::string>& extra_names) {
  PGS_ASSIGN_OR_RETURN(auto installed, list_extensions(source));
  PGS_ASSIGN_OR_RETURN(auto offer, read_offer(target));
  ExtensionPlan plan = make_plan(installed, extra_names, offer);
  plan.target_user = target.user();
  for (auto& item : plan.items) {
    if (item.action != ExtensionAction::kPresentOtherVersion) continue;
    PGS_ASSIGN_OR_RETURN(auto paths,
                         target.query(sql::extensions::update_paths,
                                      {item.name, item.target_version, item.source_version}));
    judge_installed_version(item, paths.get_bool(0, 0), paths.get_bool(0, 1));
  }
  return plan;
}

std::string create_statement(const ExtensionPlanItem& item) {
  std::string sql = "CREATE EXTENSION IF NOT EXISTS " + pg::quote_ident(item.name);
  if (!item.schema.empty() && item.schema != "pg_catalog") {
    sql += " WITH SCHEMA " + pg::quote_ident(item.schema);
  }
  if (!item.create_version.empty()) sql += " VERSION " + pg::quote_literal(item.create_version);
  return sql + " CASCADE";
}

Result<std::vector<std::string>> apply_extension_plan(pg::Connection& target,
                                                      const ExtensionPlan& plan) {
  std::vector<std::string> created;
  for (const ExtensionPlanItem* item : plan.to_create()) {
    if (!item->schema.empty() && item->schema != "pg_catalog") {
      // Only when missing: CREATE SCHEMA IF NOT EXISTS needs CREATE on the
      // database even when the schema exists.
      PGS_ASSIGN_OR_RETURN(auto found, target.query("SELECT 1 FROM pg_namespace WHERE nspname = $1",
                                                    {item->schema}));
      if (found.rows() == 0) {
        PGS_TRY(target.exec("CREATE SCHEMA " + target.quote_ident(item->schema)));
      }
    }
    auto s = target.exec(create_statement(*item));
    if (!s.ok()) return s.error().with_context("extension " + item->name);
    created.push_back(item->name);
  }
  return created;
}

Status blocking_error(const ExtensionPlan& plan) {
  auto blocked = plan.blocking();
  if (blocked.empty()) return ok_status();
  std::string list;
  for (const auto* b : blocked) list += (list.empty() ? "" : "; ") + b->name + ": " + b->detail;
  return make_error(
      ErrorCode::kMissingExtension,
      fmt::format("the target cannot install {} extension(s): {}", blocked.size(), list),
      "ask the provider to enable the extension (or connect to the target as a "
      "role allowed to create it), or drop it and the objects using it on the "
      "source; `pgshuttle extensions list TARGET` shows what the target has");
}

}  // namespace pgshuttle::extensions
