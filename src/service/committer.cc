#include "service/committer.h"

#include <vector>

namespace lambdalite::service {

Committer::Committer(storage::FunctionStore& store) : store_(store) {
  writer_ = std::thread([this] { Run(); });
}

Committer::~Committer() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  writer_.join();
}

std::future<Status> Committer::Enqueue(storage::WriteBatch batch) {
  Pending p{std::move(batch), {}};
  auto fut = p.done.get_future();
  {
    std::lock_guard lock(mu_);
    queue_.push_back(std::move(p));
  }
  cv_.notify_one();
  return fut;
}

void Committer::Run() {
  while (true) {
    std::vector<Pending> work;
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping and drained
      while (!queue_.empty()) {
        work.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    if (work.size() == 1) {
      work[0].done.set_value(store_.Apply(work[0].batch));
      continue;
    }
    storage::WriteBatch merged;
    for (const auto& p : work) {
      merged.ops.insert(merged.ops.end(), p.batch.ops.begin(), p.batch.ops.end());
    }
    Status st = store_.Apply(merged);
    for (auto& p : work) {
      p.done.set_value(st.ok() ? Status::Ok() : store_.Apply(p.batch));
    }
  }
}

}  // namespace lambdalite::service
