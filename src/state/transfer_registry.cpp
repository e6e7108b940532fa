#include "state/transfer_registry.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>

#include "core/redact.h"
#include "state/state_db.h"

namespace pgshuttle::state {
namespace {

int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

char kind_letter(TransferKind kind) {
  switch (kind) {
    case TransferKind::kBackup:
      return 'b';
    case TransferKind::kRestore:
      return 'r';
    case TransferKind::kCopy:
      return 'c';
    case TransferKind::kVerify:
      return 'v';
    case TransferKind::kSync:
      return 's';
  }
  return 'x';
}

TransferKind kind_from_letter(std::string_view s) {
  if (s == "r") return TransferKind::kRestore;
  if (s == "c") return TransferKind::kCopy;
  if (s == "v") return TransferKind::kVerify;
  if (s == "s") return TransferKind::kSync;
  return TransferKind::kBackup;
}

TransferStatus status_from_name(std::string_view s) {
  for (auto st : {TransferStatus::kPending, TransferStatus::kRunning, TransferStatus::kCompleted,
                  TransferStatus::kFailed, TransferStatus::kCancelled, TransferStatus::kWarnings}) {
    if (status_name(st) == s) return st;
  }
  return TransferStatus::kFailed;
}

bool process_alive(int64_t pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) == 0 || errno == EPERM;
}

Error not_found(const std::string& id) {
  Error e = make_error(ErrorCode::kNotFound, "no transfer " + id,
                       "list transfers with `pgshuttle transfers`");
  return e;
}

constexpr std::string_view kSelect =
    "SELECT id, kind, status, source, destination, bytes, total_bytes, sha256, error, "
    "created_at, started_at, finished_at, pid, cancel_requested, follow_up, etag FROM transfers ";

// The next number of `letter`; the statement is finished before the caller commits.
Result<int64_t> next_sequence(SqliteDb& db, const std::string& letter) {
  PGS_ASSIGN_OR_RETURN(auto bump, db.prepare("INSERT INTO counters(kind, last) VALUES (?1, 1) "
                                             "ON CONFLICT(kind) DO UPDATE SET last = last + 1 "
                                             "RETURNING last"));
  bump.bind(1, letter);
  PGS_ASSIGN_OR_RETURN(bool has_row, bump.step());
  if (!has_row) return make_error(ErrorCode::kInternal, "transfer counter did not advance");
  int64_t seq = bump.column_int(0);
  PGS_TRY(bump.run());
  return seq;
}

}  // namespace

bool interrupted(const Transfer& t) {
  switch (t.status) {
    case TransferStatus::kFailed:
    case TransferStatus::kCancelled:
      return true;
    case TransferStatus::kRunning:
      return !t.pid || (::kill(static_cast<pid_t>(*t.pid), 0) != 0 && errno == ESRCH);
    default:
      return false;
  }
}

std::string_view how_it_stopped(const Transfer& t) {
  if (t.status == TransferStatus::kCancelled) return "was cancelled";
  // A run that failed recorded its end; a killed one loads as Failed without.
  if (t.status == TransferStatus::kFailed && t.finished_at) return "failed";
  return "was interrupted";
}

std::string_view status_name(TransferStatus s) {
  switch (s) {
    case TransferStatus::kPending:
      return "Pending";
    case TransferStatus::kRunning:
      return "Running";
    case TransferStatus::kCompleted:
      return "Completed";
    case TransferStatus::kFailed:
      return "Failed";
    case TransferStatus::kCancelled:
      return "Cancelled";
    case TransferStatus::kWarnings:
      return "Warnings";
  }
  return "Failed";
}

std::string Transfer::status_text() const {
  if (status != TransferStatus::kWarnings) return std::string(status_name(status));
  return "Finished with " + std::to_string(warnings.size()) +
         (warnings.size() == 1 ? " warning" : " warnings");
}

std::string default_state_dir(const std::string& configured) {
  if (!configured.empty()) return configured;
  if (const char* dir = std::getenv("PGSHUTTLE_STATE_DIR"); dir && *dir) return dir;
  const char* home = std::getenv("HOME");
  return std::string(home ? home : ".") + "/.local/state/pgshuttle";
}

Result<TransferRegistry> TransferRegistry::open(const std::string& dir) {
  PGS_ASSIGN_OR_RETURN(auto db, open_state_db(dir));
  return TransferRegistry(std::move(db));
}

Result<Transfer> TransferRegistry::create(TransferKind kind, std::string_view source,
                                          std::string_view destination) {
  std::string letter(1, kind_letter(kind));
  PGS_ASSIGN_OR_RETURN(auto tx, SqliteTransaction::begin(db_));
  PGS_ASSIGN_OR_RETURN(int64_t seq, next_sequence(db_, letter));
  std::string number = std::to_string(seq);
  if (number.size() < 3) number.insert(0, 3 - number.size(), '0');
  std::string id = letter + number;
  PGS_ASSIGN_OR_RETURN(auto insert, db_.prepare("INSERT INTO transfers(id, kind, seq, status, "
                                                "source, destination, created_at) VALUES "
                                                "(?1, ?2, ?3, 'Pending', ?4, ?5, ?6)"));
  insert.bind(1, id).bind(2, letter).bind(3, seq).bind(4, redact(source));
  insert.bind(5, redact(destination)).bind(6, now_seconds());
  PGS_TRY(insert.run());
  PGS_TRY(tx.commit());
  return get(id);
}

Status TransferRegistry::start(const std::string& id) {
  // A resumed run starts again: an earlier end (a failure) no longer holds.
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("UPDATE transfers SET status = 'Running', "
                                            "started_at = ?2, pid = ?3, finished_at = NULL, "
                                            "error = '' WHERE id = ?1"));
  st.bind(1, id).bind(2, now_seconds()).bind(3, static_cast<int64_t>(::getpid()));
  PGS_TRY(st.run());
  if (db_.changes() == 0) return not_found(id);
  return ok_status();
}

Status TransferRegistry::set_progress(const std::string& id, uint64_t bytes, uint64_t total_bytes) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("UPDATE transfers SET bytes = ?2, total_bytes = ?3 "
                                            "WHERE id = ?1"));
  st.bind(1, id).bind(2, static_cast<int64_t>(bytes)).bind(3, static_cast<int64_t>(total_bytes));
  return st.run();
}

Status TransferRegistry::set_result(const std::string& id, uint64_t bytes, std::string_view sha256,
                                    std::string_view etag) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("UPDATE transfers SET bytes = ?2, sha256 = ?3, "
                                            "etag = ?4 WHERE id = ?1"));
  st.bind(1, id).bind(2, static_cast<int64_t>(bytes)).bind(3, sha256).bind(4, etag);
  return st.run();
}

Status TransferRegistry::finish(const std::string& id, TransferStatus status,
                                std::string_view error) {
  PGS_ASSIGN_OR_RETURN(auto st,
                       db_.prepare("UPDATE transfers SET status = CASE WHEN ?2 = 'Completed' AND "
                                   "EXISTS (SELECT 1 FROM transfer_warnings w WHERE "
                                   "w.transfer_id = ?1) THEN 'Warnings' ELSE ?2 END, "
                                   "error = ?3, finished_at = ?4 WHERE id = ?1"));
  st.bind(1, id).bind(2, status_name(status)).bind(3, redact(error)).bind(4, now_seconds());
  PGS_TRY(st.run());
  if (db_.changes() == 0) return not_found(id);
  return ok_status();
}

Status TransferRegistry::add_log(const std::string& id, std::string_view level,
                                 std::string_view line) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("INSERT INTO transfer_log(transfer_id, at, level, "
                                            "line) VALUES (?1, ?2, ?3, ?4)"));
  st.bind(1, id).bind(2, now_seconds()).bind(3, level).bind(4, redact(line));
  return st.run();
}

Status TransferRegistry::add_warning(const std::string& id, std::string_view text) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("INSERT INTO transfer_warnings(transfer_id, text) "
                                            "VALUES (?1, ?2)"));
  st.bind(1, id).bind(2, redact(text));
  return st.run();
}

Result<Transfer> TransferRegistry::load(SqliteStatement& row) {
  Transfer t;
  t.id = row.column_text(0);
  t.kind = kind_from_letter(row.column_text(1));
  t.status = status_from_name(row.column_text(2));
  t.source = row.column_text(3);
  t.destination = row.column_text(4);
  t.bytes = static_cast<uint64_t>(row.column_int(5));
  t.total_bytes = static_cast<uint64_t>(row.column_int(6));
  t.sha256 = row.column_text(7);
  t.error = row.column_text(8);
  t.created_at = row.column_int(9);
  if (!row.column_is_null(10)) t.started_at = row.column_int(10);
  if (!row.column_is_null(11)) t.finished_at = row.column_int(11);
  if (!row.column_is_null(12)) t.pid = row.column_int(12);
  t.cancel_requested = row.column_int(13) != 0;
  t.follow_up = row.column_text(14);
  t.etag = row.column_text(15);
  if (t.status == TransferStatus::kRunning && t.pid && !process_alive(*t.pid)) {
    t.status = TransferStatus::kFailed;  // its process died without saying so
    if (t.error.empty()) t.error = "the pgshuttle process ended without finishing this transfer";
  }
  PGS_ASSIGN_OR_RETURN(auto w, db_.prepare("SELECT text FROM transfer_warnings WHERE "
                                           "transfer_id = ?1 ORDER BY n"));
  w.bind(1, t.id);
  for (;;) {
    PGS_ASSIGN_OR_RETURN(bool more, w.step());
    if (!more) break;
    t.warnings.push_back(w.column_text(0));
  }
  PGS_ASSIGN_OR_RETURN(auto u, db_.prepare("SELECT location, upload_id FROM pending_uploads "
                                           "WHERE transfer_id = ?1 ORDER BY location"));
  u.bind(1, t.id);
  for (;;) {
    PGS_ASSIGN_OR_RETURN(bool more, u.step());
    if (!more) break;
    std::string upload = u.column_text(1);
    t.pending_uploads.push_back(
        u.column_text(0) + (upload.empty()
                                ? " (an upload may have been started before its id was recorded)"
                                : " (upload " + upload + ")"));
  }
  return t;
}

Result<Transfer> TransferRegistry::get(const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare(std::string(kSelect) + "WHERE id = ?1"));
  st.bind(1, id);
  PGS_ASSIGN_OR_RETURN(bool found, st.step());
  if (!found) return not_found(id);
  return load(st);
}

Result<std::vector<Transfer>> TransferRegistry::list() {
  PGS_ASSIGN_OR_RETURN(auto st,
                       db_.prepare(std::string(kSelect) + "ORDER BY created_at DESC, id DESC"));
  std::vector<Transfer> out;
  for (;;) {
    PGS_ASSIGN_OR_RETURN(bool more, st.step());
    if (!more) return out;
    PGS_ASSIGN_OR_RETURN(auto t, load(st));
    out.push_back(std::move(t));
  }
}

Result<std::vector<LogLine>> TransferRegistry::logs(const std::string& id) {
  PGS_TRY(get(id));
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("SELECT at, level, line FROM transfer_log WHERE "
                                            "transfer_id = ?1 ORDER BY n"));
  st.bind(1, id);
  std::vector<LogLine> out;
  for (;;) {
    PGS_ASSIGN_OR_RETURN(bool more, st.step());
    if (!more) return out;
    out.push_back({st.column_int(0), st.column_text(1), st.column_text(2)});
  }
}

Result<std::string> TransferRegistry::request_cancel(const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto t, get(id));
  auto running = [](const Transfer& x) {
    return x.status == TransferStatus::kPending || x.status == TransferStatus::kRunning;
  };
  std::string target = id;
  if (!running(t)) {
    // A copy that ended while its closing verify runs: the command still
    // runs, and the verify is what the cancel is for.
    std::optional<Transfer> follow;
    if (!t.follow_up.empty()) {
      PGS_ASSIGN_OR_RETURN(follow, get(t.follow_up));
    }
    if (!follow || !running(*follow)) {
      return make_error(ErrorCode::kUsage,
                        "transfer " + id + " already ended (" + t.status_text() + ")",
                        "only a Pending or Running transfer can be cancelled");
    }
    target = follow->id;
  }
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("UPDATE transfers SET cancel_requested = 1 "
                                            "WHERE id = ?1"));
  st.bind(1, target);
  PGS_TRY(st.run());
  return target;
}

Status TransferRegistry::set_follow_up(const std::string& id, const std::string& follow_up) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("UPDATE transfers SET follow_up = ?2 WHERE id = ?1"));
  st.bind(1, id).bind(2, follow_up);
  PGS_TRY(st.run());
  if (db_.changes() == 0) return not_found(id);
  return ok_status();
}

Result<bool> TransferRegistry::cancel_requested(const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("SELECT cancel_requested FROM transfers WHERE "
                                            "id = ?1"));
  st.bind(1, id);
  PGS_ASSIGN_OR_RETURN(bool found, st.step());
  if (!found) return not_found(id);
  return st.column_int(0) != 0;
}

Status TransferRegistry::clear_cancel(const std::string& id) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("UPDATE transfers SET cancel_requested = 0 "
                                            "WHERE id = ?1"));
  st.bind(1, id);
  return st.run();
}

Status TransferRegistry::add_pending_upload(const std::string& id, std::string_view location,
                                            std::string_view upload_id) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("INSERT OR REPLACE INTO pending_uploads(transfer_id, "
                                            "location, upload_id) VALUES (?1, ?2, ?3)"));
  st.bind(1, id).bind(2, location).bind(3, upload_id);
  return st.run();
}

Status TransferRegistry::remove_pending_upload(std::string_view location,
                                               std::string_view upload_id) {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("DELETE FROM pending_uploads WHERE location = ?1 "
                                            "AND upload_id = ?2"));
  st.bind(1, location).bind(2, upload_id);
  return st.run();
}

Result<std::vector<PendingUpload>> TransferRegistry::stale_uploads() {
  PGS_ASSIGN_OR_RETURN(auto st, db_.prepare("SELECT transfer_id, location, upload_id FROM "
                                            "pending_uploads ORDER BY transfer_id, location"));
  std::vector<PendingUpload> all;
  for (;;) {
    PGS_ASSIGN_OR_RETURN(bool more, st.step());
    if (!more) break;
    all.push_back({st.column_text(0), st.column_text(1), st.column_text(2)});
  }
  std::vector<PendingUpload> stale;
  for (auto& u : all) {
    auto t = get(u.transfer_id);  // a Running transfer whose process died loads as Failed
    if (t.ok() && (t->status == TransferStatus::kRunning || t->status == TransferStatus::kPending))
      continue;
    stale.push_back(std::move(u));
  }
  return stale;
}

}  // namespace pgshuttle::state
