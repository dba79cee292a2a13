#include "aws/sqs_client.h"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <chrono>
#include <optional>
#include <utility>

#include "aws/json_answer.h"

namespace lambdalite::aws {

using internal::ParseJsonAnswer;
using internal::StringField;

namespace {

// The error codes AWS uses for "try again later" without a 5xx status (SQS and SNS answer
// throttling with 400).
bool IsRetryableCode(std::string_view code) {
  static constexpr std::array<std::string_view, 8> kCodes = {
      "Throttling",         "ThrottlingException",      "ThrottledException",
      "RequestThrottled",   "TooManyRequestsException", "RequestLimitExceeded",
      "ServiceUnavailable", "InternalFailure"};
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

bool IsSuccess(int status) { return status >= 200 && status < 300; }

bool StartsWith(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// The region in an AWS SQS host name, or "" for any other host.
std::string RegionFromSqsHost(std::string_view host) {
  // sqs.<region>.amazonaws.com[.cn]
  if (StartsWith(host, "sqs.")) {
    std::string_view rest = host.substr(4);
    size_t dot = rest.find('.');
    if (dot != std::string_view::npos && StartsWith(rest.substr(dot), ".amazonaws.com")) {
      return std::string(rest.substr(0, dot));
    }
  }
  // <region>.queue.amazonaws.com (the legacy form)
  if (size_t pos = host.find(".queue.amazonaws.com"); pos != std::string_view::npos && pos > 0) {
    return std::string(host.substr(0, pos));
  }
  return "";
}

constexpr std::string_view kQueueMissingMessage =
    "Error occurred while ReceiveMessage. SQS Error Code: "
    "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does not "
    "exist.";

boost::json::array Strings(const boost::json::value* v) {
  boost::json::array out;
  if (v == nullptr || !v->is_array()) return out;
  for (const boost::json::value& item : v->get_array()) {
    if (item.is_string()) out.push_back(item);
  }
  return out;
}

std::vector<std::string> StringVector(const boost::json::value* v) {
  std::vector<std::string> out;
  for (const boost::json::value& item : Strings(v)) out.emplace_back(item.get_string());
  return out;
}

boost::json::array EntriesJson(const std::vector<std::pair<std::string, std::string>>& entries,
                               std::optional<int> visibility_timeout) {
  boost::json::array list;
  for (const auto& [id, receipt] : entries) {
    boost::json::object entry{{"Id", id}, {"ReceiptHandle", receipt}};
    if (visibility_timeout) entry["VisibilityTimeout"] = *visibility_timeout;
    list.push_back(std::move(entry));
  }
  return list;
}

}  // namespace

bool IsQueueMissing(const Error& error) {
  return error.code == ErrorCode::kNotFound && error.message == kQueueMissingMessage;
}

std::optional<Arn> ParseArn(std::string_view text) {
  if (!StartsWith(text, "arn:")) return std::nullopt;
  std::string_view rest = text.substr(4);
  std::array<std::string_view, 4> head;
  for (std::string_view& field : head) {
    size_t colon = rest.find(':');
    if (colon == std::string_view::npos) return std::nullopt;
    field = rest.substr(0, colon);
    rest.remove_prefix(colon + 1);
  }
  if (head[0].empty() || head[1].empty() || rest.empty()) return std::nullopt;
  return Arn{std::string(head[0]), std::string(head[1]), std::string(head[2]), std::string(head[3]),
             std::string(rest)};
}

std::string RegionOfArn(std::string_view text) {
  std::optional<Arn> parsed = ParseArn(text);
  return parsed ? parsed->region : std::string();
}

Error AwsCallError(std::string_view service_label, std::string_view operation,
                   const ClientResponse& response) {
  ServiceError parsed = ParseServiceError(response);
  std::string message = std::string(service_label) + " " + std::string(operation) + " failed: ";
  message += parsed.code.empty() ? std::string("error") : parsed.code;
  if (!parsed.message.empty()) message += ": " + parsed.message;
  message += " (HTTP " + std::to_string(response.status) + ")";
  const bool retryable =
      response.status >= 500 || response.status == 429 || IsRetryableCode(parsed.code);
  return Error::Make(retryable ? ErrorCode::kUnavailable : ErrorCode::kInvalidParameter,
                     std::move(message));
}

Result<QueueLocation> ResolveQueue(const Config& config, std::string_view queue_arn_or_url) {
  if (StartsWith(queue_arn_or_url, "http://") || StartsWith(queue_arn_or_url, "https://")) {
    Result<ParsedUrl> url = ParseHttpUrl(queue_arn_or_url);
    // A queue URL comes from configuration, so a bad one is the caller's error, not ours.
    if (!url.ok()) {
      return Error::Make(ErrorCode::kInvalidParameter,
                         "Not an SQS queue ARN or URL: " + std::string(queue_arn_or_url));
    }
    std::string region = RegionFromSqsHost(url->host);
    return QueueLocation{std::string(queue_arn_or_url), region.empty() ? config.region : region};
  }
  std::optional<Arn> arn = ParseArn(queue_arn_or_url);
  if (!arn || arn->service != "sqs" || arn->region.empty() || arn->account.empty() ||
      arn->resource.find_first_of(":/") != std::string::npos) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Not an SQS queue ARN or URL: " + std::string(queue_arn_or_url));
  }
  return QueueLocation{
      ResolveEndpoint(config, "sqs", arn->region) + "/" + arn->account + "/" + arn->resource,
      arn->region};
}

SqsClient::SqsClient(HttpClient* http, const Config& config, const Clock* clock)
    : http_(http), config_(config), clock_(clock) {}

Result<ClientResponse> SqsClient::Call(std::string_view region, std::string_view operation,
                                       std::string body) const {
  AwsClient client(http_, config_, "sqs", std::string(region), clock_);
  LAMBDALITE_TRY(ClientResponse response,
                 client.CallJson("AmazonSQS." + std::string(operation), "1.0", std::move(body)));
  if (!IsSuccess(response.status)) return AwsCallError("SQS", operation, response);
  return response;
}

Result<std::string> SqsClient::CallForPoller(std::string_view region, std::string_view operation,
                                             std::string body) const {
  AwsClient client(http_, config_, "sqs", std::string(region), clock_);
  // Long polls wait up to 20 s on the server; leave room for that.
  client.set_timeout(std::chrono::seconds(40));
  LAMBDALITE_TRY(ClientResponse response,
                 client.CallJson("AmazonSQS." + std::string(operation), "1.0", std::move(body)));
  if (IsSuccess(response.status)) return std::move(response.body);
  ServiceError parsed = ParseServiceError(response);
  if (parsed.code == "QueueDoesNotExist" ||
      parsed.code == "AWS.SimpleQueueService.NonExistentQueue") {
    return Error::Make(ErrorCode::kNotFound, std::string(kQueueMissingMessage));
  }
  return AwsCallError("SQS", operation, response);
}

Result<std::vector<SqsMessage>> SqsClient::ReceiveMessageFull(
    std::string_view queue_arn_or_url, int max_messages, int wait_seconds,
    int visibility_timeout_seconds) const {
  LAMBDALITE_TRY(QueueLocation queue, ResolveQueue(config_, queue_arn_or_url));
  boost::json::object request;
  request["QueueUrl"] = queue.queue_url;
  request["MaxNumberOfMessages"] = std::clamp(max_messages, 1, 10);
  request["WaitTimeSeconds"] = std::clamp(wait_seconds, 0, 20);
  if (visibility_timeout_seconds >= 0) request["VisibilityTimeout"] = visibility_timeout_seconds;
  // Both spellings: AttributeNames is deprecated in favour of MessageSystemAttributeNames, and
  // older emulators know only the first.
  request["AttributeNames"] = boost::json::array{"All"};
  request["MessageSystemAttributeNames"] = boost::json::array{"All"};
  request["MessageAttributeNames"] = boost::json::array{"All"};
  LAMBDALITE_TRY(std::string body,
                 CallForPoller(queue.region, "ReceiveMessage", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonAnswer("SQS", "ReceiveMessage", body));
  std::vector<SqsMessage> messages;
  const boost::json::value* list = answer.if_contains("Messages");
  if (list == nullptr || !list->is_array()) return messages;
  for (const boost::json::value& item : list->get_array()) {
    if (!item.is_object()) continue;
    const boost::json::object& m = item.get_object();
    SqsMessage message;
    message.message_id = StringField(m, "MessageId");
    message.receipt_handle = StringField(m, "ReceiptHandle");
    message.body = StringField(m, "Body");
    message.md5_of_body = StringField(m, "MD5OfBody");
    message.md5_of_message_attributes = StringField(m, "MD5OfMessageAttributes");
    if (const auto* attrs = m.if_contains("Attributes"); attrs && attrs->is_object()) {
      for (const auto& [name, value] : attrs->get_object()) {
        if (value.is_string()) message.attributes.emplace_back(name, value.get_string());
      }
    }
    if (const auto* attrs = m.if_contains("MessageAttributes"); attrs && attrs->is_object()) {
      for (const auto& [name, value] : attrs->get_object()) {
        if (!value.is_object()) continue;
        const boost::json::object& a = value.get_object();
        FullMessageAttribute attr;
        attr.data_type = StringField(a, "DataType");
        if (const auto* v = a.if_contains("StringValue"); v && v->is_string()) {
          attr.string_value = std::string(v->get_string());
        }
        if (const auto* v = a.if_contains("BinaryValue"); v && v->is_string()) {
          attr.binary_value = std::string(v->get_string());
        }
        attr.string_list_values = StringVector(a.if_contains("StringListValues"));
        attr.binary_list_values = StringVector(a.if_contains("BinaryListValues"));
        message.message_attributes.emplace_back(name, std::move(attr));
      }
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

Result<std::vector<std::string>> SqsClient::DeleteMessageBatch(
    std::string_view queue_arn_or_url,
    const std::vector<std::pair<std::string, std::string>>& entries) const {
  std::vector<std::string> failed;
  if (entries.empty()) return failed;
  LAMBDALITE_TRY(QueueLocation queue, ResolveQueue(config_, queue_arn_or_url));
  boost::json::object request;
  request["QueueUrl"] = queue.queue_url;
  request["Entries"] = EntriesJson(entries, std::nullopt);
  LAMBDALITE_TRY(std::string body, CallForPoller(queue.region, "DeleteMessageBatch",
                                                 boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonAnswer("SQS", "DeleteMessageBatch", body));
  if (const auto* list = answer.if_contains("Failed"); list && list->is_array()) {
    for (const boost::json::value& item : list->get_array()) {
      if (item.is_object()) failed.push_back(StringField(item.get_object(), "Id"));
    }
  }
  return failed;
}

Status SqsClient::ChangeMessageVisibilityBatch(
    std::string_view queue_arn_or_url,
    const std::vector<std::pair<std::string, std::string>>& entries, int timeout_seconds) const {
  if (entries.empty()) return Status();
  LAMBDALITE_TRY(QueueLocation queue, ResolveQueue(config_, queue_arn_or_url));
  boost::json::object request;
  request["QueueUrl"] = queue.queue_url;
  request["Entries"] = EntriesJson(entries, timeout_seconds);
  LAMBDALITE_TRY(std::string body, CallForPoller(queue.region, "ChangeMessageVisibilityBatch",
                                                 boost::json::serialize(request)));
  (void)body;
  return Status();
}

Result<std::map<std::string, std::string>> SqsClient::GetQueueAttributes(
    std::string_view queue_arn_or_url, const std::vector<std::string>& names) const {
  LAMBDALITE_TRY(QueueLocation queue, ResolveQueue(config_, queue_arn_or_url));
  boost::json::object request;
  request["QueueUrl"] = queue.queue_url;
  boost::json::array list;
  for (const std::string& name : names) list.emplace_back(name);
  request["AttributeNames"] = std::move(list);
  LAMBDALITE_TRY(std::string body, CallForPoller(queue.region, "GetQueueAttributes",
                                                 boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonAnswer("SQS", "GetQueueAttributes", body));
  std::map<std::string, std::string> attributes;
  if (const auto* attrs = answer.if_contains("Attributes"); attrs && attrs->is_object()) {
    for (const auto& [name, value] : attrs->get_object()) {
      if (value.is_string()) attributes[std::string(name)] = std::string(value.get_string());
    }
  }
  return attributes;
}

Result<std::string> SqsClient::SendMessage(std::string_view queue_arn_or_url, std::string_view body,
                                           const MessageAttributes& attributes) const {
  LAMBDALITE_TRY(QueueLocation queue, ResolveQueue(config_, queue_arn_or_url));
  boost::json::object request;
  request["QueueUrl"] = queue.queue_url;
  request["MessageBody"] = body;
  if (!attributes.empty()) {
    boost::json::object attrs;
    for (const auto& [name, attr] : attributes) {
      attrs[name] =
          boost::json::object{{"DataType", attr.data_type}, {"StringValue", attr.string_value}};
    }
    request["MessageAttributes"] = std::move(attrs);
  }
  LAMBDALITE_TRY(ClientResponse response,
                 Call(queue.region, "SendMessage", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonAnswer("SQS", "SendMessage", response.body));
  return StringField(answer, "MessageId");
}

Result<std::string> SqsClient::CreateQueue(std::string_view name, std::string_view region) const {
  boost::json::object request;
  request["QueueName"] = name;
  LAMBDALITE_TRY(ClientResponse response,
                 Call(region.empty() ? std::string_view(config_.region) : region, "CreateQueue",
                      boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonAnswer("SQS", "CreateQueue", response.body));
  return StringField(answer, "QueueUrl");
}

Result<std::vector<ReceivedMessage>> SqsClient::ReceiveMessage(std::string_view queue_arn_or_url,
                                                               int max_messages,
                                                               int wait_seconds) const {
  LAMBDALITE_TRY(QueueLocation queue, ResolveQueue(config_, queue_arn_or_url));
  boost::json::object request;
  request["QueueUrl"] = queue.queue_url;
  request["MaxNumberOfMessages"] = max_messages;
  request["WaitTimeSeconds"] = wait_seconds;
  request["MessageAttributeNames"] = boost::json::array{"All"};
  LAMBDALITE_TRY(ClientResponse response,
                 Call(queue.region, "ReceiveMessage", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer,
                 ParseJsonAnswer("SQS", "ReceiveMessage", response.body));
  std::vector<ReceivedMessage> messages;
  const boost::json::value* list = answer.if_contains("Messages");
  if (list == nullptr || !list->is_array()) return messages;  // none waiting
  for (const boost::json::value& item : list->get_array()) {
    if (!item.is_object()) continue;
    const boost::json::object& m = item.get_object();
    ReceivedMessage message;
    message.message_id = StringField(m, "MessageId");
    message.receipt_handle = StringField(m, "ReceiptHandle");
    message.body = StringField(m, "Body");
    if (const auto* attrs = m.if_contains("MessageAttributes"); attrs && attrs->is_object()) {
      for (const auto& [name, value] : attrs->get_object()) {
        if (!value.is_object()) continue;
        message.attributes[std::string(name)] = {StringField(value.get_object(), "DataType"),
                                                 StringField(value.get_object(), "StringValue")};
      }
    }
    messages.push_back(std::move(message));
  }
  return messages;
}

}  // namespace lambdalite::aws
