#pragma once

// Conversions between the event source mapping shapes (Create/Get/Update/Delete/
// ListEventSourceMappings) and the domain values. No I/O. The decoder has validated every member
// against the model (ranges, enums); the answers' keys are in the model's (sorted) order, which is
// AWS's (reference 8.1).

#include "api/shapes.h"
#include "service/function_service.h"

namespace lambdalite::api {

domain::EventSourceMappingInput ToEsmInput(const shapes::CreateEventSourceMappingRequest& in);
domain::EventSourceMappingInput ToEsmInput(const shapes::UpdateEventSourceMappingRequest& in);

// Reference 8.1: SQS mappings answer 10 keys (+ FilterCriteria, ScalingConfig when set), stream
// mappings 18 (+ FilterCriteria, StartingPositionTimestamp when set).
shapes::EventSourceMappingConfiguration ToEsmShape(const service::EventSourceMappingView& view);

}  // namespace lambdalite::api
