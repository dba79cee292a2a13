// SQLite-specific behaviour of SqliteFunctionStore. The semantics shared with every backend are
// covered by store_conformance_test.cc.

#include "storage/sqlite/sqlite_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "storage/codec.h"
#include "storage/sqlite/database.h"

namespace lambdalite::storage::sqlite {
namespace {

const domain::Scope kScope{"123456789012", "us-east-1"};

WriteBatch CreateFunction(const std::string& name) {
  domain::FunctionMeta meta;
  meta.name = name;
  domain::FunctionVersion latest;
  latest.version = std::string(domain::kLatest);
  return WriteBatch{{PutFunctionMeta{kScope, meta}, PutVersion{kScope, name, latest}}};
}

class SqliteStoreTest : public testing::Test {
 protected:
  void SetUp() override {
    std::string pattern = testing::TempDir() + "lambdalite_sqlite_XXXXXX";
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    path_ = dir_ + "/lambdalite.db";
  }
  void TearDown() override {
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }

  std::unique_ptr<SqliteFunctionStore> OpenOk(
      const SqliteFunctionStore::Options& options = SqliteFunctionStore::Options{}) {
    auto store = SqliteFunctionStore::Open(path_, options);
    EXPECT_TRUE(store.ok()) << store.error().message;
    return store.ok() ? std::move(store).value() : nullptr;
  }

  std::set<std::string> LoadNames(FunctionStore& store) {
    auto loaded = store.LoadAll();
    EXPECT_TRUE(loaded.ok()) << loaded.error().message;
    std::set<std::string> names;
    if (loaded.ok()) {
      for (const StoredFunction& f : *loaded) names.insert(f.function.meta.name);
    }
    return names;
  }

  std::string dir_;
  std::string path_;
};

TEST_F(SqliteStoreTest, RecordsItsSchemaVersion) {
  ASSERT_NE(OpenOk(), nullptr);
  auto db = Database::Open(path_);
  ASSERT_TRUE(db.ok());
  auto version = (*db)->SchemaVersion("function_store");
  ASSERT_TRUE(version.ok());
  EXPECT_EQ(*version, static_cast<int>(SqliteFunctionStore::Migrations().size()));
}

// A data directory written by a binary that knew only schema version 1 opens with its functions
// intact and gains the records table.
TEST_F(SqliteStoreTest, UpgradesAVersionOneDatabase) {
  {
    auto db = Database::Open(path_);
    ASSERT_TRUE(db.ok());
    auto migrated = (*db)->Migrate("function_store", SqliteFunctionStore::Migrations().first(1));
    ASSERT_TRUE(migrated.ok()) << migrated.error().message;
    domain::FunctionMeta meta;
    meta.name = "old";
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO functions (account, region, name, meta) VALUES "
                           "('123456789012', 'us-east-1', 'old', '" +
                           EncodeFunctionMeta(meta) + "')")
                    .ok());
  }
  auto store = OpenOk();
  ASSERT_NE(store, nullptr);
  EXPECT_EQ(LoadNames(*store), std::set<std::string>{"old"});
  ASSERT_TRUE(store->Apply(WriteBatch{{PutRecord{kScope, "kind", "key", "old", "body"}}}).ok());
  EXPECT_EQ(store->LoadRecords().value().size(), 1u);
}

TEST_F(SqliteStoreTest, RefusesANewerSchema) {
  ASSERT_NE(OpenOk(), nullptr);
  {
    auto db = Database::Open(path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)
                    ->Exec("INSERT INTO schema_migrations (component, version) "
                           "VALUES ('function_store', 99)")
                    .ok());
  }
  auto store = SqliteFunctionStore::Open(path_);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.error().code, ErrorCode::kInternal);
}

TEST_F(SqliteStoreTest, CorruptRowFailsLoadAll) {
  auto store = OpenOk();
  ASSERT_TRUE(store->Apply(CreateFunction("fn")).ok());
  {
    auto db = Database::Open(path_);
    ASSERT_TRUE(db.ok());
    ASSERT_TRUE((*db)->Exec("UPDATE functions SET meta = '{\"name\": 7}'").ok());
  }
  auto loaded = store->LoadAll();
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.error().code, ErrorCode::kInternal);
  EXPECT_NE(loaded.error().message.find("name"), std::string::npos) << loaded.error().message;
  // The failed load left no transaction open: writes still work.
  EXPECT_TRUE(store->Apply(CreateFunction("other")).ok());
}

TEST_F(SqliteStoreTest, LockedDatabaseIsUnavailable) {
  SqliteFunctionStore::Options options;
  options.database.busy_timeout_ms = 20;
  auto store = OpenOk(options);
  auto other = Database::Open(path_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->Begin().ok());  // holds the write lock

  Status st = store->Apply(CreateFunction("fn"));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kUnavailable) << st.error().message;

  (*other)->Rollback();
  EXPECT_TRUE(store->Apply(CreateFunction("fn")).ok());
  EXPECT_EQ(LoadNames(*store), std::set<std::string>{"fn"});
}

TEST_F(SqliteStoreTest, ConcurrentBatchesShareTransactions) {
  auto store = OpenOk();
  constexpr int kThreads = 8;
  constexpr int kBatches = 100;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBatches; ++i) {
        if (!store->Apply(CreateFunction(std::to_string(t) + "-" + std::to_string(i))).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(LoadNames(*store).size(), static_cast<size_t>(kThreads * kBatches));
  SqliteFunctionStore::Stats stats = store->stats();
  EXPECT_EQ(stats.batches_applied, static_cast<uint64_t>(kThreads * kBatches));
  // With eight writers some batches must have waited for a commit and then shared the next.
  EXPECT_LT(stats.transactions_committed, stats.batches_applied);
}

TEST_F(SqliteStoreTest, FailedMergedCommitRetriesEachBatchAlone) {
  std::atomic<int> merged_commits{0};
  SqliteFunctionStore::Options options;
  options.group_commit.before_merged_commit = [&]() -> Status {
    ++merged_commits;
    return Error::Make(ErrorCode::kUnavailable, "injected commit failure");
  };
  auto store = OpenOk(options);
  ASSERT_TRUE(store->Apply(CreateFunction("shared")).ok());

  constexpr int kThreads = 8;
  constexpr int kBatches = 30;
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kBatches; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        WriteBatch batch = CreateFunction("fn-" + id);
        domain::Alias alias;
        alias.name = "a-" + id;
        batch.ops.push_back(PutAlias{kScope, "shared", alias});
        const bool bad = i % 3 == 2;
        if (bad) batch.ops.push_back(PutAlias{kScope, "ghost", alias});
        if (store->Apply(batch).ok() == bad) ++unexpected;
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(unexpected.load(), 0);
  // Every merged commit failed, so every batch was finally committed alone.
  EXPECT_GT(merged_commits.load(), 0);
  SqliteFunctionStore::Stats stats = store->stats();
  EXPECT_EQ(stats.transactions_committed, stats.batches_applied);

  std::set<std::string> want{"shared"};
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kBatches; ++i) {
      if (i % 3 != 2) want.insert("fn-" + std::to_string(t) + "-" + std::to_string(i));
    }
  }
  EXPECT_EQ(LoadNames(*store), want);
  auto loaded = store->LoadAll();
  ASSERT_TRUE(loaded.ok());
  for (const StoredFunction& f : *loaded) {
    if (f.function.meta.name == "shared") {
      EXPECT_EQ(f.function.aliases.size(), static_cast<size_t>(kThreads * (kBatches - 10)));
    }
  }
}

TEST_F(SqliteStoreTest, MaxGroupSizeOneCommitsEachBatchAlone) {
  SqliteFunctionStore::Options options;
  options.group_commit.max_group_size = 1;
  auto store = OpenOk(options);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        EXPECT_TRUE(store->Apply(CreateFunction(std::to_string(t) + "-" + std::to_string(i))).ok());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(store->stats().transactions_committed, 80u);
  EXPECT_EQ(store->stats().batches_applied, 80u);
}

// Every batch acknowledged before a kill -9 must be there afterwards.
TEST_F(SqliteStoreTest, AcknowledgedBatchesSurviveKill) {
  ASSERT_NE(OpenOk(), nullptr);  // create the schema before forking
  int acks[2];
  ASSERT_EQ(::pipe(acks), 0);
  pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The child: apply batches forever, acknowledging each one only after Apply returned ok.
    ::close(acks[0]);
    auto store = SqliteFunctionStore::Open(path_);
    if (!store.ok()) ::_exit(2);
    for (int i = 0;; ++i) {
      if (!(*store)->Apply(CreateFunction("fn-" + std::to_string(i))).ok()) ::_exit(3);
      if (::write(acks[1], &i, sizeof i) != sizeof i) ::_exit(4);
    }
  }
  ::close(acks[1]);
  int acked = -1;
  int value = 0;
  while (acked < 150 && ::read(acks[0], &value, sizeof value) == sizeof value) acked = value;
  ASSERT_EQ(::kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFSIGNALED(status)) << "child exited early with status " << status;
  // Acknowledgements still in the pipe were sent before the kill, so they count too.
  while (::read(acks[0], &value, sizeof value) == sizeof value) acked = value;
  ::close(acks[0]);
  ASSERT_GE(acked, 150);

  auto store = OpenOk();
  std::set<std::string> names = LoadNames(*store);
  for (int i = 0; i <= acked; ++i) {
    EXPECT_EQ(names.count("fn-" + std::to_string(i)), 1u) << "lost acknowledged batch " << i;
  }
}

}  // namespace
}  // namespace lambdalite::storage::sqlite
