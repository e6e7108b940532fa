// JobRunner: one worker's target session of the parallel restore, and the
// three kinds of job it runs (restore_plan.h):
//   - table data: the entry's data block is read with its own ranged stream,
//     decompressed, and streamed into `COPY ... FROM stdin` without parsing.
//     The load runs in one transaction that starts with TRUNCATE, so COPY can
//     use FREEZE (the rows never need vacuuming on the target) and a redo
//     after a lost connection starts from an empty table. A split load
//     (RestoreJob::sessions > 1) reads the block once and deals its rows out
//     in batches (copy_fanout.h) to that many sessions, each with its own
//     COPY in its own transaction; the table is emptied (committed) first,
//     and every transaction commits only after every COPY ended with the
//     archive's row count, so a failure before that leaves the table empty;
//   - large objects: each object of the block written with lo_open/lowrite
//     into the object the schema pass created;
//   - statements: the entry's SQL from the TOC (an index, a constraint, a
//     sequence value ...), under the entry's tablespace.
// The session is set up as pg_restore sets up its own: the archive's client
// encoding, standard_conforming_strings and search_path, no timeouts, no
// function body checks, row security off, plus synchronous_commit off and a
// larger maintenance_work_mem for index builds.
//
// Thread safety: one JobRunner per worker thread; cancel() may be called
// from any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "archive/archive_toc.h"
#include "archive/data_block.h"
#include "core/progress.h"
#include "core/result.h"
#include "pg/connection.h"
#include "restore/load_policy.h"
#include "restore/restore_plan.h"
#include "storage/byte_source.h"

namespace pgshuttle::restore {

// Counts the rows of COPY text as it streams: one newline ends each row
// (newlines inside values are escaped as \n), except that the "\\." end
// marker line and what pg_dump writes after it ("\\.\n\n\n") are not rows.
class RowCounter {
 public:
  void feed(std::string_view data) {
    newlines_ += static_cast<int64_t>(std::count(data.begin(), data.end(), '\n'));
    total_ += data.size();
    tail_ += data.substr(data.size() > kKeep ? data.size() - kKeep : 0);
    if (tail_.size() > kKeep) tail_.erase(0, tail_.size() - kKeep);
  }
  int64_t rows() const {
    size_t marker = tail_.rfind("\n\\.\n");
    size_t after = std::string::npos;
    if (marker != std::string::npos) {
      after = marker + 1;
    } else if (total_ == tail_.size() && tail_.rfind("\\.\n", 0) == 0) {
      after = 0;  // an empty table: the data is only the marker
    }
    if (after == std::string::npos) return newlines_;
    return newlines_ - static_cast<int64_t>(
                           std::count(tail_.begin() + static_cast<long>(after), tail_.end(), '\n'));
  }

 private:
  static constexpr size_t kKeep = 64;
  std::string tail_;
  uint64_t total_ = 0;
  int64_t newlines_ = 0;
};

struct JobResult {
  int64_t rows = 0;
  int64_t large_objects = 0;
  std::string warning;  // a statement failure classified as harmless
};

// The SQL run once on each worker session.
std::string session_preamble(const archive::ArchiveToc& toc,
                             const std::string& maintenance_work_mem);

// `COPY ... FROM stdin;` with FREEZE added: "COPY t (a) FROM stdin WITH (FREEZE)".
std::string freeze_copy_statement(std::string_view copy_stmt);

// The statements that create the large objects a "BLOB METADATA" entry
// (pg_dump 17 and later) lists by OID.
std::string large_object_create_sql(const pg::Connection& conn, std::string_view oids);

// The steady clock in nanoseconds, for the read-wait accounting.
inline int64_t steady_now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

class JobRunner : public ReadMeter {
 public:
  JobRunner(const pg::ConnInfo& target, const std::string& preamble, storage::ByteSource& source,
            const archive::ArchiveToc& toc, Progress& progress)
      : target_(target), preamble_(preamble), source_(source), toc_(toc), progress_(progress) {}

  // Runs one job. Errors carry the job's label as context; a statement error
  // that classify() calls harmless comes back as JobResult::warning.
  Result<JobResult> run(const RestoreJob& job);
  // Drops the session (after a failure, the next job reconnects).
  void reset();
  // Asks the server to cancel what this runner is doing now.
  void cancel();
  // Time spent waiting for the archive's bytes, summed over this runner's
  // reads so far (the scheduler samples it to tell a slow link).
  // A read still blocked counts up to now, so a long read shows as waiting.
  int64_t read_wait_ns() const override {
    int64_t since = read_since_ns_.load();
    return read_wait_ns_.load() + (since > 0 ? steady_now_ns() - since : 0);
  }
  // Reads of archive data so far (to tell when a load starts streaming).
  int64_t reads() const override { return reads_.load(); }

 private:
  Status ensure_session();
  Result<JobResult> table_data(const RestoreJob& job);
  Result<JobResult> split_table_data(const RestoreJob& job);
  // The extra sessions of a split load (the worker's own is the first).
  Status ensure_helpers(size_t count);
  // Drops every session (after a failed split load: the server rolls back).
  void drop_sessions();
  // The job's data block through its own ranged stream, counted for progress.
  Result<archive::DataBlockReader> open_block(const RestoreJob& job);
  Status stream_block(const RestoreJob& job, pg::Connection& conn, RowCounter& counter);
  Result<JobResult> large_objects(const RestoreJob& job);
  Result<JobResult> statement(const RestoreJob& job);
  // `extension_config` is set for an extension's configuration table.
  Result<std::string> truncate_statement(const archive::TocEntry& entry, bool& extension_config);
  // True when the entry's data block holds no rows (read whole: only for
  // small blocks such as an extension configuration table's).
  Result<bool> block_is_empty(const RestoreJob& job);

  const pg::ConnInfo& target_;
  const std::string& preamble_;
  storage::ByteSource& source_;
  const archive::ArchiveToc& toc_;
  Progress& progress_;
  std::mutex mu_;  // guards conn_ against cancel()
  std::optional<pg::Connection> conn_;
  std::vector<pg::Connection> helpers_;    // a split load's other sessions
  std::optional<std::string> tablespace_;  // the session's default_tablespace
  std::atomic<int64_t> read_wait_ns_{0};
  std::atomic<int64_t> reads_{0};
  std::atomic<int64_t> read_since_ns_{0};  // start of the read under way, 0 if none
};

}  // namespace pgshuttle::restore
