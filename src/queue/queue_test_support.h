#pragma once

// Helpers shared by the queue tests: temporary directories and event builders.

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <optional>
#include <string>
#include <utility>

#include "common/temp_dir_testing.h"
#include "queue/event.h"

namespace lambdalite::queue::testing_support {

inline const domain::Scope kScope{"123456789012", "us-east-1"};
inline constexpr int64_t kT0 = 1'700'000'000'000;

// Scratch directories named lambdalite_queue_XXXXXX.
class TempDir : public lambdalite::testing_support::TempDir {
 public:
  TempDir() : lambdalite::testing_support::TempDir("lambdalite_queue_") {}
};

// A new waiting event of `function_name`, accepted and visible at `accepted_ms`.
inline Event MakeEvent(const std::string& request_id, int64_t accepted_ms = kT0,
                       const std::string& function_name = "fn",
                       std::optional<std::string> qualifier = std::nullopt) {
  Event e;
  e.request_id = request_id;
  e.scope = kScope;
  e.function_name = function_name;
  e.qualifier = std::move(qualifier);
  e.payload = R"({"id":")" + request_id + R"("})";
  e.accepted_ms = accepted_ms;
  e.visible_at_ms = accepted_ms;
  return e;
}

// An outcome with every field set to something other than its default.
inline Outcome MakeOutcome(Condition condition = Condition::kRetriesExhausted) {
  Outcome o;
  o.condition = condition;
  o.result.status_code = 200;
  o.result.executed_version = "7";
  o.result.function_error = "Unhandled";
  o.result.response_payload = R"({"errorMessage":"boom"})";
  o.result.ran = true;
  o.settings.function_exists = true;
  o.settings.max_retry_attempts = 1;
  o.settings.max_event_age_seconds = 600;
  o.settings.on_success = "arn:aws:sqs:us-east-1:123456789012:ok";
  o.settings.on_failure = "arn:aws:sns:us-east-1:123456789012:bad";
  o.settings.dead_letter_target_arn = "arn:aws:sqs:us-east-1:123456789012:dlq";
  o.settings.reserved_concurrency = 5;
  o.decided_ms = kT0 + 123;
  o.delivery_attempts = 2;
  return o;
}

}  // namespace lambdalite::queue::testing_support
