#include "pg/tools.h"

#include <fmt/format.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <vector>

#include "core/log.h"
#include "core/subprocess.h"

namespace pgshuttle::pg {
namespace {

struct Candidate {
  std::string bindir;  // "" for PATH
  int major = 0;
};

void split_dirs(const std::string& list, std::vector<std::string>& out) {
  size_t start = 0;
  while (start <= list.size()) {
    size_t colon = list.find(':', start);
    std::string dir = list.substr(start, colon == std::string::npos ? colon : colon - start);
    if (!dir.empty()) out.push_back(dir);
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
}

// Every directory that holds a pg_dump, in the order of preference.
std::vector<Candidate> candidates(const std::string& option) {
  std::vector<std::string> dirs;
  split_dirs(option, dirs);
  if (const char* env = std::getenv("PGSHUTTLE_PG_BINDIR")) split_dirs(env, dirs);
  std::error_code ec;
  std::vector<std::string> debian;
  for (const auto& e : std::filesystem::directory_iterator("/usr/lib/postgresql", ec)) {
    debian.push_back((e.path() / "bin").string());
  }
  std::sort(debian.begin(), debian.end());
  dirs.insert(dirs.end(), debian.begin(), debian.end());
  std::vector<Candidate> out;
  for (const auto& dir : dirs) {
    std::string dump = dir + "/pg_dump";
    if (::access(dump.c_str(), X_OK) != 0) continue;
    if (int major = tool_major(dump); major > 0) out.push_back({dir, major});
  }
  if (int major = tool_major("pg_dump"); major > 0) out.push_back({"", major});
  return out;
}

}  // namespace

int tool_major(const std::string& program) {
  SubprocessOptions v;
  v.argv = {program, "--version"};
  v.capture_stdout = true;
  auto text = run_and_capture(v);
  return text.ok() ? parse_tool_major(*text) : 0;
}

int parse_tool_major(std::string_view text) {
  size_t close = text.find(") ");
  if (close == std::string_view::npos) return 0;
  return parse_server_major(text.substr(close + 2));
}

int parse_server_major(std::string_view v) {
  int major = 0;
  size_t i = 0;
  for (; i < v.size() && v[i] >= '0' && v[i] <= '9'; ++i) {
    major = major * 10 + (v[i] - '0');
    if (major > 1000) return 0;
  }
  if (i == 0) return 0;
  // Before 10 the major had two parts (9.6); those servers are out of scope.
  return major;
}

Result<PgTools> find_tools(int source_major, int target_major, const std::string& bindirs) {
  if (source_major > 0 && target_major > 0 && source_major > target_major) {
    return make_error(
        ErrorCode::kVersionMismatch,
        fmt::format("the source runs PostgreSQL {} and the target {}: a downgrade, which "
                    "pgshuttle refuses (pg_dump {}'s output may use what {} does not have)",
                    source_major, target_major, source_major, target_major),
        fmt::format("move to a target of PostgreSQL {} or newer", source_major));
  }
  // pg_dump must be at least the source's major; the target's is preferred
  // (an older one still works into a newer server, with a warning).
  int want = std::max(source_major, target_major);
  auto found = candidates(bindirs);
  const Candidate* best = nullptr;
  for (const auto& c : found) {
    if (c.major < want) continue;
    if (best == nullptr || (c.major == want && best->major != want) ||
        (best->major != want && c.major < best->major)) {
      best = &c;
    }
  }
  if (best == nullptr) {
    for (const auto& c : found) {
      if (c.major >= source_major && (best == nullptr || c.major > best->major)) best = &c;
    }
    if (best != nullptr) {
      log::warn(
          "no pg_dump/pg_restore {} found: using {}, which the target's newer server accepts; "
          "PostgreSQL advises the newer version's pg_dump for an upgrade (install "
          "postgresql-client-{} or point --pg-bindir at it)",
          want, best->major, want);
    }
  }
  if (best == nullptr) {
    std::string seen;
    for (const auto& c : found) {
      seen += fmt::format("{}{} ({})", seen.empty() ? "" : ", ", c.major,
                          c.bindir.empty() ? "PATH" : c.bindir);
    }
    return make_error(
        ErrorCode::kVersionMismatch,
        fmt::format("no pg_dump/pg_restore of PostgreSQL {} or newer found{}",
                    std::max(source_major, 1), seen.empty() ? "" : " (found: " + seen + ")"),
        fmt::format("install postgresql-client-{0}, or point --pg-bindir (or "
                    "PGSHUTTLE_PG_BINDIR) at its bin directory",
                    want));
  }
  PgTools t;
  t.major = best->major;
  t.bindir = best->bindir;
  std::string prefix = best->bindir.empty() ? "" : best->bindir + "/";
  t.pg_dump = prefix + "pg_dump";
  t.pg_restore = prefix + "pg_restore";
  t.psql = prefix + "psql";
  log::info("using pg_dump/pg_restore {} from {}", t.major,
            t.bindir.empty() ? std::string("PATH") : t.bindir);
  return t;
}

}  // namespace pgshuttle::pg
