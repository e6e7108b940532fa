// JobScheduler: runs the jobs of a RestorePlan on --jobs worker threads,
// each with its own target session (job_runner.h). A job starts once every
// job it waits for has finished and no running job holds a conflicting lock
// on one of its tables; ready statements go before ready table loads, so a
// loaded table's indexes build while the other tables still load, and table
// loads go largest first.
//
// A link meter samples, every 200 ms, how much of their time the running
// loads spend waiting for the archive's bytes. When that is most of it (a
// slow link to the archive, not the target, is the bottleneck), the load
// that the slowest index build (GiST, GIN, exclusion) waits for streams
// alone, so that build starts as early as the link allows, and one worker
// (the data lane) takes loads before statements so the link never idles
// while the others build indexes. Over a fast link or from a file the
// order is the one above.
//
// A job that fails with a lost connection, a terminated backend or a
// deadlock is retried on a fresh session (a table load redoes its whole
// transaction) up to `max_attempts` times with backoff; any other failure
// stops the scheduling of new jobs, lets the running ones finish, and is
// reported with the job's label.
//
// Thread safety: run() is called once, from one thread.
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
  // Polled about once a second: true when the run should be cancelled
  // (e.g. `pgshuttle cancel rNNN`); Ctrl-C is seen through core/cancel.h.
  std::function<bool()> cancel_requested;
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

JobsOutcome run_jobs(const SchedulerOptions& options, const RestorePlan& plan,
                     const archive::ArchiveToc& toc, storage::ByteSource& source,
                     Progress& progress);

}  // namespace pgshuttle::restore
