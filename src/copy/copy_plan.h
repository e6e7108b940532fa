// CopyPlan: what a copy run moves, read from the source inside the exported
// snapshot and narrowed to the objects pg_dump selected (so --include and
// --exclude mean exactly what pg_dump's -n/-N/-t/-T patterns mean). Each
// table gets its COPY format (binary only between servers of one major
// version and for column types whose binary form means the same on both,
// sql/copy/tables.sql) and its number of ctid ranges.
//
// Thread safety: pure functions over the connections passed in.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "copy/copy.h"
#include "copy/copy_state.h"
#include "copy/table_stream.h"
#include "ddl/ddl_script.h"
#include "ddl/schema_dump.h"
#include "pg/connection.h"

namespace pgshuttle::copy {

struct CopyPlan {
  std::vector<TableInfo> tables;                            // largest first
  std::set<std::pair<std::string, std::string>> sequences;  // raw (schema, name)
  int64_t total_bytes = 0;
};

// pg_dump options for `section` from the copy options.
ddl::SchemaDumpOptions schema_dump_options(const CopyOptions& o, const std::string& snapshot,
                                           ddl::Section section);

// Reads the tables (in the snapshot held by `source`) selected by `pre`.
Result<CopyPlan> make_plan(pg::Connection& source, pg::Connection& target, const CopyOptions& o,
                           const ddl::DdlScript& pre);

// Number of ctid ranges for a table of `bytes` (1 = not split).
int ranges_for(int64_t bytes, int64_t split_larger_than);

// Resumed run: a split table with some but not all ranges recorded is
// emptied and all its ranges redone (a range committed but not recorded
// would otherwise be loaded twice).
Status reset_partial_split_tables(pg::Connection& target, CopyState& state, const CopyPlan& plan);

}  // namespace pgshuttle::copy
