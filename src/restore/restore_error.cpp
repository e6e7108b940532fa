#include "restore/restore_error.h"

#include <array>

namespace pgshuttle::restore {
namespace {

std::vector<std::string_view> split_lines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    size_t nl = text.find('\n');
    lines.push_back(text.substr(0, nl));
    if (nl == std::string_view::npos) break;
    text.remove_prefix(nl + 1);
  }
  return lines;
}

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
    s.remove_suffix(1);
  }
  return s;
}

// "ERROR:  must be owner of extension plpgsql" -> "must be owner of ...".
std::string strip_level(std::string_view s) {
  for (std::string_view level : {"ERROR:", "FATAL:"}) {
    size_t at = s.find(level);
    if (at != std::string_view::npos) return std::string(trim(s.substr(at + level.size())));
  }
  return std::string(trim(s));
}

// "4; 0 0 COMMENT - EXTENSION plpgsql " -> "COMMENT - EXTENSION plpgsql".
std::string toc_object(std::string_view entry) {
  size_t semi = entry.find("; ");
  if (semi == std::string_view::npos) return std::string(trim(entry));
  std::string_view rest = entry.substr(semi + 2);
  for (int skip = 0; skip < 2; ++skip) {  // tableoid and oid
    size_t sp = rest.find(' ');
    if (sp == std::string_view::npos) break;
    rest.remove_prefix(sp + 1);
  }
  return std::string(trim(rest));
}

// The server's text for SQLSTATE 53100 ("could not extend file ...: No
// space left on device"): the tools print no SQLSTATE, and disk full has an
// exit code of its own.
ErrorCode code_of(std::string_view message) {
  return message.find("No space left on device") != std::string_view::npos ? ErrorCode::kDiskFull
                                                                           : ErrorCode::kTarget;
}

}  // namespace

Severity classify(std::string_view message, std::string_view command) {
  if (starts_with(command, "COMMENT ON EXTENSION")) return Severity::kWarning;
  static constexpr std::array<std::string_view, 5> kHarmless = {
      "must be owner of extension",
      "schema \"public\" already exists",
      "permission denied to create event trigger",
      "must be superuser to create an event trigger",
      "must be owner of schema public",
  };
  for (auto h : kHarmless) {
    if (message.find(h) != std::string_view::npos) return Severity::kWarning;
  }
  // OWNER TO / GRANT of roles the target does not have (plain SQL keeps them).
  if (message.find("role \"") != std::string_view::npos &&
      message.find("does not exist") != std::string_view::npos &&
      (command.empty() || command.find("OWNER TO") != std::string_view::npos ||
       starts_with(command, "GRANT") || starts_with(command, "REVOKE"))) {
    return Severity::kWarning;
  }
  return Severity::kFatal;
}

std::vector<RestoreError> parse_pg_restore_errors(std::string_view stderr_text) {
  std::vector<RestoreError> errors;
  std::string object;
  std::string last_data;  // from -v: the table whose data was being loaded
  auto lines = split_lines(stderr_text);
  for (size_t i = 0; i < lines.size(); ++i) {
    std::string_view line = lines[i];
    constexpr std::string_view kData = "pg_restore: processing data for table ";
    if (starts_with(line, kData)) {
      last_data = "TABLE DATA " + std::string(trim(line.substr(kData.size())));
      continue;
    }
    if (starts_with(line, "pg_restore: from TOC entry ")) {
      object = toc_object(line.substr(27));
      continue;
    }
    constexpr std::string_view kQuery = "pg_restore: error: could not execute query: ";
    constexpr std::string_view kError = "pg_restore: error: ";
    if (!starts_with(line, kError)) continue;
    RestoreError e;
    e.object = object;
    if (starts_with(line, kQuery)) {
      e.message = strip_level(line.substr(kQuery.size()));
      for (size_t j = i + 1; j < lines.size() && !starts_with(lines[j], "pg_restore:"); ++j) {
        if (starts_with(lines[j], "Command was: ")) {
          e.command = std::string(trim(lines[j].substr(13)));
          break;
        }
      }
    } else {
      e.message = std::string(trim(line.substr(kError.size())));
      if (e.object.empty()) e.object = last_data;
    }
    e.severity = classify(e.message, e.command);
    e.code = code_of(e.message);
    errors.push_back(std::move(e));
    object.clear();
  }
  return errors;
}

std::vector<RestoreError> parse_psql_errors(std::string_view stderr_text) {
  std::vector<RestoreError> errors;
  for (std::string_view line : split_lines(stderr_text)) {
    size_t at = line.find(": ERROR:");
    if (!starts_with(line, "psql:") || at == std::string_view::npos) continue;
    RestoreError e;
    e.message = strip_level(line.substr(at + 2));
    e.object = std::string(line.substr(0, at));  // psql:<stdin>:LINE
    e.severity = classify(e.message, "");
    e.code = code_of(e.message);
    errors.push_back(std::move(e));
  }
  return errors;
}

}  // namespace pgshuttle::restore
