#include "pg/passfile.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include "core/owned_temp.h"

#include <fmt/format.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace pgshuttle::pg {
namespace {

constexpr std::string_view kDirPrefix = "pgshuttle-pass-";

// .pgpass fields escape ':' and '\'.
std::string escape_field(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

bool write_all(int fd, const std::string& data) {
  return ::write(fd, data.data(), data.size()) == static_cast<ssize_t>(data.size());
}

}  // namespace

Result<Passfile> Passfile::create(const ConnInfo& info) {
  Passfile pf;
  if (!info.has("password")) return pf;
  std::string line = fmt::format("*:*:*:*:{}\n", escape_field(info.password()));
  if (!pf.create_in_memory(line).ok()) PGS_TRY(pf.create_on_disk(line));
  return pf;
}

Status Passfile::create_in_memory(const std::string& line) {
  // Close-on-exec here; Subprocess clears the flag in the one child that
  // needs it (inherit_fds), so other children never see the password.
  int fd = ::memfd_create("pgshuttle-pgpass", MFD_CLOEXEC);
  if (fd < 0) return make_error(ErrorCode::kInternal, "memfd_create failed");
  // The child's dup2 onto 0-2 must not hit it.
  if (fd < 3) {
    int moved = ::fcntl(fd, F_DUPFD_CLOEXEC, 3);
    ::close(fd);
    fd = moved;
    if (fd < 0) return make_error(ErrorCode::kInternal, "fcntl failed");
  }
  // A memfd starts 0777; libpq ignores a passfile with group or other access.
  std::string path = "/proc/self/fd/" + std::to_string(fd);
  if (::fchmod(fd, 0600) != 0 || !write_all(fd, line) || ::access(path.c_str(), R_OK) != 0) {
    ::close(fd);
    return make_error(ErrorCode::kInternal, "cannot use a memfd passfile");
  }
  fd_ = fd;
  path_ = std::move(path);
  return ok_status();
}

Status Passfile::create_on_disk(const std::string& line) {
  const std::string tmp = temp_dir();
  remove_dead_temps(tmp, kDirPrefix, kDirPrefix);
  std::string tmpl = owned_temp_template(tmp, kDirPrefix);
  if (!mkdtemp(tmpl.data())) {
    return make_error(ErrorCode::kInternal,
                      fmt::format("cannot create a private temp dir: {}", std::strerror(errno)));
  }
  dir_ = tmpl;
  path_ = dir_ + "/pgpass";
  int fd = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(ErrorCode::kInternal,
                      fmt::format("cannot write passfile: {}", std::strerror(errno)));
  }
  bool ok = write_all(fd, line);
  ::close(fd);
  if (!ok) return make_error(ErrorCode::kDiskFull, "cannot write passfile");
  return ok_status();
}

Passfile::Passfile(Passfile&& o) noexcept { *this = std::move(o); }
Passfile& Passfile::operator=(Passfile&& o) noexcept {
  std::swap(fd_, o.fd_);
  std::swap(dir_, o.dir_);
  std::swap(path_, o.path_);
  return *this;
}

Passfile::~Passfile() {
  if (fd_ >= 0) ::close(fd_);
  if (!dir_.empty()) {
    ::unlink(path_.c_str());
    ::rmdir(dir_.c_str());
  }
}

std::map<std::string, std::optional<std::string>> Passfile::env() const {
  std::map<std::string, std::optional<std::string>> env;
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos) continue;
    std::string_view name = kv.substr(0, eq);
    // PGSHUTTLE_* is pgshuttle's own configuration, not libpq's.
    bool libpq = name.substr(0, 2) == "PG" && name.substr(0, 10) != "PGSHUTTLE_";
    bool kerberos = name == "KRB5CCNAME" || name == "KRB5_CONFIG";
    if (libpq || kerberos) env[std::string(name)] = std::string(kv.substr(eq + 1));
  }
  if (!path_.empty()) {
    env["PGPASSFILE"] = path_;
    env["PGPASSWORD"] = std::nullopt;
  }
  return env;
}

std::vector<int> Passfile::inherit_fds() const {
  if (fd_ < 0) return {};
  return {fd_};
}

}  // namespace pgshuttle::pg
