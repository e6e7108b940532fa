#include "logical/walsender_frame.h"

#include <fmt/format.h>

#include <chrono>

#include "logical/wire_reader.h"

namespace pgshuttle::logical {
namespace {

Result<WalSenderFrame> xlog_data(WireReader& in, std::string_view frame) {
  XLogData m;
  PGS_ASSIGN_OR_RETURN(uint64_t start, in.u64("WAL start"));
  PGS_ASSIGN_OR_RETURN(uint64_t end, in.u64("WAL end"));
  PGS_ASSIGN_OR_RETURN(m.send_time, in.i64("send time"));
  m.wal_start = Lsn{start};
  m.wal_end = Lsn{end};
  m.payload = frame.substr(in.offset());
  return WalSenderFrame(m);
}

Result<WalSenderFrame> keepalive(WireReader& in) {
  PrimaryKeepalive m;
  PGS_ASSIGN_OR_RETURN(uint64_t end, in.u64("WAL end"));
  PGS_ASSIGN_OR_RETURN(m.send_time, in.i64("send time"));
  size_t at = in.offset();
  PGS_ASSIGN_OR_RETURN(uint8_t reply, in.u8("reply requested"));
  if (reply > 1) return in.error_at(at, fmt::format("reply-requested flag 0x{:02x}", reply));
  m.wal_end = Lsn{end};
  m.reply_requested = reply == 1;
  PGS_TRY(in.expect_end());
  return WalSenderFrame(m);
}

void put_u64(std::string& out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) out += static_cast<char>((v >> shift) & 0xFF);
}

}  // namespace

Result<WalSenderFrame> decode_walsender_frame(std::string_view frame) {
  WireReader in(frame, "walsender frame");
  PGS_ASSIGN_OR_RETURN(uint8_t tag, in.u8("frame type"));
  if (tag == 'w') return xlog_data(in, frame);
  if (tag == 'k') return keepalive(in);
  return in.error_at(0, fmt::format("unknown frame type 0x{:02x}", tag));
}

std::string encode_standby_status(const StandbyStatus& status) {
  std::string out;
  out.reserve(34);
  out += 'r';
  put_u64(out, status.written.value);
  put_u64(out, status.flushed.value);
  put_u64(out, status.applied.value);
  put_u64(out, static_cast<uint64_t>(status.client_time));
  out += static_cast<char>(status.reply_requested ? 1 : 0);
  return out;
}

PgTimestamp pg_now() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  return us - kPgEpochUnixSeconds * 1000000;
}

}  // namespace pgshuttle::logical
