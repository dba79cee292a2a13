#pragma once

// What the generated shapes (shapes.gen.h, see api/shapes.h for the contract) are built from: the
// enum templates, the sink a response is written to, and the per-type read and write helpers the
// generated FromJson / ToJson call member by member. Not for direct use by handlers.

#include <boost/json.hpp>
#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace lambdalite::api::shapes {

// Enums: every generated `enum class E` specializes these (and has `ToString(E)`).
// The wire text of `text`, or nullopt when the model's enum does not have it.
template <class E>
std::optional<E> Parse(std::string_view text);
// The model's values of E, in the order of E's constants.
template <class E>
std::span<const std::string_view> WireValues();

// Where an operation's response goes: the generated ToWire(T&&, WireSink&) sends every member
// where the model puts it. Members that are absent are not sent.
class WireSink {
 public:
  virtual ~WireSink() = default;
  virtual void Status(int status) = 0;                                  // a statusCode member
  virtual void Header(std::string_view name, std::string&& value) = 0;  // header(s) members
  virtual void RawBody(std::string&& bytes) = 0;                        // a blob payload
  virtual void Json(boost::json::object&& body) = 0;  // the body members (or a structure payload)
};

// Decodes a structure from the object of its members (api::DecodeInput's output for an
// operation's input shape). The request decoder has already checked types and constraints, so on
// its output this fails only for a blob that is not base64; on hand-made input it also fails for a
// missing required member or a value of the wrong JSON type.
template <class T>
Result<T> FromJson(const boost::json::object& in) {
  T out;
  LAMBDALITE_RETURN_IF_ERROR(DecodeMembers(in, out));
  return out;
}

namespace detail {

Error NotA(std::string_view what);
Error Missing(std::string_view member);
// The error for a JSON blob that is not valid base64 (see shapes.cc).
Error BadBase64(std::string_view member);

// --- decoding ---------------------------------------------------------------------------------
Status Decode(const boost::json::value& in, std::string& out);
Status Decode(const boost::json::value& in, int32_t& out);
Status Decode(const boost::json::value& in, int64_t& out);
Status Decode(const boost::json::value& in, bool& out);
Status Decode(const boost::json::value& in, double& out);

// Structures are decoded by the generated shapes::Decode overloads, which the templates below
// find by argument-dependent look-up.

template <class T>
Status Decode(const boost::json::value& in, std::vector<T>& out) {
  const boost::json::array* a = in.if_array();
  if (a == nullptr) return NotA("list");
  out.clear();
  out.reserve(a->size());
  for (const auto& v : *a) {
    LAMBDALITE_RETURN_IF_ERROR(Decode(v, out.emplace_back()));
  }
  return Status::Ok();
}

template <class T>
Status Decode(const boost::json::value& in, std::map<std::string, T>& out) {
  const boost::json::object* o = in.if_object();
  if (o == nullptr) return NotA("map");
  out.clear();
  for (const auto& kv : *o) {
    LAMBDALITE_RETURN_IF_ERROR(Decode(kv.value(), out[std::string(kv.key())]));
  }
  return Status::Ok();
}

// A member: absent (or null) leaves an optional empty and fails for a required one.
template <class T>
Status Read(const boost::json::object& o, std::string_view key, T& out, bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    return required ? Status(Missing(key)) : Status::Ok();
  }
  return Decode(it->value(), out);
}
template <class T>
Status Read(const boost::json::object& o, std::string_view key, std::optional<T>& out,
            bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    return required ? Status(Missing(key)) : Status::Ok();
  }
  return Decode(it->value(), out.emplace());
}

// A blob: base64 text in a JSON body, decoded to the bytes; a payload blob is already the raw
// bytes (the request decoder keeps an HTTP payload unparsed).
Status ReadBlob(const boost::json::object& o, std::string_view key, std::string& out, bool required,
                bool raw);
Status ReadBlob(const boost::json::object& o, std::string_view key, std::optional<std::string>& out,
                bool required, bool raw);
// A timestamp: epoch seconds (a JSON number, fractions kept to the millisecond) or ISO-8601 text
// ("2024-01-31T12:34:56Z", with optional fraction and offset), to epoch milliseconds.
Status ReadTimestamp(const boost::json::object& o, std::string_view key, int64_t& out,
                     bool required);
Status ReadTimestamp(const boost::json::object& o, std::string_view key,
                     std::optional<int64_t>& out, bool required);

// --- encoding ---------------------------------------------------------------------------------
inline boost::json::value Encode(const std::string& v) { return boost::json::value(v); }
inline boost::json::value Encode(int32_t v) { return boost::json::value(v); }
inline boost::json::value Encode(int64_t v) { return boost::json::value(v); }
inline boost::json::value Encode(bool v) { return boost::json::value(v); }
inline boost::json::value Encode(double v) { return boost::json::value(v); }

// Structures: the generated shapes::Encode overloads, found by argument-dependent look-up.

template <class T>
boost::json::value Encode(const std::vector<T>& v) {
  boost::json::array a;
  a.reserve(v.size());
  for (const auto& e : v) a.push_back(Encode(e));
  return a;
}

template <class T>
boost::json::value Encode(const std::map<std::string, T>& v) {
  boost::json::object o;
  for (const auto& [k, e] : v) o[k] = Encode(e);
  return o;
}

template <class T>
void Write(boost::json::object& o, std::string_view key, const T& v) {
  o.emplace(key, Encode(v));
}
template <class T>
void Write(boost::json::object& o, std::string_view key, const std::optional<T>& v) {
  if (v) o.emplace(key, Encode(*v));
}

void WriteBlob(boost::json::object& o, std::string_view key, const std::string& bytes);
void WriteBlob(boost::json::object& o, std::string_view key, const std::optional<std::string>& v);
// Epoch milliseconds as epoch seconds, a JSON number (1706704496.789).
void WriteTimestamp(boost::json::object& o, std::string_view key, int64_t epoch_ms);
void WriteTimestamp(boost::json::object& o, std::string_view key, const std::optional<int64_t>& v);

// A header member's text.
inline std::string HeaderText(std::string&& v) { return std::move(v); }
inline std::string HeaderText(int32_t v) { return std::to_string(v); }
inline std::string HeaderText(int64_t v) { return std::to_string(v); }
inline std::string HeaderText(bool v) { return v ? "true" : "false"; }

}  // namespace detail
}  // namespace lambdalite::api::shapes
