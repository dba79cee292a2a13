// The stream poller's rules (batching, order, lineage, filters, retries, bisect, partial batch
// responses, on-failure records, checkpoints) against a fake stream and a fake function.
#include "esm/stream_poller.h"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "common/crypto.h"
#include "common/temp_dir_testing.h"
#include "esm/checkpoint_stores.h"
#include "esm/stream_source.h"

namespace lambdalite::esm {
namespace {

using namespace std::chrono_literals;

constexpr char kArn[] = "arn:aws:kinesis:us-east-1:123456789012:stream/s";

std::string Seq(int n) {
  std::string s = std::to_string(n);
  return std::string(6 - s.size(), '0') + s;
}

// Shards of records; iterators are "<shard>|<index>".
class FakeSource final : public StreamSource {
 public:
  struct FakeShard {
    aws::StreamShard info;
    std::vector<SourceRecord> records;
  };

  void AddShard(const std::string& id, const std::string& parent = "", bool closed = false) {
    std::lock_guard lock(mu_);
    FakeShard& s = shards_[id];
    s.info.shard_id = id;
    s.info.parent_shard_id = parent;
    if (closed) s.info.ending_sequence_number = "999999";
    order_.push_back(id);
  }
  void Close(const std::string& id) {
    std::lock_guard lock(mu_);
    shards_[id].info.ending_sequence_number = "999999";
  }
  void Put(const std::string& shard, int n, const std::string& data = "{}", int64_t arrival_ms = -1,
           const std::string& key = "pk") {
    aws::KinesisRecord r;
    r.sequence_number = Seq(n);
    r.partition_key = key;
    r.data_base64 = Base64Encode(data);
    r.approximate_arrival_seconds =
        (arrival_ms >= 0 ? arrival_ms : SystemClock().NowMillis()) / 1000.0;
    std::lock_guard lock(mu_);
    shards_[shard].records.push_back(KinesisEventRecord(r, shard, kArn, "us-east-1", "role"));
  }
  void set_missing(bool missing) { missing_ = missing; }
  void set_unreachable(bool down) { down_ = down; }

  Result<std::vector<aws::StreamShard>> ListShards() override {
    if (missing_) return Error::Make(ErrorCode::kNotFound, "no such stream");
    std::lock_guard lock(mu_);
    std::vector<aws::StreamShard> out;
    for (const std::string& id : order_) out.push_back(shards_[id].info);
    return out;
  }
  Result<std::string> Iterator(const std::string& shard_id,
                               const aws::ShardPosition& position) override {
    std::lock_guard lock(mu_);
    const FakeShard& s = shards_[shard_id];
    size_t index = 0;
    if (position.type == "LATEST") index = s.records.size();
    if (position.type == "AFTER_SEQUENCE_NUMBER") {
      while (index < s.records.size() &&
             s.records[index].sequence_number <= position.sequence_number) {
        ++index;
      }
    }
    positions_.push_back(shard_id + ":" + position.type);
    return shard_id + "|" + std::to_string(index);
  }
  Result<SourceRead> Read(const std::string& shard_id, const std::string& iterator,
                          int limit) override {
    if (down_) return Error::Make(ErrorCode::kUnavailable, "connection refused");
    std::lock_guard lock(mu_);
    const FakeShard& s = shards_[shard_id];
    size_t index = std::stoul(iterator.substr(iterator.find('|') + 1));
    SourceRead read;
    while (index < s.records.size() && static_cast<int>(read.records.size()) < limit) {
      read.records.push_back(s.records[index++]);
    }
    read.millis_behind_latest = static_cast<int64_t>(s.records.size() - index);
    if (!(s.info.closed() && index >= s.records.size())) {
      read.next_iterator = shard_id + "|" + std::to_string(index);
    }
    return read;
  }
  std::string BatchInfoKey() const override { return "KinesisBatchInfo"; }
  int MaxReadLimit() const override { return 10000; }

  std::vector<std::string> positions() {
    std::lock_guard lock(mu_);
    return positions_;
  }

 private:
  std::mutex mu_;
  std::map<std::string, FakeShard> shards_;
  std::vector<std::string> order_;
  std::vector<std::string> positions_;
  std::atomic<bool> missing_{false};
  std::atomic<bool> down_{false};
};

// Records each invocation's sequence numbers; `respond` decides the outcome.
class FakeInvoker final : public FunctionInvoker {
 public:
  std::function<Result<InvokeOutcome>(const std::vector<std::string>& seqs)> respond =
      [](const std::vector<std::string>&) {
        return InvokeOutcome{"null", std::nullopt, "req"};
      };

  Result<InvokeOutcome> Invoke(const domain::Scope&, const std::string&, const std::string&,
                               std::string payload) override {
    boost::json::value event = boost::json::parse(payload);
    std::vector<std::string> seqs;
    for (const auto& r : event.at("Records").as_array()) {
      seqs.emplace_back(r.at("kinesis").at("sequenceNumber").as_string());
    }
    {
      std::lock_guard lock(mu_);
      calls_.push_back(seqs);
      payloads_.push_back(payload);
    }
    return respond(seqs);
  }
  std::vector<std::vector<std::string>> calls() {
    std::lock_guard lock(mu_);
    return calls_;
  }
  std::vector<std::string> payloads() {
    std::lock_guard lock(mu_);
    return payloads_;
  }

 private:
  std::mutex mu_;
  std::vector<std::vector<std::string>> calls_;
  std::vector<std::string> payloads_;
};

std::vector<std::string> Seqs(std::initializer_list<int> ns) {
  std::vector<std::string> out;
  for (int n : ns) out.push_back(Seq(n));
  return out;
}

InvokeOutcome FunctionError() {
  return InvokeOutcome{R"({"errorMessage":"boom"})", "Unhandled", "req-f"};
}

class StreamPollerTest : public ::testing::Test {
 protected:
  StreamPollerTest() {
    mapping_.uuid = "11111111-2222-3333-4444-555555555555";
    mapping_.kind = domain::EventSourceKind::kKinesis;
    mapping_.event_source_arn = kArn;
    mapping_.function_name = "fn";
    mapping_.function_arn = "arn:aws:lambda:us-east-1:123456789012:function:fn";
    mapping_.batch_size = 10;
    mapping_.starting_position = "TRIM_HORIZON";
    source_ = std::make_shared<FakeSource>();
    options_.empty_poll_wait_ms = 5;
    options_.shard_refresh_ms = 30;
    options_.initial_backoff_ms = 2;
    options_.max_backoff_ms = 10;
  }

  std::unique_ptr<Poller> StartPoller() {
    auto poller = TryStart();
    EXPECT_TRUE(poller.ok()) << (poller.ok() ? "" : poller.error().message);
    return poller.ok() ? std::move(poller).value() : nullptr;
  }

  Result<std::unique_ptr<Poller>> TryStart() {
    StreamPollerFactory factory(options_);
    auto source = source_;
    factory.set_source_maker([source](const PollerContext&,
                                      const std::string&) -> Result<std::unique_ptr<StreamSource>> {
      // The poller owns its source; this one forwards to the shared fake.
      struct Forward final : StreamSource {
        std::shared_ptr<FakeSource> s;
        Result<std::vector<aws::StreamShard>> ListShards() override { return s->ListShards(); }
        Result<std::string> Iterator(const std::string& id, const aws::ShardPosition& p) override {
          return s->Iterator(id, p);
        }
        Result<SourceRead> Read(const std::string& id, const std::string& it, int limit) override {
          return s->Read(id, it, limit);
        }
        std::string BatchInfoKey() const override { return s->BatchInfoKey(); }
        int MaxReadLimit() const override { return s->MaxReadLimit(); }
      };
      auto f = std::make_unique<Forward>();
      f->s = source;
      return std::unique_ptr<StreamSource>(std::move(f));
    });
    factory.set_on_failure_sender([this](const PollerContext&, const std::string& destination,
                                         const std::string& record, const std::string&,
                                         const std::string&) {
      std::lock_guard lock(mu_);
      sent_.push_back({destination, record});
      return Status();
    });
    PollerContext context;
    context.view.mapping = mapping_;
    context.invoker = &invoker_;
    context.clock = &clock_;
    context.checkpoints = &checkpoints_;
    return factory.Start(context);
  }

  // Waits until `done` holds (at most 5 s).
  bool WaitFor(const std::function<bool()>& done) {
    for (int i = 0; i < 500; ++i) {
      if (done()) return true;
      std::this_thread::sleep_for(10ms);
    }
    return done();
  }
  std::optional<std::string> CheckpointOf(const std::string& shard) {
    auto cp = checkpoints_.Get(mapping_.uuid, shard);
    return cp.ok() ? *cp : std::nullopt;
  }
  std::vector<std::pair<std::string, std::string>> sent() {
    std::lock_guard lock(mu_);
    return sent_;
  }

  domain::EventSourceMapping mapping_;
  std::shared_ptr<FakeSource> source_;
  StreamPollerOptions options_;
  FakeInvoker invoker_;
  SystemClock clock_;
  MemoryCheckpointStore checkpoints_;
  std::mutex mu_;
  std::vector<std::pair<std::string, std::string>> sent_;
};

TEST_F(StreamPollerTest, DeliversInOrderInBatchesAndCheckpoints) {
  mapping_.batch_size = 2;
  source_->AddShard("shardId-0");
  for (int i = 1; i <= 5; ++i) source_->Put("shardId-0", i);
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(5); }));
  poller->Stop();
  auto calls = invoker_.calls();
  ASSERT_EQ(calls.size(), 3u);
  EXPECT_EQ(calls[0], Seqs({1, 2}));
  EXPECT_EQ(calls[1], Seqs({3, 4}));
  EXPECT_EQ(calls[2], Seqs({5}));
  PollerStatus status = poller->Status();
  EXPECT_EQ(status.batches, 3);
  EXPECT_EQ(status.records_delivered, 5);
  EXPECT_EQ(status.last_processing_result, "OK");
  EXPECT_EQ(status.lag_unit, "milliseconds");
  ASSERT_TRUE(status.lag.has_value());
  EXPECT_EQ(*status.lag, 0);

  // The event is AWS's Kinesis shape.
  boost::json::value event = boost::json::parse(invoker_.payloads()[0]);
  const auto& r = event.at("Records").at(0).as_object();
  EXPECT_EQ(r.at("eventSource").as_string(), "aws:kinesis");
  EXPECT_EQ(r.at("eventName").as_string(), "aws:kinesis:record");
  EXPECT_EQ(r.at("eventVersion").as_string(), "1.0");
  EXPECT_EQ(r.at("eventID").as_string(), "shardId-0:" + Seq(1));
  EXPECT_EQ(r.at("eventSourceARN").as_string(), kArn);
  EXPECT_EQ(r.at("awsRegion").as_string(), "us-east-1");
  EXPECT_EQ(r.at("invokeIdentityArn").as_string(), "role");
  EXPECT_EQ(r.at("kinesis").at("kinesisSchemaVersion").as_string(), "1.0");
  EXPECT_EQ(r.at("kinesis").at("data").as_string(), Base64Encode("{}"));
  EXPECT_TRUE(r.at("kinesis").at("approximateArrivalTimestamp").is_double());
}

TEST_F(StreamPollerTest, ResumesAfterTheCheckpoint) {
  source_->AddShard("shardId-0");
  for (int i = 1; i <= 4; ++i) source_->Put("shardId-0", i);
  ASSERT_TRUE(checkpoints_.Put(mapping_.uuid, "shardId-0", Seq(2)).ok());
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(4); }));
  poller->Stop();
  ASSERT_EQ(invoker_.calls().size(), 1u);
  EXPECT_EQ(invoker_.calls()[0], Seqs({3, 4}));
  EXPECT_EQ(source_->positions()[0], "shardId-0:AFTER_SEQUENCE_NUMBER");
}

TEST_F(StreamPollerTest, LatestStartsAtTheEnd) {
  mapping_.starting_position = "LATEST";
  source_->AddShard("shardId-0");
  source_->Put("shardId-0", 1);
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return !source_->positions().empty(); }));
  std::this_thread::sleep_for(30ms);
  source_->Put("shardId-0", 2);
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(2); }));
  poller->Stop();
  ASSERT_EQ(invoker_.calls().size(), 1u);
  EXPECT_EQ(invoker_.calls()[0], Seqs({2}));
}

TEST_F(StreamPollerTest, RetriesThenSendsTheOnFailureRecord) {
  mapping_.maximum_retry_attempts = 2;
  mapping_.on_failure_destination = "arn:aws:sqs:us-east-1:123456789012:dlq";
  source_->AddShard("shardId-0");
  source_->Put("shardId-0", 1);
  source_->Put("shardId-0", 2);
  invoker_.respond = [](const std::vector<std::string>& seqs) -> Result<InvokeOutcome> {
    if (seqs.size() == 2) return FunctionError();
    return InvokeOutcome{"null", std::nullopt, "ok"};
  };
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(2); }));
  source_->Put("shardId-0", 3);
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(3); }));
  poller->Stop();
  auto calls = invoker_.calls();
  ASSERT_EQ(calls.size(), 4u);  // the first try, two retries, then the next record
  EXPECT_EQ(calls[3], Seqs({3}));
  ASSERT_EQ(sent().size(), 1u);
  EXPECT_EQ(sent()[0].first, "arn:aws:sqs:us-east-1:123456789012:dlq");
  boost::json::value record = boost::json::parse(sent()[0].second);
  EXPECT_EQ(record.at("requestContext").at("condition").as_string(), "RetryAttemptsExhausted");
  EXPECT_EQ(record.at("requestContext").at("approximateInvokeCount").as_int64(), 3);
  EXPECT_EQ(record.at("requestContext").at("requestId").as_string(), "req-f");
  EXPECT_EQ(record.at("requestContext").at("functionArn").as_string(), mapping_.function_arn);
  EXPECT_EQ(record.at("responseContext").at("statusCode").as_int64(), 200);
  EXPECT_EQ(record.at("responseContext").at("executedVersion").as_string(), "$LATEST");
  EXPECT_EQ(record.at("responseContext").at("functionError").as_string(), "Unhandled");
  EXPECT_EQ(record.at("version").as_string(), "1.0");
  const auto& info = record.at("KinesisBatchInfo");
  EXPECT_EQ(info.at("shardId").as_string(), "shardId-0");
  EXPECT_EQ(info.at("startSequenceNumber").as_string(), Seq(1));
  EXPECT_EQ(info.at("endSequenceNumber").as_string(), Seq(2));
  EXPECT_EQ(info.at("batchSize").as_int64(), 2);
  EXPECT_EQ(info.at("streamArn").as_string(), kArn);
  EXPECT_TRUE(info.at("approximateArrivalOfFirstRecord").is_string());
  EXPECT_EQ(poller->Status().function_errors, 3);
}

TEST_F(StreamPollerTest, BisectIsolatesTheBadRecordWithoutSpendingRetries) {
  mapping_.maximum_retry_attempts = 0;
  mapping_.bisect_batch_on_function_error = true;
  mapping_.on_failure_destination = "arn:aws:sqs:us-east-1:123456789012:dlq";
  source_->AddShard("shardId-0");
  for (int i = 1; i <= 4; ++i) source_->Put("shardId-0", i);
  invoker_.respond = [](const std::vector<std::string>& seqs) -> Result<InvokeOutcome> {
    for (const auto& s : seqs) {
      if (s == Seq(3)) return FunctionError();
    }
    return InvokeOutcome{"null", std::nullopt, "ok"};
  };
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(4); }));
  poller->Stop();
  auto calls = invoker_.calls();
  ASSERT_EQ(calls.size(), 5u);
  EXPECT_EQ(calls[0], Seqs({1, 2, 3, 4}));
  EXPECT_EQ(calls[1], Seqs({1, 2}));
  EXPECT_EQ(calls[2], Seqs({3, 4}));
  EXPECT_EQ(calls[3], Seqs({3}));
  EXPECT_EQ(calls[4], Seqs({4}));
  ASSERT_EQ(sent().size(), 1u);
  boost::json::value record = boost::json::parse(sent()[0].second);
  EXPECT_EQ(record.at("KinesisBatchInfo").at("startSequenceNumber").as_string(), Seq(3));
  EXPECT_EQ(record.at("KinesisBatchInfo").at("batchSize").as_int64(), 1);
}

TEST_F(StreamPollerTest, ReportBatchItemFailuresRetriesFromTheLowestFailure) {
  mapping_.function_response_types = {"ReportBatchItemFailures"};
  source_->AddShard("shardId-0");
  for (int i = 1; i <= 4; ++i) source_->Put("shardId-0", i);
  int calls = 0;
  invoker_.respond = [&calls](const std::vector<std::string>&) -> Result<InvokeOutcome> {
    if (calls++ == 0) {
      return InvokeOutcome{R"({"batchItemFailures":[{"itemIdentifier":")" + Seq(4) +
                               R"("},{"itemIdentifier":")" + Seq(3) + R"("}]})",
                           std::nullopt, "r"};
    }
    return InvokeOutcome{R"({"batchItemFailures":[]})", std::nullopt, "r"};
  };
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(4); }));
  poller->Stop();
  auto got = invoker_.calls();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], Seqs({3, 4}));
  EXPECT_EQ(poller->Status().records_delivered, 4);
}

TEST_F(StreamPollerTest, UnknownItemIdentifierFailsTheWholeBatch) {
  mapping_.function_response_types = {"ReportBatchItemFailures"};
  mapping_.maximum_retry_attempts = 1;
  source_->AddShard("shardId-0");
  for (int i = 1; i <= 2; ++i) source_->Put("shardId-0", i);
  invoker_.respond = [](const std::vector<std::string>&) -> Result<InvokeOutcome> {
    return InvokeOutcome{R"({"batchItemFailures":[{"itemIdentifier":""}]})", std::nullopt, "r"};
  };
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(2); }));
  poller->Stop();
  auto got = invoker_.calls();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[1], Seqs({1, 2}));
}

TEST_F(StreamPollerTest, FiltersOnDecodedDataAndCheckpointsPastDroppedRecords) {
  mapping_.filter_patterns = {R"({"data":{"kind":["keep"]}})"};
  source_->AddShard("shardId-0");
  source_->Put("shardId-0", 1, R"({"kind":"drop"})");
  source_->Put("shardId-0", 2, R"({"kind":"keep"})");
  source_->Put("shardId-0", 3, "not json");
  source_->Put("shardId-0", 4, R"({"kind":"drop"})");
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(4); }));
  poller->Stop();
  ASSERT_EQ(invoker_.calls().size(), 1u);
  EXPECT_EQ(invoker_.calls()[0], Seqs({2}));
  EXPECT_EQ(poller->Status().records_filtered, 3);
}

TEST_F(StreamPollerTest, ChildrenAfterParents) {
  source_->AddShard("parent", "", /*closed=*/true);
  source_->AddShard("child", "parent");
  source_->Put("child", 10);
  source_->Put("parent", 1);
  source_->Put("parent", 2);
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("child") == Seq(10); }));
  poller->Stop();
  auto calls = invoker_.calls();
  ASSERT_EQ(calls.size(), 2u);
  EXPECT_EQ(calls[0], Seqs({1, 2}));
  EXPECT_EQ(calls[1], Seqs({10}));
}

TEST_F(StreamPollerTest, PicksUpNewShards) {
  source_->AddShard("shardId-0");
  source_->Put("shardId-0", 1);
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(1); }));
  source_->AddShard("shardId-1");
  source_->Put("shardId-1", 7);
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-1") == Seq(7); }));
  poller->Stop();
}

TEST_F(StreamPollerTest, ExpiredRecordsGoToTheDestinationWithoutAnInvoke) {
  mapping_.maximum_record_age_seconds = 60;
  mapping_.on_failure_destination = "arn:aws:sns:us-east-1:123456789012:topic";
  source_->AddShard("shardId-0");
  source_->Put("shardId-0", 1, "{}", SystemClock().NowMillis() - 120'000);
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(1); }));
  poller->Stop();
  EXPECT_TRUE(invoker_.calls().empty());
  ASSERT_EQ(sent().size(), 1u);
  boost::json::value record = boost::json::parse(sent()[0].second);
  EXPECT_EQ(record.at("requestContext").at("condition").as_string(), "RecordAgeExceeded");
  EXPECT_EQ(record.at("requestContext").at("approximateInvokeCount").as_int64(), 0);
}

TEST_F(StreamPollerTest, InvokeErrorsAreRetriedWithoutSpendingRetries) {
  mapping_.maximum_retry_attempts = 0;
  source_->AddShard("shardId-0");
  source_->Put("shardId-0", 1);
  int calls = 0;
  invoker_.respond = [&calls](const std::vector<std::string>&) -> Result<InvokeOutcome> {
    if (calls++ < 3) return Error::Make(ErrorCode::kTooManyRequests, "Rate Exceeded.");
    return InvokeOutcome{"null", std::nullopt, "ok"};
  };
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(1); }));
  poller->Stop();
  EXPECT_EQ(invoker_.calls().size(), 4u);
  EXPECT_TRUE(sent().empty());
  EXPECT_EQ(poller->Status().records_delivered, 1);
}

TEST_F(StreamPollerTest, BatchingWindowGathersRecords) {
  mapping_.maximum_batching_window_seconds = 1;
  source_->AddShard("shardId-0");
  source_->Put("shardId-0", 1);
  auto poller = StartPoller();
  std::this_thread::sleep_for(200ms);
  source_->Put("shardId-0", 2);
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(2); }));
  poller->Stop();
  ASSERT_EQ(invoker_.calls().size(), 1u);
  EXPECT_EQ(invoker_.calls()[0], Seqs({1, 2}));
}

TEST_F(StreamPollerTest, SurvivesTheSourceGoingAwayAndComingBack) {
  source_->AddShard("shardId-0");
  source_->Put("shardId-0", 1);
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(1); }));
  source_->set_unreachable(true);
  ASSERT_TRUE(WaitFor([&] { return poller->Status().problem == "connection refused"; }));
  source_->Put("shardId-0", 2);
  std::this_thread::sleep_for(50ms);
  source_->set_unreachable(false);
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(2); }));
  poller->Stop();
  EXPECT_EQ(invoker_.calls().size(), 2u);
  EXPECT_EQ(poller->Status().problem, "");
}

TEST_F(StreamPollerTest, ParallelizationFactorKeepsKeyOrderAndRunsLanesConcurrently) {
  mapping_.batch_size = 1;
  mapping_.parallelization_factor = 2;
  source_->AddShard("shardId-0");
  // Two keys that land in different lanes.
  std::string a = "a", b;
  for (int i = 0; i < 100 && b.empty(); ++i) {
    std::string k = "k" + std::to_string(i);
    if (std::hash<std::string>{}(k) % 2 != std::hash<std::string>{}(a) % 2) b = k;
  }
  ASSERT_FALSE(b.empty());
  for (int i = 1; i <= 6; ++i) source_->Put("shardId-0", i, "{}", -1, i % 2 ? a : b);
  std::atomic<int> running{0}, most{0};
  invoker_.respond = [&](const std::vector<std::string>&) -> Result<InvokeOutcome> {
    int now = ++running;
    most = std::max(most.load(), now);
    std::this_thread::sleep_for(40ms);
    --running;
    return InvokeOutcome{"null", std::nullopt, "r"};
  };
  auto poller = StartPoller();
  ASSERT_TRUE(WaitFor([&] { return CheckpointOf("shardId-0") == Seq(6); }));
  poller->Stop();
  EXPECT_EQ(most.load(), 2);
  std::vector<std::string> odd, even;
  for (const auto& call : invoker_.calls()) {
    ASSERT_EQ(call.size(), 1u);
    (std::stoi(call[0]) % 2 ? odd : even).push_back(call[0]);
  }
  EXPECT_EQ(odd, Seqs({1, 3, 5}));
  EXPECT_EQ(even, Seqs({2, 4, 6}));
}

TEST_F(StreamPollerTest, MissingStreamIsNotFoundWithAwsText) {
  source_->set_missing(true);
  auto failed = TryStart();
  ASSERT_FALSE(failed.ok());
  EXPECT_EQ(failed.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(failed.error().message,
            CannotAccessStreamMessage(domain::EventSourceKind::kKinesis, kArn));
  EXPECT_EQ(CannotAccessStreamMessage(domain::EventSourceKind::kKinesis, kArn),
            std::string("Cannot access stream ") + kArn +
                ". Please ensure the role can perform the GetRecords, GetShardIterator, "
                "DescribeStream, ListShards, and ListStreams Actions on your stream in IAM.");
}

TEST(StreamEventShapeTest, DynamoDbRecordInAwsOrder) {
  aws::DynamoDbStreamRecord in;
  in.sequence_number = "100";
  in.approximate_creation_seconds = 1428537600.25;
  in.json =
      R"({"eventID":"e1","eventName":"INSERT","eventVersion":"1.0","eventSource":"aws:dynamodb",)"
      R"("awsRegion":"us-east-1","dynamodb":{"StreamViewType":"NEW_AND_OLD_IMAGES",)"
      R"("SequenceNumber":"100","SizeBytes":26,"NewImage":{"id":{"S":"a"}},)"
      R"("Keys":{"id":{"S":"a"}},"ApproximateCreationDateTime":1428537600.25}})";
  SourceRecord out =
      DynamoDbEventRecord(in, "arn:aws:dynamodb:us-east-1:1:table/t/stream/x", "us-east-1");
  EXPECT_EQ(out.arrival_ms, 1428537600250);
  EXPECT_EQ(boost::json::serialize(out.event),
            R"({"eventID":"e1","eventName":"INSERT","eventVersion":"1.1",)"
            R"("eventSource":"aws:dynamodb","awsRegion":"us-east-1","dynamodb":{)"
            R"("ApproximateCreationDateTime":1428537600,"Keys":{"id":{"S":"a"}},)"
            R"("NewImage":{"id":{"S":"a"}},"SequenceNumber":"100","SizeBytes":26,)"
            R"("StreamViewType":"NEW_AND_OLD_IMAGES"},)"
            R"("eventSourceARN":"arn:aws:dynamodb:us-east-1:1:table/t/stream/x"})");
  EXPECT_EQ(out.filter_view, boost::json::value(out.event));
}

TEST(SqliteCheckpointStoreTest, SurvivesReopen) {
  testing_support::TempDir dir;
  const std::string path = dir.path() + "/esm-checkpoints.db";
  {
    auto store = SqliteCheckpointStore::Open(path);
    ASSERT_TRUE(store.ok()) << store.error().message;
    auto none = (*store)->Get("u1", "s1");
    ASSERT_TRUE(none.ok());
    EXPECT_FALSE(none->has_value());
    ASSERT_TRUE((*store)->Put("u1", "s1", "5").ok());
    ASSERT_TRUE((*store)->Put("u1", "s1", "7").ok());
    ASSERT_TRUE((*store)->Put("u1", "s2", "9").ok());
    ASSERT_TRUE((*store)->Put("u2", "s1", "1").ok());
  }
  auto store = SqliteCheckpointStore::Open(path);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(*(*store)->Get("u1", "s1"), std::optional<std::string>("7"));
  EXPECT_EQ(*(*store)->Get("u1", "s2"), std::optional<std::string>("9"));
  ASSERT_TRUE((*store)->DeleteMapping("u1").ok());
  EXPECT_FALSE((*store)->Get("u1", "s1")->has_value());
  EXPECT_EQ(*(*store)->Get("u2", "s1"), std::optional<std::string>("1"));
}

}  // namespace
}  // namespace lambdalite::esm
