#include "aws/http_client.h"

#include <openssl/ssl.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/error.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/stream_traits.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>
#include <boost/url/parse.hpp>
#include <cctype>
#include <mutex>
#include <optional>

namespace lambdalite::aws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using Clock = std::chrono::steady_clock;

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() &&
         std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}

Error Unavailable(std::string message) {
  return Error::Make(ErrorCode::kUnavailable, std::move(message));
}

// Errors meaning "the peer closed the connection", which on a reused keep-alive connection before
// any response byte usually just means the server timed the idle connection out.
bool IsConnectionClosed(const beast::error_code& ec) {
  return ec == asio::error::eof || ec == asio::error::connection_reset ||
         ec == asio::error::broken_pipe || ec == asio::error::connection_aborted ||
         ec == ssl::error::stream_truncated || ec == http::error::end_of_stream;
}

}  // namespace

std::optional<std::string> FindHeader(const HeaderList& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (EqualsIgnoreCase(key, name)) return value;
  }
  return std::nullopt;
}

void SetHeader(HeaderList* headers, std::string_view name, std::string value) {
  std::erase_if(*headers, [&](const auto& field) { return EqualsIgnoreCase(field.first, name); });
  headers->emplace_back(std::string(name), std::move(value));
}

Result<ParsedUrl> ParseHttpUrl(std::string_view text) {
  auto bad = [&](std::string_view why) {
    return Error::Make(ErrorCode::kInternal,
                       "invalid URL '" + std::string(text) + "': " + std::string(why));
  };
  auto parsed = boost::urls::parse_uri(text);
  if (!parsed) return bad(parsed.error().message());
  const boost::urls::url_view& u = *parsed;
  ParsedUrl out;
  if (EqualsIgnoreCase(u.scheme(), "https")) {
    out.https = true;
  } else if (!EqualsIgnoreCase(u.scheme(), "http")) {
    return bad("scheme must be http or https");
  }
  if (u.has_userinfo()) return bad("user info is not supported");
  out.host = u.host_address();
  if (out.host.empty()) return bad("missing host");
  const uint16_t default_port = out.https ? 443 : 80;
  out.port = default_port;
  if (u.has_port()) {
    if (u.port().empty() || u.port_number() == 0) return bad("invalid port");
    out.port = u.port_number();
  }
  out.host_header = std::string(u.encoded_host());
  if (out.port != default_port) out.host_header += ":" + std::to_string(out.port);
  out.path = std::string(u.encoded_path());
  if (out.path.empty()) out.path = "/";
  if (u.has_query()) out.query = std::string(u.encoded_query());
  return out;
}

// Built on first https use: loading the system CA bundle costs ~100 ms, which a client that only
// ever talks plain http to a local emulator should not pay.
struct HttpClient::TlsContext {
  std::once_flag once;
  std::optional<ssl::context> context;
  std::string error;  // set when extra_ca_file could not be loaded

  void Init(const HttpClientOptions& options) {
    std::call_once(once, [&] {
      context.emplace(ssl::context::tls_client);
      SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
      beast::error_code ec;
      context->set_default_verify_paths(ec);  // a missing system store only matters when verifying
      if (!options.extra_ca_file.empty()) {
        context->load_verify_file(options.extra_ca_file, ec);
        if (ec) error = "cannot load CA file " + options.extra_ca_file + ": " + ec.message();
      }
      context->set_verify_mode(options.verify_peer ? ssl::verify_peer : ssl::verify_none);
    });
  }
};

// One connection and the io_context that drives it. Blocking behaviour with deadlines comes from
// running asynchronous operations on this private io_context: Beast's tcp_stream enforces its
// timeouts only on asynchronous operations.
struct HttpClient::Connection {
  asio::io_context ioc{1};  // declared first: destroyed after the streams that use it
  std::optional<beast::tcp_stream> plain;
  std::optional<beast::ssl_stream<beast::tcp_stream>> tls;
  beast::flat_buffer buffer;
  Clock::time_point idle_since;

  beast::tcp_stream& Tcp() { return tls ? beast::get_lowest_layer(*tls) : *plain; }

  // Runs the io_context until every started operation has completed (the stream's own timeout
  // bounds each of them).
  void Run() {
    ioc.restart();
    ioc.run();
  }
};

namespace {

std::string Describe(const ClientRequest& request, const ParsedUrl& url) {
  return request.method + " " + (url.https ? "https://" : "http://") + url.host_header + url.path;
}

}  // namespace

HttpClient::HttpClient(HttpClientOptions options)
    : options_(std::move(options)), tls_(std::make_unique<TlsContext>()) {}

HttpClient::~HttpClient() = default;

size_t HttpClient::IdleConnectionCount() const {
  std::lock_guard lock(mu_);
  size_t n = 0;
  for (const auto& [key, list] : idle_) n += list.size();
  return n;
}

std::unique_ptr<HttpClient::Connection> HttpClient::TakeIdle(const std::string& key) {
  std::lock_guard lock(mu_);
  auto it = idle_.find(key);
  if (it == idle_.end()) return nullptr;
  auto& list = it->second;
  const auto now = Clock::now();
  while (!list.empty()) {
    std::unique_ptr<Connection> c = std::move(list.back());
    list.pop_back();
    if (now - c->idle_since < options_.idle_timeout) return c;
  }
  return nullptr;
}

void HttpClient::ReturnIdle(const std::string& key, std::unique_ptr<Connection> connection) {
  if (options_.max_idle_per_host == 0) return;
  connection->idle_since = Clock::now();
  connection->Tcp().expires_never();
  std::lock_guard lock(mu_);
  auto& list = idle_[key];
  if (list.size() >= options_.max_idle_per_host) list.erase(list.begin());  // drop the oldest
  list.push_back(std::move(connection));
}

Result<std::unique_ptr<HttpClient::Connection>> HttpClient::Connect(const ParsedUrl& url) {
  auto conn = std::make_unique<Connection>();
  const auto deadline = Clock::now() + options_.connect_timeout;
  const std::string where = url.host + ":" + std::to_string(url.port);

  // An IP literal (the usual case for a local emulator) needs no resolver, which would start a
  // helper thread for this io_context.
  beast::error_code addr_ec;
  const asio::ip::address literal = asio::ip::make_address(url.host, addr_ec);
  const bool is_ip_literal = !addr_ec;

  beast::error_code ec = asio::error::would_block;
  tcp::resolver::results_type endpoints;
  if (!is_ip_literal) {
    // The resolver has no timeout of its own: run the io_context only until the deadline and
    // cancel what is left.
    tcp::resolver resolver(conn->ioc);
    resolver.async_resolve(url.host, std::to_string(url.port),
                           [&](beast::error_code e, tcp::resolver::results_type r) {
                             ec = e;
                             endpoints = std::move(r);
                           });
    conn->ioc.restart();
    conn->ioc.run_until(deadline);
    if (ec == asio::error::would_block) {
      resolver.cancel();
      conn->Run();
      return Unavailable("resolving " + url.host + " timed out");
    }
    if (ec) return Unavailable("resolving " + url.host + " failed: " + ec.message());
  }

  if (url.https) {
    tls_->Init(options_);
    if (!tls_->error.empty()) return Unavailable(tls_->error);
    conn->tls.emplace(conn->ioc, *tls_->context);
  } else {
    conn->plain.emplace(conn->ioc);
  }
  beast::tcp_stream& tcp_stream = conn->Tcp();
  tcp_stream.expires_at(deadline);
  ec = asio::error::would_block;
  if (is_ip_literal) {
    tcp_stream.async_connect(tcp::endpoint(literal, url.port),
                             [&](beast::error_code e) { ec = e; });
  } else {
    tcp_stream.async_connect(endpoints,
                             [&](beast::error_code e, const tcp::endpoint& /*ep*/) { ec = e; });
  }
  conn->Run();
  if (ec == beast::error::timeout) return Unavailable("connecting to " + where + " timed out");
  if (ec) return Unavailable("connecting to " + where + " failed: " + ec.message());
  tcp_stream.socket().set_option(tcp::no_delay(true), ec);

  if (url.https) {
    // SNI is defined for host names only, never for IP literals.
    if (!is_ip_literal && !SSL_set_tlsext_host_name(conn->tls->native_handle(), url.host.c_str())) {
      return Unavailable("TLS to " + where + ": cannot set SNI host name");
    }
    if (options_.verify_peer) {
      conn->tls->set_verify_callback(ssl::host_name_verification(url.host));
    }
    ec = asio::error::would_block;
    conn->tls->async_handshake(ssl::stream_base::client, [&](beast::error_code e) { ec = e; });
    conn->Run();
    if (ec == beast::error::timeout)
      return Unavailable("TLS handshake with " + where + " timed out");
    if (ec) return Unavailable("TLS handshake with " + where + " failed: " + ec.message());
  }
  return conn;
}

Result<ClientResponse> HttpClient::Send(const ClientRequest& request) {
  LAMBDALITE_TRY(ParsedUrl url, ParseHttpUrl(request.url));
  bool retry = false;
  Result<ClientResponse> result = SendOnce(request, url, &retry);
  if (!result.ok() && retry) result = SendOnce(request, url, &retry);
  return result;
}

Result<ClientResponse> HttpClient::SendOnce(const ClientRequest& request, const ParsedUrl& url,
                                            bool* retry_on_fresh) {
  *retry_on_fresh = false;
  const std::string key =
      (url.https ? "https://" : "http://") + url.host + ":" + std::to_string(url.port);
  std::unique_ptr<Connection> conn = TakeIdle(key);
  const bool reused = conn != nullptr;
  if (!conn) {
    LAMBDALITE_TRY(conn, Connect(url));
  }

  http::request<http::string_body> req;
  req.version(11);
  req.method_string(request.method);
  req.target(url.Target());
  for (const auto& [name, value] : request.headers) {
    // The framing headers describe `body` as this client sends it, so they are always computed.
    if (EqualsIgnoreCase(name, "content-length") || EqualsIgnoreCase(name, "transfer-encoding")) {
      continue;
    }
    req.insert(name, value);
  }
  if (req.find(http::field::host) == req.end()) req.set(http::field::host, url.host_header);
  if (req.find(http::field::user_agent) == req.end()) {
    req.set(http::field::user_agent, options_.user_agent);
  }
  req.body() = request.body;
  req.prepare_payload();

  const std::string what = Describe(request, url);
  beast::tcp_stream& tcp_stream = conn->Tcp();
  tcp_stream.expires_after(request.timeout);

  beast::error_code ec = asio::error::would_block;
  auto on_write = [&](beast::error_code e, std::size_t /*bytes*/) { ec = e; };
  if (conn->tls) {
    http::async_write(*conn->tls, req, on_write);
  } else {
    http::async_write(*conn->plain, req, on_write);
  }
  conn->Run();
  if (ec) {
    *retry_on_fresh = reused && IsConnectionClosed(ec);
    if (ec == beast::error::timeout) return Unavailable(what + ": timed out sending the request");
    return Unavailable(what + ": sending the request failed: " + ec.message());
  }

  http::response_parser<http::string_body> parser;
  parser.header_limit(64 * 1024);
  parser.body_limit(request.max_response_bytes);
  if (request.method == "HEAD") parser.skip(true);
  ec = asio::error::would_block;
  auto on_read = [&](beast::error_code e, std::size_t /*bytes*/) { ec = e; };
  if (conn->tls) {
    http::async_read(*conn->tls, conn->buffer, parser, on_read);
  } else {
    http::async_read(*conn->plain, conn->buffer, parser, on_read);
  }
  conn->Run();
  if (ec == ssl::error::stream_truncated && parser.got_some() && !parser.is_done()) {
    // A TLS peer that marks the end of an until-close body by dropping the connection without
    // close_notify: accept the body as complete, as browsers and curl do.
    ec = {};
    parser.put_eof(ec);
  }
  if (ec) {
    if (ec == http::error::body_limit) {
      return Error::Make(ErrorCode::kRequestTooLarge,
                         what + ": response body exceeds the limit of " +
                             std::to_string(request.max_response_bytes) + " bytes");
    }
    *retry_on_fresh = reused && !parser.got_some() && IsConnectionClosed(ec);
    if (ec == beast::error::timeout) return Unavailable(what + ": timed out reading the response");
    return Unavailable(what + ": reading the response failed: " + ec.message());
  }

  http::response<http::string_body> res = parser.release();
  ClientResponse out;
  out.status = static_cast<int>(res.result_int());
  for (const auto& field : res.base()) {
    out.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
  }
  const bool reusable = res.keep_alive() && !res.need_eof() && conn->buffer.size() == 0;
  out.body = std::move(res.body());
  if (reusable) ReturnIdle(key, std::move(conn));
  return out;
}

}  // namespace lambdalite::aws
