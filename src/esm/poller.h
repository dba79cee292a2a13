#pragma once

// One poller per enabled event source mapping, started and stopped by the PollerManager
// (poller_manager.h). A PollerFactory knows one kind of source (SQS; Kinesis and DynamoDB
// Streams); the manager picks the factory by the mapping's domain::EventSourceKind.

#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "common/clock.h"
#include "common/result.h"
#include "esm/mapping_source.h"

namespace lambdalite::esm {

// What `lambdalite esm` and GET /_lambdalite/event-source-mappings show for a running poller.
struct PollerStatus {
  std::string last_processing_result;  // as MappingSource::SetLastProcessingResult was last told
  // How far behind the source the poller is, when known: SQS messages visible in the queue
  // (ApproximateNumberOfMessages), or stream milliseconds behind the newest record
  // (MillisBehindLatest, the largest over the shards).
  std::optional<int64_t> lag;
  std::string lag_unit;           // "messages" | "milliseconds"
  int64_t batches = 0;            // invocations made
  int64_t records_delivered = 0;  // records in batches the function took without error
  int64_t records_filtered = 0;   // records dropped by FilterCriteria
  int64_t function_errors = 0;    // batches the function failed (or partly failed)
  std::string problem;            // the last poll/delete/checkpoint error, "" when healthy
  int64_t last_poll_ms = 0;
};

// A running poller. Its threads poll the source and invoke the function until Stop.
class Poller {
 public:
  virtual ~Poller() = default;
  // Stops polling and returns once no invocation of this poller is running (an invocation in
  // progress finishes first; SQS messages it has not deleted come back after their visibility
  // timeout, stream records are re-read from the last checkpoint). Idempotent.
  virtual void Stop() = 0;
  virtual PollerStatus Status() const = 0;
};

// Durable per-shard positions of stream mappings: the sequence number of the last record whose
// batch is finished (delivered, dropped by a filter, or sent to the on-failure destination).
// Thread-safe; every Put is durable when it returns.
class CheckpointStore {
 public:
  virtual ~CheckpointStore() = default;
  virtual Result<std::optional<std::string>> Get(const std::string& uuid,
                                                 const std::string& shard_id) = 0;
  virtual Status Put(const std::string& uuid, const std::string& shard_id,
                     const std::string& sequence_number) = 0;
  // Forgets every shard of a mapping (DeleteEventSourceMapping).
  virtual Status DeleteMapping(const std::string& uuid) = 0;
};

// Everything a poller may use. Pointers outlive every poller.
struct PollerContext {
  MappingView view;  // the mapping at the revision the poller serves
  FunctionInvoker* invoker = nullptr;
  MappingSource* source = nullptr;
  const Clock* clock = nullptr;
  aws::HttpClient* http = nullptr;         // outbound calls to the source and destinations
  aws::Config aws;                         // endpoints (AWS_ENDPOINT_URL_SQS, ...) and credentials
  CheckpointStore* checkpoints = nullptr;  // streams only
};

class PollerFactory {
 public:
  virtual ~PollerFactory() = default;
  // Starts a poller for context.view. Fails with kNotFound when the source does not exist (the
  // manager then calls MappingSource::Fail with AWS's reason, the error's message), any other
  // error is retried by the manager a few seconds later.
  virtual Result<std::unique_ptr<Poller>> Start(const PollerContext& context) = 0;
};

}  // namespace lambdalite::esm
