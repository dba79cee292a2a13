#pragma once

// The AWS event stream binary format (application/vnd.amazon.eventstream), as the SDKs' parsers
// (botocore.eventstream, @smithy/eventstream-codec) read it. One message:
//
//   prelude   total length (4 bytes, big-endian, the whole message), headers length (4 bytes),
//             CRC32 of those 8 bytes (4 bytes)
//   headers   each: name length (1 byte), name, value type (1 byte; 7 = string), value length
//             (2 bytes, big-endian), value
//   payload   raw bytes
//   trailer   CRC32 of everything before it (4 bytes)
//
// CRC32 is the IEEE one (zlib's). InvokeWithResponseStream sends "event" messages with the
// headers :event-type, :content-type and :message-type.

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lambdalite::api {

// IEEE CRC32 of `data`, continuing from `crc` (0 to start).
uint32_t Crc32(std::string_view data, uint32_t crc = 0);

// One message with string-valued headers, in the given order. Names must be at most 255 bytes
// and values at most 65535 bytes (true of the fixed headers used here).
std::string EncodeEventMessage(
    const std::vector<std::pair<std::string_view, std::string_view>>& headers,
    std::string_view payload);

// The event of InvokeWithResponseStream carrying raw function output:
// :event-type PayloadChunk, :content-type application/octet-stream, :message-type event.
std::string EncodePayloadChunk(std::string_view bytes);

// The final event: :event-type InvokeComplete, :content-type application/json, :message-type
// event, the payload {"ErrorCode":..,"ErrorDetails":..,"LogResult":..} with only the members that
// are not empty ({} for a plain success).
std::string EncodeInvokeComplete(std::string_view error_code, std::string_view error_details,
                                 std::string_view log_result);

// A message split into its headers and payload, checking both CRCs; false on a malformed one.
// For tests and tools.
struct DecodedEvent {
  std::vector<std::pair<std::string, std::string>> headers;  // string-valued headers only
  std::string payload;
};
bool DecodeEventMessage(std::string_view message, DecodedEvent* out, size_t* consumed);

}  // namespace lambdalite::api
