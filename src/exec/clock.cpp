#include "exec/clock.h"

#include <algorithm>
#include <thread>

namespace pgshuttle::exec {
namespace {

class SteadyClock final : public Clock {
 public:
  time_point now() const override { return std::chrono::steady_clock::now(); }
  void sleep_for(std::chrono::milliseconds d, const std::function<bool()>& wake) override {
    constexpr std::chrono::milliseconds kSlice{50};
    auto end = now() + d;
    while (!(wake && wake())) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(end - now());
      if (left.count() <= 0) return;
      std::this_thread::sleep_for(std::min(left, kSlice));
    }
  }
};

}  // namespace

Clock& steady_clock() {
  static SteadyClock clock;
  return clock;
}

}  // namespace pgshuttle::exec
