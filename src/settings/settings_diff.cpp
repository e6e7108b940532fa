// Classifying settings and comparing a source with a target.
#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string_view>
#include <tuple>

#include "core/parse_number.h"
#include "settings/settings.h"

namespace pgshuttle::settings {
namespace {

constexpr std::array<std::string_view, 10> kSessionSpecific = {"application_name",
                                                               "client_encoding",
                                                               "is_superuser",
                                                               "session_authorization",
                                                               "role",
                                                               "transaction_isolation",
                                                               "transaction_read_only",
                                                               "transaction_deferrable",
                                                               "default_transaction_read_only",
                                                               "in_hot_standby"};

constexpr std::array<std::string_view, 22> kHostSpecificNames = {"port",
                                                                 "listen_addresses",
                                                                 "unix_socket_directories",
                                                                 "data_directory",
                                                                 "config_file",
                                                                 "hba_file",
                                                                 "ident_file",
                                                                 "external_pid_file",
                                                                 "shared_buffers",
                                                                 "effective_cache_size",
                                                                 "maintenance_work_mem",
                                                                 "autovacuum_work_mem",
                                                                 "max_connections",
                                                                 "cluster_name",
                                                                 "effective_io_concurrency",
                                                                 "maintenance_io_concurrency",
                                                                 "max_worker_processes",
                                                                 "max_parallel_workers",
                                                                 "max_parallel_maintenance_workers",
                                                                 "shared_preload_libraries",
                                                                 "fsync",
                                                                 "full_page_writes"};

// Categories whose every member is about the host, not about what queries see.
constexpr std::array<std::string_view, 9> kHostCategories = {"File Locations",
                                                             "Connections and Authentication",
                                                             "Write-Ahead Log",
                                                             "Replication",
                                                             "Reporting and Logging",
                                                             "Statistics",
                                                             "Autovacuum",
                                                             "Preset Options",
                                                             "Resource Usage / Asynchronous"};

// Memory settings that change query behaviour, so stay meaningful.
constexpr std::array<std::string_view, 4> kQueryMemory = {
    "work_mem", "temp_buffers", "hash_mem_multiplier", "max_prepared_transactions"};

template <size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

SettingDifference make_difference(const Setting& s, const Setting* t, bool target_superuser) {
  SettingDifference d;
  d.name = s.name;
  d.source_value = value_with_unit(s);
  d.category = s.category;
  d.source_origin = s.source;
  if (t) {
    d.target_value = value_with_unit(*t);
    d.target_context = t->context;
    d.settable = settable_by_owner(t->context, target_superuser);
  }
  return d;
}

void diff_overrides(const ServerSettings& source, const ServerSettings& target,
                    SettingsDiff& diff) {
  std::map<std::tuple<std::string, bool, std::string>, std::string> on_target;
  for (const auto& o : target.overrides) {
    if (o.role.empty()) {
      diff.target_database_overrides.push_back(o);
    } else {
      on_target[{o.role, o.all_databases, o.name}] = o.value;
    }
  }
  for (const auto& o : source.overrides) {
    if (o.role.empty()) {
      diff.source_database_overrides.push_back(o);
      continue;
    }
    if (is_session_specific(o.name)) continue;
    // A role override applied to the target as "IN DATABASE" counts too.
    auto it = on_target.find({o.role, o.all_databases, o.name});
    if (it == on_target.end()) it = on_target.find({o.role, false, o.name});
    OverrideDifference d{o, it == on_target.end() ? "" : it->second, !target.roles.count(o.role)};
    if (it == on_target.end() || it->second != o.value) diff.role_overrides.push_back(d);
  }
}

}  // namespace

bool is_session_specific(const std::string& name) { return in(kSessionSpecific, name); }

bool is_host_specific(const Setting& s) {
  if (in(kQueryMemory, s.name)) return false;
  if (in(kHostSpecificNames, s.name) || s.context == "internal") return true;
  if (starts_with(s.category, "Resource Usage / Memory")) return true;
  return std::any_of(kHostCategories.begin(), kHostCategories.end(),
                     [&](std::string_view c) { return starts_with(s.category, c); });
}

std::string value_with_unit(const Setting& s) {
  if (s.unit.empty()) return s.setting;
  // "8kB" and "16MB" units scale the number: 128 x 8kB is 1024kB.
  size_t digits = 0;
  while (digits < s.unit.size() && std::isdigit(static_cast<unsigned char>(s.unit[digits]))) {
    ++digits;
  }
  if (digits == 0) return s.setting + s.unit;
  auto factor = parse_i64(std::string_view(s.unit).substr(0, digits));
  auto value = parse_i64(s.setting);
  if (!factor || !value) return s.setting + s.unit.substr(digits);
  if (*value < 0) return s.setting;  // -1 means "use the default"; no unit
  return std::to_string(*value * *factor) + s.unit.substr(digits);
}

bool settable_by_owner(const std::string& context, bool is_superuser) {
  return context == "user" || (is_superuser && context == "superuser");
}

SettingsDiff diff_settings(const ServerSettings& source, const ServerSettings& target) {
  SettingsDiff diff;
  std::map<std::string, const Setting*> on_target;
  for (const auto& t : target.settings) on_target[t.name] = &t;
  for (const auto& s : source.settings) {
    if (is_session_specific(s.name)) continue;
    auto it = on_target.find(s.name);
    const Setting* t = it == on_target.end() ? nullptr : it->second;
    if (t && value_with_unit(*t) == value_with_unit(s)) continue;
    // A setting the target role cannot see (superuser-only, or an extension's
    // custom parameter the target lacks) cannot be compared: listed apart.
    SettingDifference d = make_difference(s, t, target.is_superuser);
    (!t || is_host_specific(s) ? diff.host_specific : diff.settings).push_back(std::move(d));
  }
  diff_overrides(source, target, diff);
  return diff;
}

}  // namespace pgshuttle::settings
