#include "queue/invocation_record.h"

#include <boost/json/monotonic_resource.hpp>
#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>
#include <boost/json/value.hpp>

#include "common/time_format.h"

namespace lambdalite::queue {
namespace {

// Deep enough for any payload a person writes; Boost's default (32) would turn a legitimately
// nested document into a string. The parser keeps its own stack, so depth costs no recursion.
constexpr size_t kMaxJsonDepth = 10'000;

bool IsValidJson(std::string_view text) {
  boost::json::monotonic_resource arena;
  boost::json::parse_options options;
  options.max_depth = kMaxJsonDepth;
  boost::system::error_code ec;
  boost::json::value parsed = boost::json::parse(text, ec, &arena, options);
  return !ec;
}

// Drops the whitespace between the tokens of valid JSON text and keeps everything else byte for
// byte (string escapes and number spelling included).
std::string MinifyJson(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  bool in_string = false;
  bool escaped = false;
  for (char c : text) {
    if (in_string) {
      out.push_back(c);
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == ' ' || c == '\t' || c == '\n' || c == '\r') {
      continue;
    } else {
      if (c == '"') in_string = true;
      out.push_back(c);
    }
  }
  return out;
}

// Length of the well-formed UTF-8 sequence at the start of `s` (1-4), or 0 when the first byte
// does not begin one (stray continuation, overlong form, surrogate, beyond U+10FFFF, truncated).
size_t Utf8SequenceLength(std::string_view s) {
  auto byte = [&](size_t i) { return static_cast<unsigned char>(s[i]); };
  auto cont = [&](size_t i) { return i < s.size() && (byte(i) & 0xC0) == 0x80; };
  unsigned char b0 = byte(0);
  if (b0 < 0x80) return 1;
  if (b0 >= 0xC2 && b0 <= 0xDF) return cont(1) ? 2 : 0;
  if (b0 >= 0xE0 && b0 <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    if (b0 == 0xE0 && byte(1) < 0xA0) return 0;   // overlong
    if (b0 == 0xED && byte(1) >= 0xA0) return 0;  // UTF-16 surrogate
    return 3;
  }
  if (b0 >= 0xF0 && b0 <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    if (b0 == 0xF0 && byte(1) < 0x90) return 0;   // overlong
    if (b0 == 0xF4 && byte(1) >= 0x90) return 0;  // beyond U+10FFFF
    return 4;
  }
  return 0;
}

std::string ReplaceInvalidUtf8(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  while (!s.empty()) {
    size_t n = Utf8SequenceLength(s);
    if (n == 0) {
      out += "\xEF\xBF\xBD";
      n = 1;
    } else {
      out.append(s.substr(0, n));
    }
    s.remove_prefix(n);
  }
  return out;
}

}  // namespace

std::string EmbeddableJson(std::string_view payload, std::string_view empty_value) {
  if (payload.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return std::string(empty_value);
  }
  if (IsValidJson(payload)) return MinifyJson(payload);
  return boost::json::serialize(boost::json::string(ReplaceInvalidUtf8(payload)));
}

std::string ErrorMessageOf(std::string_view response_payload) {
  boost::system::error_code ec;
  boost::json::value doc = boost::json::parse(response_payload, ec);
  if (ec || !doc.is_object()) return "";
  const boost::json::value* message = doc.get_object().if_contains("errorMessage");
  return message != nullptr && message->is_string() ? std::string(message->get_string()) : "";
}

std::string BuildInvocationRecord(const Event& event, Condition condition,
                                  const AttemptResult& last,
                                  std::string_view function_arn_qualified, int64_t timestamp_ms) {
  const bool zero_concurrency = condition == Condition::kZeroReservedConcurrency;
  const bool has_response = last.ran && !zero_concurrency;

  // boost::json::object keeps insertion order, which is the order AWS writes these keys in. The
  // two payloads are spliced in as text instead (see the header).
  boost::json::object request_context;
  request_context["requestId"] = event.request_id;
  request_context["functionArn"] = function_arn_qualified;
  request_context["condition"] = ConditionName(condition);
  request_context["approximateInvokeCount"] = zero_concurrency ? 0 : event.attempts;

  std::string out = R"({"version":"1.0","timestamp":)";
  out += boost::json::serialize(boost::json::string(FormatIso8601Millis(timestamp_ms)));
  out += R"(,"requestContext":)";
  out += boost::json::serialize(request_context);
  out += R"(,"requestPayload":)";
  out += EmbeddableJson(event.payload, "{}");
  if (has_response) {
    boost::json::object response_context;
    response_context["statusCode"] = last.status_code;
    response_context["executedVersion"] = last.executed_version;
    if (!last.function_error.empty()) response_context["functionError"] = last.function_error;
    out += R"(,"responseContext":)";
    out += boost::json::serialize(response_context);
    out += R"(,"responsePayload":)";
    out += EmbeddableJson(last.response_payload, "null");
  }
  out += '}';
  return out;
}

}  // namespace lambdalite::queue
