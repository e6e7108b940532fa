// Inspect: a read-only survey of one database before a migration — what it
// is (version, encoding, collation), how big (database, per table: heap,
// indexes, TOAST, row estimates), and what tends to break a move
// (extensions, non-default settings, large objects, tables without a
// primary key, unlogged tables, event triggers) — plus a recommendation of
// dump-and-restore vs direct copy.
//
// Thread safety: functions take a Connection owned by the calling thread.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::inspect {

struct TableInfo {
  std::string schema;
  std::string name;
  std::string kind;  // "table", "partitioned table", "materialized view"
  bool unlogged = false;
  bool is_partition = false;
  bool has_primary_key = false;
  uint64_t heap_bytes = 0;
  uint64_t index_bytes = 0;
  uint64_t toast_bytes = 0;
  uint64_t total_bytes = 0;
  int64_t row_estimate = -1;  // -1: never analyzed
};

struct ExtensionInfo {
  std::string name, version, schema;
};

struct SettingInfo {
  std::string level;  // server, database, role
  std::string role;   // for role-level overrides
  std::string name, value, unit, source;
};

struct EventTriggerInfo {
  std::string name, event, enabled;
};

struct Recommendation {
  std::string method;  // "dump-and-restore" or "direct copy"
  std::string reason;
};

struct InspectReport {
  std::string server_version;
  int server_version_num = 0;
  std::string database, encoding, collate, ctype, connected_as;
  bool is_superuser = false;
  uint64_t size_bytes = 0;
  std::string size_pretty;
  std::vector<TableInfo> tables;
  std::vector<ExtensionInfo> extensions;
  std::vector<SettingInfo> settings;
  uint64_t large_object_count = 0;
  std::optional<uint64_t> large_object_bytes;  // unknown without read access
  std::vector<EventTriggerInfo> event_triggers;
  Recommendation recommendation;

  std::vector<const TableInfo*> tables_without_primary_key() const;
  std::vector<const TableInfo*> unlogged_tables() const;
};

// The guide's line between "dump and restore" and "copy directly".
inline constexpr uint64_t kDirectCopyThresholdBytes = 100ull << 30;

Result<InspectReport> inspect_database(pg::Connection& conn);
Recommendation recommend(uint64_t size_bytes);

nlohmann::json to_json(const InspectReport& report);
// Multi-line human-readable report.
std::string to_text(const InspectReport& report);

}  // namespace pgshuttle::inspect
