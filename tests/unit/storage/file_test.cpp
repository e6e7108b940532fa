// FileSink (temp file, rename on commit, nothing left on abort, overwrite)
// and FileSource (size, streams, ranges) through the factories.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "storage/storage.h"

namespace pgshuttle::storage {
namespace {

namespace fs = std::filesystem;

fs::path fresh_dir() {
  fs::path d = fs::path(::testing::TempDir()) / ("filetest" + std::to_string(::getpid()));
  fs::remove_all(d);
  fs::create_directories(d);
  return d;
}

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

TEST(FileSinkTest, CommitRenamesAndOverwritePatches) {
  fs::path dir = fresh_dir(), target = dir / "out.dump";
  auto sink = open_sink(target.string());
  ASSERT_TRUE(sink.ok());
  ASSERT_TRUE((*sink)->write("hello ").ok());
  ASSERT_TRUE((*sink)->write("world").ok());
  EXPECT_FALSE(fs::exists(target));  // nothing visible before commit
  EXPECT_TRUE((*sink)->seekable());
  ASSERT_TRUE((*sink)->overwrite(0, "J").ok());
  EXPECT_FALSE((*sink)->overwrite(10, "xx").ok());  // beyond what was written
  EXPECT_EQ((*sink)->bytes_written(), 11u);
  ASSERT_TRUE((*sink)->commit().ok());
  EXPECT_EQ(slurp(target), "Jello world");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 1);
}

// A dump holds every row: readable by its owner only, even under the usual
// umask 022 (it was chmod'ed 0644 explicitly), and never wider than a
// stricter umask allows.
TEST(FileSinkTest, CommittedFileIsPrivateWhateverTheUmask) {
  fs::path dir = fresh_dir();
  for (mode_t mask : {mode_t{022}, mode_t{077}, mode_t{0277}}) {
    mode_t old = ::umask(mask);
    fs::path target = dir / ("umask" + std::to_string(mask) + ".dump");
    auto sink = open_sink(target.string());
    ASSERT_TRUE(sink.ok());
    ASSERT_TRUE((*sink)->write("rows").ok());
    ASSERT_TRUE((*sink)->commit().ok());
    ::umask(old);
    struct stat st {};
    ASSERT_EQ(::stat(target.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600 & ~mask) << "umask " << std::oct << mask;
  }
}

TEST(FileSinkTest, AbortAndDestructionLeaveNothing) {
  fs::path dir = fresh_dir();
  {
    auto sink = open_sink((dir / "a.dump").string());
    ASSERT_TRUE((*sink)->write("partial").ok());
    (*sink)->abort();
  }
  {
    auto sink = open_sink((dir / "b.dump").string());
    ASSERT_TRUE((*sink)->write("partial").ok());
  }
  EXPECT_TRUE(fs::is_empty(dir));
}

// Existing::kRefuse: an existing file is refused when the sink opens, and
// a file that appears while the sink writes survives its commit (the
// no-replace rename), with no temp file left either way.
TEST(FileSinkTest, RefuseNeverReplacesAFile) {
  fs::path dir = fresh_dir(), target = dir / "out.dump";
  std::ofstream(target) << "earlier backup";
  auto refused = open_sink(target.string(), {}, Existing::kRefuse);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().code, ErrorCode::kExists);
  EXPECT_NE(refused.error().hint.find("--force"), std::string::npos);

  fs::path later = dir / "later.dump";
  auto sink = open_sink(later.string(), {}, Existing::kRefuse);
  ASSERT_TRUE(sink.ok()) << sink.error().to_string();
  ASSERT_TRUE((*sink)->write("new bytes").ok());
  std::ofstream(later) << "another writer";  // appears before the commit
  Status st = (*sink)->commit();
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kExists);
  EXPECT_EQ(slurp(later), "another writer");
  EXPECT_EQ(slurp(target), "earlier backup");
  EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator()), 2);

  auto replacing = open_sink(target.string(), {}, Existing::kReplace);
  ASSERT_TRUE(replacing.ok());
  ASSERT_TRUE((*replacing)->write("forced").ok());
  ASSERT_TRUE((*replacing)->commit().ok());
  EXPECT_EQ(slurp(target), "forced");
}

TEST(FileSourceTest, SizeStreamAndRanges) {
  fs::path dir = fresh_dir(), file = dir / "in.bin";
  std::string data;
  for (int i = 0; i < 100000; ++i) data.push_back(static_cast<char>(i * 7));
  std::ofstream(file, std::ios::binary) << data;
  auto src = open_source(file.string());
  ASSERT_TRUE(src.ok());
  EXPECT_EQ(*(*src)->size(), data.size());
  EXPECT_EQ(*(*src)->read_range(99990, 100), data.substr(99990));
  EXPECT_EQ(*(*src)->read_range(5, 3), data.substr(5, 3));
  auto stream = (*src)->open_stream(50000);
  ASSERT_TRUE(stream.ok());
  std::string got, buf(4096, '\0');
  for (size_t n; (n = *(*stream)->read(buf.data(), buf.size())) > 0;) got.append(buf.data(), n);
  EXPECT_EQ(got, data.substr(50000));
  auto missing = open_source((dir / "nope").string());
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().code, ErrorCode::kNotFound);
}

TEST(OpenSinkTest, HttpIsNotASink) {
  auto s = open_sink("https://example.com/x");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kUsage);
}

}  // namespace
}  // namespace pgshuttle::storage
