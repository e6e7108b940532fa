#include "restore/source_format.h"

namespace pgshuttle::restore {

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
  }
  return "unknown";
}

SourceFormat detect_format(std::string_view head) {
  if (head.substr(0, 5) == "PGDMP") return SourceFormat::kCustom;
  if (head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f &&
      static_cast<unsigned char>(head[1]) == 0x8b) {
    return SourceFormat::kGzipSql;
  }
  // POSIX tar: "ustar" at offset 257 of the first header block.
  if (head.size() >= 262 && head.substr(257, 5) == "ustar") return SourceFormat::kTar;
  return SourceFormat::kPlainSql;
}

}  // namespace pgshuttle::restore
