#pragma once

// Serialization of function URL configs (domain/function_url.h) for generic records (store.h
// PutRecord), under codec.h's format contract: snake_case keys, every member written (absent
// optionals as null), unknown keys ignored, missing keys decode as defaults, decoding failures are
// kInternal.
//
// Record layout: kind kUrlRecordKind, key "<function>" for the unqualified function or
// "<function>:<alias>", owner_function = the function's name, body EncodeUrlConfig(config).

#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/function_url.h"

namespace lambdalite::storage {

inline constexpr std::string_view kUrlRecordKind = "url";

std::string UrlRecordKey(std::string_view function_name, std::string_view qualifier);

std::string EncodeUrlConfig(const domain::FunctionUrlConfig& config);
Result<domain::FunctionUrlConfig> DecodeUrlConfig(std::string_view json);

}  // namespace lambdalite::storage
