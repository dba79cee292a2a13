#pragma once

// Serialization of provisioned concurrency configs (domain/provisioned_concurrency.h) for
// generic records (store.h PutRecord), under codec.h's format contract: snake_case keys, every
// member written, unknown keys ignored, missing keys decode as defaults, decoding failures are
// kInternal. Only the configuration is stored (qualifier, requested count, last modified); the
// progress (status, counts) is the executor's and starts again at IN_PROGRESS after a restart.
//
// Record layout: kind kProvisionedRecordKind, key "<function>:<qualifier>", owner_function = the
// function's name, body EncodeProvisioned(config).

#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/provisioned_concurrency.h"

namespace lambdalite::storage {

inline constexpr std::string_view kProvisionedRecordKind = "provisioned_concurrency";

std::string ProvisionedRecordKey(std::string_view function_name, std::string_view qualifier);

std::string EncodeProvisioned(const domain::ProvisionedConcurrencyConfig& config);
Result<domain::ProvisionedConcurrencyConfig> DecodeProvisioned(std::string_view json);

}  // namespace lambdalite::storage
