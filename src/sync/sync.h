// sync: online migration by logical decoding. `run_sync` publishes the
// source's tables, creates a pgoutput replication slot whose exported
// snapshot the copy (copy/copy.h) reads the schema and rows at, then
// streams every change committed after that snapshot and applies it to the
// target (target_applier.h), until a cutover drains it or it is cancelled.
// The run is the transfer sNNN; it resumes after a crash from what the
// target recorded it applied (exactly once: no change lost, none twice).
//
// `request_cutover` (another process: `pgshuttle cutover s001`) asks the
// running sync, through the state store, to cut over: the sync fences the
// source read-only (maintenance mode, ending the sessions that could still
// write), takes pg_current_wal_insert_lsn(), applies exactly up to it, sets every
// sequence to the source's value, drops the slot and the publication, and
// records the downtime (fence to target ready). The sync does it, not the
// cutover process, because only the sync holds the source's credentials;
// none is ever stored.
//
// Thread safety: both run on the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "core/result.h"
#include "ddl/object_filter.h"
#include "pg/conninfo.h"

namespace pgshuttle::sync {

struct SyncProgress {
  std::string id;
  std::string phase;      // "copy", "streaming", "cutover"
  int64_t lag_bytes = 0;  // source WAL not yet applied (insert position - applied)
  // Seconds since the oldest source commit not yet applied on the target
  // was made (the source's clock against this host's: assumed in sync);
  // 0 when everything received is applied and the lag is a few records.
  double lag_seconds = 0;
  int64_t retained_bytes = 0;  // source WAL the slot keeps from being recycled
  double changes_per_second = 0;
  int64_t changes = 0;  // applied since the sync started streaming (all runs)
  int64_t transactions = 0;
  std::string applied_lsn;
  // The live verify (live_verify.h): key-range chunks of the synced
  // tables, and those whose rows match the source's and have not changed
  // since (the cutover compares only the others). 0 chunks: not running.
  int verify_chunks = 0;
  int verify_clean = 0;
  int64_t verify_pending_rows = 0;  // changed rows not yet seen matching
};

// The progress line `sync` logs (and migrate --online, less often).
std::string progress_text(const SyncProgress& p);

struct SyncOptions {
  pg::ConnInfo source;
  pg::ConnInfo target;
  int jobs = 2;                               // the copy's
  std::string pg_bindir;                      // the copy's pg_dump
  std::string state_dir;                      // empty: the default
  int batch_changes = 20000;                  // commit the target transaction after about this many
  int run_rows = 1000;                        // rows of one set-wise statement at most
  std::chrono::milliseconds batch_wait{200};  // or when the oldest pending commit is this old
  int fence_grace_seconds = 5;  // cutover: wait for writers before ending their sessions
  // A part of the database (--include/--exclude): only the tables and
  // sequences it selects are copied, published and set at cutover. A
  // resumed sync must be given the filter it started with.
  ddl::ObjectFilter filter;
  bool keep_acl = false;  // the copy keeps grants (roles must exist on the target)
  // When > 0, the sync cuts over by itself once streaming and its lag is at
  // most this many bytes (migrate --online); a cutover the source refuses
  // (a writer whose session could not be ended) then ends the run with
  // kBlocked instead of streaming on. 0: only `pgshuttle cutover` does.
  int64_t cutover_at_lag_bytes = 0;
  // Compare the synced tables' rows while streaming (live_verify.h), and at
  // cutover those changed since, inside the downtime; a difference then
  // fails the run (kVerifyFailed) after the cutover.
  bool live_verify = true;
  int64_t verify_chunk_rows = 100000;                    // rows per chunk of the live verify
  std::function<void(const SyncProgress&)> on_progress;  // about once a second
  // Instead of running: cancels the unfinished sync of these databases
  // whose process is gone (its slot would retain the source's WAL for
  // ever): drops slot and publication, records it Cancelled.
  bool cancel = false;
};

struct SyncSummary {
  std::string id;
  bool resumed = false;
  std::string copy_id;
  int64_t changes = 0;
  int64_t transactions = 0;
  std::string cutover_lsn;
  double downtime_seconds = 0;
  int64_t sequences = 0;
  // The verify at cutover (none when live_verify is off): chunks of the
  // synced tables, those compared inside the downtime, the differences.
  bool verified = false;
  int verify_chunks = 0;
  int verify_compared = 0;
  int64_t verify_changed_rows = 0;  // rows compared one by one at cutover
  int verify_differences = 0;
  std::string verify_not_compared;  // tables left out, with why; empty: none
};

Result<SyncSummary> run_sync(const SyncOptions& options);

struct CutoverReport {
  std::string id;
  std::string lsn;  // the source position the target was drained to
  // The target's URL as the sync recorded it (password as ***): what the
  // applications point at next.
  std::string database_url;
  double downtime_seconds = 0;
  int64_t sequences = 0;
  bool verified = false;  // the sync compared rows at cutover
  int verify_chunks = 0;
  int verify_compared = 0;
  int64_t verify_changed_rows = 0;
  int verify_differences = 0;
  std::string verify_report;        // the differences, a line each (the first 20)
  std::string verify_not_compared;  // tables left out, with why; empty: none
};

// Asks running sync `id` to cut over and waits for it (at most
// `timeout_seconds`). kNotFound for no such sync, kBlocked when it does
// not run, its error when the cutover failed; kVerifyFailed (with the
// report) when the cutover happened but its verify found differences.
Result<CutoverReport> request_cutover(const std::string& state_dir, const std::string& id,
                                      int timeout_seconds);

}  // namespace pgshuttle::sync
