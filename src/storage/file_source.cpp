#include "storage/file_source.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pgshuttle::storage {
namespace {

Error io_error(const std::string& what, const std::string& path) {
  int err = errno;
  return make_error(err == ENOENT ? ErrorCode::kNotFound : ErrorCode::kStorage,
                    what + " " + path + ": " + std::strerror(err));
}

class FileStream : public ByteStream {
 public:
  FileStream(int fd, uint64_t offset, std::string path)
      : fd_(fd), pos_(offset), path_(std::move(path)) {}
  Result<size_t> read(char* buffer, size_t size) override {
    ssize_t n;
    do {
      n = ::pread(fd_, buffer, size, static_cast<off_t>(pos_));
    } while (n < 0 && errno == EINTR);
    if (n < 0) return io_error("cannot read", path_);
    pos_ += static_cast<uint64_t>(n);
    return static_cast<size_t>(n);
  }

 private:
  int fd_;  // owned by the FileSource, which outlives its streams
  uint64_t pos_;
  std::string path_;
};

}  // namespace

Result<std::unique_ptr<FileSource>> FileSource::open(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return io_error("cannot open", path);
  return std::unique_ptr<FileSource>(new FileSource(path, fd));
}

FileSource::~FileSource() { ::close(fd_); }

Result<uint64_t> FileSource::size() {
  struct stat st {};
  if (::fstat(fd_, &st) != 0) return io_error("cannot stat", path_);
  return static_cast<uint64_t>(st.st_size);
}

Result<std::unique_ptr<ByteStream>> FileSource::open_stream(uint64_t offset) {
  return std::unique_ptr<ByteStream>(std::make_unique<FileStream>(fd_, offset, path_));
}

Result<std::string> FileSource::read_range(uint64_t offset, uint64_t length) {
  std::string out(length, '\0');
  size_t got = 0;
  FileStream s(fd_, offset, path_);
  while (got < length) {
    PGS_ASSIGN_OR_RETURN(size_t n, s.read(out.data() + got, length - got));
    if (n == 0) break;
    got += n;
  }
  out.resize(got);
  return out;
}

}  // namespace pgshuttle::storage
