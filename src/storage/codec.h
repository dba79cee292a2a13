#pragma once

// Serialization of domain values to and from JSON text, for storage backends that keep each row's
// value in a single text column (SQLite, PostgreSQL). This is the only place that knows the
// on-disk shape of a value, so every backend reads what every other one wrote.
//
// Format contract (it is persisted, so it only ever grows):
//   - One JSON object per value; keys are the snake_case names of the domain members.
//   - Every member is written, so a value round-trips exactly, defaults included.
//   - An optional that is unset is omitted; a missing or null key decodes as unset.
//   - A missing key decodes as the domain default, so a field added later needs no migration.
//     Unknown keys are ignored, so an older binary can read a newer row.
//   - Strings are copied byte for byte, including NULs and bytes that are not valid UTF-8.
//   - A member must never be renamed or change type; add a new key instead.
//
// Decoding failures (malformed JSON, a key of the wrong type, a number out of range) are
// kInternal: they mean the stored data is corrupt. The message names the offending key.
//
// All functions are pure and thread-safe.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "common/result.h"
#include "domain/function.h"

namespace lambdalite::storage {

std::string EncodeFunctionMeta(const domain::FunctionMeta& meta);
Result<domain::FunctionMeta> DecodeFunctionMeta(std::string_view json);

std::string EncodeFunctionVersion(const domain::FunctionVersion& version);
Result<domain::FunctionVersion> DecodeFunctionVersion(std::string_view json);

std::string EncodeAlias(const domain::Alias& alias);
Result<domain::Alias> DecodeAlias(std::string_view json);

std::string EncodeEventInvokeConfig(const domain::EventInvokeConfig& config);
Result<domain::EventInvokeConfig> DecodeEventInvokeConfig(std::string_view json);

// Parses the key of a published version. Only the canonical decimal form is accepted ("7", not
// "07" or "+7"), with at most 18 digits, so that backends keying versions by text ("7") and by
// number (7) always agree on which row a string names. Returns nullopt for "$LATEST" and for
// anything else that is not canonical.
std::optional<int64_t> ParsePublishedVersion(std::string_view version);

// True when `version` may be the key of a stored version row: "$LATEST" or canonical decimal.
inline bool IsStorableVersionKey(std::string_view version) {
  return version == domain::kLatest || ParsePublishedVersion(version).has_value();
}

}  // namespace lambdalite::storage
