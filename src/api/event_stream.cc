#include "api/event_stream.h"

#include <array>
#include <boost/json.hpp>

namespace lambdalite::api {

namespace {

constexpr uint8_t kStringType = 7;

constexpr std::array<uint32_t, 256> MakeCrcTable() {
  std::array<uint32_t, 256> table{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int k = 0; k < 8; ++k) c = (c & 1) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
    table[i] = c;
  }
  return table;
}

constexpr std::array<uint32_t, 256> kCrcTable = MakeCrcTable();

void AppendBe32(uint32_t v, std::string* out) {
  out->push_back(static_cast<char>(v >> 24));
  out->push_back(static_cast<char>(v >> 16));
  out->push_back(static_cast<char>(v >> 8));
  out->push_back(static_cast<char>(v));
}

uint32_t ReadBe32(std::string_view s, size_t at) {
  return (static_cast<uint32_t>(static_cast<uint8_t>(s[at])) << 24) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 1])) << 16) |
         (static_cast<uint32_t>(static_cast<uint8_t>(s[at + 2])) << 8) |
         static_cast<uint32_t>(static_cast<uint8_t>(s[at + 3]));
}

}  // namespace

uint32_t Crc32(std::string_view data, uint32_t crc) {
  crc = ~crc;
  for (char ch : data) crc = kCrcTable[(crc ^ static_cast<uint8_t>(ch)) & 0xFF] ^ (crc >> 8);
  return ~crc;
}

std::string EncodeEventMessage(
    const std::vector<std::pair<std::string_view, std::string_view>>& headers,
    std::string_view payload) {
  std::string encoded_headers;
  for (const auto& [name, value] : headers) {
    encoded_headers.push_back(static_cast<char>(name.size()));
    encoded_headers.append(name);
    encoded_headers.push_back(static_cast<char>(kStringType));
    encoded_headers.push_back(static_cast<char>(value.size() >> 8));
    encoded_headers.push_back(static_cast<char>(value.size() & 0xFF));
    encoded_headers.append(value);
  }
  const size_t total = 12 + encoded_headers.size() + payload.size() + 4;
  std::string out;
  out.reserve(total);
  AppendBe32(static_cast<uint32_t>(total), &out);
  AppendBe32(static_cast<uint32_t>(encoded_headers.size()), &out);
  AppendBe32(Crc32(out), &out);
  out.append(encoded_headers);
  out.append(payload);
  AppendBe32(Crc32(out), &out);
  return out;
}

std::string EncodePayloadChunk(std::string_view bytes) {
  return EncodeEventMessage({{":event-type", "PayloadChunk"},
                             {":content-type", "application/octet-stream"},
                             {":message-type", "event"}},
                            bytes);
}

std::string EncodeInvokeComplete(std::string_view error_code, std::string_view error_details,
                                 std::string_view log_result) {
  boost::json::object o;
  if (!error_code.empty()) o["ErrorCode"] = error_code;
  if (!error_details.empty()) o["ErrorDetails"] = error_details;
  if (!log_result.empty()) o["LogResult"] = log_result;
  const std::string payload = boost::json::serialize(o);
  return EncodeEventMessage({{":event-type", "InvokeComplete"},
                             {":content-type", "application/json"},
                             {":message-type", "event"}},
                            payload);
}

bool DecodeEventMessage(std::string_view message, DecodedEvent* out, size_t* consumed) {
  if (message.size() < 16) return false;
  const uint32_t total = ReadBe32(message, 0);
  const uint32_t headers_length = ReadBe32(message, 4);
  if (total < 16 || total > message.size() || headers_length > total - 16) return false;
  if (Crc32(message.substr(0, 8)) != ReadBe32(message, 8)) return false;
  if (Crc32(message.substr(0, total - 4)) != ReadBe32(message, total - 4)) return false;
  out->headers.clear();
  size_t at = 12;
  const size_t headers_end = 12 + headers_length;
  while (at < headers_end) {
    const size_t name_length = static_cast<uint8_t>(message[at++]);
    if (at + name_length + 3 > headers_end) return false;
    std::string name(message.substr(at, name_length));
    at += name_length;
    if (static_cast<uint8_t>(message[at++]) != kStringType) return false;
    const size_t value_length = (static_cast<size_t>(static_cast<uint8_t>(message[at])) << 8) |
                                static_cast<uint8_t>(message[at + 1]);
    at += 2;
    if (at + value_length > headers_end) return false;
    out->headers.emplace_back(std::move(name), std::string(message.substr(at, value_length)));
    at += value_length;
  }
  out->payload = std::string(message.substr(headers_end, total - 4 - headers_end));
  *consumed = total;
  return true;
}

}  // namespace lambdalite::api
