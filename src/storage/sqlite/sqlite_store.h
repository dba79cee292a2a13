#pragma once

// FunctionStore on a local SQLite database file.
//
// Layout: one table per kind of row (functions, function_versions, function_aliases,
// event_invoke_configs), keyed by (account, region, function name[, version | alias | qualifier]),
// with the domain value in a JSON text column written by storage/codec.h. Schema versions are
// tracked per component in schema_migrations (see Database::Migrate); this store is component
// "function_store".
//
// Durability: WAL with synchronous=FULL, and each Apply is one BEGIN IMMEDIATE ... COMMIT, so an
// Apply that returned ok survives kill -9 and, as far as SQLite and the disk honour fsync, power
// loss.
//
// Group commit: Apply may be called from many threads at once. Batches that arrive while a commit
// is in flight are queued, and the next committer (one of the waiting callers: there is no
// background thread) applies all of them in a single transaction, each under its own savepoint,
// so N batches cost one fsync. Each caller still gets its own all-or-nothing result: a batch whose
// statements fail is rolled back to its savepoint alone, and if the merged transaction as a whole
// fails (e.g. the commit), every batch in it is retried in a transaction of its own.
//
// Batch semantics are those documented on FunctionStore in storage/store.h. LoadAll returns
// functions ordered by (account, region, name), byte-wise.

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/sqlite/database.h"
#include "storage/store.h"

namespace lambdalite::storage::sqlite {

class SqliteFunctionStore final : public FunctionStore {
 public:
  struct Options {
    Database::Options database;
    // Upper bound on the batches merged into one transaction, which bounds the latency one
    // committer adds for the others.
    size_t max_group_size = 256;
    // How long a new committer may wait for callers to join its group before starting. Callers
    // of the group just committed usually return within microseconds with their next batch;
    // without a short wait the first of them would commit alone and the rest would need one more
    // fsync. The wait ends as soon as as many callers as in the previous group are queued, and
    // never lasts longer than half the previous commit, so it cannot double the latency.
    std::chrono::microseconds max_gather_wait{1000};
    // Fault injection for tests: when set, it runs just before a merged (multi-batch)
    // transaction commits, and an error from it fails that commit as a disk error would. Unset in
    // production.
    std::function<Status()> before_merged_commit;
  };

  // Counters for tests and benchmarks: batches_applied / transactions_committed is the mean
  // group size.
  struct Stats {
    uint64_t batches_applied = 0;
    uint64_t transactions_committed = 0;
  };

  // Opens (creating and migrating if needed) the database file at `path`.
  static Result<std::unique_ptr<SqliteFunctionStore>> Open(const std::string& path);
  static Result<std::unique_ptr<SqliteFunctionStore>> Open(const std::string& path,
                                                           const Options& options);

  ~SqliteFunctionStore() override;

  Result<std::vector<StoredFunction>> LoadAll() override;
  Status Apply(const WriteBatch& batch) override;

  Stats stats() const;

  // The schema scripts of component "function_store", step i migrating version i to i+1.
  static std::span<const std::string_view> Migrations();

 private:
  struct Statements;
  struct Waiter;

  SqliteFunctionStore(std::unique_ptr<Database> db, std::unique_ptr<Statements> statements,
                      const Options& options);

  // Commits `group` (taken from the queue by the current leader) and fills in every result.
  void CommitGroup(const std::vector<Waiter*>& group);
  // Applies one batch in a transaction of its own.
  Status ApplyAlone(const WriteBatch& batch);
  // Runs the statements of one batch inside the current transaction, including the end-of-batch
  // check that every function given a child row exists.
  Status ApplyOps(const WriteBatch& batch);

  const Options options_;

  // Guards the connection and the prepared statements (the leader and LoadAll use them).
  std::mutex db_mu_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Statements> stmts_;

  // Group commit queue. A caller enqueues itself, then either becomes the leader (when none is
  // active) or waits on queue_cv_ until a leader marks it done.
  std::mutex queue_mu_;
  std::condition_variable queue_cv_;
  std::deque<Waiter*> queue_;
  bool leader_active_ = false;
  // Gathering: the leader waits on gather_cv_ (see Options::max_gather_wait); new callers wake it.
  std::condition_variable gather_cv_;
  bool gathering_ = false;
  size_t last_group_size_ = 1;
  std::chrono::steady_clock::duration last_commit_time_{};

  std::atomic<uint64_t> batches_applied_{0};
  std::atomic<uint64_t> transactions_committed_{0};
};

}  // namespace lambdalite::storage::sqlite
