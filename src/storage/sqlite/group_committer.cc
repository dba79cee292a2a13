#include "storage/sqlite/group_committer.h"

#include <algorithm>
#include <exception>
#include <utility>

namespace lambdalite::storage::sqlite {

// One caller of Run, waiting in the queue. Written by the leader without the queue lock, read by
// its owner only after `done` was set under the lock.
struct GroupCommitter::Call {
  enum class State {
    kPending,  // not yet decided
    kMerged,   // applied inside the open merged transaction, not yet committed
    kFailed,   // `result` holds this call's own failure
    kApplied,  // committed
  };
  const std::function<Status()>* body;
  Status result;
  State state = State::kPending;
  bool done = false;
};

GroupCommitter::GroupCommitter(Database& db, std::mutex& db_mu, Options options, std::string name)
    : db_(db), db_mu_(db_mu), options_(std::move(options)), name_(std::move(name)) {}

GroupCommitter::Stats GroupCommitter::stats() const {
  return Stats{calls_applied_.load(), transactions_committed_.load()};
}

size_t GroupCommitter::QueuedForTest() const {
  std::lock_guard lock(queue_mu_);
  return queue_.size();
}

Status GroupCommitter::RunAlone(const std::function<Status()>& body) {
  LAMBDALITE_RETURN_IF_ERROR(db_.Transaction(body));
  transactions_committed_.fetch_add(1, std::memory_order_relaxed);
  calls_applied_.fetch_add(1, std::memory_order_relaxed);
  return Status::Ok();
}

void GroupCommitter::CommitGroup(const std::vector<Call*>& group) {
  using State = Call::State;
  std::lock_guard lock(db_mu_);
  // A body may throw, and the leader's own bookkeeping may fail to allocate. Convert either, or
  // every follower would wait forever.
  try {
    if (group.size() == 1) {
      Call& c = *group.front();
      c.result = RunAlone(*c.body);
      c.state = c.result.ok() ? State::kApplied : State::kFailed;
      return;
    }

    Status begun = db_.Begin();
    if (!begun.ok()) {
      // The write lock could not be had; one transaction per call would fail the same way.
      for (Call* c : group) {
        c->result = begun;
        c->state = State::kFailed;
      }
      return;
    }
    bool merged_ok = true;
    for (Call* c : group) {
      Status st = db_.Savepoint();
      if (st.ok()) {
        st = (*c->body)();
        if (st.ok()) {
          st = db_.ReleaseSavepoint();
        } else if (db_.InTransaction() && db_.RollbackToSavepoint().ok()) {
          // This call's own failure; the others in the transaction are unaffected.
          c->result = std::move(st);
          c->state = State::kFailed;
          continue;
        }
      }
      if (!st.ok()) {
        // The transaction itself is broken (SQLite may already have rolled it back).
        merged_ok = false;
        break;
      }
      c->state = State::kMerged;
    }
    if (merged_ok && options_.before_merged_commit) {
      merged_ok = options_.before_merged_commit().ok();
    }
    if (merged_ok && db_.Commit().ok()) {
      uint64_t applied = 0;
      for (Call* c : group) {
        if (c->state != State::kMerged) continue;
        c->state = State::kApplied;
        c->result = Status::Ok();
        ++applied;
      }
      if (applied > 0) transactions_committed_.fetch_add(1, std::memory_order_relaxed);
      calls_applied_.fetch_add(applied, std::memory_order_relaxed);
      return;
    }
    db_.Rollback();
    // The merged transaction failed as a whole: give every call not already judged on its own a
    // transaction of its own, so one call's trouble cannot fail the others.
    for (Call* c : group) {
      if (c->state == State::kFailed) continue;
      c->result = RunAlone(*c->body);
      c->state = c->result.ok() ? State::kApplied : State::kFailed;
    }
  } catch (const std::exception& e) {
    db_.Rollback();
    for (Call* c : group) {
      if (c->state == State::kApplied || c->state == State::kFailed) continue;
      c->result = Error::Make(ErrorCode::kInternal, name_ + ": " + e.what());
      c->state = State::kFailed;
    }
  }
}

Status GroupCommitter::Run(const std::function<Status()>& body) {
  Call self{&body, Status::Ok()};
  const size_t max_group = std::max<size_t>(1, options_.max_group_size);

  std::unique_lock lock(queue_mu_);
  queue_.push_back(&self);
  if (gathering_) gather_cv_.notify_one();
  while (!self.done) {
    if (leader_active_) {
      queue_cv_.wait(lock);
      continue;
    }
    // Lead: take everything queued so far (callers that arrived during the previous commit, whose
    // fsync this one commit now covers), after a short wait for company when fewer are queued
    // than the previous group had (see Options::max_gather_wait).
    leader_active_ = true;
    const size_t expected = std::min(last_group_size_, max_group);
    if (queue_.size() < expected) {
      const auto wait = std::min<std::chrono::steady_clock::duration>(options_.max_gather_wait,
                                                                      last_commit_time_ / 2);
      if (wait > std::chrono::steady_clock::duration::zero()) {
        gathering_ = true;
        gather_cv_.wait_for(lock, wait, [&] { return queue_.size() >= expected; });
        gathering_ = false;
      }
    }
    const size_t n = std::min(queue_.size(), max_group);
    std::vector<Call*> group(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    queue_.erase(queue_.begin(), queue_.begin() + static_cast<ptrdiff_t>(n));
    last_group_size_ = n;
    lock.unlock();
    // Real time, not the service Clock: this only tunes how long to wait for company.
    const auto start = std::chrono::steady_clock::now();
    CommitGroup(group);
    const auto elapsed = std::chrono::steady_clock::now() - start;
    lock.lock();
    last_commit_time_ = elapsed;
    for (Call* c : group) c->done = true;
    leader_active_ = false;
    queue_cv_.notify_all();
  }
  return std::move(self.result);
}

}  // namespace lambdalite::storage::sqlite
