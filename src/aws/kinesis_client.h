#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "common/clock.h"
#include "common/result.h"

namespace lambdalite::aws {

// One shard of a stream, as ListShards (Kinesis) or DescribeStream (DynamoDB Streams) lists it.
struct StreamShard {
  std::string shard_id;
  std::string parent_shard_id;           // "" when none
  std::string adjacent_parent_shard_id;  // "" when none (Kinesis merges only)
  std::string starting_sequence_number;
  std::string ending_sequence_number;  // "" while the shard is open
  bool closed() const { return !ending_sequence_number.empty(); }
};

// How a shard iterator starts (GetShardIterator's ShardIteratorType and its argument).
struct ShardPosition {
  std::string type;             // TRIM_HORIZON | LATEST | AT_TIMESTAMP | AFTER_SEQUENCE_NUMBER |
                                // AT_SEQUENCE_NUMBER
  std::string sequence_number;  // for the *_SEQUENCE_NUMBER types
  int64_t timestamp_ms = 0;     // for AT_TIMESTAMP (Kinesis only)
};

struct KinesisRecord {
  std::string sequence_number;
  std::string partition_key;
  std::string data_base64;  // as the wire carries it
  double approximate_arrival_seconds = 0;
};

struct KinesisRecords {
  std::vector<KinesisRecord> records;
  std::string next_shard_iterator;  // "" once a closed shard is read to its end
  std::optional<int64_t> millis_behind_latest;
};

struct KinesisStreamSummary {
  std::string stream_name;
  std::string stream_arn;
  std::string stream_status;
};

// The stream name in arn:aws:kinesis:<region>:<account>:stream/<name>; nullopt for anything else.
std::optional<std::string> KinesisStreamNameFromArn(std::string_view stream_arn);

// The Kinesis Data Streams operations an event source mapping needs, over awsJson1.1
// (X-Amz-Target Kinesis_20131202.<Operation>). Streams are named by ARN; each call goes to the
// ARN's region. Errors: kNotFound for ResourceNotFoundException (the message says which),
// kUnavailable when retrying can help (5xx, throttling, transport), kInvalidParameter otherwise (an
// expired iterator among them: its message contains "ExpiredIteratorException"). Thread-safe.
class KinesisClient {
 public:
  KinesisClient(HttpClient* http, const Config& config, const Clock* clock = nullptr);

  // Every shard of the stream (all pages of ListShards), closed ones included.
  Result<std::vector<StreamShard>> ListShards(std::string_view stream_arn) const;
  Result<std::string> GetShardIterator(std::string_view stream_arn, std::string_view shard_id,
                                       const ShardPosition& position) const;
  Result<KinesisRecords> GetRecords(std::string_view stream_arn, std::string_view shard_iterator,
                                    int limit) const;
  Result<KinesisStreamSummary> DescribeStreamSummary(std::string_view stream_arn) const;

  // Setup, for tests and local setups (stream named in the config's region).
  Status CreateStream(std::string_view name, int shard_count) const;
  // Puts `data` (raw bytes); returns the record's sequence number.
  Result<std::string> PutRecord(std::string_view stream_arn, std::string_view data,
                                std::string_view partition_key) const;

 private:
  Result<std::string> Call(std::string_view region, std::string_view operation,
                           std::string body) const;

  HttpClient* http_;
  Config config_;
  const Clock* clock_;
};

}  // namespace lambdalite::aws
