#include "api/esm_mapping.h"

namespace lambdalite::api {

namespace {

// The members Create and Update share.
template <class Req>
void CommonMembers(const Req& in, domain::EventSourceMappingInput& out) {
  out.enabled = in.Enabled;
  out.batch_size = in.BatchSize;
  out.maximum_batching_window_seconds = in.MaximumBatchingWindowInSeconds;
  if (in.FilterCriteria) {
    std::vector<std::string> patterns;
    if (in.FilterCriteria->Filters) {
      // A filter without a Pattern is not a valid pattern (ES37 answers it).
      for (const auto& f : *in.FilterCriteria->Filters) patterns.push_back(f.Pattern.value_or(""));
    }
    out.filter_patterns = std::move(patterns);
  }
  out.function_response_types = in.FunctionResponseTypes;
  if (in.ScalingConfig) {
    out.scaling_config_set = true;
    out.maximum_concurrency = in.ScalingConfig->MaximumConcurrency;
  }
  if (in.DestinationConfig) {
    out.destination_config_set = true;
    out.on_success_set = in.DestinationConfig->OnSuccess.has_value();
    out.on_failure_destination = in.DestinationConfig->OnFailure
                                     ? in.DestinationConfig->OnFailure->Destination.value_or("")
                                     : std::string();
  }
  out.maximum_record_age_seconds = in.MaximumRecordAgeInSeconds;
  out.maximum_retry_attempts = in.MaximumRetryAttempts;
  out.bisect_batch_on_function_error = in.BisectBatchOnFunctionError;
  out.parallelization_factor = in.ParallelizationFactor;
  out.tumbling_window_seconds = in.TumblingWindowInSeconds;
}

}  // namespace

domain::EventSourceMappingInput ToEsmInput(const shapes::CreateEventSourceMappingRequest& in) {
  domain::EventSourceMappingInput out;
  CommonMembers(in, out);
  out.event_source_arn = in.EventSourceArn;
  out.starting_position = in.StartingPosition;
  out.starting_position_timestamp_ms = in.StartingPositionTimestamp;
  return out;
}

domain::EventSourceMappingInput ToEsmInput(const shapes::UpdateEventSourceMappingRequest& in) {
  domain::EventSourceMappingInput out;
  CommonMembers(in, out);
  return out;
}

shapes::EventSourceMappingConfiguration ToEsmShape(const service::EventSourceMappingView& view) {
  const domain::EventSourceMapping& m = view.mapping;
  shapes::EventSourceMappingConfiguration out;
  out.BatchSize = m.batch_size;
  out.EventSourceArn = m.event_source_arn;
  out.EventSourceMappingArn = view.arn;
  out.FunctionArn = m.function_arn;
  out.FunctionResponseTypes = m.function_response_types;
  out.LastModified = m.last_modified_ms;
  out.MaximumBatchingWindowInSeconds = m.maximum_batching_window_seconds;
  out.State = std::string(domain::MappingStateName(m.state));
  out.StateTransitionReason = m.state_transition_reason;
  out.UUID = m.uuid;
  if (m.filter_criteria_set) {
    shapes::FilterCriteria criteria;
    criteria.Filters.emplace();
    for (const std::string& p : m.filter_patterns) {
      shapes::Filter f;
      f.Pattern = p;  // ES16: the pattern stays a JSON string
      criteria.Filters->push_back(std::move(f));
    }
    out.FilterCriteria = std::move(criteria);
  }
  if (m.maximum_concurrency) {
    shapes::ScalingConfig scaling;
    scaling.MaximumConcurrency = *m.maximum_concurrency;
    out.ScalingConfig = scaling;
  }
  if (domain::IsStreamKind(m.kind)) {
    out.BisectBatchOnFunctionError = m.bisect_batch_on_function_error;
    shapes::DestinationConfig destination;
    destination.OnFailure.emplace();  // {"OnFailure":{}} without a destination (8.1)
    destination.OnFailure->Destination = m.on_failure_destination;
    out.DestinationConfig = std::move(destination);
    out.LastProcessingResult = view.last_processing_result;
    out.MaximumRecordAgeInSeconds = m.maximum_record_age_seconds;
    out.MaximumRetryAttempts = m.maximum_retry_attempts;
    out.ParallelizationFactor = m.parallelization_factor;
    out.StartingPosition = m.starting_position;
    out.StartingPositionTimestamp = m.starting_position_timestamp_ms;
    out.TumblingWindowInSeconds = m.tumbling_window_seconds;
  }
  return out;
}

}  // namespace lambdalite::api
