// Conformance suite for EventQueueStore (queue/event_queue_store.h). Every backend runs the same
// cases (value-parameterized), so the in-memory fake the dispatcher tests use cannot drift from
// the SQLite store. To add a backend, add a Backend subclass and list it in Backends().

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "queue/event_queue_store.h"
#include "queue/memory_event_queue.h"
#include "queue/queue_test_support.h"
#include "queue/sqlite_event_queue.h"

namespace lambdalite::queue {
namespace {

using testing_support::kScope;
using testing_support::kT0;
using testing_support::MakeEvent;
using testing_support::MakeOutcome;
using testing_support::TempDir;

constexpr int64_t kLease = 60'000;

// ---------------------------------------------------------------------------------------------
// Backends under test

class Backend {
 public:
  virtual ~Backend() = default;
  virtual EventQueueStore& store() = 0;
  // True when the data outlives the store object, so Reopen() keeps it.
  virtual bool persistent() const = 0;
  // Closes the store and opens a new one over the same data.
  virtual void Reopen() = 0;
};

class MemoryBackend final : public Backend {
 public:
  explicit MemoryBackend(RetentionOptions retention)
      : store_(std::make_unique<MemoryEventQueue>(retention)) {}
  EventQueueStore& store() override { return *store_; }
  bool persistent() const override { return false; }
  void Reopen() override {}

 private:
  std::unique_ptr<MemoryEventQueue> store_;
};

class SqliteBackend final : public Backend {
 public:
  explicit SqliteBackend(RetentionOptions retention) {
    options_.retention = retention;
    Reopen();
  }
  EventQueueStore& store() override { return *store_; }
  bool persistent() const override { return true; }
  void Reopen() override {
    store_.reset();
    auto opened = SqliteEventQueue::Open(dir_.File("lambdalite.db"), options_);
    ASSERT_TRUE(opened.ok()) << opened.error().message;
    store_ = std::move(opened).value();
  }

 private:
  TempDir dir_;
  SqliteEventQueue::Options options_;
  std::unique_ptr<SqliteEventQueue> store_;
};

struct BackendParam {
  std::string name;
  std::function<std::unique_ptr<Backend>(RetentionOptions)> make;
};

std::vector<BackendParam> Backends() {
  return {
      {"Memory", [](RetentionOptions r) { return std::make_unique<MemoryBackend>(r); }},
      {"Sqlite", [](RetentionOptions r) { return std::make_unique<SqliteBackend>(r); }},
  };
}

class EventQueueConformanceTest : public ::testing::TestWithParam<BackendParam> {
 protected:
  void SetUp() override { backend_ = GetParam().make(RetentionOptions{}); }
  void UseRetention(RetentionOptions retention) { backend_ = GetParam().make(retention); }
  EventQueueStore& store() { return backend_->store(); }

  void Enqueue(const Event& e) {
    Status st = store().Enqueue(e);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  std::vector<Event> Claim(int64_t now, int limit = 100, int64_t lease = kLease) {
    auto claimed = store().ClaimDue(now, lease, limit);
    EXPECT_TRUE(claimed.ok()) << claimed.error().message;
    return claimed.ok() ? std::move(claimed).value() : std::vector<Event>{};
  }
  std::vector<std::string> ClaimIds(int64_t now, int limit = 100) {
    std::vector<std::string> ids;
    for (const Event& e : Claim(now, limit)) ids.push_back(e.request_id);
    return ids;
  }
  Event ClaimOne(int64_t now) {
    std::vector<Event> claimed = Claim(now, 1);
    EXPECT_EQ(claimed.size(), 1u);
    return claimed.empty() ? Event{} : claimed.front();
  }
  void FinishOk(const Event& e, Condition c, int64_t finished_ms, bool delivered = true) {
    Status st = store().Finish(FinishedEvent{e, c, finished_ms, delivered});
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  std::optional<int64_t> NextVisible() {
    auto next = store().NextVisibleAt();
    EXPECT_TRUE(next.ok());
    return next.ok() ? *next : std::nullopt;
  }
  QueueCounts CountsOf(const std::string& fn, const domain::Scope& scope = kScope) {
    auto counts = store().Counts(scope, fn);
    EXPECT_TRUE(counts.ok());
    return counts.ok() ? *counts : QueueCounts{};
  }
  std::vector<FinishedEvent> RecentOf(const std::string& fn, int limit = 100) {
    auto recent = store().Recent(kScope, fn, limit);
    EXPECT_TRUE(recent.ok());
    return recent.ok() ? std::move(recent).value() : std::vector<FinishedEvent>{};
  }

  std::unique_ptr<Backend> backend_;
};

// ---------------------------------------------------------------------------------------------
// Enqueue and claim

TEST_P(EventQueueConformanceTest, ClaimReturnsTheEventAsEnqueuedWithANewLeaseGeneration) {
  Event e = MakeEvent("r1", kT0, "fn", "live");
  e.payload = std::string("{\"bytes\":\"\xe2\x82\xac\"}");
  e.attempts = 1;
  e.backoff_step = 2;
  e.last_error = "earlier";
  e.lease_generation = 99;  // ignored by Enqueue
  Enqueue(e);

  Event claimed = ClaimOne(kT0);
  Event expected = e;
  expected.lease_generation = 1;
  EXPECT_EQ(claimed, expected);
}

TEST_P(EventQueueConformanceTest, UnqualifiedEventAndOutcomeRoundTrip) {
  Event e = MakeEvent("r1");
  e.outcome = MakeOutcome();
  e.outcome->settings.on_success.reset();
  e.outcome->settings.reserved_concurrency.reset();
  Enqueue(e);
  Event claimed = ClaimOne(kT0);
  EXPECT_FALSE(claimed.qualifier.has_value());
  ASSERT_TRUE(claimed.outcome.has_value());
  EXPECT_EQ(*claimed.outcome, *e.outcome);
}

TEST_P(EventQueueConformanceTest, DuplicateRequestIdIsAConflictAndChangesNothing) {
  Enqueue(MakeEvent("r1"));
  Event again = MakeEvent("r1", kT0 - 5);
  again.payload = "{}";
  Status st = store().Enqueue(again);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);
  std::vector<Event> claimed = Claim(kT0);
  ASSERT_EQ(claimed.size(), 1u);
  EXPECT_EQ(claimed[0].payload, MakeEvent("r1").payload);
}

TEST_P(EventQueueConformanceTest, EmptyRequestIdIsRefused) {
  Status st = store().Enqueue(MakeEvent(""));
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kInternal);
}

TEST_P(EventQueueConformanceTest, NothingIsClaimedBeforeItIsVisible) {
  Event e = MakeEvent("r1");
  e.visible_at_ms = kT0 + 1000;
  Enqueue(e);
  EXPECT_TRUE(Claim(kT0 + 999).empty());
  EXPECT_EQ(ClaimIds(kT0 + 1000), std::vector<std::string>{"r1"});
}

TEST_P(EventQueueConformanceTest, ClaimsOldestVisibleFirstThenEnqueueOrderAndRespectsLimit) {
  Event late = MakeEvent("late");
  late.visible_at_ms = kT0 + 50;
  Enqueue(late);
  Enqueue(MakeEvent("b"));
  Enqueue(MakeEvent("a"));
  Event early = MakeEvent("early");
  early.visible_at_ms = kT0 - 50;
  Enqueue(early);

  EXPECT_EQ(ClaimIds(kT0 + 100, 3), (std::vector<std::string>{"early", "b", "a"}));
  EXPECT_EQ(ClaimIds(kT0 + 100, 3), std::vector<std::string>{"late"});
  EXPECT_TRUE(Claim(kT0 + 100).empty());
}

TEST_P(EventQueueConformanceTest, NonPositiveLimitClaimsNothing) {
  Enqueue(MakeEvent("r1"));
  EXPECT_TRUE(Claim(kT0, 0).empty());
  EXPECT_TRUE(Claim(kT0, -1).empty());
  EXPECT_EQ(ClaimIds(kT0), std::vector<std::string>{"r1"});
}

// ---------------------------------------------------------------------------------------------
// Leases

TEST_P(EventQueueConformanceTest, ALiveLeaseHidesTheEventAndAnExpiredOneCountsTheLostAttempt) {
  Enqueue(MakeEvent("r1"));
  Event first = ClaimOne(kT0);
  EXPECT_EQ(first.lease_generation, 1);
  EXPECT_EQ(first.attempts, 0);
  EXPECT_TRUE(Claim(kT0 + kLease - 1).empty());

  // The holder "crashed": the lease runs out and the event is claimed again.
  Event second = ClaimOne(kT0 + kLease);
  EXPECT_EQ(second.request_id, "r1");
  EXPECT_EQ(second.lease_generation, 2);
  EXPECT_EQ(second.attempts, 1);

  // The first holder came back: its writes are refused, the new holder's accepted.
  first.visible_at_ms = kT0 + 1;
  Status stale = store().Reschedule(first);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.error().code, ErrorCode::kConflict);
  Status stale_finish = store().Finish(FinishedEvent{first, Condition::kSuccess, kT0, true});
  ASSERT_FALSE(stale_finish.ok());
  EXPECT_EQ(stale_finish.error().code, ErrorCode::kConflict);
  second.visible_at_ms = kT0 + kLease + 10;
  EXPECT_TRUE(store().Reschedule(second).ok());
}

TEST_P(EventQueueConformanceTest, AnExpiredLeaseOfADeliveringEventDoesNotCountAnAttempt) {
  Event e = MakeEvent("r1");
  e.attempts = 3;
  e.outcome = MakeOutcome();
  Enqueue(e);
  ClaimOne(kT0);
  Event again = ClaimOne(kT0 + kLease);
  EXPECT_EQ(again.attempts, 3);
  EXPECT_EQ(again.lease_generation, 2);
}

TEST_P(EventQueueConformanceTest, AnExpiredButUnclaimedLeaseIsStillHeld) {
  Enqueue(MakeEvent("r1"));
  Event e = ClaimOne(kT0);
  e.visible_at_ms = kT0 + 2 * kLease;
  EXPECT_TRUE(store().Reschedule(e).ok());
}

TEST_P(EventQueueConformanceTest, RenewLeasesMovesTheExpiryOfLeasesStillHeld) {
  Enqueue(MakeEvent("a"));
  Enqueue(MakeEvent("b"));
  Enqueue(MakeEvent("c"));
  std::vector<Event> claimed = Claim(kT0, 3, 1000);
  ASSERT_EQ(claimed.size(), 3u);
  // c is finished: there is nothing left to renew.
  ASSERT_TRUE(store().Finish({claimed[2], Condition::kSuccess, kT0, true}).ok());
  std::vector<LeaseRef> leases;
  for (const Event& e : claimed) leases.push_back({e.request_id, e.lease_generation});
  leases.push_back({"a", claimed[0].lease_generation + 1});  // a generation nobody holds
  leases.push_back({"unknown", 1});
  // Renewed even after the expiry, as long as nobody re-claimed it.
  auto renewed = store().RenewLeases(leases, kT0 + 5000);
  ASSERT_TRUE(renewed.ok()) << renewed.error().message;
  EXPECT_EQ(*renewed, 2);
  EXPECT_TRUE(Claim(kT0 + 4999).empty());
  EXPECT_EQ(*store().NextVisibleAt(), kT0 + 5000);
  // Still held under the same generation: the holder may finish it.
  Event a = claimed[0];
  EXPECT_TRUE(store().Reschedule(a).ok());
  // Released: renewing it again is a no-op.
  EXPECT_EQ(*store().RenewLeases({{"a", a.lease_generation}}, kT0 + 9000), 0);
  EXPECT_EQ(ClaimIds(kT0 + 5000), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(*store().RenewLeases({}, kT0), 0);
}

TEST_P(EventQueueConformanceTest, RescheduleStoresTheMutableFieldsAndReleasesTheLease) {
  Enqueue(MakeEvent("r1"));
  Event e = ClaimOne(kT0);
  Event changed = e;
  changed.visible_at_ms = kT0 + 60'000;
  changed.attempts = 1;
  changed.backoff_step = 3;
  changed.last_error = "function error";
  changed.outcome = MakeOutcome();
  changed.payload = "not stored";
  changed.qualifier = "not stored";
  ASSERT_TRUE(store().Reschedule(changed).ok());
  EXPECT_EQ(CountsOf("fn").queued, 1);
  EXPECT_EQ(CountsOf("fn").in_flight, 0);

  EXPECT_TRUE(Claim(kT0 + 59'999).empty());
  Event again = ClaimOne(kT0 + 60'000);
  Event expected = changed;
  expected.payload = e.payload;
  expected.qualifier = e.qualifier;
  expected.lease_generation = 2;
  EXPECT_EQ(again, expected);
}

TEST_P(EventQueueConformanceTest, RescheduleNeedsALease) {
  Enqueue(MakeEvent("r1"));
  Event never_claimed = MakeEvent("r1");
  Status st = store().Reschedule(never_claimed);
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.error().code, ErrorCode::kConflict);

  Event e = ClaimOne(kT0);
  ASSERT_TRUE(store().Reschedule(e).ok());
  Status twice = store().Reschedule(e);
  ASSERT_FALSE(twice.ok());
  EXPECT_EQ(twice.error().code, ErrorCode::kConflict);

  Status unknown = store().Reschedule(MakeEvent("nope"));
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.error().code, ErrorCode::kConflict);
}

// ---------------------------------------------------------------------------------------------
// Finish, introspection, retention

TEST_P(EventQueueConformanceTest, AFinishedEventIsNeverClaimedAgainAndIsKeptForIntrospection) {
  Enqueue(MakeEvent("r1"));
  Event e = ClaimOne(kT0);
  e.attempts = 3;
  e.last_error = "delivery failed";
  e.outcome = MakeOutcome();
  FinishOk(e, Condition::kRetriesExhausted, kT0 + 500, false);

  EXPECT_TRUE(Claim(kT0 + 10 * kLease).empty());
  EXPECT_EQ(NextVisible(), std::nullopt);
  std::vector<FinishedEvent> recent = RecentOf("fn");
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].event, e);
  EXPECT_EQ(recent[0].condition, Condition::kRetriesExhausted);
  EXPECT_EQ(recent[0].finished_ms, kT0 + 500);
  EXPECT_FALSE(recent[0].delivered);

  Status again = store().Finish(FinishedEvent{e, Condition::kSuccess, kT0 + 600, true});
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.error().code, ErrorCode::kConflict);
  EXPECT_FALSE(store().Reschedule(e).ok());
  Status reused = store().Enqueue(MakeEvent("r1"));
  ASSERT_FALSE(reused.ok());
  EXPECT_EQ(reused.error().code, ErrorCode::kConflict);
}

TEST_P(EventQueueConformanceTest, FinishWithoutOutcomeKeepsNone) {
  Enqueue(MakeEvent("r1"));
  Event e = ClaimOne(kT0);
  FinishOk(e, Condition::kSuccess, kT0 + 1);
  std::vector<FinishedEvent> recent = RecentOf("fn");
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_FALSE(recent[0].event.outcome.has_value());
  EXPECT_TRUE(recent[0].delivered);
}

TEST_P(EventQueueConformanceTest, NextVisibleAtCoversWaitingAndLeasedEvents) {
  EXPECT_EQ(NextVisible(), std::nullopt);
  Event a = MakeEvent("a");
  a.visible_at_ms = kT0 + 5000;
  Enqueue(a);
  Event b = MakeEvent("b");
  b.visible_at_ms = kT0 + 3000;
  Enqueue(b);
  EXPECT_EQ(NextVisible(), kT0 + 3000);

  // b leased: the next moment something could be claimed is a's visibility (b's lease is later).
  ClaimOne(kT0 + 3000);
  EXPECT_EQ(NextVisible(), kT0 + 5000);
  // a leased too: now it is the end of b's lease.
  ClaimOne(kT0 + 5000);
  EXPECT_EQ(NextVisible(), kT0 + 3000 + kLease);
}

TEST_P(EventQueueConformanceTest, CountsArePerFunctionAndScope) {
  Enqueue(MakeEvent("w1", kT0, "fn"));
  Enqueue(MakeEvent("w2", kT0 + 10, "fn"));
  Enqueue(MakeEvent("s1", kT0 + 20, "fn"));
  Enqueue(MakeEvent("f1", kT0 + 30, "fn"));
  Enqueue(MakeEvent("other", kT0, "other-fn"));
  Event elsewhere = MakeEvent("elsewhere", kT0, "fn");
  elsewhere.scope.region = "eu-west-1";
  Enqueue(elsewhere);

  // Claims, oldest first: w1, other, elsewhere, w2, s1, f1.
  std::vector<Event> claimed = Claim(kT0 + 100, 100);
  ASSERT_EQ(claimed.size(), 6u);
  for (Event& e : claimed) {
    if (e.request_id == "s1") FinishOk(e, Condition::kSuccess, kT0 + 200);
    if (e.request_id == "f1") FinishOk(e, Condition::kEventAgeExceeded, kT0 + 200);
    if (e.request_id == "w2") {
      ASSERT_TRUE(store().Reschedule(e).ok());
    }
  }
  QueueCounts counts = CountsOf("fn");
  EXPECT_EQ(counts.queued, 1);     // w2
  EXPECT_EQ(counts.in_flight, 1);  // w1
  EXPECT_EQ(counts.succeeded, 1);
  EXPECT_EQ(counts.failed, 1);
  EXPECT_EQ(CountsOf("other-fn").in_flight, 1);
  domain::Scope eu = kScope;
  eu.region = "eu-west-1";
  EXPECT_EQ(CountsOf("fn", eu).in_flight, 1);
  EXPECT_EQ(CountsOf("unknown").queued, 0);
}

TEST_P(EventQueueConformanceTest, RecentIsNewestFirstWithTiesByLaterEnqueue) {
  for (const char* id : {"a", "b", "c", "d"}) Enqueue(MakeEvent(id));
  std::vector<Event> claimed = Claim(kT0);
  ASSERT_EQ(claimed.size(), 4u);
  FinishOk(claimed[0], Condition::kSuccess, kT0 + 30);  // a
  FinishOk(claimed[1], Condition::kSuccess, kT0 + 10);  // b
  FinishOk(claimed[2], Condition::kSuccess, kT0 + 10);  // c
  FinishOk(claimed[3], Condition::kSuccess, kT0 + 20);  // d
  std::vector<std::string> order;
  for (const FinishedEvent& f : RecentOf("fn")) order.push_back(f.event.request_id);
  EXPECT_EQ(order, (std::vector<std::string>{"a", "d", "c", "b"}));
  EXPECT_EQ(RecentOf("fn", 2).size(), 2u);
  EXPECT_TRUE(RecentOf("fn", 0).empty());
}

TEST_P(EventQueueConformanceTest, RetentionKeepsTheNewestFinishedPerFunction) {
  UseRetention(RetentionOptions{3, 1});
  for (int i = 0; i < 6; ++i) Enqueue(MakeEvent("e" + std::to_string(i)));
  Enqueue(MakeEvent("pending"));
  Enqueue(MakeEvent("x", kT0, "other-fn"));
  std::vector<Event> claimed = Claim(kT0);
  for (Event& e : claimed) {
    if (e.request_id == "pending") continue;
    FinishOk(e, e.request_id == "e0" ? Condition::kRetriesExhausted : Condition::kSuccess,
             kT0 + 100);
  }
  std::vector<std::string> kept;
  for (const FinishedEvent& f : RecentOf("fn")) kept.push_back(f.event.request_id);
  EXPECT_EQ(kept, (std::vector<std::string>{"e5", "e4", "e3"}));
  EXPECT_EQ(RecentOf("other-fn").size(), 1u);
  // Pending events are never pruned, and the totals outlive the pruned rows.
  QueueCounts counts = CountsOf("fn");
  EXPECT_EQ(counts.in_flight, 1);
  EXPECT_EQ(counts.succeeded, 5);
  EXPECT_EQ(counts.failed, 1);
  // A pruned request id is free again.
  EXPECT_TRUE(store().Enqueue(MakeEvent("e0")).ok());
}

TEST_P(EventQueueConformanceTest, RetentionPrunesEveryNthFinish) {
  UseRetention(RetentionOptions{2, 3});
  for (int i = 0; i < 7; ++i) Enqueue(MakeEvent("e" + std::to_string(i), kT0 + i));
  std::vector<Event> claimed = Claim(kT0 + 100);
  ASSERT_EQ(claimed.size(), 7u);
  const std::vector<size_t> expected_kept = {1, 2, 2, 3, 4, 2, 3};
  for (size_t i = 0; i < claimed.size(); ++i) {
    FinishOk(claimed[i], Condition::kSuccess, kT0 + 100 + static_cast<int64_t>(i));
    EXPECT_EQ(RecentOf("fn").size(), expected_kept[i]) << "after finish " << i + 1;
  }
}

// ---------------------------------------------------------------------------------------------
// Concurrency and persistence

TEST_P(EventQueueConformanceTest, ConcurrentEnqueuesAndClaimsLoseAndDuplicateNothing) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 50;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        Status st = store().Enqueue(MakeEvent("t" + std::to_string(t) + "-" + std::to_string(i)));
        EXPECT_TRUE(st.ok()) << st.error().message;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  threads.clear();

  std::mutex mu;
  std::multiset<std::string> seen;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      while (true) {
        auto claimed = store().ClaimDue(kT0, kLease, 7);
        ASSERT_TRUE(claimed.ok()) << claimed.error().message;
        if (claimed->empty()) return;
        for (Event& e : claimed.value()) {
          ASSERT_TRUE(store().Finish(FinishedEvent{e, Condition::kSuccess, kT0, true}).ok());
          std::lock_guard lock(mu);
          seen.insert(e.request_id);
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(seen.size(), static_cast<size_t>(kThreads * kPerThread));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
  EXPECT_EQ(CountsOf("fn").succeeded, kThreads * kPerThread);
}

TEST_P(EventQueueConformanceTest, EverythingSurvivesAReopen) {
  if (!backend_->persistent()) GTEST_SKIP() << "not persistent";
  Event waiting = MakeEvent("waiting");
  waiting.visible_at_ms = kT0 + 60'000;
  Enqueue(waiting);
  Enqueue(MakeEvent("leased"));
  Enqueue(MakeEvent("done"));
  std::vector<Event> claimed = Claim(kT0, 2);  // leased, done
  ASSERT_EQ(claimed.size(), 2u);
  claimed[1].attempts = 1;
  claimed[1].outcome = MakeOutcome(Condition::kSuccess);
  FinishOk(claimed[1], Condition::kSuccess, kT0 + 5);

  backend_->Reopen();
  QueueCounts counts = CountsOf("fn");
  EXPECT_EQ(counts.queued, 1);
  EXPECT_EQ(counts.in_flight, 1);
  EXPECT_EQ(counts.succeeded, 1);
  std::vector<FinishedEvent> recent = RecentOf("fn");
  ASSERT_EQ(recent.size(), 1u);
  EXPECT_EQ(recent[0].event, claimed[1]);
  // The lease taken before the reopen still holds, and still expires.
  EXPECT_TRUE(Claim(kT0 + 1).empty());
  EXPECT_TRUE(store().Reschedule(claimed[0]).ok());
  EXPECT_EQ(ClaimIds(kT0 + 60'000), (std::vector<std::string>{"leased", "waiting"}));
}

INSTANTIATE_TEST_SUITE_P(Backends, EventQueueConformanceTest, ::testing::ValuesIn(Backends()),
                         [](const ::testing::TestParamInfo<BackendParam>& param_info) {
                           return param_info.param.name;
                         });

}  // namespace
}  // namespace lambdalite::queue
