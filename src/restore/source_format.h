// SourceFormat: which kind of dump a restore source holds, told from its
// first bytes (pg_dump's "PGDMP" magic, a tar header, gzip's magic) or, for
// a local directory, from its toc.dat. Plain SQL is recognised, not assumed:
// text whose first statement (after comments) is a SQL command or a psql
// meta-command; anything else (a binary file, /etc/services) is kUnknown,
// which restore refuses before it starts psql.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

namespace pgshuttle::restore {

enum class SourceFormat { kCustom, kTar, kDirectory, kPlainSql, kGzipSql, kUnknown };

std::string_view format_name(SourceFormat format);

// From the first (up to 512) bytes of a file or object.
SourceFormat detect_format(std::string_view head);

// Whether `head`, the start of a script, reads as SQL: text without NUL or
// control bytes, whose first statement after blank lines and comments
// starts with a SQL command word or a psql meta-command. Comments alone
// (a head that ends inside pg_dump's header) count as SQL.
bool looks_like_sql(std::string_view head);

// True for formats pg_restore reads (custom, tar, directory).
inline bool is_archive(SourceFormat f) {
  return f == SourceFormat::kCustom || f == SourceFormat::kTar || f == SourceFormat::kDirectory;
}

}  // namespace pgshuttle::restore
