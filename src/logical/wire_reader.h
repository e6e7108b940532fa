// WireReader: a bounds-checked cursor over one message of the replication
// protocol, reading its big-endian integers, NUL-terminated strings and
// counted byte strings. A read past the end or a string without its NUL
// fails with an Error naming the byte offset of the field, so a truncated or
// garbled message from the server is a value, never undefined behaviour.
//
// Thread safety: one thread per reader; the bytes must outlive it.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pgshuttle::logical {

class WireReader {
 public:
  // `what` names the message in errors ("pgoutput Insert").
  WireReader(std::string_view bytes, std::string_view what) : bytes_(bytes), what_(what) {}

  size_t offset() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }

  Result<uint8_t> u8(std::string_view field);
  Result<uint16_t> u16(std::string_view field);
  Result<uint32_t> u32(std::string_view field);
  Result<int32_t> i32(std::string_view field);
  Result<uint64_t> u64(std::string_view field);
  Result<int64_t> i64(std::string_view field);
  // A NUL-terminated string (the NUL is consumed, not returned).
  Result<std::string> cstring(std::string_view field);
  // Exactly `n` bytes.
  Result<std::string> bytes(size_t n, std::string_view field);
  // Everything left.
  std::string rest();

  // Fails unless every byte was read (a longer message than its layout is
  // garbled too).
  Status expect_end();
  // An error about the field that starts at `at`.
  Error error_at(size_t at, std::string_view problem) const;

 private:
  Result<uint64_t> big_endian(size_t n, std::string_view field);

  std::string_view bytes_;
  std::string_view what_;
  size_t pos_ = 0;
};

}  // namespace pgshuttle::logical
