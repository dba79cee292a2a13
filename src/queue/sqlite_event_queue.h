#pragma once

// EventQueueStore on SQLite, in the same database file as the function store (schema component
// "event_queue", migrated with Database::Migrate on its own connection; WAL lets both connections
// share the file).
//
// Layout: one row per event in `async_events` (pending and finished alike, so a finished event
// keeps its request_id, payload and outcome for introspection until pruned) and cumulative
// per-function totals in `async_event_totals` (pruning must not reset Counts). A partial index on
// (due_ms, seq) over pending rows makes ClaimDue and NextVisibleAt an index seek however many
// events wait; `due_ms` is the visible time of a waiting event and the lease expiry of a leased
// one, so "visible and not under a live lease" is a single range condition.
//
// Durability: WAL with synchronous=FULL; every mutating call returns after its transaction
// committed.
//
// Group commit (storage/sqlite/group_committer.h): every mutating call (Enqueue, ClaimDue,
// Reschedule, Finish, RenewLeases) is queued; the first caller to find no commit in progress
// becomes the leader and runs everything queued so far in one transaction, each call under its
// own savepoint, so N concurrent callers share one fsync. A call that fails on its own
// (kConflict, a constraint) is rolled back to its savepoint alone; if the merged transaction as a
// whole fails (e.g. the commit), each call is retried in a transaction of its own. There is no
// background thread: callers do the work.
//
// Thread-safety: all methods may be called from any thread. Several processes may share the file
// (each with its own store); SQLite's write lock serializes their transactions.

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "queue/event_queue_store.h"
#include "storage/sqlite/database.h"
#include "storage/sqlite/group_committer.h"

namespace lambdalite::queue {

class SqliteEventQueue final : public EventQueueStore {
 public:
  struct Options {
    storage::sqlite::Database::Options database;
    RetentionOptions retention;
    // Group commit tuning and fault injection; see GroupCommitter::Options for the defaults.
    storage::sqlite::GroupCommitter::Options group_commit;
  };

  // Counters for tests and benchmarks: calls_applied / transactions_committed is the mean group.
  struct Stats {
    uint64_t calls_applied = 0;
    uint64_t transactions_committed = 0;
  };

  // Opens (creating and migrating if needed) the database file at `path`, which may be the
  // function store's file.
  static Result<std::unique_ptr<SqliteEventQueue>> Open(const std::string& path);
  static Result<std::unique_ptr<SqliteEventQueue>> Open(const std::string& path,
                                                        const Options& options);

  ~SqliteEventQueue() override;

  Status Enqueue(const Event& event) override;
  Result<std::vector<Event>> ClaimDue(int64_t now_ms, int64_t lease_ms, int limit) override;
  Status Reschedule(const Event& event) override;
  Status Finish(const FinishedEvent& finished) override;
  Result<int> RenewLeases(const std::vector<LeaseRef>& leases, int64_t until_ms) override;
  Result<std::optional<int64_t>> NextVisibleAt() override;
  Result<QueueCounts> Counts(const domain::Scope& scope, const std::string& function_name) override;
  Result<std::vector<FinishedEvent>> Recent(const domain::Scope& scope,
                                            const std::string& function_name, int limit) override;

  Stats stats() const;

  // The schema scripts of component "event_queue", step i migrating version i to i+1.
  static std::span<const std::string_view> Migrations();

 private:
  struct Statements;
  using FunctionKey = std::tuple<std::string, std::string, std::string>;

  SqliteEventQueue(std::unique_ptr<storage::sqlite::Database> db,
                   std::unique_ptr<Statements> statements, const Options& options);

  // Runs `body` (which uses the connection, inside an open transaction) durably, merged with the
  // calls of other threads. `body` may run twice (see the class comment): it must reset any
  // output it fills.
  Status Write(const std::function<Status()>& body);

  // Bodies of the mutating calls; need db_mu_ and an open transaction.
  Status InsertEvent(const Event& event);
  Status ClaimInTransaction(int64_t now_ms, int64_t lease_ms, int limit, std::vector<Event>* out);
  Status FinishInTransaction(const FinishedEvent& finished);

  const RetentionOptions retention_;

  // Guards the connection, the statements and finishes_ (the group commit leader and the readers
  // use them).
  std::mutex db_mu_;
  std::unique_ptr<storage::sqlite::Database> db_;
  std::unique_ptr<Statements> stmts_;
  std::map<FunctionKey, int64_t> finishes_;  // Finish calls since Open, for pruning
  // Declared after what it uses, so it is destroyed first.
  storage::sqlite::GroupCommitter committer_;
};

}  // namespace lambdalite::queue
