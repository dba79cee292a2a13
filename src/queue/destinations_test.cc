#include "queue/destinations.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "aws/eventbridge_client.h"
#include "aws/moto_server_testing.h"
#include "aws/s3_client.h"
#include "aws/sns_client.h"
#include "aws/sqs_client.h"
#include "queue/invocation_record.h"

namespace lambdalite::queue {
namespace {

constexpr int64_t kRecordTime = 1706704496789;  // 2024-01-31T12:34:56.789Z
constexpr char kFunctionArn[] = "arn:aws:lambda:us-east-1:123456789012:function:my-function";
constexpr char kQualifiedArn[] =
    "arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST";
constexpr char kRequestId[] = "4f3c1a7e-9b7d-4c38-a9f6-0d2b1e5c8a11";

Event MakeEvent(std::string payload, int attempts) {
  Event event;
  event.request_id = kRequestId;
  event.scope = {"123456789012", "us-east-1"};
  event.function_name = "my-function";
  event.payload = std::move(payload);
  event.attempts = attempts;
  return event;
}

AttemptResult Success(std::string response) {
  AttemptResult last;
  last.status_code = 200;
  last.executed_version = "$LATEST";
  last.response_payload = std::move(response);
  last.ran = true;
  return last;
}

AttemptResult FunctionError() {
  AttemptResult last = Success(
      R"({"errorMessage": "intentional failure", "errorType": "Exception", "requestId": ")" +
      std::string(kRequestId) + R"(", "stackTrace": ["  File \"/var/task/index.py\""]})");
  last.function_error = "Unhandled";
  return last;
}

// ---- The invocation record ----------------------------------------------------------------------

TEST(InvocationRecordTest, SuccessShapeAndKeyOrder) {
  std::string record = BuildInvocationRecord(MakeEvent("{}", 1), Condition::kSuccess,
                                             Success(R"({"statusCode": 200, "body": "ok"})"),
                                             kQualifiedArn, kRecordTime);
  EXPECT_EQ(record,
            R"({"version":"1.0","timestamp":"2024-01-31T12:34:56.789Z",)"
            R"("requestContext":{"requestId":"4f3c1a7e-9b7d-4c38-a9f6-0d2b1e5c8a11",)"
            R"("functionArn":"arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST",)"
            R"("condition":"Success","approximateInvokeCount":1},)"
            R"("requestPayload":{},)"
            R"("responseContext":{"statusCode":200,"executedVersion":"$LATEST"},)"
            R"("responsePayload":{"statusCode":200,"body":"ok"}})");
  // And it is JSON.
  EXPECT_NO_THROW(boost::json::parse(record));
}

TEST(InvocationRecordTest, FailureWithFunctionError) {
  std::string record =
      BuildInvocationRecord(MakeEvent(R"({"message": "hello"})", 3), Condition::kRetriesExhausted,
                            FunctionError(), kQualifiedArn, kRecordTime);
  EXPECT_EQ(record,
            R"({"version":"1.0","timestamp":"2024-01-31T12:34:56.789Z",)"
            R"("requestContext":{"requestId":"4f3c1a7e-9b7d-4c38-a9f6-0d2b1e5c8a11",)"
            R"("functionArn":"arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST",)"
            R"("condition":"RetriesExhausted","approximateInvokeCount":3},)"
            R"("requestPayload":{"message":"hello"},)"
            R"("responseContext":{"statusCode":200,"executedVersion":"$LATEST",)"
            R"("functionError":"Unhandled"},)"
            R"("responsePayload":{"errorMessage":"intentional failure","errorType":"Exception",)"
            R"("requestId":"4f3c1a7e-9b7d-4c38-a9f6-0d2b1e5c8a11",)"
            R"("stackTrace":["  File \"/var/task/index.py\""]}})");
}

TEST(InvocationRecordTest, ZeroReservedConcurrencyHasNoResponse) {
  AttemptResult throttled;
  throttled.status_code = 429;
  throttled.ran = false;
  std::string record =
      BuildInvocationRecord(MakeEvent("{}", 0), Condition::kZeroReservedConcurrency, throttled,
                            kQualifiedArn, kRecordTime);
  EXPECT_EQ(record,
            R"({"version":"1.0","timestamp":"2024-01-31T12:34:56.789Z",)"
            R"("requestContext":{"requestId":"4f3c1a7e-9b7d-4c38-a9f6-0d2b1e5c8a11",)"
            R"("functionArn":"arn:aws:lambda:us-east-1:123456789012:function:my-function:$LATEST",)"
            R"("condition":"ZeroReservedConcurrency","approximateInvokeCount":0},)"
            R"("requestPayload":{}})");

  // Even when the dispatcher reports attempts or a result, the condition decides.
  std::string forced =
      BuildInvocationRecord(MakeEvent("{}", 2), Condition::kZeroReservedConcurrency, Success("1"),
                            kQualifiedArn, kRecordTime);
  EXPECT_EQ(forced, record);
}

TEST(InvocationRecordTest, EventAgeExceededWithoutARun) {
  AttemptResult throttled;
  throttled.ran = false;
  std::string record =
      BuildInvocationRecord(MakeEvent(R"({"k":1})", 0), Condition::kEventAgeExceeded, throttled,
                            kQualifiedArn, kRecordTime);
  boost::json::object doc = boost::json::parse(record).as_object();
  EXPECT_EQ(doc.at("requestContext").at("condition"), "EventAgeExceeded");
  EXPECT_FALSE(doc.contains("responseContext"));
  EXPECT_FALSE(doc.contains("responsePayload"));
}

TEST(InvocationRecordTest, NonJsonPayloadIsEmbeddedAsString) {
  std::string record =
      BuildInvocationRecord(MakeEvent("not json \"quoted\"\n\x01", 1), Condition::kSuccess,
                            Success("plain response"), kQualifiedArn, kRecordTime);
  EXPECT_NE(record.find(R"("requestPayload":"not json \"quoted\"\n\u0001")"), std::string::npos)
      << record;
  EXPECT_NE(record.find(R"("responsePayload":"plain response"})"), std::string::npos) << record;
  boost::json::value doc = boost::json::parse(record);
  EXPECT_EQ(doc.at("requestPayload"), "not json \"quoted\"\n\x01");
}

TEST(InvocationRecordTest, InvalidUtf8IsReplaced) {
  std::string record =
      BuildInvocationRecord(MakeEvent("ok \xC3\xA9 bad \xFF\xC3 end", 1), Condition::kSuccess,
                            Success("null"), kQualifiedArn, kRecordTime);
  boost::json::value doc = boost::json::parse(record);  // would throw on invalid UTF-8
  EXPECT_EQ(doc.at("requestPayload"), "ok \xC3\xA9 bad \xEF\xBF\xBD\xEF\xBF\xBD end");
}

TEST(InvocationRecordTest, JsonPayloadKeepsItsSpelling) {
  // Numbers, escapes and key order are the caller's; only whitespace between tokens goes.
  const std::string payload =
      "{ \"price\" : 1.50,\n \"big\": 123456789012345678901234567890, \"e\": 1e400,"
      " \"s\": \"a  b\\\" \\u00e9 \", \"z\": [ ], \"a\": {\"b\" : [true, false, null]} }";
  std::string record = BuildInvocationRecord(MakeEvent(payload, 1), Condition::kSuccess,
                                             Success(" [1, 2.0] "), kQualifiedArn, kRecordTime);
  EXPECT_NE(record.find(R"("requestPayload":{"price":1.50,"big":123456789012345678901234567890,)"
                        R"("e":1e400,"s":"a  b\" \u00e9 ","z":[],"a":{"b":[true,false,null]}},)"),
            std::string::npos)
      << record;
  EXPECT_NE(record.find(R"("responsePayload":[1,2.0]})"), std::string::npos) << record;
}

TEST(InvocationRecordTest, DeepJsonStaysJson) {
  std::string deep = std::string(100, '[') + "1" + std::string(100, ']');
  std::string record = BuildInvocationRecord(MakeEvent(deep, 1), Condition::kSuccess, Success("{}"),
                                             kQualifiedArn, kRecordTime);
  EXPECT_NE(record.find("\"requestPayload\":" + deep + ","), std::string::npos);
}

TEST(InvocationRecordTest, EmptyPayloads) {
  std::string record = BuildInvocationRecord(MakeEvent("", 1), Condition::kSuccess, Success(""),
                                             kQualifiedArn, kRecordTime);
  EXPECT_NE(record.find(R"("requestPayload":{},)"), std::string::npos) << record;
  EXPECT_NE(record.find(R"("responsePayload":null})"), std::string::npos) << record;
}

TEST(InvocationRecordTest, ErrorMessageOf) {
  EXPECT_EQ(ErrorMessageOf(R"({"errorMessage":"boom","errorType":"E"})"), "boom");
  EXPECT_EQ(ErrorMessageOf(R"({"errorType":"E"})"), "");
  EXPECT_EQ(ErrorMessageOf(R"({"errorMessage":3})"), "");
  EXPECT_EQ(ErrorMessageOf("not json"), "");
  EXPECT_EQ(ErrorMessageOf(R"(["errorMessage"])"), "");
}

// ---- Keys and dead-letter attributes ------------------------------------------------------------

TEST(DestinationDeliveryTest, S3ObjectKey) {
  std::string key = DestinationDelivery::S3ObjectKey("my-function", kRequestId, kRecordTime);
  const std::string prefix = "aws/lambda/async/my-function/2024/01/31/2024-01-31T12.34.56-";
  ASSERT_EQ(key.substr(0, prefix.size()), prefix);
  std::string uuid = key.substr(prefix.size());
  ASSERT_EQ(uuid.size(), 36u);
  for (size_t i : {8, 13, 18, 23}) EXPECT_EQ(uuid[i], '-');
  EXPECT_EQ(uuid[14], '8');  // version 8 (name-based, custom hash)
  EXPECT_NE(std::string("89ab").find(uuid[19]), std::string::npos);  // RFC variant
  // Same request, same key; another request, another key.
  EXPECT_EQ(DestinationDelivery::S3ObjectKey("my-function", kRequestId, kRecordTime), key);
  EXPECT_NE(
      DestinationDelivery::S3ObjectKey("my-function", "other", kRecordTime).substr(prefix.size()),
      uuid);
}

TEST(DestinationDeliveryTest, DeadLetterAttributesFromFunctionError) {
  aws::MessageAttributes attrs = DestinationDelivery::DeadLetterAttributes(
      MakeEvent("{}", 3), Condition::kRetriesExhausted, FunctionError());
  aws::MessageAttributes expected = {{"RequestID", {"String", kRequestId}},
                                     {"ErrorCode", {"Number", "200"}},
                                     {"ErrorMessage", {"String", "intentional failure"}}};
  EXPECT_EQ(attrs, expected);
}

TEST(DestinationDeliveryTest, DeadLetterErrorMessageFallbacks) {
  Event event = MakeEvent("{}", 0);
  AttemptResult throttled;
  throttled.status_code = 429;
  throttled.ran = false;
  EXPECT_EQ(DestinationDelivery::DeadLetterAttributes(event, Condition::kZeroReservedConcurrency,
                                                      throttled)
                .at("ErrorMessage")
                .string_value,
            "ZeroReservedConcurrency");
  EXPECT_EQ(DestinationDelivery::DeadLetterAttributes(event, Condition::kZeroReservedConcurrency,
                                                      throttled)
                .at("ErrorCode")
                .string_value,
            "429");
  event.last_error = "Task timed out after 3.00 seconds";
  AttemptResult timed_out = Success("not json");
  timed_out.function_error = "Unhandled";
  EXPECT_EQ(
      DestinationDelivery::DeadLetterAttributes(event, Condition::kRetriesExhausted, timed_out)
          .at("ErrorMessage")
          .string_value,
      "Task timed out after 3.00 seconds");
}

TEST(DestinationDeliveryTest, DeadLetterErrorMessageIsCutAt1KbOnACharacter) {
  // 1023 ASCII bytes and then a two-byte character that would straddle the limit.
  std::string message = std::string(1023, 'x') + "\xC3\xA9" + "tail";
  AttemptResult last =
      Success(boost::json::serialize(boost::json::object{{"errorMessage", message}}));
  last.function_error = "Unhandled";
  std::string cut = DestinationDelivery::DeadLetterAttributes(MakeEvent("{}", 1),
                                                              Condition::kRetriesExhausted, last)
                        .at("ErrorMessage")
                        .string_value;
  EXPECT_EQ(cut, std::string(1023, 'x'));
}

// ---- Routing and retries, without a network -----------------------------------------------------

struct Invocation {
  std::string function_arn;
  std::string payload;
};

class CallbackDeliveryTest : public ::testing::Test {
 protected:
  CallbackDeliveryTest()
      : clock_(kRecordTime),
        delivery_(
            &http_, aws::Config{},
            [this](const std::string& arn, const std::string& payload) -> Status {
              invocations_.push_back({arn, payload});
              if (fail_invokes_ > 0) {
                --fail_invokes_;
                return Error::Make(ErrorCode::kUnavailable, "queue is busy");
              }
              return Status::Ok();
            },
            &clock_) {}

  DeliveryTargets Targets() {
    DeliveryTargets targets;
    targets.function_arn_qualified = kQualifiedArn;
    return targets;
  }

  FakeClock clock_;
  aws::HttpClient http_;
  int fail_invokes_ = 0;
  std::vector<Invocation> invocations_;
  DestinationDelivery delivery_;
};

constexpr char kTargetFunction[] = "arn:aws:lambda:us-east-1:123456789012:function:on-result";

TEST_F(CallbackDeliveryTest, SuccessGoesToOnSuccessOnly) {
  DeliveryTargets targets = Targets();
  targets.on_success = kTargetFunction;
  targets.on_failure = "arn:aws:lambda:us-east-1:123456789012:function:on-failure";
  targets.dead_letter_target_arn = "arn:aws:sqs:us-east-1:123456789012:dlq";
  Event event = MakeEvent(R"({"a":1})", 1);
  ASSERT_TRUE(delivery_.Deliver(event, Condition::kSuccess, Success("{}"), targets).ok());
  ASSERT_EQ(invocations_.size(), 1u);
  EXPECT_EQ(invocations_[0].function_arn, kTargetFunction);
  EXPECT_EQ(
      invocations_[0].payload,
      BuildInvocationRecord(event, Condition::kSuccess, Success("{}"), kQualifiedArn, kRecordTime));
  EXPECT_EQ(delivery_.PendingCount(), 0u);
}

TEST_F(CallbackDeliveryTest, NothingConfigured) {
  EXPECT_TRUE(
      delivery_.Deliver(MakeEvent("{}", 1), Condition::kSuccess, Success("{}"), Targets()).ok());
  EXPECT_TRUE(
      delivery_
          .Deliver(MakeEvent("{}", 3), Condition::kRetriesExhausted, FunctionError(), Targets())
          .ok());
  EXPECT_TRUE(invocations_.empty());
}

TEST_F(CallbackDeliveryTest, UnsupportedTargetsAreDroppedNotRetried) {
  DeliveryTargets targets = Targets();
  targets.on_success = "arn:aws:s3:::bucket";  // S3 takes failures only
  DeliveryProgress progress;
  ASSERT_TRUE(
      delivery_.Deliver(MakeEvent("{}", 1), Condition::kSuccess, Success("{}"), targets, &progress)
          .ok());
  EXPECT_TRUE(progress.done.contains(DestinationDelivery::DestinationKey("arn:aws:s3:::bucket")));

  targets.on_failure = "arn:aws:kinesis:us-east-1:123456789012:stream/s";
  targets.dead_letter_target_arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
  EXPECT_TRUE(
      delivery_.Deliver(MakeEvent("{}", 3), Condition::kRetriesExhausted, FunctionError(), targets)
          .ok());
  EXPECT_TRUE(invocations_.empty());
}

TEST_F(CallbackDeliveryTest, RetryRepeatsOnlyWhatFailedWithTheSameRecord) {
  DeliveryTargets targets = Targets();
  targets.on_failure = kTargetFunction;
  // A DLQ on an endpoint nobody listens on: fails until the caller gives up.
  targets.dead_letter_target_arn = "arn:aws:sqs:us-east-1:123456789012:dlq";
  aws::Config unreachable;
  unreachable.endpoint_url = "http://127.0.0.1:" + std::to_string(aws::testing::PickFreePort());
  DestinationDelivery delivery(
      &http_, unreachable,
      [this](const std::string& arn, const std::string& payload) {
        invocations_.push_back({arn, payload});
        return Status::Ok();
      },
      &clock_);
  Event event = MakeEvent("{}", 3);
  Status first = delivery.Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(
      first.error().message.find("arn:aws:sqs:us-east-1:123456789012:dlq (dead-letter queue)"),
      std::string::npos)
      << first.error().message;
  EXPECT_EQ(invocations_.size(), 1u);
  EXPECT_EQ(delivery.PendingCount(), 1u);

  clock_.Advance(60'000);
  EXPECT_FALSE(
      delivery.Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets).ok());
  EXPECT_EQ(invocations_.size(), 1u);  // the destination that worked is not sent again

  // Once the DLQ setting is gone (or the caller gives up), the event is done.
  targets.dead_letter_target_arn.reset();
  EXPECT_TRUE(delivery.Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets).ok());
  EXPECT_EQ(invocations_.size(), 1u);
  EXPECT_EQ(delivery.PendingCount(), 0u);
}

TEST_F(CallbackDeliveryTest, FailedCallbackIsRetriedWithTheSameRecord) {
  DeliveryTargets targets = Targets();
  targets.on_failure = kTargetFunction;
  fail_invokes_ = 1;
  Event event = MakeEvent("{}", 3);
  Status first = delivery_.Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().message, "Delivery of async invoke " + std::string(kRequestId) +
                                       " failed for " + kTargetFunction + ": queue is busy");
  clock_.Advance(120'000);
  ASSERT_TRUE(
      delivery_.Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets).ok());
  ASSERT_EQ(invocations_.size(), 2u);
  EXPECT_EQ(invocations_[0].payload, invocations_[1].payload);  // timestamp fixed by attempt one
  EXPECT_NE(invocations_[1].payload.find("2024-01-31T12:34:56.789Z"), std::string::npos);
  EXPECT_EQ(delivery_.PendingCount(), 0u);
}

TEST_F(CallbackDeliveryTest, ForgetDropsProgress) {
  DeliveryTargets targets = Targets();
  targets.on_failure = kTargetFunction;
  fail_invokes_ = 1;
  ASSERT_FALSE(
      delivery_.Deliver(MakeEvent("{}", 3), Condition::kRetriesExhausted, FunctionError(), targets)
          .ok());
  EXPECT_EQ(delivery_.PendingCount(), 1u);
  delivery_.Forget(kRequestId);
  EXPECT_EQ(delivery_.PendingCount(), 0u);
}

TEST_F(CallbackDeliveryTest, CallerKeptProgressSkipsDoneTargets) {
  DeliveryTargets targets = Targets();
  targets.on_failure = kTargetFunction;
  DeliveryProgress progress;
  progress.record_time_ms = 42;
  progress.done.insert(DestinationDelivery::DestinationKey(kTargetFunction));
  ASSERT_TRUE(delivery_
                  .Deliver(MakeEvent("{}", 3), Condition::kRetriesExhausted, FunctionError(),
                           targets, &progress)
                  .ok());
  EXPECT_TRUE(invocations_.empty());
  EXPECT_EQ(progress.record_time_ms, 42);
}

TEST_F(CallbackDeliveryTest, RecordTimeIsTheOutcomeTime) {
  DeliveryTargets targets = Targets();
  targets.on_failure = kTargetFunction;
  Event event = MakeEvent("{}", 3);
  event.outcome = Outcome{};
  event.outcome->condition = Condition::kRetriesExhausted;
  event.outcome->decided_ms = kRecordTime - 5'000;  // decided before a restart, say
  ASSERT_TRUE(
      delivery_.Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets).ok());
  ASSERT_EQ(invocations_.size(), 1u);
  EXPECT_NE(invocations_[0].payload.find("\"timestamp\":\"2024-01-31T12:34:51.789Z\""),
            std::string::npos)
      << invocations_[0].payload;
}

TEST(TargetsForTest, FromSettings) {
  AsyncSettings settings;
  settings.on_success = "arn:aws:sqs:us-east-1:123456789012:ok";
  settings.dead_letter_target_arn = "arn:aws:sns:us-east-1:123456789012:dlq";
  Event event = MakeEvent("{}", 1);
  DeliveryTargets targets = TargetsFor(event, settings);
  EXPECT_EQ(targets.on_success, settings.on_success);
  EXPECT_FALSE(targets.on_failure);
  EXPECT_EQ(targets.dead_letter_target_arn, settings.dead_letter_target_arn);
  EXPECT_EQ(targets.function_arn_qualified, kQualifiedArn);
  event.qualifier = "live";
  EXPECT_EQ(TargetsFor(event, settings).function_arn_qualified,
            std::string(kFunctionArn) + ":live");
}

// ---- Against moto_server ------------------------------------------------------------------------

class DestinationMotoTest : public aws::testing::MotoServerTest {
 protected:
  void SetUpClients() override {
    sqs_ = std::make_unique<aws::SqsClient>(&http_, config_);
    sns_ = std::make_unique<aws::SnsClient>(&http_, config_);
    events_ = std::make_unique<aws::EventBridgeClient>(&http_, config_);
    s3_ = std::make_unique<aws::S3Client>(&http_, config_);
    delivery_ = std::make_unique<DestinationDelivery>(
        &http_, config_,
        [this](const std::string& arn, const std::string& payload) {
          invocations_.push_back({arn, payload});
          return Status::Ok();
        },
        &clock_);
  }

  // A fresh queue (names must differ between tests: one server serves the whole suite).
  std::string Queue(const std::string& name) {
    EXPECT_TRUE(sqs_->CreateQueue(name).ok());
    return "arn:aws:sqs:us-east-1:123456789012:" + name;
  }

  std::vector<aws::ReceivedMessage> Receive(const std::string& queue_arn) {
    auto received = sqs_->ReceiveMessage(queue_arn);
    EXPECT_TRUE(received.ok()) << received.error().message;
    return received.ok() ? *received : std::vector<aws::ReceivedMessage>{};
  }

  // A topic whose messages land, raw, in a queue; returns {topic ARN, queue ARN}.
  std::pair<std::string, std::string> TopicWithQueue(const std::string& name) {
    auto topic = sns_->CreateTopic(name);
    EXPECT_TRUE(topic.ok());
    std::string queue = Queue(name + "-sub");
    EXPECT_TRUE(sns_->Subscribe(*topic, "sqs", queue, /*raw_message_delivery=*/true).ok());
    return {*topic, queue};
  }

  DeliveryTargets Targets() {
    DeliveryTargets targets;
    targets.function_arn_qualified = kQualifiedArn;
    return targets;
  }

  FakeClock clock_{kRecordTime};
  std::unique_ptr<aws::SqsClient> sqs_;
  std::unique_ptr<aws::SnsClient> sns_;
  std::unique_ptr<aws::EventBridgeClient> events_;
  std::unique_ptr<aws::S3Client> s3_;
  std::vector<Invocation> invocations_;
  std::unique_ptr<DestinationDelivery> delivery_;
};

TEST_F(DestinationMotoTest, SqsOnSuccess) {
  DeliveryTargets targets = Targets();
  targets.on_success = Queue("on-success");
  Event event = MakeEvent(R"({"order": 17})", 1);
  AttemptResult last = Success(R"({"ok": true})");
  Status status = delivery_->Deliver(event, Condition::kSuccess, last, targets);
  ASSERT_TRUE(status.ok()) << status.error().message;

  auto messages = Receive(*targets.on_success);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body,
            BuildInvocationRecord(event, Condition::kSuccess, last, kQualifiedArn, kRecordTime));
  EXPECT_TRUE(messages[0].attributes.empty());
}

TEST_F(DestinationMotoTest, SnsOnFailure) {
  auto [topic, queue] = TopicWithQueue("on-failure-topic");
  DeliveryTargets targets = Targets();
  targets.on_failure = topic;
  Event event = MakeEvent(R"({"message": "hi"})", 3);
  Status status = delivery_->Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets);
  ASSERT_TRUE(status.ok()) << status.error().message;

  auto messages = Receive(queue);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, BuildInvocationRecord(event, Condition::kRetriesExhausted,
                                                    FunctionError(), kQualifiedArn, kRecordTime));
}

TEST_F(DestinationMotoTest, EventBridgeSuccessAndFailure) {
  auto bus = events_->CreateEventBus("lambda-results");
  ASSERT_TRUE(bus.ok());
  std::string queue = Queue("bus-target");
  ASSERT_TRUE(events_->PutRule(*bus, "all-lambda", R"({"source":["lambda"]})").ok());
  ASSERT_TRUE(events_->PutTarget(*bus, "all-lambda", "q", queue).ok());

  DeliveryTargets targets = Targets();
  targets.on_success = *bus;
  targets.on_failure = *bus;
  Event event = MakeEvent(R"({"n": 1})", 1);
  ASSERT_TRUE(delivery_->Deliver(event, Condition::kSuccess, Success("\"done\""), targets).ok());
  Event failed = MakeEvent(R"({"n": 2})", 2);
  failed.request_id = "second-request";
  ASSERT_TRUE(
      delivery_->Deliver(failed, Condition::kEventAgeExceeded, FunctionError(), targets).ok());

  auto messages = Receive(queue);
  ASSERT_EQ(messages.size(), 2u);
  for (const aws::ReceivedMessage& message : messages) {
    boost::json::object delivered = boost::json::parse(message.body).as_object();
    const bool success =
        delivered.at("detail-type") == "Lambda Function Invocation Result - Success";
    EXPECT_EQ(delivered.at("source"), "lambda");
    EXPECT_EQ(delivered.at("resources"), (boost::json::array{*bus, kQualifiedArn}));
    std::string expected_detail =
        success ? BuildInvocationRecord(event, Condition::kSuccess, Success("\"done\""),
                                        kQualifiedArn, kRecordTime)
                : BuildInvocationRecord(failed, Condition::kEventAgeExceeded, FunctionError(),
                                        kQualifiedArn, kRecordTime);
    if (!success) {
      EXPECT_EQ(delivered.at("detail-type"), "Lambda Function Invocation Result - Failure");
    }
    // moto re-serializes the detail (with its own spacing); compare values and key order.
    const boost::json::object& detail = delivered.at("detail").as_object();
    boost::json::object expected = boost::json::parse(expected_detail).as_object();
    EXPECT_EQ(boost::json::serialize(detail), boost::json::serialize(expected));
    std::vector<std::string> keys;
    for (const auto& entry : detail) keys.emplace_back(entry.key());
    EXPECT_EQ(keys,
              (std::vector<std::string>{"version", "timestamp", "requestContext", "requestPayload",
                                        "responseContext", "responsePayload"}));
  }
}

TEST_F(DestinationMotoTest, S3OnFailure) {
  ASSERT_TRUE(s3_->CreateBucket("failed-records").ok());
  DeliveryTargets targets = Targets();
  targets.on_failure = "arn:aws:s3:::failed-records";
  Event event = MakeEvent(R"({"k": "v"})", 3);
  Status status = delivery_->Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets);
  ASSERT_TRUE(status.ok()) << status.error().message;

  auto object = s3_->GetObject(
      "failed-records", DestinationDelivery::S3ObjectKey("my-function", kRequestId, kRecordTime));
  ASSERT_TRUE(object.ok()) << object.error().message;
  EXPECT_EQ(*object, BuildInvocationRecord(event, Condition::kRetriesExhausted, FunctionError(),
                                           kQualifiedArn, kRecordTime));
}

TEST_F(DestinationMotoTest, LambdaDestinationUsesCallback) {
  DeliveryTargets targets = Targets();
  targets.on_failure = kTargetFunction;
  Event event = MakeEvent("{}", 3);
  ASSERT_TRUE(
      delivery_->Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets).ok());
  ASSERT_EQ(invocations_.size(), 1u);
  EXPECT_EQ(invocations_[0].function_arn, kTargetFunction);
  EXPECT_EQ(invocations_[0].payload,
            BuildInvocationRecord(event, Condition::kRetriesExhausted, FunctionError(),
                                  kQualifiedArn, kRecordTime));
}

TEST_F(DestinationMotoTest, SqsDeadLetterQueue) {
  DeliveryTargets targets = Targets();
  targets.dead_letter_target_arn = Queue("dlq");
  Event event = MakeEvent(R"({"raise_error": 1})", 3);
  Status status = delivery_->Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets);
  ASSERT_TRUE(status.ok()) << status.error().message;

  auto messages = Receive(*targets.dead_letter_target_arn);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, R"({"raise_error": 1})");  // verbatim, spacing included
  aws::MessageAttributes expected = {{"RequestID", {"String", kRequestId}},
                                     {"ErrorCode", {"Number", "200"}},
                                     {"ErrorMessage", {"String", "intentional failure"}}};
  EXPECT_EQ(messages[0].attributes, expected);
}

TEST_F(DestinationMotoTest, SnsDeadLetterQueue) {
  auto [topic, queue] = TopicWithQueue("dlq-topic");
  DeliveryTargets targets = Targets();
  targets.dead_letter_target_arn = topic;
  Event event = MakeEvent(R"({"raise_error": 2})", 3);
  ASSERT_TRUE(
      delivery_->Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets).ok());
  auto messages = Receive(queue);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, R"({"raise_error": 2})");
  EXPECT_EQ(messages[0].attributes.at("RequestID").string_value, kRequestId);
  EXPECT_EQ(messages[0].attributes.at("ErrorCode"), (aws::MessageAttribute{"Number", "200"}));
  EXPECT_EQ(messages[0].attributes.at("ErrorMessage").string_value, "intentional failure");
}

TEST_F(DestinationMotoTest, OnFailureAndDeadLetterToTheSameQueue) {
  std::string queue = Queue("both");
  DeliveryTargets targets = Targets();
  targets.on_failure = queue;
  targets.dead_letter_target_arn = queue;
  Event event = MakeEvent(R"({"x":1})", 3);
  ASSERT_TRUE(
      delivery_->Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets).ok());
  auto messages = Receive(queue);
  ASSERT_EQ(messages.size(), 2u);
  int records = 0;
  int dead_letters = 0;
  for (const auto& m : messages) {
    if (m.attributes.empty()) {
      ++records;
      EXPECT_EQ(m.body, BuildInvocationRecord(event, Condition::kRetriesExhausted, FunctionError(),
                                              kQualifiedArn, kRecordTime));
    } else {
      ++dead_letters;
      EXPECT_EQ(m.body, R"({"x":1})");
    }
  }
  EXPECT_EQ(records, 1);
  EXPECT_EQ(dead_letters, 1);
}

TEST_F(DestinationMotoTest, ZeroReservedConcurrencyToQueueAndDlq) {
  std::string destination = Queue("zero-destination");
  std::string dlq = Queue("zero-dlq");
  DeliveryTargets targets = Targets();
  targets.on_failure = destination;
  targets.dead_letter_target_arn = dlq;
  AttemptResult throttled;
  throttled.status_code = 429;
  throttled.ran = false;
  Event event = MakeEvent("{}", 0);
  ASSERT_TRUE(
      delivery_->Deliver(event, Condition::kZeroReservedConcurrency, throttled, targets).ok());
  auto records = Receive(destination);
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].body, BuildInvocationRecord(event, Condition::kZeroReservedConcurrency,
                                                   throttled, kQualifiedArn, kRecordTime));
  auto dead = Receive(dlq);
  ASSERT_EQ(dead.size(), 1u);
  EXPECT_EQ(dead[0].body, "{}");
  EXPECT_EQ(dead[0].attributes.at("ErrorMessage").string_value, "ZeroReservedConcurrency");
}

TEST_F(DestinationMotoTest, MissingQueueIsRetriedUntilItExists) {
  DeliveryTargets targets = Targets();
  targets.on_failure = kTargetFunction;
  targets.dead_letter_target_arn = "arn:aws:sqs:us-east-1:123456789012:created-later";
  Event event = MakeEvent(R"({"late": true})", 3);

  Status first = delivery_->Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets);
  ASSERT_FALSE(first.ok());
  EXPECT_EQ(first.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(first.error().message.find("QueueDoesNotExist"), std::string::npos)
      << first.error().message;
  EXPECT_EQ(invocations_.size(), 1u);

  ASSERT_TRUE(sqs_->CreateQueue("created-later").ok());
  clock_.Advance(60'000);
  Status second = delivery_->Deliver(event, Condition::kRetriesExhausted, FunctionError(), targets);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(invocations_.size(), 1u);  // not invoked a second time
  auto messages = Receive(*targets.dead_letter_target_arn);
  ASSERT_EQ(messages.size(), 1u);
  EXPECT_EQ(messages[0].body, R"({"late": true})");
  EXPECT_EQ(delivery_->PendingCount(), 0u);
}

TEST_F(DestinationMotoTest, TargetRegionComesFromTheArn) {
  ASSERT_TRUE(sqs_->CreateQueue("west-records", "us-west-2").ok());
  DeliveryTargets targets = Targets();
  targets.on_success = "arn:aws:sqs:us-west-2:123456789012:west-records";
  ASSERT_TRUE(
      delivery_->Deliver(MakeEvent("{}", 1), Condition::kSuccess, Success("1"), targets).ok());
  EXPECT_EQ(Receive(*targets.on_success).size(), 1u);
}

}  // namespace
}  // namespace lambdalite::queue
