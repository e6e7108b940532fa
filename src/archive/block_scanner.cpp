#include "archive/block_scanner.h"

#include <algorithm>

#include "archive/byte_reader.h"

namespace pgshuttle::archive {

BlockScanner::BlockScanner(const ArchiveHeader& header, uint64_t start)
    : int_size_(header.int_size), offset_(start) {}

Error BlockScanner::corrupt(std::string what) const {
  Error e = make_error(ErrorCode::kArchive, "pg_dump output is not a valid archive: " + what,
                       "check the pg_dump version and its messages above");
  e.context = "byte offset " + std::to_string(offset_);
  return e;
}

Status BlockScanner::on_integer(int64_t value) {
  switch (state_) {
    case State::kDumpId:
      if (value <= 0) return corrupt("invalid dump id in data block");
      blocks_.back().dump_id = static_cast<int>(value);
      state_ = block_type_ == 3 ? State::kLargeObjectOid : State::kChunkLength;
      return ok_status();
    case State::kLargeObjectOid:
      if (value < 0) return corrupt("invalid large object oid");
      state_ = value == 0 ? State::kType : State::kChunkLength;
      return ok_status();
    case State::kChunkLength:
      if (value < 0) return corrupt("negative chunk length");
      if (value > 0) {
        skip_left_ = static_cast<uint64_t>(value);
        state_ = State::kSkip;
      } else {
        state_ = block_type_ == 3 ? State::kLargeObjectOid : State::kType;
      }
      return ok_status();
    default:
      return corrupt("scanner state");
  }
}

Status BlockScanner::feed(std::string_view bytes) {
  const size_t int_width = static_cast<size_t>(int_size_) + 1;
  while (!bytes.empty()) {
    if (state_ == State::kSkip) {
      size_t n = static_cast<size_t>(std::min<uint64_t>(skip_left_, bytes.size()));
      bytes.remove_prefix(n);
      offset_ += n;
      skip_left_ -= n;
      if (skip_left_ == 0) state_ = State::kChunkLength;
      continue;
    }
    if (state_ == State::kType) {
      uint8_t type = static_cast<uint8_t>(bytes[0]);
      if (type != 1 && type != 3) {
        return corrupt("unknown data block type " + std::to_string(type));
      }
      block_type_ = type;
      blocks_.push_back({0, offset_});
      bytes.remove_prefix(1);
      offset_ += 1;
      state_ = State::kDumpId;
      continue;
    }
    size_t n = std::min(int_width - pending_.size(), bytes.size());
    pending_.append(bytes.substr(0, n));
    bytes.remove_prefix(n);
    offset_ += n;
    if (pending_.size() < int_width) break;
    ByteReader r(pending_);
    int64_t value = 0;
    if (!r.integer(int_size_, value)) return corrupt(r.problem());
    pending_.clear();
    PGS_TRY(on_integer(value));
  }
  return ok_status();
}

Status BlockScanner::finish() const {
  if (state_ != State::kType || !pending_.empty()) {
    return corrupt("pg_dump output ends inside a data block");
  }
  return ok_status();
}

}  // namespace pgshuttle::archive
