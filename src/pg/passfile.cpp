#include "pg/passfile.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fmt/format.h>
#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;

namespace pgshuttle::pg {
namespace {

// .pgpass fields escape ':' and '\'.
std::string escape_field(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ':' || c == '\\') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

Result<Passfile> Passfile::create(const ConnInfo& info) {
  Passfile pf;
  if (!info.has("password")) return pf;
  const char* tmp = std::getenv("TMPDIR");
  std::string tmpl = fmt::format("{}/pgshuttle-pass-XXXXXX", tmp && *tmp ? tmp : "/tmp");
  if (!mkdtemp(tmpl.data())) {
    return make_error(ErrorCode::kInternal,
                      fmt::format("cannot create a private temp dir: {}", std::strerror(errno)));
  }
  pf.dir_ = tmpl;
  pf.path_ = pf.dir_ + "/pgpass";
  int fd = ::open(pf.path_.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) {
    return make_error(ErrorCode::kInternal,
                      fmt::format("cannot write passfile: {}", std::strerror(errno)));
  }
  std::string line = fmt::format("*:*:*:*:{}\n", escape_field(info.password()));
  bool ok = ::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size());
  ::close(fd);
  if (!ok) return make_error(ErrorCode::kDiskFull, "cannot write passfile");
  return pf;
}

Passfile::Passfile(Passfile&& o) noexcept { *this = std::move(o); }
Passfile& Passfile::operator=(Passfile&& o) noexcept {
  std::swap(dir_, o.dir_);
  std::swap(path_, o.path_);
  return *this;
}

Passfile::~Passfile() {
  if (!path_.empty()) ::unlink(path_.c_str());
  if (!dir_.empty()) ::rmdir(dir_.c_str());
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

}  // namespace pgshuttle::pg
