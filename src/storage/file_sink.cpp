#include "storage/file_sink.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "core/owned_temp.h"
#include "storage/storage.h"

namespace pgshuttle::storage {
namespace {

constexpr std::string_view kTempMarker = ".pgshuttle-";

Error io_error(const std::string& what, const std::string& path) {
  int err = errno;
  if (err == ENOSPC || err == EDQUOT) {
    return make_error(ErrorCode::kDiskFull, what + " " + path + ": " + std::strerror(err),
                      "free space on that device or write somewhere else");
  }
  return make_error(ErrorCode::kStorage, what + " " + path + ": " + std::strerror(err));
}

Status write_all(int fd, std::string_view data, int64_t offset, const std::string& path) {
  while (!data.empty()) {
    ssize_t n = offset < 0 ? ::write(fd, data.data(), data.size())
                           : ::pwrite(fd, data.data(), data.size(), static_cast<off_t>(offset));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return io_error("cannot write", path);
    data.remove_prefix(static_cast<size_t>(n));
    if (offset >= 0) offset += n;
  }
  return ok_status();
}

// For file systems without RENAME_NOREPLACE: link() also refuses an
// existing name atomically; the temp name is then removed.
int link_no_replace(const std::string& from, const std::string& to) {
  if (::link(from.c_str(), to.c_str()) != 0) return -1;
  ::unlink(from.c_str());
  return 0;
}

}  // namespace

Result<std::unique_ptr<FileSink>> FileSink::create(const std::string& path, bool replace) {
  struct stat st {};
  if (!replace && ::lstat(path.c_str(), &st) == 0) return destination_exists(path);
  size_t slash = path.rfind('/');
  std::string dir = slash == std::string::npos ? "." : path.substr(0, slash);
  std::string name = slash == std::string::npos ? path : path.substr(slash + 1);
  // The temp name carries this host and pid, so a later backup into this
  // directory removes what a killed one left (core/owned_temp.h).
  remove_dead_temps(dir.empty() ? "/" : dir, ".", kTempMarker);
  std::string temp = owned_temp_template(dir, "." + name + std::string(kTempMarker));
  std::vector<char> buf(temp.begin(), temp.end());
  buf.push_back('\0');
  int fd = ::mkstemp(buf.data());
  // mkstemp creates the file 0600 (narrowed further by the umask), and it
  // stays so: a dump holds every row of the database, so only its owner may
  // read it unless they widen it themselves.
  if (fd < 0) return io_error("cannot create a temp file in", dir.empty() ? "/" : dir);
  return std::unique_ptr<FileSink>(new FileSink(path, buf.data(), fd, replace));
}

FileSink::~FileSink() { abort(); }

Status FileSink::write(std::string_view data) {
  if (fd_ < 0) return make_error(ErrorCode::kInternal, "write after commit/abort: " + path_);
  PGS_TRY(write_all(fd_, data, -1, temp_));
  written_ += data.size();
  return ok_status();
}

Status FileSink::overwrite(uint64_t offset, std::string_view data) {
  if (fd_ < 0 || offset + data.size() > written_) {
    return make_error(ErrorCode::kInternal, "overwrite beyond the bytes written to " + path_);
  }
  return write_all(fd_, data, static_cast<int64_t>(offset), temp_);
}

Status FileSink::commit() {
  if (fd_ < 0) return make_error(ErrorCode::kInternal, "commit after abort: " + path_);
  if (::fsync(fd_) != 0) return io_error("cannot sync", temp_);
  ::close(fd_);
  fd_ = -1;
  // Without replace, renameat2(RENAME_NOREPLACE) fails atomically when the
  // path appeared since create() (another backup to the same name).
  int rc = replace_
               ? ::rename(temp_.c_str(), path_.c_str())
               : ::renameat2(AT_FDCWD, temp_.c_str(), AT_FDCWD, path_.c_str(), RENAME_NOREPLACE);
  auto unsupported = [] { return errno == EINVAL || errno == ENOSYS || errno == EPERM; };
  if (rc != 0 && !replace_ && unsupported()) rc = link_no_replace(temp_, path_);
  if (rc != 0 && !replace_ && unsupported()) {
    // Neither is available (FUSE, SMB, a seccomp filter): look, then rename,
    // as S3 without conditional writes does; a narrow race remains.
    struct stat st {};
    if (::lstat(path_.c_str(), &st) == 0) {
      errno = EEXIST;
    } else {
      rc = ::rename(temp_.c_str(), path_.c_str());
    }
  }
  if (rc != 0) {
    Error e = !replace_ && errno == EEXIST ? destination_exists(path_)
                                           : io_error("cannot rename the temp file to", path_);
    ::unlink(temp_.c_str());
    temp_.clear();
    return e;
  }
  temp_.clear();
  return ok_status();
}

void FileSink::abort() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  if (!temp_.empty()) ::unlink(temp_.c_str());
  temp_.clear();
}

Status StdoutSink::write(std::string_view data) {
  PGS_TRY(write_all(STDOUT_FILENO, data, -1, "stdout"));
  written_ += data.size();
  return ok_status();
}

Status StdoutSink::overwrite(uint64_t, std::string_view) {
  return make_error(ErrorCode::kInternal, "stdout cannot overwrite bytes already written");
}

}  // namespace pgshuttle::storage
