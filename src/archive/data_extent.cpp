#include "archive/data_extent.h"

#include <fmt/format.h>

#include "archive/byte_reader.h"

namespace pgshuttle::archive {
namespace {

Error cut_short(std::string what) {
  return make_error(ErrorCode::kArchive, std::move(what) + "; nothing was restored",
                    "the archive is truncated (an incomplete upload or copy?): check its size "
                    "against the backup, or make a new backup");
}

std::string entry_name(const TocEntry& e) {
  return fmt::format("{} {}{}", e.desc, e.namespace_name ? *e.namespace_name + "." : "", e.tag);
}

}  // namespace

Status check_data_extent(const ArchiveToc& toc, storage::ByteSource& source, uint64_t size) {
  const TocEntry* last = nullptr;
  for (const auto& e : toc.entries) {
    if (e.data_state != OffsetState::kSet) continue;
    if (last == nullptr || e.data_offset > last->data_offset) last = &e;
  }
  if (last == nullptr) return ok_status();
  const uint64_t int_width = static_cast<uint64_t>(toc.header.int_size) + 1;
  const uint64_t block_header = 1 + int_width;  // type byte, dump id
  // The smallest block: its header and the zero that ends it.
  if (last->data_offset + block_header + int_width > size) {
    return cut_short(
        fmt::format("the archive ends at byte {}, but the data of {} starts at byte {}", size,
                    entry_name(*last), last->data_offset));
  }
  PGS_ASSIGN_OR_RETURN(std::string head, source.read_range(last->data_offset, block_header));
  ByteReader r(head, last->data_offset);
  uint8_t type = 0;
  int64_t dump_id = 0;
  if (!r.byte(type) || !r.integer(toc.header.int_size, dump_id) || (type != 1 && type != 3) ||
      dump_id != last->dump_id) {
    return cut_short(fmt::format("byte {} is not the start of the data of {}, as the TOC says",
                                 last->data_offset, entry_name(*last)));
  }
  PGS_ASSIGN_OR_RETURN(std::string tail, source.read_range(size - int_width, int_width));
  if (tail.size() != int_width || tail.find_first_not_of('\0') != std::string::npos) {
    return cut_short(fmt::format(
        "the archive ({} bytes) ends inside a data block: its last block, the data of {} from "
        "byte {}, has no end",
        size, entry_name(*last), last->data_offset));
  }
  return ok_status();
}

}  // namespace pgshuttle::archive
