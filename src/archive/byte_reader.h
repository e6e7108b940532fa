// ByteReader: a bounds-checked cursor over archive bytes that reads the
// custom format's primitives (pg_dump's WriteInt / WriteStr / WriteOffset
// encodings). Running out of bytes is reported separately from corruption so
// that a streaming caller can wait for more input.
//
// Thread safety: one thread per reader.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace pgshuttle::archive {

enum class ReadOutcome { kOk, kNeedMore, kCorrupt };

class ByteReader {
 public:
  ByteReader(std::string_view bytes, uint64_t base_offset = 0)
      : bytes_(bytes), base_(base_offset) {}

  uint64_t offset() const { return base_ + pos_; }
  size_t position() const { return pos_; }
  size_t remaining() const { return bytes_.size() - pos_; }
  ReadOutcome outcome() const { return outcome_; }
  const std::string& problem() const { return problem_; }
  bool ok() const { return outcome_ == ReadOutcome::kOk; }

  // Each read returns false (and records why) once the reader failed.
  bool byte(uint8_t& out);
  bool raw(size_t n, std::string_view& out);
  // A sign byte then int_size little-endian magnitude bytes.
  bool integer(int int_size, int64_t& out);
  // An int length (-1 = NULL) then that many bytes.
  bool str(int int_size, std::optional<std::string>& out);
  // A state byte then offset_size little-endian bytes.
  bool offset_field(int offset_size, uint8_t& state, uint64_t& out);

  // Marks the input corrupt; `at` is the archive offset of the bad field
  // (default: the current offset).
  void fail(std::string problem);
  void fail_at(uint64_t at, std::string problem);
  // Where the problem is: the bad field, or the end of the data.
  uint64_t problem_offset() const { return problem_offset_; }

 private:
  bool need(size_t n);

  std::string_view bytes_;
  uint64_t base_;
  size_t pos_ = 0;
  ReadOutcome outcome_ = ReadOutcome::kOk;
  std::string problem_;
  uint64_t problem_offset_ = 0;
};

}  // namespace pgshuttle::archive
