// Applying a source's settings to a target as a database owner may.
#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "core/log.h"
#include "settings/settings.h"

namespace pgshuttle::settings {
namespace {

// Settings whose value is a list of names (GUC_LIST_QUOTE in guc.c).
constexpr std::array<std::string_view, 5> kQuotedLists = {
    "search_path", "temp_tablespaces", "session_preload_libraries", "local_preload_libraries",
    "shared_preload_libraries"};

// Splits `"$user", public` into {$user, public}.
std::vector<std::string> split_list(const std::string& value) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false, any = false;
  for (size_t i = 0; i < value.size(); ++i) {
    char c = value[i];
    if (c == '"') {
      if (quoted && i + 1 < value.size() && value[i + 1] == '"') {
        cur += '"';
        ++i;
      } else {
        quoted = !quoted;
      }
      any = true;
    } else if (c == ',' && !quoted) {
      out.push_back(cur);
      cur.clear();
      any = false;
    } else if (quoted || (c != ' ' && c != '\t')) {
      cur += c;
      any = true;
    }
  }
  if (any || !out.empty()) out.push_back(cur);
  return out;
}

std::string quote_name(const std::string& name) {
  std::string out;
  size_t start = 0;
  while (true) {
    size_t dot = name.find('.', start);
    out += pg::quote_ident(name.substr(start, dot == std::string::npos ? dot : dot - start));
    if (dot == std::string::npos) return out;
    out += '.';
    start = dot + 1;
  }
}

// Runs (or, dry, records) one ALTER; a refusal goes to the console list.
Status run_alter(pg::Connection& target, const std::string& sql, const std::string& name,
                 const std::string& value, bool dry_run, ApplyResult& result) {
  if (!dry_run) {
    auto s = target.exec(sql);
    if (!s.ok()) {
      if (s.error().sqlstate.empty()) return s;  // the connection, not a refusal
      result.needs_console.push_back({name, value, "refused: " + s.error().message});
      return ok_status();
    }
    log::info("{}", sql);
  }
  result.applied.push_back(sql);
  return ok_status();
}

}  // namespace

std::string set_clause(const std::string& name, const std::string& value) {
  std::string out = quote_name(name) + " = ";
  if (std::find(kQuotedLists.begin(), kQuotedLists.end(), name) == kQuotedLists.end()) {
    return out + pg::quote_literal(value);
  }
  auto items = split_list(value);
  if (items.empty()) return out + "''";
  for (size_t i = 0; i < items.size(); ++i) {
    out += (i ? ", " : "") + pg::quote_literal(items[i]);
  }
  return out;
}

Result<ApplyResult> apply_settings(pg::Connection& source, pg::Connection& target, bool dry_run) {
  PGS_ASSIGN_OR_RETURN(auto src, read_settings(source));
  PGS_ASSIGN_OR_RETURN(auto tgt, read_settings(target));
  SettingsDiff diff = diff_settings(src, tgt);
  ApplyResult result;
  std::string db = target.quote_ident(tgt.database);
  for (const auto& d : diff.settings) {
    if (d.target_value.empty() && d.target_context.empty()) {
      bool absent = false;
      if (d.name.find('.') == std::string::npos) {  // a server setting, not a module's
        PGS_ASSIGN_OR_RETURN(bool known, server_has_setting(target, d.name));
        absent = !known;
      }
      if (absent) {
        result.not_on_target.push_back(
            {d.name, d.source_value,
             fmt::format("PostgreSQL {} has no such setting", target.server_version() / 10000)});
      } else {
        result.needs_console.push_back({d.name, d.source_value, "unknown on the target"});
      }
    } else if (!d.settable) {
      result.needs_console.push_back(
          {d.name, d.source_value, "context \"" + d.target_context + "\": server-wide only"});
    } else {
      std::string sql = "ALTER DATABASE " + db + " SET " + set_clause(d.name, d.source_value);
      PGS_TRY(run_alter(target, sql, d.name, d.source_value, dry_run, result));
    }
  }
  for (const auto& o : diff.role_overrides) {
    if (o.role_missing) {
      result.missing_roles.push_back(o.source.role);
      continue;
    }
    std::string sql = "ALTER ROLE " + target.quote_ident(o.source.role) + " IN DATABASE " + db +
                      " SET " + set_clause(o.source.name, o.source.value);
    PGS_TRY(run_alter(target, sql, o.source.name, o.source.value, dry_run, result));
  }
  return result;
}

}  // namespace pgshuttle::settings
