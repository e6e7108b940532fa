// Ranged restore: the parallel restore of a custom-format archive whose data
// offsets are present, read straight from its source (file, URL, s3://)
// with one ranged stream per data block, never downloading the archive.
//
//   1. the archive's header and TOC (only) are copied to the scratch
//      directory, and `pg_restore -l` of that copy validates them;
//   2. the target is checked and prepared (`prepare`: extensions, guard);
//   3. pg_restore restores the schema from the TOC copy (restore_plan.h);
//   4. the jobs run in parallel (job_scheduler.h);
//   5. a last pg_restore pass restores what is left (publications, ...).
//
// Thread safety: one call per target.
#pragma once

#include <functional>
#include <set>
#include <string>
#include <vector>

#include "archive/archive_toc.h"
#include "core/result.h"
#include "restore/fed_child.h"
#include "restore/restore.h"
#include "storage/byte_source.h"

namespace pgshuttle::restore {

// Checks the target and creates the extensions; called once the archive's
// TOC is known good and before anything is written.
// Checks and prepares the target; returns the archive's extensions another
// role owns there (their comments are left out).
using PrepareTarget = std::function<Result<std::set<std::string>>(
    const std::vector<std::string>& archive_extensions)>;

// Errors returned happen before the target is written; after that, the
// outcome carries them.
Status run_ranged_restore(const RestoreOptions& options, storage::ByteSource& source, uint64_t size,
                          const archive::ArchiveToc& toc, const ScratchDir& scratch,
                          const PrepareTarget& prepare, RestoreOutcome& out);

}  // namespace pgshuttle::restore
