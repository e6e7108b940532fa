#include "verify/report.h"

namespace pgshuttle::verify {

nlohmann::json to_json(const VerifyReport& r) {
  nlohmann::json j;
  j["passed"] = r.passed();
  j["source"] = r.source;
  j["target"] = r.target;
  j["started_at"] = r.started_at;
  j["seconds"] = r.seconds;
  j["schema_seconds"] = r.schema_seconds;
  j["data_seconds"] = r.data_seconds;
  j["schema_objects"] = r.schema_objects;
  j["row_hash"] = r.row_hash;
  j["difference_count"] = r.difference_count();
  j["warning_count"] = r.warning_count();
  j["known_skip_count"] = r.known_skip_count();
  j["verdict"] = r.verdict();
  j["tables"] = nlohmann::json::array();
  for (const auto& t : r.tables) {
    j["tables"].push_back({{"schema", t.schema},
                           {"name", t.name},
                           {"status", table_status_name(t.status)},
                           {"source_rows", t.source_rows},
                           {"target_rows", t.target_rows},
                           {"chunks", t.chunks},
                           {"has_key", t.has_key},
                           {"seconds", t.seconds},
                           {"missing_rows", t.missing_rows},
                           {"extra_rows", t.extra_rows},
                           {"changed_rows", t.changed_rows},
                           {"note", t.note}});
  }
  j["queries"] = nlohmann::json::array();
  for (const auto& q : r.queries) {
    j["queries"].push_back({{"name", q.name},
                            {"sql", q.sql},
                            {"match", q.match},
                            {"ordered", q.ordered},
                            {"source_rows", q.source_rows},
                            {"target_rows", q.target_rows},
                            {"seconds", q.seconds}});
  }
  j["differences"] = nlohmann::json::array();
  for (const auto& d : r.differences) {
    j["differences"].push_back({{"severity", severity_name(d.severity)},
                                {"kind", d.kind},
                                {"object", d.object},
                                {"property", d.property},
                                {"problem", d.problem},
                                {"source", d.source_value},
                                {"target", d.target_value}});
  }
  return j;
}

}  // namespace pgshuttle::verify
