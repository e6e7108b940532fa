// copy: a direct, parallel, snapshot-consistent clone of one database into
// another. One source session exports a snapshot and holds it for the whole
// run; pg_dump (pre-data, post-data) and every worker read that snapshot.
// Order: pre-data DDL; then table data streamed COPY-to-COPY by --jobs
// workers, each table's indexes built concurrently as soon as the table is
// loaded, then its constraints attached and the table analyzed, foreign keys
// between copied tables as soon as both are done (post_data_plan.h); then
// the remaining post-data (partition index attachments, matview refreshes,
// other foreign keys), sequences, large objects. The run is a transfer in
// the registry (c001 ..., copy_transfer.h); progress is recorded per unit
// (copy_state.h) so a killed or cancelled run resumes. Verifying the result
// is the caller's step (the CLI runs verify at the end).
//
// Thread safety: run_copy() is called once from one thread; it starts and
// joins its own workers.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.h"
#include "ddl/object_filter.h"
#include "pg/conninfo.h"

namespace pgshuttle::copy {

struct CopyOptions {
  pg::ConnInfo source;
  pg::ConnInfo target;
  int jobs = 2;
  int64_t split_larger_than = 256LL << 20;  // bytes on disk; 0 = never split
  // With --index-build during: a table with an index whose build inserts
  // row by row (GiST without a sorted build, SP-GiST) and at least this
  // size is split across --jobs sessions and that index created before the
  // load, so that the loading sessions build it together. Off by default:
  // on 2 cores at bench scale 1 it was slower (bench/README.md).
  bool indexes_during_load = false;
  int64_t split_for_indexes_larger_than = 32LL << 20;
  std::string maintenance_work_mem = "512MB";
  int max_parallel_maintenance_workers = 2;
  bool keep_owner = false;
  bool keep_acl = false;
  bool schema_only = false;
  bool data_only = false;
  bool skip_analyze = false;
  bool clean = false;
  std::string confirm;
  bool skip_unsupported = false;  // skip DDL the target role may not run; list it
  bool no_binary = false;
  ddl::ObjectFilter filter;  // --include / --exclude
  // Publications of the source not to create on the target (sync's own,
  // which its snapshot sees: the target must not publish anything).
  std::vector<std::string> leave_out_publications;
  // Foreign keys are added NOT VALID and left so (sync's copy resumed with
  // a new snapshot: its tables come from two moments until the change
  // stream has caught up; the sync validates them at cutover).
  bool defer_foreign_key_validation = false;
  // A closing verify follows (the CLI's, unless --no-verify): recorded as
  // pending before the run is marked complete, so that a kill between the
  // two leaves a run whose re-run only verifies (copy_transfer.h).
  bool closing_verify = false;
  std::string resume_id;  // "c003": continue that transfer
  // An exported snapshot to read the source at (SET TRANSACTION SNAPSHOT)
  // instead of a new one, e.g. a replication slot's; a new run only.
  std::string snapshot;
  bool allow_inconsistent_resume = false;
  int max_attempts = 4;
  std::string pg_bindir;  // where to look for pg_dump first (pg/tools.h)
  std::string state_dir;  // registry and resume state; empty: the default
};

struct CopySummary {
  std::string id;
  int64_t tables = 0;
  int64_t rows = 0;
  int64_t bytes = 0;
  int64_t ddl_items = 0;
  int64_t warnings = 0;
  std::vector<std::string> skipped_unsupported;  // "FUNCTION public my_abs(integer)", ...
  int64_t retries = 0;
  int64_t large_objects = 0;
  int64_t sequences = 0;
  // Grants of the source (roles::roles_used) left out: without --keep-acl.
  int64_t grants_left_out = 0;
  bool resumed = false;
  double seconds = 0;
  // txid_snapshot_xmax of the (last) snapshot the data was read in.
  int64_t snapshot_xmax = 0;
};

// Whether the source cluster assigned a transaction id since a snapshot
// whose xmax was `snapshot_xmax`: false means nothing was written since;
// true means something was (a write, or autovacuum's ANALYZE).
Result<bool> source_written_since(const pg::ConnInfo& source, int64_t snapshot_xmax);

Result<CopySummary> run_copy(const CopyOptions& options);

}  // namespace pgshuttle::copy
