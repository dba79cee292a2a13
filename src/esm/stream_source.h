#pragma once

// What the stream poller (stream_poller.h) reads: the shards of one Kinesis or DynamoDB stream and
// their records, already shaped as the function's event records. One implementation per kind over
// the aws clients; tests substitute fakes.

#include <boost/json/value.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "aws/dynamodb_streams_client.h"
#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "aws/kinesis_client.h"  // StreamShard, ShardPosition
#include "common/clock.h"
#include "common/result.h"
#include "domain/event_source_mapping.h"

namespace lambdalite::esm {

struct SourceRecord {
  std::string sequence_number;
  // Kinesis ApproximateArrivalTimestamp / DynamoDB ApproximateCreationDateTime.
  int64_t arrival_ms = 0;
  // What ParallelizationFactor keeps in order: Kinesis partitionKey, DynamoDB the item's Keys.
  std::string partition_key;
  boost::json::object event;       // the element of the event's Records array
  boost::json::value filter_view;  // what FilterCriteria patterns are matched against
};

struct SourceRead {
  std::vector<SourceRecord> records;
  std::string next_iterator;  // "" when the (closed) shard has been read to its end
  std::optional<int64_t> millis_behind_latest;  // Kinesis only
};

class StreamSource {
 public:
  virtual ~StreamSource() = default;
  // Every shard, closed ones included. kNotFound when the stream does not exist.
  virtual Result<std::vector<aws::StreamShard>> ListShards() = 0;
  virtual Result<std::string> Iterator(const std::string& shard_id,
                                       const aws::ShardPosition& position) = 0;
  // Errors whose message contains "ExpiredIteratorException" (or any other) make the caller get
  // a fresh iterator after the last record it read.
  virtual Result<SourceRead> Read(const std::string& shard_id, const std::string& iterator,
                                  int limit) = 0;
  // "KinesisBatchInfo" or "DDBStreamBatchInfo": the member of the on-failure record.
  virtual std::string BatchInfoKey() const = 0;
  // The largest GetRecords Limit the service takes.
  virtual int MaxReadLimit() const = 0;
};

// The real source for a mapping's EventSourceArn (kind kKinesis or kDynamoDbStreams).
// `invoke_identity_arn` is the Kinesis records' invokeIdentityArn (the function's role).
std::unique_ptr<StreamSource> MakeAwsStreamSource(aws::HttpClient* http, const aws::Config& config,
                                                  const Clock* clock, domain::EventSourceKind kind,
                                                  const std::string& stream_arn,
                                                  const std::string& invoke_identity_arn);

// The Kinesis event record of AWS's documented shape, and its filter view ({"data": decoded data,
// parsed when it is JSON}).
SourceRecord KinesisEventRecord(const aws::KinesisRecord& record, const std::string& shard_id,
                                const std::string& stream_arn, const std::string& region,
                                const std::string& invoke_identity_arn);
// The DynamoDB event record (the stream record with eventVersion "1.1", eventSource
// "aws:dynamodb" and eventSourceARN added, in AWS's key order); its filter view is the record.
SourceRecord DynamoDbEventRecord(const aws::DynamoDbStreamRecord& record,
                                 const std::string& stream_arn, const std::string& region);

}  // namespace lambdalite::esm
