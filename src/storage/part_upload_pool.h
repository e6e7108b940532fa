// PartUploadPool: a fixed set of threads that run multipart part uploads.
// Long-lived threads keep their (thread-local) HTTP connections open between
// parts, which saves a TCP + TLS handshake per part.
//
// Thread safety: submit() from one thread; tasks run on the pool's threads.
// The destructor waits for queued tasks to finish.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <future>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/result.h"

namespace pgshuttle::storage {

class PartUploadPool {
 public:
  using Task = std::packaged_task<Result<std::string>()>;

  explicit PartUploadPool(int threads);
  ~PartUploadPool();
  PartUploadPool(const PartUploadPool&) = delete;
  PartUploadPool& operator=(const PartUploadPool&) = delete;

  // Queues `work`; the future holds its result.
  std::future<Result<std::string>> submit(std::function<Result<std::string>()> work);

 private:
  void run();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Task> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace pgshuttle::storage
