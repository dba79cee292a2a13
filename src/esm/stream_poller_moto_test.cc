// The stream poller over the real Kinesis and DynamoDB Streams clients, against moto_server, with
// the on-failure record going to a real SQS queue.
#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "aws/aws_client.h"
#include "aws/kinesis_client.h"
#include "aws/moto_server_testing.h"
#include "aws/sqs_client.h"
#include "esm/checkpoint_stores.h"
#include "esm/stream_poller.h"

namespace lambdalite::esm {
namespace {

using namespace std::chrono_literals;

class RecordingInvoker final : public FunctionInvoker {
 public:
  bool fail = false;
  Result<InvokeOutcome> Invoke(const domain::Scope&, const std::string&, const std::string&,
                               std::string payload) override {
    std::lock_guard lock(mu_);
    payloads_.push_back(payload);
    if (fail) return InvokeOutcome{R"({"errorMessage":"x"})", "Unhandled", "req-1"};
    return InvokeOutcome{"null", std::nullopt, "req-1"};
  }
  std::vector<std::string> payloads() {
    std::lock_guard lock(mu_);
    return payloads_;
  }

 private:
  std::mutex mu_;
  std::vector<std::string> payloads_;
};

class StreamPollerMotoTest : public aws::testing::MotoServerTest {
 protected:
  std::unique_ptr<Poller> Start(const domain::EventSourceMapping& mapping) {
    StreamPollerOptions options;
    options.empty_poll_wait_ms = 50;
    options.shard_refresh_ms = 500;
    options.initial_backoff_ms = 20;
    options.max_backoff_ms = 100;
    StreamPollerFactory factory(options, [](const domain::Scope&, const std::string&) {
      return std::string("arn:aws:iam::123456789012:role/r");
    });
    PollerContext context;
    context.view.mapping = mapping;
    context.invoker = &invoker_;
    context.clock = &clock_;
    context.http = &http_;
    context.aws = config_;
    context.checkpoints = &checkpoints_;
    auto poller = factory.Start(context);
    EXPECT_TRUE(poller.ok()) << (poller.ok() ? "" : poller.error().message);
    return poller.ok() ? std::move(poller).value() : nullptr;
  }
  bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 300; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(50ms);
    }
    return done();
  }

  RecordingInvoker invoker_;
  SystemClock clock_;
  MemoryCheckpointStore checkpoints_;
};

TEST_F(StreamPollerMotoTest, KinesisFailureGoesToSqs) {
  aws::KinesisClient kinesis(&http_, config_);
  ASSERT_TRUE(kinesis.CreateStream("pm1", 1).ok());
  const std::string arn = "arn:aws:kinesis:us-east-1:123456789012:stream/pm1";
  auto s1 = kinesis.PutRecord(arn, "a", "k");
  auto s2 = kinesis.PutRecord(arn, "b", "k");
  ASSERT_TRUE(s1.ok() && s2.ok());
  aws::SqsClient sqs(&http_, config_);
  auto queue = sqs.CreateQueue("pm1-dlq");
  ASSERT_TRUE(queue.ok());

  domain::EventSourceMapping mapping;
  mapping.uuid = "u-kinesis";
  mapping.kind = domain::EventSourceKind::kKinesis;
  mapping.event_source_arn = arn;
  mapping.function_name = "fn";
  mapping.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fn";
  mapping.batch_size = 10;
  mapping.starting_position = "TRIM_HORIZON";
  mapping.maximum_retry_attempts = 0;
  mapping.on_failure_destination = "arn:aws:sqs:us-east-1:123456789012:pm1-dlq";
  invoker_.fail = true;
  auto poller = Start(mapping);
  ASSERT_NE(poller, nullptr);
  std::vector<aws::ReceivedMessage> got;
  ASSERT_TRUE(WaitFor([&] {
    auto m = sqs.ReceiveMessage(*queue, 10, 0);
    if (m.ok() && !m->empty()) got = *m;
    return !got.empty();
  }));
  poller->Stop();
  boost::json::value record = boost::json::parse(got[0].body);
  EXPECT_EQ(record.at("KinesisBatchInfo").at("startSequenceNumber").as_string(), *s1);
  EXPECT_EQ(record.at("KinesisBatchInfo").at("endSequenceNumber").as_string(), *s2);
  EXPECT_EQ(record.at("KinesisBatchInfo").at("shardId").as_string(), "shardId-000000000000");
  auto cp = checkpoints_.Get("u-kinesis", "shardId-000000000000");
  ASSERT_TRUE(cp.ok());
  EXPECT_EQ(**cp, *s2);
  ASSERT_EQ(invoker_.payloads().size(), 1u);
  boost::json::value event = boost::json::parse(invoker_.payloads()[0]);
  EXPECT_EQ(event.at("Records").at(0).at("invokeIdentityArn").as_string(),
            "arn:aws:iam::123456789012:role/r");
  EXPECT_EQ(event.at("Records").at(0).at("kinesis").at("data").as_string(), "YQ==");
  EXPECT_TRUE(poller->Status().lag.has_value());
}

TEST_F(StreamPollerMotoTest, DynamoDbRecordsAndMissingStream) {
  aws::AwsClient dynamodb(&http_, config_, "dynamodb");
  auto created = dynamodb.CallJson(
      "DynamoDB_20120810.CreateTable", "1.0",
      R"({"TableName":"pm2","KeySchema":[{"AttributeName":"id","KeyType":"HASH"}],)"
      R"("AttributeDefinitions":[{"AttributeName":"id","AttributeType":"S"}],)"
      R"("BillingMode":"PAY_PER_REQUEST",)"
      R"("StreamSpecification":{"StreamEnabled":true,"StreamViewType":"NEW_AND_OLD_IMAGES"}})");
  ASSERT_TRUE(created.ok() && created->status == 200);
  const std::string arn(
      boost::json::parse(created->body).at("TableDescription").at("LatestStreamArn").as_string());
  ASSERT_TRUE(dynamodb
                  .CallJson("DynamoDB_20120810.PutItem", "1.0",
                            R"({"TableName":"pm2","Item":{"id":{"S":"a"}}})")
                  .ok());
  domain::EventSourceMapping mapping;
  mapping.uuid = "u-ddb";
  mapping.kind = domain::EventSourceKind::kDynamoDbStreams;
  mapping.event_source_arn = arn;
  mapping.function_name = "fn";
  mapping.batch_size = 100;
  mapping.starting_position = "TRIM_HORIZON";
  auto poller = Start(mapping);
  ASSERT_NE(poller, nullptr);
  ASSERT_TRUE(WaitFor([&] { return !invoker_.payloads().empty(); }));
  poller->Stop();
  boost::json::value event = boost::json::parse(invoker_.payloads()[0]);
  const auto& r = event.at("Records").at(0);
  EXPECT_EQ(r.at("eventName").as_string(), "INSERT");
  EXPECT_EQ(r.at("eventVersion").as_string(), "1.1");
  EXPECT_EQ(r.at("eventSourceARN").as_string(), arn);
  EXPECT_EQ(r.at("dynamodb").at("Keys").at("id").at("S").as_string(), "a");

  EXPECT_TRUE(
      CheckStreamSource(&http_, config_, domain::EventSourceKind::kDynamoDbStreams, arn).ok());
  const std::string missing =
      "arn:aws:dynamodb:us-east-1:123456789012:table/none/stream/2024-01-01T00:00:00.000";
  Status checked =
      CheckStreamSource(&http_, config_, domain::EventSourceKind::kDynamoDbStreams, missing);
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(checked.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(checked.error().message,
            CannotAccessStreamMessage(domain::EventSourceKind::kDynamoDbStreams, missing));
  Status kinesis_missing = CheckStreamSource(&http_, config_, domain::EventSourceKind::kKinesis,
                                             "arn:aws:kinesis:us-east-1:123456789012:stream/none");
  ASSERT_FALSE(kinesis_missing.ok());
  EXPECT_EQ(kinesis_missing.error().code, ErrorCode::kInvalidParameter);
}

}  // namespace
}  // namespace lambdalite::esm
