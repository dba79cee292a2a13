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

}  // namespace lambdalite::domain
