#pragma once

// TimerQueue: runs callbacks at steady-clock deadlines, or as soon as possible, on one thread of
// its own. For deadlines of work that holds no thread while it waits (an invocation answered
// from an I/O thread still needs its timeout), and for work that must leave the thread that
// noticed it (a callback that may not block or re-enter its caller).
//
// Contract:
//  - Callbacks run one at a time, in deadline order (ties: scheduling order), on the queue's
//    thread, never while the queue's lock is held: they may Schedule, Post and Cancel.
//  - Cancel(id) removes a callback that has not started; it returns false when the callback
//    already ran, is running, or was cancelled. It never waits for a running callback.
//  - Scheduling is cheap when deadlines come in increasing order (the thread is woken only when
//    a new deadline is earlier than every pending one), so a timer per request costs a lock and
//    a tree insert and erase, not a wake-up.
//  - Stop() (and the destructor) drops every pending callback, waits for a running one and
//    joins the thread; Schedule after Stop returns 0 and drops the callback. Stop must not be
//    called from a callback.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

namespace lambdalite {

class TimerQueue {
 public:
  using Clock = std::chrono::steady_clock;
  using Id = uint64_t;  // 0 is never a valid id

  TimerQueue();
  ~TimerQueue();  // Stop()
  TimerQueue(const TimerQueue&) = delete;
  TimerQueue& operator=(const TimerQueue&) = delete;

  // Runs `fn` at `when` (at once if it has passed). Returns the id for Cancel.
  Id Schedule(Clock::time_point when, std::function<void()> fn);
  // Runs `fn` as soon as the thread is free, ahead of every timer already due.
  Id Post(std::function<void()> fn) { return Schedule(Clock::time_point::min(), std::move(fn)); }
  bool Cancel(Id id);
  void Stop();

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  // Keyed by (deadline, id): ids grow, so ties run in scheduling order.
  std::map<std::pair<Clock::time_point, Id>, std::function<void()>> pending_;
  std::map<Id, Clock::time_point> deadlines_;  // id -> deadline, for Cancel
  Id next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lambdalite
