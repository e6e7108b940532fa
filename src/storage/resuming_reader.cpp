#include "storage/resuming_reader.h"

#include <condition_variable>
#include <cstring>
#include <deque>
#include <mutex>
#include <thread>

#include "core/cancel.h"
#include "core/log.h"

namespace pgshuttle::storage {
namespace {

constexpr int kMaxResumes = 8;

class ResumingStream : public ByteStream {
 public:
  ResumingStream(RangeGet get, uint64_t size, uint64_t offset) {
    worker_ = std::thread([this, get = std::move(get), size, offset] {
      Status s = fetch_resuming(get, offset, size, [this](std::string_view chunk) {
        std::unique_lock lock(mu_);
        space_.wait(lock, [&] { return closed_ || buffered_ < kStreamBuffer; });
        if (closed_) return false;
        chunks_.emplace_back(chunk);
        buffered_ += chunk.size();
        ready_.notify_one();
        return true;
      });
      std::lock_guard lock(mu_);
      if (!s.ok() && !closed_) error_ = s.error();
      done_ = true;
      ready_.notify_one();
    });
  }

  ~ResumingStream() override {
    {
      std::lock_guard lock(mu_);
      closed_ = true;
      space_.notify_all();
    }
    worker_.join();
  }

  Result<size_t> read(char* buffer, size_t size) override {
    std::unique_lock lock(mu_);
    ready_.wait(lock, [&] { return !chunks_.empty() || done_; });
    if (chunks_.empty()) {
      if (error_) return *error_;
      return size_t{0};
    }
    size_t n = 0;
    while (n < size && !chunks_.empty()) {
      std::string& front = chunks_.front();
      size_t take = std::min(size - n, front.size() - front_pos_);
      std::memcpy(buffer + n, front.data() + front_pos_, take);
      n += take;
      front_pos_ += take;
      if (front_pos_ == front.size()) {
        buffered_ -= front.size();
        chunks_.pop_front();
        front_pos_ = 0;
      }
    }
    space_.notify_one();
    return n;
  }

 private:
  std::mutex mu_;
  std::condition_variable ready_, space_;
  std::deque<std::string> chunks_;
  size_t front_pos_ = 0;
  size_t buffered_ = 0;
  bool done_ = false, closed_ = false;
  std::optional<Error> error_;
  std::thread worker_;
};

}  // namespace

Status fetch_resuming(const RangeGet& get, uint64_t offset, uint64_t end, const DataSink& sink) {
  uint64_t pos = offset;
  int fruitless = 0;
  while (pos < end) {
    uint64_t before = pos;
    Status s = get(pos, end - 1, [&](std::string_view chunk) {
      if (chunk.size() > end - pos) chunk = chunk.substr(0, end - pos);
      pos += chunk.size();
      return sink(chunk);
    });
    if (pos >= end) return ok_status();
    if (cancelled()) return make_error(ErrorCode::kCancelled, "download cancelled");
    bool progressed = pos > before;
    if (!s.ok() && !progressed) return s;
    if (!progressed && ++fruitless >= kMaxResumes) {
      return make_error(ErrorCode::kStorage,
                        "the download stopped at byte " + std::to_string(pos) + " of " +
                            std::to_string(end) + " and does not resume",
                        "check the network and the server; run the command again");
    }
    if (progressed) fruitless = 0;
    log::warn("connection dropped at byte {} of {}; resuming with a Range request", pos, end);
  }
  return ok_status();
}

Result<std::string> read_range_resuming(const RangeGet& get, uint64_t size, uint64_t offset,
                                        uint64_t length) {
  std::string out;
  if (offset >= size) return out;
  uint64_t end = std::min(size, offset + length);
  out.reserve(end - offset);
  PGS_TRY(fetch_resuming(get, offset, end, [&](std::string_view chunk) {
    out.append(chunk);
    return true;
  }));
  return out;
}

std::unique_ptr<ByteStream> open_resuming_stream(RangeGet get, uint64_t size, uint64_t offset) {
  return std::make_unique<ResumingStream>(std::move(get), size, offset);
}

}  // namespace pgshuttle::storage
