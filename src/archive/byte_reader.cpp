#include "archive/byte_reader.h"

namespace pgshuttle::archive {

namespace {
// No string in a TOC comes close to this; larger lengths are corruption.
constexpr int64_t kMaxStringLength = int64_t{1} << 30;
}  // namespace

bool ByteReader::need(size_t n) {
  if (outcome_ != ReadOutcome::kOk) return false;
  if (remaining() < n) {
    outcome_ = ReadOutcome::kNeedMore;
    problem_ = "unexpected end of data";
    problem_offset_ = base_ + bytes_.size();
    return false;
  }
  return true;
}

void ByteReader::fail(std::string problem) { fail_at(offset(), std::move(problem)); }

void ByteReader::fail_at(uint64_t at, std::string problem) {
  if (outcome_ == ReadOutcome::kCorrupt) return;
  outcome_ = ReadOutcome::kCorrupt;
  problem_ = std::move(problem);
  problem_offset_ = at;
}

bool ByteReader::byte(uint8_t& out) {
  if (!need(1)) return false;
  out = static_cast<uint8_t>(bytes_[pos_++]);
  return true;
}

bool ByteReader::raw(size_t n, std::string_view& out) {
  if (!need(n)) return false;
  out = bytes_.substr(pos_, n);
  pos_ += n;
  return true;
}

bool ByteReader::integer(int int_size, int64_t& out) {
  if (!need(static_cast<size_t>(int_size) + 1)) return false;
  uint8_t sign = static_cast<uint8_t>(bytes_[pos_]);
  uint64_t magnitude = 0;
  for (int i = 0; i < int_size; ++i) {
    uint64_t b = static_cast<uint8_t>(bytes_[pos_ + 1 + i]);
    if (i >= 8 || (i == 7 && b >= 0x80)) {
      if (b != 0) {
        fail("integer out of range");
        return false;
      }
      continue;
    }
    magnitude |= b << (8 * i);
  }
  pos_ += static_cast<size_t>(int_size) + 1;
  out = sign ? -static_cast<int64_t>(magnitude) : static_cast<int64_t>(magnitude);
  return true;
}

bool ByteReader::str(int int_size, std::optional<std::string>& out) {
  uint64_t at = offset();
  int64_t length = 0;
  if (!integer(int_size, length)) return false;
  if (length == -1) {
    out.reset();
    return true;
  }
  if (length < 0 || length > kMaxStringLength) {
    fail_at(at, "invalid string length " + std::to_string(length));
    return false;
  }
  std::string_view bytes;
  if (!raw(static_cast<size_t>(length), bytes)) return false;
  out = std::string(bytes);
  return true;
}

bool ByteReader::offset_field(int offset_size, uint8_t& state, uint64_t& out) {
  if (!need(static_cast<size_t>(offset_size) + 1)) return false;
  state = static_cast<uint8_t>(bytes_[pos_]);
  out = 0;
  for (int i = 0; i < offset_size; ++i) {
    uint64_t b = static_cast<uint8_t>(bytes_[pos_ + 1 + i]);
    if (i >= 8) {
      if (b != 0) {
        fail("data offset out of range");
        return false;
      }
      continue;
    }
    out |= b << (8 * i);
  }
  pos_ += static_cast<size_t>(offset_size) + 1;
  return true;
}

}  // namespace pgshuttle::archive
