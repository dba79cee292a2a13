#pragma once

// Serialization of a function's recursion config (domain/recursion.h) for generic records
// (store.h PutRecord), under codec.h's format contract.
//
// Record layout: kind kRecursionRecordKind, key = the function's name, owner_function = the
// function's name, body EncodeRecursionConfig(loop) = {"recursive_loop":"Allow"|"Terminate"}.
// A function without a record has AWS's default, Terminate.

#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/recursion.h"

namespace lambdalite::storage {

inline constexpr std::string_view kRecursionRecordKind = "recursion_config";

std::string EncodeRecursionConfig(domain::RecursiveLoop loop);
Result<domain::RecursiveLoop> DecodeRecursionConfig(std::string_view json);

}  // namespace lambdalite::storage
