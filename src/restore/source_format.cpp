#include "restore/source_format.h"

#include <cctype>
#include <string>

namespace pgshuttle::restore {
namespace {

// Text as a SQL script is: no NUL and no control characters but layout
// ones. Bytes >= 0x80 pass, whatever the script's encoding (UTF-8, LATIN1).
bool is_text(std::string_view s) {
  for (unsigned char c : s) {
    if (c < 0x20 && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v') return false;
    if (c == 0x7f) return false;
  }
  return true;
}

// Statements a SQL dump or script starts with (pg_dump's are SET, SELECT,
// CREATE, COMMENT, \connect and, from PostgreSQL 17.6, \restrict).
constexpr std::string_view kLeadingWords[] = {
    "ABORT",     "ALTER",    "ANALYZE", "BEGIN",   "CALL",       "CHECKPOINT", "CLOSE",  "CLUSTER",
    "COMMENT",   "COMMIT",   "COPY",    "CREATE",  "DEALLOCATE", "DECLARE",    "DELETE", "DISCARD",
    "DO",        "DROP",     "END",     "EXECUTE", "EXPLAIN",    "GRANT",      "IMPORT", "INSERT",
    "LOCK",      "MERGE",    "PREPARE", "REFRESH", "REINDEX",    "RESET",      "REVOKE", "ROLLBACK",
    "SAVEPOINT", "SECURITY", "SELECT",  "SET",     "SHOW",       "START",      "TABLE",  "TRUNCATE",
    "UPDATE",    "VACUUM",   "VALUES",  "WITH"};

bool is_leading_word(std::string_view word) {
  std::string upper(word);
  for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  for (auto w : kLeadingWords) {
    if (upper == w) return true;
  }
  return false;
}

}  // namespace

std::string_view format_name(SourceFormat format) {
  switch (format) {
    case SourceFormat::kCustom:
      return "custom";
    case SourceFormat::kTar:
      return "tar";
    case SourceFormat::kDirectory:
      return "directory";
    case SourceFormat::kPlainSql:
      return "plain SQL";
    case SourceFormat::kGzipSql:
      return "gzip SQL";
    case SourceFormat::kUnknown:
      return "unknown";
  }
  return "unknown";
}

bool looks_like_sql(std::string_view head) {
  if (!is_text(head)) return false;
  size_t i = head.substr(0, 3) == "\xEF\xBB\xBF" ? 3 : 0;  // a UTF-8 byte order mark
  while (i < head.size()) {
    char c = head[i];
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v') {
      ++i;
    } else if (head.substr(i, 2) == "--") {  // a comment line (pg_dump's header)
      size_t nl = head.find('\n', i);
      if (nl == std::string_view::npos) return true;  // the head ends inside it
      i = nl + 1;
    } else if (head.substr(i, 2) == "/*") {
      size_t end = head.find("*/", i + 2);
      if (end == std::string_view::npos) return true;
      i = end + 2;
    } else if (c == '\\') {  // a psql meta-command (\connect, \restrict, \set)
      return i + 1 < head.size() && std::isalpha(static_cast<unsigned char>(head[i + 1]));
    } else {
      size_t end = i;
      while (end < head.size() &&
             (std::isalpha(static_cast<unsigned char>(head[end])) || head[end] == '_')) {
        ++end;
      }
      return end > i && is_leading_word(head.substr(i, end - i));
    }
  }
  return true;  // only comments and blank lines so far
}

SourceFormat detect_format(std::string_view head) {
  if (head.substr(0, 5) == "PGDMP") return SourceFormat::kCustom;
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b) {
    return SourceFormat::kGzipSql;
  }
  // POSIX tar: "ustar" at offset 257 of the first header block.
  if (head.size() >= 262 && head.substr(257, 5) == "ustar") return SourceFormat::kTar;
  return looks_like_sql(head) ? SourceFormat::kPlainSql : SourceFormat::kUnknown;
}

}  // namespace pgshuttle::restore
