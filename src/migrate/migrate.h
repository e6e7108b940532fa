// Migrate: the whole runbook as one resumable command —
//   check → maintenance on → backup to S3 (or direct copy) → presigned URL →
//   extensions → restore from the URL → settings apply → verify →
//   the target's connection parts and a summary with timings.
//
// Every step is recorded in a MigrationState (migration_state.h) keyed by
// source, target and route, so a re-run (or --resume) continues after the
// last completed step. The source is left read-only at the end unless
// release_source; when a step fails, the source is released again and the
// error says so.
//
// Thread safety: run_migration() is called from one thread; the steps it
// calls start their own workers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "core/result.h"
#include "ddl/object_filter.h"
#include "migrate/migration_state.h"
#include "pg/conninfo.h"
#include "storage/credentials.h"

namespace pgshuttle::migrate {

struct MigrateOptions {
  std::string source;  // connection strings as the user gave them
  std::string target;
  std::string via;  // s3://bucket/prefix; empty with direct or online
  bool direct = false;
  // Online: sync (copy at a slot's snapshot, then stream the changes),
  // cutting over by itself once the lag is at most cutover_lag_bytes; the
  // source stays writable until that cutover fences it.
  bool online = false;
  int64_t cutover_lag_bytes = 1 << 20;
  int fence_grace_seconds = 5;
  storage::S3Options s3;
  int jobs = 0;  // 0: number of cores
  bool dry_run = false;
  bool restart = false;         // forget an earlier run's record
  bool release_source = false;  // maintenance off at the end
  int maintenance_wait_seconds = 30;
  bool terminate_sessions = false;
  bool verify = true;
  bool allow_warnings = true;  // check warnings do not stop the run
  std::string confirm;         // target database name, for a non-empty target
  bool clean = false;
  std::string state_dir;
  bool show_password = false;
  // Load what a non-superuser target may create, leave the rest out and
  // list it: check reports those objects as warnings instead of blockers,
  // restore/copy skip them, verify reports them as known skips.
  bool skip_unsupported = false;
  // --include / --exclude: only that part is backed up or copied, and
  // verified (ddl/object_filter.h).
  ddl::ObjectFilter filter;
  // Keep GRANTs and default privileges (their roles must exist on the
  // target: pgshuttle roles SOURCE TARGET tells which do not).
  bool keep_acl = false;
};

struct MigrateSummary {
  std::vector<StepRecord> steps;
  std::vector<std::string> skipped;  // completed by an earlier run
  std::string database_url;          // password redacted unless asked
  std::string host, port, user, dbname;
  std::string backup_location;    // s3:// key of the archive (via S3)
  bool source_read_only = false;  // read from the source at the end
  bool finished_earlier = false;  // every step was done by an earlier run; none ran now
  double seconds = 0;
  std::string verify_summary;
  // Objects verify found left out by --skip-unsupported: the migration is
  // done, but not whole.
  uint64_t known_skips = 0;
  // Online: seconds from the source's fence to the target being ready.
  std::optional<double> downtime_seconds;
};

// The plan as it would run: steps, with size and time estimates. Writes nothing.
Result<nlohmann::json> plan_migration(const MigrateOptions& options);

Result<MigrateSummary> run_migration(const MigrateOptions& options);

nlohmann::json to_json(const MigrateSummary& summary);
std::string to_text(const MigrateSummary& summary);

}  // namespace pgshuttle::migrate
