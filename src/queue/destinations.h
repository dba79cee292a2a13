#pragma once

// Delivery of an asynchronous invocation's outcome: the invocation record to the OnSuccess /
// OnFailure destination, and the original event to the function's dead-letter queue.

#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/sqs_client.h"
#include "common/clock.h"
#include "common/result.h"
#include "queue/event.h"

namespace lambdalite::queue {

// Where one event's outcome goes, resolved by the caller from the event invoke config of the
// invoked qualifier and the function's configuration.
struct DeliveryTargets {
  std::optional<std::string> on_success;              // DestinationConfig.OnSuccess.Destination
  std::optional<std::string> on_failure;              // DestinationConfig.OnFailure.Destination
  std::optional<std::string> dead_letter_target_arn;  // FunctionConfig DeadLetterConfig.TargetArn
  // The invoked function's ARN, always qualified ("...:function:name:$LATEST" for an unqualified
  // invoke): the record's functionArn and the second EventBridge resource.
  std::string function_arn_qualified;
};

// The targets `settings` (as the dispatcher read them for the deciding attempt) give for `event`;
// the function ARN is qualified with the invoked qualifier, "$LATEST" when there was none.
DeliveryTargets TargetsFor(const Event& event, const AsyncSettings& settings);

// Queues an asynchronous invoke of `function_arn` with `payload` (a Lambda destination). Supplied
// by the wiring, which owns the event queue; errors are retried like any failed delivery.
using InvokeFunctionAsync =
    std::function<Status(const std::string& function_arn, const std::string& payload)>;

// What has been delivered for one event's outcome, so that retrying Deliver repeats only what
// failed: a destination that already took the record must not get it twice.
struct DeliveryProgress {
  // The record's timestamp, fixed by the first attempt so every retry sends the same record (and
  // writes the same S3 key, which makes a repeated S3 write an overwrite). 0 = not yet fixed; the
  // first attempt then takes event.outcome->decided_ms (stable across restarts too), or the
  // current time for an event without an outcome.
  int64_t record_time_ms = 0;
  // Keys (DestinationKey, DeadLetterKey) of the deliveries that succeeded or were dropped for good.
  std::set<std::string> done;
};

// Sends outcomes to destinations and dead-letter queues.
//
// Routing, by the target ARN's service:
//   sqs     SendMessage, body = invocation record
//   sns     Publish, message = invocation record
//   events  PutEvents on the bus: source "lambda" (what AWS sends; its guide says "aws.lambda"),
//           detail-type "Lambda Function Invocation Result - Success|Failure", detail = record,
//           resources [bus ARN, qualified function ARN]
//   s3      (OnFailure only) PutObject of the record, key
//           aws/lambda/async/<function>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid> (AWS's documented
//           naming; the uuid is derived from the request id, see S3ObjectKey)
//   lambda  the InvokeFunctionAsync callback with the record as payload
// Success goes to on_success. A final failure (RetriesExhausted, EventAgeExceeded,
// ZeroReservedConcurrency) goes to on_failure and, independently, to the dead-letter queue (SQS or
// SNS), which gets the original payload verbatim with the attributes of DeadLetterAttributes().
//
// Retry contract: Deliver attempts every pending target, even after one fails, and returns
// kUnavailable naming the failed ones when any failed; the caller retries later. A target is
// never delivered twice by this process: progress is kept per event (see DeliveryProgress), either
// by the caller or, with the four-argument Deliver, in a table here keyed by request id, dropped
// when the event is fully delivered (or, as the dispatcher gives up after a day without telling
// anyone, two days after the outcome). The table is in memory, so after a restart an event may be
// delivered again to a target that already had it (at-least-once, as the dispatcher documents);
// the S3 object is the exception, its key being a function of the event and its outcome time.
// Targets that can never work (an ARN of an unsupported service, S3 for success, a Lambda target
// without a callback) are logged and dropped, as AWS drops them with a DestinationDeliveryFailures
// metric, rather than retried forever.
//
// Thread-safe: different events may be delivered concurrently. `http` and `clock` must outlive
// this object.
class DestinationDelivery {
 public:
  DestinationDelivery(aws::HttpClient* http, aws::Config config,
                      InvokeFunctionAsync invoke_function, const Clock* clock = nullptr);

  // Delivers with progress kept in this object (matches the dispatcher's OutcomeSink::Deliver).
  Status Deliver(const Event& event, Condition condition, const AttemptResult& last,
                 const DeliveryTargets& targets);

  // Delivers what `progress` does not list as done, and adds what succeeds to it. For callers that
  // keep progress themselves (for example durably, next to the event).
  Status Deliver(const Event& event, Condition condition, const AttemptResult& last,
                 const DeliveryTargets& targets, DeliveryProgress* progress);

  // Drops the progress kept for `request_id`, for a caller that gives up on an event.
  void Forget(const std::string& request_id);
  // Events with a delivery still pending in the internal table.
  size_t PendingCount() const;

  // The progress key of a destination delivery and of a dead-letter delivery to `arn`. A queue can
  // be both an event's OnFailure destination and its DLQ; the two messages differ, so the keys do.
  static std::string DestinationKey(std::string_view arn) {
    return "destination " + std::string(arn);
  }
  static std::string DeadLetterKey(std::string_view arn) {
    return "dead-letter " + std::string(arn);
  }

  // aws/lambda/async/<function_name>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid> for `time_ms` (UTC).
  // AWS uses a random UUID; this one is derived from the request id (SHA-256, RFC 9562 version 8
  // layout) so that retries of the same record overwrite one object instead of adding copies.
  static std::string S3ObjectKey(std::string_view function_name, std::string_view request_id,
                                 int64_t time_ms);

  // The message attributes AWS puts on a dead-letter message: RequestID (String), ErrorCode
  // (Number: the status code of the last invoke, "200" for a function error) and ErrorMessage
  // (String: the errorMessage of the function's error payload, else the dispatcher's last_error,
  // else the condition name; at most the first 1 KB, as AWS documents).
  static aws::MessageAttributes DeadLetterAttributes(const Event& event, Condition condition,
                                                     const AttemptResult& last);

 private:
  // How one target's attempt ended.
  enum class TargetResult { kDelivered, kDropped, kFailed };

  TargetResult SendRecord(std::string_view arn, bool success, const Event& event,
                          const DeliveryTargets& targets, const std::string& record,
                          int64_t time_ms, std::string* error) const;
  TargetResult SendDeadLetter(std::string_view arn, const Event& event, Condition condition,
                              const AttemptResult& last, std::string* error) const;

  aws::HttpClient* http_;
  const aws::Config config_;
  const InvokeFunctionAsync invoke_function_;
  const Clock* clock_;

  mutable std::mutex mu_;
  std::map<std::string, DeliveryProgress> pending_;  // by request id; guarded by mu_
};

}  // namespace lambdalite::queue
