#include "aws/kinesis_client.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <cmath>
#include <utility>

#include "aws/aws_client.h"
#include "aws/json_answer.h"
#include "aws/sqs_client.h"  // ParseArn, AwsCallError
#include "common/crypto.h"

namespace lambdalite::aws {

using internal::NumberField;
using internal::ParseJsonAnswer;
using internal::StringField;

namespace {

// The region and name of a stream ARN, or kInvalidParameter.
struct StreamRef {
  std::string region;
  std::string name;
};
Result<StreamRef> ParseStreamArn(std::string_view stream_arn) {
  std::optional<Arn> arn = ParseArn(stream_arn);
  std::optional<std::string> name = KinesisStreamNameFromArn(stream_arn);
  if (!arn || !name) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Not a Kinesis stream ARN: " + std::string(stream_arn));
  }
  return StreamRef{arn->region, *name};
}

}  // namespace

std::optional<std::string> KinesisStreamNameFromArn(std::string_view stream_arn) {
  std::optional<Arn> arn = ParseArn(stream_arn);
  if (!arn || arn->service != "kinesis" || arn->region.empty()) return std::nullopt;
  constexpr std::string_view kPrefix = "stream/";
  if (arn->resource.substr(0, kPrefix.size()) != kPrefix) return std::nullopt;
  std::string name = arn->resource.substr(kPrefix.size());
  if (name.empty() || name.find('/') != std::string::npos) return std::nullopt;
  return name;
}

KinesisClient::KinesisClient(HttpClient* http, const Config& config, const Clock* clock)
    : http_(http), config_(config), clock_(clock) {}

Result<std::string> KinesisClient::Call(std::string_view region, std::string_view operation,
                                        std::string body) const {
  AwsClient client(http_, config_, "kinesis", std::string(region), clock_);
  LAMBDALITE_TRY(
      ClientResponse response,
      client.CallJson("Kinesis_20131202." + std::string(operation), "1.1", std::move(body)));
  if (response.status >= 200 && response.status < 300) return std::move(response.body);
  Error error = AwsCallError("Kinesis", operation, response);
  if (ParseServiceError(response).code == "ResourceNotFoundException") {
    error.code = ErrorCode::kNotFound;
  }
  return error;
}

Result<std::vector<StreamShard>> KinesisClient::ListShards(std::string_view stream_arn) const {
  LAMBDALITE_TRY(StreamRef stream, ParseStreamArn(stream_arn));
  std::vector<StreamShard> shards;
  std::string next_token;
  for (int page = 0; page < 1000; ++page) {
    boost::json::object request;
    if (next_token.empty()) {
      request["StreamName"] = stream.name;
    } else {
      request["NextToken"] = next_token;  // ListShards refuses StreamName together with a token
    }
    LAMBDALITE_TRY(std::string body,
                   Call(stream.region, "ListShards", boost::json::serialize(request)));
    LAMBDALITE_TRY(boost::json::object answer, ParseJsonAnswer("Kinesis", "ListShards", body));
    if (const auto* list = answer.if_contains("Shards"); list != nullptr && list->is_array()) {
      for (const boost::json::value& item : list->get_array()) {
        if (!item.is_object()) continue;
        const boost::json::object& s = item.get_object();
        StreamShard shard;
        shard.shard_id = StringField(s, "ShardId");
        shard.parent_shard_id = StringField(s, "ParentShardId");
        shard.adjacent_parent_shard_id = StringField(s, "AdjacentParentShardId");
        if (const auto* range = s.if_contains("SequenceNumberRange");
            range != nullptr && range->is_object()) {
          shard.starting_sequence_number =
              StringField(range->get_object(), "StartingSequenceNumber");
          shard.ending_sequence_number = StringField(range->get_object(), "EndingSequenceNumber");
        }
        if (!shard.shard_id.empty()) shards.push_back(std::move(shard));
      }
    }
    next_token = StringField(answer, "NextToken");
    if (next_token.empty()) break;
  }
  return shards;
}

Result<std::string> KinesisClient::GetShardIterator(std::string_view stream_arn,
                                                    std::string_view shard_id,
                                                    const ShardPosition& position) const {
  LAMBDALITE_TRY(StreamRef stream, ParseStreamArn(stream_arn));
  boost::json::object request;
  request["StreamName"] = stream.name;
  request["ShardId"] = shard_id;
  request["ShardIteratorType"] = position.type;
  if (!position.sequence_number.empty()) {
    request["StartingSequenceNumber"] = position.sequence_number;
  }
  if (position.type == "AT_TIMESTAMP") {
    request["Timestamp"] = static_cast<double>(position.timestamp_ms) / 1000.0;
  }
  LAMBDALITE_TRY(std::string body,
                 Call(stream.region, "GetShardIterator", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonAnswer("Kinesis", "GetShardIterator", body));
  return StringField(answer, "ShardIterator");
}

Result<KinesisRecords> KinesisClient::GetRecords(std::string_view stream_arn,
                                                 std::string_view shard_iterator, int limit) const {
  LAMBDALITE_TRY(StreamRef stream, ParseStreamArn(stream_arn));
  boost::json::object request;
  request["ShardIterator"] = shard_iterator;
  request["Limit"] = limit;
  LAMBDALITE_TRY(std::string body,
                 Call(stream.region, "GetRecords", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonAnswer("Kinesis", "GetRecords", body));
  KinesisRecords result;
  if (const auto* list = answer.if_contains("Records"); list != nullptr && list->is_array()) {
    for (const boost::json::value& item : list->get_array()) {
      if (!item.is_object()) continue;
      const boost::json::object& r = item.get_object();
      KinesisRecord record;
      record.sequence_number = StringField(r, "SequenceNumber");
      record.partition_key = StringField(r, "PartitionKey");
      record.data_base64 = StringField(r, "Data");
      record.approximate_arrival_seconds = NumberField(r, "ApproximateArrivalTimestamp");
      result.records.push_back(std::move(record));
    }
  }
  result.next_shard_iterator = StringField(answer, "NextShardIterator");
  if (answer.contains("MillisBehindLatest")) {
    result.millis_behind_latest =
        static_cast<int64_t>(std::llround(NumberField(answer, "MillisBehindLatest")));
  }
  return result;
}

Result<KinesisStreamSummary> KinesisClient::DescribeStreamSummary(
    std::string_view stream_arn) const {
  LAMBDALITE_TRY(StreamRef stream, ParseStreamArn(stream_arn));
  boost::json::object request;
  request["StreamName"] = stream.name;
  LAMBDALITE_TRY(std::string body,
                 Call(stream.region, "DescribeStreamSummary", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer,
                 ParseJsonAnswer("Kinesis", "DescribeStreamSummary", body));
  KinesisStreamSummary summary;
  if (const auto* d = answer.if_contains("StreamDescriptionSummary"); d && d->is_object()) {
    summary.stream_name = StringField(d->get_object(), "StreamName");
    summary.stream_arn = StringField(d->get_object(), "StreamARN");
    summary.stream_status = StringField(d->get_object(), "StreamStatus");
  }
  return summary;
}

Status KinesisClient::CreateStream(std::string_view name, int shard_count) const {
  boost::json::object request;
  request["StreamName"] = name;
  request["ShardCount"] = shard_count;
  LAMBDALITE_TRY(std::string body,
                 Call(config_.region, "CreateStream", boost::json::serialize(request)));
  (void)body;
  return Status();
}

Result<std::string> KinesisClient::PutRecord(std::string_view stream_arn, std::string_view data,
                                             std::string_view partition_key) const {
  LAMBDALITE_TRY(StreamRef stream, ParseStreamArn(stream_arn));
  boost::json::object request;
  request["StreamName"] = stream.name;
  request["Data"] = Base64Encode(data);
  request["PartitionKey"] = partition_key;
  LAMBDALITE_TRY(std::string body,
                 Call(stream.region, "PutRecord", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer, ParseJsonAnswer("Kinesis", "PutRecord", body));
  return StringField(answer, "SequenceNumber");
}

}  // namespace lambdalite::aws
