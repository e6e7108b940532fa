// The task pool and the retry rule with fake tasks and a fake clock: order,
// dependencies, resource conflicts, retries and their backoff, failures,
// cancellation, a policy that holds tasks back.
#include "exec/task_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <map>
#include <mutex>
#include <thread>

namespace pgshuttle::exec {
namespace {

using namespace std::chrono_literals;

// Sleeps return at once and advance the clock; each sleep is recorded.
class FakeClock : public Clock {
 public:
  time_point now() const override {
    std::lock_guard lock(mu_);
    return now_;
  }
  void sleep_for(std::chrono::milliseconds d, const std::function<bool()>&) override {
    std::lock_guard lock(mu_);
    now_ += d;
    sleeps_.push_back(d);
  }
  std::vector<std::chrono::milliseconds> sleeps() const {
    std::lock_guard lock(mu_);
    return sleeps_;
  }

 private:
  mutable std::mutex mu_;
  time_point now_{};
  std::vector<std::chrono::milliseconds> sleeps_;
};

// Runs tasks by calling a shared script; records starts and ends.
struct Journal {
  std::mutex mu;
  std::vector<std::pair<char, TaskId>> events;  // 's' start, 'e' end
  std::map<TaskId, int> attempts;
  void add(char what, TaskId id) {
    std::lock_guard lock(mu);
    events.push_back({what, id});
  }
  size_t position(char what, TaskId id) {
    std::lock_guard lock(mu);
    for (size_t i = 0; i < events.size(); ++i) {
      if (events[i] == std::make_pair(what, id)) return i;
    }
    return SIZE_MAX;
  }
};

class ScriptWorker : public Worker {
 public:
  using Script = std::function<Status(TaskId, int)>;
  ScriptWorker(Journal& j, Script s) : j_(j), script_(std::move(s)) {}
  Status run(TaskId task, int attempt) override {
    j_.add('s', task);
    {
      std::lock_guard lock(j_.mu);
      j_.attempts[task] = attempt;
    }
    Status st = script_ ? script_(task, attempt) : ok_status();
    j_.add('e', task);
    return st;
  }
  void reset() override { ++resets; }
  void cancel() override { ++cancels; }
  std::atomic<int> resets{0}, cancels{0};

 private:
  Journal& j_;
  Script script_;
};

Error target_error(std::string sqlstate, bool lost = false) {
  Error e = make_error(ErrorCode::kTarget, "target server: trouble");
  e.sqlstate = std::move(sqlstate);
  e.connection_lost = lost;
  return e;
}

PoolOptions fake_options(FakeClock& clock, std::atomic<bool>* cancel = nullptr) {
  PoolOptions o;
  o.clock = &clock;
  o.tick = 5ms;
  o.cancelled = [cancel] { return cancel != nullptr && cancel->load(); };
  return o;
}

TEST(RetryRule, TransientCausesAreTypedNotGuessed) {
  EXPECT_TRUE(is_transient(target_error("", true)));
  EXPECT_TRUE(is_transient(target_error("57P01")));
  EXPECT_TRUE(is_transient(target_error("08006")));
  EXPECT_TRUE(is_transient(target_error("40P01")));
  EXPECT_TRUE(is_transient(target_error("40001")));
  // An empty SQLSTATE is pgshuttle's own finding (a row count that does
  // not match), not a lost connection: never retried.
  EXPECT_FALSE(is_transient(target_error("")));
  EXPECT_FALSE(is_transient(target_error("23505")));
  Error storage = make_error(ErrorCode::kStorage, "x");
  storage.connection_lost = true;
  EXPECT_FALSE(is_transient(storage));
}

TEST(RetryRule, BackoffDoublesFromHalfASecond) {
  RetryPolicy p;
  EXPECT_EQ(p.delay_after(1), 500ms);
  EXPECT_EQ(p.delay_after(2), 1000ms);
  EXPECT_EQ(p.delay_after(3), 2000ms);
}

TEST(RetryRule, RetryStopsAtTheFirstSuccessAndCountsRetries) {
  FakeClock clock;
  int calls = 0;
  int64_t retries = 0;
  Status st = retry(
      RetryPolicy{}, clock, "coordinator",
      [&](int) -> Status {
        ++calls;
        if (calls < 3) return target_error("57P01");
        return ok_status();
      },
      [] { return false; }, &retries);
  EXPECT_TRUE(st.ok());
  EXPECT_EQ(calls, 3);
  EXPECT_EQ(retries, 2);
  EXPECT_EQ(clock.sleeps(), (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
}

TEST(RetryRule, RetryGivesUpAfterMaxAttempts) {
  FakeClock clock;
  int calls = 0;
  Status st = retry(
      RetryPolicy{}, clock, "x",
      [&](int) -> Status {
        ++calls;
        return target_error("", true);
      },
      [] { return false; });
  ASSERT_FALSE(st.ok());
  EXPECT_TRUE(st.error().connection_lost);
  EXPECT_EQ(calls, 4);
}

// Ctrl-C during the wait before a retry: no new session is opened and the
// step is not run again (a retried step may be long and never look at the
// cancel itself).
TEST(RetryRule, ACancelDuringTheWaitEndsTheRetries) {
  struct CancellingClock : FakeClock {
    bool cancel = false;
    void sleep_for(std::chrono::milliseconds d, const std::function<bool()>& wake) override {
      FakeClock::sleep_for(d, wake);
      cancel = true;  // Ctrl-C arrives while the rule waits
    }
  } clock;
  int calls = 0;
  Status st = retry(
      RetryPolicy{}, clock, "x",
      [&](int) -> Status {
        ++calls;
        return target_error("", true);
      },
      [&] { return clock.cancel; });
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kCancelled);
  EXPECT_EQ(calls, 1);
}

TEST(TaskPool, DependenciesFinishFirst) {
  TaskGraph g;
  TaskId a = g.add({"a"});
  TaskId b = g.add({"b"});
  TaskId c = g.add({"c", {a, b}});
  TaskId d = g.add({"d", {c}});
  Journal j;
  FakeClock clock;
  ScriptWorker w1(j, nullptr), w2(j, nullptr), w3(j, nullptr);
  Policy policy;
  auto out = run_tasks(g, {&w1, &w2, &w3}, policy, fake_options(clock));
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.done, 4u);
  EXPECT_LT(j.position('e', a), j.position('s', c));
  EXPECT_LT(j.position('e', b), j.position('s', c));
  EXPECT_LT(j.position('e', c), j.position('s', d));
}

TEST(TaskPool, OneWorkerTakesPriorityThenWeightThenOrder) {
  TaskGraph g;
  g.add({"low", {}, 0, 100});
  g.add({"high-light", {}, 2, 1});
  g.add({"high-heavy", {}, 2, 9});
  g.add({"mid", {}, 1, 0});
  g.add({"high-light-2", {}, 2, 1});
  Journal j;
  FakeClock clock;
  ScriptWorker w(j, nullptr);
  Policy policy;
  auto out = run_tasks(g, {&w}, policy, fake_options(clock));
  ASSERT_EQ(out.done, 5u);
  std::vector<TaskId> starts;
  for (auto& [what, id] : j.events) {
    if (what == 's') starts.push_back(id);
  }
  EXPECT_EQ(starts, (std::vector<TaskId>{2, 1, 4, 3, 0}));
}

TEST(TaskPool, ExclusiveTasksNeverOverlapOnASharedResource) {
  // Two loads of table 1, an exclusive ALTER on table 1, and a load of table
  // 2; with four workers, the ALTER must never run beside a table-1 task.
  TaskGraph g;
  for (int round = 0; round < 20; ++round) {
    g.add({"load-1", {}, 0, 0, {1}});
    g.add({"alter-1", {}, 0, 0, {1}, true});
    g.add({"load-2", {}, 0, 0, {2}});
  }
  std::atomic<int> on_table1{0}, exclusive_on_table1{0};
  std::atomic<bool> overlap{false};
  Journal j;
  auto script = [&](TaskId id, int) -> Status {
    bool alter = id % 3 == 1, table1 = id % 3 != 2;
    if (!table1) return ok_status();
    if (alter) ++exclusive_on_table1;
    ++on_table1;
    if (exclusive_on_table1 > 0 && on_table1 > 1) overlap = true;
    std::this_thread::sleep_for(1ms);
    --on_table1;
    if (alter) --exclusive_on_table1;
    return ok_status();
  };
  ScriptWorker w1(j, script), w2(j, script), w3(j, script), w4(j, script);
  FakeClock clock;
  Policy policy;
  auto out = run_tasks(g, {&w1, &w2, &w3, &w4}, policy, fake_options(clock));
  EXPECT_EQ(out.done, 60u);
  EXPECT_FALSE(overlap);
}

TEST(TaskPool, TransientFailuresAreRetriedWithBackoffOnAResetWorker) {
  TaskGraph g;
  TaskId a = g.add({"load orders"});
  Journal j;
  ScriptWorker w(j, [](TaskId, int attempt) -> Status {
    if (attempt < 3) return target_error("57P01");
    return ok_status();
  });
  FakeClock clock;
  Policy policy;
  auto out = run_tasks(g, {&w}, policy, fake_options(clock));
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.retries, 2);
  EXPECT_EQ(j.attempts[a], 3);
  EXPECT_GE(w.resets.load(), 2);
  EXPECT_EQ(clock.sleeps(), (std::vector<std::chrono::milliseconds>{500ms, 1000ms}));
}

TEST(TaskPool, AFailureWithoutATransientCauseIsNotRetriedAndStopsNewTasks) {
  // The defect this replaces: an error without SQLSTATE (restore's own
  // row-count check) was retried four times as if a connection were lost.
  TaskGraph g;
  TaskId a = g.add({"load orders", {}, 1});
  g.add({"index on orders", {a}});
  Journal j;
  ScriptWorker w(j, [](TaskId id, int) -> Status {
    if (id == 0) return make_error(ErrorCode::kTarget, "loaded 3 rows, the archive holds 4");
    return ok_status();
  });
  FakeClock clock;
  Policy policy;
  auto out = run_tasks(g, {&w}, policy, fake_options(clock));
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->message, "loaded 3 rows, the archive holds 4");
  EXPECT_EQ(out.failed, a);
  EXPECT_EQ(out.attempts, 1);
  EXPECT_EQ(out.retries, 0);
  EXPECT_EQ(j.position('s', 1), SIZE_MAX);  // the dependent never started
  EXPECT_TRUE(clock.sleeps().empty());
}

TEST(TaskPool, ATaskThatKeepsLosingItsSessionFailsAfterMaxAttempts) {
  TaskGraph g;
  g.add({"load orders"});
  Journal j;
  ScriptWorker w(j, [](TaskId, int) -> Status { return target_error("", true); });
  FakeClock clock;
  Policy policy;
  PoolOptions o = fake_options(clock);
  o.retry.max_attempts = 3;
  auto out = run_tasks(g, {&w}, policy, o);
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.attempts, 3);
  EXPECT_EQ(out.retries, 2);
}

TEST(TaskPool, CancelStopsNewTasksAndInterruptsRunningOnes) {
  TaskGraph g;
  TaskId slow = g.add({"slow index build"});
  for (int i = 0; i < 5; ++i) g.add({"after", {slow}});
  std::atomic<bool> cancel{false};
  std::atomic<bool> interrupted{false};
  Journal j;
  class Interruptible : public ScriptWorker {
   public:
    Interruptible(Journal& j, std::atomic<bool>& cancel, std::atomic<bool>& interrupted)
        : ScriptWorker(j, nullptr), cancel_(cancel), interrupted_(interrupted) {}
    Status run(TaskId, int) override {
      cancel_ = true;  // as Ctrl-C during the build
      for (int i = 0; i < 2000 && !interrupted_; ++i) std::this_thread::sleep_for(1ms);
      return make_error(ErrorCode::kTarget, "canceling statement due to user request");
    }
    void cancel() override { interrupted_ = true; }

   private:
    std::atomic<bool>& cancel_;
    std::atomic<bool>& interrupted_;
  };
  Interruptible w(j, cancel, interrupted);
  FakeClock clock;
  Policy policy;
  auto out = run_tasks(g, {&w}, policy, fake_options(clock, &cancel));
  EXPECT_TRUE(out.cancelled);
  EXPECT_FALSE(out.error);
  EXPECT_TRUE(interrupted);
  EXPECT_EQ(out.done, 0u);
}

TEST(TaskPool, TasksWaitingInACycleAreReportedStranded) {
  TaskGraph g;
  g.add({"a", {1}});
  g.add({"b", {0}});
  g.add({"c"});
  Journal j;
  ScriptWorker w(j, nullptr);
  FakeClock clock;
  Policy policy;
  auto out = run_tasks(g, {&w}, policy, fake_options(clock));
  EXPECT_FALSE(out.error);
  EXPECT_EQ(out.done, 1u);
  EXPECT_EQ(out.stranded, 2u);
}

// Holds task 1 back until a tick has seen task 0 running.
class HoldingPolicy : public Policy {
 public:
  std::optional<TaskId> choose(const ReadyTasks& ready, int) override {
    return ready.first([&](TaskId id) { return id != 1 || released_; });
  }
  void started(TaskId id, int) override {
    if (id == 0) zero_running_ = true;
  }
  bool tick(Clock::time_point) override {
    if (!zero_running_ || released_) return false;
    released_ = true;
    return true;
  }
  bool released_ = false, zero_running_ = false;
};

TEST(TaskPool, APolicyMayHoldATaskBackUntilItsTick) {
  TaskGraph g;
  g.add({"critical", {}, 1});
  g.add({"held"});
  Journal j;
  HoldingPolicy policy;
  auto script = [&](TaskId id, int) -> Status {
    if (id == 0) std::this_thread::sleep_for(50ms);  // several ticks
    return ok_status();
  };
  ScriptWorker w1(j, script), w2(j, script);
  FakeClock clock;
  auto out = run_tasks(g, {&w1, &w2}, policy, fake_options(clock));
  EXPECT_EQ(out.done, 2u);
  EXPECT_TRUE(policy.released_);
  // The held task started only after the tick released it, while 0 ran.
  EXPECT_LT(j.position('s', 1), j.position('e', 0));
}

}  // namespace
}  // namespace pgshuttle::exec
