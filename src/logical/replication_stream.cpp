#include "logical/replication_stream.h"

#include <fmt/format.h>

#include <algorithm>

#include "core/parse_number.h"
#include "logical/walsender_frame.h"

namespace pgshuttle::logical {
namespace {

Error source_error(std::string message, std::string hint = {}) {
  return make_error(ErrorCode::kSource, std::move(message), std::move(hint));
}

Status check_slot_name(std::string_view name) {
  if (valid_slot_name(name)) return ok_status();
  return make_error(ErrorCode::kUsage, fmt::format("invalid replication slot name \"{}\"", name),
                    "use 1 to 63 lower-case letters, digits and underscores");
}

Result<Lsn> lsn_column(const pg::QueryResult& r, int col, std::string_view what) {
  auto lsn = Lsn::parse(r.view(0, col));
  if (!lsn) return source_error(fmt::format("the source sent an invalid {}", what));
  return *lsn;
}

Status check_start_options(const StartOptions& o, int major) {
  if (o.proto_version != 1 && o.proto_version != 2) {
    return make_error(
        ErrorCode::kUsage,
        fmt::format("pgoutput protocol version {} is not supported (1 or 2)", o.proto_version));
  }
  if (o.publications.empty()) {
    return make_error(ErrorCode::kUsage, "START_REPLICATION needs at least one publication");
  }
  if (o.streaming && o.proto_version < 2) {
    return make_error(ErrorCode::kUsage, "streaming in-progress transactions needs protocol 2");
  }
  if ((o.proto_version >= 2 || o.messages || o.binary) && major < 14) {
    return make_error(ErrorCode::kVersionMismatch,
                      fmt::format("the source runs PostgreSQL {}: protocol version 2, binary "
                                  "values and logical decoding messages need 14 or later",
                                  major));
  }
  return check_slot_name(o.slot);
}

}  // namespace

bool valid_slot_name(std::string_view name) {
  if (name.empty() || name.size() > 63) return false;
  for (char c : name) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) return false;
  }
  return true;
}

Result<std::string> start_replication_command(const pg::Connection& conn,
                                              const StartOptions& options) {
  // publication_names is a list of identifiers (quoted, as the server
  // splits it like search_path) inside one string constant.
  std::string names;
  for (const auto& p : options.publications) {
    if (!names.empty()) names += ',';
    names += conn.quote_ident(p);
  }
  PGS_ASSIGN_OR_RETURN(std::string names_literal, conn.quote_plain_literal(names));
  std::string sql =
      fmt::format("START_REPLICATION SLOT {} LOGICAL {} (proto_version '{}', publication_names {}",
                  conn.quote_ident(options.slot), options.start.to_string(), options.proto_version,
                  names_literal);
  if (options.messages) sql += ", messages 'true'";
  if (options.streaming) sql += ", streaming 'on'";
  if (options.binary) sql += ", binary 'true'";
  return sql + ")";
}

Result<ReplicationStream> ReplicationStream::open(const pg::ConnInfo& source) {
  PGS_ASSIGN_OR_RETURN(
      pg::Connection conn,
      pg::Connection::connect(source.with("replication", "database"), pg::Side::kSource));
  return ReplicationStream(std::move(conn));
}

int ReplicationStream::server_major() const { return conn_.server_version() / 10000; }

Result<SystemIdentity> ReplicationStream::identify_system() {
  PGS_ASSIGN_OR_RETURN(pg::QueryResult r, conn_.query("IDENTIFY_SYSTEM"));
  if (r.rows() != 1 || r.columns() < 4) {
    return source_error("IDENTIFY_SYSTEM returned an unexpected result");
  }
  SystemIdentity id;
  id.system_id = r.get(0, 0);
  auto timeline = parse_number<int>(r.view(0, 1));
  if (!timeline) return source_error("IDENTIFY_SYSTEM returned an invalid timeline");
  id.timeline = *timeline;
  PGS_ASSIGN_OR_RETURN(id.wal_position, lsn_column(r, 2, "WAL position"));
  id.database = r.get(0, 3);
  return id;
}

Result<CreatedSlot> ReplicationStream::create_slot(std::string_view name) {
  PGS_TRY(check_slot_name(name));
  if (streaming_) return make_error(ErrorCode::kInternal, "create_slot() while streaming");
  // The option list arrived in 15; 13 and 14 know only the keyword (still
  // accepted by 15-17, but no longer documented).
  std::string sql =
      server_major() >= 15
          ? fmt::format("CREATE_REPLICATION_SLOT {} LOGICAL pgoutput (SNAPSHOT 'export')",
                        conn_.quote_ident(name))
          : fmt::format("CREATE_REPLICATION_SLOT {} LOGICAL pgoutput EXPORT_SNAPSHOT",
                        conn_.quote_ident(name));
  PGS_ASSIGN_OR_RETURN(pg::QueryResult r, conn_.query(sql));
  if (r.rows() != 1 || r.columns() < 3 || r.is_null(0, 2)) {
    return source_error("CREATE_REPLICATION_SLOT returned no exported snapshot");
  }
  CreatedSlot slot;
  slot.name = r.get(0, 0);
  PGS_ASSIGN_OR_RETURN(slot.consistent_point, lsn_column(r, 1, "consistent point"));
  slot.snapshot_name = r.get(0, 2);
  return slot;
}

Status ReplicationStream::drop_slot(std::string_view name, bool wait) {
  PGS_TRY(check_slot_name(name));
  if (streaming_) return make_error(ErrorCode::kInternal, "drop_slot() while streaming");
  return conn_.exec(
      fmt::format("DROP_REPLICATION_SLOT {}{}", conn_.quote_ident(name), wait ? " WAIT" : ""));
}

Status ReplicationStream::start(const StartOptions& options) {
  if (streaming_) return make_error(ErrorCode::kInternal, "start() called twice");
  PGS_TRY(check_start_options(options, server_major()));
  PGS_ASSIGN_OR_RETURN(std::string sql, start_replication_command(conn_, options));
  PGS_TRY(conn_.copy_both_start(sql));
  streaming_ = true;
  decode_ = DecodeContext{options.proto_version, false};
  received_ = options.start;
  confirmed_ = options.start;
  return ok_status();
}

Result<StreamEvent> ReplicationStream::next(std::chrono::milliseconds timeout) {
  if (!streaming_) return make_error(ErrorCode::kInternal, "next() before start()");
  PGS_ASSIGN_OR_RETURN(std::optional<std::string_view> frame, conn_.copy_data_read(timeout));
  if (!frame) return StreamEvent(StreamTimeout{});
  return on_frame(*frame);
}

Result<StreamEvent> ReplicationStream::on_frame(std::string_view frame) {
  PGS_ASSIGN_OR_RETURN(WalSenderFrame decoded, decode_walsender_frame(frame));
  if (auto* k = std::get_if<PrimaryKeepalive>(&decoded)) {
    received_ = std::max(received_, k->wal_end);
    if (k->reply_requested) PGS_TRY(send_status(false));
    return StreamEvent(Keepalive{k->wal_end, k->reply_requested});
  }
  const auto& x = std::get<XLogData>(decoded);
  PGS_ASSIGN_OR_RETURN(PgOutputMessage m, decode_pgoutput(x.payload, decode_));
  if (std::holds_alternative<StreamStart>(m)) decode_.in_stream = true;
  if (std::holds_alternative<StreamStop>(m)) decode_.in_stream = false;
  received_ = std::max(received_, x.wal_end);
  return StreamEvent(StreamMessage{x.wal_start, x.wal_end, x.send_time, std::move(m)});
}

Status ReplicationStream::confirm(Lsn flushed) {
  if (!streaming_) return make_error(ErrorCode::kInternal, "confirm() before start()");
  confirmed_ = std::max(confirmed_, flushed);
  return send_status(false);
}

Status ReplicationStream::request_reply() {
  if (!streaming_) return make_error(ErrorCode::kInternal, "request_reply() before start()");
  return send_status(true);
}

Status ReplicationStream::send_status(bool reply_requested) {
  StandbyStatus s;
  s.written = std::max(received_, confirmed_);
  s.flushed = confirmed_;
  s.applied = confirmed_;
  s.client_time = pg_now();
  s.reply_requested = reply_requested;
  return conn_.copy_data_send(encode_standby_status(s));
}

}  // namespace pgshuttle::logical
