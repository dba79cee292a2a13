#pragma once

// Serialization of event source mappings (domain/event_source_mapping.h) for generic records
// (store.h PutRecord), under codec.h's format contract: snake_case keys, every member written
// (absent optionals as null), unknown keys ignored, missing keys decode as defaults, decoding
// failures are kInternal.
//
// Record layout: kind kEsmRecordKind, key = the mapping's UUID, owner_function "" (AWS keeps a
// mapping when its function is deleted), body EncodeEsm(record).

#include <map>
#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/event_source_mapping.h"

namespace lambdalite::storage {

inline constexpr std::string_view kEsmRecordKind = "esm";

// What is stored of a mapping: the mapping itself and its tags (LastProcessingResult is not).
struct StoredEsm {
  domain::EventSourceMapping mapping;
  std::map<std::string, std::string> tags;
  friend bool operator==(const StoredEsm&, const StoredEsm&) = default;
};

std::string EncodeEsm(const StoredEsm& esm);
Result<StoredEsm> DecodeEsm(std::string_view json);

}  // namespace lambdalite::storage
