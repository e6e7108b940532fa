// restore: loads a pg_dump archive (custom, tar, directory) or a plain SQL
// dump (.sql, .sql.gz) from a local path, an http(s):// URL or s3:// into a
// target database, safely on a managed (non-superuser) target.
//
// Order of work, so that bad input fails before damage:
//   1. open the source (storage errors: expired URL, no such key ...) and
//      tell its format from the first bytes (a file that is neither an
//      archive nor a SQL script is refused: kArchive); when the archive is one a
//      backup recorded (by id, by location, or `backup_id` for a URL), check
//      its size and SHA-256 against the record (kArchiveChanged);
//   2. read the archive's TOC (`pg_restore -l` fed from the stream): a
//      truncated or corrupt header/TOC fails here, and so does an archive
//      too short for the data its TOC's offsets point to;
//   3. check the target: every extension is installable, and the
//      destructive guard (--clean --confirm DBNAME for a non-empty target);
//   4. create --extensions, then stream the archive into pg_restore with a
//      filtered TOC list (no owners, no ACLs, no event triggers, no
//      provider-only objects), or into psql for plain SQL (ON_ERROR_STOP
//      unless sql_continue_on_error; optionally one transaction).
// The archive is never written to disk; only its TOC list is.
//
// Thread safety: run_restore() may run on any thread; one call per target.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.h"
#include "ddl/object_filter.h"
#include "pg/conninfo.h"
#include "pg/tools.h"
#include "restore/restore_error.h"
#include "restore/source_format.h"
#include "storage/credentials.h"

namespace pgshuttle::restore {

struct RestoreOptions {
  std::string source;  // path, http(s):// URL, s3://bucket/key, or a backup's id ("b003")
  pg::ConnInfo target;
  int jobs = 0;  // 0: the number of cores; used when the archive can be read at random
  bool keep_owner = false;
  bool keep_acl = false;
  // --include / --exclude: exact schema or schema.table names
  // (TocSelection::leave_out_unselected).
  ddl::ObjectFilter filter;
  bool clean = false;
  std::string confirm;                  // must equal the target database name with --clean
  std::vector<std::string> extensions;  // "name" or "schema.name", created first
  storage::S3Options s3;
  std::string maintenance_work_mem = "512MB";  // for index builds of the parallel restore
  // A table whose data block is at least this large (compressed, as in the
  // archive) is loaded by --jobs sessions at once when its load is the
  // restore's longest chain (restore_plan.h: split_loads); 0: never.
  uint64_t split_larger_than = 16ULL << 20;
  int max_attempts = 4;   // per job, when the target connection is lost
  bool verify = true;     // compare per-table row counts with the archive at the end
  std::string state_dir;  // the transfer registry (empty: the default)
  // The backup that wrote `source`, when `source` is a URL made for it
  // (migrate's presigned URL); ids and recorded locations are found anyway.
  std::string backup_id;
  // Read the archive once before the restore to compare its SHA-256 with
  // the backup's record (the size is always compared).
  bool checksum = true;
  std::string pg_bindir;  // where to look first for pg_restore/psql (pg/tools.h)
  // The programs run; chosen by run_restore from the archive's and the
  // target's majors (a downgrade is refused there).
  pg::PgTools tools;
  // Plain SQL: keep running statements after an error (psql's own default)
  // instead of stopping at the first one.
  bool sql_continue_on_error = false;
  // Plain SQL: one transaction (psql --single-transaction), so that a
  // failure leaves the target as it was.
  bool single_transaction = false;
  // Leave out the schema objects the target role may not create (a C
  // function, a base type, an operator class: only a superuser may), and
  // everything that depends on them; list them. Needs an archive readable
  // at random (custom format with data offsets): pgshuttle runs its schema
  // entries itself to know each refusal by its SQLSTATE.
  bool skip_unsupported = false;
  // Set by run_restore: the run that records the target it writes into
  // (partial_target.h), so that the same command can clear it after a crash.
  std::string run_id;
};

enum class RestoreStatus { kCompleted, kFinishedWithWarnings, kFailed, kCancelled };
std::string_view status_name(RestoreStatus status);

struct RestoreOutcome {
  RestoreStatus status = RestoreStatus::kCompleted;
  SourceFormat format = SourceFormat::kCustom;
  std::vector<RestoreError> errors;  // warnings and fatal errors, in order
  std::vector<std::string> skipped;  // TOC entries left out, one warning each
  // Entries the target refused to its non-superuser role (--skip-unsupported).
  std::vector<std::string> skipped_unsupported;
  int acl_entries_left_out = 0;  // without --keep-acl
  uint64_t bytes_read = 0;
  int64_t rows = 0;          // rows loaded (parallel restore)
  int tables_loaded = 0;     // tables whose data was loaded (parallel restore)
  int retries = 0;           // jobs redone after a lost connection
  bool parallel = false;     // restored from ranged reads, not one stream
  bool rolled_back = false;  // a failure undid everything (--single-transaction)
  int tables_verified = -1;  // tables whose row count was checked; -1: not checked
  std::string transfer_id;   // "r004"
  int jobs = 1;
  double seconds = 0;
  std::string target_database;

  size_t warning_count() const;
  // The first fatal error, or nullptr.
  const RestoreError* first_fatal() const;
  // OK, kWarnings, kTarget (failed) or kCancelled, with the state the target is left in.
  Status to_status() const;
};

// Errors returned (rather than an outcome) happen before the target was written.
Result<RestoreOutcome> run_restore(const RestoreOptions& options);

}  // namespace pgshuttle::restore
