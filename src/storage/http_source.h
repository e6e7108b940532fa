// HttpSource: an http(s):// URL (plain, or an S3 presigned GET URL) as a
// ByteSource. The size comes from a one-byte Range GET (a presigned GET URL
// does not allow HEAD); streams and ranges use Range GETs that resume after
// dropped connections (resuming_reader.h).
//
// Thread safety: read_range() may be called from several threads.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "storage/byte_source.h"
#include "storage/resuming_reader.h"

namespace pgshuttle::storage {

class HttpSource : public ByteSource {
 public:
  explicit HttpSource(std::string url, int max_tries = 5)
      : url_(std::move(url)), max_tries_(max_tries) {}

  Result<uint64_t> size() override;
  Result<std::unique_ptr<ByteStream>> open_stream(uint64_t offset = 0) override;
  Result<std::unique_ptr<ByteStream>> open_stream_range(uint64_t offset, uint64_t length) override;
  Result<std::string> read_range(uint64_t offset, uint64_t length) override;
  std::string describe() const override;
  Result<std::string> version() override;

 private:
  RangeGet range_get();

  std::string url_;
  int max_tries_;
  std::mutex mu_;
  std::optional<uint64_t> size_;
  std::string etag_;  // with size_, from the same response
};

}  // namespace pgshuttle::storage
