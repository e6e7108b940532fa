// Test hook: PGSHUTTLE_TEST_CHUNK_DELAY_MS slows every chunk a restore
// streams (into COPY, or into pg_restore's stdin) so that an integration
// test can kill or cancel a restore mid-table on a small database. Unset in
// normal use.
//
// Thread safety: read once, then constant.
#pragma once

#include <chrono>
#include <cstdlib>
#include <thread>

namespace pgshuttle::restore {

inline std::chrono::milliseconds test_chunk_delay_setting() {
  static const std::chrono::milliseconds delay([] {
    const char* v = std::getenv("PGSHUTTLE_TEST_CHUNK_DELAY_MS");
    return v ? std::atoi(v) : 0;
  }());
  return delay;
}

inline void test_chunk_delay() {
  if (test_chunk_delay_setting().count() > 0)
    std::this_thread::sleep_for(test_chunk_delay_setting());
}

}  // namespace pgshuttle::restore
