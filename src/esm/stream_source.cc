#include "esm/stream_source.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <cmath>
#include <utility>

#include "aws/sqs_client.h"  // ParseArn
#include "common/crypto.h"
#include "esm/event_filter.h"

namespace lambdalite::esm {
namespace {

class KinesisSource final : public StreamSource {
 public:
  KinesisSource(aws::HttpClient* http, const aws::Config& config, const Clock* clock,
                std::string stream_arn, std::string invoke_identity_arn)
      : client_(http, config, clock),
        stream_arn_(std::move(stream_arn)),
        region_(aws::RegionOfArn(stream_arn_)),
        invoke_identity_arn_(std::move(invoke_identity_arn)) {}

  Result<std::vector<aws::StreamShard>> ListShards() override {
    return client_.ListShards(stream_arn_);
  }
  Result<std::string> Iterator(const std::string& shard_id,
                               const aws::ShardPosition& position) override {
    return client_.GetShardIterator(stream_arn_, shard_id, position);
  }
  Result<SourceRead> Read(const std::string& shard_id, const std::string& iterator,
                          int limit) override {
    LAMBDALITE_TRY(aws::KinesisRecords got, client_.GetRecords(stream_arn_, iterator, limit));
    SourceRead read;
    read.next_iterator = std::move(got.next_shard_iterator);
    read.millis_behind_latest = got.millis_behind_latest;
    for (const aws::KinesisRecord& record : got.records) {
      read.records.push_back(
          KinesisEventRecord(record, shard_id, stream_arn_, region_, invoke_identity_arn_));
    }
    return read;
  }
  std::string BatchInfoKey() const override { return "KinesisBatchInfo"; }
  int MaxReadLimit() const override { return 10000; }

 private:
  aws::KinesisClient client_;
  std::string stream_arn_;
  std::string region_;
  std::string invoke_identity_arn_;
};

class DynamoDbSource final : public StreamSource {
 public:
  DynamoDbSource(aws::HttpClient* http, const aws::Config& config, const Clock* clock,
                 std::string stream_arn)
      : client_(http, config, clock),
        stream_arn_(std::move(stream_arn)),
        region_(aws::RegionOfArn(stream_arn_)) {}

  Result<std::vector<aws::StreamShard>> ListShards() override {
    LAMBDALITE_TRY(aws::DynamoDbStreamDescription d, client_.DescribeStream(stream_arn_));
    return std::move(d.shards);
  }
  Result<std::string> Iterator(const std::string& shard_id,
                               const aws::ShardPosition& position) override {
    return client_.GetShardIterator(stream_arn_, shard_id, position);
  }
  Result<SourceRead> Read(const std::string& /*shard_id*/, const std::string& iterator,
                          int limit) override {
    LAMBDALITE_TRY(aws::DynamoDbStreamRecords got,
                   client_.GetRecords(stream_arn_, iterator, limit));
    SourceRead read;
    read.next_iterator = std::move(got.next_shard_iterator);
    for (const aws::DynamoDbStreamRecord& record : got.records) {
      read.records.push_back(DynamoDbEventRecord(record, stream_arn_, region_));
    }
    return read;
  }
  std::string BatchInfoKey() const override { return "DDBStreamBatchInfo"; }
  int MaxReadLimit() const override { return 1000; }

 private:
  aws::DynamoDbStreamsClient client_;
  std::string stream_arn_;
  std::string region_;
};

}  // namespace

std::unique_ptr<StreamSource> MakeAwsStreamSource(aws::HttpClient* http, const aws::Config& config,
                                                  const Clock* clock, domain::EventSourceKind kind,
                                                  const std::string& stream_arn,
                                                  const std::string& invoke_identity_arn) {
  if (kind == domain::EventSourceKind::kDynamoDbStreams) {
    return std::make_unique<DynamoDbSource>(http, config, clock, stream_arn);
  }
  return std::make_unique<KinesisSource>(http, config, clock, stream_arn, invoke_identity_arn);
}

SourceRecord KinesisEventRecord(const aws::KinesisRecord& record, const std::string& shard_id,
                                const std::string& stream_arn, const std::string& region,
                                const std::string& invoke_identity_arn) {
  SourceRecord out;
  out.sequence_number = record.sequence_number;
  out.arrival_ms = std::llround(record.approximate_arrival_seconds * 1000.0);
  out.partition_key = record.partition_key;
  boost::json::object kinesis;
  kinesis["kinesisSchemaVersion"] = "1.0";
  kinesis["partitionKey"] = record.partition_key;
  kinesis["sequenceNumber"] = record.sequence_number;
  kinesis["data"] = record.data_base64;
  // Seconds with millisecond precision, as AWS sends it (1545084650.987).
  kinesis["approximateArrivalTimestamp"] = static_cast<double>(out.arrival_ms) / 1000.0;
  out.event["kinesis"] = std::move(kinesis);
  out.event["eventSource"] = "aws:kinesis";
  out.event["eventVersion"] = "1.0";
  out.event["eventID"] = shard_id + ":" + record.sequence_number;
  out.event["eventName"] = "aws:kinesis:record";
  out.event["invokeIdentityArn"] = invoke_identity_arn;
  out.event["awsRegion"] = region;
  out.event["eventSourceARN"] = stream_arn;
  // AWS: Kinesis mappings filter on the `data` key only, decoded (and parsed when it is JSON).
  std::string decoded;
  if (!Base64Decode(record.data_base64, &decoded)) decoded = record.data_base64;
  out.filter_view = boost::json::object{{"data", PayloadForFiltering(decoded)}};
  return out;
}

SourceRecord DynamoDbEventRecord(const aws::DynamoDbStreamRecord& record,
                                 const std::string& stream_arn, const std::string& region) {
  SourceRecord out;
  out.sequence_number = record.sequence_number;
  out.arrival_ms = std::llround(record.approximate_creation_seconds * 1000.0);
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(record.json, ec);
  boost::json::object in =
      !ec && parsed.is_object() ? std::move(parsed.as_object()) : boost::json::object();
  auto take = [&](boost::json::object& to, std::string_view key) {
    if (auto it = in.find(key); it != in.end()) {
      to[key] = std::move(it->value());
      in.erase(it);
    }
  };
  boost::json::object& e = out.event;
  take(e, "eventID");
  take(e, "eventName");
  in.erase("eventVersion");
  e["eventVersion"] = "1.1";
  in.erase("eventSource");
  e["eventSource"] = "aws:dynamodb";
  if (const auto* r = in.if_contains("awsRegion"); r != nullptr && r->is_string()) {
    e["awsRegion"] = r->get_string();
  } else {
    e["awsRegion"] = region;
  }
  in.erase("awsRegion");
  if (auto it = in.find("dynamodb"); it != in.end() && it->value().is_object()) {
    boost::json::object source = std::move(it->value().as_object());
    in.erase(it);
    boost::json::object ddb;
    auto move_key = [&](std::string_view key) {
      if (auto k = source.find(key); k != source.end()) {
        ddb[key] = std::move(k->value());
        source.erase(k);
      }
    };
    // AWS sends whole seconds ("rounded down to the closest second"); some emulators send more.
    if (auto t = source.find("ApproximateCreationDateTime");
        t != source.end() && t->value().is_double()) {
      t->value() = static_cast<int64_t>(std::floor(t->value().get_double()));
    }
    for (std::string_view key : {"ApproximateCreationDateTime", "Keys", "NewImage", "OldImage",
                                 "SequenceNumber", "SizeBytes", "StreamViewType"}) {
      move_key(key);
    }
    for (auto& [key, value] : source) ddb[key] = std::move(value);
    if (const auto* keys = ddb.if_contains("Keys"))
      out.partition_key = boost::json::serialize(*keys);
    e["dynamodb"] = std::move(ddb);
  }
  for (auto& [key, value] : in) e[key] = std::move(value);  // userIdentity and anything newer
  e["eventSourceARN"] = stream_arn;
  out.filter_view = out.event;
  return out;
}

}  // namespace lambdalite::esm
