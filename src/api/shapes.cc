#include "api/shapes.h"

#include <cmath>
#include <cstdio>

#include "common/crypto.h"
#include "common/time_format.h"

namespace lambdalite::api::shapes::detail {

namespace json = boost::json;

namespace {

Status DecodeTimestamp(const json::value& v, std::string_view key, int64_t& out) {
  if (v.is_number()) {
    out = static_cast<int64_t>(std::llround(v.to_number<double>() * 1000.0));
    return Status::Ok();
  }
  if (v.is_string() && ParseIso8601(v.get_string(), &out)) return Status::Ok();
  return NotA(std::string("timestamp at ") + std::string(key));
}

Status DecodeBlob(const json::value& v, std::string_view key, std::string& out, bool raw) {
  const json::string* s = v.if_string();
  if (s == nullptr) return NotA("blob");
  if (raw) {
    out.assign(s->data(), s->size());
    return Status::Ok();
  }
  if (!Base64Decode(*s, &out)) return BadBase64(key);
  return Status::Ok();
}

}  // namespace

// Unreachable through the API (the request decoder answers type errors with AWS's texts first);
// kept in AWS's SerializationException form so a slip still answers like a bad body.
Error NotA(std::string_view what) {
  return Error::Make(ErrorCode::kInvalidContent,
                     "Expected " + std::string(what) + " in the request", "SerializationException");
}

Error Missing(std::string_view member) {
  return Error::Make(ErrorCode::kInvalidContent,
                     "Missing required member " + std::string(member) + " in the request",
                     "SerializationException");
}

// Every body blob of the model is a zip file (FunctionCode.ZipFile, UpdateFunctionCode's
// ZipFile, LayerVersionContentInput.ZipFile), and AWS answers text that is not base64 as a zip
// it cannot open (the text CreateFunction and UpdateFunctionCode always gave). A non-zip body
// blob added to the model would need its own text here.
Error BadBase64(std::string_view member) {
  (void)member;
  return Error::Make(ErrorCode::kInvalidParameter,
                     "Could not unzip uploaded file. Please check your file, then try to upload "
                     "again.");
}

Status Decode(const json::value& in, std::string& out) {
  const json::string* s = in.if_string();
  if (s == nullptr) return NotA("string");
  out.assign(s->data(), s->size());
  return Status::Ok();
}

Status Decode(const json::value& in, int64_t& out) {
  if (in.is_int64()) {
    out = in.get_int64();
  } else if (in.is_uint64()) {
    out = static_cast<int64_t>(in.get_uint64());
  } else if (in.is_double()) {
    out = static_cast<int64_t>(in.get_double());
  } else {
    return NotA("number");
  }
  return Status::Ok();
}

Status Decode(const json::value& in, int32_t& out) {
  int64_t v = 0;
  LAMBDALITE_RETURN_IF_ERROR(Decode(in, v));
  out = static_cast<int32_t>(v);
  return Status::Ok();
}

Status Decode(const json::value& in, bool& out) {
  if (!in.is_bool()) return NotA("boolean");
  out = in.get_bool();
  return Status::Ok();
}

Status Decode(const json::value& in, double& out) {
  if (!in.is_number()) return NotA("number");
  out = in.to_number<double>();
  return Status::Ok();
}

Status ReadBlob(const json::object& o, std::string_view key, std::string& out, bool required,
                bool raw) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    return required ? Status(Missing(key)) : Status::Ok();
  }
  return DecodeBlob(it->value(), key, out, raw);
}

Status ReadBlob(const json::object& o, std::string_view key, std::optional<std::string>& out,
                bool required, bool raw) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    return required ? Status(Missing(key)) : Status::Ok();
  }
  return DecodeBlob(it->value(), key, out.emplace(), raw);
}

Status ReadTimestamp(const json::object& o, std::string_view key, int64_t& out, bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    return required ? Status(Missing(key)) : Status::Ok();
  }
  return DecodeTimestamp(it->value(), key, out);
}

Status ReadTimestamp(const json::object& o, std::string_view key, std::optional<int64_t>& out,
                     bool required) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) {
    return required ? Status(Missing(key)) : Status::Ok();
  }
  return DecodeTimestamp(it->value(), key, out.emplace());
}

void WriteBlob(json::object& o, std::string_view key, const std::string& bytes) {
  o.emplace(key, Base64Encode(bytes));
}

void WriteBlob(json::object& o, std::string_view key, const std::optional<std::string>& v) {
  if (v) WriteBlob(o, key, *v);
}

void WriteTimestamp(json::object& o, std::string_view key, int64_t epoch_ms) {
  o.emplace(key, static_cast<double>(epoch_ms) / 1000.0);
}

void WriteTimestamp(json::object& o, std::string_view key, const std::optional<int64_t>& v) {
  if (v) WriteTimestamp(o, key, *v);
}

}  // namespace lambdalite::api::shapes::detail
