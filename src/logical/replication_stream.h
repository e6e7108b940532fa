// ReplicationStream: one logical replication session with the source, a
// libpq connection opened with replication=database. It creates a pgoutput
// slot with an exported snapshot, streams the slot's changes decoded into
// pgoutput messages, answers the server's keepalives, confirms how far the
// caller has durably applied, and drops slots.
//
// The caller owns the pacing: nothing runs in the background; next() waits
// at most its timeout. A keepalive that asks for an answer is answered
// inside next() with the last confirmed position (never more), so an idle
// caller is not disconnected by wal_sender_timeout.
//
// The connection is made by pg::Connection (libpq's connection strings,
// PG* variables, ~/.pgpass; the password never reaches argv, logs or
// errors); no libpq handle leaves src/pg. Move-only; closing it ends the
// session (a slot it created stays, unless dropped).
//
// Thread safety: one thread per stream.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "logical/lsn.h"
#include "logical/pgoutput.h"
#include "pg/connection.h"
#include "pg/conninfo.h"

namespace pgshuttle::logical {

struct SystemIdentity {
  std::string system_id;
  int timeline = 0;
  Lsn wal_position;  // the server's current flush position
  std::string database;
};

struct CreatedSlot {
  std::string name;
  Lsn consistent_point;  // changes committed after this are streamed
  // The snapshot that sees exactly what committed before consistent_point,
  // for SET TRANSACTION SNAPSHOT; valid until the next command on this
  // session (start() or another create/drop) or until it closes.
  std::string snapshot_name;
};

struct StartOptions {
  std::string slot;
  Lsn start;              // 0/0: from the slot's confirmed position
  int proto_version = 1;  // 1, or 2 (PostgreSQL 14+) for streamed transactions
  std::vector<std::string> publications;
  bool messages = false;   // pg_logical_emit_message() too (PostgreSQL 14+)
  bool streaming = false;  // large in-progress transactions (needs protocol 2)
  bool binary = false;     // column values in binary (send/recv) form (PostgreSQL 14+)
};

// One decoded message and the XLogData frame it came in.
struct StreamMessage {
  Lsn wal_start;
  Lsn wal_end;
  PgTimestamp send_time = 0;
  PgOutputMessage message;
};
// A primary keepalive (already answered when it asked for an answer).
struct Keepalive {
  Lsn wal_end;
  bool reply_requested = false;
};
// next() waited its whole timeout and nothing came.
struct StreamTimeout {};

using StreamEvent = std::variant<StreamMessage, Keepalive, StreamTimeout>;

class ReplicationStream {
 public:
  // Connects to the source with replication=database.
  static Result<ReplicationStream> open(const pg::ConnInfo& source);

  ReplicationStream(ReplicationStream&&) noexcept = default;
  ReplicationStream& operator=(ReplicationStream&&) noexcept = default;

  // The server's major version (13, 17).
  int server_major() const;

  Result<SystemIdentity> identify_system();
  // CREATE_REPLICATION_SLOT name LOGICAL pgoutput, exporting its snapshot
  // ((SNAPSHOT 'export') on PostgreSQL 15+, EXPORT_SNAPSHOT before). Slot
  // names are [a-z0-9_], at most 63 characters, as the server requires.
  Result<CreatedSlot> create_slot(std::string_view name);
  // DROP_REPLICATION_SLOT; with `wait`, waits until no session uses it. Not
  // while this session streams (use another one).
  Status drop_slot(std::string_view name, bool wait = false);

  // START_REPLICATION SLOT ... LOGICAL; the session then streams until it closes.
  Status start(const StartOptions& options);
  // The next message, keepalive or timeout.
  Result<StreamEvent> next(std::chrono::milliseconds timeout);
  // Tells the server everything up to `flushed` is durably applied: the
  // slot's confirmed_flush_lsn advances there (the server may then recycle
  // the WAL before it). Positions only move forward.
  Status confirm(Lsn flushed);
  // Sends the standby status (the last confirmed position) asking the
  // server to answer with a keepalive, which reports how far it has sent.
  Status request_reply();

  // The furthest WAL end the server has reported, and the last confirmed position.
  Lsn received() const { return received_; }
  Lsn confirmed() const { return confirmed_; }

 private:
  explicit ReplicationStream(pg::Connection conn) : conn_(std::move(conn)) {}
  Status send_status(bool reply_requested);
  Result<StreamEvent> on_frame(std::string_view frame);

  pg::Connection conn_;
  bool streaming_ = false;
  DecodeContext decode_;
  Lsn received_;
  Lsn confirmed_;
};

// Whether `name` is a valid replication slot name ([a-z0-9_]{1,63}).
bool valid_slot_name(std::string_view name);

// The START_REPLICATION command for `options`; names are quoted by libpq on
// `conn`. Exposed for tests.
Result<std::string> start_replication_command(const pg::Connection& conn,
                                              const StartOptions& options);

}  // namespace pgshuttle::logical
