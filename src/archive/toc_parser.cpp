// Parsing of the custom-format header and TOC (see archive_toc.h).
#include <algorithm>

#include "archive/archive_toc.h"
#include "archive/byte_reader.h"

namespace pgshuttle::archive {
namespace {

constexpr int64_t kMaxTocEntries = 50'000'000;

Error archive_error(std::string message, uint64_t offset, std::string entry = {}) {
  Error e = make_error(ErrorCode::kArchive, std::move(message),
                       "check that the file is a complete pg_dump -Fc archive (not truncated "
                       "by an interrupted upload or download)");
  e.context = "byte offset " + std::to_string(offset);
  if (!entry.empty()) e.context += ", " + entry;
  return e;
}

// What a failed reader means: nullopt (need more bytes) or a corruption error.
Result<std::optional<ArchiveToc>> reader_failure(const ByteReader& r, std::string entry) {
  if (r.outcome() == ReadOutcome::kNeedMore) return std::optional<ArchiveToc>{};
  return archive_error(r.problem(), r.problem_offset(), std::move(entry));
}

// Header fields pg_dump writes as ints; a corrupt archive may hold anything.
int small_int(int64_t v) { return static_cast<int>(std::clamp<int64_t>(v, -100000, 100000)); }

int64_t read_int(ByteReader& r, int int_size) {
  int64_t v = 0;
  r.integer(int_size, v);
  return v;
}

std::string read_string(ByteReader& r, int int_size) {
  std::optional<std::string> s;
  r.str(int_size, s);
  return s.value_or("");
}

// Magic, version, sizes, format and compression.
bool read_header_start(ByteReader& r, ArchiveHeader& h) {
  std::string_view magic;
  if (!r.raw(5, magic)) return false;
  if (magic != "PGDMP") {
    r.fail("not a pg_dump custom-format archive (no PGDMP signature)");
    return false;
  }
  uint8_t vmaj = 0, vmin = 0, vrev = 0, isz = 0, osz = 0, fmt = 0;
  if (!r.byte(vmaj) || !r.byte(vmin) || !r.byte(vrev) || !r.byte(isz) || !r.byte(osz) ||
      !r.byte(fmt))
    return false;
  h.version_major = vmaj;
  h.version_minor = vmin;
  h.version_rev = vrev;
  if (vmaj != 1 || vmin < 10 || vmin > 16) {
    r.fail("unsupported archive format version " + std::to_string(vmaj) + "." +
           std::to_string(vmin) + " (pgshuttle reads 1.10 to 1.16: pg_dump 9.0 to 17)");
    return false;
  }
  if (isz < 1 || isz > 32 || osz < 1 || osz > 32) {
    r.fail("implausible integer or offset size in header");
    return false;
  }
  h.int_size = isz;
  h.offset_size = osz;
  if (fmt != static_cast<uint8_t>(ArchiveFormat::kCustom) &&
      fmt != static_cast<uint8_t>(ArchiveFormat::kTar) &&
      fmt != static_cast<uint8_t>(ArchiveFormat::kDirectory)) {
    r.fail("archive format " + std::to_string(fmt) + " is not one pg_dump writes (-Fc, -Ft, -Fd)");
    return false;
  }
  h.format = static_cast<ArchiveFormat>(fmt);
  if (h.version() >= version_code(1, 15)) {
    uint8_t algorithm = 0;
    if (!r.byte(algorithm)) return false;
    if (algorithm > 3) {
      r.fail("unknown compression algorithm " + std::to_string(algorithm));
      return false;
    }
    h.compression = static_cast<Compression>(algorithm);
  } else {
    int64_t level = read_int(r, isz);
    if (!r.ok()) return false;
    h.compression_level = static_cast<int>(std::clamp<int64_t>(level, -1, 100));
    h.compression = level != 0 ? Compression::kGzip : Compression::kNone;
  }
  return true;
}

bool read_header(ByteReader& r, ArchiveHeader& h) {
  if (!read_header_start(r, h)) return false;
  int isz = h.int_size;
  int64_t sec = read_int(r, isz), min = read_int(r, isz), hour = read_int(r, isz);
  int64_t mday = read_int(r, isz), mon = read_int(r, isz), year = read_int(r, isz);
  read_int(r, isz);  // isdst
  h.second = small_int(sec);
  h.minute = small_int(min);
  h.hour = small_int(hour);
  h.day = small_int(mday);
  h.month = small_int(mon) + 1;
  h.year = small_int(year) + 1900;
  h.dbname = read_string(r, isz);
  h.server_version = read_string(r, isz);
  h.pg_dump_version = read_string(r, isz);
  return r.ok();
}

bool parse_oid(const std::string& text, uint32_t& out) {
  if (text.empty() || text.size() > 10) return text.empty();
  uint64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  if (v > UINT32_MAX) return false;
  out = static_cast<uint32_t>(v);
  return true;
}

bool read_dependencies(ByteReader& r, int isz, TocEntry& te) {
  for (;;) {
    std::optional<std::string> dep;
    if (!r.str(isz, dep)) return false;
    if (!dep) return true;
    uint32_t id = 0;
    if (!parse_oid(*dep, id) || id > INT32_MAX) {
      r.fail("invalid dependency \"" + dep->substr(0, 20) + "\"");
      return false;
    }
    te.dependencies.push_back(static_cast<int>(id));
  }
}

bool read_entry_strings(ByteReader& r, const ArchiveHeader& h, TocEntry& te) {
  int isz = h.int_size;
  te.defn = read_string(r, isz);
  te.drop_stmt = read_string(r, isz);
  te.copy_stmt = read_string(r, isz);
  r.str(isz, te.namespace_name);
  r.str(isz, te.tablespace);
  if (h.version() >= version_code(1, 14)) r.str(isz, te.table_am);
  if (h.version() >= version_code(1, 16)) te.relkind = small_int(read_int(r, isz));
  te.owner = read_string(r, isz);
  std::string with_oids = read_string(r, isz);
  if (!r.ok()) return false;
  if (with_oids == "true") {
    r.fail("table dumped WITH OIDS, which PostgreSQL 12 and later cannot restore");
    return false;
  }
  return read_dependencies(r, isz, te);
}

bool read_entry(ByteReader& r, const ArchiveHeader& h, TocEntry& te) {
  int isz = h.int_size;
  int64_t id = read_int(r, isz);
  int64_t had_dumper = read_int(r, isz);
  if (!r.ok()) return false;
  if (id <= 0 || id > INT32_MAX) {
    r.fail("invalid dump id " + std::to_string(id));
    return false;
  }
  te.dump_id = static_cast<int>(id);
  te.had_dumper = had_dumper != 0;
  std::string table_oid = read_string(r, isz), oid = read_string(r, isz);
  te.tag = read_string(r, isz);
  te.desc = read_string(r, isz);
  int64_t section = read_int(r, isz);
  if (!r.ok()) return false;
  if (!parse_oid(table_oid, te.table_oid) || !parse_oid(oid, te.oid)) {
    r.fail("invalid catalog oid");
    return false;
  }
  if (section < 1 || section > 4) {
    r.fail("invalid section " + std::to_string(section));
    return false;
  }
  te.section = static_cast<Section>(section);
  if (!read_entry_strings(r, h, te)) return false;
  te.offset_field_pos = r.offset();
  if (h.format != ArchiveFormat::kCustom) {
    std::optional<std::string> file;
    if (!r.str(isz, file)) return false;
    te.data_file = file.value_or("");
    te.data_state = te.data_file.empty() ? OffsetState::kNoData : OffsetState::kNotSet;
    return true;
  }
  uint8_t state = 0;
  if (!r.offset_field(h.offset_size, state, te.data_offset)) return false;
  if (state < 1 || state > 3) {
    r.fail_at(te.offset_field_pos, "invalid data offset state " + std::to_string(state));
    return false;
  }
  te.data_state = static_cast<OffsetState>(state);
  return true;
}

std::string entry_label(const TocEntry& te, int64_t index) {
  std::string s = "TOC entry " + std::to_string(index + 1);
  if (te.dump_id > 0) s += " (dump id " + std::to_string(te.dump_id);
  if (!te.desc.empty()) s += ", " + te.desc + " " + te.tag;
  if (te.dump_id > 0) s += ")";
  return s;
}

}  // namespace

Result<std::optional<ArchiveToc>> try_parse_toc(std::string_view bytes) {
  ByteReader r(bytes);
  ArchiveToc toc;
  if (!read_header(r, toc.header)) return reader_failure(r, "archive header");
  int64_t count = read_int(r, toc.header.int_size);
  if (!r.ok()) return reader_failure(r, "TOC entry count");
  if (count < 0 || count > kMaxTocEntries) {
    return archive_error("invalid TOC entry count " + std::to_string(count), r.offset());
  }
  toc.entries.reserve(static_cast<size_t>(std::min<int64_t>(count, 4096)));
  for (int64_t i = 0; i < count; ++i) {
    TocEntry te;
    if (!read_entry(r, toc.header, te)) return reader_failure(r, entry_label(te, i));
    toc.entries.push_back(std::move(te));
  }
  toc.toc_end = r.offset();
  return std::optional<ArchiveToc>(std::move(toc));
}

Result<ArchiveToc> parse_toc(std::string_view bytes) {
  PGS_ASSIGN_OR_RETURN(auto toc, try_parse_toc(bytes));
  if (!toc) {
    return archive_error("archive truncated inside its table of contents", bytes.size());
  }
  return std::move(*toc);
}

Result<ArchiveToc> read_toc(storage::ByteSource& source) {
  PGS_ASSIGN_OR_RETURN(uint64_t size, source.size());
  uint64_t want = 256 * 1024;
  for (;;) {
    uint64_t length = std::min(want, size);
    PGS_ASSIGN_OR_RETURN(std::string prefix, source.read_range(0, length));
    PGS_ASSIGN_OR_RETURN(auto toc, try_parse_toc(prefix));
    if (toc) return std::move(*toc);
    if (length >= size) {
      return archive_error("archive truncated inside its table of contents", length)
          .with_context(source.describe());
    }
    want *= 4;
  }
}

namespace {

// The size field of a ustar header: octal digits, space or NUL padded.
std::optional<uint64_t> tar_member_size(std::string_view header) {
  std::string_view field = header.substr(124, 12);
  uint64_t size = 0;
  bool digits = false;
  for (char c : field) {
    if (c == ' ' && !digits) continue;
    if (c < '0' || c > '7') break;
    size = size * 8 + static_cast<uint64_t>(c - '0');
    digits = true;
  }
  return digits ? std::optional<uint64_t>(size) : std::nullopt;
}

}  // namespace

Result<ArchiveToc> read_tar_toc(storage::ByteSource& source) {
  constexpr uint64_t kTarBlock = 512;
  PGS_ASSIGN_OR_RETURN(uint64_t size, source.size());
  if (size < kTarBlock) {
    return archive_error("too short for a tar archive", size).with_context(source.describe());
  }
  PGS_ASSIGN_OR_RETURN(std::string header, source.read_range(0, kTarBlock));
  std::string_view name(header.data(), std::min<size_t>(100, header.find('\0')));
  auto member = tar_member_size(header);
  if (name != "toc.dat" || !member) {
    return archive_error("a pg_dump tar archive starts with toc.dat; this one does not", 0)
        .with_context(source.describe());
  }
  if (kTarBlock + *member > size) {
    return archive_error("archive truncated inside its table of contents", size)
        .with_context(source.describe());
  }
  PGS_ASSIGN_OR_RETURN(std::string bytes, source.read_range(kTarBlock, *member));
  PGS_ASSIGN_OR_RETURN(ArchiveToc toc, parse_toc(bytes));
  if (toc.header.format != ArchiveFormat::kTar) {
    return archive_error("toc.dat of a tar archive does not say it is the tar format", kTarBlock)
        .with_context(source.describe());
  }
  return toc;
}

std::string encode_offset_field(const ArchiveHeader& header, uint64_t offset) {
  std::string out(static_cast<size_t>(header.offset_size) + 1, '\0');
  out[0] = static_cast<char>(OffsetState::kSet);
  for (int i = 0; i < header.offset_size && i < 8; ++i) {
    out[static_cast<size_t>(i) + 1] = static_cast<char>((offset >> (8 * i)) & 0xff);
  }
  return out;
}

bool ArchiveToc::data_offsets_present() const {
  if (header.format != ArchiveFormat::kCustom) return false;
  return std::all_of(entries.begin(), entries.end(), [](const TocEntry& te) {
    return !te.had_dumper || te.data_state != OffsetState::kNotSet;
  });
}

bool defines_relation(const TocEntry& e) {
  return e.desc == "TABLE" || e.desc == "VIEW" || e.desc == "MATERIALIZED VIEW" ||
         e.desc == "FOREIGN TABLE" || e.desc == "SEQUENCE";
}

bool carries_relation_data(const TocEntry& e) {
  return e.desc == "TABLE DATA" || e.desc == "SEQUENCE SET" || e.desc == "MATERIALIZED VIEW DATA";
}

const TocEntry* ArchiveToc::find(int dump_id) const {
  for (const auto& te : entries) {
    if (te.dump_id == dump_id) return &te;
  }
  return nullptr;
}

}  // namespace pgshuttle::archive
