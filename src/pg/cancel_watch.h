// CancelWatch: makes a coordinating session's long statement stop when the
// process is cancelled. Worker sessions run in the task pool
// (exec/task_pool.h), whose watcher cancels them; a command's own sessions
// (verify's catalog queries, a copy's coordinator) are outside it, and a
// statement waiting on a lock would otherwise wait on after Ctrl-C or
// `pgshuttle cancel`. While a CancelWatch lives, a thread looks at
// cancelled() every 100 ms and, once it is true, asks the server to cancel
// whatever the watched sessions run (and again each second, for a
// statement started after the first request). The statement then fails with
// ErrorCode::kCancelled (pg/connection.cpp maps 57014 during a cancel).
//
// Thread safety: construct and destroy on one thread; the sessions must
// outlive the watch. cancel_running() is libpq's thread-safe PQcancel.
#pragma once

#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

#include "pg/connection.h"

namespace pgshuttle::pg {

class CancelWatch {
 public:
  explicit CancelWatch(std::vector<Connection*> sessions);
  ~CancelWatch();
  CancelWatch(const CancelWatch&) = delete;
  CancelWatch& operator=(const CancelWatch&) = delete;

 private:
  void watch();

  std::vector<Connection*> sessions_;
  std::mutex mu_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace pgshuttle::pg
