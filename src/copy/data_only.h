// Data-only copy into an existing schema: what has to happen around the
// load so that it works without superuser.
//
// Loading a table starts with TRUNCATE (for COPY FREEZE and so a redo starts
// clean), which PostgreSQL refuses on a table another table's foreign key
// references, and rows of a child table loaded before its parent's would
// fail their key check. Superuser tools disable the triggers behind foreign
// keys (pg_restore --disable-triggers); a managed provider's database owner
// cannot. So the foreign keys that touch a loaded table are saved in the
// run's state, dropped, and added back after the load exactly as a full copy
// adds them: NOT VALID, then VALIDATE, each as soon as both of its tables are
// loaded. A killed run re-reads them from its state, so --resume puts every
// one back. Materialized views are refreshed after the load.
//
// Thread safety: functions on one connection; one thread.
#pragma once

#include <string>
#include <vector>

#include "copy/copy_state.h"
#include "core/result.h"
#include "ddl/ddl_script.h"
#include "pg/connection.h"

namespace pgshuttle::copy {

struct SavedForeignKey {
  std::string schema;     // of the referencing table, unquoted
  std::string table;      // referencing table name, unquoted
  std::string qualified;  // referencing table, quoted as needed
  bool partitioned = false;
  std::string name;        // constraint name, quoted by the server
  std::string definition;  // pg_get_constraintdef(), schema-qualified
};

// Refuses (kTargetNotEmpty) when any of `tables` (qualified) holds rows and
// `confirm` is not the target database's name: --data-only replaces them.
Status guard_loaded_tables(pg::Connection& target, const std::vector<std::string>& tables,
                           const std::string& confirm);

// The foreign keys to take off for the load: read from the target on a
// fresh run and saved in `state`; from `state` on a resumed run. Every one
// whose re-add is not yet recorded is dropped (IF EXISTS: safe to redo).
Result<std::vector<SavedForeignKey>> take_off_foreign_keys(pg::Connection& target, CopyState& state,
                                                           const std::vector<std::string>& tables);

// The keys that run `state` took off and has not added back yet (0 when it
// saved none).
Result<int> keys_still_off(CopyState& state);

// The keys as post-data items, as pg_dump writes them, for plan_post_data().
ddl::DdlScript foreign_key_script(const std::vector<SavedForeignKey>& keys);

// REFRESH MATERIALIZED VIEW items for every materialized view that holds
// data on `source` (read in its snapshot), those another one reads first:
// their rows come from the loaded tables, so they are refreshed after the
// load, as a full copy does.
Result<std::vector<ddl::DdlItem>> matview_refreshes(pg::Connection& source);

// JSON form kept in the state; exposed for tests.
std::string encode_foreign_keys(const std::vector<SavedForeignKey>& keys);
Result<std::vector<SavedForeignKey>> decode_foreign_keys(const std::string& text);

}  // namespace pgshuttle::copy
