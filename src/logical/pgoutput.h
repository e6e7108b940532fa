// pgoutput: the messages of PostgreSQL's logical replication protocol (the
// "pgoutput" plugin, protocol versions 1 and 2), decoded from the payload of
// one XLogData frame into typed values.
//
// decode_pgoutput() is a pure function: it trusts no length or count in the
// bytes; a truncated, over-long or garbled message is an Error (kSource)
// whose context names the byte offset of the bad field.
//
// A tuple column is one of four kinds and the kinds never mix: SQL NULL,
// an unchanged TOASTed value the server did not send (the target keeps what
// it has), a value in text form, or a value in binary (send/recv) form.
//
// Streamed transactions (protocol 2, `streaming on`): between StreamStart
// and StreamStop, Relation, Type, Insert, Update, Delete, Truncate and
// Message carry the xid of the transaction they belong to; the caller says
// whether it is inside such a block (DecodeContext), as the protocol has no
// other way to tell.
//
// Thread safety: pure functions and plain value types.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "core/result.h"
#include "logical/lsn.h"

namespace pgshuttle::logical {

// Microseconds since 2000-01-01 00:00:00 UTC (PostgreSQL's TimestampTz).
using PgTimestamp = int64_t;
// Seconds between the Unix epoch and PostgreSQL's.
inline constexpr int64_t kPgEpochUnixSeconds = 946684800;

struct Begin {
  Lsn final_lsn;  // the commit record's LSN
  PgTimestamp commit_time = 0;
  uint32_t xid = 0;
};

struct Commit {
  uint8_t flags = 0;
  Lsn commit_lsn;
  Lsn end_lsn;  // just past the commit record: the position to confirm
  PgTimestamp commit_time = 0;
};

struct Origin {
  Lsn commit_lsn;  // on the origin server
  std::string name;
};

struct RelationColumn {
  bool key = false;  // part of the replica identity
  std::string name;
  uint32_t type_oid = 0;
  int32_t typmod = -1;
};

struct Relation {
  std::optional<uint32_t> xid;  // streamed only
  uint32_t relation_id = 0;     // the source's pg_class oid
  std::string schema;           // "pg_catalog" when the server sent ""
  std::string name;
  char replica_identity = 'd';  // 'd' default, 'n' nothing, 'f' full, 'i' index
  std::vector<RelationColumn> columns;
};

struct Type {
  std::optional<uint32_t> xid;
  uint32_t type_oid = 0;
  std::string schema;
  std::string name;
};

// The four kinds of tuple column ('n', 'u', 't', 'b').
struct NullValue {
  bool operator==(const NullValue&) const = default;
};
struct UnchangedToast {
  bool operator==(const UnchangedToast&) const = default;
};
struct TextValue {
  std::string text;
  bool operator==(const TextValue&) const = default;
};
struct BinaryValue {
  std::string bytes;
  bool operator==(const BinaryValue&) const = default;
};
using ColumnValue = std::variant<NullValue, UnchangedToast, TextValue, BinaryValue>;
using TupleData = std::vector<ColumnValue>;

struct Insert {
  std::optional<uint32_t> xid;
  uint32_t relation_id = 0;
  TupleData new_tuple;
};

// What an Update or Delete says about the row before the change.
enum class OldRow {
  kNone,   // no old values sent (the key did not change)
  kKey,    // 'K': the replica identity columns (others are NULL)
  kTuple,  // 'O': the whole old row (REPLICA IDENTITY FULL)
};

struct Update {
  std::optional<uint32_t> xid;
  uint32_t relation_id = 0;
  OldRow old_kind = OldRow::kNone;
  TupleData old_tuple;  // empty when old_kind is kNone
  TupleData new_tuple;
};

struct Delete {
  std::optional<uint32_t> xid;
  uint32_t relation_id = 0;
  OldRow old_kind = OldRow::kKey;  // kKey or kTuple
  TupleData old_tuple;
};

struct Truncate {
  std::optional<uint32_t> xid;
  bool cascade = false;
  bool restart_identity = false;
  std::vector<uint32_t> relation_ids;
};

// pg_logical_emit_message().
struct Message {
  std::optional<uint32_t> xid;
  bool transactional = false;
  Lsn lsn;
  std::string prefix;
  std::string content;
};

struct StreamStart {
  uint32_t xid = 0;
  bool first_segment = false;
};
struct StreamStop {};
struct StreamCommit {
  uint32_t xid = 0;
  uint8_t flags = 0;
  Lsn commit_lsn;
  Lsn end_lsn;
  PgTimestamp commit_time = 0;
};
struct StreamAbort {
  uint32_t xid = 0;
  uint32_t subxid = 0;  // equals xid when the whole transaction aborted
};

using PgOutputMessage =
    std::variant<Begin, Commit, Origin, Relation, Type, Insert, Update, Delete, Truncate, Message,
                 StreamStart, StreamStop, StreamCommit, StreamAbort>;

struct DecodeContext {
  int proto_version = 1;   // 1 or 2
  bool in_stream = false;  // between StreamStart and StreamStop
};

// Decodes one message: the whole payload of one XLogData frame.
Result<PgOutputMessage> decode_pgoutput(std::string_view payload, DecodeContext context);

// A short name of the message's kind ("Insert", "StreamStart") for logs and tests.
std::string_view message_kind(const PgOutputMessage& message);

}  // namespace pgshuttle::logical
