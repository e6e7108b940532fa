// FileSource: a local file as a ByteSource (pread for ranges, so ranged reads
// from several threads need no locking).
#pragma once

#include <string>

#include "storage/byte_source.h"

namespace pgshuttle::storage {

class FileSource : public ByteSource {
 public:
  // Opens `path`; kNotFound when it does not exist.
  static Result<std::unique_ptr<FileSource>> open(const std::string& path);
  ~FileSource() override;

  Result<uint64_t> size() override;
  Result<std::unique_ptr<ByteStream>> open_stream(uint64_t offset = 0) override;
  Result<std::string> read_range(uint64_t offset, uint64_t length) override;
  std::string describe() const override { return path_; }

 private:
  FileSource(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  std::string path_;
  int fd_;
};

}  // namespace pgshuttle::storage
