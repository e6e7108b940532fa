// SourceFormat: which kind of dump a restore source holds, told from its
// first bytes (pg_dump's "PGDMP" magic, a tar header, gzip's magic) or, for
// a local directory, from its toc.dat.
//
// Thread safety: pure functions.
#pragma once

#include <string_view>

namespace pgshuttle::restore {

enum class SourceFormat { kCustom, kTar, kDirectory, kPlainSql, kGzipSql };

std::string_view format_name(SourceFormat format);

// From the first (up to 512) bytes of a file or object.
SourceFormat detect_format(std::string_view head);

// True for formats pg_restore reads (custom, tar, directory).
inline bool is_archive(SourceFormat f) {
  return f == SourceFormat::kCustom || f == SourceFormat::kTar || f == SourceFormat::kDirectory;
}

}  // namespace pgshuttle::restore
