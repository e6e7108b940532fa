// Decompressor: one compressed stream of a custom-format data block (a table's
// COPY data or one large object), in the algorithm the archive header names.
// pg_dump's gzip is a zlib stream, lz4 a LZ4 frame, zstd a zstd frame; kNone
// passes bytes through.
//
// Thread safety: one thread per decompressor.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "archive/archive_toc.h"
#include "core/result.h"

namespace pgshuttle::archive {

class Decompressor {
 public:
  virtual ~Decompressor() = default;
  // Decompresses `input`, appending to `output`.
  virtual Status feed(std::string_view input, std::string& output) = 0;
  // Checks that the stream ended properly (no half-finished frame).
  virtual Status finish(std::string& output) = 0;

  static Result<std::unique_ptr<Decompressor>> create(Compression compression);
};

}  // namespace pgshuttle::archive
