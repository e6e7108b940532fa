// Rendering of an InspectReport as JSON and as text.
#include <fmt/format.h>

#include "core/human.h"
#include "inspect/inspect.h"

namespace pgshuttle::inspect {
namespace {

std::string qualified(const TableInfo& t) { return t.schema + "." + t.name; }

nlohmann::json table_json(const TableInfo& t) {
  return {{"schema", t.schema},
          {"name", t.name},
          {"kind", t.kind},
          {"unlogged", t.unlogged},
          {"is_partition", t.is_partition},
          {"has_primary_key", t.has_primary_key},
          {"heap_bytes", t.heap_bytes},
          {"index_bytes", t.index_bytes},
          {"toast_bytes", t.toast_bytes},
          {"total_bytes", t.total_bytes},
          {"row_estimate", t.row_estimate}};
}

}  // namespace

nlohmann::json to_json(const InspectReport& r) {
  nlohmann::json j;
  j["server_version"] = r.server_version;
  j["server_version_num"] = r.server_version_num;
  j["database"] = r.database;
  j["encoding"] = r.encoding;
  j["collate"] = r.collate;
  j["ctype"] = r.ctype;
  j["connected_as"] = r.connected_as;
  j["is_superuser"] = r.is_superuser;
  j["size_bytes"] = r.size_bytes;
  j["size_pretty"] = r.size_pretty;
  j["tables"] = nlohmann::json::array();
  for (const auto& t : r.tables) j["tables"].push_back(table_json(t));
  j["extensions"] = nlohmann::json::array();
  for (const auto& e : r.extensions) {
    j["extensions"].push_back({{"name", e.name}, {"version", e.version}, {"schema", e.schema}});
  }
  j["settings"] = nlohmann::json::array();
  for (const auto& s : r.settings) {
    nlohmann::json sj = {
        {"level", s.level}, {"name", s.name}, {"value", s.value}, {"source", s.source}};
    if (!s.unit.empty()) sj["unit"] = s.unit;
    if (!s.role.empty()) sj["role"] = s.role;
    j["settings"].push_back(sj);
  }
  j["large_objects"] = {{"count", r.large_object_count}};
  j["large_objects"]["bytes"] =
      r.large_object_bytes ? nlohmann::json(*r.large_object_bytes) : nlohmann::json(nullptr);
  j["tables_without_primary_key"] = nlohmann::json::array();
  for (const auto* t : r.tables_without_primary_key()) {
    j["tables_without_primary_key"].push_back(qualified(*t));
  }
  j["unlogged_tables"] = nlohmann::json::array();
  for (const auto* t : r.unlogged_tables()) j["unlogged_tables"].push_back(qualified(*t));
  j["event_triggers"] = nlohmann::json::array();
  for (const auto& e : r.event_triggers) {
    j["event_triggers"].push_back({{"name", e.name}, {"event", e.event}, {"enabled", e.enabled}});
  }
  j["recommendation"] = {{"method", r.recommendation.method}, {"reason", r.recommendation.reason}};
  return j;
}

std::string to_text(const InspectReport& r) {
  std::string out;
  auto line = [&out]<typename... Args>(fmt::format_string<Args...> f, Args&&... args) {
    out += fmt::format(f, std::forward<Args>(args)...) + "\n";
  };
  line("database    {} ({} as {}{})", r.database, r.size_pretty, r.connected_as,
       r.is_superuser ? ", superuser" : "");
  line("server      PostgreSQL {}", r.server_version);
  line("encoding    {}, collate {}, ctype {}", r.encoding, r.collate, r.ctype);
  line("");
  line("{:<40} {:>10} {:>10} {:>10} {:>10} {:>12}", "table", "heap", "indexes", "toast", "total",
       "rows (est.)");
  for (const auto& t : r.tables) {
    std::string name = qualified(t) + (t.kind == "materialized view" ? " (matview)" : "") +
                       (t.kind == "partitioned table" ? " (partitioned)" : "");
    line("{:<40} {:>10} {:>10} {:>10} {:>10} {:>12}", name, human_bytes(t.heap_bytes),
         human_bytes(t.index_bytes), human_bytes(t.toast_bytes), human_bytes(t.total_bytes),
         t.row_estimate < 0 ? std::string("?") : std::to_string(t.row_estimate));
  }
  line("");
  line("extensions  {}", r.extensions.size());
  for (const auto& e : r.extensions) line("  {} {} (schema {})", e.name, e.version, e.schema);
  line("settings    {} non-default", r.settings.size());
  for (const auto& s : r.settings) {
    line("  [{}{}] {} = {}{}", s.level, s.role.empty() ? "" : " " + s.role, s.name, s.value,
         s.unit.empty() ? "" : " " + s.unit);
  }
  line("large objects  {} ({})", r.large_object_count,
       r.large_object_bytes ? human_bytes(*r.large_object_bytes) : "size needs superuser");
  auto no_pk = r.tables_without_primary_key();
  line("tables without a primary key  {}", no_pk.size());
  for (const auto* t : no_pk) line("  {}", qualified(*t));
  auto unlogged = r.unlogged_tables();
  line("unlogged tables  {}", unlogged.size());
  for (const auto* t : unlogged) line("  {}", qualified(*t));
  line("event triggers  {}", r.event_triggers.size());
  for (const auto& e : r.event_triggers) line("  {} on {}", e.name, e.event);
  line("");
  line("recommendation: {} — {}", r.recommendation.method, r.recommendation.reason);
  return out;
}

}  // namespace pgshuttle::inspect
