// GroupCommitter on its own: which calls share a transaction, what a failing call does to its
// group, and the retry after a failed merged commit. The stores built on it test their own use
// (sqlite_store_test.cc, queue/sqlite_event_queue_test.cc).
//
// Groups are built deterministically: a "gate" call keeps the leader busy while the calls under
// test queue up one after another (QueuedForTest), so they are taken as one group, in that order,
// when the gate opens.

#include "storage/sqlite/group_committer.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "storage/sqlite/database.h"

namespace lambdalite::storage::sqlite {
namespace {

using Body = std::function<Status()>;

// Waits until `committer` has `n` calls queued; false after a generous deadline.
bool WaitUntilQueued(const GroupCommitter& committer, size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (committer.QueuedForTest() != n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  return true;
}

// Runs `bodies` through `committer` from one thread each, as a single group in the given order,
// and returns each call's result. The group is formed behind a gate: a call whose body blocks,
// so the leader running it is busy while the others queue.
std::vector<Status> RunAsOneGroup(GroupCommitter& committer, const std::vector<Body>& bodies) {
  std::promise<void> entered;
  std::promise<void> open;
  std::shared_future<void> opened = open.get_future().share();
  std::thread gate([&] {
    Status st = committer.Run([&]() -> Status {
      entered.set_value();
      opened.wait();
      return Status::Ok();
    });
    EXPECT_TRUE(st.ok());
  });
  entered.get_future().wait();

  std::vector<Status> results(bodies.size());
  std::vector<std::thread> callers;
  for (size_t i = 0; i < bodies.size(); ++i) {
    callers.emplace_back([&, i] { results[i] = committer.Run(bodies[i]); });
    EXPECT_TRUE(WaitUntilQueued(committer, i + 1)) << "call " << i << " never queued";
  }
  open.set_value();
  gate.join();
  for (std::thread& t : callers) t.join();
  return results;
}

class GroupCommitterTest : public testing::Test {
 protected:
  void SetUp() override {
    // One file per test process (ctest runs the cases in parallel processes), removed again by
    // TearDown.
    path_ = testing::TempDir() + "lambdalite_group_committer_" + std::to_string(::getpid()) + ".db";
    RemoveDatabaseFiles();
    auto db = Database::Open(path_);
    ASSERT_TRUE(db.ok()) << db.error().message;
    db_ = std::move(db).value();
    ASSERT_TRUE(db_->Exec("CREATE TABLE t (k TEXT PRIMARY KEY)").ok());
    auto insert = db_->Prepare("INSERT INTO t (k) VALUES (?1)");
    ASSERT_TRUE(insert.ok()) << insert.error().message;
    insert_ = std::move(insert).value();
  }

  void TearDown() override {
    insert_ = Statement();
    db_.reset();
    RemoveDatabaseFiles();
  }

  void RemoveDatabaseFiles() {
    std::error_code ec;
    for (const char* suffix : {"", "-wal", "-shm"}) std::filesystem::remove(path_ + suffix, ec);
  }

  std::unique_ptr<GroupCommitter> MakeCommitter(GroupCommitter::Options options = {}) {
    return std::make_unique<GroupCommitter>(*db_, db_mu_, std::move(options), "test");
  }

  // A body that inserts `key` and counts its runs in `runs` (when given). Bodies run with db_mu_
  // held, which is what makes sharing insert_ safe.
  Body Insert(const std::string& key, std::atomic<int>* runs = nullptr) {
    return [this, key, runs] {
      if (runs != nullptr) ++*runs;
      return insert_.BindText(1, key).Run();
    };
  }

  // The keys committed, as another connection sees them.
  std::set<std::string> CommittedKeys() {
    auto reader = Database::Open(path_);
    EXPECT_TRUE(reader.ok());
    std::set<std::string> keys;
    if (!reader.ok()) return keys;
    auto select = (*reader)->Prepare("SELECT k FROM t");
    EXPECT_TRUE(select.ok());
    if (!select.ok()) return keys;
    while (true) {
      auto row = select->Step();
      EXPECT_TRUE(row.ok());
      if (!row.ok() || !*row) break;
      keys.insert(std::string(select->ColumnText(0)));
    }
    return keys;
  }

  std::string path_;
  std::mutex db_mu_;
  std::unique_ptr<Database> db_;
  Statement insert_;
};

TEST_F(GroupCommitterTest, ConcurrentCallersShareOneTransaction) {
  std::atomic<int> merged_commits{0};
  GroupCommitter::Options options;
  options.before_merged_commit = [&] {
    ++merged_commits;
    return Status::Ok();
  };
  auto committer = MakeCommitter(options);
  std::vector<Body> bodies;
  std::set<std::string> want;
  for (int i = 0; i < 8; ++i) {
    want.insert(std::to_string(i));
    bodies.push_back(Insert(std::to_string(i)));
  }

  for (const Status& st : RunAsOneGroup(*committer, bodies)) EXPECT_TRUE(st.ok());
  EXPECT_EQ(CommittedKeys(), want);
  // The gate's transaction, then one for all eight.
  const GroupCommitter::Stats stats = committer->stats();
  EXPECT_EQ(stats.calls_applied, 9u);
  EXPECT_EQ(stats.transactions_committed, 2u);
  EXPECT_EQ(merged_commits.load(), 1);  // a group of one is not "merged"
}

TEST_F(GroupCommitterTest, EveryCallReturnsAfterItsTransactionCommitted) {
  auto committer = MakeCommitter();
  constexpr int kCalls = 200;
  auto reader = Database::Open(path_);
  ASSERT_TRUE(reader.ok());
  auto count = (*reader)->Prepare("SELECT COUNT(*) FROM t WHERE k = ?1");
  ASSERT_TRUE(count.ok());
  std::mutex reader_mu;
  std::atomic<int> next{0};
  std::atomic<int> unseen{0};
  // Eight workers share the calls, so groups form; after each call its key must be visible to
  // another connection, which sees only committed data.
  auto worker = [&] {
    for (int i = next++; i < kCalls; i = next++) {
      const std::string key = std::to_string(i);
      if (!committer->Run(Insert(key)).ok()) {
        ++unseen;
        continue;
      }
      std::lock_guard lock(reader_mu);
      auto row = count->BindText(1, key).Step();
      if (!row.ok() || !*row || count->ColumnInt64(0) != 1) ++unseen;
      count->Reset();
    }
  };
  std::vector<std::thread> workers(8);
  for (std::thread& w : workers) w = std::thread(worker);
  for (std::thread& w : workers) w.join();
  EXPECT_EQ(unseen.load(), 0);
  EXPECT_EQ(committer->stats().calls_applied, static_cast<uint64_t>(kCalls));
}

TEST_F(GroupCommitterTest, CallsAreAppliedInArrivalOrder) {
  auto committer = MakeCommitter();
  std::vector<int> order;  // written by the bodies, which the committer serializes
  std::vector<Body> bodies;
  for (int i = 0; i < 6; ++i) {
    bodies.push_back([&order, i] {
      order.push_back(i);
      return Status::Ok();
    });
  }
  for (const Status& st : RunAsOneGroup(*committer, bodies)) EXPECT_TRUE(st.ok());
  EXPECT_EQ(order, (std::vector<int>{0, 1, 2, 3, 4, 5}));
}

TEST_F(GroupCommitterTest, AFailingCallIsRolledBackAloneAndTheOthersCommit) {
  auto committer = MakeCommitter();
  ASSERT_TRUE(committer->Run(Insert("taken")).ok());

  std::atomic<int> runs{0};
  std::vector<Body> bodies = {
      Insert("a", &runs),
      // Writes, then fails: its write must not survive.
      [&]() -> Status {
        ++runs;
        Status st = insert_.BindText(1, "partial").Run();
        if (!st.ok()) return st;
        return Error::Make(ErrorCode::kConflict, "refused by the body");
      },
      Insert("b", &runs),
      Insert("taken", &runs),  // a constraint violation reported by SQLite
      Insert("c", &runs),
  };
  std::vector<Status> results = RunAsOneGroup(*committer, bodies);

  EXPECT_TRUE(results[0].ok());
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code, ErrorCode::kConflict);
  EXPECT_EQ(results[1].error().message, "refused by the body");  // the body's own error
  EXPECT_TRUE(results[2].ok());
  ASSERT_FALSE(results[3].ok());
  EXPECT_NE(results[3].error().message.find("UNIQUE"), std::string::npos)
      << results[3].error().message;
  EXPECT_TRUE(results[4].ok());
  EXPECT_EQ(CommittedKeys(), (std::set<std::string>{"taken", "a", "b", "c"}));
  // Each body ran once: the failures were undone by their savepoints, not by a retry.
  EXPECT_EQ(runs.load(), 5);
  // "taken", the gate, and the group in one transaction.
  const GroupCommitter::Stats stats = committer->stats();
  EXPECT_EQ(stats.transactions_committed, 3u);
  EXPECT_EQ(stats.calls_applied, 5u);
}

TEST_F(GroupCommitterTest, AFailedMergedCommitRetriesEachCallAlone) {
  std::atomic<int> merged_commits{0};
  GroupCommitter::Options options;
  options.before_merged_commit = [&]() -> Status {
    ++merged_commits;
    return Error::Make(ErrorCode::kUnavailable, "injected disk error");
  };
  auto committer = MakeCommitter(options);

  std::atomic<int> good_runs{0};
  std::atomic<int> bad_runs{0};
  std::vector<Body> bodies = {
      Insert("a", &good_runs),
      [&]() -> Status {
        ++bad_runs;
        return Error::Make(ErrorCode::kInvalidParameter, "bad call");
      },
      Insert("b", &good_runs),
      Insert("c", &good_runs),
  };
  std::vector<Status> results = RunAsOneGroup(*committer, bodies);

  EXPECT_TRUE(results[0].ok());
  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().message, "bad call");
  EXPECT_TRUE(results[2].ok());
  EXPECT_TRUE(results[3].ok());
  EXPECT_EQ(CommittedKeys(), (std::set<std::string>{"a", "b", "c"}));
  EXPECT_EQ(merged_commits.load(), 1);
  // The good bodies ran merged, then once more alone; the bad one had failed on its own already
  // and was not retried.
  EXPECT_EQ(good_runs.load(), 6);
  EXPECT_EQ(bad_runs.load(), 1);
  // The gate and three calls, each in a transaction of its own.
  const GroupCommitter::Stats stats = committer->stats();
  EXPECT_EQ(stats.transactions_committed, 4u);
  EXPECT_EQ(stats.calls_applied, 4u);
}

TEST_F(GroupCommitterTest, MaxGroupSizeBoundsEachTransaction) {
  struct Case {
    size_t max_group_size;
    int calls;
    uint64_t transactions;  // including the gate's own
  };
  const Case cases[] = {
      {2, 5, 4},    // the gate, then 2 + 2 + 1
      {0, 3, 4},    // 0 counts as 1: every call alone
      {256, 5, 2},  // the default: all five together
  };
  for (const Case& c : cases) {
    SCOPED_TRACE("max_group_size " + std::to_string(c.max_group_size));
    GroupCommitter::Options options;
    options.max_group_size = c.max_group_size;
    auto committer = MakeCommitter(options);
    std::vector<Body> bodies;
    for (int i = 0; i < c.calls; ++i) {
      bodies.push_back(Insert(std::to_string(c.max_group_size) + "-" + std::to_string(i)));
    }
    for (const Status& st : RunAsOneGroup(*committer, bodies)) EXPECT_TRUE(st.ok());
    EXPECT_EQ(committer->stats().transactions_committed, c.transactions);
    EXPECT_EQ(committer->stats().calls_applied, static_cast<uint64_t>(c.calls) + 1);
  }
}

TEST_F(GroupCommitterTest, AThrowingBodyFailsWithoutStallingTheCommitter) {
  auto committer = MakeCommitter();
  std::vector<Body> bodies = {
      Insert("a"),
      []() -> Status { throw std::runtime_error("boom"); },
      Insert("b"),
  };
  std::vector<Status> results = RunAsOneGroup(*committer, bodies);

  ASSERT_FALSE(results[1].ok());
  EXPECT_EQ(results[1].error().code, ErrorCode::kInternal);
  EXPECT_EQ(results[1].error().message, "test: boom");
  // Whatever the others were told is true of the database.
  std::set<std::string> acknowledged;
  if (results[0].ok()) acknowledged.insert("a");
  if (results[2].ok()) acknowledged.insert("b");
  EXPECT_EQ(CommittedKeys(), acknowledged);
  // No transaction was left open, and the next caller can lead.
  EXPECT_TRUE(committer->Run(Insert("after")).ok());
  EXPECT_EQ(CommittedKeys().count("after"), 1u);
}

}  // namespace
}  // namespace lambdalite::storage::sqlite
