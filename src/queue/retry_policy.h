#pragma once

// AWS Lambda's retry rules for asynchronous invocations, as pure functions of the event, the
// settings that apply and the current time. No I/O, no clock: the dispatcher passes `now_ms`.
//
// The rules (AWS documentation "How Lambda handles errors and retries with asynchronous
// invocation", and the recordings in docs reference section 5.1):
//   - A function error (including a timeout) is retried up to MaximumRetryAttempts times
//     (default 2). Retry n waits 60 s * n after the failed attempt: 60 s before the first retry,
//     120 s before the second. When the retries are used up the event fails with
//     RetriesExhausted (approximateInvokeCount = attempts made).
//   - A throttle (429) or a system error does not consume a retry: the event goes back to the
//     queue with exponential backoff, 1 s after the first such failure, doubling, capped at 5 min.
//     The backoff restarts from 1 s after an attempt that ran.
//   - MaximumEventAgeInSeconds (default 21600) bounds the whole life of the event, with
//     look-ahead: when the next attempt would happen at or after accepted + max age, the event
//     fails now with EventAgeExceeded instead of waiting (AWS: age 60 s gives no retry at all;
//     age 90 s gives one retry after 60 s). An event already that old when claimed fails with
//     EventAgeExceeded without running. The age is reached at exactly accepted + max age.
//   - Reserved concurrency 0: the function can never run; the event fails at once with
//     ZeroReservedConcurrency.
//
// time_scale (> 0, default 1) divides every delay and the age limit. It is a testing aid only
// (LAMBDALITE_ASYNC_TIME_SCALE=60 turns the 1-minute retry wait into 1 s); production uses 1.
// A scaled delay is never shorter than 1 ms, so a rescheduled event is never due at the same
// instant it failed.

#include <cstdint>
#include <optional>
#include <string_view>

#include "common/result.h"
#include "queue/event.h"

namespace lambdalite::queue {

inline constexpr int64_t kFunctionErrorRetryStepMs = 60'000;  // retry n waits n * this
inline constexpr int64_t kBackoffBaseMs = 1'000;
inline constexpr int64_t kBackoffCapMs = 300'000;

// How an attempt (or the attempt that could not start) ended, as far as retries are concerned.
enum class AttemptKind {
  kSuccess,
  kFunctionError,   // the function ran and failed or timed out: uses a retry
  kThrottled,       // 429: no environment could be had; the function did not run
  kSystemError,     // the host failed (kUnavailable / kInternal); the function did not run
  kPermanentError,  // the event can never run (function or qualifier gone): no retry
};

struct RetryLimits {
  int max_retry_attempts = 2;
  int max_event_age_seconds = 21600;
  double time_scale = 1.0;
};

// What to do with an event after an attempt.
struct RetryDecision {
  bool retry = false;
  Condition condition = Condition::kSuccess;  // when !retry
  int attempts = 0;                           // the event's new approximateInvokeCount
  int backoff_step = 0;
  int64_t visible_at_ms = 0;  // when retry: the next attempt's time
};

// `ms` divided by the time scale, rounded to the nearest millisecond, at least 1 ms. A scale that
// is not a positive finite number counts as 1.
int64_t ScaleDelay(int64_t ms, double time_scale);
// The age limit in (scaled) milliseconds.
int64_t MaxEventAgeMs(const RetryLimits& limits);
// True when the event's age at `at_ms` has reached the limit.
bool AgeLimitReached(int64_t accepted_ms, const RetryLimits& limits, int64_t at_ms);
// The wait before function-error retry number `retry` (1-based): 60 s * retry, scaled.
int64_t FunctionErrorDelayMs(int retry, double time_scale);
// The wait after the `step`-th consecutive throttle / system error (0-based): 1 s * 2^step, capped
// at 5 min, scaled.
int64_t BackoffDelayMs(int step, double time_scale);

// Checks made when an event is claimed, before running it: the age limit (EventAgeExceeded),
// retries already used up (RetriesExhausted: attempts lost in crashes, or MaximumRetryAttempts
// lowered since the last attempt) and reserved concurrency 0 (ZeroReservedConcurrency), in that
// order. nullopt: run it.
std::optional<Condition> CheckBeforeAttempt(const Event& event, const RetryLimits& limits,
                                            std::optional<int> reserved_concurrency,
                                            int64_t now_ms);

// Decides the fate of `event` after an attempt of the given kind ended at `now_ms`. `event` is
// the event as it was before the attempt.
RetryDecision DecideAfterAttempt(const Event& event, AttemptKind kind, const RetryLimits& limits,
                                 int64_t now_ms);

// Parses a time scale such as "60" or "1.5": a finite number > 0. Anything else is kValidation.
Result<double> ParseTimeScale(std::string_view text);

}  // namespace lambdalite::queue
