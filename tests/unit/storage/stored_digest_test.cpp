// digest_stored: the SHA-256 read back with parallel ranged reads equals the
// hash of the whole file, for sizes around the range size; a source that
// fails or is shorter than it says gives an error, never a wrong hash.
#include "storage/stored_digest.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>

#include "core/cancel.h"
#include "storage/crypto.h"
#include "storage/storage.h"

namespace pgshuttle::storage {
namespace {

namespace fs = std::filesystem;

std::string random_bytes(size_t n, unsigned seed) {
  std::mt19937 gen(seed);
  std::string out(n, '\0');
  for (auto& c : out) c = static_cast<char>(gen() & 0xff);
  return out;
}

class StoredDigestTest : public ::testing::Test {
 protected:
  std::string write_file(const std::string& bytes) {
    fs::path p = fs::path(::testing::TempDir()) /
                 ("digest" + std::to_string(::getpid()) + "_" + std::to_string(files_++));
    std::ofstream(p, std::ios::binary) << bytes;
    paths_.push_back(p);
    return p.string();
  }
  void TearDown() override {
    for (const auto& p : paths_) fs::remove(p);
  }
  int files_ = 0;
  std::vector<fs::path> paths_;
};

TEST_F(StoredDigestTest, EqualsTheHashOfTheWholeFileForEverySplit) {
  const uint64_t range = 1000;
  for (size_t size : {0ul, 1ul, 999ul, 1000ul, 1001ul, 7777ul, 64000ul}) {
    std::string bytes = random_bytes(size, static_cast<unsigned>(size));
    auto source = storage::open_source(write_file(bytes));
    ASSERT_TRUE(source.ok()) << source.error().to_string();
    for (int parallel : {1, 3, 8}) {
      auto d = digest_stored(**source, {parallel, range, {}});
      ASSERT_TRUE(d.ok()) << d.error().to_string();
      EXPECT_EQ(d->sha256, storage::sha256_hex(bytes)) << size << " bytes, " << parallel;
      EXPECT_EQ(d->bytes, size);
    }
  }
}

TEST_F(StoredDigestTest, KnownValueOfAnEmptySource) {
  auto source = storage::open_source(write_file(""));
  ASSERT_TRUE(source.ok());
  auto d = digest_stored(**source);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(d->sha256, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}

TEST(Sha256StreamTest, PiecesHashLikeTheWhole) {
  std::string bytes = random_bytes(10000, 7);
  Sha256Stream s;
  for (size_t i = 0; i < bytes.size(); i += 333) s.update(std::string_view(bytes).substr(i, 333));
  EXPECT_EQ(s.finish(), storage::sha256_hex(bytes));
}

// A source whose reads fail at one offset, or that claims more bytes than it
// has: the faults a flaky store can produce after an upload.
class FaultySource : public storage::ByteSource {
 public:
  FaultySource(std::string bytes, uint64_t claimed, uint64_t fail_at)
      : bytes_(std::move(bytes)), claimed_(claimed), fail_at_(fail_at) {}
  Result<uint64_t> size() override { return claimed_; }
  Result<std::unique_ptr<storage::ByteStream>> open_stream(uint64_t) override {
    return make_error(ErrorCode::kInternal, "not used");
  }
  Result<std::string> read_range(uint64_t offset, uint64_t length) override {
    if (offset == fail_at_) return make_error(ErrorCode::kStorage, "connection reset");
    if (offset >= bytes_.size()) return std::string();
    return bytes_.substr(offset, length);
  }
  std::string describe() const override { return "faulty"; }

 private:
  std::string bytes_;
  uint64_t claimed_;
  uint64_t fail_at_;
};

TEST(StoredDigestFaultTest, AFailedRangeIsAnError) {
  FaultySource source(random_bytes(5000, 1), 5000, 2000);
  auto d = digest_stored(source, {3, 1000, {}});
  ASSERT_FALSE(d.ok());
  EXPECT_EQ(d.error().code, ErrorCode::kStorage);
  EXPECT_NE(d.error().message.find("connection reset"), std::string::npos);
}

TEST(StoredDigestFaultTest, AnObjectShorterThanItsSizeIsAnError) {
  FaultySource source(random_bytes(4500, 2), 6000, UINT64_MAX);
  auto d = digest_stored(source, {2, 1000, {}});
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.error().message.find("shorter than its size"), std::string::npos)
      << d.error().message;
}

// Ctrl-C or `pgshuttle cancel` (the process-wide flag a TransferRun sets):
// in a child process, since the flag cannot be cleared.
TEST(StoredDigestFaultTest, CancelStopsTheReadBack) {
  EXPECT_EXIT(
      {
        FaultySource source(random_bytes(50000, 3), 50000, UINT64_MAX);
        request_cancel();
        auto d = digest_stored(source, {2, 1000});
        std::_Exit(!d.ok() && d.error().code == ErrorCode::kCancelled ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace pgshuttle::storage
