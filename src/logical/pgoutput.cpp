#include "logical/pgoutput.h"

#include <fmt/format.h>

#include <iterator>

#include "logical/wire_reader.h"

namespace pgshuttle::logical {
namespace {

// Reads the xid a message carries inside a streamed block.
Result<std::optional<uint32_t>> stream_xid(WireReader& in, bool streamed) {
  if (!streamed) return std::optional<uint32_t>();
  PGS_ASSIGN_OR_RETURN(uint32_t xid, in.u32("xid"));
  return std::optional<uint32_t>(xid);
}

Result<Lsn> lsn(WireReader& in, std::string_view field) {
  PGS_ASSIGN_OR_RETURN(uint64_t v, in.u64(field));
  return Lsn{v};
}

Result<ColumnValue> column_value(WireReader& in) {
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t kind, in.u8("column kind"));
  switch (kind) {
    case 'n':
      return ColumnValue(NullValue{});
    case 'u':
      return ColumnValue(UnchangedToast{});
    case 't':
    case 'b': {
      size_t len_at = in.offset();
      PGS_ASSIGN_OR_RETURN(int32_t len, in.i32("column length"));
      if (len < 0) return in.error_at(len_at, fmt::format("negative column length {}", len));
      PGS_ASSIGN_OR_RETURN(std::string data, in.bytes(static_cast<size_t>(len), "column value"));
      if (kind == 't') return ColumnValue(TextValue{std::move(data)});
      return ColumnValue(BinaryValue{std::move(data)});
    }
    default:
      return in.error_at(at, fmt::format("unknown column kind 0x{:02x}", kind));
  }
}

Result<TupleData> tuple(WireReader& in) {
  PGS_ASSIGN_OR_RETURN(uint16_t count, in.u16("column count"));
  TupleData out;
  // No reserve(count): the count is not trusted; each column needs a byte.
  for (uint16_t i = 0; i < count; ++i) {
    PGS_ASSIGN_OR_RETURN(ColumnValue v, column_value(in));
    out.push_back(std::move(v));
  }
  return out;
}

// A tuple announced by its marker byte ('N', 'K' or 'O').
Status expect_marker(WireReader& in, uint8_t want) {
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t got, in.u8("tuple marker"));
  if (got != want) {
    return in.error_at(
        at, fmt::format("expected tuple marker '{}', got 0x{:02x}", static_cast<char>(want), got));
  }
  return ok_status();
}

Result<Begin> read_begin(WireReader& in) {
  Begin m;
  PGS_ASSIGN_OR_RETURN(m.final_lsn, lsn(in, "final LSN"));
  PGS_ASSIGN_OR_RETURN(m.commit_time, in.i64("commit time"));
  PGS_ASSIGN_OR_RETURN(m.xid, in.u32("xid"));
  return m;
}

Result<Commit> read_commit(WireReader& in) {
  Commit m;
  PGS_ASSIGN_OR_RETURN(m.flags, in.u8("flags"));
  PGS_ASSIGN_OR_RETURN(m.commit_lsn, lsn(in, "commit LSN"));
  PGS_ASSIGN_OR_RETURN(m.end_lsn, lsn(in, "end LSN"));
  PGS_ASSIGN_OR_RETURN(m.commit_time, in.i64("commit time"));
  return m;
}

Result<Origin> read_origin(WireReader& in) {
  Origin m;
  PGS_ASSIGN_OR_RETURN(m.commit_lsn, lsn(in, "origin LSN"));
  PGS_ASSIGN_OR_RETURN(m.name, in.cstring("origin name"));
  return m;
}

Result<RelationColumn> relation_column(WireReader& in) {
  RelationColumn c;
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t flags, in.u8("column flags"));
  if (flags > 1) return in.error_at(at, fmt::format("unknown column flags 0x{:02x}", flags));
  c.key = flags == 1;
  PGS_ASSIGN_OR_RETURN(c.name, in.cstring("column name"));
  PGS_ASSIGN_OR_RETURN(c.type_oid, in.u32("column type"));
  PGS_ASSIGN_OR_RETURN(c.typmod, in.i32("column typmod"));
  return c;
}

Result<Relation> read_relation(WireReader& in, bool streamed) {
  Relation m;
  PGS_ASSIGN_OR_RETURN(m.xid, stream_xid(in, streamed));
  PGS_ASSIGN_OR_RETURN(m.relation_id, in.u32("relation id"));
  PGS_ASSIGN_OR_RETURN(m.schema, in.cstring("schema name"));
  if (m.schema.empty()) m.schema = "pg_catalog";
  PGS_ASSIGN_OR_RETURN(m.name, in.cstring("relation name"));
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t ident, in.u8("replica identity"));
  if (ident != 'd' && ident != 'n' && ident != 'f' && ident != 'i') {
    return in.error_at(at, fmt::format("unknown replica identity 0x{:02x}", ident));
  }
  m.replica_identity = static_cast<char>(ident);
  PGS_ASSIGN_OR_RETURN(uint16_t count, in.u16("column count"));
  for (uint16_t i = 0; i < count; ++i) {
    PGS_ASSIGN_OR_RETURN(RelationColumn c, relation_column(in));
    m.columns.push_back(std::move(c));
  }
  return m;
}

Result<Type> read_type(WireReader& in, bool streamed) {
  Type m;
  PGS_ASSIGN_OR_RETURN(m.xid, stream_xid(in, streamed));
  PGS_ASSIGN_OR_RETURN(m.type_oid, in.u32("type oid"));
  PGS_ASSIGN_OR_RETURN(m.schema, in.cstring("schema name"));
  if (m.schema.empty()) m.schema = "pg_catalog";
  PGS_ASSIGN_OR_RETURN(m.name, in.cstring("type name"));
  return m;
}

Result<Insert> read_insert(WireReader& in, bool streamed) {
  Insert m;
  PGS_ASSIGN_OR_RETURN(m.xid, stream_xid(in, streamed));
  PGS_ASSIGN_OR_RETURN(m.relation_id, in.u32("relation id"));
  PGS_TRY(expect_marker(in, 'N'));
  PGS_ASSIGN_OR_RETURN(m.new_tuple, tuple(in));
  return m;
}

Result<Update> read_update(WireReader& in, bool streamed) {
  Update m;
  PGS_ASSIGN_OR_RETURN(m.xid, stream_xid(in, streamed));
  PGS_ASSIGN_OR_RETURN(m.relation_id, in.u32("relation id"));
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t marker, in.u8("tuple marker"));
  if (marker == 'K' || marker == 'O') {
    m.old_kind = marker == 'K' ? OldRow::kKey : OldRow::kTuple;
    PGS_ASSIGN_OR_RETURN(m.old_tuple, tuple(in));
    PGS_TRY(expect_marker(in, 'N'));
  } else if (marker != 'N') {
    return in.error_at(at,
                       fmt::format("expected tuple marker 'K', 'O' or 'N', got 0x{:02x}", marker));
  }
  PGS_ASSIGN_OR_RETURN(m.new_tuple, tuple(in));
  return m;
}

Result<Delete> read_delete(WireReader& in, bool streamed) {
  Delete m;
  PGS_ASSIGN_OR_RETURN(m.xid, stream_xid(in, streamed));
  PGS_ASSIGN_OR_RETURN(m.relation_id, in.u32("relation id"));
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t marker, in.u8("tuple marker"));
  if (marker != 'K' && marker != 'O') {
    return in.error_at(at, fmt::format("expected tuple marker 'K' or 'O', got 0x{:02x}", marker));
  }
  m.old_kind = marker == 'K' ? OldRow::kKey : OldRow::kTuple;
  PGS_ASSIGN_OR_RETURN(m.old_tuple, tuple(in));
  return m;
}

Result<Truncate> read_truncate(WireReader& in, bool streamed) {
  Truncate m;
  PGS_ASSIGN_OR_RETURN(m.xid, stream_xid(in, streamed));
  // The count is not trusted: the loop below ends at the first read past the end.
  PGS_ASSIGN_OR_RETURN(uint32_t count, in.u32("relation count"));
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t options, in.u8("options"));
  if (options > 3) return in.error_at(at, fmt::format("unknown options 0x{:02x}", options));
  m.cascade = (options & 1) != 0;
  m.restart_identity = (options & 2) != 0;
  for (uint32_t i = 0; i < count; ++i) {
    PGS_ASSIGN_OR_RETURN(uint32_t id, in.u32("relation id"));
    m.relation_ids.push_back(id);
  }
  return m;
}

Result<Message> read_message(WireReader& in, bool streamed) {
  Message m;
  PGS_ASSIGN_OR_RETURN(m.xid, stream_xid(in, streamed));
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t flags, in.u8("flags"));
  if (flags > 1) return in.error_at(at, fmt::format("unknown flags 0x{:02x}", flags));
  m.transactional = flags == 1;
  PGS_ASSIGN_OR_RETURN(m.lsn, lsn(in, "message LSN"));
  PGS_ASSIGN_OR_RETURN(m.prefix, in.cstring("prefix"));
  size_t len_at = in.offset();
  PGS_ASSIGN_OR_RETURN(int32_t len, in.i32("content length"));
  if (len < 0) return in.error_at(len_at, fmt::format("negative content length {}", len));
  PGS_ASSIGN_OR_RETURN(m.content, in.bytes(static_cast<size_t>(len), "content"));
  return m;
}

Result<StreamStart> read_stream_start(WireReader& in) {
  StreamStart m;
  PGS_ASSIGN_OR_RETURN(m.xid, in.u32("xid"));
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t first, in.u8("first segment"));
  if (first > 1) return in.error_at(at, fmt::format("first-segment flag 0x{:02x}", first));
  m.first_segment = first == 1;
  return m;
}

Result<StreamCommit> read_stream_commit(WireReader& in) {
  StreamCommit m;
  PGS_ASSIGN_OR_RETURN(m.xid, in.u32("xid"));
  PGS_ASSIGN_OR_RETURN(m.flags, in.u8("flags"));
  PGS_ASSIGN_OR_RETURN(m.commit_lsn, lsn(in, "commit LSN"));
  PGS_ASSIGN_OR_RETURN(m.end_lsn, lsn(in, "end LSN"));
  PGS_ASSIGN_OR_RETURN(m.commit_time, in.i64("commit time"));
  return m;
}

Result<StreamAbort> read_stream_abort(WireReader& in) {
  StreamAbort m;
  PGS_ASSIGN_OR_RETURN(m.xid, in.u32("xid"));
  PGS_ASSIGN_OR_RETURN(m.subxid, in.u32("subtransaction xid"));
  return m;
}

// Wraps a decoded message of type T into the variant.
template <typename T>
Result<PgOutputMessage> wrap(Result<T> r) {
  if (!r.ok()) return std::move(r).error();
  return PgOutputMessage(std::move(r).value());
}

Result<PgOutputMessage> decode_body(WireReader& in, uint8_t tag, bool streamed) {
  switch (tag) {
    case 'B':
      return wrap(read_begin(in));
    case 'C':
      return wrap(read_commit(in));
    case 'O':
      return wrap(read_origin(in));
    case 'R':
      return wrap(read_relation(in, streamed));
    case 'Y':
      return wrap(read_type(in, streamed));
    case 'I':
      return wrap(read_insert(in, streamed));
    case 'U':
      return wrap(read_update(in, streamed));
    case 'D':
      return wrap(read_delete(in, streamed));
    case 'T':
      return wrap(read_truncate(in, streamed));
    case 'M':
      return wrap(read_message(in, streamed));
    case 'S':
      return wrap(read_stream_start(in));
    case 'E':
      return PgOutputMessage(StreamStop{});
    case 'c':
      return wrap(read_stream_commit(in));
    case 'A':
      return wrap(read_stream_abort(in));
    default:
      return in.error_at(0, fmt::format("unknown message type 0x{:02x}", tag));
  }
}

bool is_stream_control(uint8_t tag) { return tag == 'S' || tag == 'E' || tag == 'c' || tag == 'A'; }

}  // namespace

Result<PgOutputMessage> decode_pgoutput(std::string_view payload, DecodeContext context) {
  WireReader in(payload, "pgoutput");
  PGS_ASSIGN_OR_RETURN(uint8_t tag, in.u8("message type"));
  if (context.proto_version < 2 && is_stream_control(tag)) {
    return in.error_at(0, fmt::format("streamed-transaction message '{}' under protocol version {}",
                                      static_cast<char>(tag), context.proto_version));
  }
  bool streamed = context.in_stream && context.proto_version >= 2;
  PGS_ASSIGN_OR_RETURN(PgOutputMessage m, decode_body(in, tag, streamed));
  PGS_TRY(in.expect_end());
  return m;
}

std::string_view message_kind(const PgOutputMessage& message) {
  static constexpr std::string_view kNames[] = {
      "Begin",  "Commit",   "Origin",  "Relation",    "Type",       "Insert",       "Update",
      "Delete", "Truncate", "Message", "StreamStart", "StreamStop", "StreamCommit", "StreamAbort"};
  static_assert(std::size(kNames) == std::variant_size_v<PgOutputMessage>);
  return kNames[message.index()];
}

}  // namespace pgshuttle::logical
