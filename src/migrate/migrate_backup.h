// The backup step of `migrate --via s3://...`: pg_dump -Fc streamed to a new
// key under the prefix, recorded in the MigrationState so a resumed run
// restores the same archive instead of dumping again.
#pragma once

#include <string>

#include "core/result.h"
#include "ddl/object_filter.h"
#include "migrate/migration_state.h"
#include "pg/conninfo.h"
#include "storage/credentials.h"

namespace pgshuttle::migrate {

// Backs `source` up to `location`; returns a one-line detail for the summary.
Result<std::string> run_backup_step(const pg::ConnInfo& source, const storage::S3Options& s3,
                                    const std::string& state_dir, MigrationState& state,
                                    const std::string& location, const ddl::ObjectFilter& filter);

}  // namespace pgshuttle::migrate
