// Data extent: whether an archive of a given size can hold the data blocks
// its TOC points to, checked before a restore writes anything.
//
// A custom-format archive with data offsets says where each data block
// starts; every block ends with a zero (the end of its chunks, or of its
// large objects). An archive cut anywhere after its TOC therefore either
// ends before a block that the TOC points to, or ends in the middle of its
// last block. Two ranged reads tell: the last block's header (its type and
// dump id) and the archive's last bytes. Without this, a restore of an
// archive cut right after its TOC creates the schema and large objects and
// only then fails.
//
// Thread safety: pure function over a ByteSource.
#pragma once

#include <cstdint>

#include "archive/archive_toc.h"
#include "core/result.h"
#include "storage/byte_source.h"

namespace pgshuttle::archive {

// OK when `source` (of `size` bytes, the file's size or the object's
// Content-Length) can hold every data block `toc` points to; kArchive
// naming the entry and byte offset otherwise. Entries without a set offset
// are not checked.
Status check_data_extent(const ArchiveToc& toc, storage::ByteSource& source, uint64_t size);

}  // namespace pgshuttle::archive
