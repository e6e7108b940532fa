// TablePlan: how one table's data is compared — which columns are hashed
// (those both sides have, sorted by name so column order never matters),
// its key, and the key-range chunks — plus the SQL text built from it.
//
// Row hash over the row's text form ROW(c1, c2, ...)::text, computed on the
// server under pinned output settings: by default one 64-bit
// hashtextextended() (seed 0); with 128 bits asked for, seeds 0 and 1; md5
// split in two 64-bit halves when the two servers' hashtextextended()
// disagree (it depends on byte order) or when asked for. Each extra hash
// costs: on narrow tables a second hashtextextended() is about 40% of the
// server's time. A range's checksum is the row count plus the exact
// (numeric) sum of each 64-bit part: order-independent yet multiset-exact,
// so a duplicated row counts.
//
// Chunk boundaries are sampled once from the source and applied to both
// sides. Text-like key columns are compared with COLLATE "C", so ranges
// mean the same on servers with different collation libraries; as such a
// range cannot use the index, tables with a collatable key are read as one
// chunk (bisection still narrows a difference down to rows).
//
// Thread safety: plain value types and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "pg/connection.h"

namespace pgshuttle::verify {

// Names as the catalog holds them (for matching and reports) and as the
// server quoted them (quote_ident(), format('%I')) for SQL text: quoting by
// hand misses keywords such as "user", which unquoted is CURRENT_USER.
struct KeyColumn {
  std::string name;
  std::string ident;  // quote_ident(name), from the server
  std::string type;   // format_type(), schema-qualified
  bool collatable = false;
};

struct Column {
  std::string name;
  std::string ident;  // quote_ident(name), from the server
  bool operator<(const Column& o) const { return name < o.name; }
};

using KeyValue = std::vector<std::string>;  // one text value per key column

// [lower, upper): either bound may be absent (open).
struct KeyRange {
  std::optional<KeyValue> lower;
  std::optional<KeyValue> upper;
};

struct TableInfo {
  std::string schema, name;
  std::string ident;  // format('%I.%I', schema, name), from the server
  char relkind = 'r';
  bool populated = true;
  int64_t estimated_rows = 0;
  std::vector<Column> columns;  // sorted by name
  std::vector<KeyColumn> key;   // primary key, in key order; empty without one
  // Why this session cannot read every row (row-level security it may not
  // bypass); empty when it can.
  std::string unreadable;
  std::string qualified() const { return schema + "." + name; }
};

enum class RowHash { kHashExtended64, kHashExtended128, kMd5 };
std::string_view row_hash_name(RowHash hash);

struct TablePlan {
  TableInfo table;              // as on the source
  std::vector<Column> columns;  // hashed: on both sides, sorted by name
  std::vector<KeyRange> chunks;
  std::string note;  // shown in the report, e.g. when column sets differ
  RowHash hash = RowHash::kMd5;
};

// `wanted` (one of the hashtextextended kinds) when hashtextextended() gives
// the same values on both servers, else kMd5.
Result<RowHash> choose_row_hash(pg::Connection& source, pg::Connection& target, RowHash wanted);

// Reads the tables that hold rows (extension configuration tables included),
// sorted by schema and name.
Result<std::vector<TableInfo>> read_tables(pg::Connection& conn);

// Chunk boundaries for `table` sampled on `source`; one open chunk when the
// table is small, has no key, or has a collatable key.
Result<std::vector<KeyRange>> plan_chunks(pg::Connection& source, const TableInfo& table,
                                          int64_t chunk_rows);

// SQL text. Range parameters are $1.. for the lower bound, then the upper.
std::string from_clause(const TablePlan& plan);
std::string range_predicate(const TablePlan& plan, const KeyRange& range);
std::vector<std::optional<std::string>> range_params(const KeyRange& range);
// count, sum of the first 64-bit part, sum of the second (0 for 64-bit hashes).
std::string checksum_sql(const TablePlan& plan, const KeyRange& range);
// Key columns as text, row hash as text, then each hashed column as text (in
// plan.columns order); for comparing a range row by row.
std::string rows_sql(const TablePlan& plan, const KeyRange& range);
// The key at position `offset` of `range` in key order ($N+1 is the offset).
std::string key_at_offset_sql(const TablePlan& plan, const KeyRange& range);
// Key columns as text and row hash of every row of `range`.
std::string key_hash_sql(const TablePlan& plan, const KeyRange& range);
// The rows of given keys, for comparing them one by one: $1 is a JSON array
// of objects {"pgshuttle_ord": i, "pgshuttle_k0": key text, ...}; returns
// each key's pgshuttle_ord, whether its row exists, and the row hash.
std::string keyed_rows_sql(const TablePlan& plan);
// Row hash, count, one row text per distinct row: a keyless table as a multiset.
std::string multiset_sql(const TablePlan& plan);

// "id=42" or "order_id=1, line_no=2".
std::string describe_key(const std::vector<KeyColumn>& key, const KeyValue& value);

}  // namespace pgshuttle::verify
