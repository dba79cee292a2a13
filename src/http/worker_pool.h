#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

namespace lambdalite::http {

// A thread pool that grows on demand, for running blocking RequestHandler::Handle calls off the
// I/O threads. A task submitted when no worker is idle gets a new thread (up to `max_threads`), so
// a task never waits behind blocked tasks until that cap is reached; beyond it tasks queue.
// Workers idle longer than `idle_timeout` exit while more than `keep_threads` remain.
// Thread-safe.
class WorkerPool {
 public:
  WorkerPool(size_t keep_threads, size_t max_threads, std::chrono::milliseconds idle_timeout);
  ~WorkerPool();  // Stop()
  WorkerPool(const WorkerPool&) = delete;
  WorkerPool& operator=(const WorkerPool&) = delete;

  // Never blocks. Tasks must not throw (an escaping exception is logged and dropped). Ignored
  // after Stop().
  void Submit(std::function<void()> task);

  // Runs the tasks already queued, waits for running ones and joins every worker. Idempotent.
  void Stop();

  // Current number of worker threads, busy or idle. For tests and diagnostics.
  size_t thread_count() const;

 private:
  void Run();
  void JoinFinished(std::unique_lock<std::mutex>& lock);

  const size_t keep_threads_;
  const size_t max_threads_;
  const std::chrono::milliseconds idle_timeout_;

  mutable std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable exit_cv_;
  std::deque<std::function<void()>> queue_;
  size_t threads_ = 0;
  // Waiting workers not yet claimed by a Submit. A Submit that finds one decrements this and adds
  // a wakeup, so two quick Submits never count on the same sleeping worker.
  size_t idle_ = 0;
  size_t wakeups_ = 0;
  bool stopping_ = false;
  std::unordered_map<std::thread::id, std::thread> workers_;
  // Workers that have exited their loop; joined by the next Submit or by Stop.
  std::vector<std::thread> finished_;
};

}  // namespace lambdalite::http
