// run_jobs: runs the jobs of a RestorePlan on the shared task pool
// (exec/task_pool.h) with --jobs workers, each a JobRunner with its own
// target session (job_runner.h). A job starts once every job it waits for
// has finished and no running job holds a conflicting lock on one of its
// tables; the order among the jobs that may start is LoadPolicy's
// (load_policy.h: statements first, loads largest first, and the link
// meter's critical load and data lane over a slow link to the archive).
//
// A job that fails with a transient cause (exec/retry.h: a lost session, a
// terminated backend, a deadlock) is retried on a fresh session (a table
// load redoes its whole transaction) up to `max_attempts` times with the
// shared backoff; any other failure stops the start of new jobs, lets the
// running ones finish, and is reported with the job's label.
//
// Thread safety: run_jobs() is called from one thread.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/progress.h"
#include "core/result.h"
#include "pg/conninfo.h"
#include "restore/restore_error.h"
#include "restore/restore_plan.h"
#include "storage/byte_source.h"

namespace pgshuttle::restore {

struct SchedulerOptions {
  pg::ConnInfo target;
  int jobs = 2;
  int max_attempts = 4;
  std::string maintenance_work_mem = "512MB";
  // Loads split across sessions (restore_plan.h: split_loads); 0: never.
  uint64_t split_larger_than = 0;
};

struct LoadedTable {
  const archive::TocEntry* entry = nullptr;  // its TABLE DATA entry
  int64_t rows = 0;                          // rows in the archive, all loaded
};

struct JobsOutcome {
  std::vector<RestoreError> errors;  // warnings, and the fatal error if any
  std::vector<LoadedTable> loaded;
  int64_t rows = 0;
  int64_t large_objects = 0;
  int tables_loaded = 0;
  int jobs_done = 0;
  int retries = 0;
  bool cancelled = false;
};

JobsOutcome run_jobs(const SchedulerOptions& options, RestorePlan plan,
                     const archive::ArchiveToc& toc, storage::ByteSource& source,
                     Progress& progress);

}  // namespace pgshuttle::restore
