#pragma once

// The transport contract. The HTTP layer (Beast) parses a request into HttpRequest, hands it to a
// RequestHandler and writes back the HttpResponse. It knows nothing about AWS.

#include <functional>
#include <string>
#include <string_view>
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

// Implemented by the AWS API router and by the Runtime API. Every method may be called
// concurrently from several threads. Handle may block (e.g. on a durable commit); the server runs
// it where a long call cannot starve other connections. BodyLimit, OnBodyTooLarge and HandleAsync
// run on an I/O thread and must not block. None should throw; the server still catches and
// answers 500 if one does.
class RequestHandler {
 public:
  virtual ~RequestHandler() = default;
  virtual HttpResponse Handle(const HttpRequest& request) = 0;

  // The largest body accepted for this method + target before reading it; the server answers 413
  // through OnBodyTooLarge when a request exceeds it.
  virtual size_t BodyLimit(const std::string& method, const std::string& target) const = 0;
  virtual HttpResponse OnBodyTooLarge(const std::string& method, const std::string& target) = 0;

  // Optional asynchronous variant, for requests that wait on something else (e.g. the Runtime
  // API's long-polled GET /runtime/invocation/next), so that waiting holds no thread. The server
  // calls it before Handle, on an I/O thread; it must not block.
  //  - Return false (the default) to have the server call Handle instead; `done` is then unused.
  //  - Return true to answer later: call `done` once, from any thread, at any time (also before
  //    returning). Further calls are ignored. Destroying every copy of `done` without calling it
  //    answers 500. Calling or destroying `done` after the connection closed, or after the server
  //    was stopped or destroyed, is harmless.
  // `request` is valid only during this call: copy what must outlive it.
  virtual bool HandleAsync(const HttpRequest& /*request*/,
                           std::function<void(HttpResponse)> /*done*/) {
    return false;
  }
};

}  // namespace lambdalite::http
