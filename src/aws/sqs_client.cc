#include "aws/sqs_client.h"

#include <algorithm>
#include <array>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <utility>

namespace lambdalite::aws {
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

Result<boost::json::object> ParseJsonObject(std::string_view operation, std::string_view body) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(body, ec);
  if (ec || !doc.is_object()) {
    return Error::Make(ErrorCode::kUnavailable,
                       "SQS " + std::string(operation) + " returned an unreadable answer");
  }
  return std::move(doc.as_object());
}

std::string StringField(const boost::json::object& obj, std::string_view name) {
  const boost::json::value* v = obj.if_contains(name);
  return v != nullptr && v->is_string() ? std::string(v->get_string()) : std::string();
}

}  // namespace

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
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonObject("SendMessage", response.body));
  return StringField(answer, "MessageId");
}

Result<std::string> SqsClient::CreateQueue(std::string_view name, std::string_view region) const {
  boost::json::object request;
  request["QueueName"] = name;
  LAMBDALITE_TRY(ClientResponse response,
                 Call(region.empty() ? std::string_view(config_.region) : region, "CreateQueue",
                      boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonObject("CreateQueue", response.body));
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
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonObject("ReceiveMessage", response.body));
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
