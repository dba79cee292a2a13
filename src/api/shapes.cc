#include "api/shapes.h"

#include <cmath>
#include <cstdio>

#include "common/crypto.h"

namespace lambdalite::api::shapes::detail {

namespace json = boost::json;

namespace {

// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
int64_t DaysFromCivil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

// "YYYY-MM-DDTHH:MM:SS[.fff...](Z|+hh:mm|+hhmm|-hh:mm)" to epoch ms.
bool ParseIso8601(std::string_view t, int64_t* epoch_ms) {
  auto num = [&t](size_t pos, size_t len, int* out) {
    if (pos + len > t.size()) return false;
    int v = 0;
    for (size_t i = pos; i < pos + len; ++i) {
      if (t[i] < '0' || t[i] > '9') return false;
      v = v * 10 + (t[i] - '0');
    }
    *out = v;
    return true;
  };
  int y, mo, d, h, mi, s;
  if (!num(0, 4, &y) || t.size() < 19 || t[4] != '-' || !num(5, 2, &mo) || t[7] != '-' ||
      !num(8, 2, &d) || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || !num(11, 2, &h) ||
      t[13] != ':' || !num(14, 2, &mi) || t[16] != ':' || !num(17, 2, &s)) {
    return false;
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return false;
  size_t pos = 19;
  int ms = 0;
  if (pos < t.size() && t[pos] == '.') {
    ++pos;
    int digits = 0;
    while (pos < t.size() && t[pos] >= '0' && t[pos] <= '9') {
      if (digits < 3) ms = ms * 10 + (t[pos] - '0');
      ++digits;
      ++pos;
    }
    if (digits == 0) return false;
    for (; digits < 3; ++digits) ms *= 10;
  }
  int offset_min = 0;
  if (pos < t.size() && (t[pos] == 'Z' || t[pos] == 'z')) {
    ++pos;
  } else if (pos < t.size() && (t[pos] == '+' || t[pos] == '-')) {
    const int sign = t[pos] == '-' ? -1 : 1;
    int oh, om;
    if (!num(pos + 1, 2, &oh)) return false;
    size_t m = pos + 3;
    if (m < t.size() && t[m] == ':') ++m;
    if (!num(m, 2, &om)) return false;
    offset_min = sign * (oh * 60 + om);
    pos = m + 2;
  } else {
    return false;
  }
  if (pos != t.size()) return false;
  const int64_t days = DaysFromCivil(y, static_cast<unsigned>(mo), static_cast<unsigned>(d));
  *epoch_ms = ((days * 24 + h) * 60 + mi - offset_min) * 60'000 + s * 1000 + ms;
  return true;
}

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
