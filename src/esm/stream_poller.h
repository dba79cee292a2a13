#pragma once

// The poller of Kinesis and DynamoDB Streams event source mappings (one factory for both kinds).
//
// Per mapping, one thread lists the shards (at start and every shard_refresh_ms, and at once when
// a shard is read to its end) and one thread per shard reads it, in shard lineage order: a shard
// starts once its parents (ParentShardId, AdjacentParentShardId) are read to their end or are no
// longer listed. Where a shard starts: after its checkpoint when it has one; else at the mapping's
// StartingPosition for a shard of the first listing without a parent being read (with LATEST,
// closed shards of the first listing are skipped); else (children, shards that appear later) at
// TRIM_HORIZON.
//
// Per shard, records are delivered in order, one batch at a time: up to BatchSize records that
// match the FilterCriteria, gathered for at most MaximumBatchingWindowInSeconds (0: as soon as a
// read returns records). Records that match no filter are dropped (and checkpointed past).
// Checkpoint: the sequence number of the last record of every finished (sub-)batch.
//
// Failure rules (AWS "Retain discarded batch records for a Kinesis/DynamoDB event source"): the
// shard is blocked while a batch is retried.
// - Invoke errors (the function could not be run: throttled, gone) are retried with backoff until
//   the records are older than MaximumRecordAgeInSeconds; they do not count as retries.
// - A function error retries the batch until MaximumRetryAttempts retries are spent (-1: no
//   limit) or its first record is older than MaximumRecordAgeInSeconds (-1: no limit). With
//   BisectBatchOnFunctionError a failed batch of more than one record is split in two halves that
//   are processed in order; splitting does not consume retries.
// - With ReportBatchItemFailures, a response {"batchItemFailures":[{"itemIdentifier": seq}]}
//   checkpoints before the lowest failed record and retries from it (a retry); an empty or missing
//   list is success; an empty, null or unknown itemIdentifier fails the whole batch.
// - When retries or age run out, the on-failure record ({requestContext, responseContext, version,
//   timestamp, KinesisBatchInfo|DDBStreamBatchInfo}) goes to DestinationConfig.OnFailure (SQS
//   SendMessage, SNS Publish, S3 PutObject with the event added as `payload`), retried until it is
//   taken, and the shard moves on past the batch. Without a destination the batch is dropped.
// ParallelizationFactor N > 1: up to N * BatchSize records are taken at a time and spread over N
// lanes by partition key (Kinesis partitionKey, DynamoDB Keys), so one key's records stay in order;
// the lanes deliver concurrently and the shard is checkpointed once all are done (a crash in
// between delivers that span again).
// Not done: TumblingWindowInSeconds.

#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "common/result.h"
#include "domain/event_source_mapping.h"
#include "esm/poller.h"
#include "esm/stream_source.h"

namespace lambdalite::esm {

struct StreamPollerOptions {
  int64_t empty_poll_wait_ms = 1000;  // after a read without records (AWS polls once a second)
  int64_t shard_refresh_ms = 10'000;  // how often new shards are looked for
  int64_t initial_backoff_ms = 500;   // source errors, invoke errors, function error retries
  int64_t max_backoff_ms = 10'000;
};

// What the on-failure record is sent with: `destination` is the DestinationConfig ARN, `record`
// the JSON document, `payload` the event of the failed batch (S3 destinations carry it too),
// `shard_id` for the S3 object key.
using OnFailureSender = std::function<Status(
    const PollerContext& context, const std::string& destination, const std::string& record,
    const std::string& payload, const std::string& shard_id)>;
// The source for a poller (tests give fakes; the default reads AWS through context.http).
using StreamSourceMaker = std::function<Result<std::unique_ptr<StreamSource>>(
    const PollerContext& context, const std::string& invoke_identity_arn)>;
// The execution role of a mapping's function (the Kinesis records' invokeIdentityArn); "" when
// unknown.
using RoleLookup =
    std::function<std::string(const domain::Scope& scope, const std::string& function_name)>;

class StreamPollerFactory final : public PollerFactory {
 public:
  explicit StreamPollerFactory(StreamPollerOptions options = {}, RoleLookup role_lookup = {});

  // Fails with kNotFound and AWS's "Cannot access stream ..." text (see CheckStreamSource) when
  // the stream does not exist; other listing errors are returned as they are (kUnavailable).
  Result<std::unique_ptr<Poller>> Start(const PollerContext& context) override;

  void set_source_maker(StreamSourceMaker maker) { source_maker_ = std::move(maker); }
  void set_on_failure_sender(OnFailureSender sender) { on_failure_sender_ = std::move(sender); }

 private:
  StreamPollerOptions options_;
  RoleLookup role_lookup_;
  StreamSourceMaker source_maker_;
  OnFailureSender on_failure_sender_;
};

// The default OnFailureSender: by the destination ARN's service, SQS SendMessage, SNS Publish, or
// S3 PutObject (key aws/lambda/<mapping uuid>/<shard id>/YYYY/MM/DD/YYYY-MM-DDTHH.MM.SS-<uuid>,
// body the record with `payload` added).
Status SendOnFailureRecord(const PollerContext& context, const std::string& destination,
                           const std::string& record, const std::string& payload,
                           const std::string& shard_id);

// AWS's answer for a stream Lambda cannot read, as CreateEventSourceMapping gives it
// (InvalidParameterValueException):
//   Kinesis:  "Cannot access stream <arn>. Please ensure the role can perform the GetRecords,
//             GetShardIterator, DescribeStream, ListShards, and ListStreams Actions on your
//             stream in IAM."
//   DynamoDB: the same without "ListShards, ".
std::string CannotAccessStreamMessage(domain::EventSourceKind kind, const std::string& arn);

// The Create-time check of a stream mapping's source: Ok when the stream exists; kInvalidParameter
// with CannotAccessStreamMessage when the service says it does not (ResourceNotFoundException) or
// the ARN is not a stream's; kUnavailable when it could not tell (endpoint unreachable, throttled,
// credentials refused), which callers accept (the poller then reports the problem).
Status CheckStreamSource(aws::HttpClient* http, const aws::Config& config,
                         domain::EventSourceKind kind, const std::string& event_source_arn);

}  // namespace lambdalite::esm
