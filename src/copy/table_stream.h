// TableStream: moves the rows of one copy unit (a whole table, or one ctid
// range of a split table) from a source session to a target session:
// COPY (SELECT ...) TO STDOUT streamed chunk by chunk into COPY ... FROM
// STDIN, no parsing in between. A whole table is loaded in the same
// transaction as its TRUNCATE, with FREEZE, so a redo starts clean and the
// target never vacuums the rows again. Both sessions must be pinned data
// sessions (pg/data_session.h): text COPY is only lossless when both ends
// print and parse values the same way.
//
// Thread safety: one call per pair of connections at a time.
#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::copy {

struct TableInfo {
  std::string schema, name, qualified, columns;
  int64_t bytes = 0;
  int64_t pages = 0;
  std::string text_only_types;  // column types whose binary form differs between servers
  bool binary = false;          // decided by the plan
  int ranges = 1;               // > 1 when split by ctid
  // An extension configuration table (pg_extension_config_dump): CREATE
  // EXTENSION filled it on the target, so only the rows that the
  // extension's filter selects ("WHERE ...", empty for all) are moved, and
  // they replace the same filter's rows on the target instead of a TRUNCATE.
  bool extension_config = false;
  std::string extension_condition;
  // Its indexes whose build inserts row by row (raw names; see tables.sql).
  std::vector<std::string> insertion_built_indexes;
  // Those indexes are created before the load (split across sessions).
  bool indexes_before_load = false;
};

struct CtidRange {
  int64_t first_page = 0;
  std::optional<int64_t> end_page;  // exclusive; nullopt = to the end
};

struct StreamResult {
  int64_t rows = 0;
  int64_t bytes = 0;
};

// The source query for `table` (and `range` when split).
std::string source_copy_sql(const TableInfo& table, const std::optional<CtidRange>& range);
// The target COPY statement.
std::string target_copy_sql(const TableInfo& table, bool freeze);
// The range `index` of `count` over `pages` pages.
CtidRange range_of(int64_t pages, int index, int count);

// Streams one unit; `bytes_seen` is advanced as data flows (progress).
// With `quiet_triggers` (--data-only into an existing schema, where the
// table's own triggers exist already), the table's enabled user triggers
// are disabled for the load and enabled again in the same transaction, as
// pg_restore --disable-triggers would (a full copy creates triggers after
// the data). A table owner may do this without superuser; a crash rolls it
// back with the load. The ALTER TABLE lock makes the ranges of a split
// table that has such triggers load one after another.
Result<StreamResult> stream_unit(pg::Connection& source, pg::Connection& target,
                                 const TableInfo& table, const std::optional<CtidRange>& range,
                                 std::atomic<uint64_t>* bytes_seen, bool quiet_triggers = false);

}  // namespace pgshuttle::copy
