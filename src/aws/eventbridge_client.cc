#include "aws/eventbridge_client.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <optional>
#include <utility>

#include "aws/aws_client.h"
#include "aws/json_answer.h"
#include "aws/sqs_client.h"  // ParseArn, AwsCallError

namespace lambdalite::aws {

using internal::IntField;
using internal::ParseJsonAnswer;
using internal::StringField;

namespace {}  // namespace

EventBridgeClient::EventBridgeClient(HttpClient* http, const Config& config, const Clock* clock)
    : http_(http), config_(config), clock_(clock) {}

std::string EventBridgeClient::BusRegion(std::string_view bus_arn_or_name) const {
  std::optional<Arn> arn = ParseArn(bus_arn_or_name);
  return arn && !arn->region.empty() ? arn->region : config_.region;
}

Result<ClientResponse> EventBridgeClient::Call(std::string_view region, std::string_view operation,
                                               std::string body) const {
  AwsClient client(http_, config_, "events", std::string(region), clock_);
  LAMBDALITE_TRY(ClientResponse response,
                 client.CallJson("AWSEvents." + std::string(operation), "1.1", std::move(body)));
  if (response.status < 200 || response.status >= 300) {
    return AwsCallError("EventBridge", operation, response);
  }
  return response;
}

Result<std::string> EventBridgeClient::PutEvents(std::string_view bus_arn_or_name,
                                                 std::string_view source,
                                                 std::string_view detail_type,
                                                 std::string_view detail_json,
                                                 const std::vector<std::string>& resources) const {
  boost::json::object entry;
  entry["Source"] = source;
  entry["DetailType"] = detail_type;
  entry["Detail"] = detail_json;
  entry["EventBusName"] = bus_arn_or_name;
  if (!resources.empty()) {
    boost::json::array list;
    for (const std::string& r : resources) list.emplace_back(r);
    entry["Resources"] = std::move(list);
  }
  boost::json::object request;
  request["Entries"] = boost::json::array{std::move(entry)};
  LAMBDALITE_TRY(ClientResponse response,
                 Call(BusRegion(bus_arn_or_name), "PutEvents", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer,
                 ParseJsonAnswer("EventBridge", "PutEvents", response.body));

  const boost::json::value* entries = answer.if_contains("Entries");
  const boost::json::object* result = nullptr;
  if (entries != nullptr && entries->is_array() && !entries->get_array().empty() &&
      entries->get_array()[0].is_object()) {
    result = &entries->get_array()[0].get_object();
  }
  if (IntField(answer, "FailedEntryCount") == 0 && result != nullptr &&
      !StringField(*result, "EventId").empty()) {
    return StringField(*result, "EventId");
  }
  // Rejected: the entry says why. ThrottlingException and InternalFailure are the codes AWS
  // documents as worth retrying.
  std::string code = result != nullptr ? StringField(*result, "ErrorCode") : std::string();
  std::string message = result != nullptr ? StringField(*result, "ErrorMessage") : std::string();
  const bool retryable = code == "ThrottlingException" || code == "InternalFailure";
  return Error::Make(retryable ? ErrorCode::kUnavailable : ErrorCode::kInvalidParameter,
                     "EventBridge PutEvents rejected the event: " +
                         (code.empty() ? std::string("no EventId returned") : code) +
                         (message.empty() ? "" : ": " + message));
}

Result<std::string> EventBridgeClient::CreateEventBus(std::string_view name,
                                                      std::string_view region) const {
  boost::json::object request;
  request["Name"] = name;
  LAMBDALITE_TRY(ClientResponse response,
                 Call(region.empty() ? std::string_view(config_.region) : region, "CreateEventBus",
                      boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer,
                 ParseJsonAnswer("EventBridge", "CreateEventBus", response.body));
  return StringField(answer, "EventBusArn");
}

Result<std::string> EventBridgeClient::PutRule(std::string_view bus_arn_or_name,
                                               std::string_view rule_name,
                                               std::string_view event_pattern_json) const {
  boost::json::object request;
  request["Name"] = rule_name;
  request["EventBusName"] = bus_arn_or_name;
  request["EventPattern"] = event_pattern_json;
  request["State"] = "ENABLED";
  LAMBDALITE_TRY(ClientResponse response,
                 Call(BusRegion(bus_arn_or_name), "PutRule", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer,
                 ParseJsonAnswer("EventBridge", "PutRule", response.body));
  return StringField(answer, "RuleArn");
}

Status EventBridgeClient::PutTarget(std::string_view bus_arn_or_name, std::string_view rule_name,
                                    std::string_view target_id, std::string_view target_arn) const {
  boost::json::object request;
  request["Rule"] = rule_name;
  request["EventBusName"] = bus_arn_or_name;
  request["Targets"] =
      boost::json::array{boost::json::object{{"Id", target_id}, {"Arn", target_arn}}};
  LAMBDALITE_TRY(ClientResponse response,
                 Call(BusRegion(bus_arn_or_name), "PutTargets", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer,
                 ParseJsonAnswer("EventBridge", "PutTargets", response.body));
  if (IntField(answer, "FailedEntryCount") != 0) {
    return Error::Make(
        ErrorCode::kInvalidParameter,
        "EventBridge PutTargets rejected the target: " + boost::json::serialize(answer));
  }
  return Status::Ok();
}

}  // namespace lambdalite::aws
