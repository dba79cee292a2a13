#include "aws/aws_client.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>
#include <cstdlib>

#include "aws/sigv4.h"

namespace lambdalite::aws {
namespace {

// Removes "namespace#" before and ":detail" after an error type name.
std::string BareErrorCode(std::string_view code) {
  if (size_t hash = code.rfind('#'); hash != std::string_view::npos) code.remove_prefix(hash + 1);
  if (size_t colon = code.find(':'); colon != std::string_view::npos) code = code.substr(0, colon);
  return std::string(code);
}

void AppendUtf8(uint32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x110000) {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string XmlUnescape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] != '&') {
      out.push_back(s[i]);
      continue;
    }
    size_t semi = s.find(';', i);
    if (semi == std::string_view::npos) {
      out.push_back('&');
      continue;
    }
    std::string_view entity = s.substr(i + 1, semi - i - 1);
    if (entity == "amp") {
      out.push_back('&');
    } else if (entity == "lt") {
      out.push_back('<');
    } else if (entity == "gt") {
      out.push_back('>');
    } else if (entity == "quot") {
      out.push_back('"');
    } else if (entity == "apos") {
      out.push_back('\'');
    } else if (entity.size() > 1 && entity[0] == '#') {
      const bool hex = entity[1] == 'x' || entity[1] == 'X';
      std::string digits(entity.substr(hex ? 2 : 1));
      char* end = nullptr;
      unsigned long cp = std::strtoul(digits.c_str(), &end, hex ? 16 : 10);
      if (digits.empty() || end != digits.c_str() + digits.size()) {
        out.push_back('&');
        continue;
      }
      AppendUtf8(static_cast<uint32_t>(cp), &out);
    } else {
      out.push_back('&');
      continue;
    }
    i = semi;
  }
  return out;
}

}  // namespace

std::optional<std::string> XmlElementText(std::string_view xml, std::string_view element) {
  // Built with append rather than operator+: GCC 12 at -O3 reports a bogus -Wrestrict for
  // `"<" + std::string(...)` (GCC bug 105329).
  std::string open("<");
  open.append(element).append(">");
  std::string close("</");
  close.append(element).append(">");
  std::string empty("<");
  empty.append(element).append("/>");
  size_t start = xml.find(open);
  if (start == std::string_view::npos) {
    // An empty element is written <Message/>.
    if (xml.find(empty) != std::string_view::npos) return "";
    return std::nullopt;
  }
  start += open.size();
  size_t end = xml.find(close, start);
  if (end == std::string_view::npos) return std::nullopt;
  return XmlUnescape(xml.substr(start, end - start));
}

ServiceError ParseServiceError(const ClientResponse& response) {
  ServiceError error;
  error.status = response.status;
  std::string_view body = response.body;
  size_t first = body.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && body[first] == '<') {
    error.code = BareErrorCode(XmlElementText(body, "Code").value_or(""));
    error.message = XmlElementText(body, "Message").value_or("");
  } else if (first != std::string_view::npos && body[first] == '{') {
    boost::system::error_code ec;
    boost::json::value doc = boost::json::parse(body, ec);
    if (!ec && doc.is_object()) {
      const auto& obj = doc.get_object();
      for (const char* field : {"__type", "code", "Code"}) {
        if (auto* v = obj.if_contains(field); v && v->is_string()) {
          error.code = BareErrorCode(v->get_string());
          break;
        }
      }
      for (const char* field : {"message", "Message", "errorMessage"}) {
        if (auto* v = obj.if_contains(field); v && v->is_string()) {
          error.message = std::string(v->get_string());
          break;
        }
      }
    }
  }
  if (auto type = FindHeader(response.headers, "x-amzn-ErrorType"); type && !type->empty()) {
    error.code = BareErrorCode(*type);
  }
  return error;
}

std::string FormEncode(const std::vector<std::pair<std::string, std::string>>& params) {
  std::string out;
  for (const auto& [name, value] : params) {
    if (!out.empty()) out += '&';
    out += UriEncode(name, false) + "=" + UriEncode(value, false);
  }
  return out;
}

AwsClient::AwsClient(HttpClient* http, const Config& config, std::string service,
                     std::string region, const Clock* clock)
    : http_(http),
      credentials_(config.credentials),
      service_(std::move(service)),
      region_(region.empty() ? config.region : std::move(region)),
      endpoint_(ResolveEndpoint(config, service_, region_)),
      clock_(clock) {
  if (clock_ == nullptr) {
    static const SystemClock kSystemClock;
    clock_ = &kSystemClock;
  }
}

ClientRequest AwsClient::NewRequest(std::string method, std::string_view path_and_query) const {
  ClientRequest request;
  request.method = std::move(method);
  request.url = endpoint_ + std::string(path_and_query);
  request.timeout = timeout_;
  return request;
}

Result<ClientResponse> AwsClient::SignAndSend(ClientRequest request) const {
  SigningParams params;
  params.credentials = credentials_;
  params.region = region_;
  params.service = service_;
  params.time_ms = clock_->NowMillis();
  params.options = SigningOptions::ForService(service_);
  LAMBDALITE_RETURN_IF_ERROR(SignRequest(params, &request));
  return http_->Send(request);
}

Result<ClientResponse> AwsClient::CallJson(std::string_view target, std::string_view json_version,
                                           std::string body) const {
  ClientRequest request = NewRequest("POST", "/");
  request.headers.emplace_back("Content-Type",
                               "application/x-amz-json-" + std::string(json_version));
  request.headers.emplace_back("X-Amz-Target", std::string(target));
  request.body = std::move(body);
  return SignAndSend(std::move(request));
}

Result<ClientResponse> AwsClient::CallQuery(
    std::string_view action, std::string_view version,
    const std::vector<std::pair<std::string, std::string>>& params) const {
  std::vector<std::pair<std::string, std::string>> all = {{"Action", std::string(action)},
                                                          {"Version", std::string(version)}};
  all.insert(all.end(), params.begin(), params.end());
  ClientRequest request = NewRequest("POST", "/");
  request.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded; charset=utf-8");
  request.body = FormEncode(all);
  return SignAndSend(std::move(request));
}

}  // namespace lambdalite::aws
