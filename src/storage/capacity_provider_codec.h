#pragma once

// Serialization of capacity providers (domain/capacity_provider.h) for generic records (store.h
// PutRecord), under codec.h's format contract.
//
// Record layout: kind kCapacityProviderRecordKind, key = the capacity provider's name, no owner
// function, body EncodeCapacityProvider(provider).

#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/capacity_provider.h"

namespace lambdalite::storage {

inline constexpr std::string_view kCapacityProviderRecordKind = "capacity_provider";

std::string EncodeCapacityProvider(const domain::CapacityProvider& provider);
Result<domain::CapacityProvider> DecodeCapacityProvider(std::string_view json);

// A function version's scaling config (PutFunctionScalingConfig): kind kFunctionScalingRecordKind,
// key FunctionScalingRecordKey(function, version), owner_function = the function (so it goes with
// DeleteFunction), body EncodeFunctionScalingConfig(config) =
// {"min_execution_environments":n?,"max_execution_environments":n?} (an unset bound is absent).
// A function's $LATEST.PUBLISHED version (PublishVersion with PublishTo=LATEST_PUBLISHED): kind
// kLatestPublishedRecordKind, key and owner_function = the function, body
// EncodeFunctionVersion(version) (codec.h).
inline constexpr std::string_view kLatestPublishedRecordKind = "latest_published";

inline constexpr std::string_view kFunctionScalingRecordKind = "function_scaling";
std::string FunctionScalingRecordKey(std::string_view function, std::string_view version);
std::string EncodeFunctionScalingConfig(const domain::FunctionScalingConfig& config);
Result<domain::FunctionScalingConfig> DecodeFunctionScalingConfig(std::string_view json);

}  // namespace lambdalite::storage
