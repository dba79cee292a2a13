// Dispatcher scenarios against AWS's recorded async behaviour (docs reference section 5.1), with a
// FakeClock: RunUntilIdle jumps the clock to each moment an event becomes due, so every attempt
// happens exactly when the store says it may, and the tests read the schedule off the runner.

#include "queue/dispatcher.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "common/clock.h"
#include "queue/memory_event_queue.h"
#include "queue/queue_test_support.h"
#include "queue/sqlite_event_queue.h"

namespace lambdalite::queue {
namespace {

using testing_support::kScope;
using testing_support::kT0;
using testing_support::MakeEvent;
using testing_support::TempDir;

constexpr int64_t kSecond = 1000;

// ---------------------------------------------------------------------------------------------
// Fakes

class FakeSettings final : public AsyncSettingsSource {
 public:
  // Settings of one qualifier; unknown qualifiers get the defaults.
  void Set(const std::string& qualifier, AsyncSettings settings) {
    std::lock_guard lock(mu_);
    by_qualifier_[qualifier] = std::move(settings);
  }
  void FailNext(int n) {
    std::lock_guard lock(mu_);
    failures_left_ = n;
  }
  std::vector<std::string> asked() {
    std::lock_guard lock(mu_);
    return asked_;
  }

  Result<AsyncSettings> Get(const domain::Scope& scope, const std::string& function_name,
                            const std::string& qualifier) override {
    std::lock_guard lock(mu_);
    EXPECT_EQ(scope, kScope);
    EXPECT_FALSE(function_name.empty());
    asked_.push_back(qualifier);
    if (failures_left_ > 0) {
      --failures_left_;
      return Error::Make(ErrorCode::kUnavailable, "settings store down");
    }
    auto it = by_qualifier_.find(qualifier);
    return it != by_qualifier_.end() ? it->second : AsyncSettings{};
  }

 private:
  std::mutex mu_;
  std::map<std::string, AsyncSettings> by_qualifier_;
  std::vector<std::string> asked_;
  int failures_left_ = 0;
};

struct RunCall {
  std::string request_id;
  int attempts_before = 0;
  int64_t at_ms = 0;
};

Result<AttemptResult> Succeeded(std::string payload = R"({"ok":true})") {
  AttemptResult r;
  r.status_code = 200;
  r.executed_version = "$LATEST";
  r.response_payload = std::move(payload);
  return r;
}

Result<AttemptResult> FunctionFailed() {
  AttemptResult r;
  r.status_code = 200;
  r.executed_version = "$LATEST";
  r.function_error = "Unhandled";
  r.response_payload = R"({"errorMessage":"boom","errorType":"Exception"})";
  return r;
}

Result<AttemptResult> Throttled() {
  return Error::Make(ErrorCode::kTooManyRequests, "Rate Exceeded.",
                     "ReservedFunctionConcurrentInvocationLimitExceeded");
}

class FakeRunner final : public EventRunner {
 public:
  explicit FakeRunner(const Clock& clock) : clock_(clock) {}

  // Answers used in order; once used up, every run answers `always`.
  void Script(std::vector<Result<AttemptResult>> answers) {
    std::lock_guard lock(mu_);
    script_.assign(answers.begin(), answers.end());
  }
  void Always(Result<AttemptResult> answer) {
    std::lock_guard lock(mu_);
    always_ = std::move(answer);
  }
  // Runs inside every Run, before answering (without the fake's lock).
  void OnRun(std::function<void(const Event&)> hook) { hook_ = std::move(hook); }

  std::vector<RunCall> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  // When each run happened, relative to kT0.
  std::vector<int64_t> times() {
    std::vector<int64_t> out;
    for (const RunCall& c : calls()) out.push_back(c.at_ms - kT0);
    return out;
  }

  Result<AttemptResult> Run(const Event& event) override {
    if (hook_) hook_(event);
    std::lock_guard lock(mu_);
    calls_.push_back({event.request_id, event.attempts, clock_.NowMillis()});
    if (script_.empty()) return always_;
    Result<AttemptResult> answer = std::move(script_.front());
    script_.pop_front();
    return answer;
  }

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::deque<Result<AttemptResult>> script_;
  Result<AttemptResult> always_ = Succeeded();
  std::function<void(const Event&)> hook_;
  std::vector<RunCall> calls_;
};

struct Delivery {
  std::string request_id;
  Condition condition;
  int approximate_invoke_count;
  AttemptResult result;
  AsyncSettings settings;
  int64_t at_ms;
  bool ok;
};

class FakeSink final : public OutcomeSink {
 public:
  explicit FakeSink(const Clock& clock) : clock_(clock) {}
  void FailNext(int n) {
    std::lock_guard lock(mu_);
    failures_left_ = n;
  }
  // Every call, failed ones included.
  std::vector<Delivery> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<Delivery> delivered() {
    std::vector<Delivery> out;
    for (const Delivery& d : calls()) {
      if (d.ok) out.push_back(d);
    }
    return out;
  }
  size_t delivered_count() { return delivered().size(); }

  Status Deliver(const Event& event, Condition condition, const AttemptResult& result,
                 const AsyncSettings& settings) override {
    std::lock_guard lock(mu_);
    const bool ok = failures_left_ == 0;
    if (!ok) --failures_left_;
    calls_.push_back(
        {event.request_id, condition, event.attempts, result, settings, clock_.NowMillis(), ok});
    if (!ok) return Error::Make(ErrorCode::kUnavailable, "destination unreachable");
    return Status::Ok();
  }

 private:
  const Clock& clock_;
  std::mutex mu_;
  std::vector<Delivery> calls_;
  int failures_left_ = 0;
};

// Holds every attempt inside the runner until Open(): lets a test act while an attempt is in
// flight.
class Gate {
 public:
  // Installs the gate in `runner`.
  void Attach(FakeRunner& runner) {
    runner.OnRun([this](const Event&) {
      std::unique_lock lock(mu_);
      entered_ = true;
      cv_.notify_all();
      cv_.wait(lock, [&] { return open_; });
    });
  }
  // True once an attempt is waiting at the gate (real time, at most 20 s).
  bool WaitEntered() {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(20), [&] { return entered_; });
  }
  void Open() {
    {
      std::lock_guard lock(mu_);
      open_ = true;
    }
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool entered_ = false;
  bool open_ = false;
};

// ---------------------------------------------------------------------------------------------
// Fixture

class DispatcherTest : public ::testing::Test {
 protected:
  Dispatcher& dispatcher() {
    if (dispatcher_ == nullptr) {
      dispatcher_ =
          std::make_unique<Dispatcher>(*store_, settings_, runner_, sink_, clock_, options_);
    }
    return *dispatcher_;
  }
  void Submit(const Event& e) {
    Status st = dispatcher().Submit(e);
    ASSERT_TRUE(st.ok()) << st.error().message;
  }
  // Runs whatever is due, then moves the clock to the next moment something becomes due, until
  // nothing is pending (or the next due time is after `limit_ms`).
  void RunUntilIdle(int64_t limit_ms = kT0 + 48LL * 3600 * kSecond) {
    for (int i = 0; i < 10'000; ++i) {
      dispatcher().RunOnceForTest();
      auto next = store_->NextVisibleAt();
      ASSERT_TRUE(next.ok());
      if (!next->has_value() || **next > limit_ms) return;
      clock_.Set(std::max(**next, clock_.NowMillis()));
    }
    FAIL() << "the queue never settled";
  }
  Delivery OnlyDelivery() {
    std::vector<Delivery> d = sink_.delivered();
    EXPECT_EQ(d.size(), 1u);
    return d.empty() ? Delivery{} : d.front();
  }
  AsyncSettings WithLimits(int max_retry_attempts, int max_event_age_seconds) {
    AsyncSettings s;
    s.max_retry_attempts = max_retry_attempts;
    s.max_event_age_seconds = max_event_age_seconds;
    return s;
  }
  FinishedEvent OnlyFinished() {
    auto recent = store_->Recent(kScope, "fn", 10);
    EXPECT_TRUE(recent.ok());
    EXPECT_EQ(recent->size(), 1u);
    return recent->empty() ? FinishedEvent{} : recent->front();
  }

  FakeClock clock_{kT0};
  std::unique_ptr<EventQueueStore> store_ = std::make_unique<MemoryEventQueue>();
  FakeSettings settings_;
  FakeRunner runner_{clock_};
  FakeSink sink_{clock_};
  DispatcherOptions options_;
  std::unique_ptr<Dispatcher> dispatcher_;
};

// ---------------------------------------------------------------------------------------------
// Outcomes (docs reference 5.1)

TEST_F(DispatcherTest, SuccessIsDeliveredOnceWithCountOne) {
  AsyncSettings settings;
  settings.on_success = "arn:aws:sqs:us-east-1:123456789012:ok";
  settings_.Set("$LATEST", settings);
  runner_.Always(Succeeded(R"({"answer":42})"));
  Submit(MakeEvent("r1"));
  RunUntilIdle();

  EXPECT_EQ(runner_.times(), std::vector<int64_t>{0});
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.request_id, "r1");
  EXPECT_EQ(d.condition, Condition::kSuccess);
  EXPECT_EQ(d.approximate_invoke_count, 1);
  EXPECT_TRUE(d.result.ran);
  EXPECT_EQ(d.result.response_payload, R"({"answer":42})");
  EXPECT_EQ(d.result.executed_version, "$LATEST");
  EXPECT_EQ(d.settings, settings);

  FinishedEvent f = OnlyFinished();
  EXPECT_EQ(f.condition, Condition::kSuccess);
  EXPECT_TRUE(f.delivered);
  EXPECT_EQ(f.event.attempts, 1);
  EXPECT_EQ(store_->Counts(kScope, "fn")->succeeded, 1);
}

TEST_F(DispatcherTest, FunctionErrorWithDefaultsRetriesAfter60AndThen120Seconds) {
  runner_.Always(FunctionFailed());
  Submit(MakeEvent("r1"));
  RunUntilIdle();

  EXPECT_EQ(runner_.times(), (std::vector<int64_t>{0, 60 * kSecond, 180 * kSecond}));
  for (const RunCall& c : runner_.calls()) EXPECT_EQ(c.request_id, "r1");
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kRetriesExhausted);
  EXPECT_EQ(d.approximate_invoke_count, 3);
  EXPECT_EQ(d.at_ms, kT0 + 180 * kSecond);
  EXPECT_EQ(d.result.function_error, "Unhandled");
  EXPECT_TRUE(d.result.ran);
  EXPECT_EQ(store_->Counts(kScope, "fn")->failed, 1);
  EXPECT_NE(OnlyFinished().event.last_error.find("boom"), std::string::npos);
}

TEST_F(DispatcherTest, ZeroRetriesEndsAfterTheFirstError) {
  settings_.Set("$LATEST", WithLimits(0, 21600));
  runner_.Always(FunctionFailed());
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), std::vector<int64_t>{0});
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kRetriesExhausted);
  EXPECT_EQ(d.approximate_invoke_count, 1);
}

TEST_F(DispatcherTest, MaxAge60GivesUpAtOnceWithoutWaiting) {
  settings_.Set("$LATEST", WithLimits(2, 60));
  runner_.Always(FunctionFailed());
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), std::vector<int64_t>{0});
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kEventAgeExceeded);
  EXPECT_EQ(d.approximate_invoke_count, 1);
  EXPECT_EQ(d.at_ms, kT0);
  EXPECT_TRUE(d.result.ran);
}

TEST_F(DispatcherTest, MaxAge90AllowsOneRetryAfter60Seconds) {
  settings_.Set("$LATEST", WithLimits(2, 90));
  runner_.Always(FunctionFailed());
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), (std::vector<int64_t>{0, 60 * kSecond}));
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kEventAgeExceeded);
  EXPECT_EQ(d.approximate_invoke_count, 2);
  EXPECT_EQ(d.at_ms, kT0 + 60 * kSecond);
}

TEST_F(DispatcherTest, ThrottlesBackOffExponentiallyUntilTheAgeLimit) {
  settings_.Set("$LATEST", WithLimits(2, 60));
  runner_.Always(Throttled());
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  // 1, 2, 4, 8, 16 s apart; the next wait (32 s) would end past 60 s.
  EXPECT_EQ(runner_.times(), (std::vector<int64_t>{0, 1 * kSecond, 3 * kSecond, 7 * kSecond,
                                                   15 * kSecond, 31 * kSecond}));
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kEventAgeExceeded);
  EXPECT_EQ(d.approximate_invoke_count, 0);
  EXPECT_FALSE(d.result.ran);
  EXPECT_EQ(d.result.status_code, 429);
}

TEST_F(DispatcherTest, ThrottleBackoffIsCappedAtFiveMinutes) {
  settings_.Set("$LATEST", WithLimits(2, 3600));
  runner_.Always(Throttled());
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  std::vector<int64_t> times = runner_.times();
  ASSERT_GE(times.size(), 12u);
  std::vector<int64_t> gaps;
  for (size_t i = 1; i < times.size(); ++i) gaps.push_back(times[i] - times[i - 1]);
  EXPECT_EQ(gaps[8], 256 * kSecond);
  EXPECT_EQ(gaps[9], 300 * kSecond);
  EXPECT_EQ(gaps.back(), 300 * kSecond);
  EXPECT_EQ(OnlyDelivery().condition, Condition::kEventAgeExceeded);
}

TEST_F(DispatcherTest, ThrottlesDoNotUseRetries) {
  runner_.Script({Throttled(), Throttled()});
  runner_.Always(FunctionFailed());
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(),
            (std::vector<int64_t>{0, 1 * kSecond, 3 * kSecond, 63 * kSecond, 183 * kSecond}));
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kRetriesExhausted);
  EXPECT_EQ(d.approximate_invoke_count, 3);
}

TEST_F(DispatcherTest, SystemErrorsBackOffLikeThrottles) {
  runner_.Script({Error::Make(ErrorCode::kUnavailable, "no sandbox"),
                  Error::Make(ErrorCode::kInternal, "runtime missing")});
  runner_.Always(Succeeded());
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), (std::vector<int64_t>{0, 1 * kSecond, 3 * kSecond}));
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kSuccess);
  EXPECT_EQ(d.approximate_invoke_count, 1);
}

TEST_F(DispatcherTest, ZeroReservedConcurrencyFailsAtOnceWithoutRunning) {
  AsyncSettings settings = WithLimits(0, 21600);
  settings.reserved_concurrency = 0;
  settings.on_failure = "arn:aws:sqs:us-east-1:123456789012:failures";
  settings_.Set("$LATEST", settings);
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_TRUE(runner_.calls().empty());
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kZeroReservedConcurrency);
  EXPECT_EQ(d.approximate_invoke_count, 0);
  EXPECT_FALSE(d.result.ran);
  EXPECT_EQ(d.at_ms, kT0);
}

TEST_F(DispatcherTest, AnEventTooOldWhenClaimedFailsWithoutRunning) {
  // Accepted six hours ago, e.g. while the server was down.
  Event old = MakeEvent("r1", kT0 - 21600 * kSecond);
  old.visible_at_ms = kT0;
  Submit(old);
  RunUntilIdle();
  EXPECT_TRUE(runner_.calls().empty());
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kEventAgeExceeded);
  EXPECT_EQ(d.approximate_invoke_count, 0);
  EXPECT_FALSE(d.result.ran);
}

TEST_F(DispatcherTest, TimeScaleDividesDelaysAndTheAgeLimit) {
  options_.time_scale = 60;
  runner_.Always(FunctionFailed());
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), (std::vector<int64_t>{0, 1 * kSecond, 3 * kSecond}));
  EXPECT_EQ(OnlyDelivery().approximate_invoke_count, 3);

  // MaximumEventAgeInSeconds=60 is 1 s at scale 60: the 1 s retry wait reaches it.
  settings_.Set("$LATEST", WithLimits(2, 60));
  Submit(MakeEvent("r2", clock_.NowMillis()));
  RunUntilIdle();
  std::vector<Delivery> d = sink_.delivered();
  ASSERT_EQ(d.size(), 2u);
  EXPECT_EQ(d[1].condition, Condition::kEventAgeExceeded);
  EXPECT_EQ(d[1].approximate_invoke_count, 1);
}

// ---------------------------------------------------------------------------------------------
// Settings, qualifiers and runner errors

TEST_F(DispatcherTest, SettingsAreReadForTheInvokedQualifierBeforeEveryAttempt) {
  settings_.Set("live", WithLimits(2, 21600));
  runner_.Always(FunctionFailed());
  runner_.OnRun([&](const Event&) {
    // During the first attempt the alias's config changes: the next attempt must see it.
    settings_.Set("live", WithLimits(1, 21600));
  });
  Submit(MakeEvent("r1", kT0, "fn", "live"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), (std::vector<int64_t>{0, 60 * kSecond}));
  EXPECT_EQ(OnlyDelivery().approximate_invoke_count, 2);
  EXPECT_EQ(settings_.asked(), (std::vector<std::string>{"live", "live"}));

  Submit(MakeEvent("unqualified", clock_.NowMillis()));
  RunUntilIdle();
  EXPECT_EQ(settings_.asked().back(), "$LATEST");
}

TEST_F(DispatcherTest, LoweringTheRetriesBelowTheAttemptsMadeStopsAtOnce) {
  runner_.Always(FunctionFailed());
  runner_.OnRun([&](const Event&) { settings_.Set("$LATEST", WithLimits(0, 21600)); });
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), std::vector<int64_t>{0});
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kRetriesExhausted);
  EXPECT_EQ(d.approximate_invoke_count, 1);
  EXPECT_EQ(d.at_ms, kT0 + 60 * kSecond);
}

TEST_F(DispatcherTest, AGoneFunctionEndsWithRetriesExhaustedWithoutRunning) {
  AsyncSettings gone;
  gone.function_exists = false;
  settings_.Set("$LATEST", gone);
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_TRUE(runner_.calls().empty());
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kRetriesExhausted);
  EXPECT_EQ(d.approximate_invoke_count, 0);
  EXPECT_FALSE(d.result.ran);
}

TEST_F(DispatcherTest, RunnerNotFoundAndOtherErrorsAreNotRetried) {
  runner_.Script({Error::Make(ErrorCode::kNotFound, "Function not found"),
                  Error::Make(ErrorCode::kInvalidParameter, "runtime not supported")});
  Submit(MakeEvent("r1"));
  Submit(MakeEvent("r2"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), (std::vector<int64_t>{0, 0}));
  std::vector<Delivery> d = sink_.delivered();
  ASSERT_EQ(d.size(), 2u);
  for (const Delivery& one : d) {
    EXPECT_EQ(one.condition, Condition::kRetriesExhausted);
    EXPECT_EQ(one.approximate_invoke_count, 0);
  }
}

TEST_F(DispatcherTest, UnavailableSettingsAreRetriedLikeASystemError) {
  settings_.FailNext(2);
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), std::vector<int64_t>{3 * kSecond});
  EXPECT_EQ(OnlyDelivery().condition, Condition::kSuccess);
}

// ---------------------------------------------------------------------------------------------
// Delivery

TEST_F(DispatcherTest, AFailedDeliveryIsRetriedWithBackoffWithoutRerunning) {
  sink_.FailNext(2);
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  EXPECT_EQ(runner_.calls().size(), 1u);
  std::vector<Delivery> calls = sink_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0].at_ms - kT0, 0);
  EXPECT_EQ(calls[1].at_ms - kT0, 1 * kSecond);
  EXPECT_EQ(calls[2].at_ms - kT0, 3 * kSecond);
  for (const Delivery& d : calls) {
    EXPECT_EQ(d.condition, Condition::kSuccess);
    EXPECT_EQ(d.approximate_invoke_count, 1);
    EXPECT_EQ(d.result.response_payload, R"({"ok":true})");
  }
  FinishedEvent f = OnlyFinished();
  EXPECT_TRUE(f.delivered);
  ASSERT_TRUE(f.event.outcome.has_value());
  EXPECT_EQ(f.event.outcome->delivery_attempts, 2);
}

TEST_F(DispatcherTest, DeliveryRetriesUseTheSettingsOfTheOutcome) {
  AsyncSettings settings;
  settings.on_success = "arn:aws:sqs:us-east-1:123456789012:first";
  settings_.Set("$LATEST", settings);
  sink_.FailNext(1);
  Submit(MakeEvent("r1"));
  dispatcher().RunOnceForTest();
  AsyncSettings changed;
  changed.on_success = "arn:aws:sqs:us-east-1:123456789012:second";
  settings_.Set("$LATEST", changed);
  RunUntilIdle();
  EXPECT_EQ(OnlyDelivery().settings, settings);
}

TEST_F(DispatcherTest, DeliveryGivesUpAfterTheWindowButKeepsTheError) {
  options_.delivery_retry_window_ms = 10 * kSecond;
  sink_.FailNext(1'000);
  Submit(MakeEvent("r1"));
  RunUntilIdle();
  // 0, 1, 3, 7 s; the next try (15 s) would be past the 10 s window.
  EXPECT_EQ(sink_.calls().size(), 4u);
  FinishedEvent f = OnlyFinished();
  EXPECT_FALSE(f.delivered);
  EXPECT_EQ(f.condition, Condition::kSuccess);
  EXPECT_NE(f.event.last_error.find("destination unreachable"), std::string::npos);
  EXPECT_EQ(f.finished_ms, kT0 + 7 * kSecond);
}

// ---------------------------------------------------------------------------------------------
// Leases and crashes

TEST_F(DispatcherTest, AnExpiredLeaseIsClaimedAgainWithTheSameRequestId) {
  Submit(MakeEvent("r1"));
  // A worker claims it and dies.
  ASSERT_EQ(store_->ClaimDue(kT0, options_.lease_ms, 10)->size(), 1u);
  EXPECT_EQ(dispatcher().RunOnceForTest(), 0);
  clock_.Advance(options_.lease_ms - 1);
  EXPECT_EQ(dispatcher().RunOnceForTest(), 0);
  clock_.Advance(1);
  EXPECT_EQ(dispatcher().RunOnceForTest(), 1);
  ASSERT_EQ(runner_.calls().size(), 1u);
  EXPECT_EQ(runner_.calls()[0].request_id, "r1");
  EXPECT_EQ(runner_.calls()[0].attempts_before, 1);  // the lost attempt counts
  EXPECT_EQ(OnlyDelivery().approximate_invoke_count, 2);
}

TEST_F(DispatcherTest, AttemptsLostInCrashesUseUpTheRetries) {
  settings_.Set("$LATEST", WithLimits(0, 21600));
  Submit(MakeEvent("r1"));
  ASSERT_EQ(store_->ClaimDue(kT0, options_.lease_ms, 10)->size(), 1u);
  clock_.Advance(options_.lease_ms);
  dispatcher().RunOnceForTest();
  EXPECT_TRUE(runner_.calls().empty());
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kRetriesExhausted);
  EXPECT_EQ(d.approximate_invoke_count, 1);
}

// ---------------------------------------------------------------------------------------------
// On SQLite

TEST_F(DispatcherTest, RetriesContinueAcrossAReopenOfTheSqliteStore) {
  TempDir dir;
  const std::string path = dir.File("lambdalite.db");
  auto open = [&] {
    auto opened = SqliteEventQueue::Open(path);
    EXPECT_TRUE(opened.ok());
    return std::move(opened).value();
  };
  store_ = open();
  runner_.Always(FunctionFailed());
  Submit(MakeEvent("r1"));
  dispatcher().RunOnceForTest();
  EXPECT_EQ(runner_.times(), std::vector<int64_t>{0});

  // Restart: new store over the same file, new dispatcher.
  dispatcher_.reset();
  store_ = open();
  RunUntilIdle();
  EXPECT_EQ(runner_.times(), (std::vector<int64_t>{0, 60 * kSecond, 180 * kSecond}));
  Delivery d = OnlyDelivery();
  EXPECT_EQ(d.condition, Condition::kRetriesExhausted);
  EXPECT_EQ(d.approximate_invoke_count, 3);
  EXPECT_EQ(OnlyFinished().event.attempts, 3);
}

// ---------------------------------------------------------------------------------------------
// Worker threads

// Polls `done` in real time; the workers run on their own threads.
bool Eventually(const std::function<bool()>& done,
                std::chrono::seconds limit = std::chrono::seconds(20)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  return done();
}

TEST_F(DispatcherTest, WorkersRunEverySubmittedEventOnce) {
  options_.workers = 4;
  dispatcher().Start();
  for (int i = 0; i < 200; ++i) Submit(MakeEvent("r" + std::to_string(i)));
  EXPECT_TRUE(Eventually([&] { return sink_.delivered_count() >= 200; }));
  EXPECT_TRUE(dispatcher().Stop());
  EXPECT_EQ(runner_.calls().size(), 200u);
  EXPECT_EQ(sink_.delivered_count(), 200u);
  EXPECT_EQ(store_->Counts(kScope, "fn")->succeeded, 200);
}

TEST_F(DispatcherTest, WorkersPickUpRetriesWhenWokenAfterTheClockMoves) {
  options_.workers = 2;
  settings_.Set("$LATEST", WithLimits(1, 21600));
  runner_.Always(FunctionFailed());
  dispatcher().Start();
  Submit(MakeEvent("r1"));
  // Rescheduled (not merely run): the retry time is fixed before the clock moves.
  ASSERT_TRUE(Eventually(
      [&] { return runner_.calls().size() == 1 && store_->Counts(kScope, "fn")->queued == 1; }));
  clock_.Advance(60 * kSecond);
  dispatcher().Wake();
  ASSERT_TRUE(Eventually([&] { return sink_.delivered_count() == 1; }));
  EXPECT_TRUE(dispatcher().Stop());
  EXPECT_EQ(runner_.times(), (std::vector<int64_t>{0, 60 * kSecond}));
  EXPECT_EQ(OnlyDelivery().approximate_invoke_count, 2);
}

TEST_F(DispatcherTest, StopLetsTheAttemptInFlightFinishAndReleasesUnstartedClaims) {
  options_.workers = 1;
  options_.claim_batch = 3;
  Gate gate;
  gate.Attach(runner_);
  for (const char* id : {"a", "b", "c"}) ASSERT_TRUE(store_->Enqueue(MakeEvent(id)).ok());
  dispatcher().Start();
  ASSERT_TRUE(gate.WaitEntered());
  // The attempt is blocked: a short grace period runs out.
  EXPECT_FALSE(dispatcher().Stop(std::chrono::milliseconds(20)));
  gate.Open();
  EXPECT_TRUE(dispatcher().Stop());

  EXPECT_EQ(runner_.calls().size(), 1u);
  EXPECT_EQ(sink_.delivered_count(), 1u);
  QueueCounts counts = *store_->Counts(kScope, "fn");
  EXPECT_EQ(counts.succeeded, 1);
  EXPECT_EQ(counts.queued, 2);  // released, not left leased
  EXPECT_EQ(counts.in_flight, 0);

  // Released events are due at once and their attempt counts are untouched.
  runner_.OnRun(nullptr);
  EXPECT_EQ(dispatcher().RunOnceForTest(), 2);
  for (const Delivery& d : sink_.delivered()) EXPECT_EQ(d.approximate_invoke_count, 1);
}

TEST_F(DispatcherTest, LeasesOfLongAttemptsAreRenewedAndACrashedHoldersExpireWithinOneLease) {
  options_.workers = 1;
  options_.lease_ms = 1000;
  options_.lease_renew_interval_ms = 5;
  Gate gate;
  gate.Attach(runner_);
  Submit(MakeEvent("long"));
  dispatcher().Start();
  ASSERT_TRUE(gate.WaitEntered());
  // The attempt runs far longer than the lease: the heartbeat keeps moving its expiry ahead, so
  // nobody else may claim it.
  clock_.Advance(10 * kSecond);
  ASSERT_TRUE(Eventually([&] {
    auto next = store_->NextVisibleAt();
    return next.ok() && next->has_value() && **next == clock_.NowMillis() + 1000;
  }));
  EXPECT_TRUE(store_->ClaimDue(clock_.NowMillis(), 1000, 10)->empty());
  gate.Open();
  ASSERT_TRUE(Eventually([&] { return sink_.delivered_count() == 1; }));
  EXPECT_TRUE(dispatcher().Stop());
  EXPECT_EQ(OnlyDelivery().approximate_invoke_count, 1);

  // A holder that dies renews nothing: its event is due one lease after its claim.
  Submit(MakeEvent("orphan"));
  ASSERT_EQ(store_->ClaimDue(clock_.NowMillis(), options_.lease_ms, 10)->size(), 1u);
  EXPECT_EQ(*store_->NextVisibleAt(), clock_.NowMillis() + 1000);
}

TEST_F(DispatcherTest, StartAfterStopRunsAgain) {
  dispatcher().Start();
  EXPECT_TRUE(dispatcher().Stop());
  dispatcher().Start();
  Submit(MakeEvent("r1"));
  EXPECT_TRUE(Eventually([&] { return sink_.delivered_count() == 1; }));
  EXPECT_TRUE(dispatcher().Stop());
}

}  // namespace
}  // namespace lambdalite::queue
