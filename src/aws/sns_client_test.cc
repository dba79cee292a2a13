#include "aws/sns_client.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>

#include "aws/moto_server_testing.h"
#include "aws/sqs_client.h"

namespace lambdalite::aws {
namespace {

TEST(SnsClientTest, RejectsNonTopicArns) {
  HttpClient http;
  SnsClient sns(&http, Config{});
  for (const char* bad : {"my-topic", "arn:aws:sqs:us-east-1:123456789012:q",
                          "arn:aws:sns::123456789012:t", "arn:aws:sns:us-east-1::t"}) {
    auto published = sns.Publish(bad, "x");
    ASSERT_FALSE(published.ok()) << bad;
    EXPECT_EQ(published.error().code, ErrorCode::kInvalidParameter);
  }
}

class SnsClientMotoTest : public testing::MotoServerTest {
 protected:
  void SetUpClients() override {
    sns_ = std::make_unique<SnsClient>(&http_, config_);
    sqs_ = std::make_unique<SqsClient>(&http_, config_);
  }

  // A topic with a queue subscribed to it; returns {topic ARN, queue ARN}.
  std::pair<std::string, std::string> TopicWithQueue(const std::string& name, bool raw,
                                                     const std::string& region = "us-east-1") {
    auto topic = sns_->CreateTopic(name, region);
    EXPECT_TRUE(topic.ok()) << topic.error().message;
    EXPECT_TRUE(sqs_->CreateQueue(name + "-sub", region).ok());
    std::string queue_arn = "arn:aws:sqs:" + region + ":123456789012:" + name + "-sub";
    auto sub = sns_->Subscribe(*topic, "sqs", queue_arn, raw);
    EXPECT_TRUE(sub.ok()) << sub.error().message;
    return {*topic, queue_arn};
  }

  std::unique_ptr<SnsClient> sns_;
  std::unique_ptr<SqsClient> sqs_;
};

TEST_F(SnsClientMotoTest, CreateTopicReturnsArn) {
  auto topic = sns_->CreateTopic("named");
  ASSERT_TRUE(topic.ok()) << topic.error().message;
  EXPECT_EQ(*topic, "arn:aws:sns:us-east-1:123456789012:named");
}

TEST_F(SnsClientMotoTest, PublishRawWithAttributes) {
  auto [topic, queue] = TopicWithQueue("raw", /*raw=*/true);
  const std::string message = R"({"x": "a&b=c+d %20 é"})";
  MessageAttributes attributes = {{"RequestID", {"String", "req-9"}},
                                  {"ErrorCode", {"Number", "200"}},
                                  {"ErrorMessage", {"String", "bad <thing> & \"quotes\""}}};
  auto id = sns_->Publish(topic, message, attributes);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_FALSE(id->empty());

  auto received = sqs_->ReceiveMessage(queue);
  ASSERT_TRUE(received.ok()) << received.error().message;
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].body, message);
  EXPECT_EQ((*received)[0].attributes, attributes);
}

TEST_F(SnsClientMotoTest, PublishInEnvelope) {
  auto [topic, queue] = TopicWithQueue("enveloped", /*raw=*/false, "eu-west-1");
  auto id = sns_->Publish(topic, "the message");
  ASSERT_TRUE(id.ok()) << id.error().message;
  auto received = sqs_->ReceiveMessage(queue);
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->size(), 1u);
  boost::json::value envelope = boost::json::parse((*received)[0].body);
  EXPECT_EQ(envelope.at("Type"), "Notification");
  EXPECT_EQ(envelope.at("TopicArn"), boost::json::value(topic));
  EXPECT_EQ(envelope.at("Message"), "the message");
  EXPECT_EQ(envelope.at("MessageId"), boost::json::value(*id));
}

TEST_F(SnsClientMotoTest, MissingTopic) {
  auto published = sns_->Publish("arn:aws:sns:us-east-1:123456789012:absent", "x");
  ASSERT_FALSE(published.ok());
  EXPECT_EQ(published.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(published.error().message,
            "SNS Publish failed: NotFound: Endpoint does not exist (HTTP 404)");
}

}  // namespace
}  // namespace lambdalite::aws
