#include "common/timer_queue.h"

namespace lambdalite {

TimerQueue::TimerQueue() : thread_([this] { Loop(); }) {}

TimerQueue::~TimerQueue() { Stop(); }

TimerQueue::Id TimerQueue::Schedule(Clock::time_point when, std::function<void()> fn) {
  bool wake = false;
  Id id = 0;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return 0;
    id = next_id_++;
    // Only a new earliest deadline changes how long the thread must sleep.
    wake = pending_.empty() || when < pending_.begin()->first.first;
    pending_.emplace(std::make_pair(when, id), std::move(fn));
    deadlines_.emplace(id, when);
  }
  if (wake) cv_.notify_one();
  return id;
}

bool TimerQueue::Cancel(Id id) {
  std::function<void()> dropped;  // destroyed after unlocking: it may own arbitrary state
  std::lock_guard lock(mu_);
  auto it = deadlines_.find(id);
  if (it == deadlines_.end()) return false;
  auto entry = pending_.find(std::make_pair(it->second, id));
  dropped = std::move(entry->second);
  pending_.erase(entry);
  deadlines_.erase(it);
  return true;
}

void TimerQueue::Stop() {
  std::map<std::pair<Clock::time_point, Id>, std::function<void()>> dropped;
  {
    std::lock_guard lock(mu_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
    dropped.swap(pending_);
    deadlines_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void TimerQueue::Loop() {
  std::unique_lock lock(mu_);
  while (!stopping_) {
    if (pending_.empty()) {
      cv_.wait(lock);
      continue;
    }
    auto first = pending_.begin();
    const Clock::time_point when = first->first.first;
    if (when > Clock::now()) {
      cv_.wait_until(lock, when);
      continue;
    }
    std::function<void()> fn = std::move(first->second);
    deadlines_.erase(first->first.second);
    pending_.erase(first);
    lock.unlock();
    fn();
    fn = nullptr;  // whatever it owns goes before the lock is taken again
    lock.lock();
  }
}

}  // namespace lambdalite
