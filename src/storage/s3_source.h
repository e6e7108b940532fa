// S3Source: s3://bucket/key read with signed requests: HEAD for the size,
// Range GETs for streams and ranges, resuming after dropped connections.
//
// Thread safety: read_range() may be called from several threads.
#pragma once

#include <memory>
#include <mutex>
#include <optional>

#include "storage/byte_source.h"
#include "storage/resuming_reader.h"
#include "storage/s3_client.h"

namespace pgshuttle::storage {

class S3Source : public ByteSource {
 public:
  S3Source(std::shared_ptr<const S3Client> client, S3Location object)
      : client_(std::move(client)), object_(std::move(object)) {}

  Result<uint64_t> size() override;
  Result<std::unique_ptr<ByteStream>> open_stream(uint64_t offset = 0) override;
  Result<std::unique_ptr<ByteStream>> open_stream_range(uint64_t offset, uint64_t length) override;
  Result<std::string> read_range(uint64_t offset, uint64_t length) override;
  std::string describe() const override { return object_.to_string(); }
  Result<std::string> version() override;

 private:
  RangeGet range_get();

  std::shared_ptr<const S3Client> client_;
  S3Location object_;
  std::mutex mu_;
  std::optional<uint64_t> size_;
  std::string etag_;  // with size_, from one HEAD
};

}  // namespace pgshuttle::storage
