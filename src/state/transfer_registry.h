// TransferRegistry: the record of every backup, restore, copy and verify run
// ("transfers"), kept in SQLite at <state dir>/transfers.db. Each transfer has
// an id made of a kind letter and a per-kind counter (b001, r001, c001,
// v001, s001), a status, redacted source and destination, sizes, a SHA-256, start
// and end times, its log lines and warnings, and a cancel flag that another
// process (`pgshuttle cancel b003`) sets and the running transfer polls.
//
// Several processes may use one registry at once: the database is in WAL mode
// with a busy timeout, and ids are allocated inside BEGIN IMMEDIATE.
//
// Thread safety: one thread at a time per TransferRegistry (TransferRun
// serialises its own; a thread that runs alongside opens another);
// processes share safely through SQLite's locking.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/result.h"
#include "state/sqlite_db.h"

namespace pgshuttle::state {

enum class TransferKind { kBackup, kRestore, kCopy, kVerify, kSync };
enum class TransferStatus { kPending, kRunning, kCompleted, kFailed, kCancelled, kWarnings };

std::string_view status_name(TransferStatus s);  // "Running", ...

struct Transfer {
  std::string id;
  TransferKind kind = TransferKind::kBackup;
  TransferStatus status = TransferStatus::kPending;
  std::string source;       // redacted
  std::string destination;  // redacted
  uint64_t bytes = 0;
  uint64_t total_bytes = 0;  // estimate while running; 0 = unknown
  std::string sha256;
  std::string error;
  int64_t created_at = 0;  // unix seconds
  std::optional<int64_t> started_at, finished_at;
  std::optional<int64_t> pid;
  bool cancel_requested = false;
  std::vector<std::string> warnings;
  // Incomplete multipart uploads it started and has not ended (PendingUpload).
  std::vector<std::string> pending_uploads;  // "s3://bucket/key (upload ID)"
  // The transfer this one started after it ended and whose result is part
  // of its own: a copy's or restore's closing verify ("" when none).
  std::string follow_up;
  // A backup's stored object's entity tag, read right after it was stored
  // ("" for files and stdout).
  std::string etag;

  // "Completed", "Finished with 2 warnings", ...
  std::string status_text() const;
};

// True when `t` ended without finishing: failed, cancelled, or recorded
// Running by a process that no longer exists (killed).
bool interrupted(const Transfer& t);

// How an unfinished run ended, for messages: "failed" (it recorded its
// failure), "was cancelled", or "was interrupted" (its process died, e.g.
// kill -9, without recording an end).
std::string_view how_it_stopped(const Transfer& t);

// An S3 multipart upload a backup started; recorded until it is completed
// or aborted, so that one a killed run left can be aborted later.
struct PendingUpload {
  std::string transfer_id;
  std::string location;  // s3://bucket/key
  std::string upload_id;
};

struct LogLine {
  int64_t at = 0;
  std::string level;
  std::string line;
};

// <PGSHUTTLE_STATE_DIR> or ~/.local/state/pgshuttle when `configured` is empty.
std::string default_state_dir(const std::string& configured = {});

class TransferRegistry {
 public:
  // Opens (creating the directory and database) the registry in `dir`.
  static Result<TransferRegistry> open(const std::string& dir);

  // A new Pending transfer with the next id of its kind. Texts are redacted.
  Result<Transfer> create(TransferKind kind, std::string_view source, std::string_view destination);
  // Running, with start time and this process's pid.
  Status start(const std::string& id);
  Status set_progress(const std::string& id, uint64_t bytes, uint64_t total_bytes);
  Status set_result(const std::string& id, uint64_t bytes, std::string_view sha256,
                    std::string_view etag = {});
  // Ends the transfer. kCompleted becomes kWarnings when warnings were added.
  Status finish(const std::string& id, TransferStatus status, std::string_view error = {});
  Status add_log(const std::string& id, std::string_view level, std::string_view line);
  Status add_warning(const std::string& id, std::string_view text);

  // kNotFound when there is no such transfer.
  Result<Transfer> get(const std::string& id);
  // All transfers, newest first.
  Result<std::vector<Transfer>> list();
  Result<std::vector<LogLine>> logs(const std::string& id);

  // Sets the cancel flag of a Pending or Running transfer, or of the
  // running follow-up of one that ended (a copy's closing verify); returns
  // the id whose flag was set (kNotFound; kUsage when nothing runs).
  Result<std::string> request_cancel(const std::string& id);
  // Records `follow_up` as the transfer `id` started after it ended.
  Status set_follow_up(const std::string& id, const std::string& follow_up);
  Result<bool> cancel_requested(const std::string& id);
  // Clears the cancel flag, for a cancelled transfer that is resumed.
  Status clear_cancel(const std::string& id);

  // Records an upload transfer `id` started; forgets it once it ended.
  Status add_pending_upload(const std::string& id, std::string_view location,
                            std::string_view upload_id);
  Status remove_pending_upload(std::string_view location, std::string_view upload_id);
  // The recorded uploads whose transfer no longer runs (it ended, or its
  // process died): nothing will complete or abort them but a later run.
  Result<std::vector<PendingUpload>> stale_uploads();

 private:
  explicit TransferRegistry(SqliteDb db) : db_(std::move(db)) {}
  Result<Transfer> load(SqliteStatement& row);
  SqliteDb db_;
};

}  // namespace pgshuttle::state
