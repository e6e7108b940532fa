// Clock: the time seam of the task pool and the retry rule. Production code
// uses steady_clock(); unit tests pass a fake whose sleeps return at once
// and advance its time, so backoff and sampling policies are tested without
// waiting.
//
// Thread safety: steady_clock() is safe from any thread; a fake must be
// made so by the test that writes it.
#pragma once

#include <chrono>
#include <functional>

namespace pgshuttle::exec {

class Clock {
 public:
  using time_point = std::chrono::steady_clock::time_point;
  virtual ~Clock() = default;
  virtual time_point now() const = 0;
  // Sleeps `d`, returning early once `wake()` is true (checked often enough
  // that a cancelled run stops waiting within about 50 ms).
  virtual void sleep_for(std::chrono::milliseconds d, const std::function<bool()>& wake) = 0;
};

// The process's monotonic clock.
Clock& steady_clock();

}  // namespace pgshuttle::exec
