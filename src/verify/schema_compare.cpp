#include "verify/schema_compare.h"

#include <algorithm>

#include <fmt/format.h>

#include <array>
#include <map>
#include <regex>
#include <set>

#include "core/log.h"
#include "core/parse_number.h"
#include "settings/settings.h"
#include "sql/verify.h"

namespace pgshuttle::verify {
namespace {

// One round trip each; together they cover every object kind pg_dump dumps.
constexpr std::array<std::string_view, 15> kCatalogQueries = {
    sql::verify::schema_types,
    sql::verify::schema_relations,
    sql::verify::schema_columns,
    sql::verify::schema_constraints,
    sql::verify::schema_indexes,
    sql::verify::schema_sequences,
    sql::verify::schema_routines,
    sql::verify::schema_triggers_policies,
    sql::verify::schema_rules_statistics,
    sql::verify::schema_publications,
    sql::verify::schema_text_search,
    sql::verify::schema_operators,
    sql::verify::schema_casts_conversions,
    sql::verify::schema_foreign,
    sql::verify::schema_database_objects,
};

// A value the session may not read (a user mapping's options): unknown, so
// never compared.
constexpr std::string_view kNotVisible = "(not visible)";

bool ignored(const std::string& property, const VerifyOptions& options) {
  if (property == "owner") return !options.compare_owners;
  if (property == "acl") return !options.compare_acls;
  return false;
}

bool is_relation(const std::string& kind) {
  return kind == "table" || kind == "view" || kind == "materialized view" ||
         kind == "foreign table" || kind == "composite type";
}

// Database settings a target may rightly lack: tuning, and what only a
// superuser may set (sql/verify/schema_types.sql sorts them out).
bool warning_only_setting(const std::string& kind) {
  return kind == "database tuning setting" || kind == "database setting (superuser only)";
}

// A changed extension version, database property or warning-only database
// setting is worth reading, but does not make the databases different.
Severity changed_severity(const std::string& kind) {
  return kind == "extension" || kind == "database" || warning_only_setting(kind)
             ? Severity::kWarning
             : Severity::kDifference;
}

std::string show(const std::optional<std::string>& v) { return v ? *v : "(null)"; }

// pg_dump re-creates an inheritance child's inherited columns ahead of its
// local ones (sql/verify/schema_columns.sql): any dump and restore may list
// them in another order. No value is lost (data is compared by column
// name), but SELECT * changes, so it is worth a warning.
constexpr std::string_view kInheritedPosition = "position in an inheritance child";

// Default privileges name roles; a copy or restore made without ACLs
// (--keep-acl not given, the usual move into another provider's roles)
// leaves them out on purpose. Not silent then, but a warning; a difference
// when ACLs are compared.
bool acl_kind_not_asked(const std::string& kind, const VerifyOptions& options) {
  return kind == "default privileges" && !options.compare_acls;
}

// A database default the target has and the source lacks loses nothing:
// migrate's settings step puts the source's server-level values there (the
// target server's differ), and a provider may add its own.
bool extra_setting(const std::string& kind, bool missing) {
  return !missing && kind == "database setting";
}

// A time or memory value in base units ("15min" and "900000ms" are one
// value), or the text as it is.
std::string normalized_setting(const std::string& v) {
  static const std::regex re(R"(^\s*(-?[0-9]+)\s*(us|ms|s|min|h|d|B|kB|MB|GB|TB)?\s*$)");
  static const std::map<std::string, long double> scale{
      {"us", 0.001},        {"ms", 1}, {"s", 1000},  {"min", 60000},  {"h", 3600000},
      {"d", 86400000},      {"B", 1},  {"kB", 1024}, {"MB", 1048576}, {"GB", 1073741824},
      {"TB", 1099511627776}};
  std::smatch m;
  if (!std::regex_match(v, m, re) || !m[2].matched) return v;
  long double n = std::stold(m[1].str()) * scale.at(m[2].str());
  bool time =
      m[2] == "us" || m[2] == "ms" || m[2] == "s" || m[2] == "min" || m[2] == "h" || m[2] == "d";
  return fmt::format("{:.3f}{}", static_cast<double>(n), time ? "ms" : "B");
}

// reset_val in its unit as one SET-able value ("16384" with unit "8kB" ->
// "131072kB"), for normalized_setting.
std::string with_unit(const std::string& value, const std::string& unit) {
  auto number = parse_i64(value);
  if (unit.empty() || !number) return value;
  size_t digits = std::min(unit.find_first_not_of("0123456789"), unit.size());
  auto factor = digits == 0 ? std::optional<int64_t>(1) : parse_i64(unit.substr(0, digits));
  if (!factor) return value;
  return std::to_string(*number * *factor) + unit.substr(digits);
}

bool same_setting_value(const std::string& kind, const std::optional<std::string>& s,
                        const std::optional<std::string>& t) {
  return kind == "database setting" && s && t && normalized_setting(*s) == normalized_setting(*t);
}

Difference presence(const ObjectKey& key, bool missing, const VerifyOptions& options) {
  Difference d;
  d.severity = warning_only_setting(key.first) || acl_kind_not_asked(key.first, options) ||
                       extra_setting(key.first, missing)
                   ? Severity::kWarning
                   : Severity::kDifference;
  d.kind = key.first;
  d.object = key.second;
  d.problem = missing ? "missing on target" : "extra on target";
  return d;
}

void diff_properties(const ObjectKey& key, const Properties& s, const Properties& t,
                     const VerifyOptions& options, std::vector<Difference>& out) {
  std::set<std::string> names;
  for (const auto& [name, _] : s) names.insert(name);
  for (const auto& [name, _] : t) names.insert(name);
  for (const auto& name : names) {
    if (ignored(name, options)) continue;
    auto si = s.find(name);
    auto ti = t.find(name);
    std::optional<std::string> sv = si == s.end() ? std::nullopt : si->second;
    std::optional<std::string> tv = ti == t.end() ? std::nullopt : ti->second;
    if (sv == tv || sv == kNotVisible || tv == kNotVisible) continue;
    if (same_setting_value(key.first, sv, tv)) continue;
    Difference d;
    bool inherited_position = name == kInheritedPosition;
    d.severity = acl_kind_not_asked(key.first, options) || inherited_position
                     ? Severity::kWarning
                     : changed_severity(key.first);
    d.kind = key.first;
    d.object = key.second;
    d.property = name;
    d.problem = inherited_position ? "changed (pg_dump re-creates inherited columns first; "
                                     "SELECT * lists the columns in another order)"
                                   : "changed";
    d.source_value = show(sv);
    d.target_value = show(tv);
    out.push_back(std::move(d));
  }
}

// When a whole table or view is missing, its columns, constraints, triggers
// and policies are too; listing each would bury the one line that matters.
bool covered_by_missing_relation(const ObjectKey& key, const std::set<std::string>& relations) {
  if (is_relation(key.first)) return false;
  auto dot = key.second.rfind('.');
  return dot != std::string::npos && relations.count(key.second.substr(0, dot)) > 0;
}

}  // namespace

Result<CatalogSnapshot> read_catalog(pg::Connection& conn, bool& large_object_content) {
  CatalogSnapshot snapshot;
  auto add = [&snapshot](const pg::QueryResult& rows) {
    for (int r = 0; r < rows.rows(); ++r) {
      snapshot[{rows.get(r, 0), rows.get(r, 1)}][rows.get(r, 2)] = rows.get_optional(r, 3);
    }
  };
  for (std::string_view q : kCatalogQueries) {
    PGS_ASSIGN_OR_RETURN(auto rows, conn.query(q));
    add(rows);
  }
  // Reading a large object needs SELECT on it; without, compare presence only.
  // The savepoint keeps the snapshot's transaction usable after a refusal.
  PGS_TRY(conn.exec("SAVEPOINT large_objects"));
  auto content = conn.query(sql::verify::schema_large_objects);
  large_object_content = content.ok();
  if (content.ok()) {
    add(*content);
    return snapshot;
  }
  log::warn("{}: large object contents not compared: {}", pg::side_name(conn.side()),
            content.error().message);
  PGS_TRY(conn.exec("ROLLBACK TO SAVEPOINT large_objects"));
  PGS_ASSIGN_OR_RETURN(auto rows, conn.query(sql::verify::schema_large_objects_without_content));
  add(rows);
  return snapshot;
}

std::vector<Difference> diff_catalogs(const CatalogSnapshot& source, const CatalogSnapshot& target,
                                      const VerifyOptions& options) {
  std::vector<Difference> out;
  std::set<std::string> missing_relations, extra_relations;
  for (const auto& [key, _] : source) {
    if (is_relation(key.first) && !target.count(key)) missing_relations.insert(key.second);
  }
  for (const auto& [key, _] : target) {
    if (is_relation(key.first) && !source.count(key)) extra_relations.insert(key.second);
  }
  for (const auto& [key, props] : source) {
    auto it = target.find(key);
    if (it == target.end()) {
      if (!covered_by_missing_relation(key, missing_relations))
        out.push_back(presence(key, true, options));
      continue;
    }
    diff_properties(key, props, it->second, options, out);
  }
  for (const auto& [key, _] : target) {
    if (source.count(key) || covered_by_missing_relation(key, extra_relations)) continue;
    out.push_back(presence(key, false, options));
  }
  return out;
}

Status drop_settings_the_source_has(pg::Connection& source, const CatalogSnapshot& target,
                                    std::vector<Difference>& differences) {
  std::vector<Difference> kept;
  for (auto& d : differences) {
    bool setting = d.kind == "database setting" || d.kind == "database tuning setting" ||
                   d.kind == "database setting (superuser only)";
    auto it = target.find({d.kind, d.object});
    if (!setting || d.problem != "extra on target" || it == target.end()) {
      kept.push_back(std::move(d));
      continue;
    }
    auto value = it->second.find("value");
    PGS_ASSIGN_OR_RETURN(auto rows, source.query(sql::verify::effective_setting, {d.object}));
    bool same = value != it->second.end() && value->second && rows.rows() == 1 &&
                normalized_setting(with_unit(rows.get(0, 0), rows.get(0, 1))) ==
                    normalized_setting(*value->second);
    if (!same) kept.push_back(std::move(d));
  }
  differences = std::move(kept);
  return ok_status();
}

Status soften_settings_the_target_lacks(pg::Connection& target,
                                        std::vector<Difference>& differences) {
  for (auto& d : differences) {
    bool setting = d.kind == "database setting" || d.kind == "database tuning setting" ||
                   d.kind == "database setting (superuser only)";
    if (!setting || d.problem != "missing on target" || d.object.find('.') != std::string::npos) {
      continue;
    }
    PGS_ASSIGN_OR_RETURN(bool known, settings::server_has_setting(target, d.object));
    if (known) continue;
    d.severity = Severity::kWarning;
    d.problem = fmt::format("missing on target: PostgreSQL {} has no such setting",
                            target.server_version() / 10000);
  }
  return ok_status();
}

namespace {

// The target server's deparse of a view query text, or "" when it cannot
// make a view of it.
std::string deparsed(pg::Connection& conn, const std::string& query) {
  if (!conn.exec("BEGIN").ok()) return {};
  std::string out;
  if (conn.exec("CREATE TEMPORARY VIEW pgshuttle_verify_view AS " + query).ok()) {
    auto rows = conn.query("SELECT pg_catalog.pg_get_viewdef('pgshuttle_verify_view'::regclass)");
    if (rows.ok() && rows->rows() == 1) out = rows->get(0, 0);
  }
  (void)conn.exec("ROLLBACK");
  return out;
}

}  // namespace

Status drop_same_view_queries(const pg::ConnInfo& target, std::vector<Difference>& differences) {
  auto is_view_text = [](const Difference& d) {
    return (d.kind == "view" || d.kind == "materialized view") && d.property == "definition" &&
           d.problem == "changed" && !d.source_value.empty() && !d.target_value.empty();
  };
  if (std::none_of(differences.begin(), differences.end(), is_view_text)) return ok_status();
  PGS_ASSIGN_OR_RETURN(auto conn,
                       pg::Connection::connect(target.with("application_name", "pgshuttle verify"),
                                               pg::Side::kTarget));
  // Names in the texts are qualified (the catalog was read with an empty
  // search_path); the same here, so that they resolve alike.
  PGS_TRY(conn.exec("SET search_path = ''"));
  std::vector<Difference> kept;
  for (auto& d : differences) {
    if (is_view_text(d)) {
      std::string s = deparsed(conn, d.source_value), t = deparsed(conn, d.target_value);
      if (!s.empty() && s == t) continue;
    }
    kept.push_back(std::move(d));
  }
  differences = std::move(kept);
  return ok_status();
}

}  // namespace pgshuttle::verify
