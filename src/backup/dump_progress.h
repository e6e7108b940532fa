// DumpProgress: how far pg_dump is through the table data, measured in the
// tables' on-disk size, which is known before pg_dump starts (the archive
// is compressed: its size is known only at the end, and the database's
// size is no denominator for it).
//
// Data blocks follow the TOC in the order pg_dump writes them; a block is
// done when the next one starts. The block being written counts its
// archive bytes at the compression ratio of the blocks done so far, never
// more than its table's size, so the figure does not run ahead of pg_dump.
//
// Thread safety: none; one streaming thread uses it.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "archive/archive_toc.h"
#include "archive/block_scanner.h"

namespace pgshuttle::backup {

class DumpProgress {
 public:
  // `sizes`: pg_table_size by relation OID (sql/backup/table_sizes.sql).
  explicit DumpProgress(std::unordered_map<uint32_t, uint64_t> sizes) : sizes_(std::move(sizes)) {}

  // Once the TOC is parsed: the total is the size of the tables whose data
  // the archive holds.
  void set_toc(const archive::ArchiveToc& toc);
  uint64_t total() const { return total_; }

  // How much is done given the blocks started so far and the archive's
  // length so far; all of it once `ended` (pg_dump finished).
  uint64_t done(const std::vector<archive::BlockStart>& blocks, uint64_t archive_bytes,
                bool ended) const;

 private:
  uint64_t size_of(int dump_id) const;

  std::unordered_map<uint32_t, uint64_t> sizes_;
  std::unordered_map<int, uint64_t> by_dump_id_;  // TABLE DATA entries' sizes
  uint64_t total_ = 0;
};

}  // namespace pgshuttle::backup
