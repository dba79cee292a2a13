#include "aws/http_client.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace lambdalite::aws {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using Request = http::request<http::string_body>;

// What the test server does with one request.
struct Reply {
  std::string raw;  // bytes written back verbatim
  std::chrono::milliseconds delay{0};
  bool close_after = false;  // close the connection after writing, whatever the headers say
};

std::string Ok(std::string_view body, std::string_view extra_headers = "") {
  return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" +
         std::string(extra_headers) + "\r\n" + std::string(body);
}

// A tiny HTTP/1.1 server on 127.0.0.1 with one thread per connection, optionally over TLS.
class TestServer {
 public:
  using Handler = std::function<Reply(const Request&)>;

  explicit TestServer(Handler handler, ssl::context* tls = nullptr)
      : handler_(std::move(handler)),
        tls_(tls),
        acceptor_(ioc_, {asio::ip::make_address("127.0.0.1"), 0}) {
    port_ = acceptor_.local_endpoint().port();
    accept_thread_ = std::thread([this] { AcceptLoop(); });
  }

  ~TestServer() {
    stopping_ = true;
    ::shutdown(acceptor_.native_handle(), SHUT_RDWR);
    beast::error_code ec;
    acceptor_.close(ec);
    accept_thread_.join();
    std::vector<std::thread> threads;
    {
      std::lock_guard lock(mu_);
      for (int fd : open_fds_) ::shutdown(fd, SHUT_RDWR);
      threads.swap(threads_);
    }
    for (auto& t : threads) t.join();
  }

  uint16_t port() const { return port_; }
  int connections() const { return connections_.load(); }
  std::string Url(std::string_view path = "/") const {
    return std::string(tls_ ? "https" : "http") + "://127.0.0.1:" + std::to_string(port_) +
           std::string(path);
  }
  std::vector<Request> requests() const {
    std::lock_guard lock(mu_);
    return requests_;
  }

 private:
  void AcceptLoop() {
    while (!stopping_) {
      tcp::socket socket(ioc_);
      beast::error_code ec;
      acceptor_.accept(socket, ec);
      if (ec) return;
      ++connections_;
      std::lock_guard lock(mu_);
      open_fds_.push_back(socket.native_handle());
      threads_.emplace_back([this, s = std::move(socket)]() mutable { Serve(std::move(s)); });
    }
  }

  template <typename Stream>
  void ServeStream(Stream& stream) {
    beast::flat_buffer buffer;
    while (true) {
      Request req;
      beast::error_code ec;
      http::read(stream, buffer, req, ec);
      if (ec) return;
      Reply reply = handler_(req);
      {
        std::lock_guard lock(mu_);
        requests_.push_back(req);
      }
      if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
      asio::write(stream, asio::buffer(reply.raw), ec);
      if (ec || reply.close_after || !req.keep_alive() ||
          reply.raw.find("Connection: close") != std::string::npos) {
        return;
      }
    }
  }

  void Serve(tcp::socket socket) {
    if (tls_ == nullptr) {
      ServeStream(socket);
    } else {
      ssl::stream<tcp::socket&> stream(socket, *tls_);
      beast::error_code ec;
      stream.handshake(ssl::stream_base::server, ec);
      if (!ec) ServeStream(stream);
    }
    beast::error_code ec;
    socket.shutdown(tcp::socket::shutdown_both, ec);
    socket.close(ec);
  }

  Handler handler_;
  ssl::context* tls_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  uint16_t port_ = 0;
  std::atomic<bool> stopping_{false};
  std::atomic<int> connections_{0};
  std::thread accept_thread_;
  mutable std::mutex mu_;
  std::vector<std::thread> threads_;
  std::vector<int> open_fds_;
  std::vector<Request> requests_;
};

ClientRequest Get(std::string url) {
  ClientRequest r;
  r.url = std::move(url);
  r.timeout = std::chrono::seconds(10);
  return r;
}

TEST(HttpClientTest, ParseHttpUrl) {
  auto u = ParseHttpUrl("http://127.0.0.1:5000/a%20b/c?x=1&y=%2F");
  ASSERT_TRUE(u.ok());
  EXPECT_FALSE(u->https);
  EXPECT_EQ(u->host, "127.0.0.1");
  EXPECT_EQ(u->port, 5000);
  EXPECT_EQ(u->host_header, "127.0.0.1:5000");
  EXPECT_EQ(u->path, "/a%20b/c");
  EXPECT_EQ(u->query, "x=1&y=%2F");
  EXPECT_EQ(u->Target(), "/a%20b/c?x=1&y=%2F");

  auto s = ParseHttpUrl("HTTPS://s3.us-east-1.amazonaws.com");
  ASSERT_TRUE(s.ok());
  EXPECT_TRUE(s->https);
  EXPECT_EQ(s->port, 443);
  EXPECT_EQ(s->host_header, "s3.us-east-1.amazonaws.com");
  EXPECT_EQ(s->Target(), "/");

  auto v6 = ParseHttpUrl("http://[::1]:8080/x");
  ASSERT_TRUE(v6.ok());
  EXPECT_EQ(v6->host, "::1");
  EXPECT_EQ(v6->host_header, "[::1]:8080");

  EXPECT_FALSE(ParseHttpUrl("ftp://example.com/").ok());
  EXPECT_FALSE(ParseHttpUrl("http://user:pw@example.com/").ok());
  EXPECT_FALSE(ParseHttpUrl("/relative").ok());
  EXPECT_FALSE(ParseHttpUrl("http:///nohost").ok());
  EXPECT_EQ(ParseHttpUrl("not a url").error().code, ErrorCode::kInternal);
}

TEST(HttpClientTest, HeaderHelpers) {
  HeaderList h = {{"Content-Type", "a"}, {"content-type", "b"}, {"X", "1"}};
  EXPECT_EQ(FindHeader(h, "CONTENT-TYPE"), "a");
  EXPECT_FALSE(FindHeader(h, "missing"));
  SetHeader(&h, "Content-type", "c");
  EXPECT_EQ(h.size(), 2u);
  EXPECT_EQ(FindHeader(h, "content-type"), "c");
}

TEST(HttpClientTest, SimpleGet) {
  TestServer server([](const Request&) { return Reply{Ok("hello", "X-Test: yes\r\n")}; });
  HttpClient client;
  ClientRequest req = Get(server.Url("/path%20x?q=1"));
  req.headers = {{"X-Custom", "v1"}};
  auto res = client.Send(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "hello");
  EXPECT_EQ(FindHeader(res->headers, "x-test"), "yes");
  auto seen = server.requests();
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].method_string(), "GET");
  EXPECT_EQ(seen[0].target(), "/path%20x?q=1");
  EXPECT_EQ(seen[0][http::field::host], "127.0.0.1:" + std::to_string(server.port()));
  EXPECT_EQ(seen[0][http::field::user_agent], "lambdalite");
  EXPECT_EQ(seen[0]["X-Custom"], "v1");
}

TEST(HttpClientTest, ErrorStatusIsAResponse) {
  TestServer server([](const Request&) {
    return Reply{"HTTP/1.1 404 Not Found\r\nContent-Length: 7\r\n\r\nmissing"};
  });
  HttpClient client;
  auto res = client.Send(Get(server.Url()));
  ASSERT_TRUE(res.ok());
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->body, "missing");
}

TEST(HttpClientTest, ChunkedResponse) {
  TestServer server([](const Request&) {
    return Reply{
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"};
  });
  HttpClient client;
  auto res = client.Send(Get(server.Url()));
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "hello world");
}

TEST(HttpClientTest, BodyUntilClose) {
  TestServer server([](const Request&) {
    return Reply{"HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", {}, true};
  });
  HttpClient client;
  auto res = client.Send(Get(server.Url()));
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "until the end");
  EXPECT_EQ(client.IdleConnectionCount(), 0u);
}

TEST(HttpClientTest, BinaryBodyRoundTrip) {
  TestServer server([](const Request& req) {
    return Reply{Ok(req.body(), "Content-Type: application/octet-stream\r\n")};
  });
  std::string payload(1 << 20, '\0');
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = static_cast<char>((i * 7919) >> 3);
  HttpClient client;
  ClientRequest req = Get(server.Url("/echo"));
  req.method = "PUT";
  req.body = payload;
  req.headers = {{"Content-Length", "1"}};  // ignored: the client frames the body itself
  auto res = client.Send(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body.size(), payload.size());
  EXPECT_TRUE(res->body == payload);
}

TEST(HttpClientTest, BodyLimit) {
  TestServer server([](const Request& req) {
    if (req.target() == "/chunked") {
      std::string chunk(100, 'x');
      return Reply{"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n" + chunk +
                   "\r\n64\r\n" + chunk + "\r\n0\r\n\r\n"};
    }
    return Reply{Ok(std::string(1000, 'x'))};
  });
  HttpClient client;
  ClientRequest req = Get(server.Url());
  req.max_response_bytes = 100;
  auto res = client.Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kRequestTooLarge);
  EXPECT_NE(res.error().message.find("limit of 100 bytes"), std::string::npos);

  req.url = server.Url("/chunked");
  req.max_response_bytes = 150;
  res = client.Send(req);
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kRequestTooLarge);

  req.max_response_bytes = 200;
  res = client.Send(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body.size(), 200u);
}

TEST(HttpClientTest, ReadTimeout) {
  TestServer server([](const Request&) {
    return Reply{Ok("late"), std::chrono::milliseconds(700)};
  });
  HttpClient client;
  ClientRequest req = Get(server.Url());
  req.timeout = std::chrono::milliseconds(100);
  const auto start = std::chrono::steady_clock::now();
  auto res = client.Send(req);
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(res.error().message.find("timed out"), std::string::npos) << res.error().message;
  EXPECT_LT(elapsed, std::chrono::milliseconds(600));
}

TEST(HttpClientTest, ConnectionRefused) {
  uint16_t port;
  {
    asio::io_context ioc;
    tcp::acceptor a(ioc, {asio::ip::make_address("127.0.0.1"), 0});
    port = a.local_endpoint().port();
  }
  HttpClient client;
  auto res = client.Send(Get("http://127.0.0.1:" + std::to_string(port) + "/"));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(res.error().message.find("connecting to 127.0.0.1"), std::string::npos);
}

TEST(HttpClientTest, KeepAliveReusesConnection) {
  TestServer server([](const Request&) { return Reply{Ok("x")}; });
  HttpClient client;
  for (int i = 0; i < 5; ++i) {
    auto res = client.Send(Get(server.Url()));
    ASSERT_TRUE(res.ok()) << res.error().message;
  }
  EXPECT_EQ(server.connections(), 1);
  EXPECT_EQ(client.IdleConnectionCount(), 1u);
}

TEST(HttpClientTest, NoPoolingWhenDisabled) {
  TestServer server([](const Request&) { return Reply{Ok("x")}; });
  HttpClientOptions options;
  options.max_idle_per_host = 0;
  HttpClient client(options);
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(client.Send(Get(server.Url())).ok());
  EXPECT_EQ(server.connections(), 3);
}

// The server drops a kept-alive connection while it sits idle in the pool; the next request must
// quietly move to a new connection.
TEST(HttpClientTest, StalePooledConnectionIsReplaced) {
  TestServer server([](const Request&) { return Reply{Ok("x"), {}, /*close_after=*/true}; });
  HttpClient client;
  ASSERT_TRUE(client.Send(Get(server.Url())).ok());
  EXPECT_EQ(client.IdleConnectionCount(), 1u);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  auto res = client.Send(Get(server.Url()));
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "x");
  EXPECT_EQ(server.connections(), 2);
}

TEST(HttpClientTest, ConcurrentSends) {
  TestServer server([](const Request& req) { return Reply{Ok(std::string(req.target()))}; });
  HttpClient client;
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 15; ++i) {
        std::string path = "/t" + std::to_string(t) + "/" + std::to_string(i);
        auto res = client.Send(Get(server.Url(path)));
        if (!res.ok() || res->body != path) ++failures;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_LE(server.connections(), 6 + 6);  // reuse happened, within the pool bound
}

TEST(HttpClientTest, HeadRequestHasNoBody) {
  TestServer server(
      [](const Request&) { return Reply{"HTTP/1.1 200 OK\r\nContent-Length: 123\r\n\r\n"}; });
  HttpClient client;
  ClientRequest req = Get(server.Url());
  req.method = "HEAD";
  auto res = client.Send(req);
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->status, 200);
  EXPECT_EQ(res->body, "");
  EXPECT_EQ(FindHeader(res->headers, "content-length"), "123");
}

// ---- https against a local server with a throwaway self-signed certificate.

struct TestCert {
  std::string cert_pem;
  std::string key_pem;
};

// A self-signed P-256 certificate for `san` (e.g. "DNS:localhost").
TestCert MakeSelfSigned(const char* san) {
  EVP_PKEY* key = EVP_EC_gen("P-256");
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 1);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 24 * 3600);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("lambdalite test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, san},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"}}) {
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    X509_add_ext(x, ext, -1);
    X509_EXTENSION_free(ext);
  }
  X509_sign(x, key, EVP_sha256());

  auto to_string = [](BIO* bio) {
    char* data = nullptr;
    long n = BIO_get_mem_data(bio, &data);
    std::string s(data, static_cast<size_t>(n));
    BIO_free(bio);
    return s;
  };
  BIO* cert_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(cert_bio, x);
  BIO* key_bio = BIO_new(BIO_s_mem());
  PEM_write_bio_PrivateKey(key_bio, key, nullptr, nullptr, 0, nullptr, nullptr);
  TestCert out{to_string(cert_bio), to_string(key_bio)};
  X509_free(x);
  EVP_PKEY_free(key);
  return out;
}

class HttpsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cert_ = MakeSelfSigned("DNS:localhost");
    server_ctx_ = std::make_unique<ssl::context>(ssl::context::tls_server);
    server_ctx_->use_certificate_chain(asio::buffer(cert_.cert_pem));
    server_ctx_->use_private_key(asio::buffer(cert_.key_pem), ssl::context::pem);
    char dir[] = "/tmp/lambdalite_https_XXXXXX";
    ASSERT_NE(mkdtemp(dir), nullptr);
    dir_ = dir;
    ca_file_ = dir_ + "/ca.pem";
    std::ofstream(ca_file_) << cert_.cert_pem;
    server_ = std::make_unique<TestServer>(
        [](const Request& req) {
          return Reply{Ok("secure " + std::string(req[http::field::host]))};
        },
        server_ctx_.get());
  }
  void TearDown() override {
    server_.reset();
    std::remove(ca_file_.c_str());
    rmdir(dir_.c_str());
  }
  std::string LocalhostUrl() const {
    return "https://localhost:" + std::to_string(server_->port()) + "/";
  }

  TestCert cert_;
  std::unique_ptr<ssl::context> server_ctx_;
  std::string dir_;
  std::string ca_file_;
  std::unique_ptr<TestServer> server_;
};

TEST_F(HttpsTest, TrustedCertificate) {
  HttpClientOptions options;
  options.extra_ca_file = ca_file_;
  HttpClient client(options);
  auto res = client.Send(Get(LocalhostUrl()));
  ASSERT_TRUE(res.ok()) << res.error().message;
  EXPECT_EQ(res->body, "secure localhost:" + std::to_string(server_->port()));
  // The TLS connection is pooled and reused too.
  ASSERT_TRUE(client.Send(Get(LocalhostUrl())).ok());
  EXPECT_EQ(server_->connections(), 1);
}

TEST_F(HttpsTest, UntrustedCertificateFails) {
  HttpClient client;
  auto res = client.Send(Get(LocalhostUrl()));
  ASSERT_FALSE(res.ok());
  EXPECT_EQ(res.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(res.error().message.find("TLS handshake"), std::string::npos) << res.error().message;
}

TEST_F(HttpsTest, HostNameMismatchFails) {
  HttpClientOptions options;
  options.extra_ca_file = ca_file_;
  HttpClient client(options);
  // The certificate names "localhost" only.
  auto res = client.Send(Get(server_->Url()));
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().message.find("TLS handshake"), std::string::npos) << res.error().message;
}

TEST_F(HttpsTest, UnreadableCaFileFails) {
  HttpClientOptions options;
  options.extra_ca_file = dir_ + "/missing.pem";
  HttpClient client(options);
  auto res = client.Send(Get(LocalhostUrl()));
  ASSERT_FALSE(res.ok());
  EXPECT_NE(res.error().message.find("cannot load CA file"), std::string::npos)
      << res.error().message;
}

TEST_F(HttpsTest, VerificationCanBeDisabled) {
  HttpClientOptions options;
  options.verify_peer = false;
  HttpClient client(options);
  auto res = client.Send(Get(server_->Url()));
  ASSERT_TRUE(res.ok()) << res.error().message;
}

}  // namespace
}  // namespace lambdalite::aws
