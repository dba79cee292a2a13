#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/sqs_client.h"  // MessageAttributes, ParseArn, AwsCallError
#include "common/clock.h"
#include "common/result.h"

namespace lambdalite::aws {

// The SNS operations lambdalite needs, over the awsQuery protocol (Action=...,
// Version=2010-03-31). Each call goes to the region of the topic ARN it names, so one client serves
// topics in every region. Thread-safe; `http` and `clock` must outlive the client.
class SnsClient {
 public:
  SnsClient(HttpClient* http, const Config& config, const Clock* clock = nullptr);

  // Publishes `message` to a topic (arn:aws:sns:<region>:<account>:<name>); returns the MessageId.
  Result<std::string> Publish(std::string_view topic_arn, std::string_view message,
                              const MessageAttributes& attributes = {}) const;

  // Setup, for tests and local setups.
  //
  // Creates a standard topic in `region` (empty: config.region); returns its TopicArn.
  Result<std::string> CreateTopic(std::string_view name, std::string_view region = {}) const;
  // Subscribes `endpoint` (for protocol "sqs", a queue ARN) to the topic; returns the
  // SubscriptionArn. With `raw_message_delivery` the subscriber gets the message itself and its
  // attributes rather than SNS's JSON notification envelope.
  Result<std::string> Subscribe(std::string_view topic_arn, std::string_view protocol,
                                std::string_view endpoint, bool raw_message_delivery = false) const;

 private:
  Result<std::string> CallForElement(std::string_view region, std::string_view action,
                                     const std::vector<std::pair<std::string, std::string>>& params,
                                     std::string_view result_element) const;

  HttpClient* http_;
  Config config_;
  const Clock* clock_;
};

}  // namespace lambdalite::aws
