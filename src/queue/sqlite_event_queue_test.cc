// SQLite-specific behaviour of the event queue: sharing the function store's file, group commit,
// the query plans that keep ClaimDue cheap, and durability across real process crashes. The
// semantics common to every store are in event_queue_conformance_test.cc.

#include "queue/sqlite_event_queue.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "queue/crash_test_support.h"
#include "queue/dispatcher.h"
#include "queue/queue_test_support.h"
#include "storage/sqlite/database.h"
#include "storage/sqlite/sqlite_store.h"

namespace lambdalite::queue {
namespace {

using storage::sqlite::Database;
using testing_support::CrashReport;
using testing_support::kScope;
using testing_support::kT0;
using testing_support::MakeEvent;
using testing_support::ReportFn;
using testing_support::RunAndKill;
using testing_support::TempDir;

std::unique_ptr<SqliteEventQueue> OpenQueue(const std::string& path,
                                            const SqliteEventQueue::Options& options = {}) {
  auto opened = SqliteEventQueue::Open(path, options);
  EXPECT_TRUE(opened.ok()) << opened.error().message;
  return opened.ok() ? std::move(opened).value() : nullptr;
}

// Every pending event of the store, by request id (claims them, under a 1 ms lease).
std::set<std::string> PendingIds(EventQueueStore& store, int64_t now = kT0 + 365LL * 86'400'000) {
  std::set<std::string> ids;
  auto claimed = store.ClaimDue(now, 1, 1'000'000);
  EXPECT_TRUE(claimed.ok());
  if (claimed.ok()) {
    for (const Event& e : claimed.value()) ids.insert(e.request_id);
  }
  return ids;
}

// The plan SQLite chooses for `sql`, as one string of its detail lines.
std::string QueryPlan(Database& db, const std::string& sql) {
  auto stmt = db.Prepare("EXPLAIN QUERY PLAN " + sql);
  EXPECT_TRUE(stmt.ok());
  if (!stmt.ok()) return "";
  std::string plan;
  while (true) {
    auto row = stmt->Step();
    if (!row.ok() || !*row) break;
    plan += std::string(stmt->ColumnText(3)) + "\n";
  }
  return plan;
}

TEST(SqliteEventQueueTest, SharesTheFunctionStoreFile) {
  TempDir dir;
  const std::string path = dir.File("lambdalite.db");
  auto functions = storage::sqlite::SqliteFunctionStore::Open(path);
  ASSERT_TRUE(functions.ok()) << functions.error().message;
  std::unique_ptr<SqliteEventQueue> queue = OpenQueue(path);
  ASSERT_NE(queue, nullptr);

  domain::FunctionMeta meta;
  meta.name = "fn";
  ASSERT_TRUE((*functions)->Apply({{storage::PutFunctionMeta{kScope, meta}}}).ok());
  ASSERT_TRUE(queue->Enqueue(MakeEvent("r1")).ok());

  functions.value().reset();
  queue.reset();
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  EXPECT_EQ((*db)->SchemaVersion("event_queue").value(),
            static_cast<int>(SqliteEventQueue::Migrations().size()));
  EXPECT_EQ((*db)->SchemaVersion("function_store").value(),
            static_cast<int>(storage::sqlite::SqliteFunctionStore::Migrations().size()));
  db.value().reset();

  auto reopened_functions = storage::sqlite::SqliteFunctionStore::Open(path);
  ASSERT_TRUE(reopened_functions.ok());
  EXPECT_EQ((*reopened_functions)->LoadAll().value().size(), 1u);
  queue = OpenQueue(path);
  EXPECT_EQ(PendingIds(*queue), std::set<std::string>{"r1"});
}

TEST(SqliteEventQueueTest, ClaimAndNextVisibleAtUseThePendingIndex) {
  TempDir dir;
  const std::string path = dir.File("q.db");
  ASSERT_NE(OpenQueue(path), nullptr);
  auto db = Database::Open(path);
  ASSERT_TRUE(db.ok());
  const std::string claim =
      QueryPlan(**db,
                "SELECT seq FROM async_events WHERE finished = 0 AND due_ms <= 5 "
                "ORDER BY due_ms, seq LIMIT 8");
  EXPECT_NE(claim.find("async_events_due"), std::string::npos) << claim;
  EXPECT_EQ(claim.find("TEMP B-TREE"), std::string::npos) << claim;  // no sort
  const std::string next =
      QueryPlan(**db, "SELECT MIN(due_ms) FROM async_events WHERE finished = 0");
  EXPECT_NE(next.find("async_events_due"), std::string::npos) << next;
  const std::string recent =
      QueryPlan(**db,
                "SELECT seq FROM async_events WHERE account = 'a' AND region = 'r' AND "
                "function_name = 'f' AND finished = 1 ORDER BY finished_ms DESC, seq DESC LIMIT 5");
  EXPECT_NE(recent.find("async_events_function"), std::string::npos) << recent;
  EXPECT_EQ(recent.find("TEMP B-TREE"), std::string::npos) << recent;
}

TEST(SqliteEventQueueTest, GroupCommitMergesConcurrentCalls) {
  TempDir dir;
  std::unique_ptr<SqliteEventQueue> queue = OpenQueue(dir.File("q.db"));
  ASSERT_NE(queue, nullptr);
  constexpr int kThreads = 8;
  constexpr int kPerThread = 40;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        EXPECT_TRUE(queue->Enqueue(MakeEvent(std::to_string(t) + "-" + std::to_string(i))).ok());
      }
    });
  }
  for (std::thread& t : threads) t.join();
  const SqliteEventQueue::Stats stats = queue->stats();
  EXPECT_EQ(stats.calls_applied, static_cast<uint64_t>(kThreads * kPerThread));
  EXPECT_LT(stats.transactions_committed, stats.calls_applied);
  EXPECT_EQ(PendingIds(*queue).size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(SqliteEventQueueTest, AFailedMergedCommitRetriesEachCallAlone) {
  TempDir dir;
  std::atomic<int> failed_commits{0};
  SqliteEventQueue::Options options;
  options.group_commit.before_merged_commit = [&]() -> Status {
    ++failed_commits;
    return Error::Make(ErrorCode::kUnavailable, "injected disk error");
  };
  std::unique_ptr<SqliteEventQueue> queue = OpenQueue(dir.File("q.db"), options);
  ASSERT_NE(queue, nullptr);
  // A duplicate inside a merged group fails alone; its neighbours commit.
  ASSERT_TRUE(queue->Enqueue(MakeEvent("dup")).ok());
  std::atomic<int> conflicts{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 30; ++i) {
        Status st =
            queue->Enqueue(MakeEvent(i == 7 ? "dup" : std::to_string(t) + "-" + std::to_string(i)));
        if (!st.ok()) {
          EXPECT_EQ(st.error().code, ErrorCode::kConflict) << st.error().message;
          ++conflicts;
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_GT(failed_commits.load(), 0) << "no merged commit happened";
  EXPECT_EQ(conflicts.load(), 8);
  EXPECT_EQ(PendingIds(*queue).size(), 8u * 29 + 1);
}

TEST(SqliteEventQueueTest, LeasesAndAttemptsSurviveAReopen) {
  TempDir dir;
  const std::string path = dir.File("q.db");
  std::unique_ptr<SqliteEventQueue> queue = OpenQueue(path);
  ASSERT_TRUE(queue->Enqueue(MakeEvent("r1")).ok());
  auto claimed = queue->ClaimDue(kT0, 60'000, 1);
  ASSERT_TRUE(claimed.ok());
  Event e = claimed->front();
  e.attempts = 1;
  e.visible_at_ms = kT0 + 60'000;
  ASSERT_TRUE(queue->Reschedule(e).ok());
  queue = OpenQueue(path);
  auto again = queue->ClaimDue(kT0 + 60'000, 60'000, 1);
  ASSERT_TRUE(again.ok());
  ASSERT_EQ(again->size(), 1u);
  EXPECT_EQ(again->front().attempts, 1);
  EXPECT_EQ(again->front().lease_generation, 2);
}

// ---------------------------------------------------------------------------------------------
// Real crashes (fork + SIGKILL)

TEST(SqliteEventQueueCrashTest, EveryAcknowledgedEnqueueSurvivesAKill) {
  TempDir dir;
  const std::string path = dir.File("q.db");
  ASSERT_NE(OpenQueue(path), nullptr);  // created and migrated before the child starts
  auto run = RunAndKill(
      [&](const ReportFn& report) {
        auto queue = SqliteEventQueue::Open(path);
        if (!queue.ok()) return;
        std::vector<std::thread> threads;
        for (int t = 0; t < 4; ++t) {
          threads.emplace_back([&, t] {
            for (int i = 0;; ++i) {
              const std::string id = std::to_string(t) + "-" + std::to_string(i);
              if ((*queue)->Enqueue(MakeEvent(id)).ok()) report(id);
            }
          });
        }
        for (std::thread& t : threads) t.join();
      },
      /*kill_after=*/200);
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_TRUE(run->killed);
  ASSERT_GE(run->lines.size(), 200u);

  std::unique_ptr<SqliteEventQueue> queue = OpenQueue(path);
  ASSERT_NE(queue, nullptr);
  const std::set<std::string> stored = PendingIds(*queue);
  for (const std::string& id : run->lines) EXPECT_TRUE(stored.contains(id)) << id << " lost";
}

TEST(SqliteEventQueueCrashTest, AnAttemptCutShortByACrashRunsAgainAfterTheLease) {
  TempDir dir;
  const std::string path = dir.File("q.db");
  {
    std::unique_ptr<SqliteEventQueue> queue = OpenQueue(path);
    ASSERT_TRUE(queue->Enqueue(MakeEvent("r1")).ok());
  }
  DispatcherOptions options;
  options.lease_ms = 60'000;

  // The child runs the dispatcher; its function "hangs" until the process is killed.
  struct HangingRunner final : EventRunner {
    const ReportFn* report = nullptr;
    Result<AttemptResult> Run(const Event& event) override {
      (*report)("running " + event.request_id + " attempts=" + std::to_string(event.attempts));
      while (true) ::pause();
    }
  };
  struct Settings final : AsyncSettingsSource {
    Result<AsyncSettings> Get(const domain::Scope&, const std::string&,
                              const std::string&) override {
      return AsyncSettings{};
    }
  };
  struct Sink final : OutcomeSink {
    std::vector<Condition> conditions;
    std::vector<int> counts;
    Status Deliver(const Event& event, Condition condition, const AttemptResult&,
                   const AsyncSettings&) override {
      conditions.push_back(condition);
      counts.push_back(event.attempts);
      return Status::Ok();
    }
  };
  auto run = RunAndKill(
      [&](const ReportFn& report) {
        auto queue = SqliteEventQueue::Open(path);
        if (!queue.ok()) return;
        FakeClock clock(kT0);
        HangingRunner runner;
        runner.report = &report;
        Settings settings;
        Sink sink;
        Dispatcher dispatcher(**queue, settings, runner, sink, clock, options);
        dispatcher.RunOnceForTest();
      },
      /*kill_after=*/1);
  ASSERT_TRUE(run.ok()) << run.error().message;
  ASSERT_TRUE(run->killed);
  ASSERT_EQ(run->lines, std::vector<std::string>{"running r1 attempts=0"});

  // After the crash: nothing to do until the lease expires, then the event runs again with the
  // lost attempt counted and the same request id.
  std::unique_ptr<SqliteEventQueue> queue = OpenQueue(path);
  FakeClock clock(kT0 + 1000);
  struct SucceedingRunner final : EventRunner {
    std::vector<std::pair<std::string, int>> seen;
    Result<AttemptResult> Run(const Event& event) override {
      seen.emplace_back(event.request_id, event.attempts);
      return AttemptResult{};
    }
  } runner;
  Settings settings;
  Sink sink;
  Dispatcher dispatcher(*queue, settings, runner, sink, clock, options);
  EXPECT_EQ(dispatcher.RunOnceForTest(), 0);
  EXPECT_EQ(queue->Counts(kScope, "fn")->in_flight, 1);
  clock.Set(kT0 + options.lease_ms);
  EXPECT_EQ(dispatcher.RunOnceForTest(), 1);
  ASSERT_EQ(runner.seen.size(), 1u);
  EXPECT_EQ(runner.seen[0], std::make_pair(std::string("r1"), 1));
  EXPECT_EQ(sink.conditions, std::vector<Condition>{Condition::kSuccess});
  EXPECT_EQ(sink.counts, std::vector<int>{2});
}

}  // namespace
}  // namespace lambdalite::queue

namespace lambdalite::queue {
namespace {

TEST(SqliteEventQueueTest, KeepsTheRecursionLineageAcrossAReopen) {
  testing_support::TempDir dir;
  const std::string path = dir.File("q.db");
  {
    std::unique_ptr<SqliteEventQueue> queue = OpenQueue(path);
    ASSERT_NE(queue, nullptr);
    Event event = testing_support::MakeEvent("r1");
    event.lineage = "0badf00d:5|12345678:1";
    ASSERT_TRUE(queue->Enqueue(event).ok());
  }
  std::unique_ptr<SqliteEventQueue> queue = OpenQueue(path);
  ASSERT_NE(queue, nullptr);
  auto claimed = queue->ClaimDue(testing_support::kT0 + 365LL * 86'400'000, 1, 10);
  ASSERT_TRUE(claimed.ok());
  ASSERT_EQ(claimed->size(), 1u);
  EXPECT_EQ(claimed->front().lineage, "0badf00d:5|12345678:1");
}

}  // namespace
}  // namespace lambdalite::queue
