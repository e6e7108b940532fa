#include "archive/data_block.h"

#include <fmt/format.h>

#include <cstring>

#include "archive/byte_reader.h"

namespace pgshuttle::archive {
namespace {
constexpr size_t kReadSize = 256 * 1024;
constexpr int64_t kMaxChunk = int64_t{1} << 30;
}  // namespace

Error DataBlockReader::corrupt(std::string what) const {
  Error e = make_error(ErrorCode::kArchive, std::move(what),
                       "the archive is damaged or truncated; make a new backup");
  e.context =
      "byte offset " + std::to_string(offset_) + ", data of dump id " + std::to_string(dump_id_);
  return e;
}

// Makes at least n unread bytes available in raw_.
Status DataBlockReader::fill(size_t n) {
  if (raw_pos_ > 0 && raw_pos_ >= raw_.size() / 2) {
    raw_.erase(0, raw_pos_);
    raw_pos_ = 0;
  }
  while (raw_.size() - raw_pos_ < n) {
    size_t used = raw_.size();
    raw_.resize(used + kReadSize);
    auto got = stream_->read(raw_.data() + used, kReadSize);
    if (!got.ok()) {
      raw_.resize(used);
      return std::move(got).error();
    }
    raw_.resize(used + *got);
    if (*got == 0) {
      uint64_t reached = offset_ + (raw_.size() - raw_pos_);
      if (end_ != 0 && reached >= end_) {
        // Every byte of the block arrived: what reads past it is a
        // damaged length or a missing end marker, not a short archive.
        return corrupt(fmt::format(
            "the data block is damaged: its content runs past the block's end at byte {}", end_));
      }
      return corrupt(fmt::format("archive ends at byte {} inside a data block{}", reached,
                                 end_ != 0 ? fmt::format(" that extends to byte {}", end_) : ""));
    }
  }
  return ok_status();
}

Result<int64_t> DataBlockReader::read_int() {
  size_t width = static_cast<size_t>(header_.int_size) + 1;
  PGS_TRY(fill(width));
  ByteReader r(std::string_view(raw_).substr(raw_pos_, width), offset_);
  int64_t v = 0;
  if (!r.integer(header_.int_size, v)) return corrupt(r.problem());
  raw_pos_ += width;
  offset_ += width;
  return v;
}

Result<DataBlockReader> DataBlockReader::from_stream(std::unique_ptr<storage::ByteStream> stream,
                                                     const ArchiveHeader& header, int dump_id,
                                                     uint64_t offset, uint64_t extent) {
  DataBlockReader b;
  if (extent != 0) b.end_ = offset + extent;
  b.stream_ = std::move(stream);
  b.header_ = header;
  b.dump_id_ = dump_id;
  b.offset_ = offset;
  PGS_TRY(b.fill(1));
  uint8_t type = static_cast<uint8_t>(b.raw_[b.raw_pos_++]);
  b.offset_ += 1;
  if (type != 1 && type != 3) {
    return b.corrupt("unknown data block type " + std::to_string(type));
  }
  b.kind_ = static_cast<BlockKind>(type);
  PGS_ASSIGN_OR_RETURN(int64_t id, b.read_int());
  if (id != dump_id) {
    return b.corrupt("data block belongs to dump id " + std::to_string(id) +
                     ", not the TOC entry that points to it");
  }
  if (b.kind_ == BlockKind::kTableData) {
    PGS_ASSIGN_OR_RETURN(b.decompressor_, Decompressor::create(header.compression));
    b.stream_done_ = false;
  }
  return b;
}

Result<DataBlockReader> DataBlockReader::open(storage::ByteSource& source, const ArchiveToc& toc,
                                              const TocEntry& entry) {
  if (entry.data_state != OffsetState::kSet) {
    Error e = make_error(ErrorCode::kArchive,
                         "the archive does not record where this entry's data starts",
                         "write the archive with pg_dump -Fc to a file, or with pgshuttle backup, "
                         "so that data offsets are filled in");
    e.context =
        "dump id " + std::to_string(entry.dump_id) + " (" + entry.desc + " " + entry.tag + ")";
    return e;
  }
  PGS_ASSIGN_OR_RETURN(auto stream, source.open_stream(entry.data_offset));
  return from_stream(std::move(stream), toc.header, entry.dump_id, entry.data_offset);
}

Result<std::optional<uint32_t>> DataBlockReader::next_large_object() {
  if (kind_ != BlockKind::kLargeObjects) return corrupt("not a large-object block");
  while (!stream_done_) {  // skip what the caller did not read
    PGS_TRY(pump());
    out_.clear();
    out_pos_ = 0;
  }
  if (block_done_) return std::optional<uint32_t>{};
  PGS_ASSIGN_OR_RETURN(int64_t oid, read_int());
  if (oid == 0) {
    block_done_ = true;
    return std::optional<uint32_t>{};
  }
  if (oid < 0 || oid > UINT32_MAX) return corrupt("invalid large object oid");
  PGS_ASSIGN_OR_RETURN(decompressor_, Decompressor::create(header_.compression));
  stream_done_ = false;
  out_.clear();
  out_pos_ = 0;
  return std::optional<uint32_t>(static_cast<uint32_t>(oid));
}

// Decompresses the next chunk of the current stream into out_.
Status DataBlockReader::pump() {
  PGS_ASSIGN_OR_RETURN(int64_t length, read_int());
  if (length == 0) {
    Status s = decompressor_->finish(out_);
    if (!s.ok()) return s.error().with_context(corrupt("").context);
    stream_done_ = true;
    if (kind_ == BlockKind::kTableData) block_done_ = true;
    return ok_status();
  }
  if (length < 0 || length > kMaxChunk) {
    return corrupt("invalid chunk length " + std::to_string(length));
  }
  if (end_ != 0 && offset_ + static_cast<uint64_t>(length) > end_) {
    return corrupt(fmt::format(
        "the data block is damaged: a chunk length of {} bytes reaches past the block's end at "
        "byte {}",
        length, end_));
  }
  PGS_TRY(fill(static_cast<size_t>(length)));
  std::string_view chunk(raw_.data() + raw_pos_, static_cast<size_t>(length));
  Status s = decompressor_->feed(chunk, out_);
  if (!s.ok()) return s.error().with_context(corrupt("").context);
  raw_pos_ += static_cast<size_t>(length);
  offset_ += static_cast<uint64_t>(length);
  return ok_status();
}

Result<size_t> DataBlockReader::read(char* buffer, size_t size) {
  while (out_pos_ == out_.size()) {
    out_.clear();
    out_pos_ = 0;
    if (stream_done_) return size_t{0};
    PGS_TRY(pump());
  }
  size_t n = std::min(size, out_.size() - out_pos_);
  std::memcpy(buffer, out_.data() + out_pos_, n);
  out_pos_ += n;
  return n;
}

Result<std::string> DataBlockReader::read_all() {
  std::string all;
  char buffer[64 * 1024];
  for (;;) {
    PGS_ASSIGN_OR_RETURN(size_t n, read(buffer, sizeof buffer));
    if (n == 0) return all;
    all.append(buffer, n);
  }
}

Result<std::string> read_table_data(storage::ByteSource& source, const ArchiveToc& toc,
                                    const TocEntry& entry) {
  PGS_ASSIGN_OR_RETURN(auto block, DataBlockReader::open(source, toc, entry));
  if (block.kind() != BlockKind::kTableData) {
    return make_error(ErrorCode::kArchive, "entry " + std::to_string(entry.dump_id) +
                                               " holds large objects, not table data");
  }
  return block.read_all();
}

}  // namespace pgshuttle::archive
