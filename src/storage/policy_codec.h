#pragma once

// Serialization of resource policies (domain/policy.h) for generic records (store.h PutRecord),
// under codec.h's format contract: snake_case keys, every member written, unknown keys ignored,
// missing keys decode as defaults, decoding failures are kInternal.
//
// Record layout of a function's policy: kind kPolicyRecordKind, key PolicyRecordKey(name,
// qualifier), owner_function = the function's name, body EncodePolicy(policy).

#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/policy.h"

namespace lambdalite::storage {

inline constexpr std::string_view kPolicyRecordKind = "policy";

// "<name>" for the unqualified function's policy (shared with $LATEST), "<name>:<qualifier>"
// for a version's or an alias's. Function names cannot hold ':', so the key is unambiguous.
std::string PolicyRecordKey(std::string_view function_name, std::string_view qualifier);
// The qualifier part of a key made by PolicyRecordKey for `function_name` ("" if none).
std::string PolicyRecordQualifier(std::string_view key, std::string_view function_name);

std::string EncodePolicy(const domain::Policy& policy);
Result<domain::Policy> DecodePolicy(std::string_view json);

}  // namespace lambdalite::storage
