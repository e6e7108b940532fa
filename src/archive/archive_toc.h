// ArchiveToc: the header and table of contents of a pg_dump archive, as
// written by pg_dump 12 to 17 (archive format versions 1.14 to 1.16; older
// 1.x headers are read where the layout is known). This is pgshuttle's one
// model of an archive's TOC: restore's selection, its parallel plan and the
// list handed to `pg_restore -L` are all made from it.
//
// The custom format (pg_dump -Fc) holds the TOC at the start of the file;
// the tar format (-Ft) holds the same bytes as its first member, toc.dat;
// the directory format (-Fd) as the file toc.dat. They differ only in what
// ends each entry: the custom format's data offset, the others' file name.
//
// Layout: "PGDMP", version (3 bytes), int size, offset size, format, the
// compression (an int level before 1.15, an algorithm byte from 1.15), the
// creation time, database name and server/pg_dump versions, then the TOC:
// a count and one entry per dumpable object. Each entry ends with a data
// offset field (a state byte and an offSize-byte little-endian position) that
// pg_dump fills in only when it can seek back over its output; backup patches
// it in place (offset_field_pos) when it streams to a sink that cannot seek.
//
// Parsing never trusts lengths: truncated or corrupt input gives an Error
// with ErrorCode::kArchive whose context names the byte offset and TOC entry.
//
// Thread safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.h"
#include "storage/byte_source.h"

namespace pgshuttle::archive {

enum class Compression { kNone, kGzip, kLz4, kZstd };
std::string_view compression_name(Compression c);

enum class Section { kNone = 1, kPreData = 2, kData = 3, kPostData = 4 };
std::string_view section_name(Section s);

enum class OffsetState { kNotSet = 1, kSet = 2, kNoData = 3 };

// The format byte of the header (pg_backup_archiver.h's ArchiveFormat).
enum class ArchiveFormat { kCustom = 1, kTar = 3, kDirectory = 5 };
std::string_view archive_format_name(ArchiveFormat f);

struct ArchiveHeader {
  int version_major = 0, version_minor = 0, version_rev = 0;
  int int_size = 4;
  int offset_size = 8;
  ArchiveFormat format = ArchiveFormat::kCustom;
  Compression compression = Compression::kNone;
  int compression_level = 0;  // before 1.15: the level pg_dump recorded (-1 = default)
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;  // local time of pg_dump
  std::string dbname;
  std::string server_version;
  std::string pg_dump_version;

  // (major << 16) | (minor << 8) | rev, comparable with version_code(1, 15).
  int version() const { return (version_major << 16) | (version_minor << 8) | version_rev; }
};

constexpr int version_code(int major, int minor, int rev = 0) {
  return (major << 16) | (minor << 8) | rev;
}

struct TocEntry {
  int dump_id = 0;
  bool had_dumper = false;  // true for entries with a data block (TABLE DATA, BLOBS)
  uint32_t table_oid = 0;
  uint32_t oid = 0;
  std::string tag;   // object name ("orders", "public", "LARGE OBJECT 16401")
  std::string desc;  // object kind ("TABLE", "TABLE DATA", "INDEX", "BLOBS", ...)
  Section section = Section::kNone;
  std::string defn;       // CREATE statement(s)
  std::string drop_stmt;  // DROP statement(s)
  std::string copy_stmt;  // "COPY public.t (a, b) FROM stdin;\n" for TABLE DATA
  std::optional<std::string> namespace_name;
  std::optional<std::string> tablespace;
  std::optional<std::string> table_am;
  int relkind = 0;  // from format 1.16 (pg_dump 17): 'r', 'p', ... ; 0 when absent
  std::string owner;
  std::vector<int> dependencies;                  // dump ids this entry depends on
  OffsetState data_state = OffsetState::kNoData;  // custom format only
  uint64_t data_offset = 0;                       // byte offset of the data block when kSet
  uint64_t offset_field_pos = 0;  // where this entry's offset field starts in the file
  std::string data_file;          // tar and directory formats: "1234.dat", or empty
};

// An entry that defines a relation: TABLE, VIEW, MATERIALIZED VIEW,
// FOREIGN TABLE or SEQUENCE (its tag is the relation's name).
bool defines_relation(const TocEntry& e);
// An entry that carries a relation's rows or value: TABLE DATA,
// SEQUENCE SET or MATERIALIZED VIEW DATA (tagged with the relation's name).
bool carries_relation_data(const TocEntry& e);

struct ArchiveToc {
  ArchiveHeader header;
  std::vector<TocEntry> entries;
  uint64_t toc_end = 0;  // byte offset just past the TOC (the first data block)

  // True for a custom-format archive whose every entry with data has its
  // offset set (random access works).
  bool data_offsets_present() const;
  const TocEntry* find(int dump_id) const;
};

// Parses the header and TOC at the start of `bytes`. Returns std::nullopt
// when `bytes` is a valid but incomplete prefix (more input is needed), an
// Error (kArchive) when the bytes cannot be a custom-format archive.
Result<std::optional<ArchiveToc>> try_parse_toc(std::string_view bytes);

// Like try_parse_toc, but an incomplete prefix is an error ("truncated").
Result<ArchiveToc> parse_toc(std::string_view bytes);

// Reads the header and TOC from the start of `source`, fetching more bytes
// until the TOC is complete.
Result<ArchiveToc> read_toc(storage::ByteSource& source);

// Reads the TOC of a tar-format archive: its first member must be toc.dat.
Result<ArchiveToc> read_tar_toc(storage::ByteSource& source);

// The encoded offset field (state byte + offset_size bytes) for a data block
// at `offset`, for patching an entry's offset_field_pos.
std::string encode_offset_field(const ArchiveHeader& header, uint64_t offset);

// The listing `pg_restore -l` prints: ';' comment lines describing the
// archive, then list_line() per entry that pg_restore would restore, in
// archive order.
std::string list_toc(const ArchiveToc& toc);

// "ID; TABLEOID OID DESC SCHEMA NAME OWNER" without the newline: one entry
// as `pg_restore -l` prints it and `pg_restore -L` reads it (by its ID).
std::string list_line(const TocEntry& entry);

// Whether pg_restore -l shows `entry` (same rules as pg_restore without options).
bool listed_by_pg_restore(const TocEntry& entry);

}  // namespace pgshuttle::archive
