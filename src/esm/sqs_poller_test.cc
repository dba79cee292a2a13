#include "esm/sqs_poller.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <mutex>
#include <thread>

#include "aws/moto_server_testing.h"

namespace lambdalite::esm {
namespace {

TEST(BuildSqsRecordTest, AwsShapeAndKeyOrder) {
  aws::SqsMessage m;
  m.message_id = "059f36b4-87a3-44ab-83d2-661975830a7d";
  m.receipt_handle = "AQEB";
  m.body = "Test message.";
  m.md5_of_body = "e4e68fb7bd0e697a0ae8f1bb342846b3";
  m.attributes = {{"SenderId", "AIDA"},
                  {"ApproximateFirstReceiveTimestamp", "1545082649185"},
                  {"ApproximateReceiveCount", "1"},
                  {"SentTimestamp", "1545082649183"}};
  std::string expected =
      R"({"messageId":"059f36b4-87a3-44ab-83d2-661975830a7d","receiptHandle":"AQEB",)"
      R"("body":"Test message.","attributes":{"ApproximateReceiveCount":"1",)"
      R"("SentTimestamp":"1545082649183","SenderId":"AIDA",)"
      R"("ApproximateFirstReceiveTimestamp":"1545082649185"},"messageAttributes":{},)"
      R"("md5OfMessageAttributes":null,"md5OfBody":"e4e68fb7bd0e697a0ae8f1bb342846b3",)"
      R"("eventSource":"aws:sqs","eventSourceARN":"arn:aws:sqs:us-east-2:123456789012:my-queue",)"
      R"("awsRegion":"us-east-2"})";
  EXPECT_EQ(boost::json::serialize(
                BuildSqsRecord(m, "arn:aws:sqs:us-east-2:123456789012:my-queue", "us-east-2")),
            expected);
}

TEST(BuildSqsRecordTest, MessageAttributes) {
  aws::SqsMessage m;
  m.md5_of_message_attributes = "abc";
  aws::FullMessageAttribute s;
  s.data_type = "String";
  s.string_value = "myValue";
  aws::FullMessageAttribute b;
  b.data_type = "Binary";
  b.binary_value = "AAE=";
  m.message_attributes = {{"myAttribute", s}, {"bin", b}};
  boost::json::object r = BuildSqsRecord(m, "arn", "r");
  EXPECT_EQ(boost::json::serialize(r["messageAttributes"]),
            R"({"myAttribute":{"stringValue":"myValue","stringListValues":[],)"
            R"("binaryListValues":[],"dataType":"String"},"bin":{"binaryValue":"AAE=",)"
            R"("stringListValues":[],"binaryListValues":[],"dataType":"Binary"}})");
  EXPECT_EQ(r["md5OfMessageAttributes"], "abc");
}

TEST(ParseBatchItemFailuresTest, SuccessForms) {
  std::set<std::string> ids{"a", "b"};
  for (const char* payload : {"", "  ", "null", "{}", R"({"batchItemFailures":[]})",
                              R"({"batchItemFailures":null})", R"("done")", "42"}) {
    BatchItemFailures f = ParseBatchItemFailures(payload, ids);
    EXPECT_FALSE(f.all_failed) << payload;
    EXPECT_TRUE(f.failed_ids.empty()) << payload;
  }
}

TEST(ParseBatchItemFailuresTest, PartialFailure) {
  BatchItemFailures f = ParseBatchItemFailures(
      R"({"batchItemFailures":[{"itemIdentifier":"b"},{"itemIdentifier":"b"}]})", {"a", "b"});
  EXPECT_FALSE(f.all_failed);
  EXPECT_EQ(f.failed_ids, std::set<std::string>{"b"});
}

TEST(ParseBatchItemFailuresTest, WholeBatchFails) {
  std::set<std::string> ids{"a", "b"};
  for (const char* payload :
       {"{not json", R"({"batchItemFailures":{}})", R"({"batchItemFailures":["a"]})",
        R"({"batchItemFailures":[{"itemIdentifier":""}]})",
        R"({"batchItemFailures":[{"itemIdentifier":null}]})",
        R"({"batchItemFailures":[{"itemIdentifer":"a"}]})",
        R"({"batchItemFailures":[{"itemIdentifier":"a"},{"itemIdentifier":"zzz"}]})",
        R"({"batchItemFailures":[{"itemIdentifier":7}]})"}) {
    BatchItemFailures f = ParseBatchItemFailures(payload, ids);
    EXPECT_TRUE(f.all_failed) << payload;
  }
}

// --- Against moto_server -----------------------------------------------------------------------

class RecordingSource final : public MappingSource {
 public:
  std::vector<MappingView> List() const override { return {}; }
  void SetChangeListener(std::function<void()>) override {}
  void Settle(const domain::Scope&, const std::string&, uint64_t) override {}
  void Fail(const domain::Scope&, const std::string&, uint64_t, const std::string&) override {}
  void SetLastProcessingResult(const domain::Scope&, const std::string&,
                               const std::string& result) override {
    std::lock_guard lock(mu);
    results.push_back(result);
  }
  std::mutex mu;
  std::vector<std::string> results;
};

class RecordingInvoker final : public FunctionInvoker {
 public:
  Result<InvokeOutcome> Invoke(const domain::Scope&, const std::string&, const std::string&,
                               std::string payload) override {
    std::lock_guard lock(mu);
    payloads.push_back(payload);
    InvokeOutcome outcome;
    if (fail_body_ids) {
      // Fail the messages whose body is "fail".
      boost::json::object answer;
      boost::json::array failures;
      boost::json::value event = boost::json::parse(payload);
      for (const auto& r : event.at("Records").as_array()) {
        if (r.at("body") == "fail") {
          failures.push_back(boost::json::object{{"itemIdentifier", r.at("messageId")}});
        }
      }
      answer["batchItemFailures"] = std::move(failures);
      outcome.payload = boost::json::serialize(answer);
    }
    return outcome;
  }
  size_t Records() {
    std::lock_guard lock(mu);
    size_t n = 0;
    for (const std::string& p : payloads)
      n += boost::json::parse(p).at("Records").as_array().size();
    return n;
  }
  std::mutex mu;
  std::vector<std::string> payloads;
  bool fail_body_ids = false;
};

class SqsPollerMotoTest : public aws::testing::MotoServerTest {
 protected:
  void SetUpClients() override { sqs_ = std::make_unique<aws::SqsClient>(&http_, config_); }

  PollerContext Context(const std::string& queue) {
    PollerContext c;
    c.view.scope = {"123456789012", "us-east-1"};
    c.view.mapping.uuid = "u-" + queue;
    c.view.mapping.event_source_arn = "arn:aws:sqs:us-east-1:123456789012:" + queue;
    c.view.mapping.function_name = "fn";
    c.view.mapping.batch_size = 10;
    c.invoker = &invoker_;
    c.source = &source_;
    c.clock = &clock_;
    c.http = &http_;
    c.aws = config_;
    return c;
  }

  template <typename F>
  bool WaitFor(F done, int ms = 15000) {
    for (int i = 0; i < ms / 50; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return done();
  }

  int Visible(const std::string& queue) {
    auto attrs = sqs_->GetQueueAttributes(
        "arn:aws:sqs:us-east-1:123456789012:" + queue,
        {"ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"});
    if (!attrs.ok()) return -1;
    return std::stoi((*attrs)["ApproximateNumberOfMessages"]) +
           std::stoi((*attrs)["ApproximateNumberOfMessagesNotVisible"]);
  }

  std::unique_ptr<aws::SqsClient> sqs_;
  RecordingSource source_;
  RecordingInvoker invoker_;
  SystemClock clock_;
  SqsPollerOptions options_{.long_poll_seconds = 1, .default_concurrency = 2};
};

TEST_F(SqsPollerMotoTest, MissingQueueIsNotFoundWithAwsText) {
  SqsPollerFactory factory(options_);
  Result<std::unique_ptr<Poller>> started = factory.Start(Context("does-not-exist"));
  ASSERT_FALSE(started.ok());
  EXPECT_EQ(started.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(started.error().message,
            "Error occurred while ReceiveMessage. SQS Error Code: "
            "AWS.SimpleQueueService.NonExistentQueue. SQS Error Message: The specified queue does "
            "not exist.");
  Status checked =
      CheckSqsSource(http_, config_, "arn:aws:sqs:us-east-1:123456789012:does-not-exist");
  EXPECT_EQ(checked.error().code, ErrorCode::kInvalidParameter);
  EXPECT_EQ(checked.error().message, started.error().message);
}

TEST_F(SqsPollerMotoTest, DeliversAndDeletes) {
  ASSERT_TRUE(sqs_->CreateQueue("deliver").ok());
  const std::string arn = "arn:aws:sqs:us-east-1:123456789012:deliver";
  aws::MessageAttributes attrs{{"color", {"String", "red"}}};
  ASSERT_TRUE(sqs_->SendMessage(arn, "one", attrs).ok());
  ASSERT_TRUE(sqs_->SendMessage(arn, "two").ok());
  EXPECT_TRUE(CheckSqsSource(http_, config_, arn).ok());
  SqsPollerFactory factory(options_);
  auto poller = factory.Start(Context("deliver"));
  ASSERT_TRUE(poller.ok()) << poller.error().message;
  EXPECT_TRUE(WaitFor([&] { return invoker_.Records() == 2; }));
  EXPECT_TRUE(WaitFor([&] { return Visible("deliver") == 0; }));
  (*poller)->Stop();
  PollerStatus status = (*poller)->Status();
  EXPECT_EQ(status.records_delivered, 2);
  EXPECT_EQ(status.last_processing_result, "OK");
  std::lock_guard lock(invoker_.mu);
  boost::json::value event = boost::json::parse(invoker_.payloads[0]);
  const auto& r = event.at("Records").at(0).as_object();
  EXPECT_EQ(r.at("eventSource"), "aws:sqs");
  EXPECT_EQ(r.at("eventSourceARN").as_string(), arn);
  EXPECT_EQ(r.at("awsRegion"), "us-east-1");
  EXPECT_TRUE(r.at("attributes").as_object().contains("ApproximateReceiveCount"));
  EXPECT_TRUE(r.at("attributes").as_object().contains("SentTimestamp"));
}

TEST_F(SqsPollerMotoTest, FilterDeletesNonMatchingWithoutInvoking) {
  ASSERT_TRUE(sqs_->CreateQueue("filtered").ok());
  const std::string arn = "arn:aws:sqs:us-east-1:123456789012:filtered";
  ASSERT_TRUE(sqs_->SendMessage(arn, R"({"k":"yes"})").ok());
  ASSERT_TRUE(sqs_->SendMessage(arn, R"({"k":"no"})").ok());
  ASSERT_TRUE(sqs_->SendMessage(arn, "plain").ok());
  PollerContext c = Context("filtered");
  c.view.mapping.filter_patterns = {R"({"body":{"k":["yes"]}})"};
  SqsPollerFactory factory(options_);
  auto poller = factory.Start(c);
  ASSERT_TRUE(poller.ok()) << poller.error().message;
  EXPECT_TRUE(WaitFor([&] { return Visible("filtered") == 0; }));
  (*poller)->Stop();
  EXPECT_EQ(invoker_.Records(), 1u);
  EXPECT_EQ((*poller)->Status().records_filtered, 2);
}

TEST_F(SqsPollerMotoTest, ReportBatchItemFailuresKeepsOnlyFailed) {
  ASSERT_TRUE(sqs_->CreateQueue("partial").ok());
  const std::string arn = "arn:aws:sqs:us-east-1:123456789012:partial";
  ASSERT_TRUE(sqs_->SendMessage(arn, "ok1").ok());
  ASSERT_TRUE(sqs_->SendMessage(arn, "fail").ok());
  ASSERT_TRUE(sqs_->SendMessage(arn, "ok2").ok());
  invoker_.fail_body_ids = true;
  PollerContext c = Context("partial");
  c.view.mapping.function_response_types = {"ReportBatchItemFailures"};
  c.view.mapping.maximum_batching_window_seconds = 1;
  SqsPollerFactory factory(options_);
  auto poller = factory.Start(c);
  ASSERT_TRUE(poller.ok()) << poller.error().message;
  EXPECT_TRUE(WaitFor([&] { return invoker_.Records() >= 3; }));
  (*poller)->Stop();
  // The failed one is still in the queue (in flight until its visibility timeout).
  EXPECT_EQ(Visible("partial"), 1);
  EXPECT_EQ((*poller)->Status().records_delivered, 2);
}

}  // namespace
}  // namespace lambdalite::esm
