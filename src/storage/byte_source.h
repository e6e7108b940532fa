// ByteSource: where archive bytes come from — a local file, an http(s):// URL
// (presigned or plain) or s3://bucket/key — behind one interface. Each can
// report its size, be read sequentially as a stream, and serve arbitrary byte
// ranges (parallel restore fetches each table's data blocks with its own
// ranged reads).
//
// Thread safety: a ByteSource may be shared between threads for
// read_range(); each call is independent. open_stream() returns a reader
// owned by one thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pgshuttle::storage {

// A sequential reader. read() returns 0 at the end of the stream.
class ByteStream {
 public:
  virtual ~ByteStream() = default;
  virtual Result<size_t> read(char* buffer, size_t size) = 0;
};

class ByteSource {
 public:
  virtual ~ByteSource() = default;
  // The total size in bytes.
  virtual Result<uint64_t> size() = 0;
  // A stream from `offset` to the end.
  virtual Result<std::unique_ptr<ByteStream>> open_stream(uint64_t offset = 0) = 0;
  // A stream over [offset, offset + length) only (shorter at the end of the
  // source). Remote sources ask for just that range, so a reader of one data
  // block does not pull the bytes after it; a local file has nothing to save.
  virtual Result<std::unique_ptr<ByteStream>> open_stream_range(uint64_t offset,
                                                                uint64_t /*length*/) {
    return open_stream(offset);
  }
  // Exactly `length` bytes from `offset` (short only at the end of the source).
  virtual Result<std::string> read_range(uint64_t offset, uint64_t length) = 0;
  // A description safe for logs (secrets redacted).
  virtual std::string describe() const = 0;
  // The server's entity tag (ETag) of the object, which changes whenever
  // the object is replaced; "" when the source has none (a local file, a
  // server that sends none).
  virtual Result<std::string> version() { return std::string(); }
};

}  // namespace pgshuttle::storage
