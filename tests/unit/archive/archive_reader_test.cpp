// The archive reader against archives pg_dump 13, 15 and 17 wrote
// (tests/data/archive/, made by make-fixtures.sh from a database with a
// schema whose name contains a newline, a sequence, an index, a comment and
// large objects): custom format with every compression each writes (format
// 1.14 and 1.16; gzip, lz4, zstd, none), and the tar format.
#include <gtest/gtest.h>

#include "rig/rig.h"

#include <filesystem>
#include <fstream>
#include <sstream>

#include "archive/archive_toc.h"
#include "archive/block_scanner.h"
#include "archive/data_block.h"
#include "core/subprocess.h"
#include "storage/storage.h"

namespace pgshuttle::archive {
namespace {

std::string data_path(const std::string& name) {
  return std::string(PGSHUTTLE_TESTDATA) + "/archive/" + name;
}

// The pg_restore of `major` (the installed 15, or tests/rig/pg-build.sh's).
std::string pg_restore_of(int major) {
  if (major <= 15) return "pg_restore";
  return "/var/cache/pgshuttle/pg-" + std::to_string(major) + "/install/bin/pg_restore";
}

// The major of pg_dump that wrote fixture `name` ("v17_lz4.dump" -> 17;
// the older small_*.dump files are 15's).
int fixture_major(const std::string& name) {
  return name[0] == 'v' ? std::stoi(name.substr(1, 2)) : 15;
}

std::string pg_restore_list(const std::string& path, int major = 15) {
  SubprocessOptions o;
  o.argv = {pg_restore_of(major), "-l", path};
  o.capture_stdout = true;
  auto out = run_and_capture(o);
  EXPECT_TRUE(out.ok()) << out.error().to_string();
  return out.ok() ? *out : "";
}

class ReaderOnFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ReaderOnFile, ListingEqualsPgRestore) {
  std::string path = data_path(GetParam());
  int major = fixture_major(GetParam());
  auto toc = parse_toc(rig::read_file(path));
  ASSERT_TRUE(toc.ok()) << toc.error().to_string();
  EXPECT_EQ(toc->header.version_minor, major >= 17 ? 16 : 14);
  EXPECT_EQ(toc->header.format, ArchiveFormat::kCustom);
  EXPECT_EQ(toc->header.dbname, "arch_unit");
  std::string name = GetParam();
  Compression expected = name.find("none") != std::string::npos   ? Compression::kNone
                         : name.find("lz4") != std::string::npos  ? Compression::kLz4
                         : name.find("zstd") != std::string::npos ? Compression::kZstd
                                                                  : Compression::kGzip;
  EXPECT_EQ(toc->header.compression, expected);
  if (!std::filesystem::exists(pg_restore_of(major)) && major > 15) {
    GTEST_SKIP() << "no pg_restore " << major << " (tests/rig/pg-build.sh " << major << ")";
  }
  std::string ours = rig::toc_entry_lines(list_toc(*toc));
  EXPECT_FALSE(ours.empty());
  EXPECT_EQ(ours, rig::toc_entry_lines(pg_restore_list(path, major)));
}

TEST_P(ReaderOnFile, TableDataDecompressesToCopyText) {
  std::string path = data_path(GetParam());
  auto source = storage::open_source(path);
  ASSERT_TRUE(source.ok());
  auto toc = read_toc(**source);
  ASSERT_TRUE(toc.ok()) << toc.error().to_string();
  const TocEntry* data = nullptr;
  for (const auto& te : toc->entries) {
    if (te.desc == "TABLE DATA" && te.tag == "t") data = &te;
  }
  ASSERT_NE(data, nullptr);
  EXPECT_EQ(data->copy_stmt, "COPY public.t (id, name) FROM stdin;\n");
  ASSERT_TRUE(toc->data_offsets_present());
  auto text = read_table_data(**source, *toc, *data);
  ASSERT_TRUE(text.ok()) << text.error().to_string();
  EXPECT_EQ(text->substr(0, 8), "1\trow 1\n");
  EXPECT_NE(text->find("500\trow 500\n"), std::string::npos);
  // pg_dump stores the COPY terminator with the data.
  EXPECT_EQ(text->substr(text->size() - 5), "\\.\n\n\n");
}

TEST_P(ReaderOnFile, LargeObjectsReadBack) {
  auto source = storage::open_source(data_path(GetParam()));
  ASSERT_TRUE(source.ok());
  auto toc = read_toc(**source);
  ASSERT_TRUE(toc.ok());
  const TocEntry* blobs = nullptr;
  for (const auto& te : toc->entries) {
    if (te.desc == "BLOBS") blobs = &te;
  }
  ASSERT_NE(blobs, nullptr);
  auto block = DataBlockReader::open(**source, *toc, *blobs);
  ASSERT_TRUE(block.ok()) << block.error().to_string();
  ASSERT_EQ(block->kind(), BlockKind::kLargeObjects);
  std::vector<std::string> contents;
  for (;;) {
    auto oid = block->next_large_object();
    ASSERT_TRUE(oid.ok()) << oid.error().to_string();
    if (!*oid) break;
    auto bytes = block->read_all();
    ASSERT_TRUE(bytes.ok());
    contents.push_back(*bytes);
  }
  ASSERT_EQ(contents.size(), 2u);
  EXPECT_EQ(contents[0], "hello large object");
  EXPECT_EQ(contents[1].size(), 30000u);
}

INSTANTIATE_TEST_SUITE_P(EveryPgDump, ReaderOnFile,
                         ::testing::Values("small_gzip.dump", "small_none.dump", "v13_gzip.dump",
                                           "v13_none.dump", "v15_gzip.dump", "v15_none.dump",
                                           "v17_gzip.dump", "v17_lz4.dump", "v17_zstd.dump",
                                           "v17_none.dump"),
                         [](const auto& info) {
                           std::string n = info.param;
                           return n.substr(0, n.find('.'));
                         });

// The tar format's TOC is its first member, toc.dat: the same entries as
// pg_restore lists, each naming its data file instead of an offset.
class TarToc : public ::testing::TestWithParam<std::string> {};

TEST_P(TarToc, ListingEqualsPgRestoreAndEntriesNameTheirFiles) {
  std::string path = data_path(GetParam());
  int major = fixture_major(GetParam());
  auto source = storage::open_source(path);
  ASSERT_TRUE(source.ok());
  auto toc = read_tar_toc(**source);
  ASSERT_TRUE(toc.ok()) << toc.error().to_string();
  EXPECT_EQ(toc->header.format, ArchiveFormat::kTar);
  EXPECT_FALSE(toc->data_offsets_present());
  bool table_data = false;
  for (const auto& te : toc->entries) {
    if (te.desc != "TABLE DATA") continue;
    table_data = true;
    EXPECT_EQ(te.data_file, std::to_string(te.dump_id) + ".dat");
  }
  EXPECT_TRUE(table_data);
  if (!std::filesystem::exists(pg_restore_of(major)) && major > 15) {
    GTEST_SKIP() << "no pg_restore " << major;
  }
  EXPECT_EQ(rig::toc_entry_lines(list_toc(*toc)),
            rig::toc_entry_lines(pg_restore_list(path, major)));
  // A custom-format archive is no tar archive.
  auto custom = storage::open_source(data_path("small_gzip.dump"));
  ASSERT_TRUE(custom.ok());
  EXPECT_FALSE(read_tar_toc(**custom).ok());
}

INSTANTIATE_TEST_SUITE_P(EveryPgDump, TarToc, ::testing::Values("v13.tar", "v15.tar", "v17.tar"),
                         [](const auto& info) { return info.param.substr(0, 3); });

TEST(Reader, StreamedArchiveHasNoOffsetsAndScannerFindsThem) {
  std::string streamed = rig::read_file(data_path("small_stream.dump"));
  std::string seekable = rig::read_file(data_path("small_none.dump"));
  auto toc = parse_toc(streamed);
  ASSERT_TRUE(toc.ok());
  EXPECT_FALSE(toc->data_offsets_present());
  BlockScanner scanner(toc->header, toc->toc_end);
  // Feed in odd-sized pieces so integers straddle feeds.
  std::string_view rest = std::string_view(streamed).substr(toc->toc_end);
  while (!rest.empty()) {
    size_t n = std::min<size_t>(7, rest.size());
    ASSERT_TRUE(scanner.feed(rest.substr(0, n)).ok());
    rest.remove_prefix(n);
  }
  ASSERT_TRUE(scanner.finish().ok());
  std::string patched = streamed;
  for (const auto& block : scanner.blocks()) {
    const TocEntry* te = toc->find(block.dump_id);
    ASSERT_NE(te, nullptr);
    patched.replace(te->offset_field_pos, toc->header.offset_size + 1,
                    encode_offset_field(toc->header, block.offset));
  }
  // pg_dump's own seekable file differs only in its timestamp bytes, if at all.
  auto fixed = parse_toc(patched);
  auto reference = parse_toc(seekable);
  ASSERT_TRUE(fixed.ok() && reference.ok());
  EXPECT_TRUE(fixed->data_offsets_present());
  ASSERT_EQ(fixed->entries.size(), reference->entries.size());
  for (size_t i = 0; i < fixed->entries.size(); ++i) {
    EXPECT_EQ(fixed->entries[i].data_state, reference->entries[i].data_state);
    EXPECT_EQ(fixed->entries[i].data_offset, reference->entries[i].data_offset);
  }
}

TEST(Reader, EveryTruncationIsAnArchiveErrorWithOffset) {
  std::string bytes = rig::read_file(data_path("small_gzip.dump"));
  auto full = parse_toc(bytes);
  ASSERT_TRUE(full.ok());
  for (size_t n = 0; n < full->toc_end; n += 3) {
    auto toc = parse_toc(std::string_view(bytes).substr(0, n));
    ASSERT_FALSE(toc.ok()) << n;
    EXPECT_EQ(toc.error().code, ErrorCode::kArchive);
    EXPECT_NE(toc.error().context.find("byte offset"), std::string::npos);
  }
}

TEST(Reader, CorruptionNamesTheEntry) {
  std::string bytes = rig::read_file(data_path("small_gzip.dump"));
  auto full = parse_toc(bytes);
  ASSERT_TRUE(full.ok());
  const TocEntry& third = full->entries[2];
  bytes[third.offset_field_pos] = 9;  // impossible offset state
  auto toc = parse_toc(bytes);
  ASSERT_FALSE(toc.ok());
  EXPECT_NE(toc.error().context.find("TOC entry 3"), std::string::npos) << toc.error().context;
  EXPECT_NE(toc.error().context.find(std::to_string(third.offset_field_pos)), std::string::npos);
  EXPECT_FALSE(parse_toc("PGDMX").ok());
  EXPECT_FALSE(parse_toc("not an archive at all").ok());
}

TEST(Reader, CorruptDataBlockIsAnError) {
  std::string bytes = rig::read_file(data_path("small_gzip.dump"));
  auto toc = parse_toc(bytes);
  ASSERT_TRUE(toc.ok());
  for (const auto& te : toc->entries) {
    if (te.desc != "TABLE DATA" || te.tag != "t") continue;
    std::string broken = bytes;
    for (size_t i = te.data_offset + 12; i < te.data_offset + 40; ++i) broken[i] ^= 0x5a;
    std::string path = ::testing::TempDir() + "/broken.dump";
    std::ofstream(path, std::ios::binary) << broken;
    auto source = storage::open_source(path);
    ASSERT_TRUE(source.ok());
    auto text = read_table_data(**source, *toc, te);
    ASSERT_FALSE(text.ok());
    EXPECT_EQ(text.error().code, ErrorCode::kArchive);
  }
}

// The large objects of `path` read through a reader that knows the block's
// extent (`extent`, 0: unknown), as restore reads them; the first error.
Error first_large_object_error(const std::string& path, const ArchiveToc& toc,
                               const TocEntry& blobs, uint64_t extent) {
  auto source = storage::open_source(path);
  if (!source.ok()) return source.error();
  auto stream = (*source)->open_stream_range(blobs.data_offset, extent);
  if (!stream.ok()) return stream.error();
  auto block = DataBlockReader::from_stream(std::move(*stream), toc.header, blobs.dump_id,
                                            blobs.data_offset, extent);
  if (!block.ok()) return block.error();
  for (;;) {
    auto oid = block->next_large_object();
    if (!oid.ok()) return oid.error();
    if (!*oid) return make_error(ErrorCode::kInternal, "no error");
    auto bytes = block->read_all();
    if (!bytes.ok()) return bytes.error();
  }
}

// A damaged chunk length inside a complete large-object block is named as
// a damaged block, not as a cut-short archive; an archive really cut short
// inside the block says where it ends.
TEST(Reader, ADamagedLargeObjectLengthIsNotTakenForATruncation) {
  std::string bytes = rig::read_file(data_path("small_none.dump"));
  auto toc = parse_toc(bytes);
  ASSERT_TRUE(toc.ok());
  const TocEntry* blobs = nullptr;
  for (const auto& te : toc->entries) {
    if (te.desc == "BLOBS") blobs = &te;
  }
  ASSERT_NE(blobs, nullptr);
  uint64_t end = bytes.size();
  for (const auto& te : toc->entries) {
    if (te.data_state == OffsetState::kSet && te.data_offset > blobs->data_offset) {
      end = std::min<uint64_t>(end, te.data_offset);
    }
  }
  const uint64_t extent = end - blobs->data_offset;
  // type byte, dump id, first oid (each int: a sign byte and int_size bytes),
  // then the first chunk's length: made 1 MB, far past the block.
  const size_t width = static_cast<size_t>(toc->header.int_size) + 1;
  const size_t length_at = blobs->data_offset + 1 + 2 * width;
  std::string damaged = bytes;
  damaged[length_at] = 0;
  damaged[length_at + 1] = 0;
  damaged[length_at + 2] = 0;
  damaged[length_at + 3] = 0x10;  // little-endian 0x00100000
  damaged[length_at + 4] = 0;
  std::string path = ::testing::TempDir() + "/damaged_lo.dump";
  std::ofstream(path, std::ios::binary) << damaged;
  Error e = first_large_object_error(path, *toc, *blobs, extent);
  EXPECT_EQ(e.code, ErrorCode::kArchive) << e.to_string();
  EXPECT_NE(e.message.find("the data block is damaged"), std::string::npos) << e.message;
  EXPECT_NE(e.message.find("reaches past the block's end at byte " + std::to_string(end)),
            std::string::npos)
      << e.message;
  EXPECT_EQ(e.message.find("archive ends"), std::string::npos) << e.message;

  // The same archive cut in the middle of the block.
  std::string cut_path = ::testing::TempDir() + "/cut_lo.dump";
  std::ofstream(cut_path, std::ios::binary) << bytes.substr(0, blobs->data_offset + extent / 2);
  Error cut = first_large_object_error(cut_path, *toc, *blobs, extent);
  EXPECT_EQ(cut.code, ErrorCode::kArchive) << cut.to_string();
  EXPECT_NE(
      cut.message.find("archive ends at byte " + std::to_string(blobs->data_offset + extent / 2) +
                       " inside a data block that extends to byte " + std::to_string(end)),
      std::string::npos)
      << cut.message;
}

}  // namespace
}  // namespace pgshuttle::archive
