#include "backup/dump_progress.h"

#include <algorithm>

namespace pgshuttle::backup {

void DumpProgress::set_toc(const archive::ArchiveToc& toc) {
  by_dump_id_.clear();
  total_ = 0;
  for (const auto& te : toc.entries) {
    if (!te.had_dumper || te.desc != "TABLE DATA") continue;
    auto it = sizes_.find(te.oid);
    if (it == sizes_.end()) continue;
    by_dump_id_[te.dump_id] = it->second;
    total_ += it->second;
  }
}

uint64_t DumpProgress::size_of(int dump_id) const {
  auto it = by_dump_id_.find(dump_id);
  return it == by_dump_id_.end() ? 0 : it->second;
}

uint64_t DumpProgress::done(const std::vector<archive::BlockStart>& blocks, uint64_t archive_bytes,
                            bool ended) const {
  if (ended) return total_;
  if (blocks.empty()) return 0;
  uint64_t finished = 0;
  for (size_t i = 0; i + 1 < blocks.size(); ++i) finished += size_of(blocks[i].dump_id);
  const archive::BlockStart& current = blocks.back();
  uint64_t finished_bytes = current.offset - blocks.front().offset;
  uint64_t current_bytes = archive_bytes > current.offset ? archive_bytes - current.offset : 0;
  uint64_t current_size = size_of(current.dump_id);
  uint64_t estimate = 0;
  if (finished_bytes > 0 && finished > 0) {
    double ratio = static_cast<double>(finished) / static_cast<double>(finished_bytes);
    estimate = static_cast<uint64_t>(static_cast<double>(current_bytes) * ratio);
  }
  return std::min(total_, finished + std::min(estimate, current_size));
}

}  // namespace pgshuttle::backup
