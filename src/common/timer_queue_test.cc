#include "common/timer_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <vector>

namespace lambdalite {
namespace {

using namespace std::chrono_literals;
using Clock = TimerQueue::Clock;

TEST(TimerQueueTest, RunsCallbacksInDeadlineOrderAfterTheirDeadline) {
  TimerQueue timers;
  std::mutex mu;
  std::vector<int> order;
  std::promise<void> all_ran;
  const auto start = Clock::now();
  auto record = [&](int n) {
    std::lock_guard lock(mu);
    order.push_back(n);
    if (order.size() == 3) all_ran.set_value();
  };
  timers.Schedule(start + 60ms, [&] { record(3); });
  timers.Schedule(start + 20ms, [&] { record(1); });
  timers.Schedule(start + 40ms, [&] { record(2); });
  ASSERT_EQ(all_ran.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_GE(Clock::now() - start, 60ms);
  EXPECT_EQ(order, (std::vector<int>{1, 2, 3}));
}

TEST(TimerQueueTest, PostRunsAheadOfLaterTimers) {
  TimerQueue timers;
  std::promise<void> posted;
  std::atomic<bool> late_ran{false};
  timers.Schedule(Clock::now() + 10s, [&] { late_ran = true; });
  timers.Post([&] { posted.set_value(); });
  EXPECT_EQ(posted.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_FALSE(late_ran);
}

TEST(TimerQueueTest, CancelRemovesOnlyCallbacksThatHaveNotRun) {
  TimerQueue timers;
  std::atomic<int> ran{0};
  const TimerQueue::Id cancelled = timers.Schedule(Clock::now() + 50ms, [&] { ran += 100; });
  std::promise<void> done;
  const TimerQueue::Id kept = timers.Schedule(Clock::now() + 100ms, [&] {
    ran += 1;
    done.set_value();
  });
  EXPECT_TRUE(timers.Cancel(cancelled));
  EXPECT_FALSE(timers.Cancel(cancelled));  // already gone
  ASSERT_EQ(done.get_future().wait_for(5s), std::future_status::ready);
  EXPECT_EQ(ran, 1);
  EXPECT_FALSE(timers.Cancel(kept));  // already ran
  EXPECT_FALSE(timers.Cancel(0));
}

TEST(TimerQueueTest, CallbacksMayScheduleAndCancel) {
  TimerQueue timers;
  std::promise<void> second;
  const TimerQueue::Id doomed = timers.Schedule(Clock::now() + 200ms, [] { FAIL(); });
  timers.Post([&] {
    EXPECT_TRUE(timers.Cancel(doomed));
    timers.Post([&] { second.set_value(); });
  });
  EXPECT_EQ(second.get_future().wait_for(5s), std::future_status::ready);
}

TEST(TimerQueueTest, StopDropsPendingCallbacksAndRefusesNewOnes) {
  std::atomic<bool> ran{false};
  TimerQueue timers;
  timers.Schedule(Clock::now() + 10s, [&] { ran = true; });
  timers.Stop();
  EXPECT_EQ(timers.Schedule(Clock::now(), [&] { ran = true; }), 0u);
  timers.Stop();  // idempotent
  EXPECT_FALSE(ran);
}

}  // namespace
}  // namespace lambdalite
