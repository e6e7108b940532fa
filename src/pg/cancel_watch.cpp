#include "pg/cancel_watch.h"

#include <chrono>

#include "core/cancel.h"

namespace pgshuttle::pg {

CancelWatch::CancelWatch(std::vector<Connection*> sessions) : sessions_(std::move(sessions)) {
  thread_ = std::thread([this] { watch(); });
}

CancelWatch::~CancelWatch() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void CancelWatch::watch() {
  using namespace std::chrono_literals;
  std::unique_lock lock(mu_);
  auto next_request = std::chrono::steady_clock::time_point{};
  while (!wake_.wait_for(lock, 100ms, [this] { return stop_; })) {
    if (!cancelled() || std::chrono::steady_clock::now() < next_request) continue;
    // PQcancel is a network round trip: not under the lock the destructor takes.
    lock.unlock();
    for (Connection* c : sessions_) c->cancel_running();
    lock.lock();
    next_request = std::chrono::steady_clock::now() + 1s;
  }
}

}  // namespace pgshuttle::pg
