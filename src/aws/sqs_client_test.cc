#include "aws/sqs_client.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "aws/eventbridge_client.h"
#include "aws/moto_server_testing.h"
#include "aws/sns_client.h"

namespace lambdalite::aws {
namespace {

TEST(ArnTest, Parses) {
  auto arn = ParseArn("arn:aws:lambda:us-east-1:123456789012:function:f:$LATEST");
  ASSERT_TRUE(arn);
  EXPECT_EQ(arn->partition, "aws");
  EXPECT_EQ(arn->service, "lambda");
  EXPECT_EQ(arn->region, "us-east-1");
  EXPECT_EQ(arn->account, "123456789012");
  EXPECT_EQ(arn->resource, "function:f:$LATEST");

  auto bucket = ParseArn("arn:aws:s3:::my-bucket");
  ASSERT_TRUE(bucket);
  EXPECT_EQ(bucket->service, "s3");
  EXPECT_EQ(bucket->region, "");
  EXPECT_EQ(bucket->account, "");
  EXPECT_EQ(bucket->resource, "my-bucket");

  EXPECT_EQ(ParseArn("arn:aws:events:eu-west-1:1:event-bus/b")->resource, "event-bus/b");
  EXPECT_FALSE(ParseArn("my-queue"));
  EXPECT_FALSE(ParseArn("arn:aws:sqs:us-east-1:123456789012"));
  EXPECT_FALSE(ParseArn("arn:aws:sqs:us-east-1:123456789012:"));
  EXPECT_FALSE(ParseArn("arn::sqs:us-east-1:123456789012:q"));
  EXPECT_FALSE(ParseArn("ARN:aws:sqs:us-east-1:123456789012:q"));
}

TEST(ResolveQueueTest, ArnToUrlOnAws) {
  Config config;  // no endpoint override: the real AWS endpoints
  auto queue = ResolveQueue(config, "arn:aws:sqs:eu-central-1:123456789012:my-queue");
  ASSERT_TRUE(queue.ok()) << queue.error().message;
  EXPECT_EQ(queue->queue_url, "https://sqs.eu-central-1.amazonaws.com/123456789012/my-queue");
  EXPECT_EQ(queue->region, "eu-central-1");

  auto china = ResolveQueue(config, "arn:aws-cn:sqs:cn-north-1:123456789012:q");
  ASSERT_TRUE(china.ok());
  EXPECT_EQ(china->queue_url, "https://sqs.cn-north-1.amazonaws.com.cn/123456789012/q");
}

TEST(ResolveQueueTest, ArnToUrlOnEmulator) {
  Config config;
  config.region = "us-east-1";
  config.endpoint_url = "http://localhost:4566";
  auto queue = ResolveQueue(config, "arn:aws:sqs:ap-south-1:000000000000:dlq");
  ASSERT_TRUE(queue.ok());
  EXPECT_EQ(queue->queue_url, "http://localhost:4566/000000000000/dlq");
  EXPECT_EQ(queue->region, "ap-south-1");  // signed for the queue's region, not config's

  config.service_endpoint_urls["sqs"] = "http://127.0.0.1:5000";
  EXPECT_EQ(ResolveQueue(config, "arn:aws:sqs:us-east-1:000000000000:dlq")->queue_url,
            "http://127.0.0.1:5000/000000000000/dlq");
}

TEST(ResolveQueueTest, Urls) {
  Config config;
  config.region = "us-west-2";
  auto aws = ResolveQueue(config, "https://sqs.eu-west-3.amazonaws.com/123456789012/q");
  ASSERT_TRUE(aws.ok());
  EXPECT_EQ(aws->queue_url, "https://sqs.eu-west-3.amazonaws.com/123456789012/q");
  EXPECT_EQ(aws->region, "eu-west-3");
  EXPECT_EQ(ResolveQueue(config, "https://ap-northeast-1.queue.amazonaws.com/1/q")->region,
            "ap-northeast-1");
  auto local = ResolveQueue(config, "http://localhost:4566/000000000000/q");
  ASSERT_TRUE(local.ok());
  EXPECT_EQ(local->region, "us-west-2");
}

TEST(ResolveQueueTest, Rejects) {
  Config config;
  for (const char* bad : {"my-queue", "arn:aws:sns:us-east-1:123456789012:topic",
                          "arn:aws:sqs::123456789012:q", "arn:aws:sqs:us-east-1::q",
                          "arn:aws:sqs:us-east-1:123456789012:a/b", "ftp://host/q", "http://"}) {
    auto queue = ResolveQueue(config, bad);
    ASSERT_FALSE(queue.ok()) << bad;
    EXPECT_EQ(queue.error().code, ErrorCode::kInvalidParameter) << bad;
  }
}

ClientResponse Response(int status, std::string body) {
  ClientResponse r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

TEST(AwsCallErrorTest, ClassifiesRetryable) {
  Error missing = AwsCallError(
      "SQS", "SendMessage",
      Response(400, R"({"__type":"com.amazonaws.sqs#QueueDoesNotExist","message":"Gone."})"));
  EXPECT_EQ(missing.code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(missing.message, "SQS SendMessage failed: QueueDoesNotExist: Gone. (HTTP 400)");

  EXPECT_EQ(AwsCallError("SQS", "SendMessage", Response(503, "")).code, ErrorCode::kUnavailable);
  EXPECT_EQ(AwsCallError("SQS", "SendMessage", Response(503, "")).message,
            "SQS SendMessage failed: error (HTTP 503)");
  EXPECT_EQ(AwsCallError("SNS", "Publish",
                         Response(400,
                                  "<ErrorResponse><Error><Code>Throttling</Code>"
                                  "<Message>Rate exceeded</Message></Error></ErrorResponse>"))
                .code,
            ErrorCode::kUnavailable);
  EXPECT_EQ(AwsCallError("SNS", "Publish", Response(429, "")).code, ErrorCode::kUnavailable);
}

class SqsClientMotoTest : public testing::MotoServerTest {
 protected:
  void SetUpClients() override { sqs_ = std::make_unique<SqsClient>(&http_, config_); }

  std::unique_ptr<SqsClient> sqs_;
};

// moto's default account, which its queue URLs and ARNs carry.
constexpr char kAccount[] = "123456789012";

TEST_F(SqsClientMotoTest, SendByArnAndReceiveWithAttributes) {
  auto url = sqs_->CreateQueue("records");
  ASSERT_TRUE(url.ok()) << url.error().message;
  EXPECT_EQ(*url, server_->endpoint() + "/" + kAccount + "/records");

  const std::string arn = std::string("arn:aws:sqs:us-east-1:") + kAccount + ":records";
  const std::string body = R"({"a": [1, 2.50, "é\n"], "b": null})";
  MessageAttributes attributes = {{"RequestID", {"String", "req-1"}},
                                  {"ErrorCode", {"Number", "200"}},
                                  {"ErrorMessage", {"String", "it \"broke\" <badly> & ü"}}};
  auto id = sqs_->SendMessage(arn, body, attributes);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_FALSE(id->empty());

  auto received = sqs_->ReceiveMessage(arn);
  ASSERT_TRUE(received.ok()) << received.error().message;
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].message_id, *id);
  EXPECT_EQ((*received)[0].body, body);
  EXPECT_EQ((*received)[0].attributes, attributes);
}

TEST_F(SqsClientMotoTest, SendByUrl) {
  auto url = sqs_->CreateQueue("by-url");
  ASSERT_TRUE(url.ok());
  ASSERT_TRUE(sqs_->SendMessage(*url, "plain text").ok());
  auto received = sqs_->ReceiveMessage(*url);
  ASSERT_TRUE(received.ok());
  ASSERT_EQ(received->size(), 1u);
  EXPECT_EQ((*received)[0].body, "plain text");
  EXPECT_TRUE((*received)[0].attributes.empty());
}

TEST_F(SqsClientMotoTest, QueueInAnotherRegion) {
  ASSERT_TRUE(sqs_->CreateQueue("eu-queue", "eu-west-1").ok());
  const std::string arn = std::string("arn:aws:sqs:eu-west-1:") + kAccount + ":eu-queue";
  ASSERT_TRUE(sqs_->SendMessage(arn, "hello").ok());
  EXPECT_EQ(sqs_->ReceiveMessage(arn).value().at(0).body, "hello");
  // The same name in config's region is another queue, which does not exist.
  auto other =
      sqs_->SendMessage(std::string("arn:aws:sqs:us-east-1:") + kAccount + ":eu-queue", "hello");
  EXPECT_FALSE(other.ok());
}

TEST_F(SqsClientMotoTest, MissingQueue) {
  auto sent = sqs_->SendMessage(std::string("arn:aws:sqs:us-east-1:") + kAccount + ":absent", "x");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(sent.error().message,
            "SQS SendMessage failed: QueueDoesNotExist: The specified queue does not exist. "
            "(HTTP 400)");
}

TEST_F(SqsClientMotoTest, EmptyQueueReceivesNothing) {
  auto url = sqs_->CreateQueue("empty");
  ASSERT_TRUE(url.ok());
  auto received = sqs_->ReceiveMessage(*url);
  ASSERT_TRUE(received.ok());
  EXPECT_TRUE(received->empty());
}

// moto verifies the signatures (MotoSignatureCheck): an independent check of the signing of the
// awsJson (SQS, EventBridge) and awsQuery (SNS) calls.
TEST_F(SqsClientMotoTest, SignaturesVerifiedByMoto) {
  testing::MotoSignatureCheck check(&http_, *server_);
  auto key = check.Enable("destinations");
  ASSERT_TRUE(key.ok()) << key.error().message;

  Config signed_config = config_;
  signed_config.credentials = *key;

  SqsClient sqs(&http_, signed_config);
  auto url = sqs.CreateQueue("signed");
  ASSERT_TRUE(url.ok()) << url.error().message;
  const std::string queue = std::string("arn:aws:sqs:us-east-1:") + kAccount + ":signed";
  auto sent = sqs.SendMessage(queue, "{\"signed\": true}", {{"A", {"String", "b c"}}});
  ASSERT_TRUE(sent.ok()) << sent.error().message;

  SnsClient sns(&http_, signed_config);
  auto topic = sns.CreateTopic("signed-topic");
  ASSERT_TRUE(topic.ok()) << topic.error().message;
  // No space in the form body: moto re-encodes the form it parsed, with '+' for a space, before
  // hashing, while FormEncode sends %20 (AWS hashes the bytes it received, so either is right).
  auto published = sns.Publish(*topic, "a&b=c/d+e:f\xC3\xA9", {{"N", {"Number", "1"}}});
  ASSERT_TRUE(published.ok()) << published.error().message;

  EventBridgeClient events(&http_, signed_config);
  auto bus = events.CreateEventBus("signed-bus");
  ASSERT_TRUE(bus.ok()) << bus.error().message;
  auto put = events.PutEvents(*bus, "lambda", "t", R"({"k":"v"})");
  ASSERT_TRUE(put.ok()) << put.error().message;

  EXPECT_EQ(sqs.ReceiveMessage(queue).value().size(), 1u);

  // And a wrong secret really is refused.
  signed_config.credentials.secret_access_key += "x";
  auto refused = SqsClient(&http_, signed_config).SendMessage(queue, "x");
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.error().message.find("SignatureDoesNotMatch"), std::string::npos)
      << refused.error().message;
  auto refused_sns = SnsClient(&http_, signed_config).Publish(*topic, "x");
  ASSERT_FALSE(refused_sns.ok());
  EXPECT_NE(refused_sns.error().message.find("SignatureDoesNotMatch"), std::string::npos)
      << refused_sns.error().message;
}

TEST(SqsClientTest, UnreachableEndpointIsUnavailable) {
  Config config;
  config.endpoint_url = "http://127.0.0.1:" + std::to_string(testing::PickFreePort());
  HttpClient http;
  SqsClient sqs(&http, config);
  auto sent = sqs.SendMessage("arn:aws:sqs:us-east-1:123456789012:q", "x");
  ASSERT_FALSE(sent.ok());
  EXPECT_EQ(sent.error().code, ErrorCode::kUnavailable);
}

}  // namespace
}  // namespace lambdalite::aws
