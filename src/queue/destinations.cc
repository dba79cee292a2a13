#include "queue/destinations.h"

#include <time.h>

#include <cstdio>
#include <utility>
#include <vector>

#include "aws/eventbridge_client.h"
#include "aws/s3_client.h"
#include "aws/sns_client.h"
#include "common/crypto.h"
#include "common/log.h"
#include "domain/names.h"
#include "queue/invocation_record.h"

namespace lambdalite::queue {
namespace {

// Keep the in-memory progress table bounded: the dispatcher stops retrying a delivery a day after
// the outcome without telling us, so entries are dropped after twice that, and past a count.
constexpr int64_t kPendingTtlMs = 2 * 24 * 60 * 60 * 1000LL;
constexpr size_t kMaxPendingEvents = 10'000;

// AWS: "ErrorMessage (String) - The first 1 KB of the error message."
constexpr size_t kMaxDeadLetterErrorMessageBytes = 1024;

constexpr std::string_view kSuccessDetailType = "Lambda Function Invocation Result - Success";
constexpr std::string_view kFailureDetailType = "Lambda Function Invocation Result - Failure";

// The first `max_bytes` of `s`, cut back to a UTF-8 character boundary.
std::string TruncateUtf8(std::string_view s, size_t max_bytes) {
  if (s.size() <= max_bytes) return std::string(s);
  size_t cut = max_bytes;
  while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  return std::string(s.substr(0, cut));
}

// The body a queue or topic gets for an event payload. SQS and SNS refuse an empty message, and
// an empty payload reaches the function as "{}", so that is what is sent.
std::string DeadLetterBody(const std::string& payload) { return payload.empty() ? "{}" : payload; }

}  // namespace

DeliveryTargets TargetsFor(const Event& event, const AsyncSettings& settings) {
  DeliveryTargets targets;
  targets.on_success = settings.on_success;
  targets.on_failure = settings.on_failure;
  targets.dead_letter_target_arn = settings.dead_letter_target_arn;
  targets.function_arn_qualified = domain::QualifiedFunctionArn(
      event.scope, event.function_name, event.qualifier.value_or(std::string(domain::kLatest)));
  return targets;
}

DestinationDelivery::DestinationDelivery(aws::HttpClient* http, aws::Config config,
                                         InvokeFunctionAsync invoke_function, const Clock* clock)
    : http_(http),
      config_(std::move(config)),
      invoke_function_(std::move(invoke_function)),
      clock_(clock) {
  if (clock_ == nullptr) {
    static const SystemClock kSystemClock;
    clock_ = &kSystemClock;
  }
}

std::string DestinationDelivery::S3ObjectKey(std::string_view function_name,
                                             std::string_view request_id, int64_t time_ms) {
  time_t seconds = static_cast<time_t>(time_ms / 1000);
  struct tm tm {};
  gmtime_r(&seconds, &tm);
  char when[64];
  std::snprintf(when, sizeof when, "%04d/%02d/%02d/%04d-%02d-%02dT%02d.%02d.%02d",
                tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_year + 1900, tm.tm_mon + 1,
                tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);

  std::string bytes = Sha256("lambdalite s3 destination " + std::string(request_id)).substr(0, 16);
  bytes[6] = static_cast<char>((static_cast<unsigned char>(bytes[6]) & 0x0F) | 0x80);  // version 8
  bytes[8] = static_cast<char>((static_cast<unsigned char>(bytes[8]) & 0x3F) | 0x80);  // variant
  std::string hex = HexEncode(bytes);
  std::string uuid = hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" +
                     hex.substr(16, 4) + "-" + hex.substr(20, 12);
  return "aws/lambda/async/" + std::string(function_name) + "/" + when + "-" + uuid;
}

aws::MessageAttributes DestinationDelivery::DeadLetterAttributes(const Event& event,
                                                                 Condition condition,
                                                                 const AttemptResult& last) {
  std::string message = last.ran ? ErrorMessageOf(last.response_payload) : std::string();
  if (message.empty()) message = event.last_error;
  // SQS refuses an attribute without a value, and the condition at least says why it ended.
  if (message.empty()) message = std::string(ConditionName(condition));
  return {
      {"RequestID", {"String", event.request_id}},
      {"ErrorCode", {"Number", std::to_string(last.status_code)}},
      {"ErrorMessage", {"String", TruncateUtf8(message, kMaxDeadLetterErrorMessageBytes)}},
  };
}

DestinationDelivery::TargetResult DestinationDelivery::SendRecord(
    std::string_view arn, bool success, const Event& event, const DeliveryTargets& targets,
    const std::string& record, int64_t time_ms, std::string* error) const {
  std::optional<aws::Arn> parsed = aws::ParseArn(arn);
  const std::string service = parsed ? parsed->service : std::string();
  Status status;
  if (service == "sqs") {
    aws::SqsClient sqs(http_, config_, clock_);
    auto sent = sqs.SendMessage(arn, record);
    if (!sent.ok()) status = sent.error();
  } else if (service == "sns") {
    aws::SnsClient sns(http_, config_, clock_);
    auto sent = sns.Publish(arn, record);
    if (!sent.ok()) status = sent.error();
  } else if (service == "events") {
    aws::EventBridgeClient events(http_, config_, clock_);
    auto sent = events.PutEvents(arn, "lambda", success ? kSuccessDetailType : kFailureDetailType,
                                 record, {std::string(arn), targets.function_arn_qualified});
    if (!sent.ok()) status = sent.error();
  } else if (service == "s3" && !success && !parsed->resource.empty()) {
    // Bucket ARNs carry no region; the function's own region is where its bucket is expected.
    aws::S3Client s3(http_, config_, event.scope.region, clock_);
    auto put =
        s3.PutObject(parsed->resource, S3ObjectKey(event.function_name, event.request_id, time_ms),
                     record, "application/json");
    if (!put.ok()) status = put.error();
  } else if (service == "lambda" && invoke_function_) {
    status = invoke_function_(std::string(arn), record);
  } else {
    LogWarn("async invoke " + event.request_id + ": dropping the invocation record for " +
            std::string(arn) + ": not a supported " + (success ? "OnSuccess" : "OnFailure") +
            " destination");
    return TargetResult::kDropped;
  }
  if (status.ok()) return TargetResult::kDelivered;
  *error = std::string(arn) + ": " + status.error().message;
  return TargetResult::kFailed;
}

DestinationDelivery::TargetResult DestinationDelivery::SendDeadLetter(std::string_view arn,
                                                                      const Event& event,
                                                                      Condition condition,
                                                                      const AttemptResult& last,
                                                                      std::string* error) const {
  std::optional<aws::Arn> parsed = aws::ParseArn(arn);
  const std::string service = parsed ? parsed->service : std::string();
  const aws::MessageAttributes attributes = DeadLetterAttributes(event, condition, last);
  Status status;
  if (service == "sqs") {
    aws::SqsClient sqs(http_, config_, clock_);
    auto sent = sqs.SendMessage(arn, DeadLetterBody(event.payload), attributes);
    if (!sent.ok()) status = sent.error();
  } else if (service == "sns") {
    aws::SnsClient sns(http_, config_, clock_);
    auto sent = sns.Publish(arn, DeadLetterBody(event.payload), attributes);
    if (!sent.ok()) status = sent.error();
  } else {
    LogWarn("async invoke " + event.request_id + ": dropping the dead-letter message for " +
            std::string(arn) + ": a dead-letter queue must be an SQS queue or SNS topic");
    return TargetResult::kDropped;
  }
  if (status.ok()) return TargetResult::kDelivered;
  *error = std::string(arn) + " (dead-letter queue): " + status.error().message;
  return TargetResult::kFailed;
}

Status DestinationDelivery::Deliver(const Event& event, Condition condition,
                                    const AttemptResult& last, const DeliveryTargets& targets,
                                    DeliveryProgress* progress) {
  if (progress->record_time_ms == 0) {
    progress->record_time_ms = event.outcome && event.outcome->decided_ms > 0
                                   ? event.outcome->decided_ms
                                   : clock_->NowMillis();
  }
  const bool success = condition == Condition::kSuccess;
  const std::optional<std::string>& destination = success ? targets.on_success : targets.on_failure;

  std::vector<std::string> failures;
  auto record_outcome = [&](const std::string& key, TargetResult outcome, std::string error) {
    if (outcome == TargetResult::kFailed) {
      failures.push_back(std::move(error));
    } else {
      progress->done.insert(key);
    }
  };

  if (destination && !destination->empty() &&
      !progress->done.contains(DestinationKey(*destination))) {
    const std::string record = BuildInvocationRecord(
        event, condition, last, targets.function_arn_qualified, progress->record_time_ms);
    std::string error;
    TargetResult outcome =
        SendRecord(*destination, success, event, targets, record, progress->record_time_ms, &error);
    record_outcome(DestinationKey(*destination), outcome, std::move(error));
  }
  const std::optional<std::string>& dlq = targets.dead_letter_target_arn;
  if (!success && dlq && !dlq->empty() && !progress->done.contains(DeadLetterKey(*dlq))) {
    std::string error;
    TargetResult outcome = SendDeadLetter(*dlq, event, condition, last, &error);
    record_outcome(DeadLetterKey(*dlq), outcome, std::move(error));
  }

  if (failures.empty()) return Status::Ok();
  std::string message = "Delivery of async invoke " + event.request_id + " failed for ";
  for (size_t i = 0; i < failures.size(); ++i) {
    if (i > 0) message += "; ";
    message += failures[i];
  }
  return Error::Make(ErrorCode::kUnavailable, std::move(message));
}

Status DestinationDelivery::Deliver(const Event& event, Condition condition,
                                    const AttemptResult& last, const DeliveryTargets& targets) {
  DeliveryProgress progress;
  {
    std::lock_guard lock(mu_);
    if (auto it = pending_.find(event.request_id); it != pending_.end()) progress = it->second;
  }
  Status status = Deliver(event, condition, last, targets, &progress);
  std::lock_guard lock(mu_);
  if (status.ok()) {
    pending_.erase(event.request_id);
    return status;
  }
  if (!pending_.contains(event.request_id)) {
    // A new entry: drop those whose caller has most likely given up without calling Forget.
    const int64_t cutoff = clock_->NowMillis() - kPendingTtlMs;
    std::erase_if(pending_,
                  [&](const auto& entry) { return entry.second.record_time_ms < cutoff; });
    if (pending_.size() >= kMaxPendingEvents) {
      auto oldest = pending_.begin();
      for (auto it = pending_.begin(); it != pending_.end(); ++it) {
        if (it->second.record_time_ms < oldest->second.record_time_ms) oldest = it;
      }
      pending_.erase(oldest);
    }
  }
  pending_[event.request_id] = std::move(progress);
  return status;
}

void DestinationDelivery::Forget(const std::string& request_id) {
  std::lock_guard lock(mu_);
  pending_.erase(request_id);
}

size_t DestinationDelivery::PendingCount() const {
  std::lock_guard lock(mu_);
  return pending_.size();
}

}  // namespace lambdalite::queue
