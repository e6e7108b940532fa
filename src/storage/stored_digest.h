// StoredDigest: the SHA-256 of an archive as it is stored, read back after
// the upload finished.
//
// A backup to S3 is not written in order: the first multipart part is held
// back, its TOC data offsets patched, and uploaded last, so a hash of the
// bytes as pg_dump produced them would not match the object. Reading the
// stored object back hashes exactly what a later download gets, and proves
// the upload end to end (every part present, in the right order).
//
// The read-back fetches `parallel` byte ranges at once (each on its own
// thread and connection) and hashes them in order, so a remote object is
// read at the speed of several connections while memory stays at
// `parallel` x `range_size` (two ranges ahead per reader at most).
//
// Thread safety: one call per source at a time; the source's read_range()
// must be callable from several threads (every ByteSource's is).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "storage/byte_source.h"

namespace pgshuttle::storage {

// An incremental SHA-256 (OpenSSL), for bytes that pass in order.
class Sha256Stream {
 public:
  Sha256Stream();
  ~Sha256Stream();
  Sha256Stream(const Sha256Stream&) = delete;
  Sha256Stream& operator=(const Sha256Stream&) = delete;
  void update(std::string_view bytes);
  // The lowercase hex digest; call once.
  std::string finish();

 private:
  struct Context;
  std::unique_ptr<Context> ctx_;
};

struct StoredDigest {
  std::string sha256;  // lowercase hex
  uint64_t bytes = 0;  // bytes hashed (the object's size)
};

struct DigestOptions {
  int parallel = 4;                // ranges fetched at once (>= 1)
  uint64_t range_size = 4u << 20;  // bytes per ranged read
  // Called with each range's size once it is hashed (progress); may be empty.
  std::function<void(uint64_t)> on_hashed;
};

// Reads all of `source` and returns its SHA-256. Errors: the source's
// (storage codes), kStorage when the object is shorter than its reported
// size, kCancelled once the process is cancelled
// (core/cancel.h: Ctrl-C, or `pgshuttle cancel` through a TransferRun).
Result<StoredDigest> digest_stored(storage::ByteSource& source, const DigestOptions& options = {});

}  // namespace pgshuttle::storage
