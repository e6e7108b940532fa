// The state database: one SQLite file, `transfers.db` in the state
// directory, holding the transfer registry and the progress of resumable
// runs (run_store.h). Its schema carries a version (SQLite's user_version);
// opening it applies the upgrade steps a file written by an older pgshuttle
// lacks, and refuses a file written by a newer one.
//
// Thread safety: the returned handle is for one thread; any number of
// handles and processes may open the file at once.
#pragma once

#include <string>

#include "core/result.h"
#include "state/sqlite_db.h"

namespace pgshuttle::state {

// The schema version this build writes.
int current_schema_version();

// Opens `state_dir`/transfers.db (creating the directory and the file,
// private to the user) at the current schema version.
Result<SqliteDb> open_state_db(const std::string& state_dir);

}  // namespace pgshuttle::state
