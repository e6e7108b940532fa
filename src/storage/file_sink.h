// FileSink: a local file written through a temp file in the same directory
// (".<name>.pgshuttle-<host>-<pid>-XXXXXX"), renamed to the target on
// commit() (without `replace`, a no-replace rename: an existing file is never
// overwritten) and removed on abort() or destruction; seekable, so
// overwrite() patches bytes in place. create() removes the temp files that
// killed processes of this host left in that directory (core/owned_temp.h). StdoutSink: standard
// output, not seekable, nothing to undo.
//
// Thread safety: one writer thread per sink.
#pragma once

#include <string>

#include "storage/byte_sink.h"

namespace pgshuttle::storage {

class FileSink : public ByteSink {
 public:
  // Creates the temp file next to `path`; kExists when `path` exists and
  // `replace` is false.
  static Result<std::unique_ptr<FileSink>> create(const std::string& path, bool replace = true);
  ~FileSink() override;

  Status write(std::string_view data) override;
  uint64_t bytes_written() const override { return written_; }
  bool seekable() const override { return true; }
  Status overwrite(uint64_t offset, std::string_view data) override;
  bool hold_prefix(uint64_t) override { return true; }
  Status commit() override;
  void abort() override;
  std::string describe() const override { return path_; }

 private:
  FileSink(std::string path, std::string temp, int fd, bool replace)
      : path_(std::move(path)), temp_(std::move(temp)), fd_(fd), replace_(replace) {}
  std::string path_, temp_;
  int fd_;
  bool replace_;
  uint64_t written_ = 0;
};

class StdoutSink : public ByteSink {
 public:
  Status write(std::string_view data) override;
  uint64_t bytes_written() const override { return written_; }
  bool seekable() const override { return false; }
  Status overwrite(uint64_t offset, std::string_view data) override;
  bool hold_prefix(uint64_t) override { return false; }
  Status commit() override { return ok_status(); }
  void abort() override {}
  std::string describe() const override { return "stdout"; }

 private:
  uint64_t written_ = 0;
};

}  // namespace pgshuttle::storage
