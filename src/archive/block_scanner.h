// BlockScanner: follows the data blocks of a custom-format archive as its
// bytes stream past (pg_dump's stdout), without decompressing, and records
// where each block starts. backup uses it to fill in the TOC's data offsets
// that pg_dump leaves unset when its output cannot seek.
//
// Feed it every byte after the TOC (ArchiveToc::toc_end onwards), in order.
//
// Thread safety: one thread per scanner.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "archive/archive_toc.h"
#include "core/result.h"

namespace pgshuttle::archive {

struct BlockStart {
  int dump_id = 0;
  uint64_t offset = 0;
};

class BlockScanner {
 public:
  // `start` is the archive offset of the first byte that will be fed.
  BlockScanner(const ArchiveHeader& header, uint64_t start);

  // Consumes `bytes`; fails (kArchive) when they cannot be block data.
  Status feed(std::string_view bytes);
  // Checks that the stream ended between blocks.
  Status finish() const;

  const std::vector<BlockStart>& blocks() const { return blocks_; }

 private:
  enum class State { kType, kDumpId, kChunkLength, kSkip, kLargeObjectOid };
  Status on_integer(int64_t value);
  Error corrupt(std::string what) const;

  int int_size_;
  uint64_t offset_;
  State state_ = State::kType;
  int block_type_ = 0;
  std::string pending_;     // bytes of an integer being assembled
  uint64_t skip_left_ = 0;  // bytes of chunk payload still to pass
  std::vector<BlockStart> blocks_;
};

}  // namespace pgshuttle::archive
