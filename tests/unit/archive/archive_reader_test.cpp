// The custom-format reader against archives pg_dump 15 wrote
// (tests/data/archive/*.dump, from a database with a schema whose name
// contains a newline, a sequence, an index, a comment and large objects).
#include <gtest/gtest.h>

#include "rig/rig.h"

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

std::string pg_restore_list(const std::string& path) {
  SubprocessOptions o;
  o.argv = {"pg_restore", "-l", path};
  o.capture_stdout = true;
  auto out = run_and_capture(o);
  EXPECT_TRUE(out.ok()) << out.error().to_string();
  return out.ok() ? *out : "";
}

class ReaderOnFile : public ::testing::TestWithParam<std::string> {};

TEST_P(ReaderOnFile, ListingEqualsPgRestore) {
  std::string path = data_path(GetParam());
  auto toc = parse_toc(rig::read_file(path));
  ASSERT_TRUE(toc.ok()) << toc.error().to_string();
  EXPECT_EQ(toc->header.version_minor, 14);
  EXPECT_EQ(toc->header.dbname, "arch_unit");
  std::string ours = rig::toc_entry_lines(list_toc(*toc));
  EXPECT_FALSE(ours.empty());
  EXPECT_EQ(ours, rig::toc_entry_lines(pg_restore_list(path)));
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

INSTANTIATE_TEST_SUITE_P(Pg15, ReaderOnFile,
                         ::testing::Values("small_gzip.dump", "small_none.dump"));

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

}  // namespace
}  // namespace pgshuttle::archive
