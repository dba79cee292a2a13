// Table tests of AWS's async retry rules (queue/retry_policy.h).

#include "queue/retry_policy.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

namespace lambdalite::queue {
namespace {

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kS = 1000;

Event EventWith(int attempts, int backoff_step = 0, int64_t accepted_ms = kT0) {
  Event e;
  e.request_id = "r";
  e.accepted_ms = accepted_ms;
  e.attempts = attempts;
  e.backoff_step = backoff_step;
  return e;
}

TEST(RetryPolicyTest, Delays) {
  struct Row {
    int64_t got;
    int64_t want;
  };
  const std::vector<Row> rows = {
      {FunctionErrorDelayMs(1, 1.0), 60 * kS},
      {FunctionErrorDelayMs(2, 1.0), 120 * kS},
      {FunctionErrorDelayMs(1, 60.0), 1 * kS},
      {FunctionErrorDelayMs(2, 60.0), 2 * kS},
      {BackoffDelayMs(0, 1.0), 1 * kS},
      {BackoffDelayMs(1, 1.0), 2 * kS},
      {BackoffDelayMs(2, 1.0), 4 * kS},
      {BackoffDelayMs(8, 1.0), 256 * kS},
      {BackoffDelayMs(9, 1.0), 300 * kS},
      {BackoffDelayMs(1000, 1.0), 300 * kS},
      {BackoffDelayMs(-3, 1.0), 1 * kS},
      {BackoffDelayMs(0, 60.0), 17},        // 16.67 ms rounded
      {BackoffDelayMs(0, 1e9), 1},          // never below 1 ms
      {ScaleDelay(60 * kS, 0.0), 60 * kS},  // an invalid scale counts as 1
      {ScaleDelay(60 * kS, -2.0), 60 * kS},
      {MaxEventAgeMs(RetryLimits{2, 21600, 1.0}), 21600 * kS},
      {MaxEventAgeMs(RetryLimits{2, 60, 60.0}), 1 * kS},
  };
  for (size_t i = 0; i < rows.size(); ++i) EXPECT_EQ(rows[i].got, rows[i].want) << "row " << i;
}

TEST(RetryPolicyTest, DecideAfterAttempt) {
  struct Row {
    std::string name;
    Event before;
    AttemptKind kind;
    RetryLimits limits;
    int64_t now;
    RetryDecision want;
  };
  const RetryLimits defaults;
  auto retry = [](int attempts, int step, int64_t at) {
    return RetryDecision{true, Condition::kSuccess, attempts, step, at};
  };
  auto fail = [](Condition c, int attempts, int step = 0) {
    return RetryDecision{false, c, attempts, step, 0};
  };
  const std::vector<Row> rows = {
      {"success", EventWith(0), AttemptKind::kSuccess, defaults, kT0, fail(Condition::kSuccess, 1)},
      {"success after retries", EventWith(2), AttemptKind::kSuccess, defaults, kT0 + 180 * kS,
       fail(Condition::kSuccess, 3)},
      {"first error waits 60 s", EventWith(0), AttemptKind::kFunctionError, defaults, kT0,
       retry(1, 0, kT0 + 60 * kS)},
      {"second error waits 120 s", EventWith(1), AttemptKind::kFunctionError, defaults,
       kT0 + 60 * kS, retry(2, 0, kT0 + 180 * kS)},
      {"third error exhausts", EventWith(2), AttemptKind::kFunctionError, defaults, kT0 + 180 * kS,
       fail(Condition::kRetriesExhausted, 3)},
      {"zero retries", EventWith(0), AttemptKind::kFunctionError, RetryLimits{0, 21600, 1.0}, kT0,
       fail(Condition::kRetriesExhausted, 1)},
      {"negative retries count as zero", EventWith(0), AttemptKind::kFunctionError,
       RetryLimits{-1, 21600, 1.0}, kT0, fail(Condition::kRetriesExhausted, 1)},
      {"one retry", EventWith(1), AttemptKind::kFunctionError, RetryLimits{1, 21600, 1.0},
       kT0 + 60 * kS, fail(Condition::kRetriesExhausted, 2)},
      {"age 60: no retry", EventWith(0), AttemptKind::kFunctionError, RetryLimits{2, 60, 1.0}, kT0,
       fail(Condition::kEventAgeExceeded, 1)},
      {"age 90: one retry", EventWith(0), AttemptKind::kFunctionError, RetryLimits{2, 90, 1.0}, kT0,
       retry(1, 0, kT0 + 60 * kS)},
      {"age 90: then expired", EventWith(1), AttemptKind::kFunctionError, RetryLimits{2, 90, 1.0},
       kT0 + 60 * kS, fail(Condition::kEventAgeExceeded, 2)},
      {"age 61: the retry just fits", EventWith(0), AttemptKind::kFunctionError,
       RetryLimits{2, 61, 1.0}, kT0, retry(1, 0, kT0 + 60 * kS)},
      {"a slow attempt pushes the retry past the age", EventWith(0), AttemptKind::kFunctionError,
       RetryLimits{2, 61, 1.0}, kT0 + 1 * kS, fail(Condition::kEventAgeExceeded, 1)},
      {"error resets the backoff", EventWith(0, 4), AttemptKind::kFunctionError, defaults,
       kT0 + 15 * kS, retry(1, 0, kT0 + 75 * kS)},
      {"throttle: 1 s, no retry used", EventWith(0), AttemptKind::kThrottled, defaults, kT0,
       retry(0, 1, kT0 + 1 * kS)},
      {"throttle: doubling", EventWith(1, 3), AttemptKind::kThrottled, defaults, kT0,
       retry(1, 4, kT0 + 8 * kS)},
      {"throttle: capped", EventWith(0, 12), AttemptKind::kThrottled, defaults, kT0,
       retry(0, 13, kT0 + 300 * kS)},
      {"throttle: age look-ahead", EventWith(0, 5), AttemptKind::kThrottled,
       RetryLimits{2, 60, 1.0}, kT0 + 31 * kS, fail(Condition::kEventAgeExceeded, 0, 5)},
      {"throttle after retries keeps the count", EventWith(2, 0), AttemptKind::kThrottled,
       RetryLimits{2, 60, 1.0}, kT0 + 59 * kS, fail(Condition::kEventAgeExceeded, 2, 0)},
      {"system error like a throttle", EventWith(0, 2), AttemptKind::kSystemError, defaults, kT0,
       retry(0, 3, kT0 + 4 * kS)},
      {"permanent error", EventWith(1, 2), AttemptKind::kPermanentError, defaults, kT0,
       fail(Condition::kRetriesExhausted, 1, 2)},
      {"scaled retry", EventWith(0), AttemptKind::kFunctionError, RetryLimits{2, 21600, 60.0}, kT0,
       retry(1, 0, kT0 + 1 * kS)},
      {"scaled age", EventWith(0), AttemptKind::kFunctionError, RetryLimits{2, 60, 60.0}, kT0,
       fail(Condition::kEventAgeExceeded, 1)},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    const RetryDecision got = DecideAfterAttempt(row.before, row.kind, row.limits, row.now);
    EXPECT_EQ(got.retry, row.want.retry);
    if (!row.want.retry) {
      EXPECT_EQ(got.condition, row.want.condition);
    }
    EXPECT_EQ(got.attempts, row.want.attempts);
    EXPECT_EQ(got.backoff_step, row.want.backoff_step);
    if (row.want.retry) {
      EXPECT_EQ(got.visible_at_ms, row.want.visible_at_ms);
    }
  }
}

TEST(RetryPolicyTest, CheckBeforeAttempt) {
  struct Row {
    std::string name;
    Event event;
    RetryLimits limits;
    std::optional<int> reserved;
    int64_t now;
    std::optional<Condition> want;
  };
  const RetryLimits defaults;
  const std::vector<Row> rows = {
      {"fresh", EventWith(0), defaults, std::nullopt, kT0, std::nullopt},
      {"reserved 5", EventWith(0), defaults, 5, kT0, std::nullopt},
      {"reserved 0", EventWith(0), defaults, 0, kT0, Condition::kZeroReservedConcurrency},
      {"just younger than the limit", EventWith(0), RetryLimits{2, 60, 1.0}, std::nullopt,
       kT0 + 59'999, std::nullopt},
      {"at the limit", EventWith(0), RetryLimits{2, 60, 1.0}, std::nullopt, kT0 + 60 * kS,
       Condition::kEventAgeExceeded},
      {"age wins over zero concurrency", EventWith(0), RetryLimits{2, 60, 1.0}, 0, kT0 + 61 * kS,
       Condition::kEventAgeExceeded},
      {"scaled age", EventWith(0), RetryLimits{2, 60, 60.0}, std::nullopt, kT0 + 1 * kS,
       Condition::kEventAgeExceeded},
      {"attempts lost in crashes used the retries", EventWith(3), defaults, std::nullopt, kT0,
       Condition::kRetriesExhausted},
      {"one attempt left", EventWith(2), defaults, std::nullopt, kT0, std::nullopt},
  };
  for (const Row& row : rows) {
    SCOPED_TRACE(row.name);
    EXPECT_EQ(CheckBeforeAttempt(row.event, row.limits, row.reserved, row.now), row.want);
  }
}

TEST(RetryPolicyTest, ParseTimeScale) {
  EXPECT_EQ(ParseTimeScale("60").value(), 60.0);
  EXPECT_EQ(ParseTimeScale("1.5").value(), 1.5);
  for (const char* bad : {"", "0", "-1", "abc", "60s", "inf", "nan", "1e999"}) {
    Result<double> r = ParseTimeScale(bad);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_EQ(r.error().code, ErrorCode::kValidation);
  }
}

}  // namespace
}  // namespace lambdalite::queue
