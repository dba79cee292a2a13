#include "http/worker_pool.h"

#include <exception>
#include <string>
#include <utility>

#include "common/log.h"

namespace lambdalite::http {

WorkerPool::WorkerPool(size_t keep_threads, size_t max_threads,
                       std::chrono::milliseconds idle_timeout)
    : keep_threads_(keep_threads),
      max_threads_(max_threads == 0 ? 1 : max_threads),
      idle_timeout_(idle_timeout) {}

WorkerPool::~WorkerPool() { Stop(); }

void WorkerPool::Submit(std::function<void()> task) {
  std::unique_lock lock(mu_);
  if (stopping_) return;
  queue_.push_back(std::move(task));
  bool wake = false;
  if (idle_ > 0) {
    --idle_;
    ++wakeups_;
    wake = true;
  } else if (threads_ < max_threads_) {
    ++threads_;
    std::thread worker(&WorkerPool::Run, this);
    workers_.emplace(worker.get_id(), std::move(worker));
  }
  JoinFinished(lock);
  lock.unlock();
  // After unlocking: a worker woken while mu_ is still held would only block again on it. The
  // wake-up is already counted (wakeups_), so whichever idle worker takes it runs the task.
  if (wake) work_cv_.notify_one();
}

void WorkerPool::Stop() {
  std::unique_lock lock(mu_);
  stopping_ = true;
  work_cv_.notify_all();
  exit_cv_.wait(lock, [this] { return threads_ == 0; });
  JoinFinished(lock);
}

size_t WorkerPool::thread_count() const {
  std::lock_guard lock(mu_);
  return threads_;
}

void WorkerPool::JoinFinished(std::unique_lock<std::mutex>& lock) {
  if (finished_.empty()) return;
  std::vector<std::thread> done;
  done.swap(finished_);
  lock.unlock();
  // These threads are past their last use of the pool's state, so joining them is quick.
  for (std::thread& t : done) t.join();
  lock.lock();
}

void WorkerPool::Run() {
  std::unique_lock lock(mu_);
  while (true) {
    if (!queue_.empty()) {
      std::function<void()> task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      try {
        task();
      } catch (const std::exception& e) {
        LogError(std::string("http: worker task threw: ") + e.what());
      } catch (...) {
        LogError("http: worker task threw a non-standard exception");
      }
      // Destroy the task's captures outside the lock.
      task = nullptr;
      lock.lock();
      continue;
    }
    if (stopping_) break;
    ++idle_;
    const bool signalled =
        work_cv_.wait_for(lock, idle_timeout_, [this] { return wakeups_ > 0 || stopping_; });
    if (wakeups_ > 0) {
      --wakeups_;  // the Submit that added it already took us off idle_
      continue;
    }
    --idle_;
    if (!signalled && threads_ > keep_threads_) break;
  }
  --threads_;
  auto self = workers_.find(std::this_thread::get_id());
  finished_.push_back(std::move(self->second));
  workers_.erase(self);
  if (threads_ == 0) exit_cv_.notify_all();
}

}  // namespace lambdalite::http
