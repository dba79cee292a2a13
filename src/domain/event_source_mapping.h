#pragma once

// Event source mappings (CreateEventSourceMapping & co.): the stored value and the rules of the
// control plane. Pure values and rules: no I/O, no JSON. The pollers that act on a mapping live
// in src/esm/; they see mappings through esm::MappingSource (esm/mapping_source.h).
//
// Recorded answers: ../shared/reference/aws-lambda-behaviour-2.md section 8 (ES*, ET* rows).

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "domain/function.h"

namespace lambdalite::domain {

// Which service a mapping polls, from its EventSourceArn.
enum class EventSourceKind { kSqs, kKinesis, kDynamoDbStreams };

// The State words AWS answers with (recorded: Creating, Enabled, Disabled, Enabling, Updating,
// Disabling, Deleting). The transitional ones are set by the control plane; the poller manager
// settles them (esm::MappingSource::Settle) once it has acted on the change.
enum class MappingState {
  kCreating,
  kEnabling,
  kEnabled,
  kDisabling,
  kDisabled,
  kUpdating,
  kDeleting
};
std::string_view MappingStateName(MappingState state);

struct EventSourceMapping {
  std::string uuid;  // 8-4-4-4-12 lower-case hex, drawn once at creation
  EventSourceKind kind = EventSourceKind::kSqs;
  std::string event_source_arn;
  std::string function_name;  // the unqualified name
  std::string qualifier;      // "" (unqualified), "$LATEST", a version or an alias, as given
  std::string function_arn;   // as AWS answers it: qualified when a qualifier was given

  bool enabled = true;  // what the user asked for (Enabled)
  MappingState state = MappingState::kCreating;
  std::string state_transition_reason;  // "USER_INITIATED" (SQS), "User action" (streams), ...
  int64_t last_modified_ms = 0;
  // Bumped by every change the control plane makes; Settle names the revision it acted on, so a
  // settle for an older revision does not overwrite a newer transitional state.
  uint64_t revision = 0;

  int batch_size = 0;  // after defaults: SQS 10, streams 100
  int maximum_batching_window_seconds = 0;
  std::vector<std::string>
      filter_patterns;               // FilterCriteria.Filters[].Pattern, as sent (JSON text)
  bool filter_criteria_set = false;  // FilterCriteria was given (echoed even if empty)
  std::vector<std::string> function_response_types;  // "ReportBatchItemFailures"
  std::optional<int> maximum_concurrency;            // ScalingConfig.MaximumConcurrency (SQS)

  // Streams only (Kinesis, DynamoDB Streams).
  std::string starting_position;  // TRIM_HORIZON | LATEST | AT_TIMESTAMP
  std::optional<int64_t> starting_position_timestamp_ms;
  std::optional<std::string> on_failure_destination;  // DestinationConfig.OnFailure.Destination
  int maximum_record_age_seconds = -1;                // -1: no limit
  int maximum_retry_attempts = -1;                    // -1: retry until the record expires
  bool bisect_batch_on_function_error = false;
  int parallelization_factor = 1;
  int tumbling_window_seconds = 0;

  friend bool operator==(const EventSourceMapping&, const EventSourceMapping&) = default;
};

// --- Rules of the control plane (event_source_mapping.cc)
// -----------------------------------------

inline constexpr std::string_view kSqsTransitionReason = "USER_INITIATED";
inline constexpr std::string_view kStreamTransitionReason = "User action";
inline constexpr std::string_view kNoRecordsProcessed = "No records processed";
inline constexpr size_t kMaxFilters = 5;

// The kind of source an EventSourceArn names (arn:<p>:sqs:..., arn:<p>:kinesis:...:stream/...,
// arn:<p>:dynamodb:...:table/<t>/stream/...); nullopt for any other ARN.
std::optional<EventSourceKind> EventSourceKindOf(std::string_view event_source_arn);
bool IsStreamKind(EventSourceKind kind);
// An SQS ARN of a FIFO queue (its name ends in ".fifo").
bool IsFifoQueueArn(std::string_view event_source_arn);

// A new random UUID (version 4, lower-case 8-4-4-4-12).
std::string NewMappingUuid();
// arn:aws:lambda:<region>:<account>:event-source-mapping:<uuid>
std::string EventSourceMappingArn(const Scope& scope, std::string_view uuid);

// CreateEventSourceMapping's and UpdateEventSourceMapping's members, model-validated already
// (ranges, enums). Unset: not sent.
struct EventSourceMappingInput {
  std::optional<std::string> event_source_arn;  // Create only
  std::optional<bool> enabled;
  std::optional<int> batch_size;
  std::optional<int> maximum_batching_window_seconds;
  std::optional<std::vector<std::string>> filter_patterns;  // FilterCriteria given: its patterns
  std::optional<std::vector<std::string>> function_response_types;
  std::optional<int> maximum_concurrency;        // ScalingConfig.MaximumConcurrency
  bool scaling_config_set = false;               // ScalingConfig given (possibly empty)
  std::optional<std::string> starting_position;  // Create only
  std::optional<int64_t> starting_position_timestamp_ms;
  bool destination_config_set = false;                // DestinationConfig given
  bool on_success_set = false;                        // DestinationConfig.OnSuccess given
  std::optional<std::string> on_failure_destination;  // "" clears it
  std::optional<int> maximum_record_age_seconds;
  std::optional<int> maximum_retry_attempts;
  std::optional<bool> bisect_batch_on_function_error;
  std::optional<int> parallelization_factor;
  std::optional<int> tumbling_window_seconds;
};

// Create: the mapping `input` describes, with the defaults of its kind (SQS BatchSize 10, streams
// 100, ...) and State Creating (Disabled when Enabled=false, ES8). Refuses, with AWS's texts, what
// AWS refuses before it looks at the function (ES26, ES28, ES31, ES34, ES35 and the unrecorded
// rules of docs/research/aws-error-messages.md). uuid, function and times are the caller's.
Result<EventSourceMapping> NewEventSourceMapping(const EventSourceMappingInput& input);

// Update: `mapping` with `input` applied and validated like Create; the state is the caller's
// (NextStateAfterUpdate).
Result<EventSourceMapping> UpdatedEventSourceMapping(const EventSourceMapping& mapping,
                                                     const EventSourceMappingInput& input);

// The transitional state an Update leads to (ES9, ES10): Enabling / Disabling when only Enabled
// changed, else Updating.
MappingState NextStateAfterUpdate(const EventSourceMapping& before,
                                  const EventSourceMapping& after);

// The state once the poller manager has acted on a transitional one: Creating, Enabling and
// Updating become Enabled (Disabled when not enabled), Disabling becomes Disabled. nullopt for
// Deleting (the mapping goes) and for a state that is settled already.
std::optional<MappingState> SettledState(const EventSourceMapping& mapping);

}  // namespace lambdalite::domain
