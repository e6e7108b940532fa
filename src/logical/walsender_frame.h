// The walsender's framing of a logical replication stream: each CopyData
// message from the server is either XLogData ('w': the WAL range it covers,
// the server's clock and one pgoutput message as payload) or a primary
// keepalive ('k': the server's WAL end, its clock, and whether it wants an
// answer now). The client answers with a standby status update ('r': the
// positions written, flushed and applied, its clock, and whether it wants a
// reply); the flush position is what the slot may forget up to.
//
// Integers are big-endian; times are PgTimestamp (microseconds since
// 2000-01-01 UTC). Decoding trusts nothing: short or unknown frames are
// Errors naming the byte offset.
//
// Thread safety: pure functions and plain value types.
#pragma once

#include <string>
#include <string_view>
#include <variant>

#include "core/result.h"
#include "logical/lsn.h"
#include "logical/pgoutput.h"

namespace pgshuttle::logical {

struct XLogData {
  Lsn wal_start;  // the WAL position of what the message describes
  Lsn wal_end;    // the server's current end of WAL
  PgTimestamp send_time = 0;
  std::string_view payload;  // one pgoutput message; points into the frame
};

struct PrimaryKeepalive {
  Lsn wal_end;
  PgTimestamp send_time = 0;
  bool reply_requested = false;
};

using WalSenderFrame = std::variant<XLogData, PrimaryKeepalive>;

// Decodes one CopyData message. An XLogData's payload views `frame`.
Result<WalSenderFrame> decode_walsender_frame(std::string_view frame);

struct StandbyStatus {
  Lsn written;
  Lsn flushed;
  Lsn applied;
  PgTimestamp client_time = 0;
  bool reply_requested = false;
};

// The 34 bytes of a standby status update, for one CopyData message.
std::string encode_standby_status(const StandbyStatus& status);

// The current time as a PgTimestamp.
PgTimestamp pg_now();

}  // namespace pgshuttle::logical
