// LoadPolicy on the shared task pool with fake workers: a split load's
// sessions count against the workers, so nothing else runs beside it.
#include "restore/load_policy.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>

namespace pgshuttle::restore {
namespace {

using archive::Section;
using archive::TocEntry;

class Meter : public ReadMeter {
 public:
  int64_t reads() const override { return 0; }
  int64_t read_wait_ns() const override { return 0; }
};

// Runs a task for a few milliseconds and records what ran beside it.
class FakeWorker : public exec::Worker {
 public:
  FakeWorker(const RestorePlan& plan, std::atomic<int>& sessions, std::atomic<int>& most)
      : plan_(plan), sessions_(sessions), most_(most) {}
  Status run(exec::TaskId task, int) override {
    int now = sessions_ += plan_.jobs[task].sessions;
    int seen = most_.load();
    while (now > seen && !most_.compare_exchange_weak(seen, now)) {
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(30));
    sessions_ -= plan_.jobs[task].sessions;
    return ok_status();
  }

 private:
  const RestorePlan& plan_;
  std::atomic<int>& sessions_;
  std::atomic<int>& most_;
};

RestorePlan tables(int n) {
  RestorePlan plan;
  for (int i = 0; i < n; ++i) {
    RestoreJob j;
    j.kind = JobKind::kTableData;
    j.data_bytes = static_cast<uint64_t>(1000 - i);
    j.label = "TABLE DATA t" + std::to_string(i);
    plan.jobs.push_back(j);
  }
  return plan;
}

// Target sessions at once, at most, running `plan` on two workers.
int most_sessions(const RestorePlan& plan) {
  std::atomic<int> sessions{0}, most{0};
  Meter m0, m1;
  FakeWorker w0(plan, sessions, most), w1(plan, sessions, most);
  LoadPolicy policy(plan, {&m0, &m1}, exec::steady_clock().now());
  exec::PoolOptions o;
  o.cancelled = [] { return false; };
  o.tick = std::chrono::milliseconds(5);
  exec::PoolOutcome out = exec::run_tasks(task_graph(plan), {&w0, &w1}, policy, o);
  EXPECT_FALSE(out.error.has_value());
  EXPECT_EQ(out.done, plan.jobs.size());
  return most.load();
}

TEST(LoadPolicy, TwoWorkersRunTwoLoadsAtOnce) { EXPECT_EQ(most_sessions(tables(6)), 2); }

TEST(LoadPolicy, NothingRunsBesideALoadSplitAcrossBothSessions) {
  RestorePlan plan = tables(6);
  plan.jobs[0].sessions = 2;
  EXPECT_EQ(most_sessions(plan), 2) << "a third session was opened beside the split load";
  // Split, but not the first one picked: it waits until nothing runs.
  RestorePlan later = tables(6);
  later.jobs[3].sessions = 2;
  EXPECT_EQ(most_sessions(later), 2) << "the split load started beside another load";
}

}  // namespace
}  // namespace pgshuttle::restore
