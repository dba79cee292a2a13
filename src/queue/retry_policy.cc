#include "queue/retry_policy.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <string>

namespace lambdalite::queue {
namespace {

double EffectiveScale(double time_scale) {
  return (std::isfinite(time_scale) && time_scale > 0) ? time_scale : 1.0;
}

RetryDecision Fail(Condition condition, int attempts, int backoff_step) {
  RetryDecision d;
  d.retry = false;
  d.condition = condition;
  d.attempts = attempts;
  d.backoff_step = backoff_step;
  return d;
}

// Retries after `delay_ms` unless the next attempt would already be past the age limit, in which
// case AWS gives up now rather than wait for nothing.
RetryDecision RetryOrExpire(const Event& event, const RetryLimits& limits, int64_t now_ms,
                            int64_t delay_ms, int attempts, int next_backoff_step) {
  const int64_t next = now_ms + delay_ms;
  if (AgeLimitReached(event.accepted_ms, limits, next)) {
    return Fail(Condition::kEventAgeExceeded, attempts, event.backoff_step);
  }
  RetryDecision d;
  d.retry = true;
  d.attempts = attempts;
  d.backoff_step = next_backoff_step;
  d.visible_at_ms = next;
  return d;
}

}  // namespace

int64_t ScaleDelay(int64_t ms, double time_scale) {
  const int64_t scaled = std::llround(static_cast<double>(ms) / EffectiveScale(time_scale));
  return std::max<int64_t>(1, scaled);
}

int64_t MaxEventAgeMs(const RetryLimits& limits) {
  const int64_t seconds = std::max(0, limits.max_event_age_seconds);
  return static_cast<int64_t>(
      std::llround(static_cast<double>(seconds) * 1000.0 / EffectiveScale(limits.time_scale)));
}

bool AgeLimitReached(int64_t accepted_ms, const RetryLimits& limits, int64_t at_ms) {
  return at_ms - accepted_ms >= MaxEventAgeMs(limits);
}

int64_t FunctionErrorDelayMs(int retry, double time_scale) {
  return ScaleDelay(kFunctionErrorRetryStepMs * std::max(1, retry), time_scale);
}

int64_t BackoffDelayMs(int step, double time_scale) {
  // 2^9 s already exceeds the cap; clamping the exponent keeps the shift defined.
  const int exponent = std::clamp(step, 0, 20);
  const int64_t delay = std::min(kBackoffCapMs, kBackoffBaseMs << exponent);
  return ScaleDelay(delay, time_scale);
}

std::optional<Condition> CheckBeforeAttempt(const Event& event, const RetryLimits& limits,
                                            std::optional<int> reserved_concurrency,
                                            int64_t now_ms) {
  if (AgeLimitReached(event.accepted_ms, limits, now_ms)) return Condition::kEventAgeExceeded;
  // A normal failure decides RetriesExhausted right after its attempt; the allowance can only be
  // used up here by attempts lost with a crashed holder, or by MaximumRetryAttempts lowered
  // since the last attempt (the configuration current when the event runs applies).
  if (event.attempts > std::max(0, limits.max_retry_attempts)) {
    return Condition::kRetriesExhausted;
  }
  if (reserved_concurrency.has_value() && *reserved_concurrency == 0) {
    return Condition::kZeroReservedConcurrency;
  }
  return std::nullopt;
}

RetryDecision DecideAfterAttempt(const Event& event, AttemptKind kind, const RetryLimits& limits,
                                 int64_t now_ms) {
  switch (kind) {
    case AttemptKind::kSuccess:
      return Fail(Condition::kSuccess, event.attempts + 1, 0);
    case AttemptKind::kFunctionError: {
      const int attempts = event.attempts + 1;
      const int retries_used = attempts - 1;
      if (retries_used >= std::max(0, limits.max_retry_attempts)) {
        return Fail(Condition::kRetriesExhausted, attempts, 0);
      }
      // Retry number `attempts`: the first retry follows the first attempt.
      return RetryOrExpire(event, limits, now_ms, FunctionErrorDelayMs(attempts, limits.time_scale),
                           attempts, 0);
    }
    case AttemptKind::kThrottled:
    case AttemptKind::kSystemError:
      return RetryOrExpire(event, limits, now_ms,
                           BackoffDelayMs(event.backoff_step, limits.time_scale), event.attempts,
                           event.backoff_step + 1);
    case AttemptKind::kPermanentError:
      return Fail(Condition::kRetriesExhausted, event.attempts, event.backoff_step);
  }
  return Fail(Condition::kRetriesExhausted, event.attempts, event.backoff_step);
}

Result<double> ParseTimeScale(std::string_view text) {
  const std::string copy(text);
  char* end = nullptr;
  errno = 0;
  const double value = copy.empty() ? 0 : std::strtod(copy.c_str(), &end);
  if (copy.empty() || end != copy.c_str() + copy.size() || errno != 0 || !std::isfinite(value) ||
      value <= 0) {
    return Error::Make(ErrorCode::kValidation,
                       "time scale must be a number greater than 0, got '" + copy + "'");
  }
  return value;
}

}  // namespace lambdalite::queue
