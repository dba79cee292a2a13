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
// Group commit (storage/sqlite/group_committer.h): Apply may be called from many threads at once.
// Batches that arrive while a commit is in flight are queued, and the next committer (one of the
// waiting callers: there is no background thread) applies all of them in a single transaction,
// each under its own savepoint, so N batches cost one fsync. Each caller still gets its own
// all-or-nothing result: a batch whose statements fail is rolled back to its savepoint alone, and
// if the merged transaction as a whole fails (e.g. the commit), every batch in it is retried in a
// transaction of its own.
//
// Batch semantics are those documented on FunctionStore in storage/store.h. LoadAll returns
// functions ordered by (account, region, name), byte-wise.

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "storage/sqlite/database.h"
#include "storage/sqlite/group_committer.h"
#include "storage/store.h"

namespace lambdalite::storage::sqlite {

class SqliteFunctionStore final : public FunctionStore {
 public:
  struct Options {
    Database::Options database;
    // Group commit tuning and fault injection; see GroupCommitter::Options for the defaults.
    GroupCommitter::Options group_commit;
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
  Result<std::vector<StoredRecord>> LoadRecords() override;
  Status Apply(const WriteBatch& batch) override;

  Stats stats() const;

  // The schema scripts of component "function_store", step i migrating version i to i+1.
  static std::span<const std::string_view> Migrations();

 private:
  struct Statements;

  SqliteFunctionStore(std::unique_ptr<Database> db, std::unique_ptr<Statements> statements,
                      const Options& options);

  // Runs the statements of one batch inside the current transaction, including the end-of-batch
  // check that every function given a child row exists.
  Status ApplyOps(const WriteBatch& batch);

  // Guards the connection and the prepared statements (the group commit leader and LoadAll use
  // them).
  std::mutex db_mu_;
  std::unique_ptr<Database> db_;
  std::unique_ptr<Statements> stmts_;
  // Declared after what it uses, so it is destroyed first.
  GroupCommitter committer_;
};

}  // namespace lambdalite::storage::sqlite
