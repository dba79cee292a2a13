#pragma once

// Conversions between the capacity-provider shapes and domain::CapacityProvider. No I/O. The
// decoder has validated every member against the model (required, lengths, ranges, enums,
// patterns); the key order of the answers is pinned in tools/shapegen/wire_order.json.

#include <optional>

#include "api/shapes.h"
#include "service/function_service.h"

namespace lambdalite::api {

// CreateCapacityProvider's members beyond the name (which the service parses).
domain::CapacityProvider ToCapacityProvider(const shapes::CreateCapacityProviderRequest& in);
domain::CapacityProviderScalingConfig ToScalingConfig(
    const shapes::CapacityProviderScalingConfig& in);
// The model's State enum text, or nullopt for none (the decoder has checked it).
std::optional<domain::CapacityProviderState> ToCapacityProviderState(
    const std::optional<std::string>& state);

domain::FunctionScalingConfig ToFunctionScalingConfig(const shapes::FunctionScalingConfig& in);
shapes::FunctionScalingConfig ToFunctionScalingConfigShape(const domain::FunctionScalingConfig& c);
shapes::CapacityProvider ToCapacityProviderShape(const service::CapacityProviderView& view);

}  // namespace lambdalite::api
