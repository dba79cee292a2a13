#include "domain/event_source_mapping.h"

#include <cstdio>

#include "common/crypto.h"

namespace lambdalite::domain {

namespace {

Error InvalidParam(std::string message) {
  return Error::Make(ErrorCode::kInvalidParameter, std::move(message));
}

// The pattern of AWS's ES28 answer, used for every member a source kind does not take
// (docs/research/aws-error-messages.md: only the DestinationConfig text is recorded).
Error Unsupported(std::string_view member) {
  return InvalidParam("Unsupported " + std::string(member) +
                      " parameter for given event source mapping type.");
}

// arn:<partition>:<service>:<region>:<account>:<resource>
struct ArnParts {
  std::string_view service;
  std::string_view resource;
};

std::optional<ArnParts> SplitSourceArn(std::string_view arn) {
  std::string_view parts[6];
  size_t start = 0;
  for (int i = 0; i < 5; ++i) {
    size_t colon = arn.find(':', start);
    if (colon == std::string_view::npos) return std::nullopt;
    parts[i] = arn.substr(start, colon - start);
    start = colon + 1;
  }
  parts[5] = arn.substr(start);
  if (parts[0] != "arn") return std::nullopt;
  return ArnParts{parts[2], parts[5]};
}

// Refuses what a kind does not take, and the combinations AWS refuses (lock-free, pure).
Status CheckForKind(const EventSourceMapping& m, const EventSourceMappingInput& in) {
  if (m.kind == EventSourceKind::kSqs) {
    // The stream-only members (API reference: "(Kinesis and DynamoDB Streams only)").
    if (in.starting_position) {
      // boto/boto3#1613, motdotla/node-lambda#466 (AWS's answer, quoted).
      return InvalidParam("StartingPosition is not valid for SQS event sources.");
    }
    if (in.on_failure_destination && !in.on_failure_destination->empty()) {
      return Unsupported("DestinationConfig");
    }
    if (in.maximum_record_age_seconds) return Unsupported("MaximumRecordAgeInSeconds");
    if (in.maximum_retry_attempts) return Unsupported("MaximumRetryAttempts");
    if (in.bisect_batch_on_function_error) return Unsupported("BisectBatchOnFunctionError");
    if (in.parallelization_factor) return Unsupported("ParallelizationFactor");
    if (in.tumbling_window_seconds) return Unsupported("TumblingWindowInSeconds");
    if (IsFifoQueueArn(m.event_source_arn) && m.maximum_batching_window_seconds > 0) {
      // aws/aws-lambda-dotnet#1758 (AWS's answer through CloudFormation).
      return InvalidParam("Batching window is not supported for FIFO queues");
    }
    if (m.batch_size > 10 && m.maximum_batching_window_seconds == 0) {  // ES31
      return InvalidParam(
          "Maximum batch window in seconds must be greater than 0 if maximum batch size is "
          "greater than 10");
    }
    return Status::Ok();
  }
  if (in.scaling_config_set) return Unsupported("ScalingConfig");  // SQS only
  if (m.maximum_record_age_seconds >= 0 && m.maximum_record_age_seconds < 60) {
    // API reference: "-1 (infinite)" or 60..604800. The text is UNVERIFIED (research notes).
    return InvalidParam(
        "MaximumRecordAgeInSeconds must be -1 (infinite) or between 60 and 604800 seconds.");
  }
  return Status::Ok();
}

Status ApplyCommon(EventSourceMapping& m, const EventSourceMappingInput& in, bool create) {
  if (in.enabled) m.enabled = *in.enabled;
  if (in.batch_size) m.batch_size = *in.batch_size;
  if (in.maximum_batching_window_seconds) {
    m.maximum_batching_window_seconds = *in.maximum_batching_window_seconds;
  }
  if (in.filter_patterns) {
    if (in.filter_patterns->size() > kMaxFilters) {
      // Lambda quotas: 5 filters per mapping. The text is UNVERIFIED (research notes).
      return InvalidParam("The maximum number of filters allowed per event source mapping is " +
                          std::to_string(kMaxFilters) + ".");
    }
    m.filter_patterns = *in.filter_patterns;
    // Create echoes a FilterCriteria it was given; an Update with no filters removes them.
    m.filter_criteria_set = create || !m.filter_patterns.empty();
  }
  if (in.function_response_types) m.function_response_types = *in.function_response_types;
  if (in.scaling_config_set) m.maximum_concurrency = in.maximum_concurrency;
  if (IsStreamKind(m.kind)) {
    if (in.starting_position) m.starting_position = *in.starting_position;
    if (in.starting_position_timestamp_ms) {
      m.starting_position_timestamp_ms = in.starting_position_timestamp_ms;
    }
    if (in.destination_config_set) {
      if (in.on_failure_destination && !in.on_failure_destination->empty()) {
        m.on_failure_destination = in.on_failure_destination;
      } else {
        m.on_failure_destination.reset();
      }
    }
    if (in.maximum_record_age_seconds)
      m.maximum_record_age_seconds = *in.maximum_record_age_seconds;
    if (in.maximum_retry_attempts) m.maximum_retry_attempts = *in.maximum_retry_attempts;
    if (in.bisect_batch_on_function_error) {
      m.bisect_batch_on_function_error = *in.bisect_batch_on_function_error;
    }
    if (in.parallelization_factor) m.parallelization_factor = *in.parallelization_factor;
    if (in.tumbling_window_seconds) m.tumbling_window_seconds = *in.tumbling_window_seconds;
  }
  return CheckForKind(m, in);
}

}  // namespace

std::string_view MappingStateName(MappingState state) {
  switch (state) {
    case MappingState::kCreating:
      return "Creating";
    case MappingState::kEnabling:
      return "Enabling";
    case MappingState::kEnabled:
      return "Enabled";
    case MappingState::kDisabling:
      return "Disabling";
    case MappingState::kDisabled:
      return "Disabled";
    case MappingState::kUpdating:
      return "Updating";
    case MappingState::kDeleting:
      return "Deleting";
  }
  return "Enabled";
}

std::optional<EventSourceKind> EventSourceKindOf(std::string_view event_source_arn) {
  auto parts = SplitSourceArn(event_source_arn);
  if (!parts) return std::nullopt;
  if (parts->service == "sqs" && !parts->resource.empty()) return EventSourceKind::kSqs;
  if (parts->service == "kinesis" && parts->resource.starts_with("stream/")) {
    return EventSourceKind::kKinesis;
  }
  if (parts->service == "dynamodb" && parts->resource.starts_with("table/") &&
      parts->resource.find("/stream/") != std::string_view::npos) {
    return EventSourceKind::kDynamoDbStreams;
  }
  return std::nullopt;
}

bool IsStreamKind(EventSourceKind kind) { return kind != EventSourceKind::kSqs; }

bool IsFifoQueueArn(std::string_view event_source_arn) {
  return EventSourceKindOf(event_source_arn) == EventSourceKind::kSqs &&
         event_source_arn.ends_with(".fifo");
}

std::string NewMappingUuid() {
  std::string bytes = RandomBytes(16);
  bytes[6] = static_cast<char>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<char>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  out.reserve(36);
  for (size_t i = 0; i < bytes.size(); ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) out.push_back('-');
    const auto b = static_cast<unsigned char>(bytes[i]);
    out.push_back(kHex[b >> 4]);
    out.push_back(kHex[b & 0x0f]);
  }
  return out;
}

std::string EventSourceMappingArn(const Scope& scope, std::string_view uuid) {
  return "arn:aws:lambda:" + scope.region + ":" + scope.account +
         ":event-source-mapping:" + std::string(uuid);
}

Result<EventSourceMapping> NewEventSourceMapping(const EventSourceMappingInput& input) {
  // ES28: checked before anything else, whatever the source.
  if (input.on_success_set) return Unsupported("DestinationConfig");
  // ES26. An ARN of a service lambdalite does not poll gets the same answer (UNVERIFIED).
  if (!input.event_source_arn) return InvalidParam("Unrecognized event source.");
  std::optional<EventSourceKind> kind = EventSourceKindOf(*input.event_source_arn);
  if (!kind) return InvalidParam("Unrecognized event source.");
  EventSourceMapping m;
  m.kind = *kind;
  m.event_source_arn = *input.event_source_arn;
  if (IsStreamKind(m.kind)) {
    if (!input.starting_position) {  // ES34: IPVE with a validation-style text
      return InvalidParam(
          "1 validation error detected: Value null at 'startingPosition' failed to satisfy "
          "constraint: Member must not be null.");
    }
    if (m.kind == EventSourceKind::kDynamoDbStreams && *input.starting_position == "AT_TIMESTAMP") {
      // DynamoDB Streams have no AT_TIMESTAMP iterator; localstack's text (research notes).
      return InvalidParam("Unsupported starting position for arn type: " + m.event_source_arn);
    }
    m.state_transition_reason = std::string(kStreamTransitionReason);
    m.batch_size = 100;
  } else {
    m.state_transition_reason = std::string(kSqsTransitionReason);
    m.batch_size = 10;
  }
  LAMBDALITE_RETURN_IF_ERROR(ApplyCommon(m, input, /*create=*/true));
  m.state = m.enabled ? MappingState::kCreating : MappingState::kDisabled;  // ES8
  return m;
}

Result<EventSourceMapping> UpdatedEventSourceMapping(const EventSourceMapping& mapping,
                                                     const EventSourceMappingInput& input) {
  if (input.on_success_set) return Unsupported("DestinationConfig");  // ES28
  EventSourceMapping m = mapping;
  LAMBDALITE_RETURN_IF_ERROR(ApplyCommon(m, input, /*create=*/false));
  return m;
}

MappingState NextStateAfterUpdate(const EventSourceMapping& before,
                                  const EventSourceMapping& after) {
  EventSourceMapping only_enabled = before;
  only_enabled.enabled = after.enabled;
  only_enabled.state = after.state;
  only_enabled.revision = after.revision;
  only_enabled.last_modified_ms = after.last_modified_ms;
  only_enabled.state_transition_reason = after.state_transition_reason;
  if (before.enabled != after.enabled && only_enabled == after) {
    return after.enabled ? MappingState::kEnabling : MappingState::kDisabling;  // ES9
  }
  return MappingState::kUpdating;  // ES10
}

std::optional<MappingState> SettledState(const EventSourceMapping& mapping) {
  switch (mapping.state) {
    case MappingState::kCreating:
    case MappingState::kEnabling:
    case MappingState::kUpdating:
      return mapping.enabled ? MappingState::kEnabled : MappingState::kDisabled;
    case MappingState::kDisabling:
      return MappingState::kDisabled;
    case MappingState::kDeleting:
    case MappingState::kEnabled:
    case MappingState::kDisabled:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace lambdalite::domain
