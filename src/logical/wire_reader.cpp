#include "logical/wire_reader.h"

#include <fmt/format.h>

#include <cstring>

namespace pgshuttle::logical {

Error WireReader::error_at(size_t at, std::string_view problem) const {
  Error e = make_error(ErrorCode::kSource,
                       fmt::format("malformed {} message from the source: {}", what_, problem),
                       "the replication stream is garbled; report this with the server's version");
  e.context = fmt::format("byte offset {} of {}", at, bytes_.size());
  return e;
}

Result<uint64_t> WireReader::big_endian(size_t n, std::string_view field) {
  if (remaining() < n) {
    return error_at(pos_, fmt::format("{} needs {} bytes, {} left", field, n, remaining()));
  }
  uint64_t v = 0;
  for (size_t i = 0; i < n; ++i) v = (v << 8) | static_cast<uint8_t>(bytes_[pos_ + i]);
  pos_ += n;
  return v;
}

Result<uint8_t> WireReader::u8(std::string_view field) {
  PGS_ASSIGN_OR_RETURN(uint64_t v, big_endian(1, field));
  return static_cast<uint8_t>(v);
}
Result<uint16_t> WireReader::u16(std::string_view field) {
  PGS_ASSIGN_OR_RETURN(uint64_t v, big_endian(2, field));
  return static_cast<uint16_t>(v);
}
Result<uint32_t> WireReader::u32(std::string_view field) {
  PGS_ASSIGN_OR_RETURN(uint64_t v, big_endian(4, field));
  return static_cast<uint32_t>(v);
}
Result<int32_t> WireReader::i32(std::string_view field) {
  PGS_ASSIGN_OR_RETURN(uint64_t v, big_endian(4, field));
  return static_cast<int32_t>(static_cast<uint32_t>(v));
}
Result<uint64_t> WireReader::u64(std::string_view field) { return big_endian(8, field); }
Result<int64_t> WireReader::i64(std::string_view field) {
  PGS_ASSIGN_OR_RETURN(uint64_t v, big_endian(8, field));
  return static_cast<int64_t>(v);
}

Result<std::string> WireReader::cstring(std::string_view field) {
  size_t nul = bytes_.find('\0', pos_);
  if (nul == std::string_view::npos) {
    return error_at(pos_, fmt::format("{} has no terminating NUL", field));
  }
  std::string s(bytes_.substr(pos_, nul - pos_));
  pos_ = nul + 1;
  return s;
}

Result<std::string> WireReader::bytes(size_t n, std::string_view field) {
  if (remaining() < n) {
    return error_at(
        pos_, fmt::format("{} of {} bytes runs past the end ({} left)", field, n, remaining()));
  }
  std::string s(bytes_.substr(pos_, n));
  pos_ += n;
  return s;
}

std::string WireReader::rest() {
  std::string s(bytes_.substr(pos_));
  pos_ = bytes_.size();
  return s;
}

Status WireReader::expect_end() {
  if (remaining() != 0) {
    return error_at(pos_, fmt::format("{} unexpected bytes after the message", remaining()));
  }
  return ok_status();
}

}  // namespace pgshuttle::logical
