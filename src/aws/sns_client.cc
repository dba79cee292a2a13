#include "aws/sns_client.h"

#include <optional>
#include <utility>
#include <vector>

#include "aws/aws_client.h"

namespace lambdalite::aws {
namespace {

constexpr std::string_view kSnsVersion = "2010-03-31";

// The region of a topic ARN; fails on anything that is not one.
Result<std::string> TopicRegion(std::string_view topic_arn) {
  std::optional<Arn> arn = ParseArn(topic_arn);
  if (!arn || arn->service != "sns" || arn->region.empty() || arn->account.empty()) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Not an SNS topic ARN: " + std::string(topic_arn));
  }
  return std::move(arn->region);
}

}  // namespace

SnsClient::SnsClient(HttpClient* http, const Config& config, const Clock* clock)
    : http_(http), config_(config), clock_(clock) {}

Result<std::string> SnsClient::CallForElement(
    std::string_view region, std::string_view action,
    const std::vector<std::pair<std::string, std::string>>& params,
    std::string_view result_element) const {
  AwsClient client(http_, config_, "sns", std::string(region), clock_);
  LAMBDALITE_TRY(ClientResponse response, client.CallQuery(action, kSnsVersion, params));
  if (response.status < 200 || response.status >= 300) {
    return AwsCallError("SNS", action, response);
  }
  std::optional<std::string> value = XmlElementText(response.body, result_element);
  if (!value) {
    return Error::Make(ErrorCode::kUnavailable, "SNS " + std::string(action) + " returned no " +
                                                    std::string(result_element));
  }
  return std::move(*value);
}

Result<std::string> SnsClient::Publish(std::string_view topic_arn, std::string_view message,
                                       const MessageAttributes& attributes) const {
  LAMBDALITE_TRY(std::string region, TopicRegion(topic_arn));
  std::vector<std::pair<std::string, std::string>> params = {{"TopicArn", std::string(topic_arn)},
                                                             {"Message", std::string(message)}};
  int n = 0;
  for (const auto& [name, attr] : attributes) {
    const std::string prefix = "MessageAttributes.entry." + std::to_string(++n);
    params.emplace_back(prefix + ".Name", name);
    params.emplace_back(prefix + ".Value.DataType", attr.data_type);
    params.emplace_back(prefix + ".Value.StringValue", attr.string_value);
  }
  return CallForElement(region, "Publish", params, "MessageId");
}

Result<std::string> SnsClient::CreateTopic(std::string_view name, std::string_view region) const {
  return CallForElement(region.empty() ? std::string_view(config_.region) : region, "CreateTopic",
                        {{"Name", std::string(name)}}, "TopicArn");
}

Result<std::string> SnsClient::Subscribe(std::string_view topic_arn, std::string_view protocol,
                                         std::string_view endpoint,
                                         bool raw_message_delivery) const {
  LAMBDALITE_TRY(std::string region, TopicRegion(topic_arn));
  std::vector<std::pair<std::string, std::string>> params = {{"TopicArn", std::string(topic_arn)},
                                                             {"Protocol", std::string(protocol)},
                                                             {"Endpoint", std::string(endpoint)},
                                                             {"ReturnSubscriptionArn", "true"}};
  if (raw_message_delivery) {
    params.emplace_back("Attributes.entry.1.key", "RawMessageDelivery");
    params.emplace_back("Attributes.entry.1.value", "true");
  }
  return CallForElement(region, "Subscribe", params, "SubscriptionArn");
}

}  // namespace lambdalite::aws
