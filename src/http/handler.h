#pragma once

// The transport contract. The HTTP layer (Beast) parses a request into HttpRequest, hands it to a
// RequestHandler and writes back the HttpResponse. It knows nothing about AWS.

#include <string>
#include <utility>
#include <vector>

namespace lambdalite::http {

struct Header {
  std::string name;  // as received; look-ups are case-insensitive
  std::string value;
};

struct HttpRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // raw request-target: path plus optional "?query", still percent-encoded
  std::vector<Header> headers;
  std::string body;
  std::string remote_address;

  // Case-insensitive header look-up; nullptr when absent.
  const std::string* FindHeader(std::string_view name) const;
};

struct HttpResponse {
  int status = 200;
  std::vector<Header> headers;
  std::string body;

  void SetHeader(std::string name, std::string value) {
    headers.push_back(Header{std::move(name), std::move(value)});
  }
};

// Implemented by the AWS API router and by the Runtime API. Handle may be called concurrently
// from several I/O threads; it may block (e.g. on a durable commit) but should be short.
// It must not throw; the server still catches and answers 500 if it does.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual HttpResponse Handle(const HttpRequest& request) = 0;

  // The largest body accepted for this method + target before reading it; the server answers 413
  // through OnBodyTooLarge when a request exceeds it.
  virtual size_t BodyLimit(const std::string& method, const std::string& target) const = 0;
  virtual HttpResponse OnBodyTooLarge(const std::string& method, const std::string& target) = 0;
};

}  // namespace lambdalite::http
