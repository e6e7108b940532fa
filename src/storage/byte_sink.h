// ByteSink: where archive bytes go — a local file, s3://bucket/key
// (multipart, streaming) or stdout. Data is appended with write(); commit()
// makes the result visible (renames the temp file, completes the multipart
// upload); abort() or destruction without commit() removes every trace
// (deletes the partial file, aborts the multipart upload).
//
// Seekable sinks (files) also accept overwrite() of bytes already written, so
// pg_dump's TOC data offsets can be patched in place. Non-seekable sinks
// (S3, stdout) report seekable() == false; for S3, hold_first_part() lets a
// caller keep the first part back and replace its bytes before commit.
//
// Thread safety: one writer thread per sink.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"

namespace pgshuttle::storage {

// Something a sink leaves in storage if the process dies before commit()
// or abort() run: an incomplete S3 multipart upload, which costs storage
// until it is aborted.
struct Leftover {
  std::string location;  // s3://bucket/key
  std::string upload_id;
};
// Told `pending` true when a leftover comes into being, false once it is
// gone (completed or aborted): a caller records it so that a later run can
// abort what a killed one left.
using LeftoverListener = std::function<void(const Leftover& leftover, bool pending)>;

class ByteSink {
 public:
  virtual ~ByteSink() = default;
  virtual Status write(std::string_view data) = 0;
  // Bytes accepted so far.
  virtual uint64_t bytes_written() const = 0;
  virtual bool seekable() const = 0;
  // Replaces bytes at [offset, offset + data.size()) already written.
  // Supported by seekable sinks, and by sinks that still hold those bytes
  // back (see hold_prefix); otherwise an error.
  virtual Status overwrite(uint64_t offset, std::string_view data) = 0;
  // Asks the sink to keep the first `bytes` bytes in memory, unsent, until
  // commit(), so that overwrite() can still change them. Returns false when
  // the sink cannot (stdout).
  virtual bool hold_prefix(uint64_t bytes) = 0;
  virtual Status commit() = 0;
  virtual void abort() = 0;
  virtual std::string describe() const = 0;
  // Sinks that can leave something behind report it (see Leftover).
  virtual void set_leftover_listener(LeftoverListener) {}
};

}  // namespace pgshuttle::storage
