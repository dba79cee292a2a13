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

}  // namespace lambdalite::storage
