#pragma once

// Record bodies (storage::PutRecord::body) of the code signing and runtime management families,
// under codec.h's format contract: one JSON object, snake_case keys, every member written,
// unknown keys ignored, a missing key decodes as the domain default. Decoding failures are
// kInternal (corrupt data). Pure and thread-safe.
//
// Record kinds and keys (FunctionService owns them):
//   "csc"             key = config id (csc-...), no owner        body = EncodeCodeSigningConfig
//   "function_csc"    key = function name, owner = the function   body = the config id, raw text
//   "runtime_mgmt"    key = "<function>:<version>", owner = fn   body = EncodeRuntimeManagement

#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/code_signing.h"

namespace lambdalite::storage {

inline constexpr std::string_view kCodeSigningConfigKind = "csc";
inline constexpr std::string_view kFunctionCodeSigningKind = "function_csc";
inline constexpr std::string_view kRuntimeManagementKind = "runtime_mgmt";

std::string EncodeCodeSigningConfig(const domain::CodeSigningConfig& config);
Result<domain::CodeSigningConfig> DecodeCodeSigningConfig(std::string_view json);

std::string EncodeRuntimeManagement(const domain::RuntimeManagementConfig& config);
Result<domain::RuntimeManagementConfig> DecodeRuntimeManagement(std::string_view json);

}  // namespace lambdalite::storage
