// The one retry rule of pgshuttle's database work: which failures a new
// session may cure, how often to try, and how long to wait in between.
// The task pool (task_pool.h) applies it to every task; work outside a
// pool (copy's coordinating session) applies it through retry().
//
// Thread safety: pure functions; retry() runs on the calling thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <string_view>

#include "core/result.h"
#include "exec/clock.h"

namespace pgshuttle::exec {

struct RetryPolicy {
  int max_attempts = 4;                        // the first try included
  std::chrono::milliseconds first_delay{500};  // doubles after each failure
  // When set, only failures of this side (kSource or kTarget) are retried:
  // work that holds a snapshot cannot replace its source session.
  std::optional<ErrorCode> only_side;

  // The wait after failed attempt `attempt` (1-based): 500 ms, 1 s, 2 s, ...
  std::chrono::milliseconds delay_after(int attempt) const;

  // Whether failed attempt `attempt` (1-based) is tried again.
  bool tries_again(const Error& e, int attempt) const;
};

// True for a database failure a new session may cure: the session was lost
// (Error::connection_lost), the backend was terminated or the server is
// restarting (57P01, 57P02, 57P03), any connection exception (class 08), a
// serialization failure or a deadlock (40001, 40P01). Everything else (a
// constraint violation, a syntax error, a row count that does not match, a
// failure of pgshuttle's own checks) fails at once.
bool is_transient(const Error& e);

// Runs `attempt_fn(attempt)` (attempt counts from 1) until it succeeds, fails
// with a cause is_transient() rejects, `cancelled()` turns true, or the
// policy's attempts are used up; logs each retry as "<what>: retrying ...".
// `retries`, when given, is incremented once per retry.
Status retry(const RetryPolicy& policy, Clock& clock, std::string_view what,
             const std::function<Status(int attempt)>& attempt_fn,
             const std::function<bool()>& cancelled, int64_t* retries = nullptr);

}  // namespace pgshuttle::exec
