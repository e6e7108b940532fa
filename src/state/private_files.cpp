#include "state/private_files.h"

#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace pgshuttle::state {
namespace {

Error dir_error(const std::string& dir) {
  return make_error(ErrorCode::kUsage,
                    "cannot create state directory " + dir + ": " + std::strerror(errno),
                    "set --state-dir or PGSHUTTLE_STATE_DIR to a writable folder");
}

// Clears the group and other bits of an existing file; a missing one is fine.
Status restrict_existing(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return ok_status();
    return make_error(ErrorCode::kUsage, "cannot stat " + path + ": " + std::strerror(errno));
  }
  if (!S_ISREG(st.st_mode) || (st.st_mode & 077) == 0) return ok_status();
  if (::chmod(path.c_str(), st.st_mode & 0700) != 0) {
    return make_error(ErrorCode::kUsage,
                      "cannot make " + path + " private: " + std::strerror(errno),
                      "check that the state directory (--state-dir / PGSHUTTLE_STATE_DIR) "
                      "belongs to this user");
  }
  return ok_status();
}

}  // namespace

Status make_private_dir(const std::string& dir) {
  if (dir.empty()) return ok_status();
  struct stat st {};
  if (::stat(dir.c_str(), &st) == 0) {
    if (S_ISDIR(st.st_mode)) return ok_status();
    errno = ENOTDIR;
    return dir_error(dir);
  }
  // Parents first, each 0700: ~/.local/state may not exist yet either, and a
  // parent readable by others would not expose the files, only their names.
  size_t slash = dir.find_last_of('/');
  while (slash != std::string::npos && slash > 0 && dir[slash - 1] == '/') --slash;
  if (slash != std::string::npos && slash > 0) PGS_TRY(make_private_dir(dir.substr(0, slash)));
  if (::mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) return dir_error(dir);
  return ok_status();
}

Status make_private_file(const std::string& path) {
  // Created without opening it: closing any descriptor of a file drops every
  // POSIX lock this process holds on it, so an open() and close() here while
  // another thread's SQLite connection has the database open would silently
  // release that connection's locks. Another process could then take the
  // database for unused, checkpoint and delete its WAL, and this process
  // would go on writing where no one else reads (seen: a `pgshuttle cancel`
  // its watcher never saw).
  if (::mknod(path.c_str(), S_IFREG | 0600, 0) != 0 && errno != EEXIST) {
    return make_error(ErrorCode::kUsage, "cannot create " + path + ": " + std::strerror(errno),
                      "check that the state directory (--state-dir / PGSHUTTLE_STATE_DIR) is "
                      "writable");
  }
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
    PGS_TRY(restrict_existing(path + suffix));
  }
  return ok_status();
}

}  // namespace pgshuttle::state
