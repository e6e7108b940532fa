// DataBlockReader: one data block of a custom-format archive, decompressed.
//
// A block starts at its TOC entry's data_offset with a type byte (1 = table
// data, 3 = large objects) and the entry's dump id, then length-prefixed
// chunks ending with a zero length. Table data is one compressed stream of
// COPY text (the format `COPY ... FROM stdin` expects; pg_dump stores the
// terminator too, so it ends with "\.\n\n\n").
// A large-object block holds, per object, its oid and its own compressed
// stream, and ends with oid 0.
//
// Usage (restore of one table, reading only that block's byte range):
//   PGS_ASSIGN_OR_RETURN(auto block, DataBlockReader::open(source, toc, entry));
//   while (true) { PGS_ASSIGN_OR_RETURN(size_t n, block.read(buf, sizeof buf)); if (!n) break; ...
//   }
// Large objects: while next_large_object() returns an oid, read() its bytes.
//
// Thread safety: one thread per reader; open readers on a shared ByteSource
// from several threads (each has its own stream).
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "archive/archive_toc.h"
#include "archive/decompressor.h"
#include "storage/byte_source.h"

namespace pgshuttle::archive {

enum class BlockKind { kTableData = 1, kLargeObjects = 3 };

class DataBlockReader {
 public:
  // Opens the block of `entry` (which must have data_state kSet).
  static Result<DataBlockReader> open(storage::ByteSource& source, const ArchiveToc& toc,
                                      const TocEntry& entry);
  // Reads the block from `stream`, positioned at `offset` of the archive; the
  // block must belong to `dump_id`. `extent`, when known (not 0), is the
  // block's size in the archive (up to the next block): a length inside
  // the block that reaches past it is then named as a damaged block, not
  // taken for a cut-short archive.
  static Result<DataBlockReader> from_stream(std::unique_ptr<storage::ByteStream> stream,
                                             const ArchiveHeader& header, int dump_id,
                                             uint64_t offset, uint64_t extent = 0);

  BlockKind kind() const { return kind_; }
  // Large objects: moves to the next object and returns its oid, or nullopt
  // after the last one. Not for table data.
  Result<std::optional<uint32_t>> next_large_object();
  // Decompressed bytes of the table data (or of the current large object);
  // returns 0 at its end.
  Result<size_t> read(char* buffer, size_t size);
  // Reads everything that is left of the current stream.
  Result<std::string> read_all();

 private:
  DataBlockReader() = default;
  Status fill(size_t n);
  Result<int64_t> read_int();
  Status pump();
  Error corrupt(std::string what) const;

  std::unique_ptr<storage::ByteStream> stream_;
  ArchiveHeader header_;
  int dump_id_ = 0;
  uint64_t offset_ = 0;  // archive offset of raw_[raw_pos_]
  uint64_t end_ = 0;     // archive offset where the block ends; 0: unknown
  std::string raw_;
  size_t raw_pos_ = 0;
  BlockKind kind_ = BlockKind::kTableData;
  std::unique_ptr<Decompressor> decompressor_;
  std::string out_;
  size_t out_pos_ = 0;
  bool stream_done_ = true;  // the current compressed stream has ended
  bool block_done_ = false;
};

// Decompressed table data of `entry` in one string (tests, small tables).
Result<std::string> read_table_data(storage::ByteSource& source, const ArchiveToc& toc,
                                    const TocEntry& entry);

}  // namespace pgshuttle::archive
