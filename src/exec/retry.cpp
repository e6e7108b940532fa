#include "exec/retry.h"

#include "core/log.h"

namespace pgshuttle::exec {

std::chrono::milliseconds RetryPolicy::delay_after(int attempt) const {
  int shift = attempt < 1 ? 0 : (attempt > 16 ? 15 : attempt - 1);
  return first_delay * (1 << shift);
}

bool RetryPolicy::tries_again(const Error& e, int attempt) const {
  if (attempt >= max_attempts || !is_transient(e)) return false;
  return !only_side || e.code == *only_side;
}

bool is_transient(const Error& e) {
  if (e.code != ErrorCode::kSource && e.code != ErrorCode::kTarget) return false;
  if (e.connection_lost) return true;
  const std::string& s = e.sqlstate;
  return s.rfind("08", 0) == 0 || s == "57P01" || s == "57P02" || s == "57P03" || s == "40001" ||
         s == "40P01";
}

Status retry(const RetryPolicy& policy, Clock& clock, std::string_view what,
             const std::function<Status(int attempt)>& attempt_fn,
             const std::function<bool()>& cancelled, int64_t* retries) {
  for (int attempt = 1;; ++attempt) {
    Status st = attempt_fn(attempt);
    if (st.ok()) return st;
    if (cancelled && cancelled()) return make_error(ErrorCode::kCancelled, "cancelled");
    if (!policy.tries_again(st.error(), attempt)) return st;
    auto delay = policy.delay_after(attempt);
    log::warn("{}: retrying on a new session (attempt {} of {}, in {} ms): {}", what, attempt + 1,
              policy.max_attempts, delay.count(), st.error().message);
    if (retries != nullptr) ++*retries;
    clock.sleep_for(delay, cancelled);
    // Cancelled while waiting: no new session, no further attempt.
    if (cancelled && cancelled()) return make_error(ErrorCode::kCancelled, "cancelled");
  }
}

}  // namespace pgshuttle::exec
