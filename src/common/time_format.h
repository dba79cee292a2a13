#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lambdalite {

// "2024-01-31T12:34:56.789+0000": the format AWS Lambda uses for
// FunctionConfiguration.LastModified.
std::string FormatLambdaTimestamp(int64_t epoch_ms);
// "2024-01-31T12:34:56.789Z": ISO-8601 UTC with milliseconds, used in invocation records.
std::string FormatIso8601Millis(int64_t epoch_ms);
// "20240131T123456Z" and "20240131": SigV4 date formats.
std::string FormatAmzDate(int64_t epoch_ms);
// Parses "20240131T123456Z"; returns false on malformed input.
bool ParseAmzDate(const std::string& text, int64_t* epoch_ms);
// Parses ISO-8601 "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+hh:mm|+hhmm|-hh:mm)" (the timestamp text AWS's
// JSON and query-string deserializers take) to epoch milliseconds; false on anything else.
bool ParseIso8601(std::string_view text, int64_t* epoch_ms);

}  // namespace lambdalite
