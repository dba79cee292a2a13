#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace lambdalite::aws {

// HTTP header fields in the order they were added or received. Names keep their spelling; every
// lookup is case-insensitive. A name may repeat.
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// The value of the first header named `name` (case-insensitive), or nullopt.
std::optional<std::string> FindHeader(const HeaderList& headers, std::string_view name);
// Replaces every header named `name` (case-insensitive) by a single `name: value`.
void SetHeader(HeaderList* headers, std::string_view name, std::string value);

// Default limit on a response body: large enough for a 250 MB unzipped deployment package sent
// zipped, small enough that a misconfigured endpoint cannot exhaust memory.
inline constexpr uint64_t kDefaultMaxResponseBytes = 300ull * 1024 * 1024;

struct ClientRequest {
  std::string method = "GET";
  // Absolute http:// or https:// URL, already percent-encoded; it is sent as written.
  std::string url;
  // Sent as given. Host and User-Agent are filled in when absent; Content-Length is always computed
  // from `body`.
  HeaderList headers;
  std::string body;
  // Deadline for the whole exchange after the connection is up: writing the request and reading
  // the complete response. Connecting has its own limit (HttpClientOptions::connect_timeout).
  std::chrono::milliseconds timeout{30'000};
  // A response whose body would exceed this many bytes fails with kRequestTooLarge.
  uint64_t max_response_bytes = kDefaultMaxResponseBytes;
};

struct ClientResponse {
  int status = 0;
  HeaderList headers;
  std::string body;  // de-chunked; binary-safe
};

struct HttpClientOptions {
  // Limit for name resolution, TCP connect and (for https) the TLS handshake, together. (A hung
  // DNS lookup can overrun it: getaddrinfo cannot be interrupted. IP literals skip resolution.)
  std::chrono::milliseconds connect_timeout{10'000};
  // https: verify the server's certificate chain and host name. The system's default CA paths are
  // always trusted; `extra_ca_file` (PEM) adds to them, e.g. for a local emulator's own CA.
  bool verify_peer = true;
  std::string extra_ca_file;
  // Idle keep-alive connections kept per scheme+host+port; 0 disables reuse. An idle connection
  // older than `idle_timeout` is closed instead of reused.
  size_t max_idle_per_host = 4;
  std::chrono::milliseconds idle_timeout{15'000};
  // Sent when the request has no User-Agent header.
  std::string user_agent = "lambdalite";
};

// The pieces of an http(s) URL that the client and the signer need.
struct ParsedUrl {
  bool https = false;
  std::string host;         // decoded, without IPv6 brackets: what is resolved and used for SNI
  uint16_t port = 0;        // explicit or the scheme default
  std::string host_header;  // "host" or "host:port" (port only when not the default), as sent
  std::string path;         // percent-encoded path as sent; "/" when the URL has none
  std::string query;        // percent-encoded query without '?', possibly empty
  // path, plus "?query" when the URL has a query: the HTTP request-target.
  std::string Target() const { return query.empty() ? path : path + "?" + query; }
};

// Parses an absolute http(s) URL. Fails (kInternal: a configuration or programming error) on other
// schemes, user info, or malformed input.
Result<ParsedUrl> ParseHttpUrl(std::string_view url);

// A small synchronous HTTP/1.1 client over Boost.Beast, for http and https.
//
// Thread-safe: any number of threads may call Send concurrently. Each call uses a connection of its
// own, taken from a per-host keep-alive pool or newly opened. A pooled connection that turns out to
// have been closed by the server before any response byte arrived is replaced once, transparently.
//
// Failures: transport problems and timeouts are kUnavailable (retryable); a response over
// max_response_bytes is kRequestTooLarge; a bad URL is kInternal. Any HTTP status, including 4xx
// and 5xx, is a successful Send.
class HttpClient {
 public:
  explicit HttpClient(HttpClientOptions options = {});
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  Result<ClientResponse> Send(const ClientRequest& request);

  // Number of idle pooled connections (all hosts). For tests.
  size_t IdleConnectionCount() const;

 private:
  struct Connection;
  struct TlsContext;

  Result<ClientResponse> SendOnce(const ClientRequest& request, const ParsedUrl& url,
                                  bool* retry_on_fresh);
  std::unique_ptr<Connection> TakeIdle(const std::string& key);
  void ReturnIdle(const std::string& key, std::unique_ptr<Connection> connection);
  Result<std::unique_ptr<Connection>> Connect(const ParsedUrl& url);

  const HttpClientOptions options_;
  std::unique_ptr<TlsContext> tls_;
  mutable std::mutex mu_;
  std::map<std::string, std::vector<std::unique_ptr<Connection>>> idle_;  // guarded by mu_
};

}  // namespace lambdalite::aws
