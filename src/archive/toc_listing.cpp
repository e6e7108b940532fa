// The pg_restore -l listing of a TOC (see archive_toc.h).
#include <fmt/format.h>

#include "archive/archive_toc.h"

namespace pgshuttle::archive {
namespace {

// Newlines would break the one-line-per-entry format; pg_restore turns them
// into spaces, and shows "-" for an empty schema.
std::string sanitize(std::string_view s, bool hyphen_if_empty) {
  if (s.empty() && hyphen_if_empty) return "-";
  std::string out(s);
  for (char& c : out) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  return out;
}

bool starts_with(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

std::string compression_text(const ArchiveHeader& h) {
  if (h.version() < version_code(1, 15)) return std::to_string(h.compression_level);
  return std::string(compression_name(h.compression));
}

}  // namespace

std::string_view compression_name(Compression c) {
  switch (c) {
    case Compression::kNone:
      return "none";
    case Compression::kGzip:
      return "gzip";
    case Compression::kLz4:
      return "lz4";
    case Compression::kZstd:
      return "zstd";
  }
  return "unknown";
}

std::string_view archive_format_name(ArchiveFormat f) {
  switch (f) {
    case ArchiveFormat::kCustom:
      return "CUSTOM";
    case ArchiveFormat::kTar:
      return "TAR";
    case ArchiveFormat::kDirectory:
      return "DIRECTORY";
  }
  return "UNKNOWN";
}

std::string_view section_name(Section s) {
  switch (s) {
    case Section::kNone:
      return "None";
    case Section::kPreData:
      return "Pre-Data";
    case Section::kData:
      return "Data";
    case Section::kPostData:
      return "Post-Data";
  }
  return "unknown";
}

bool listed_by_pg_restore(const TocEntry& te) {
  if (te.desc == "ENCODING" || te.desc == "STDSTRINGS" || te.desc == "SEARCHPATH") return false;
  if (te.desc == "DATABASE" || te.desc == "DATABASE PROPERTIES") return false;
  if (te.desc == "<Init>" && te.tag == "Max OID") return false;
  bool schema = true, data = true;
  if (!te.had_dumper) {
    bool large_object_item =
        starts_with(te.tag, "LARGE OBJECT") &&
        (te.desc == "ACL" || te.desc == "COMMENT" || te.desc == "SECURITY LABEL");
    bool data_item = te.desc == "SEQUENCE SET" || te.desc == "BLOB" || te.desc == "BLOB METADATA" ||
                     large_object_item;
    if (data_item) {
      schema = false;
    } else {
      data = false;
    }
  }
  if (te.defn.empty() || starts_with(te.defn, "-- load via partition root ")) schema = false;
  return schema || data;
}

std::string list_toc(const ArchiveToc& toc) {
  const ArchiveHeader& h = toc.header;
  std::string out = ";\n";
  out += fmt::format("; Archive created at {:04}-{:02}-{:02} {:02}:{:02}:{:02}\n", h.year, h.month,
                     h.day, h.hour, h.minute, h.second);
  out += fmt::format(";     dbname: {}\n", h.dbname);
  out += fmt::format(";     TOC Entries: {}\n", toc.entries.size());
  out += fmt::format(";     Compression: {}\n", compression_text(h));
  out += fmt::format(";     Dump Version: {}.{}-{}\n", h.version_major, h.version_minor,
                     h.version_rev);
  out += fmt::format(";     Format: {}\n", archive_format_name(h.format));
  out += fmt::format(";     Integer: {} bytes\n", h.int_size);
  out += fmt::format(";     Offset: {} bytes\n", h.offset_size);
  out += fmt::format(";     Dumped from database version: {}\n", h.server_version);
  out += fmt::format(";     Dumped by pg_dump version: {}\n", h.pg_dump_version);
  out += ";\n;\n; Selected TOC Entries:\n;\n";
  for (const TocEntry& te : toc.entries) {
    if (!listed_by_pg_restore(te)) continue;
    out += list_line(te);
    out += '\n';
  }
  return out;
}

std::string list_line(const TocEntry& te) {
  return fmt::format("{}; {} {} {} {} {} {}", te.dump_id, te.table_oid, te.oid, te.desc,
                     sanitize(te.namespace_name.value_or(""), true), sanitize(te.tag, false),
                     sanitize(te.owner, false));
}

}  // namespace pgshuttle::archive
