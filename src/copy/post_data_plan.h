// PostDataPlan: the post-data section of a copy cut into units that can run
// concurrently within --jobs.
//
// For each loaded table:
//   - builds: one unit per index. Primary keys and unique constraints are
//     built as CREATE UNIQUE INDEX (a SHARE lock, so several builds on one
//     table run at once) instead of ALTER TABLE ... ADD CONSTRAINT (an
//     ACCESS EXCLUSIVE lock that serializes them). Constraints USING INDEX
//     cannot express (exclusion constraints, an index tablespace) are built
//     with their own statement; the log says why.
//   - finish: after every build of the table, one unit attaches the unique
//     indexes (ADD CONSTRAINT name PRIMARY KEY/UNIQUE USING INDEX, catalog
//     only, DEFERRABLE kept), then creates triggers and the other
//     constraints, then ANALYZEs the table.
// A foreign key between two loaded tables is one linked unit: added NOT
// VALID, then validated (VALIDATE CONSTRAINT), as soon as both tables are
// finished, while other tables still load. Other foreign keys on loaded
// tables are added NOT VALID with the serial items after all tables, then
// validated by concurrent units.
// The result is the source's schema exactly: the index takes the
// constraint's name, and a validated constraint is an ordinary one.
//
// Every step has a state key; a step that committed but was not recorded is
// safe to redo (see copy_state.h).
//
// Thread safety: plain values and pure functions, except
// read_unique_constraints(), which uses the connection it is given.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

#include "core/result.h"
#include "ddl/ddl_script.h"
#include "pg/connection.h"

namespace pgshuttle::copy {

// One statement group run in its own transaction, recorded under `key`.
struct DdlStep {
  std::string key;
  ddl::DdlItem item;
  // When not empty: a query whose returning a row means the step is done
  // already (a redo after a crash between commit and record).
  std::string done_if;
};

struct DdlUnit {
  std::vector<DdlStep> steps;
};

struct TablePost {
  std::vector<DdlUnit> builds;  // concurrent
  DdlUnit finish;               // after every build
};

// The index behind a primary key or unique constraint, from the source.
struct UniqueIndex {
  std::string index_name;       // quoted by the server
  std::string index_qualified;  // schema.index, quoted by the server
  std::string index_def;        // CREATE UNIQUE INDEX ..., fully qualified
  bool primary = false;
  bool deferrable = false;
  bool deferred = false;
};

// Keyed by schema + "\n" + pg_dump entry name ("orders orders_pkey").
using UniqueIndexes = std::map<std::string, UniqueIndex>;

// A unit that waits until two tables are finished (a foreign key between
// loaded tables: added NOT VALID, then validated, as soon as both are).
struct LinkedUnit {
  std::string table, referenced;  // qualified; may be the same table
  DdlUnit unit;
};

struct PostDataPlan {
  std::map<std::string, TablePost> by_table;  // qualified table -> its units
  std::vector<LinkedUnit> linked;             // foreign keys between loaded tables
  std::vector<ddl::DdlItem> serial;           // in dump order, foreign keys last
  std::vector<DdlUnit> validations;           // after `serial`, concurrent
};

struct PostDataOptions {
  bool analyze = true;
  // Partitioned tables (qualified): foreign keys referencing one are added
  // valid in one step, not NOT VALID + VALIDATE.
  std::set<std::string> partitioned;
  // Foreign keys are added NOT VALID and not validated here: the tables
  // were read at different moments (sync's resumed copy), and whoever set
  // this validates them once the data is consistent again.
  bool defer_validation = false;
};

// Drops the items that create the named publications or add tables to
// them (pg_dump names a PUBLICATION TABLE item "publication table").
void leave_out_publications(ddl::DdlScript& post, const std::vector<std::string>& names);

// Takes out of `post.builds` the plain CREATE INDEX units of the indexes
// named (raw names) and returns their steps, to run before the load.
std::vector<DdlStep> take_index_builds(TablePost& post, const std::vector<std::string>& names);

// Reads the unique indexes from `source` (inside its snapshot).
Result<UniqueIndexes> read_unique_indexes(pg::Connection& source);

// Cuts `post` into units for the loaded `tables` (qualified names).
PostDataPlan plan_post_data(const ddl::DdlScript& post, const std::vector<std::string>& tables,
                            const UniqueIndexes& uniques, const PostDataOptions& options);

// The statement that attaches a built index as `item`'s constraint, with
// `item`'s further statements (CLUSTER ON ...); empty when USING INDEX
// cannot express `item`, with the reason in `why`. Exposed for tests.
std::string attach_sql(const ddl::DdlItem& item, const UniqueIndex& index, std::string& why);

// `item` (a foreign key) added NOT VALID, or empty when it cannot be; sets
// the table, the constraint name and the referenced table as written.
std::string not_valid_sql(const ddl::DdlItem& item, std::string& table, std::string& name,
                          std::string& referenced);

}  // namespace pgshuttle::copy
