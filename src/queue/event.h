#pragma once

// Values of the asynchronous-invocation pipeline. Pure data.

#include <cstdint>
#include <optional>
#include <string>

#include "domain/function.h"

namespace lambdalite::queue {

// Why an event ended.
enum class Condition {
  kSuccess,
  kRetriesExhausted,
  kEventAgeExceeded,
  kZeroReservedConcurrency,
};

// AWS's spelling of a condition in the invocation record ("Success", "RetriesExhausted", ...).
constexpr const char* ConditionName(Condition condition) {
  switch (condition) {
    case Condition::kSuccess:
      return "Success";
    case Condition::kRetriesExhausted:
      return "RetriesExhausted";
    case Condition::kEventAgeExceeded:
      return "EventAgeExceeded";
    case Condition::kZeroReservedConcurrency:
      return "ZeroReservedConcurrency";
  }
  return "RetriesExhausted";
}

// What the last attempt returned, for the invocation record.
struct AttemptResult {
  int status_code = 200;
  std::string executed_version;
  std::string function_error;  // "Unhandled" or empty
  std::string response_payload;
  bool ran = false;  // false when the function never ran (throttled, zero concurrency)
  friend bool operator==(const AttemptResult&, const AttemptResult&) = default;
};

// The asynchronous-invocation settings that apply to one event: those of the qualifier it was
// invoked with ($LATEST when unqualified), read fresh before every attempt, with AWS's defaults.
struct AsyncSettings {
  bool function_exists = true;  // false: the function or the invoked qualifier is gone
  int max_retry_attempts = 2;
  int max_event_age_seconds = 21600;
  std::optional<std::string> on_success;              // destination ARN
  std::optional<std::string> on_failure;              // destination ARN
  std::optional<std::string> dead_letter_target_arn;  // the function's DeadLetterConfig
  std::optional<int> reserved_concurrency;
  friend bool operator==(const AsyncSettings&, const AsyncSettings&) = default;
};

// The final outcome of an event, decided by the dispatcher. It is stored with the event so that a
// failed destination / DLQ delivery can be retried later (even after a restart) with exactly the
// record and the destinations that applied when the outcome was reached.
struct Outcome {
  Condition condition = Condition::kSuccess;
  AttemptResult result;
  AsyncSettings settings;  // as read for the attempt that decided the outcome
  int64_t decided_ms = 0;
  int delivery_attempts = 0;  // failed OutcomeSink::Deliver calls so far
  friend bool operator==(const Outcome&, const Outcome&) = default;
};

// One accepted InvocationType=Event invocation. Every attempt keeps `request_id`.
struct Event {
  std::string request_id;
  domain::Scope scope;
  std::string function_name;
  std::optional<std::string> qualifier;  // as the caller invoked it ($LATEST, version or alias)
  std::string payload;
  // The recursion lineage the invocation came with (domain/recursion.h); counted when it runs.
  std::string lineage;
  int64_t accepted_ms = 0;    // when Invoke answered 202 (the event's age counts from here)
  int64_t visible_at_ms = 0;  // not claimable before this time (retry delays live here)
  int attempts = 0;           // function invocations made so far (approximateInvokeCount)
  int backoff_step = 0;       // throttle / system-error backoff exponent (does not use a retry)
  std::string last_error;     // for introspection

  // Claim generation, maintained by the store: ClaimDue increments it and returns the new value.
  // Reschedule and Finish are refused with kConflict unless it still matches the stored one, so a
  // worker whose lease expired and whose event was claimed again elsewhere cannot overwrite the
  // newer holder's progress. Ignored by Enqueue.
  int64_t lease_generation = 0;

  // Set once the final outcome is decided. A pending event with an outcome is "delivering": it is
  // never run again; it is claimed only to retry OutcomeSink::Deliver.
  std::optional<Outcome> outcome;

  friend bool operator==(const Event&, const Event&) = default;
};

}  // namespace lambdalite::queue
