#include "http/response_writer.h"

#include <charconv>
#include <cstdint>
#include <ctime>

#include "common/ids.h"
#include "common/log.h"

namespace lambdalite::http::internal {
namespace {

bool IsTokenChar(char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool IsValidName(std::string_view name) {
  if (name.empty()) return false;
  for (char c : name) {
    if (!IsTokenChar(c)) return false;
  }
  return true;
}

bool IsValidValue(std::string_view value) {
  for (char c : value) {
    if (c == '\r' || c == '\n' || c == '\0') return false;
  }
  return true;
}

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ToLowerAscii(a[i]) != ToLowerAscii(b[i])) return false;
  }
  return true;
}

// Whether a comma-separated header value lists `token` (case-insensitive).
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    size_t comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (EqualsIgnoreCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

// Clients ignore the reason phrase (RFC 9112 section 4); it is there for people reading traces.
std::string_view ReasonPhrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 206:
      return "Partial Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 307:
      return "Temporary Redirect";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 410:
      return "Gone";
    case 411:
      return "Length Required";
    case 412:
      return "Precondition Failed";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 416:
      return "Range Not Satisfiable";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Status";
  }
}

void AppendNumber(uint64_t n, std::string* out) {
  char digits[24];
  auto [end, ec] = std::to_chars(digits, digits + sizeof digits, n);
  out->append(digits, end);
}

// The Date line changes once a second; formatting it per response would cost a gmtime + strftime,
// so each thread caches the last one.
void AppendDateHeader(std::string* out) {
  struct Cache {
    std::time_t second = -1;
    char text[64];
    size_t size = 0;
  };
  thread_local Cache cache;
  std::time_t now = std::time(nullptr);
  if (now != cache.second) {
    std::tm tm{};
    gmtime_r(&now, &tm);
    cache.size =
        std::strftime(cache.text, sizeof cache.text, "Date: %a, %d %b %Y %H:%M:%S GMT\r\n", &tm);
    cache.second = now;
  }
  out->append(cache.text, cache.size);
}

}  // namespace

ResponseFraming SerializeResponseHead(const HttpResponse& response,
                                      const ResponseHeadParams& params, std::string* out) {
  ResponseFraming framing;
  framing.close = !params.keep_alive;
  const int status = response.status;
  const bool bodiless_status = status < 200 || status == 204 || status == 304;

  out->clear();
  out->append("HTTP/1.1 ");
  AppendNumber(static_cast<uint64_t>(status), out);
  out->push_back(' ');
  out->append(ReasonPhrase(status));
  out->append("\r\nServer: lambdalite\r\n");

  bool has_date = false;
  for (const Header& header : response.headers) {
    if (!IsValidName(header.name) || !IsValidValue(header.value)) {
      LogWarn("http: dropping invalid response header '" + header.name + "'");
      continue;
    }
    if (EqualsIgnoreCase(header.name, "Content-Length") ||
        EqualsIgnoreCase(header.name, "Transfer-Encoding") ||
        EqualsIgnoreCase(header.name, "Server")) {
      continue;
    }
    if (EqualsIgnoreCase(header.name, "Connection")) {
      if (HasToken(header.value, "close")) framing.close = true;
      continue;
    }
    if (EqualsIgnoreCase(header.name, "Date")) has_date = true;
    out->append(header.name);
    out->append(": ");
    out->append(header.value);
    out->append("\r\n");
  }
  if (!has_date) AppendDateHeader(out);
  if (params.streamed && params.http10) framing.close = true;
  if (params.streamed) {
    if (!bodiless_status && !params.http10) out->append("Transfer-Encoding: chunked\r\n");
  } else if (!bodiless_status) {
    out->append("Content-Length: ");
    AppendNumber(response.body.size(), out);
    out->append("\r\n");
  }
  if (framing.close) {
    out->append("Connection: close\r\n");
  } else if (params.http10) {
    out->append("Connection: keep-alive\r\n");
  }
  out->append("\r\n");
  framing.send_body =
      !bodiless_status && !params.head_request && (params.streamed || !response.body.empty());
  return framing;
}

HttpResponse InternalErrorResponse() {
  HttpResponse response;
  response.status = 500;
  response.SetHeader("Content-Type", "application/json");
  response.SetHeader("x-amzn-ErrorType", "ServiceException");
  response.SetHeader("x-amzn-RequestId", NewUuid());
  response.body = R"({"Type":"Service","Message":"Internal error"})";
  return response;
}

HttpResponse TransportErrorResponse(int status, std::string_view message) {
  HttpResponse response;
  response.status = status;
  response.SetHeader("Content-Type", "application/json");
  response.body.reserve(message.size() + 16);
  response.body.append(R"({"message":")");
  // The messages are fixed strings of ours; escape anyway so the body is always valid JSON.
  for (char c : message) {
    if (c == '"' || c == '\\') response.body.push_back('\\');
    if (static_cast<unsigned char>(c) >= 0x20) response.body.push_back(c);
  }
  response.body.append(R"("})");
  return response;
}

}  // namespace lambdalite::http::internal
