#include "api/function_url_http.h"

#include <algorithm>
#include <boost/json.hpp>
#include <cctype>
#include <charconv>
#include <ctime>
#include <map>
#include <vector>

#include "common/crypto.h"
#include "common/utf8.h"

namespace lambdalite::api {

namespace json = boost::json;

namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Query-string decoding: %XX and '+' as a space.
std::string QueryDecode(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out.push_back(' ');
    } else if (s[i] == '%' && i + 2 < s.size() && HexValue(s[i + 1]) >= 0 &&
               HexValue(s[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(s[i + 1]) * 16 + HexValue(s[i + 2])));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

// "12/Mar/2020:19:03:58 +0000", requestContext.time.
std::string RequestTime(int64_t ms) {
  std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  std::strftime(buf, sizeof buf, "%d/%b/%Y:%H:%M:%S +0000", &tm);
  return buf;
}

std::string Join(const std::vector<std::string>& v, std::string_view sep) {
  std::string out;
  for (size_t i = 0; i < v.size(); ++i) {
    if (i > 0) out += sep;
    out += v[i];
  }
  return out;
}

http::HttpResponse BadGateway() {
  http::HttpResponse r;
  r.status = 502;
  r.SetHeader("Content-Type", "application/json");
  r.body = "Internal Server Error";
  return r;
}

bool HasHeader(const http::HttpResponse& r, std::string_view name) {
  return std::any_of(r.headers.begin(), r.headers.end(),
                     [&](const http::Header& h) { return Lower(h.name) == Lower(name); });
}

void RemoveHeader(http::HttpResponse& r, std::string_view name) {
  const std::string lower = Lower(name);
  std::erase_if(r.headers, [&](const http::Header& h) { return Lower(h.name) == lower; });
}

std::string ScalarText(const json::value& v) {
  if (v.is_string()) return std::string(v.get_string());
  return json::serialize(v);
}

// The origin value AWS sends back, or nullopt when the origin is not allowed.
std::optional<std::string> AllowedOrigin(const domain::UrlCors& cors,
                                         const http::HttpRequest& request) {
  const std::string* origin = request.FindHeader("Origin");
  if (origin == nullptr || !cors.allow_origins) return std::nullopt;
  for (const std::string& allowed : *cors.allow_origins) {
    if (allowed == "*") {
      // A credentialed answer may not say "*": the origin itself is echoed then.
      return cors.allow_credentials.value_or(false) ? *origin : std::string("*");
    }
    if (Lower(allowed) == Lower(*origin)) return *origin;
  }
  return std::nullopt;
}

}  // namespace

bool IsTextContentType(std::string_view content_type) {
  const std::string ct = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  if (ct.rfind("text/", 0) == 0) return true;
  for (std::string_view marker : {"json", "xml", "javascript", "yaml", "x-www-form-urlencoded"}) {
    if (ct.find(marker) != std::string::npos) return true;
  }
  return false;
}

std::string BuildUrlEvent(const http::HttpRequest& request, const UrlEventContext& ctx) {
  // Every text from the request goes into JSON, which must be UTF-8: other bytes (a header may
  // carry any octet) become U+FFFD; a body that is not UTF-8 is sent as base64.
  const std::string target = ToValidUtf8(ctx.target);
  const size_t q = target.find('?');
  std::string raw_path = target.substr(0, q);
  if (raw_path.empty()) raw_path = "/";
  const std::string raw_query = q == std::string::npos ? "" : target.substr(q + 1);

  // Headers: lower-cased, repeated ones joined, in first-seen order.
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<std::string> cookies;
  for (const http::Header& header : request.headers) {
    const http::Header h{ToValidUtf8(header.name), ToValidUtf8(header.value)};
    std::string name = Lower(h.name);
    if (name == "cookie") {
      std::string_view rest = h.value;
      while (!rest.empty()) {
        const size_t semi = rest.find(';');
        std::string_view part = Trim(rest.substr(0, semi));
        if (!part.empty()) cookies.emplace_back(part);
        if (semi == std::string_view::npos) break;
        rest.remove_prefix(semi + 1);
      }
      continue;
    }
    auto it = std::find_if(headers.begin(), headers.end(),
                           [&](const auto& p) { return p.first == name; });
    if (it == headers.end()) {
      headers.emplace_back(std::move(name), h.value);
    } else {
      it->second += "," + h.value;
    }
  }
  auto set_header = [&headers](const std::string& name, std::string value) {
    auto it = std::find_if(headers.begin(), headers.end(),
                           [&](const auto& p) { return p.first == name; });
    if (it == headers.end()) headers.emplace_back(name, std::move(value));
  };
  // What AWS's front end adds.
  set_header("x-forwarded-for", request.remote_address);
  set_header("x-forwarded-proto", "http");
  if (!ctx.forwarded_port.empty()) set_header("x-forwarded-port", ctx.forwarded_port);
  set_header("x-amzn-trace-id",
             "Root=1-" + HexEncode(RandomBytes(4)) + "-" + HexEncode(RandomBytes(12)));

  json::object event;
  event["version"] = "2.0";
  event["routeKey"] = "$default";
  event["rawPath"] = raw_path;
  event["rawQueryString"] = raw_query;
  if (!cookies.empty()) {
    json::array c;
    for (const std::string& s : cookies) c.emplace_back(s);
    event["cookies"] = std::move(c);
  }
  json::object h;
  for (const auto& [name, value] : headers) h[name] = value;
  event["headers"] = std::move(h);
  if (!raw_query.empty()) {
    std::vector<std::pair<std::string, std::string>> params;
    std::string_view rest = raw_query;
    while (!rest.empty()) {
      const size_t amp = rest.find('&');
      std::string_view pair = rest.substr(0, amp);
      if (!pair.empty()) {
        const size_t eq = pair.find('=');
        std::string key = ToValidUtf8(QueryDecode(pair.substr(0, eq)));
        std::string value =
            eq == std::string_view::npos ? "" : ToValidUtf8(QueryDecode(pair.substr(eq + 1)));
        auto it = std::find_if(params.begin(), params.end(),
                               [&](const auto& p) { return p.first == key; });
        if (it == params.end()) {
          params.emplace_back(std::move(key), std::move(value));
        } else {
          it->second += "," + value;
        }
      }
      if (amp == std::string_view::npos) break;
      rest.remove_prefix(amp + 1);
    }
    json::object qs;
    for (const auto& [k, v] : params) qs[k] = v;
    event["queryStringParameters"] = std::move(qs);
  }
  const std::string domain = ctx.url_id + ".lambda-url." + ctx.region + ".localhost";
  json::object rc;
  rc["accountId"] = ctx.account_id;
  rc["apiId"] = ctx.url_id;
  if (ctx.access_key_id) {
    json::object iam;
    iam["accessKey"] = *ctx.access_key_id;
    iam["accountId"] = ctx.account_id;
    iam["callerId"] = *ctx.access_key_id;
    iam["cognitoIdentity"] = nullptr;
    iam["principalOrgId"] = nullptr;
    iam["userArn"] = "arn:aws:iam::" + ctx.account_id + ":root";
    iam["userId"] = ctx.account_id;
    rc["authorizer"] = json::object{{"iam", std::move(iam)}};
  }
  rc["domainName"] = domain;
  rc["domainPrefix"] = ctx.url_id;
  const std::string* agent = request.FindHeader("User-Agent");
  rc["http"] = json::object{{"method", ToValidUtf8(request.method)},
                            {"path", raw_path},
                            {"protocol", "HTTP/1.1"},
                            {"sourceIp", request.remote_address},
                            {"userAgent", agent ? ToValidUtf8(*agent) : std::string()}};
  rc["requestId"] = ctx.request_id;
  rc["routeKey"] = "$default";
  rc["stage"] = "$default";
  rc["time"] = RequestTime(ctx.time_ms);
  rc["timeEpoch"] = ctx.time_ms;
  event["requestContext"] = std::move(rc);
  bool base64 = false;
  if (!request.body.empty()) {
    const std::string* ct = request.FindHeader("Content-Type");
    base64 = ct == nullptr || !IsTextContentType(*ct) || !IsValidUtf8(request.body);
    event["body"] = base64 ? Base64Encode(request.body) : request.body;
  }
  event["isBase64Encoded"] = base64;
  return json::serialize(event);
}

http::HttpResponse MapUrlResult(std::string_view payload, bool function_error) {
  if (function_error) return BadGateway();
  http::HttpResponse r;
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(payload.data(), payload.size()), ec);
  if (ec) {
    // Not JSON (a runtime that answers raw bytes): passed through.
    r.SetHeader("Content-Type", "application/json");
    r.body = std::string(payload);
    return r;
  }
  if (!v.is_object() || !v.get_object().contains("statusCode")) {
    r.SetHeader("Content-Type", "application/json");
    r.body = v.is_string() ? std::string(v.get_string()) : json::serialize(v);
    return r;
  }
  const json::object& o = v.get_object();
  const json::value& code = o.at("statusCode");
  int status = 0;
  if (code.is_int64()) {
    status = static_cast<int>(code.get_int64());
  } else if (code.is_uint64()) {
    status = static_cast<int>(code.get_uint64());
  } else if (code.is_string()) {
    std::string_view s = code.get_string();
    auto [ptr, err] = std::from_chars(s.data(), s.data() + s.size(), status);
    if (err != std::errc() || ptr != s.data() + s.size()) return BadGateway();
  } else {
    return BadGateway();
  }
  if (status < 100 || status > 599) return BadGateway();
  r.status = status;
  if (const json::value* headers = o.if_contains("headers"); headers && headers->is_object()) {
    for (const auto& [name, value] : headers->get_object()) {
      if (value.is_null()) continue;
      r.SetHeader(std::string(name), ScalarText(value));
    }
  }
  if (const json::value* cookies = o.if_contains("cookies"); cookies && cookies->is_array()) {
    for (const json::value& c : cookies->get_array()) {
      if (c.is_string()) r.SetHeader("Set-Cookie", std::string(c.get_string()));
    }
  }
  std::string body;
  if (const json::value* b = o.if_contains("body"); b && !b->is_null()) body = ScalarText(*b);
  const json::value* b64 = o.if_contains("isBase64Encoded");
  if (b64 && b64->is_bool() && b64->get_bool()) {
    std::string decoded;
    if (!Base64Decode(body, &decoded)) return BadGateway();
    body = std::move(decoded);
  }
  r.body = std::move(body);
  if (!HasHeader(r, "Content-Type")) r.SetHeader("Content-Type", "application/json");
  return r;
}

http::HttpResponse MapStreamHead(std::string_view metadata) {
  boost::system::error_code ec;
  json::value v = json::parse(json::string_view(metadata.data(), metadata.size()), ec);
  if (ec || !v.is_object()) return BadGateway();
  json::object o = std::move(v.get_object());
  if (!o.contains("statusCode")) o["statusCode"] = 200;
  o.erase("body");
  o.erase("isBase64Encoded");
  bool has_type = false;
  if (const json::value* headers = o.if_contains("headers"); headers && headers->is_object()) {
    for (const auto& [name, value] : headers->get_object()) {
      if (Lower(name) == "content-type") has_type = true;
    }
  }
  if (!has_type) {
    json::value& headers = o["headers"];
    if (!headers.is_object()) headers = json::object();
    headers.get_object()["Content-Type"] = "application/octet-stream";
  }
  return MapUrlResult(json::serialize(o), false);
}

bool IsPreflight(const http::HttpRequest& request) {
  return request.method == "OPTIONS" && request.FindHeader("Origin") != nullptr &&
         request.FindHeader("Access-Control-Request-Method") != nullptr;
}

http::HttpResponse PreflightResponse(const domain::UrlCors& cors,
                                     const http::HttpRequest& request) {
  http::HttpResponse r;
  r.status = 200;
  auto origin = AllowedOrigin(cors, request);
  if (!origin) return r;
  r.SetHeader("Access-Control-Allow-Origin", *origin);
  if (cors.allow_methods && !cors.allow_methods->empty()) {
    r.SetHeader("Access-Control-Allow-Methods", Join(*cors.allow_methods, ","));
  }
  if (cors.allow_headers && !cors.allow_headers->empty()) {
    r.SetHeader("Access-Control-Allow-Headers", Join(*cors.allow_headers, ","));
  }
  if (cors.allow_credentials.value_or(false)) {
    r.SetHeader("Access-Control-Allow-Credentials", "true");
  }
  if (cors.max_age) r.SetHeader("Access-Control-Max-Age", std::to_string(*cors.max_age));
  if (*origin != "*") r.SetHeader("Vary", "Origin");
  return r;
}

void AddCorsHeaders(const domain::UrlCors& cors, const http::HttpRequest& request,
                    http::HttpResponse& response) {
  for (std::string_view name : {"Access-Control-Allow-Origin", "Access-Control-Allow-Methods",
                                "Access-Control-Allow-Headers", "Access-Control-Allow-Credentials",
                                "Access-Control-Expose-Headers", "Access-Control-Max-Age"}) {
    RemoveHeader(response, name);
  }
  auto origin = AllowedOrigin(cors, request);
  if (!origin) return;
  response.SetHeader("Access-Control-Allow-Origin", *origin);
  if (cors.allow_credentials.value_or(false)) {
    response.SetHeader("Access-Control-Allow-Credentials", "true");
  }
  if (cors.expose_headers && !cors.expose_headers->empty()) {
    response.SetHeader("Access-Control-Expose-Headers", Join(*cors.expose_headers, ","));
  }
  if (*origin != "*") response.SetHeader("Vary", "Origin");
}

}  // namespace lambdalite::api
