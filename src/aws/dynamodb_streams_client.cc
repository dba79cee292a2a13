#include "aws/dynamodb_streams_client.h"

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>
#include <utility>

#include "aws/aws_client.h"
#include "aws/json_answer.h"
#include "aws/sqs_client.h"  // ParseArn, AwsCallError

namespace lambdalite::aws {

using internal::NumberField;
using internal::ParseJsonAnswer;
using internal::StringField;

namespace {}  // namespace

bool IsDynamoDbStreamArn(std::string_view text) {
  std::optional<Arn> arn = ParseArn(text);
  if (!arn || arn->service != "dynamodb" || arn->region.empty()) return false;
  const std::string& r = arn->resource;
  if (r.substr(0, 6) != "table/") return false;
  size_t stream = r.find("/stream/", 6);
  return stream != std::string::npos && stream > 6 && stream + 8 < r.size();
}

DynamoDbStreamsClient::DynamoDbStreamsClient(HttpClient* http, const Config& config,
                                             const Clock* clock)
    : http_(http), config_(config), clock_(clock) {}

Result<std::string> DynamoDbStreamsClient::Call(std::string_view stream_arn,
                                                std::string_view operation,
                                                std::string body) const {
  std::optional<Arn> arn = ParseArn(stream_arn);
  if (!arn || !IsDynamoDbStreamArn(stream_arn)) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "Not a DynamoDB stream ARN: " + std::string(stream_arn));
  }
  AwsClient client(http_, config_, "dynamodb", arn->region, clock_);
  client.set_endpoint(ResolveEndpoint(config_, "dynamodb-streams", arn->region));
  LAMBDALITE_TRY(ClientResponse response,
                 client.CallJson("DynamoDBStreams_20120810." + std::string(operation), "1.0",
                                 std::move(body)));
  if (response.status >= 200 && response.status < 300) return std::move(response.body);
  Error error = AwsCallError("DynamoDB Streams", operation, response);
  if (ParseServiceError(response).code == "ResourceNotFoundException") {
    error.code = ErrorCode::kNotFound;
  }
  return error;
}

Result<DynamoDbStreamDescription> DynamoDbStreamsClient::DescribeStream(
    std::string_view stream_arn) const {
  DynamoDbStreamDescription description;
  std::string start_shard;
  for (int page = 0; page < 1000; ++page) {
    boost::json::object request;
    request["StreamArn"] = stream_arn;
    if (!start_shard.empty()) request["ExclusiveStartShardId"] = start_shard;
    LAMBDALITE_TRY(std::string body,
                   Call(stream_arn, "DescribeStream", boost::json::serialize(request)));
    LAMBDALITE_TRY(boost::json::object answer,
                   ParseJsonAnswer("DynamoDB Streams", "DescribeStream", body));
    const auto* d = answer.if_contains("StreamDescription");
    if (d == nullptr || !d->is_object()) break;
    const boost::json::object& desc = d->get_object();
    description.stream_arn = StringField(desc, "StreamArn");
    description.stream_status = StringField(desc, "StreamStatus");
    description.stream_view_type = StringField(desc, "StreamViewType");
    description.table_name = StringField(desc, "TableName");
    if (const auto* list = desc.if_contains("Shards"); list != nullptr && list->is_array()) {
      for (const boost::json::value& item : list->get_array()) {
        if (!item.is_object()) continue;
        const boost::json::object& s = item.get_object();
        StreamShard shard;
        shard.shard_id = StringField(s, "ShardId");
        shard.parent_shard_id = StringField(s, "ParentShardId");
        if (const auto* range = s.if_contains("SequenceNumberRange");
            range != nullptr && range->is_object()) {
          shard.starting_sequence_number =
              StringField(range->get_object(), "StartingSequenceNumber");
          shard.ending_sequence_number = StringField(range->get_object(), "EndingSequenceNumber");
        }
        if (!shard.shard_id.empty()) description.shards.push_back(std::move(shard));
      }
    }
    start_shard = StringField(desc, "LastEvaluatedShardId");
    if (start_shard.empty()) break;
  }
  return description;
}

Result<std::string> DynamoDbStreamsClient::GetShardIterator(std::string_view stream_arn,
                                                            std::string_view shard_id,
                                                            const ShardPosition& position) const {
  boost::json::object request;
  request["StreamArn"] = stream_arn;
  request["ShardId"] = shard_id;
  request["ShardIteratorType"] = position.type;
  if (!position.sequence_number.empty()) request["SequenceNumber"] = position.sequence_number;
  LAMBDALITE_TRY(std::string body,
                 Call(stream_arn, "GetShardIterator", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer,
                 ParseJsonAnswer("DynamoDB Streams", "GetShardIterator", body));
  return StringField(answer, "ShardIterator");
}

Result<DynamoDbStreamRecords> DynamoDbStreamsClient::GetRecords(std::string_view stream_arn,
                                                                std::string_view shard_iterator,
                                                                int limit) const {
  boost::json::object request;
  request["ShardIterator"] = shard_iterator;
  request["Limit"] = limit;
  LAMBDALITE_TRY(std::string body, Call(stream_arn, "GetRecords", boost::json::serialize(request)));
  LAMBDALITE_TRY(boost::json::object answer,
                 ParseJsonAnswer("DynamoDB Streams", "GetRecords", body));
  DynamoDbStreamRecords result;
  if (const auto* list = answer.if_contains("Records"); list != nullptr && list->is_array()) {
    for (const boost::json::value& item : list->get_array()) {
      if (!item.is_object()) continue;
      DynamoDbStreamRecord record;
      if (const auto* d = item.get_object().if_contains("dynamodb"); d && d->is_object()) {
        record.sequence_number = StringField(d->get_object(), "SequenceNumber");
        record.approximate_creation_seconds =
            NumberField(d->get_object(), "ApproximateCreationDateTime");
      }
      record.json = boost::json::serialize(item);
      result.records.push_back(std::move(record));
    }
  }
  result.next_shard_iterator = StringField(answer, "NextShardIterator");
  return result;
}

}  // namespace lambdalite::aws
