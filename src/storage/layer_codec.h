#pragma once

// Serialization of layer versions (domain/layer.h) for generic records (store.h PutRecord), under
// codec.h's format contract: snake_case keys, every member written, unknown keys ignored, missing
// keys decode as defaults, decoding failures are kInternal.
//
// Record layout (no owner_function: layers belong to the account, not to a function):
//   kind kLayerVersionRecordKind, key LayerVersionRecordKey(name, version),
//     body EncodeLayerVersion(version) (its policy included);
//   kind kLayerCounterRecordKind, key <name>, body EncodeLayerCounter(last): the highest version
//     number ever published under the name, kept after deletions (AWS never reuses a number).

#include <cstdint>
#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/layer.h"

namespace lambdalite::storage {

inline constexpr std::string_view kLayerVersionRecordKind = "layer_version";
inline constexpr std::string_view kLayerCounterRecordKind = "layer_counter";

std::string LayerVersionRecordKey(std::string_view name, int64_t version);

std::string EncodeLayerVersion(const domain::LayerVersion& version);
Result<domain::LayerVersion> DecodeLayerVersion(std::string_view json);

std::string EncodeLayerCounter(int64_t last_version);
Result<int64_t> DecodeLayerCounter(std::string_view json);

}  // namespace lambdalite::storage
