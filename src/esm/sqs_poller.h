#pragma once

// The SQS poller of event source mappings, as AWS's documentation ("Using Lambda with Amazon
// SQS") describes it:
//   - workers long-poll ReceiveMessage (up to 10 messages each, all system and message
//     attributes) and gather a batch of up to BatchSize messages within
//     MaximumBatchingWindowInSeconds (window 0: what one receive returned), counted from the
//     first message received;
//   - the batch goes to the function synchronously as {"Records": [...]} in AWS's event shape
//     (BuildSqsRecord);
//   - success deletes the batch (DeleteMessageBatch); a function error leaves it to the queue's
//     visibility timeout (and its redrive policy); with FunctionResponseTypes
//     ["ReportBatchItemFailures"] the function names the messages to keep
//     (ParseBatchItemFailures) and the others are deleted;
//   - messages that match no filter (FilterCriteria) are deleted without an invocation;
//   - concurrency: ScalingConfig.MaximumConcurrency workers (default 5; 2..1000 as the model
//   allows), each
//     with one batch at a time; one worker gathers a batch while the others invoke theirs, so
//     batches fill up before the messages are shared out. FIFO queues get one worker: the messages
//     of a group reach the function in order and never in two batches at once (SQS itself hands out
//     no messages of a group while others of it are in flight, but emulators such as moto do not
//     guarantee that to concurrent receivers);
//   - throttled invocations are retried with backoff; poll errors (the endpoint is gone, ...) are
//     retried with backoff and shown in PollerStatus::problem until a poll succeeds.

#include <boost/json/object.hpp>
#include <memory>
#include <set>
#include <string>
#include <string_view>

#include "aws/http_client.h"
#include "aws/sqs_client.h"
#include "common/result.h"
#include "esm/poller.h"

namespace lambdalite::esm {

struct SqsPollerOptions {
  // WaitTimeSeconds of the long polls (1..20). A stopping poller waits for its polls in
  // progress, so this bounds how long Stop (disabling a mapping, shutdown) can take.
  int long_poll_seconds = 5;
  int default_concurrency = 5;  // workers without ScalingConfig.MaximumConcurrency
  // Cap on MaximumConcurrency: AWS's own maximum. A worker waiting for its turn to gather holds a
  // thread but no connection; the functions' concurrency limit throttles the rest.
  int max_workers = 1000;
  // Backoff after poll errors, and retries of throttled invocations.
  int poll_backoff_initial_ms = 200;
  int poll_backoff_max_ms = 5000;
  int throttle_retries = 8;
};

class SqsPollerFactory final : public PollerFactory {
 public:
  explicit SqsPollerFactory(SqsPollerOptions options = {}) : options_(options) {}
  // Fails kNotFound (with AWS's ES32 text, see aws::IsQueueMissing) when the queue does not
  // exist, kInvalidParameter on a bad filter, kUnavailable when SQS cannot be reached.
  Result<std::unique_ptr<Poller>> Start(const PollerContext& context) override;

 private:
  SqsPollerOptions options_;
};

// The Create-time check of an SQS event source (for FunctionService::SetEventSourceChecker):
// kInvalidParameter with AWS's text "Error occurred while ReceiveMessage. SQS Error Code:
// AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not
// exist." when SQS says the queue does not exist. Any other failure (SQS unreachable, ...) passes:
// the poller retries until the queue can be read.
Status CheckSqsSource(aws::HttpClient& http, const aws::Config& config, std::string_view queue_arn);

// One element of the event's Records, in AWS's key order: messageId, receiptHandle, body,
// attributes, messageAttributes ({stringValue|binaryValue, stringListValues, binaryListValues,
// dataType}), md5OfMessageAttributes (null without message attributes), md5OfBody, eventSource
// "aws:sqs", eventSourceARN, awsRegion.
boost::json::object BuildSqsRecord(const aws::SqsMessage& message, std::string_view queue_arn,
                                   std::string_view region);

// What a function with ReportBatchItemFailures answered (AWS "Implementing partial batch
// responses"). Success (nothing failed): an empty or null answer, an answer that is not an
// object, a missing, null or empty batchItemFailures. The whole batch fails on an answer that is
// not JSON, a batchItemFailures that is not a list, an entry that is not an object or whose
// itemIdentifier is missing, null, empty, not a string or not the messageId of the batch.
struct BatchItemFailures {
  bool all_failed = false;
  std::set<std::string> failed_ids;
};
BatchItemFailures ParseBatchItemFailures(std::string_view payload,
                                         const std::set<std::string>& batch_ids);

}  // namespace lambdalite::esm
