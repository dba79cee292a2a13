#pragma once

// The AWS Lambda service model as static C++ tables.
//
// model/lambda-2015-03-31.json (botocore's model with the documentation stripped, see
// tools/shapegen/strip_model.py) is turned into model.gen.cc at build time by
// tools/shapegen/shapegen.py. Everything here is immutable, constant-initialized data: no start-up
// cost, no locking, safe to read from any thread, and every pointer stays valid for the life of
// the process.
//
// Names are the model's own: shape and member names are PascalCase ("FunctionName"), operation
// names are the API action names ("GetFunction"). Members of a structure, all shapes and all
// operations are sorted by name.

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

namespace lambdalite::api {

enum class ShapeType : uint8_t {
  kStructure,
  kList,
  kMap,
  kString,
  kInteger,  // 32-bit
  kLong,     // 64-bit
  kBoolean,
  kBlob,       // base64 text in a JSON body; raw bytes as an HTTP payload
  kTimestamp,  // epoch seconds in a JSON body
  kDouble,
  kFloat,
};

// Where a member travels in an HTTP request or response (rest-json binding).
enum class Location : uint8_t {
  kBody,         // a key of the JSON body (or the whole body, for the payload member)
  kUri,          // a {Label} of the request URI
  kQueryString,  // a query parameter
  kHeader,       // one HTTP header
  kHeaders,      // every header starting with a prefix (a map member)
  kStatusCode,   // the HTTP status code (responses only)
};

// A model `pattern` (a java.util.regex matched against the whole value) compiled at build time
// into a minimal DFA over code points. Matching is one table look-up per character: linear time,
// no allocation, no recursion, so it is safe on any input length.
struct Pattern {
  std::string_view source;      // the model's pattern text, as quoted in validation messages
  const uint8_t* symbol_class;  // [129]: code point 0..127, or 128 for any non-ASCII -> column
  const int16_t* next;          // [num_states * num_columns]; -1 means no match is possible
  const uint8_t* accepting;     // [num_states]
  uint16_t num_columns;
  uint16_t num_states;

  // Whether the whole of `utf8` matches, as Java's Matcher.matches() would. Bytes that are not
  // valid UTF-8 are read as non-ASCII characters.
  bool Matches(std::string_view utf8) const {
    int state = 0;
    const size_t size = utf8.size();
    for (size_t i = 0; i < size;) {
      auto byte = static_cast<unsigned char>(utf8[i++]);
      unsigned symbol = byte;
      if (byte >= 0x80) {
        symbol = 128;
        while (i < size && (static_cast<unsigned char>(utf8[i]) & 0xC0) == 0x80) {
          ++i;
        }
      }
      state = next[state * num_columns + symbol_class[symbol]];
      if (state < 0) {
        return false;
      }
    }
    return accepting[state] != 0;
  }
};

struct ShapeInfo;

struct MemberInfo {
  std::string_view name;  // "FunctionName"
  const ShapeInfo* shape;
  Location location;
  // The wire name: the URI label, query parameter or header name, or the JSON key. Equal to
  // `name` unless the model says otherwise (e.g. "X-Amz-Invocation-Type", "tagKeys").
  std::string_view location_name;
  bool required;
};

struct ShapeInfo {
  std::string_view name;
  ShapeType type;
  bool sensitive;  // the value must not be echoed in messages or logs
  // Constraints. For strings, blobs, lists and maps they bound the length (strings count UTF-16
  // code units, as AWS does); for numbers they bound the value.
  bool has_min;
  bool has_max;
  double min;
  double max;
  const Pattern* pattern;                         // nullptr when unconstrained
  std::span<const std::string_view> enum_values;  // empty when not an enum
  std::span<const MemberInfo> members;            // structures only, sorted by name
  int16_t payload_index;         // index into `members` of the HTTP payload member, or -1
  const ShapeInfo* list_member;  // lists only
  const ShapeInfo* map_key;      // maps only
  const ShapeInfo* map_value;    // maps only

  const MemberInfo* payload() const {
    return payload_index < 0 ? nullptr : &members[static_cast<size_t>(payload_index)];
  }
};

struct OperationInfo {
  std::string_view name;    // "GetFunction"
  std::string_view method;  // "GET"
  // The model's requestUri template, e.g. "/2015-03-31/functions/{FunctionName}". It may carry
  // a fixed query part ("/2018-10-31/layers?find=LayerVersion") that a request must include.
  std::string_view request_uri;
  int response_code;        // HTTP status of a successful response
  const ShapeInfo* input;   // nullptr when the operation takes no input
  const ShapeInfo* output;  // nullptr when the response has no body shape
};

// All operations of the model, sorted by name.
const std::vector<OperationInfo>& Operations();
// The operation called `name`, or nullptr.
const OperationInfo* FindOperation(std::string_view name);
// All shapes of the model, sorted by name.
std::span<const ShapeInfo> Shapes();
// The shape called `name`, or nullptr.
const ShapeInfo* FindShape(std::string_view name);
// Every distinct pattern of the model, compiled.
std::span<const Pattern> Patterns();

}  // namespace lambdalite::api
