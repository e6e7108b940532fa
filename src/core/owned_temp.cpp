#include "core/owned_temp.h"

#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>

namespace pgshuttle {
namespace {

namespace fs = std::filesystem;

constexpr size_t kRandomChars = 6;  // what mkstemp/mkdtemp fill in

std::string host_name() {
  char buf[256] = {};
  if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0') return "localhost";
  std::string host(buf);
  // The name must stay one path component.
  for (char& c : host) {
    if (c == '/') c = '_';
  }
  return host;
}

bool process_gone(long pid) {
  if (pid <= 0) return false;
  return ::kill(static_cast<pid_t>(pid), 0) != 0 && errno == ESRCH;
}

// The pid in "<host>-<pid>-XXXXXX" when `host` matches, else 0.
long pid_in(std::string_view tail, const std::string& host) {
  if (tail.size() < kRandomChars + 1) return 0;
  size_t dash = tail.size() - kRandomChars - 1;
  if (tail[dash] != '-') return 0;
  std::string_view head = tail.substr(0, dash);  // "<host>-<pid>"
  size_t sep = head.rfind('-');
  if (sep == std::string_view::npos || head.substr(0, sep) != host) return 0;
  std::string_view digits = head.substr(sep + 1);
  if (digits.empty() || digits.size() > 9) return 0;
  long pid = 0;
  for (char c : digits) {
    if (c < '0' || c > '9') return 0;
    pid = pid * 10 + (c - '0');
  }
  return pid;
}

}  // namespace

std::string temp_dir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp && *tmp ? tmp : "/tmp";
}

std::string owned_temp_template(const std::string& dir, std::string_view prefix) {
  return dir + "/" + std::string(prefix) + host_name() + "-" + std::to_string(::getpid()) +
         "-XXXXXX";
}

int remove_dead_temps(const std::string& dir, std::string_view prefix, std::string_view marker) {
  const std::string host = host_name();
  int removed = 0;
  std::error_code ec;
  for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
    std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    size_t at = name.rfind(marker);
    if (at == std::string::npos) continue;
    long pid = pid_in(std::string_view(name).substr(at + marker.size()), host);
    if (pid == 0 || !process_gone(pid)) continue;
    // Only this user's leftovers: another user's are theirs to remove.
    struct stat st {};
    if (::lstat(it->path().c_str(), &st) != 0 || st.st_uid != ::geteuid()) continue;
    std::error_code rm;
    if (fs::remove_all(it->path(), rm) > 0 && !rm) ++removed;
  }
  return removed;
}

}  // namespace pgshuttle
