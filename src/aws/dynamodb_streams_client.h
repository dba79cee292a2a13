#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/kinesis_client.h"  // StreamShard, ShardPosition
#include "common/clock.h"
#include "common/result.h"

namespace lambdalite::aws {

struct DynamoDbStreamRecord {
  std::string sequence_number;              // dynamodb.SequenceNumber
  double approximate_creation_seconds = 0;  // dynamodb.ApproximateCreationDateTime
  std::string json;                         // the record object exactly as GetRecords answered it
};

struct DynamoDbStreamRecords {
  std::vector<DynamoDbStreamRecord> records;
  std::string next_shard_iterator;  // "" once a closed shard is read to its end
};

struct DynamoDbStreamDescription {
  std::string stream_arn;
  std::string stream_status;     // ENABLING | ENABLED | DISABLING | DISABLED
  std::string stream_view_type;  // KEYS_ONLY | NEW_IMAGE | OLD_IMAGE | NEW_AND_OLD_IMAGES
  std::string table_name;
  std::vector<StreamShard> shards;  // all pages
};

// The DynamoDB Streams operations an event source mapping needs, over awsJson1.0 (X-Amz-Target
// DynamoDBStreams_20120810.<Operation>, signing name "dynamodb"). The endpoint is the one for
// service id "dynamodb-streams" (AWS_ENDPOINT_URL_DYNAMODB_STREAMS, else AWS_ENDPOINT_URL, else
// https://streams.dynamodb.<region>.amazonaws.com), in the region of the stream ARN
// (arn:aws:dynamodb:<region>:<account>:table/<table>/stream/<label>). Errors as KinesisClient's:
// kNotFound for ResourceNotFoundException. Thread-safe.
class DynamoDbStreamsClient {
 public:
  DynamoDbStreamsClient(HttpClient* http, const Config& config, const Clock* clock = nullptr);

  Result<DynamoDbStreamDescription> DescribeStream(std::string_view stream_arn) const;
  Result<std::string> GetShardIterator(std::string_view stream_arn, std::string_view shard_id,
                                       const ShardPosition& position) const;
  Result<DynamoDbStreamRecords> GetRecords(std::string_view stream_arn,
                                           std::string_view shard_iterator, int limit) const;

 private:
  Result<std::string> Call(std::string_view stream_arn, std::string_view operation,
                           std::string body) const;

  HttpClient* http_;
  Config config_;
  const Clock* clock_;
};

// Whether `arn` names a DynamoDB stream (…:table/<table>/stream/<label>).
bool IsDynamoDbStreamArn(std::string_view arn);

}  // namespace lambdalite::aws
