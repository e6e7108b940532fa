// libFuzzer target: the custom-format reader must reject any input cleanly.
// Parses the TOC, lists it, scans the bytes after it as data blocks, and
// decompresses every block the TOC points at.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "archive/archive_toc.h"
#include "archive/block_scanner.h"
#include "archive/data_block.h"

namespace {

// A ByteSource over the fuzz input.
class MemorySource final : public pgshuttle::storage::ByteSource {
 public:
  explicit MemorySource(std::string_view data) : data_(data) {}
  pgshuttle::Result<uint64_t> size() override { return static_cast<uint64_t>(data_.size()); }
  pgshuttle::Result<std::unique_ptr<pgshuttle::storage::ByteStream>> open_stream(
      uint64_t offset) override {
    return std::unique_ptr<pgshuttle::storage::ByteStream>(
        std::make_unique<Stream>(offset < data_.size() ? data_.substr(offset) : ""));
  }
  pgshuttle::Result<std::string> read_range(uint64_t offset, uint64_t length) override {
    if (offset >= data_.size()) return std::string();
    return std::string(data_.substr(offset, length));
  }
  std::string describe() const override { return "fuzz input"; }

 private:
  class Stream final : public pgshuttle::storage::ByteStream {
   public:
    explicit Stream(std::string_view rest) : rest_(rest) {}
    pgshuttle::Result<size_t> read(char* buffer, size_t size) override {
      size_t n = std::min(size, rest_.size());
      std::copy(rest_.begin(), rest_.begin() + static_cast<long>(n), buffer);
      rest_.remove_prefix(n);
      return n;
    }

   private:
    std::string_view rest_;
  };
  std::string_view data_;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  auto toc = pgshuttle::archive::parse_toc(bytes);
  if (!toc.ok()) return 0;
  (void)pgshuttle::archive::list_toc(*toc);
  pgshuttle::archive::BlockScanner scanner(toc->header, toc->toc_end);
  if (scanner.feed(bytes.substr(toc->toc_end)).ok()) (void)scanner.finish();
  MemorySource source(bytes);
  for (const auto& te : toc->entries) {
    if (te.data_state != pgshuttle::archive::OffsetState::kSet) continue;
    auto block = pgshuttle::archive::DataBlockReader::open(source, *toc, te);
    if (!block.ok()) continue;
    if (block->kind() == pgshuttle::archive::BlockKind::kTableData) {
      (void)block->read_all();
      continue;
    }
    for (int i = 0; i < 64; ++i) {
      auto oid = block->next_large_object();
      if (!oid.ok() || !*oid) break;
      (void)block->read_all();
    }
  }
  return 0;
}
