#include "aws/eventbridge_client.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>

#include "aws/moto_server_testing.h"
#include "aws/sqs_client.h"

namespace lambdalite::aws {
namespace {

class EventBridgeClientMotoTest : public testing::MotoServerTest {
 protected:
  void SetUpClients() override {
    events_ = std::make_unique<EventBridgeClient>(&http_, config_);
    sqs_ = std::make_unique<SqsClient>(&http_, config_);
  }

  // A bus whose events with source "lambda" land in a queue; returns {bus ARN, queue ARN}.
  std::pair<std::string, std::string> BusWithQueue(const std::string& name,
                                                   const std::string& region) {
    auto bus = events_->CreateEventBus(name, region);
    EXPECT_TRUE(bus.ok()) << bus.error().message;
    EXPECT_TRUE(sqs_->CreateQueue(name + "-q", region).ok());
    std::string queue_arn = "arn:aws:sqs:" + region + ":123456789012:" + name + "-q";
    auto rule = events_->PutRule(*bus, "to-queue", R"({"source":["lambda"]})");
    EXPECT_TRUE(rule.ok()) << rule.error().message;
    Status target = events_->PutTarget(*bus, "to-queue", "queue", queue_arn);
    EXPECT_TRUE(target.ok()) << target.error().message;
    return {*bus, queue_arn};
  }

  std::unique_ptr<EventBridgeClient> events_;
  std::unique_ptr<SqsClient> sqs_;
};

TEST_F(EventBridgeClientMotoTest, PutEventsReachesRuleTarget) {
  auto [bus, queue] = BusWithQueue("results", "eu-west-1");
  EXPECT_EQ(bus, "arn:aws:events:eu-west-1:123456789012:event-bus/results");
  const std::string detail = R"({"version":"1.0","z":1,"a":{"n":[1,2]}})";
  const std::string function = "arn:aws:lambda:eu-west-1:123456789012:function:f:$LATEST";
  auto id = events_->PutEvents(bus, "lambda", "Lambda Function Invocation Result - Success", detail,
                               {bus, function});
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_FALSE(id->empty());

  auto received = sqs_->ReceiveMessage(queue);
  ASSERT_TRUE(received.ok()) << received.error().message;
  ASSERT_EQ(received->size(), 1u);
  boost::json::object event = boost::json::parse((*received)[0].body).as_object();
  EXPECT_EQ(event.at("id"), boost::json::value(*id));
  EXPECT_EQ(event.at("source"), "lambda");
  EXPECT_EQ(event.at("detail-type"), "Lambda Function Invocation Result - Success");
  EXPECT_EQ(event.at("region"), "eu-west-1");
  EXPECT_EQ(event.at("resources"), (boost::json::array{bus, function}));
  EXPECT_EQ(boost::json::serialize(event.at("detail")), detail);
}

TEST_F(EventBridgeClientMotoTest, RuleThatDoesNotMatch) {
  auto [bus, queue] = BusWithQueue("other", "us-east-1");
  ASSERT_TRUE(events_->PutEvents(bus, "not-lambda", "t", "{}").ok());
  EXPECT_TRUE(sqs_->ReceiveMessage(queue).value().empty());
}

TEST_F(EventBridgeClientMotoTest, RejectedEntryIsAnError) {
  auto bus = events_->CreateEventBus("strict");
  ASSERT_TRUE(bus.ok());
  auto id = events_->PutEvents(*bus, "lambda", "t", "not json");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(id.error().message,
            "EventBridge PutEvents rejected the event: MalformedDetail: Detail is malformed.");
}

TEST_F(EventBridgeClientMotoTest, MissingBus) {
  auto id = events_->PutEvents("arn:aws:events:us-east-1:123456789012:event-bus/absent", "lambda",
                               "t", "{}");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().code, ErrorCode::kInvalidParameter);
  EXPECT_NE(id.error().message.find("ResourceNotFoundException"), std::string::npos)
      << id.error().message;
}

}  // namespace
}  // namespace lambdalite::aws
