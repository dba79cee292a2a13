#pragma once

// Wiring of the Kinesis and DynamoDB Streams pollers (esm/stream_poller.h): their factories for
// the PollerManager, the checkpoint store in the data directory, and the Create-time source check.

#include <map>
#include <memory>
#include <string>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "common/result.h"
#include "domain/event_source_mapping.h"
#include "esm/poller.h"
#include "service/function_service.h"

namespace lambdalite::app {

// <data_dir>/esm-checkpoints.db (SQLite, WAL, synchronous FULL).
Result<std::unique_ptr<esm::CheckpointStore>> OpenEsmCheckpointStore(const std::string& data_dir);

// Adds the factories for kKinesis and kDynamoDbStreams to the manager's map. The Kinesis records'
// invokeIdentityArn is the function's current execution role, read from `functions`.
void AddStreamPollerFactories(
    std::map<domain::EventSourceKind, std::unique_ptr<esm::PollerFactory>>& factories,
    const service::FunctionService& functions);

// For FunctionService::SetEventSourceChecker: Ok for SQS mappings (the SQS checker's business)
// and for streams that exist; InvalidParameterValueException "Cannot access stream ..." when the
// stream does not. An unreachable endpoint is accepted (the poller then reports the problem).
Status CheckStreamMappingSource(aws::HttpClient* http, const aws::Config& config,
                                const domain::EventSourceMapping& mapping);

}  // namespace lambdalite::app
