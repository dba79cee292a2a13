#pragma once

// Group commit for a store that writes through one SQLite connection: many threads call Run at
// once, and their write bodies share transactions, so N concurrent callers pay for one fsync.
//
// How it works (leader/follower, no background thread): Run queues the caller's body. The first
// caller that finds no commit in progress becomes the leader: after a short gathering wait (see
// Options::max_gather_wait) it takes up to max_group_size queued calls, in arrival order, and runs
// them in one BEGIN IMMEDIATE ... COMMIT, each body under its own savepoint. The others wait until
// the leader marks their call done; a caller queued behind the group becomes the next leader.
//
// Contract of Run, for each call on its own:
//   - Durability: Run returns ok only after a transaction containing the body's writes committed.
//   - All or nothing: when Run fails, none of the body's writes remain.
//   - Isolation from the group: a body that fails is rolled back to its savepoint alone, and the
//     others of its group commit; its error is returned unchanged. If the merged transaction fails
//     as a whole (it could not be committed, or a savepoint could not be managed), every call not
//     already failed on its own is run again in a transaction of its own, so one call's trouble
//     never fails another. When the write lock cannot even be taken (Begin fails), every call of
//     the group fails with that error: running them one by one would fail the same way.
//   - Order: calls are applied in the order they were queued, within a group and across groups.
//   - An exception thrown by a body (or by the leader, e.g. std::bad_alloc) does not escape: the
//     transaction is rolled back and every call of the group not yet decided fails with
//     kInternal "<name>: <what()>".
//
// Bodies: a body runs inside the open transaction, on the leader's thread (not necessarily the
// caller's), with the database mutex held. It may run twice (once merged, once alone after a
// failed merged commit), so it must reset any output it fills before writing it. It must not lock
// the database mutex, call Run (the leader would wait for itself), or commit or roll back.
//
// Mutex discipline: the owner passes in the Database and the mutex that guards it (and whatever
// state the owner's bodies touch, such as prepared statements). The committer holds that mutex
// while it runs a group and at no other time; the owner locks it around its own uses of the
// connection (reads). The committer's own queue lock is never held while the database mutex is
// taken, so the two cannot deadlock.
//
// Thread-safety: Run and stats may be called from any thread. The Database and the mutex must
// outlive the committer, and no Run may be in progress when it is destroyed.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "common/result.h"
#include "storage/sqlite/database.h"

namespace lambdalite::storage::sqlite {

class GroupCommitter {
 public:
  struct Options {
    // Upper bound on the calls merged into one transaction, which bounds the latency one leader
    // adds for the others. 0 is taken as 1 (every call in a transaction of its own).
    size_t max_group_size = 256;
    // How long a new leader may wait for more callers before committing, when fewer are queued
    // than in the previous group: the callers of the group just committed usually come back
    // within microseconds with their next call, and without a short wait the first of them would
    // commit alone and the rest would need one more fsync. The wait ends as soon as the previous
    // group's size is reached, and never lasts longer than half the previous commit, so it cannot
    // double the latency.
    std::chrono::microseconds max_gather_wait{1000};
    // Fault injection for tests: when set, it runs just before a merged (multi-call) transaction
    // commits, and an error from it fails that commit as a disk error would. Unset in production.
    std::function<Status()> before_merged_commit;
  };

  // Counters for tests and benchmarks: calls_applied / transactions_committed is the mean group
  // size. Only successful calls and committed transactions count.
  struct Stats {
    uint64_t calls_applied = 0;
    uint64_t transactions_committed = 0;
  };

  // `db` is the connection to write through and `db_mu` the owner's mutex guarding it (see the
  // mutex discipline above); both must outlive the committer. `name` prefixes the messages of
  // errors the committer makes itself (e.g. "storage", "queue").
  GroupCommitter(Database& db, std::mutex& db_mu, Options options, std::string name);

  GroupCommitter(const GroupCommitter&) = delete;
  GroupCommitter& operator=(const GroupCommitter&) = delete;

  // Runs `body` in a write transaction, possibly merged with the calls of other threads, and
  // returns once that transaction committed (ok) or the body's writes were undone (the error).
  // The caller must not hold the database mutex.
  Status Run(const std::function<Status()>& body);

  Stats stats() const;

  // How many calls wait in the queue, not yet taken by a leader. Lets a test build a group of a
  // known composition and order.
  size_t QueuedForTest() const;

 private:
  struct Call;

  // Runs `group` (taken from the queue by the current leader) and decides every call's result.
  void CommitGroup(const std::vector<Call*>& group);
  // Runs one body in a transaction of its own.
  Status RunAlone(const std::function<Status()>& body);

  Database& db_;
  std::mutex& db_mu_;
  const Options options_;
  const std::string name_;

  // The queue. A caller enqueues itself, then either becomes the leader (when none is active) or
  // waits on queue_cv_ until a leader marks it done.
  mutable std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Call*> queue_;
  bool leader_active_ = false;
  // Gathering: the leader waits on gather_cv_ (see Options::max_gather_wait); new callers wake
  // it. The last group's size and commit time tune the wait.
  std::condition_variable gather_cv_;
  bool gathering_ = false;
  size_t last_group_size_ = 1;
  std::chrono::steady_clock::duration last_commit_time_{};

  std::atomic<uint64_t> calls_applied_{0};
  std::atomic<uint64_t> transactions_committed_{0};
};

}  // namespace lambdalite::storage::sqlite
