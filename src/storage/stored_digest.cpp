#include "storage/stored_digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "core/cancel.h"
#include "storage/crypto.h"

namespace pgshuttle::storage {
namespace {

// Ranges fetched by worker threads, handed to the hashing thread in order.
// Workers never run more than `window` ranges ahead of the hasher.
class OrderedRanges {
 public:
  OrderedRanges(storage::ByteSource& source, uint64_t size, const DigestOptions& o)
      : source_(source),
        size_(size),
        range_(std::max<uint64_t>(o.range_size, 1)),
        count_((size + range_ - 1) / range_),
        window_(2 * static_cast<uint64_t>(std::max(o.parallel, 1))) {
    int threads = static_cast<int>(std::min<uint64_t>(std::max(o.parallel, 1), count_));
    for (int i = 0; i < threads; ++i) workers_.emplace_back([this] { work(); });
  }
  ~OrderedRanges() {
    {
      std::lock_guard lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : workers_) t.join();
  }
  OrderedRanges(const OrderedRanges&) = delete;
  OrderedRanges& operator=(const OrderedRanges&) = delete;

  uint64_t count() const { return count_; }

  // The bytes of range `index`, which must be the one after the last taken.
  Result<std::string> take(uint64_t index) {
    std::unique_lock lock(mu_);
    cv_.wait(lock, [&] { return ready_.count(index) > 0; });
    auto node = ready_.extract(index);
    taken_ = index + 1;
    lock.unlock();
    cv_.notify_all();
    return std::move(node.mapped());
  }

 private:
  void work() {
    for (;;) {
      uint64_t index = 0;
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stop_ || next_ >= count_ || next_ < taken_ + window_; });
        if (stop_ || next_ >= count_) return;
        index = next_++;
      }
      uint64_t offset = index * range_;
      uint64_t length = std::min(range_, size_ - offset);
      auto bytes = source_.read_range(offset, length);
      if (bytes.ok() && bytes->size() != length) {
        bytes = make_error(ErrorCode::kStorage,
                           source_.describe() + " is shorter than its size: got " +
                               std::to_string(bytes->size()) + " of " + std::to_string(length) +
                               " bytes at offset " + std::to_string(offset));
      }
      {
        std::lock_guard lock(mu_);
        ready_.emplace(index, std::move(bytes));
      }
      cv_.notify_all();
    }
  }

  storage::ByteSource& source_;
  const uint64_t size_;
  const uint64_t range_;
  const uint64_t count_;
  const uint64_t window_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::map<uint64_t, Result<std::string>> ready_;
  uint64_t next_ = 0;   // the next range a worker claims
  uint64_t taken_ = 0;  // ranges the hasher has taken
  bool stop_ = false;
  std::vector<std::thread> workers_;
};

}  // namespace

struct Sha256Stream::Context {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> md{EVP_MD_CTX_new(), EVP_MD_CTX_free};
};

Sha256Stream::Sha256Stream() : ctx_(std::make_unique<Context>()) {
  EVP_DigestInit_ex(ctx_->md.get(), EVP_sha256(), nullptr);
}

Sha256Stream::~Sha256Stream() = default;

void Sha256Stream::update(std::string_view bytes) {
  EVP_DigestUpdate(ctx_->md.get(), bytes.data(), bytes.size());
}

std::string Sha256Stream::finish() {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  EVP_DigestFinal_ex(ctx_->md.get(), digest, &length);
  return storage::to_hex(std::string_view(reinterpret_cast<char*>(digest), length));
}

Result<StoredDigest> digest_stored(storage::ByteSource& source, const DigestOptions& options) {
  PGS_ASSIGN_OR_RETURN(uint64_t size, source.size());
  Sha256Stream hash;
  OrderedRanges ranges(source, size, options);
  for (uint64_t i = 0; i < ranges.count(); ++i) {
    if (cancelled()) {
      return make_error(ErrorCode::kCancelled, "checksum cancelled");
    }
    PGS_ASSIGN_OR_RETURN(std::string bytes, ranges.take(i));
    hash.update(bytes);
    if (options.on_hashed) options.on_hashed(bytes.size());
  }
  return StoredDigest{hash.finish(), size};
}

}  // namespace pgshuttle::storage
