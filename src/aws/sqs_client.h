#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/aws_client.h"
#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "common/clock.h"
#include "common/result.h"

namespace lambdalite::aws {

// --- Shared by the SQS, SNS and EventBridge clients -------------------------------------------
// (They live here because the SQS client is the first user; they belong in an aws/arn.h once
// another caller needs them.)

// The fields of "arn:<partition>:<service>:<region>:<account>:<resource>". `resource` keeps any
// further ':' or '/' (e.g. "function:name:$LATEST", "event-bus/default").
struct Arn {
  std::string partition;
  std::string service;
  std::string region;
  std::string account;
  std::string resource;
};

// nullopt unless `text` has the "arn:" prefix and all six fields (region and account may be
// empty, as in S3 bucket ARNs).
std::optional<Arn> ParseArn(std::string_view text);

// The region field of an ARN; "" when `text` is not an ARN.
std::string RegionOfArn(std::string_view text);

// A message attribute as SQS and SNS carry it. Only the string-valued data types ("String",
// "Number", and their custom "Number.x" forms) are supported: destinations need no binary ones.
struct MessageAttribute {
  std::string data_type;
  std::string string_value;
  friend bool operator==(const MessageAttribute&, const MessageAttribute&) = default;
};
// Keyed by attribute name. Ordered so requests are deterministic.
using MessageAttributes = std::map<std::string, MessageAttribute>;

// The error for a non-2xx answer of `service_label` ("SQS", "SNS", "EventBridge") to `operation`:
// "SQS SendMessage failed: QueueDoesNotExist: The specified queue does not exist. (HTTP 400)".
// kUnavailable when retrying can help (5xx, HTTP 429, throttling codes), kInvalidParameter
// otherwise.
Error AwsCallError(std::string_view service_label, std::string_view operation,
                   const ClientResponse& response);

// -----------------------------------------------------------------------------------------------

// Where SQS calls for one queue go: the QueueUrl to name in the request and the region to sign
// for (and whose endpoint receives the call).
struct QueueLocation {
  std::string queue_url;
  std::string region;
};

// Resolves a queue ARN or QueueUrl. An ARN arn:aws:sqs:<region>:<account>:<name> becomes
// "<endpoint>/<account>/<name>" with the endpoint ResolveEndpoint gives for sqs in that region;
// that path form is what both AWS and moto route on. A URL is used as given, with the region
// taken from an AWS host name (sqs.<region>.amazonaws.com, <region>.queue.amazonaws.com) or else
// config.region. Fails (kInvalidParameter) on anything else.
Result<QueueLocation> ResolveQueue(const Config& config, std::string_view queue_arn_or_url);

struct ReceivedMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  MessageAttributes attributes;
};

// A message attribute with every field SQS can carry (binary values stay base64, as the JSON
// protocol sends them). For pollers, which pass attributes on untouched.
struct FullMessageAttribute {
  std::string data_type;
  std::optional<std::string> string_value;
  std::optional<std::string> binary_value;  // base64
  std::vector<std::string> string_list_values;
  std::vector<std::string> binary_list_values;  // base64
};

// A message as ReceiveMessageFull returns it: system attributes (ApproximateReceiveCount,
// SentTimestamp, SenderId, ApproximateFirstReceiveTimestamp, and for FIFO queues MessageGroupId,
// MessageDeduplicationId, SequenceNumber) and message attributes in the order SQS sent them.
struct SqsMessage {
  std::string message_id;
  std::string receipt_handle;
  std::string body;
  std::string md5_of_body;
  std::string md5_of_message_attributes;  // "" without message attributes
  std::vector<std::pair<std::string, std::string>> attributes;
  std::vector<std::pair<std::string, FullMessageAttribute>> message_attributes;
};

// Whether `error` (from an SqsClient call) says the queue does not exist; its message is then
// what AWS's event source mappings report: "Error occurred while ReceiveMessage. SQS Error Code:
// AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not exist."
// (SqsClient answers such failures with kNotFound.)
bool IsQueueMissing(const Error& error);

// The SQS operations lambdalite needs, over the awsJson1.0 protocol (X-Amz-Target
// AmazonSQS.<Operation>), which current AWS and moto 5 both speak. Each call goes to the region of
// the queue it names, so one client serves queues in every region. Thread-safe; `http` and `clock`
// must outlive the client.
class SqsClient {
 public:
  SqsClient(HttpClient* http, const Config& config, const Clock* clock = nullptr);

  // Sends one message; returns its MessageId.
  Result<std::string> SendMessage(std::string_view queue_arn_or_url, std::string_view body,
                                  const MessageAttributes& attributes = {}) const;

  // Setup and inspection, for tests and local setups.
  //
  // Creates a standard queue in `region` (empty: config.region); returns its QueueUrl.
  Result<std::string> CreateQueue(std::string_view name, std::string_view region = {}) const;
  // Receives up to `max_messages` (1..10) with all their message attributes, waiting up to
  // `wait_seconds` for the first one.
  Result<std::vector<ReceivedMessage>> ReceiveMessage(std::string_view queue_arn_or_url,
                                                      int max_messages = 10,
                                                      int wait_seconds = 0) const;

  // For event source mapping pollers. Every call fails with kNotFound and the text of
  // IsQueueMissing when the queue does not exist; kUnavailable when retrying can help.
  //
  // Receives up to `max_messages` (1..10) with all system and message attributes, waiting up to
  // `wait_seconds` (0..20) for the first one; `visibility_timeout_seconds` < 0 keeps the queue's.
  Result<std::vector<SqsMessage>> ReceiveMessageFull(std::string_view queue_arn_or_url,
                                                     int max_messages, int wait_seconds,
                                                     int visibility_timeout_seconds = -1) const;
  // Deletes up to 10 messages by (Id, ReceiptHandle); returns the Ids SQS could not delete.
  Result<std::vector<std::string>> DeleteMessageBatch(
      std::string_view queue_arn_or_url,
      const std::vector<std::pair<std::string, std::string>>& entries) const;
  // Sets the visibility timeout of up to 10 messages by (Id, ReceiptHandle): 0 makes them
  // visible again at once (a poller that stops releases what it received but did not run).
  Status ChangeMessageVisibilityBatch(
      std::string_view queue_arn_or_url,
      const std::vector<std::pair<std::string, std::string>>& entries, int timeout_seconds) const;
  // The named queue attributes ("All" for every one).
  Result<std::map<std::string, std::string>> GetQueueAttributes(
      std::string_view queue_arn_or_url, const std::vector<std::string>& names) const;

 private:
  Result<ClientResponse> Call(std::string_view region, std::string_view operation,
                              std::string body) const;
  // Call for the poller operations: a missing queue is kNotFound (see IsQueueMissing).
  Result<std::string> CallForPoller(std::string_view region, std::string_view operation,
                                    std::string body) const;

  HttpClient* http_;
  Config config_;
  const Clock* clock_;
};

}  // namespace lambdalite::aws
