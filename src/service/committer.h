#pragma once

#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>

#include "common/result.h"
#include "storage/store.h"

namespace lambdalite::service {

// Committer serializes writes to a FunctionStore in FIFO order and merges every batch waiting at
// the same moment into one transaction (group commit: one fsync for many requests).
//
// Why FIFO: the service applies a change to its in-memory state under its own lock and enqueues
// the matching batch under that same lock, so the store sees changes in exactly the order memory
// did, while callers wait for durability outside the lock.
//
// Thread-safe. The destructor commits whatever is queued, then stops the writer thread.
class Committer {
 public:
  explicit Committer(storage::FunctionStore& store);
  ~Committer();
  Committer(const Committer&) = delete;
  Committer& operator=(const Committer&) = delete;

  // Queues `batch`; the future is ready once the batch is durable (or failed). A failed merged
  // transaction is retried batch by batch, so one bad batch fails alone.
  std::future<Status> Enqueue(storage::WriteBatch batch);

 private:
  struct Pending {
    storage::WriteBatch batch;
    std::promise<Status> done;
  };
  void Run();

  storage::FunctionStore& store_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Pending> queue_;
  bool stopping_ = false;
  std::thread writer_;
};

}  // namespace lambdalite::service
