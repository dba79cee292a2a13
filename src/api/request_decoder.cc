#include "api/request_decoder.h"

#include <algorithm>
#include <array>
#include <boost/json/array.hpp>
#include <boost/json/stream_parser.hpp>
#include <boost/json/string.hpp>
#include <boost/json/value.hpp>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "common/time_format.h"
#include "domain/runtimes.h"

namespace lambdalite::api {
namespace {

namespace json = boost::json;

// ---------------------------------------------------------------------------------------------
// Wire-level failures.
//
// Evidence for the choices below (AWS Lambda answers, not guesses where one was found):
//  - Unparseable body: the model documents InvalidRequestContentException as "The request body
//    could not be parsed as JSON, or a request header is invalid"; Lambda's text is Jackson's
//    parser message after "Could not parse request body into json: ", e.g. "Unexpected character
//    (',' (code 44)): was expecting double-quote to start field name" or "Invalid UTF-8 start byte
//    0x87" (aws/aws-sdk-js#1876, awsdocs/aws-lambda-developer-guide#382). Our tail after the
//    prefix describes the same fault in our own words; the prefix is AWS's.
//  - Wrong JSON type: Lambda's UpdateFunctionConfiguration answered `{"Message":"STRING_VALUE can
//    not be converted to an Integer"}` with SerializationException for "MemorySize":"1024"
//    (aarondfrancis/sidecar#28). Lambda records of the other cases were not found; their texts
//    are those AWS's shared JSON deserializer gives for SES v2, another rest-json service, as
//    probed against AWS by hectorvent/floci (SesV2Json.java): "NUMBER_VALUE can not be converted
//    to a String", "TRUE_VALUE ...", "STRING_VALUE can not be converted to an Boolean" (sic),
//    "Start of list found where not expected", "Start of structure or map found where not
//    expected.", "Expected null" (a scalar for a structure or map) and "Expected list or null".
//    That a fraction for an Integer is truncated, not rejected, comes from the same kind of
//    probe (DynamoDB). Texts for Long/Double/blob/timestamp targets follow the pattern unverified.
//  - Query, URI and header text that does not convert: no AWS record; treated like a JSON string
//    of the wrong type ("STRING_VALUE can not be converted to an Integer").

constexpr std::string_view kSerializationException = "SerializationException";
constexpr std::string_view kParsePrefix = "Could not parse request body into json: ";

Error SerializationError(std::string message) {
  return Error::Make(ErrorCode::kInvalidContent, std::move(message),
                     std::string(kSerializationException));
}

Error ParseError(std::string what) {
  return Error::Make(ErrorCode::kInvalidContent, std::string(kParsePrefix) + what);
}

// The deserializer's name for a target type, with the article it prints.
std::string_view TargetName(ShapeType type, bool from_string) {
  switch (type) {
    case ShapeType::kString:
      return "a String";
    case ShapeType::kInteger:
      return "an Integer";
    case ShapeType::kLong:
      return "a Long";
    case ShapeType::kBoolean:
      // Recorded as "STRING_VALUE can not be converted to an Boolean" but "NUMBER_VALUE can not
      // be converted to a Boolean".
      return from_string ? "an Boolean" : "a Boolean";
    case ShapeType::kDouble:
      return "a Double";
    case ShapeType::kFloat:
      return "a Float";
    case ShapeType::kBlob:
      return "a ByteBuffer";
    case ShapeType::kTimestamp:
      return "a Date";
    case ShapeType::kStructure:
    case ShapeType::kList:
    case ShapeType::kMap:
      break;
  }
  return "a Structure";
}

Error TypeMismatch(const ShapeInfo& shape, const json::value& v) {
  if (v.is_array()) {
    return SerializationError("Start of list found where not expected");
  }
  if (v.is_object()) {
    return SerializationError("Start of structure or map found where not expected.");
  }
  if (shape.type == ShapeType::kList) {
    return SerializationError("Expected list or null");
  }
  if (shape.type == ShapeType::kStructure || shape.type == ShapeType::kMap) {
    return SerializationError("Expected null");
  }
  std::string_view token = "NUMBER_VALUE";
  if (v.is_string()) {
    token = "STRING_VALUE";
  } else if (v.is_bool()) {
    token = v.get_bool() ? "TRUE_VALUE" : "FALSE_VALUE";
  }
  std::string message(token);
  message += " can not be converted to ";
  message += TargetName(shape.type, v.is_string());
  return SerializationError(std::move(message));
}

// ---------------------------------------------------------------------------------------------
// Converting values to the member's type.

// The integral value of a JSON number for an Integer/Long member (fractions truncate), or nullopt
// when it is out of range.
std::optional<int64_t> IntegralValue(const json::value& v, ShapeType type) {
  int64_t lo = std::numeric_limits<int64_t>::min();
  int64_t hi = std::numeric_limits<int64_t>::max();
  if (type == ShapeType::kInteger) {
    lo = std::numeric_limits<int32_t>::min();
    hi = std::numeric_limits<int32_t>::max();
  }
  if (v.is_int64()) {
    int64_t x = v.get_int64();
    return x >= lo && x <= hi ? std::optional<int64_t>(x) : std::nullopt;
  }
  if (v.is_uint64()) {
    uint64_t x = v.get_uint64();
    return x <= static_cast<uint64_t>(hi) ? std::optional<int64_t>(static_cast<int64_t>(x))
                                          : std::nullopt;
  }
  double d = std::trunc(v.get_double());
  // -lo (2^31 or 2^63) is exact as a double, unlike hi; NaN fails both comparisons.
  if (!(d >= static_cast<double>(lo) && d < -static_cast<double>(lo))) {
    return std::nullopt;
  }
  return static_cast<int64_t>(d);
}

// Checks `v` against `shape` and rewrites it into canonical form: numbers of the member's kind,
// structures keyed by member name with unknown keys and nulls dropped. Fails on the first value
// of the wrong JSON type, as AWS's deserializer does.
Result<json::value> Normalize(const ShapeInfo& shape, json::value&& v) {
  switch (shape.type) {
    case ShapeType::kString:
      if (!v.is_string()) {
        return TypeMismatch(shape, v);
      }
      return std::move(v);
    case ShapeType::kBlob:
      // Base64 text; the consumer decodes it.
      if (!v.is_string()) {
        return TypeMismatch(shape, v);
      }
      return std::move(v);
    case ShapeType::kTimestamp: {
      // Epoch seconds on the wire; ISO-8601 text is accepted as well and kept as text. Other text
      // is refused here so that the typed shape (api/shapes.h) never meets a timestamp it cannot
      // read.
      int64_t epoch_ms = 0;
      if (!v.is_number() && !(v.is_string() && ParseIso8601(v.get_string(), &epoch_ms))) {
        return TypeMismatch(shape, v);
      }
      return std::move(v);
    }
    case ShapeType::kBoolean:
      if (!v.is_bool()) {
        return TypeMismatch(shape, v);
      }
      return std::move(v);
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      if (!v.is_number()) {
        return TypeMismatch(shape, v);
      }
      std::optional<int64_t> x = IntegralValue(v, shape.type);
      if (!x) {
        return SerializationError(std::string("NUMBER_VALUE can not be converted to ") +
                                  std::string(TargetName(shape.type, false)));
      }
      return json::value(*x);
    }
    case ShapeType::kDouble:
    case ShapeType::kFloat:
      if (!v.is_number()) {
        return TypeMismatch(shape, v);
      }
      return json::value(v.to_number<double>());
    case ShapeType::kList: {
      if (!v.is_array()) {
        return TypeMismatch(shape, v);
      }
      json::array& items = v.get_array();
      for (json::value& item : items) {
        if (item.is_null()) {
          continue;  // kept: validation reports it ("Member must not be null")
        }
        LAMBDALITE_TRY(item, Normalize(*shape.list_member, std::move(item)));
      }
      return std::move(v);
    }
    case ShapeType::kMap: {
      if (!v.is_object()) {
        return TypeMismatch(shape, v);
      }
      for (auto& entry : v.get_object()) {
        if (entry.value().is_null()) {
          continue;
        }
        LAMBDALITE_TRY(entry.value(), Normalize(*shape.map_value, std::move(entry.value())));
      }
      return std::move(v);
    }
    case ShapeType::kStructure: {
      if (!v.is_object()) {
        return TypeMismatch(shape, v);
      }
      json::object& in = v.get_object();
      json::object out;
      for (const MemberInfo& member : shape.members) {
        auto it = in.find(member.location_name);
        if (it == in.end() || it->value().is_null()) {
          continue;
        }
        LAMBDALITE_TRY(json::value converted, Normalize(*member.shape, std::move(it->value())));
        out.emplace(member.name, std::move(converted));
      }
      return json::value(std::move(out));
    }
  }
  return std::move(v);
}

// Converts the text of a URI label, query parameter or header to the member's type.
Result<json::value> FromText(const ShapeInfo& shape, std::string_view text) {
  auto mismatch = [&]() {
    return SerializationError(std::string("STRING_VALUE can not be converted to ") +
                              std::string(TargetName(shape.type, true)));
  };
  switch (shape.type) {
    case ShapeType::kInteger:
    case ShapeType::kLong: {
      int64_t x = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
      if (ec != std::errc() || end != text.data() + text.size() ||
          (shape.type == ShapeType::kInteger &&
           (x < std::numeric_limits<int32_t>::min() || x > std::numeric_limits<int32_t>::max()))) {
        return mismatch();
      }
      return json::value(x);
    }
    case ShapeType::kDouble:
    case ShapeType::kFloat: {
      double x = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), x);
      if (ec != std::errc() || end != text.data() + text.size()) {
        return mismatch();
      }
      return json::value(x);
    }
    case ShapeType::kBoolean:
      if (text == "true") {
        return json::value(true);
      }
      if (text == "false") {
        return json::value(false);
      }
      return mismatch();
    case ShapeType::kTimestamp: {
      // ISO-8601 (the query-string default of the REST-JSON protocol) or epoch seconds.
      int64_t epoch_ms = 0;
      if (ParseIso8601(text, &epoch_ms)) {
        return json::value(json::string(text));
      }
      double seconds = 0;
      auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), seconds);
      if (text.empty() || ec != std::errc() || end != text.data() + text.size() ||
          !std::isfinite(seconds)) {
        return mismatch();
      }
      return json::value(seconds);
    }
    case ShapeType::kString:
    case ShapeType::kBlob:
      return json::value(json::string(text));
    case ShapeType::kStructure:
    case ShapeType::kList:
    case ShapeType::kMap:
      break;
  }
  return mismatch();
}

// A list member bound to a query parameter or header: one element per occurrence.
Result<json::value> ListFromTexts(const ShapeInfo& shape,
                                  const std::vector<std::string_view>& texts) {
  json::array items;
  items.reserve(texts.size());
  for (std::string_view text : texts) {
    LAMBDALITE_TRY(json::value item, FromText(*shape.list_member, text));
    items.push_back(std::move(item));
  }
  return json::value(std::move(items));
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) {
    return false;
  }
  for (size_t i = 0; i < a.size(); ++i) {
    char x = a[i];
    char y = b[i];
    if (x >= 'A' && x <= 'Z') {
      x = static_cast<char>(x - 'A' + 'a');
    }
    if (y >= 'A' && y <= 'Z') {
      y = static_cast<char>(y - 'A' + 'a');
    }
    if (x != y) {
      return false;
    }
  }
  return true;
}

// Header look-up without the http library: this layer only needs the request struct.
const std::string* FindHeader(const http::HttpRequest& request, std::string_view name) {
  for (const http::Header& header : request.headers) {
    if (EqualsIgnoreCase(header.name, name)) {
      return &header.value;
    }
  }
  return nullptr;
}

// ---------------------------------------------------------------------------------------------
// Body parsing.

// The offset of the first byte that is not valid UTF-8, with Jackson's description of it.
std::optional<std::pair<size_t, std::string>> FindInvalidUtf8(std::string_view text) {
  size_t i = 0;
  const size_t n = text.size();
  while (i < n) {
    auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    size_t extra = 0;
    if (lead >= 0xC2 && lead <= 0xDF) {
      extra = 1;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      extra = 2;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      extra = 3;
    } else {
      char buf[48];
      std::snprintf(buf, sizeof(buf), "Invalid UTF-8 start byte 0x%02x", lead);
      return std::make_pair(i, std::string(buf));
    }
    for (size_t k = 1; k <= extra; ++k) {
      if (i + k >= n) {
        return std::make_pair(i, std::string("Unexpected end-of-input in UTF-8 character"));
      }
      auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0) != 0x80) {
        char buf[48];
        std::snprintf(buf, sizeof(buf), "Invalid UTF-8 middle byte 0x%02x", next);
        return std::make_pair(i + k, std::string(buf));
      }
    }
    i += extra + 1;
  }
  return std::nullopt;
}

std::string DescribeOffset(std::string_view text, size_t offset) {
  size_t line = 1;
  size_t column = 1;
  for (size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') {
      ++line;
      column = 1;
    } else {
      ++column;
    }
  }
  return " at line " + std::to_string(line) + ", column " + std::to_string(column);
}

bool IsBlank(std::string_view text) {
  return text.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

Result<json::value> ParseJsonBody(std::string_view body) {
  if (auto bad = FindInvalidUtf8(body)) {
    return ParseError(bad->second + DescribeOffset(body, bad->first));
  }
  json::stream_parser parser;
  boost::system::error_code ec;
  size_t consumed = parser.write(body.data(), body.size(), ec);
  if (!ec) {
    parser.finish(ec);
    consumed = body.size();
  }
  if (ec) {
    if (consumed >= body.size()) {
      return ParseError("Unexpected end-of-input" + DescribeOffset(body, body.size()));
    }
    auto c = static_cast<unsigned char>(body[consumed]);
    char buf[64];
    if (c >= 0x20 && c < 0x7F) {
      std::snprintf(buf, sizeof(buf), "Unexpected character ('%c' (code %u))", c, c);
    } else {
      std::snprintf(buf, sizeof(buf), "Unexpected character (code %u)", c);
    }
    return ParseError(buf + DescribeOffset(body, consumed));
  }
  return parser.release();
}

// ---------------------------------------------------------------------------------------------
// Validation.

// A step of the path to a value, kept on the stack and only rendered when a violation is found.
struct PathFrame {
  const PathFrame* parent;
  std::string_view member;  // PascalCase member name, rendered lowerCamelCase
  int index;                // > 0: the 1-based list index of a structure element
  std::string_view key;     // non-empty: a map key
};

void AppendPath(const PathFrame* frame, std::string* out) {
  if (frame == nullptr) {
    return;
  }
  AppendPath(frame->parent, out);
  if (frame->parent != nullptr) {
    out->push_back('.');
  }
  if (frame->index > 0) {
    *out += std::to_string(frame->index);
    *out += ".member";
  } else if (!frame->key.empty()) {
    out->append(frame->key);
  } else if (!frame->member.empty()) {
    out->push_back(static_cast<char>(frame->member[0] >= 'A' && frame->member[0] <= 'Z'
                                         ? frame->member[0] - 'A' + 'a'
                                         : frame->member[0]));
    out->append(frame->member.substr(1));
  }
}

// Java's Double.toString for the values the model and requests carry.
std::string JavaDouble(double d) {
  if (std::isnan(d)) {
    return "NaN";
  }
  if (std::isinf(d)) {
    return d > 0 ? "Infinity" : "-Infinity";
  }
  char buf[64];
  double magnitude = std::fabs(d);
  if (magnitude == 0 || (magnitude >= 1e-3 && magnitude < 1e7)) {
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::fixed);
    std::string s(buf, ec == std::errc() ? end : buf);
    if (s.find('.') == std::string::npos) {
      s += ".0";
    }
    return s;
  }
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string s(buf, ec == std::errc() ? end : buf);  // "1.5e+20" -> "1.5E20"
  size_t e = s.find('e');
  if (e == std::string::npos) {
    return s;
  }
  std::string mantissa = s.substr(0, e);
  std::string exponent = s.substr(e + 1);
  if (!exponent.empty() && exponent[0] == '+') {
    exponent.erase(0, 1);
  }
  size_t digits = exponent[0] == '-' ? 1 : 0;
  while (digits + 1 < exponent.size() && exponent[digits] == '0') {
    exponent.erase(digits, 1);
  }
  if (mantissa.find('.') == std::string::npos) {
    mantissa += ".0";
  }
  return mantissa + "E" + exponent;
}

std::string FormatLimit(double limit, ShapeType type) {
  if (type == ShapeType::kDouble || type == ShapeType::kFloat) {
    return JavaDouble(limit);
  }
  return std::to_string(static_cast<int64_t>(limit));
}

// A value as Java's toString prints it, which is how AWS quotes it: lists "[a, b]", maps
// "{k=v, k2=v2}".
void PrintValue(const json::value& v, std::string* out) {
  switch (v.kind()) {
    case json::kind::null:
      *out += "null";
      return;
    case json::kind::bool_:
      *out += v.get_bool() ? "true" : "false";
      return;
    case json::kind::int64:
      *out += std::to_string(v.get_int64());
      return;
    case json::kind::uint64:
      *out += std::to_string(v.get_uint64());
      return;
    case json::kind::double_:
      *out += JavaDouble(v.get_double());
      return;
    case json::kind::string:
      out->append(v.get_string().data(), v.get_string().size());
      return;
    case json::kind::array: {
      out->push_back('[');
      bool first = true;
      for (const json::value& item : v.get_array()) {
        if (!first) {
          *out += ", ";
        }
        first = false;
        PrintValue(item, out);
      }
      out->push_back(']');
      return;
    }
    case json::kind::object: {
      out->push_back('{');
      bool first = true;
      for (const auto& entry : v.get_object()) {
        if (!first) {
          *out += ", ";
        }
        first = false;
        out->append(entry.key().data(), entry.key().size());
        out->push_back('=');
        PrintValue(entry.value(), out);
      }
      out->push_back('}');
      return;
    }
  }
}

bool IsSensitive(const ShapeInfo& shape) {
  if (shape.sensitive) {
    return true;
  }
  if (shape.type == ShapeType::kList) {
    return shape.list_member->sensitive;
  }
  if (shape.type == ShapeType::kMap) {
    return shape.map_key->sensitive || shape.map_value->sensitive;
  }
  return false;
}

// Length as AWS counts it: UTF-16 code units for strings.
size_t Utf16Length(std::string_view utf8) {
  size_t n = 0;
  for (char ch : utf8) {
    auto c = static_cast<unsigned char>(ch);
    if ((c & 0xC0) != 0x80) {
      n += c >= 0xF0 ? 2 : 1;
    }
  }
  return n;
}

// Decoded size of base64 text (the JSON form of a blob).
size_t Base64DecodedLength(std::string_view text) {
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
    ++padding;
  }
  size_t bytes = text.size() / 4 * 3 + (text.size() % 4 * 3) / 4;
  return bytes > padding ? bytes - padding : 0;
}

enum class Check : uint8_t { kPattern, kEnum, kMaxLength, kMinLength, kMaxValue, kMinValue };

// The order AWS lists an element shape's constraints in "Member must satisfy constraint: [...]"
// (recorded: max length, min length, pattern; then "Member must not be null" for list members).
constexpr std::array<Check, 6> kBracketOrder = {Check::kMaxLength, Check::kMinLength,
                                                Check::kMaxValue,  Check::kMinValue,
                                                Check::kPattern,   Check::kEnum};
// The order separate violations of one value are reported in (AWS's own order varies; pattern
// before length is the most often recorded).
constexpr std::array<Check, 6> kReportOrder = {Check::kPattern,   Check::kEnum,
                                               Check::kMaxLength, Check::kMinLength,
                                               Check::kMaxValue,  Check::kMinValue};

bool HasLength(ShapeType type) {
  return type == ShapeType::kString || type == ShapeType::kBlob || type == ShapeType::kList ||
         type == ShapeType::kMap;
}

bool IsNumber(ShapeType type) {
  return type == ShapeType::kInteger || type == ShapeType::kLong || type == ShapeType::kDouble ||
         type == ShapeType::kFloat;
}

bool Applies(const ShapeInfo& shape, Check check) {
  switch (check) {
    case Check::kPattern:
      return shape.pattern != nullptr;
    case Check::kEnum:
      return !shape.enum_values.empty();
    case Check::kMaxLength:
      return shape.has_max && HasLength(shape.type);
    case Check::kMinLength:
      return shape.has_min && HasLength(shape.type);
    case Check::kMaxValue:
      return shape.has_max && IsNumber(shape.type);
    case Check::kMinValue:
      return shape.has_min && IsNumber(shape.type);
  }
  return false;
}

std::string ConstraintText(const ShapeInfo& shape, Check check) {
  switch (check) {
    case Check::kPattern:
      return "Member must satisfy regular expression pattern: " +
             std::string(shape.pattern->source);
    case Check::kEnum: {
      std::string text = "Member must satisfy enum value set: [";
      for (size_t i = 0; i < shape.enum_values.size(); ++i) {
        if (i > 0) {
          text += ", ";
        }
        text += shape.enum_values[i];
      }
      return text + "]";
    }
    case Check::kMaxLength:
      return "Member must have length less than or equal to " + FormatLimit(shape.max, shape.type);
    case Check::kMinLength:
      return "Member must have length greater than or equal to " +
             FormatLimit(shape.min, shape.type);
    case Check::kMaxValue:
      return "Member must have value less than or equal to " + FormatLimit(shape.max, shape.type);
    case Check::kMinValue:
      return "Member must have value greater than or equal to " +
             FormatLimit(shape.min, shape.type);
  }
  return {};
}

size_t LengthOf(const ShapeInfo& shape, const json::value& v, bool raw_blob) {
  switch (shape.type) {
    case ShapeType::kString:
      return v.is_string() ? Utf16Length(v.get_string()) : 0;
    case ShapeType::kBlob:
      if (!v.is_string()) {
        return 0;
      }
      return raw_blob ? v.get_string().size() : Base64DecodedLength(v.get_string());
    case ShapeType::kList:
      return v.is_array() ? v.get_array().size() : 0;
    case ShapeType::kMap:
      return v.is_object() ? v.get_object().size() : 0;
    default:
      return 0;
  }
}

// Whether `v` (non-null, already normalized) satisfies `check` of `shape`.
bool Satisfies(const ShapeInfo& shape, Check check, const json::value& v, bool raw_blob) {
  switch (check) {
    case Check::kPattern:
      return !v.is_string() || shape.pattern->Matches(v.get_string());
    case Check::kEnum: {
      if (!v.is_string()) {
        return true;
      }
      std::string_view s = v.get_string();
      return std::find(shape.enum_values.begin(), shape.enum_values.end(), s) !=
             shape.enum_values.end();
    }
    case Check::kMaxLength:
      return static_cast<double>(LengthOf(shape, v, raw_blob)) <= shape.max;
    case Check::kMinLength:
      return static_cast<double>(LengthOf(shape, v, raw_blob)) >= shape.min;
    case Check::kMaxValue:
      return !v.is_number() || v.to_number<double>() <= shape.max;
    case Check::kMinValue:
      return !v.is_number() || v.to_number<double>() >= shape.min;
  }
  return true;
}

// Whether any constraint check of a scalar (or nested collection) element fails.
bool ElementViolates(const ShapeInfo& shape, const json::value& v) {
  if (v.is_null()) {
    return true;
  }
  for (Check check : kBracketOrder) {
    if (Applies(shape, check) && !Satisfies(shape, check, v, false)) {
      return true;
    }
  }
  return false;
}

// ElementViolates for a map key, without copying the key into a JSON value.
bool KeyViolates(const ShapeInfo& shape, std::string_view key) {
  if (shape.pattern != nullptr && !shape.pattern->Matches(key)) {
    return true;
  }
  if (!shape.enum_values.empty() && std::find(shape.enum_values.begin(), shape.enum_values.end(),
                                              key) == shape.enum_values.end()) {
    return true;
  }
  auto length = static_cast<double>(Utf16Length(key));
  return (shape.has_max && length > shape.max) || (shape.has_min && length < shape.min);
}

std::string BracketOfConstraints(const ShapeInfo& shape, bool not_null) {
  std::string text = "[";
  bool first = true;
  for (Check check : kBracketOrder) {
    if (!Applies(shape, check)) {
      continue;
    }
    if (!first) {
      text += ", ";
    }
    first = false;
    text += ConstraintText(shape, check);
  }
  if (not_null) {
    text += first ? "" : ", ";
    text += "Member must not be null";
  }
  return text + "]";
}

bool IsScalar(const ShapeInfo& shape) {
  return shape.type != ShapeType::kStructure && shape.type != ShapeType::kList &&
         shape.type != ShapeType::kMap;
}

// ---------------------------------------------------------------------------------------------
// AWS overrides: requests the model accepts (or would reject as ValidationException) that AWS
// Lambda answers with InvalidParameterValueException. Each runs only once the model constraints
// are satisfied. Source: shared/reference/aws-lambda-behaviour.md section 3 (CreateFunction and
// update validation), rows "Runtime=..." and "FunctionName of 65 chars".

// The supported runtimes exactly as AWS listed them in that answer (recorded 12-01-2026; AWS
// prints an unordered set). Deprecated runtimes still in the model enum pass here and are
// rejected later with their own message.
constexpr std::string_view kAwsRuntimeSet =
    "[nodejs20.x, python3.14, provided.al2023, python3.12, python3.13, nodejs24.x, nodejs22.x, "
    "java25, python3.10, python3.11, java21, ruby3.3, ruby3.4, ruby3.2, python3.8, python3.9, "
    "java17, nodejs16.x, dotnet10, dotnet8, java11, dotnet6, nodejs18.x, provided.al2, java8.al2]";

// Row `Runtime="non-existent-runtime"` (Create/Update): not in the model's Runtime enum (the
// match is case-sensitive: "PYTHON3.9" fails too). No quotes around the value, no count prefix.
std::optional<Error> CheckRuntime(const ShapeInfo& shape, std::string_view value) {
  if (std::find(shape.enum_values.begin(), shape.enum_values.end(), value) !=
      shape.enum_values.end()) {
    return std::nullopt;
  }
  return Error::Make(ErrorCode::kInvalidParameter,
                     "Value " + std::string(value) +
                         " at 'runtime' failed to satisfy constraint: Member must satisfy enum "
                         "value set: " +
                         std::string(kAwsRuntimeSet) + " or be a valid ARN");
}

// Row "FunctionName of 65 chars": the model allows 140 (room for an ARN) but a function's own
// name is at most 64; AWS says so in validation wording, yet as InvalidParameterValueException.
std::optional<Error> CheckCreateFunctionName(const ShapeInfo& /*shape*/, std::string_view value) {
  std::string_view name = value;
  if (size_t at = name.find("function:"); at != std::string_view::npos) {
    name.remove_prefix(at + std::string_view("function:").size());
  }
  name = name.substr(0, std::min(name.find(':'), name.size()));
  constexpr size_t kMaxFunctionNameLength = 64;
  if (name.size() <= kMaxFunctionNameLength) {
    return std::nullopt;
  }
  return Error::Make(ErrorCode::kInvalidParameter,
                     "1 validation error detected: Value '" + std::string(value) +
                         "' at 'functionName' failed to satisfy constraint: Member must have "
                         "length less than or equal to 64");
}

struct ParameterOverride {
  std::string_view operation;
  std::string_view member;  // a top-level string member of the input
  std::optional<Error> (*check)(const ShapeInfo& shape, std::string_view value);
  // The model check AWS does not apply at validation time because `check` takes its place.
  std::optional<Check> replaces;
};

constexpr ParameterOverride kOverrides[] = {
    {"CreateFunction", "Runtime", CheckRuntime, Check::kEnum},
    {"UpdateFunctionConfiguration", "Runtime", CheckRuntime, Check::kEnum},
    {"CreateFunction", "FunctionName", CheckCreateFunctionName, std::nullopt},
};

// Enum sets AWS checks a top-level member against instead of the model's enum, in the order AWS
// prints them. A list member is checked element by element and its violation is reported as
// "Member must satisfy enum value set: [...]" (no bracket of element constraints).
//   ListLayers CompatibleRuntime: the full historic runtime enum (reference part 2 LY13, recorded
//     12-01-2026); ListLayerVersions is given the same set (not recorded).
//   PublishLayerVersion CompatibleRuntimes: the CreateFunction set (LY21).
constexpr std::string_view kLayerFilterRuntimes[] = {
    "ruby3.5",       "ruby2.6",       "dotnetcore1.0",   "python3.7",
    "nodejs8.10",    "nasa",          "ruby2.7",         "python2.7-greengrass",
    "dotnetcore2.0", "python3.8",     "java21",          "dotnet6",
    "dotnetcore2.1", "python3.9",     "java11",          "nodejs6.10",
    "provided",      "dotnetcore3.1", "dotnet8",         "java25",
    "java17",        "nodejs",        "nodejs4.3",       "java8.al2",
    "go1.x",         "dotnet10",      "nodejs20.x",      "go1.9",
    "byol",          "nodejs10.x",    "provided.al2023", "nodejs22.x",
    "python3.10",    "java8",         "nodejs12.x",      "python3.11",
    "nodejs24.x",    "nodejs8.x",     "python3.12",      "nodejs14.x",
    "nodejs8.9",     "nodejs26.x",    "python3.13",      "python3.14",
    "nodejs16.x",    "python3.15",    "provided.al2",    "nodejs4.3-edge",
    "nodejs18.x",    "ruby3.2",       "python3.4",       "ruby3.3",
    "ruby3.4",       "ruby2.5",       "python3.6",       "python2.7"};

// FU16: AWS lists InvokeMode's values in this order (the model's is BUFFERED, RESPONSE_STREAM).
constexpr std::string_view kInvokeModes[] = {"RESPONSE_STREAM", "BUFFERED"};

// ES35: AWS lists StartingPosition's values in this order (the model's is TRIM_HORIZON, LATEST,
// AT_TIMESTAMP).
constexpr std::string_view kStartingPositions[] = {"LATEST", "AT_TIMESTAMP", "TRIM_HORIZON"};

struct EnumSetOverride {
  std::string_view operation;
  std::string_view member;
  const std::string_view* values;
  size_t count;
};

constexpr EnumSetOverride kEnumSets[] = {
    {"ListLayers", "CompatibleRuntime", kLayerFilterRuntimes, std::size(kLayerFilterRuntimes)},
    {"ListLayerVersions", "CompatibleRuntime", kLayerFilterRuntimes,
     std::size(kLayerFilterRuntimes)},
    {"PublishLayerVersion", "CompatibleRuntimes", domain::kSupportedRuntimes,
     std::size(domain::kSupportedRuntimes)},
    {"CreateFunctionUrlConfig", "InvokeMode", kInvokeModes, std::size(kInvokeModes)},
    {"UpdateFunctionUrlConfig", "InvokeMode", kInvokeModes, std::size(kInvokeModes)},
    {"CreateEventSourceMapping", "StartingPosition", kStartingPositions,
     std::size(kStartingPositions)},
};

const EnumSetOverride* FindEnumSet(std::string_view operation, std::string_view member) {
  for (const EnumSetOverride& set : kEnumSets) {
    if (set.operation == operation && set.member == member) return &set;
  }
  return nullptr;
}

bool InEnumSet(const EnumSetOverride& set, const json::value& v) {
  if (!v.is_string()) return false;
  std::string_view s = v.get_string();
  return std::find(set.values, set.values + set.count, s) != set.values + set.count;
}

std::string EnumSetText(const EnumSetOverride& set) {
  std::string text = "Member must satisfy enum value set: [";
  for (size_t i = 0; i < set.count; ++i) {
    if (i > 0) text += ", ";
    text += set.values[i];
  }
  return text + "]";
}

// Top-level members AWS reports before the others, in this order (the rest follow in model
// order). LY21: compatibleRuntimes before compatibleArchitectures.
struct MemberOrder {
  std::string_view operation;
  std::array<std::string_view, 2> first;
};
constexpr MemberOrder kMemberOrders[] = {
    {"PublishLayerVersion", {"CompatibleRuntimes", "CompatibleArchitectures"}},
};

Status RunOverrides(const OperationInfo& op, const json::object& input) {
  for (const ParameterOverride& rule : kOverrides) {
    if (rule.operation != op.name) {
      continue;
    }
    const json::value* v = input.if_contains(rule.member);
    if (v == nullptr || !v->is_string()) {
      continue;
    }
    const MemberInfo* member = nullptr;
    for (const MemberInfo& m : op.input->members) {
      if (m.name == rule.member) {
        member = &m;
      }
    }
    if (member == nullptr) {
      continue;
    }
    if (std::optional<Error> error = rule.check(*member->shape, v->get_string())) {
      return std::move(*error);
    }
  }
  return Status::Ok();
}

class Validator {
 public:
  explicit Validator(const OperationInfo& op) : op_(op) {}

  void Structure(const ShapeInfo& shape, const json::object& obj, const PathFrame* parent,
                 bool top_level);

  std::vector<std::string>& errors() { return errors_; }

 private:
  void Value(const ShapeInfo& shape, const json::value& v, const PathFrame& frame, bool raw_blob,
             bool top_level, std::string_view member_name);
  void Report(const ShapeInfo& shape, const json::value* v, const PathFrame& frame,
              std::string_view constraint);
  bool Skipped(bool top_level, std::string_view member, Check check) const;

  const OperationInfo& op_;
  std::vector<std::string> errors_;
};

bool Validator::Skipped(bool top_level, std::string_view member, Check check) const {
  if (!top_level) {
    return false;
  }
  for (const ParameterOverride& rule : kOverrides) {
    if (rule.replaces == check && rule.member == member && rule.operation == op_.name) {
      return true;
    }
  }
  return false;
}

void Validator::Report(const ShapeInfo& shape, const json::value* v, const PathFrame& frame,
                       std::string_view constraint) {
  std::string message = "Value ";
  if (v == nullptr) {
    message += "null ";
  } else if (!IsSensitive(shape)) {
    message.push_back('\'');
    PrintValue(*v, &message);
    message += "' ";
  }
  message += "at '";
  AppendPath(&frame, &message);
  message += "' failed to satisfy constraint: ";
  message += constraint;
  errors_.push_back(std::move(message));
}

void Validator::Structure(const ShapeInfo& shape, const json::object& obj, const PathFrame* parent,
                          bool top_level) {
  const MemberInfo* payload = top_level ? shape.payload() : nullptr;
  std::vector<const MemberInfo*> members;
  members.reserve(shape.members.size());
  if (top_level) {
    for (const MemberOrder& order : kMemberOrders) {
      if (order.operation != op_.name) continue;
      for (std::string_view name : order.first) {
        for (const MemberInfo& member : shape.members) {
          if (member.name == name) members.push_back(&member);
        }
      }
    }
  }
  for (const MemberInfo& member : shape.members) {
    if (std::find(members.begin(), members.end(), &member) == members.end()) {
      members.push_back(&member);
    }
  }
  for (const MemberInfo* member_ptr : members) {
    const MemberInfo& member = *member_ptr;
    PathFrame frame{parent, member.name, 0, {}};
    const json::value* v = obj.if_contains(member.name);
    if (v == nullptr || v->is_null()) {
      if (member.required) {
        Report(*member.shape, nullptr, frame, "Member must not be null");
      }
      continue;
    }
    Value(*member.shape, *v, frame, &member == payload, top_level, member.name);
  }
}

void Validator::Value(const ShapeInfo& shape, const json::value& v, const PathFrame& frame,
                      bool raw_blob, bool top_level, std::string_view member_name) {
  const EnumSetOverride* set = top_level ? FindEnumSet(op_.name, member_name) : nullptr;
  for (Check check : kReportOrder) {
    if (set && check == Check::kEnum && shape.type == ShapeType::kString) {
      if (!InEnumSet(*set, v)) Report(shape, &v, frame, EnumSetText(*set));
      continue;
    }
    if (Applies(shape, check) && !Skipped(top_level, member_name, check) &&
        !Satisfies(shape, check, v, raw_blob)) {
      Report(shape, &v, frame, ConstraintText(shape, check));
    }
  }
  if (set && shape.type == ShapeType::kList && v.is_array()) {
    for (const json::value& item : v.get_array()) {
      if (!InEnumSet(*set, item)) {
        Report(shape, &v, frame, EnumSetText(*set));
        return;
      }
    }
    return;
  }
  switch (shape.type) {
    case ShapeType::kStructure:
      if (v.is_object()) {
        Structure(shape, v.get_object(), &frame, false);
      }
      return;
    case ShapeType::kList: {
      if (!v.is_array()) {
        return;
      }
      const ShapeInfo& element = *shape.list_member;
      const json::array& items = v.get_array();
      if (element.type == ShapeType::kStructure) {
        int index = 0;
        for (const json::value& item : items) {
          PathFrame item_frame{&frame, {}, ++index, {}};
          if (item.is_null()) {
            Report(element, nullptr, item_frame, "Member must not be null");
          } else if (item.is_object()) {
            Structure(element, item.get_object(), &item_frame, false);
          }
        }
        return;
      }
      if (!IsScalar(element)) {
        int index = 0;
        for (const json::value& item : items) {
          PathFrame item_frame{&frame, {}, ++index, {}};
          if (!item.is_null()) {
            Value(element, item, item_frame, false, false, {});
          }
        }
        return;
      }
      for (const json::value& item : items) {
        if (ElementViolates(element, item)) {
          Report(shape, &v, frame,
                 "Member must satisfy constraint: " + BracketOfConstraints(element, true));
          return;
        }
      }
      return;
    }
    case ShapeType::kMap: {
      if (!v.is_object()) {
        return;
      }
      const json::object& entries = v.get_object();
      const ShapeInfo& key = *shape.map_key;
      const ShapeInfo& value = *shape.map_value;
      for (const auto& entry : entries) {
        if (KeyViolates(key, entry.key())) {
          Report(shape, &v, frame,
                 "Map keys must satisfy constraint: " + BracketOfConstraints(key, true));
          break;
        }
      }
      if (IsScalar(value)) {
        for (const auto& entry : entries) {
          if (!entry.value().is_null() && ElementViolates(value, entry.value())) {
            Report(shape, &v, frame,
                   "Map value must satisfy constraint: " + BracketOfConstraints(value, true));
            break;
          }
        }
        return;
      }
      for (const auto& entry : entries) {
        if (entry.value().is_null()) {
          continue;
        }
        PathFrame entry_frame{&frame, {}, 0, entry.key()};
        Value(value, entry.value(), entry_frame, false, false, {});
      }
      return;
    }
    default:
      return;
  }
}

}  // namespace

Status ValidateInput(const OperationInfo& op, const boost::json::object& input) {
  if (op.input == nullptr) {
    return Status::Ok();
  }
  Validator validator(op);
  validator.Structure(*op.input, input, nullptr, true);
  std::vector<std::string>& errors = validator.errors();
  if (!errors.empty()) {
    std::string message = std::to_string(errors.size());
    message +=
        errors.size() == 1 ? " validation error detected: " : " validation errors detected: ";
    for (size_t i = 0; i < errors.size(); ++i) {
      if (i > 0) {
        message += "; ";
      }
      message += errors[i];
    }
    return Error::Make(ErrorCode::kValidation, std::move(message));
  }
  return RunOverrides(op, input);
}

Result<boost::json::object> DecodeInput(const RouteMatch& route, const http::HttpRequest& request) {
  json::object out;
  if (route.op == nullptr || route.op->input == nullptr) {
    return out;
  }
  const ShapeInfo& input = *route.op->input;
  const MemberInfo* payload = input.payload();
  bool has_body_members = false;

  for (const MemberInfo& member : input.members) {
    const ShapeInfo& shape = *member.shape;
    switch (member.location) {
      case Location::kUri: {
        if (const std::string* text = route.Label(member.location_name)) {
          LAMBDALITE_TRY(json::value v, FromText(shape, *text));
          out.emplace(member.name, std::move(v));
        }
        break;
      }
      case Location::kQueryString: {
        auto [first, last] = route.query.equal_range(member.location_name);
        if (first == last) {
          break;
        }
        if (shape.type == ShapeType::kList) {
          std::vector<std::string_view> texts;
          for (auto it = first; it != last; ++it) {
            texts.push_back(it->second);
          }
          LAMBDALITE_TRY(json::value v, ListFromTexts(shape, texts));
          out.emplace(member.name, std::move(v));
        } else {
          LAMBDALITE_TRY(json::value v, FromText(shape, first->second));
          out.emplace(member.name, std::move(v));
        }
        break;
      }
      case Location::kHeader: {
        const std::string* text = FindHeader(request, member.location_name);
        if (text == nullptr) {
          break;
        }
        if (shape.type == ShapeType::kList) {
          // A list in one header is comma-separated.
          std::vector<std::string_view> texts;
          std::string_view rest = *text;
          while (!rest.empty()) {
            std::string_view item = rest.substr(0, std::min(rest.find(','), rest.size()));
            rest.remove_prefix(std::min(item.size() + 1, rest.size()));
            size_t begin = item.find_first_not_of(' ');
            texts.push_back(begin == std::string_view::npos
                                ? std::string_view()
                                : item.substr(begin, item.find_last_not_of(' ') + 1 - begin));
          }
          LAMBDALITE_TRY(json::value v, ListFromTexts(shape, texts));
          out.emplace(member.name, std::move(v));
        } else {
          LAMBDALITE_TRY(json::value v, FromText(shape, *text));
          out.emplace(member.name, std::move(v));
        }
        break;
      }
      case Location::kHeaders: {
        // Every header whose name starts with the prefix, keyed by the rest of its name.
        json::object map;
        std::string_view prefix = member.location_name;
        for (const http::Header& header : request.headers) {
          if (header.name.size() > prefix.size() &&
              EqualsIgnoreCase(std::string_view(header.name).substr(0, prefix.size()), prefix)) {
            map.emplace(std::string_view(header.name).substr(prefix.size()),
                        json::string(header.value));
          }
        }
        if (!map.empty()) {
          out.emplace(member.name, std::move(map));
        }
        break;
      }
      case Location::kBody:
        if (&member == payload) {
          if (request.body.empty()) {
            break;
          }
          if (shape.type == ShapeType::kStructure || shape.type == ShapeType::kMap ||
              shape.type == ShapeType::kList) {
            if (IsBlank(request.body)) {
              break;
            }
            LAMBDALITE_TRY(json::value parsed, ParseJsonBody(request.body));
            if (parsed.is_null()) {
              break;
            }
            LAMBDALITE_TRY(json::value v, Normalize(shape, std::move(parsed)));
            out.emplace(member.name, std::move(v));
          } else {
            // The raw bytes, unparsed (Invoke's Payload is the function's event, whatever it is).
            out.emplace(member.name, json::string(request.body));
          }
        } else {
          has_body_members = true;
        }
        break;
      case Location::kStatusCode:
        break;
    }
  }

  if (has_body_members && payload == nullptr && !IsBlank(request.body)) {
    LAMBDALITE_TRY(json::value parsed, ParseJsonBody(request.body));
    if (!parsed.is_null()) {
      if (!parsed.is_object()) {
        return TypeMismatch(input, parsed);
      }
      json::object& body = parsed.get_object();
      for (const MemberInfo& member : input.members) {
        if (member.location != Location::kBody) {
          continue;
        }
        auto it = body.find(member.location_name);
        if (it == body.end() || it->value().is_null()) {
          continue;
        }
        LAMBDALITE_TRY(json::value v, Normalize(*member.shape, std::move(it->value())));
        out.emplace(member.name, std::move(v));
      }
    }
  }

  LAMBDALITE_RETURN_IF_ERROR(ValidateInput(*route.op, out));
  return out;
}

}  // namespace lambdalite::api
