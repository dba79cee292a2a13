#include "http/server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "http/handler.h"
#include "http/worker_pool.h"

namespace lambdalite::http {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = net::ip::tcp;
using namespace std::chrono_literals;
using Response = beast_http::response<beast_http::string_body>;

// Polls `predicate` until it holds or `timeout` passes.
bool WaitUntil(const std::function<bool()>& predicate, std::chrono::milliseconds timeout = 5s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!predicate()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(2ms);
  }
  return true;
}

// A one-shot signal between test threads.
class Event {
 public:
  void Set() {
    std::lock_guard lock(mu_);
    set_ = true;
    cv_.notify_all();
  }
  bool WaitFor(std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [this] { return set_; });
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool set_ = false;
};

// A small synchronous HTTP client over Beast with a timeout on every read, so a server bug makes
// a test fail instead of hang.
class Client {
 public:
  explicit Client(uint16_t port) : socket_(io_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  void Write(const std::string& data) { net::write(socket_, net::buffer(data)); }
  // Write for a connection the server may already have reset.
  void TryWrite(const std::string& data) {
    beast::error_code ignored;
    net::write(socket_, net::buffer(data), ignored);
  }

  // Reads one response; nullopt (and error() set) on failure or timeout.
  std::optional<Response> Read(std::chrono::milliseconds timeout = 5s, bool head = false) {
    beast_http::response_parser<beast_http::string_body> parser;
    parser.body_limit(boost::none);
    parser.skip(head);
    error_ = RunFor(timeout, [&](auto handler) {
      beast_http::async_read(socket_, buffer_, parser, std::move(handler));
    });
    if (error_) return std::nullopt;
    return parser.release();
  }

  std::optional<Response> Send(const std::string& request, std::chrono::milliseconds timeout = 5s) {
    Write(request);
    return Read(timeout);
  }

  // Reads raw bytes up to and including `delimiter`, which must end what the server sent so far.
  std::string ReadUntil(const std::string& delimiter, std::chrono::milliseconds timeout = 5s) {
    std::string text;
    char chunk[512];
    while (text.size() < delimiter.size() ||
           text.compare(text.size() - delimiter.size(), delimiter.size(), delimiter) != 0) {
      size_t got = 0;
      error_ = RunFor(timeout, [&](auto handler) {
        socket_.async_read_some(net::buffer(chunk), [&got, handler = std::move(handler)](
                                                        beast::error_code ec, size_t n) mutable {
          got = n;
          handler(ec, n);
        });
      });
      if (error_) return text;
      text.append(chunk, got);
    }
    return text;
  }

  // True if the server closes the connection (EOF or reset) within `timeout`, with no further
  // bytes sent.
  bool WaitForClose(std::chrono::milliseconds timeout = 5s) {
    if (buffer_.size() != 0) return false;
    char byte;
    size_t got = 0;
    error_ = RunFor(timeout, [&](auto handler) {
      socket_.async_read_some(net::buffer(&byte, 1), [&got, handler = std::move(handler)](
                                                         beast::error_code ec, size_t n) mutable {
        got = n;
        handler(ec, n);
      });
    });
    return got == 0 && (error_ == net::error::eof || error_ == net::error::connection_reset);
  }

  beast::error_code error() const { return error_; }

 private:
  template <typename Start>
  beast::error_code RunFor(std::chrono::milliseconds timeout, Start start) {
    std::optional<beast::error_code> result;
    io_.restart();
    start([&result](beast::error_code ec, size_t) { result = ec; });
    io_.run_for(timeout);
    if (!result) {
      beast::error_code ignored;
      socket_.cancel(ignored);
      io_.restart();
      io_.run();
      return net::error::timed_out;
    }
    return *result;
  }

  net::io_context io_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
  beast::error_code error_;
};

std::string Request(const std::string& method, const std::string& target,
                    const std::string& body = "", const std::string& extra_headers = "") {
  std::string text = method + " " + target + " HTTP/1.1\r\nHost: test\r\n" + extra_headers;
  if (!body.empty() || method == "POST" || method == "PUT") {
    text += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  }
  return text + "\r\n" + body;
}

bool ConnectFails(uint16_t port) {
  net::io_context io;
  tcp::socket socket(io);
  beast::error_code ec;
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port), ec);
  return static_cast<bool>(ec);
}

// Echoes the request unless a test installs its own behaviour (before the server starts).
class TestHandler : public RequestHandler {
 public:
  HttpResponse Handle(const HttpRequest& request) override {
    ++handle_calls;
    if (on_handle) return on_handle(request);
    return Echo(request);
  }

  size_t BodyLimit(const std::string& /*method*/, const std::string& /*target*/) const override {
    return body_limit;
  }

  HttpResponse OnBodyTooLarge(const std::string& /*method*/, const std::string& target) override {
    ++too_large_calls;
    HttpResponse response;
    response.status = 413;
    response.body = "too large: " + target;
    return response;
  }

  bool HandleAsync(const HttpRequest& request, std::function<void(HttpResponse)> done) override {
    if (on_async) return on_async(request, std::move(done));
    return false;
  }

  static HttpResponse Echo(const HttpRequest& request) {
    HttpResponse response;
    response.SetHeader("X-Method", request.method);
    response.SetHeader("X-Target", request.target);
    response.SetHeader("X-Remote", request.remote_address);
    if (const std::string* value = request.FindHeader("x-test")) {
      response.SetHeader("X-Test-Echo", *value);
    }
    response.body = request.body;
    return response;
  }

  std::function<HttpResponse(const HttpRequest&)> on_handle;
  std::function<bool(const HttpRequest&, std::function<void(HttpResponse)>)> on_async;
  size_t body_limit = 1 << 20;
  std::atomic<int> handle_calls{0};
  std::atomic<int> too_large_calls{0};
};

ServerOptions FastOptions() {
  ServerOptions options;
  options.io_threads = 4;
  options.drain_timeout = 2s;
  return options;
}

TEST(HttpRequestTest, FindHeaderIgnoresCase) {
  HttpRequest request;
  request.headers = {{"Content-Type", "application/json"}, {"X-Amz-Date", "20240101T000000Z"}};
  ASSERT_NE(request.FindHeader("content-type"), nullptr);
  EXPECT_EQ(*request.FindHeader("content-type"), "application/json");
  EXPECT_EQ(*request.FindHeader("X-AMZ-DATE"), "20240101T000000Z");
  EXPECT_EQ(request.FindHeader("x-amz-date-x"), nullptr);
  EXPECT_EQ(request.FindHeader(""), nullptr);
}

TEST(ServerTest, AnswersSimpleRequest) {
  TestHandler handler;
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  ASSERT_NE(server.port(), 0);

  Client client(server.port());
  auto response =
      client.Send(Request("POST", "/2015-03-31/functions?x=%20y", "hello", "x-TEST: abc\r\n"));
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ(response->body(), "hello");
  EXPECT_EQ((*response)["X-Method"], "POST");
  EXPECT_EQ((*response)["X-Target"], "/2015-03-31/functions?x=%20y");
  EXPECT_EQ((*response)["X-Remote"], "127.0.0.1");
  EXPECT_EQ((*response)["X-Test-Echo"], "abc");
  EXPECT_EQ((*response)["Server"], "lambdalite");
  EXPECT_EQ((*response)["Content-Length"], "5");
  EXPECT_FALSE((*response)["Date"].empty());
  EXPECT_TRUE(response->keep_alive());
}

// Prepare reserves the port and runs the I/O threads (extra listeners work) without serving the
// main port: a client is refused until Open, so it never meets a half-wired handler.
TEST(ServerTest, PreparedServerRefusesConnectionsUntilOpen) {
  TestHandler handler;
  TestHandler other;
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Prepare().ok());
  ASSERT_NE(server.port(), 0);
  EXPECT_TRUE(ConnectFails(server.port()));
  auto extra = server.AddListener("127.0.0.1", 0, other);
  ASSERT_TRUE(extra.ok());
  {
    Client client(*extra);
    auto response = client.Send(Request("GET", "/extra", ""));
    ASSERT_TRUE(response) << client.error().message();
    EXPECT_EQ(response->result_int(), 200);
  }
  EXPECT_TRUE(ConnectFails(server.port()));
  ASSERT_TRUE(server.Open().ok());
  EXPECT_FALSE(server.Open().ok());
  Client client(server.port());
  auto response = client.Send(Request("GET", "/main", ""));
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ((*response)["X-Target"], "/main");
}

TEST(ServerTest, ServesEveryPathWhenInlineHandlingIsOff) {
  TestHandler handler;
  ServerOptions options = FastOptions();
  options.max_inline_handlers = 0;  // every Handle call goes through the worker pool
  Server server(handler, "127.0.0.1", 0, options);
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  for (int i = 0; i < 20; ++i) {
    auto response = client.Send(Request("POST", "/n/" + std::to_string(i), std::string(i, 'x')));
    ASSERT_TRUE(response) << client.error().message();
    EXPECT_EQ(response->body(), std::string(i, 'x'));
  }
}

TEST(ServerTest, ServesManyRequestsOnOneKeepAliveConnection) {
  TestHandler handler;
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  for (int i = 0; i < 50; ++i) {
    std::string body(static_cast<size_t>(i * 100), static_cast<char>('a' + i % 26));
    auto response = client.Send(Request("PUT", "/item/" + std::to_string(i), body));
    ASSERT_TRUE(response) << "request " << i << ": " << client.error().message();
    EXPECT_EQ((*response)["X-Target"], "/item/" + std::to_string(i));
    EXPECT_EQ(response->body(), body);
    EXPECT_TRUE(response->keep_alive());
  }
  EXPECT_EQ(handler.handle_calls.load(), 50);
}

TEST(ServerTest, AnswersPipelinedRequestsInOrder) {
  TestHandler handler;
  handler.on_handle = [](const HttpRequest& request) {
    // The first request is the slowest; its answer must still come first.
    if (request.target == "/slow") std::this_thread::sleep_for(100ms);
    return TestHandler::Echo(request);
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  client.Write(Request("GET", "/slow") + Request("POST", "/a", "body-a") + Request("GET", "/b"));
  for (const char* expected : {"/slow", "/a", "/b"}) {
    auto response = client.Read();
    ASSERT_TRUE(response) << client.error().message();
    EXPECT_EQ((*response)["X-Target"], expected);
  }
}

TEST(ServerTest, HonoursHttp10ConnectionSemantics) {
  TestHandler handler;
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  {
    Client client(server.port());
    auto response = client.Send("GET /old HTTP/1.0\r\n\r\n");
    ASSERT_TRUE(response);
    EXPECT_FALSE(response->keep_alive());
    EXPECT_TRUE(client.WaitForClose());
  }
  {
    Client client(server.port());
    for (int i = 0; i < 2; ++i) {
      auto response = client.Send("GET /old HTTP/1.0\r\nConnection: keep-alive\r\n\r\n");
      ASSERT_TRUE(response);
      EXPECT_EQ((*response)["Connection"], "keep-alive");
    }
  }
  {
    Client client(server.port());
    auto response = client.Send(Request("GET", "/bye", "", "Connection: close\r\n"));
    ASSERT_TRUE(response);
    EXPECT_EQ((*response)["Connection"], "close");
    EXPECT_TRUE(client.WaitForClose());
  }
}

TEST(ServerTest, RefusesOversizedBodyWithoutReadingIt) {
  TestHandler handler;
  handler.body_limit = 1024;
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  // Announce 100 MB but send none of it: the answer must not wait for the body.
  client.Write("POST /big HTTP/1.1\r\nHost: test\r\nContent-Length: 104857600\r\n\r\n");
  auto response = client.Read(2s);
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->result_int(), 413);
  EXPECT_EQ(response->body(), "too large: /big");
  EXPECT_EQ((*response)["Connection"], "close");
  EXPECT_EQ(handler.too_large_calls.load(), 1);
  EXPECT_EQ(handler.handle_calls.load(), 0);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(ServerTest, LimitsChunkedBodies) {
  TestHandler handler;
  handler.body_limit = 100;
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  {
    Client client(server.port());
    std::string chunk(60, 'c');
    auto response = client.Send(
        "POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        "3c\r\n" +
        chunk + "\r\n3c\r\n" + chunk + "\r\n0\r\n\r\n");
    ASSERT_TRUE(response) << client.error().message();
    EXPECT_EQ(response->result_int(), 413);
    EXPECT_TRUE(client.WaitForClose());
  }
  {
    Client client(server.port());
    auto response = client.Send(
        "POST /chunked HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
        "5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n");
    ASSERT_TRUE(response) << client.error().message();
    EXPECT_EQ(response->result_int(), 200);
    EXPECT_EQ(response->body(), "hello world");
  }
  EXPECT_EQ(handler.too_large_calls.load(), 1);
  EXPECT_EQ(handler.handle_calls.load(), 1);
}

TEST(ServerTest, AcceptsBodiesAboveBeastsDefaultLimit) {
  TestHandler handler;
  handler.body_limit = 70u << 20;
  handler.on_handle = [](const HttpRequest& request) {
    HttpResponse response;
    response.body = std::to_string(request.body.size());
    return response;
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  std::string body(9u << 20, 'z');
  auto response = client.Send(Request("POST", "/upload", body), 20s);
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->body(), std::to_string(body.size()));
}

TEST(ServerTest, SendsContinueWhenAsked) {
  TestHandler handler;
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  client.Write("POST /c HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n");
  EXPECT_EQ(client.ReadUntil("\r\n\r\n"), "HTTP/1.1 100 Continue\r\n\r\n");
  client.Write("12345");
  auto response = client.Read();
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->body(), "12345");
}

TEST(ServerTest, AnswersMalformedRequestWith400AndCloses) {
  TestHandler handler;
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  for (const char* garbage : {"NOT AN HTTP REQUEST\r\n\r\n", "GET / HTTP/1.1\r\nBad Header\r\n\r\n",
                              "GET / HTTP/1.1\r\nContent-Length: xyz\r\n\r\n"}) {
    Client client(server.port());
    auto response = client.Send(garbage);
    ASSERT_TRUE(response) << garbage << ": " << client.error().message();
    EXPECT_EQ(response->result_int(), 400) << garbage;
    EXPECT_EQ((*response)["Connection"], "close");
    EXPECT_TRUE(client.WaitForClose()) << garbage;
  }
  EXPECT_EQ(handler.handle_calls.load(), 0);
  // The server is still serving.
  Client client(server.port());
  auto response = client.Send(Request("GET", "/ok"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
}

TEST(ServerTest, AnswersOversizedHeaderWith431) {
  TestHandler handler;
  ServerOptions options = FastOptions();
  options.header_limit = 1024;
  Server server(handler, "127.0.0.1", 0, options);
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto response = client.Send(Request("GET", "/", "", "X-Big: " + std::string(4096, 'h') + "\r\n"));
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->result_int(), 431);
  EXPECT_TRUE(client.WaitForClose());
}

TEST(ServerTest, TurnsHandlerExceptionsInto500) {
  TestHandler handler;
  handler.on_handle = [](const HttpRequest& request) -> HttpResponse {
    if (request.target == "/throw") throw std::runtime_error("boom");
    return TestHandler::Echo(request);
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto response = client.Send(Request("GET", "/throw"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 500);
  EXPECT_EQ((*response)["x-amzn-ErrorType"], "ServiceException");
  EXPECT_NE(response->body().find("Internal error"), std::string::npos);
  // The connection survives.
  response = client.Send(Request("GET", "/fine"));
  ASSERT_TRUE(response);
  EXPECT_EQ(response->result_int(), 200);
}

TEST(ServerTest, FramesHeadAndBodilessResponses) {
  TestHandler handler;
  handler.on_handle = [](const HttpRequest& request) {
    HttpResponse response;
    if (request.target == "/204") {
      response.status = 204;
      response.body = "ignored";
    } else {
      response.body = "twelve bytes";
      response.SetHeader("Content-Length", "999");  // the transport owns framing
      response.SetHeader("X-Evil", "a\r\nInjected: yes");
    }
    return response;
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());

  client.Write(Request("HEAD", "/h"));
  auto head = client.Read(5s, /*head=*/true);
  ASSERT_TRUE(head) << client.error().message();
  EXPECT_EQ((*head)["Content-Length"], "12");
  EXPECT_TRUE(head->body().empty());

  auto no_content = client.Send(Request("DELETE", "/204"));
  ASSERT_TRUE(no_content) << client.error().message();
  EXPECT_EQ(no_content->result_int(), 204);
  EXPECT_EQ(no_content->count("Content-Length"), 0u);
  EXPECT_TRUE(no_content->body().empty());

  auto full = client.Send(Request("GET", "/g"));
  ASSERT_TRUE(full) << client.error().message();
  EXPECT_EQ(full->body(), "twelve bytes");
  EXPECT_EQ((*full)["Content-Length"], "12");
  EXPECT_EQ(full->count("X-Evil"), 0u);
  EXPECT_EQ(full->count("Injected"), 0u);
}

TEST(ServerTest, BlockingHandlersDoNotStarveOtherRequests) {
  TestHandler handler;
  Event release;
  std::atomic<int> blocked{0};
  handler.on_handle = [&](const HttpRequest& request) {
    if (request.target == "/block") {
      ++blocked;
      release.WaitFor(30s);
      --blocked;
    }
    return TestHandler::Echo(request);
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());

  // Three times as many blocked calls as there are I/O threads.
  constexpr int kBlocked = 12;
  std::vector<std::unique_ptr<Client>> slow;
  for (int i = 0; i < kBlocked; ++i) {
    slow.push_back(std::make_unique<Client>(server.port()));
    slow.back()->Write(Request("GET", "/block"));
  }
  ASSERT_TRUE(WaitUntil([&] { return blocked.load() == kBlocked; }));

  const auto start = std::chrono::steady_clock::now();
  Client fast(server.port());
  auto response = fast.Send(Request("GET", "/fast"), 2s);
  ASSERT_TRUE(response) << fast.error().message();
  EXPECT_EQ((*response)["X-Target"], "/fast");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 1s);

  release.Set();
  for (auto& client : slow) {
    auto blocked_response = client->Read();
    ASSERT_TRUE(blocked_response) << client->error().message();
    EXPECT_EQ((*blocked_response)["X-Target"], "/block");
  }
}

// Parks `done` callbacks for GET /next, like the Runtime API's long poll.
class ParkingLot {
 public:
  bool Park(const HttpRequest& request, std::function<void(HttpResponse)> done) {
    if (request.target.rfind("/next", 0) != 0) return false;
    std::lock_guard lock(mu_);
    // Answer with the target, so each client can check it got its own answer.
    parked_.push_back([target = request.target, done = std::move(done)](HttpResponse response) {
      response.body = target;
      done(std::move(response));
    });
    return true;
  }
  size_t size() {
    std::lock_guard lock(mu_);
    return parked_.size();
  }
  std::vector<std::function<void(HttpResponse)>> TakeAll() {
    std::lock_guard lock(mu_);
    return std::move(parked_);
  }

 private:
  std::mutex mu_;
  std::vector<std::function<void(HttpResponse)>> parked_;
};

TEST(ServerTest, AsyncHandlerParksManyLongPollsWithoutBlocking) {
  TestHandler handler;
  ParkingLot lot;
  handler.on_async = [&](const HttpRequest& request, std::function<void(HttpResponse)> done) {
    return lot.Park(request, std::move(done));
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());

  constexpr size_t kPolls = 300;
  std::vector<std::unique_ptr<Client>> polls;
  for (size_t i = 0; i < kPolls; ++i) {
    polls.push_back(std::make_unique<Client>(server.port()));
    polls.back()->Write(Request("GET", "/next?client=" + std::to_string(i)));
  }
  ASSERT_TRUE(WaitUntil([&] { return lot.size() == kPolls; }));

  Client other(server.port());
  auto response = other.Send(Request("GET", "/other"), 2s);
  ASSERT_TRUE(response) << other.error().message();
  EXPECT_EQ(handler.handle_calls.load(), 1);

  // Answer from a thread of our own, as an invoke would.
  std::thread answerer([callbacks = lot.TakeAll()]() mutable {
    for (auto& callback : callbacks) callback(HttpResponse{});
  });
  answerer.join();
  for (size_t i = 0; i < kPolls; ++i) {
    auto event = polls[i]->Read();
    ASSERT_TRUE(event) << polls[i]->error().message();
    EXPECT_EQ(event->body(), "/next?client=" + std::to_string(i));
    // The connection is reusable for the next poll.
    polls[i]->Write(Request("GET", "/again"));
    auto again = polls[i]->Read();
    ASSERT_TRUE(again);
    EXPECT_EQ((*again)["X-Target"], "/again");
  }
}

TEST(ServerTest, DroppedAsyncCallbackAnswers500) {
  TestHandler handler;
  handler.on_async = [](const HttpRequest&, std::function<void(HttpResponse)>) { return true; };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto response = client.Send(Request("GET", "/dropped"));
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->result_int(), 500);
  EXPECT_EQ(handler.handle_calls.load(), 0);
}

TEST(ServerTest, AsyncCallbackAnsweredInsideHandleAsyncWorks) {
  TestHandler handler;
  handler.on_async = [](const HttpRequest& request, std::function<void(HttpResponse)> done) {
    done(TestHandler::Echo(request));
    return true;
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  for (int i = 0; i < 3; ++i) {
    auto response = client.Send(Request("GET", "/sync-done"));
    ASSERT_TRUE(response) << client.error().message();
    EXPECT_EQ((*response)["X-Target"], "/sync-done");
  }
}

TEST(ServerTest, AsyncCallbacksOfOtherRequestsOrThreadsDuringHandleAsyncArrive) {
  // A synchronous answer is written directly by the dispatching thread; answers to other
  // requests, or given from other threads, while a HandleAsync call runs are posted as usual.
  TestHandler handler;
  std::mutex mu;
  std::function<void(HttpResponse)> parked;
  handler.on_async = [&](const HttpRequest& request, std::function<void(HttpResponse)> done) {
    if (request.target == "/park") {
      std::lock_guard lock(mu);
      parked = std::move(done);
      return true;
    }
    if (request.target == "/release") {  // answers the parked request first, then itself
      std::function<void(HttpResponse)> other;
      {
        std::lock_guard lock(mu);
        other = std::move(parked);
      }
      HttpResponse released;
      released.body = "released";
      other(std::move(released));
      done(TestHandler::Echo(request));
      return true;
    }
    if (request.target == "/other-thread") {  // answered from another thread, before returning
      std::thread([&request, done = std::move(done)] { done(TestHandler::Echo(request)); }).join();
      return true;
    }
    done(TestHandler::Echo(request));  // declines, yet answers: the answer stands
    return false;
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());

  Client parked_client(server.port());
  parked_client.Write(Request("GET", "/park"));
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard lock(mu);
    return parked != nullptr;
  }));
  Client client(server.port());
  auto released = client.Send(Request("GET", "/release"));
  ASSERT_TRUE(released) << client.error().message();
  EXPECT_EQ((*released)["X-Target"], "/release");
  auto parked_answer = parked_client.Read();
  ASSERT_TRUE(parked_answer) << parked_client.error().message();
  EXPECT_EQ(parked_answer->body(), "released");

  for (const char* target : {"/other-thread", "/declined-but-answered", "/other-thread"}) {
    auto response = client.Send(Request("GET", target));
    ASSERT_TRUE(response) << client.error().message();
    EXPECT_EQ((*response)["X-Target"], target);
  }
  EXPECT_EQ(handler.handle_calls.load(), 0);
}

TEST(ServerTest, StopLetsInFlightRequestsFinishAndClosesIdleConnections) {
  TestHandler handler;
  Event release;
  std::atomic<bool> entered{false};
  handler.on_handle = [&](const HttpRequest& request) {
    if (request.target == "/slow") {
      entered = true;
      release.WaitFor(10s);
    }
    return TestHandler::Echo(request);
  };
  auto server = std::make_unique<Server>(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server->Start().ok());
  const uint16_t port = server->port();

  Client idle(port);
  ASSERT_TRUE(idle.Send(Request("GET", "/warm-up")));
  Client busy(port);
  busy.Write(Request("GET", "/slow"));
  ASSERT_TRUE(WaitUntil([&] { return entered.load(); }));

  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    server->Stop();
    stopped = true;
  });
  std::thread waiter([&] { server->Wait(); });

  EXPECT_TRUE(idle.WaitForClose(2s));
  EXPECT_TRUE(WaitUntil([&] { return ConnectFails(port); }, 2s));
  EXPECT_FALSE(stopped.load());

  release.Set();
  auto response = busy.Read();
  ASSERT_TRUE(response) << busy.error().message();
  EXPECT_EQ(response->result_int(), 200);
  EXPECT_EQ((*response)["Connection"], "close");
  EXPECT_TRUE(busy.WaitForClose());
  stopper.join();
  waiter.join();
  EXPECT_TRUE(stopped.load());
  server->Stop();  // idempotent
  server.reset();
}

TEST(ServerTest, StopClosesRequestsStillRunningAfterTheDrainTimeout) {
  TestHandler handler;
  ParkingLot lot;
  handler.on_async = [&](const HttpRequest& request, std::function<void(HttpResponse)> done) {
    return lot.Park(request, std::move(done));
  };
  ServerOptions options = FastOptions();
  options.drain_timeout = 200ms;
  auto server = std::make_unique<Server>(handler, "127.0.0.1", 0, options);
  ASSERT_TRUE(server->Start().ok());
  Client client(server->port());
  client.Write(Request("GET", "/next"));
  ASSERT_TRUE(WaitUntil([&] { return lot.size() == 1; }));

  const auto start = std::chrono::steady_clock::now();
  server->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
  EXPECT_TRUE(client.WaitForClose());

  // The parked callback outlives the server: calling it, then dropping one, must be harmless.
  auto callbacks = lot.TakeAll();
  server.reset();
  ASSERT_EQ(callbacks.size(), 1u);
  callbacks[0](HttpResponse{});
  callbacks.clear();
}

TEST(ServerTest, DroppingParkedCallbackAfterServerIsGoneIsHarmless) {
  TestHandler handler;
  ParkingLot lot;
  handler.on_async = [&](const HttpRequest& request, std::function<void(HttpResponse)> done) {
    return lot.Park(request, std::move(done));
  };
  ServerOptions options = FastOptions();
  options.drain_timeout = 50ms;
  auto server = std::make_unique<Server>(handler, "127.0.0.1", 0, options);
  ASSERT_TRUE(server->Start().ok());
  Client client(server->port());
  client.Write(Request("GET", "/next"));
  ASSERT_TRUE(WaitUntil([&] { return lot.size() == 1; }));
  server.reset();
  lot.TakeAll().clear();  // destroyed uncalled, after the server
}

TEST(ServerTest, ExtraListenersServeWithTheirOwnHandler) {
  TestHandler main_handler;
  Server server(main_handler, "127.0.0.1", 0, FastOptions());
  auto before_start = server.AddListener("127.0.0.1", 0, main_handler);
  EXPECT_FALSE(before_start.ok());
  ASSERT_TRUE(server.Start().ok());

  auto runtime_handler = std::make_unique<TestHandler>();
  runtime_handler->on_handle = [](const HttpRequest&) {
    HttpResponse response;
    response.body = "runtime";
    return response;
  };
  Result<uint16_t> port = server.AddListener("127.0.0.1", 0, *runtime_handler);
  ASSERT_TRUE(port.ok()) << port.error().message;
  ASSERT_NE(*port, server.port());
  EXPECT_FALSE(server.AddListener("127.0.0.1", *port, main_handler).ok());

  Client runtime_client(*port);
  auto response = runtime_client.Send(Request("GET", "/2018-06-01/runtime/invocation/next"));
  ASSERT_TRUE(response) << runtime_client.error().message();
  EXPECT_EQ(response->body(), "runtime");

  Client main_client(server.port());
  response = main_client.Send(Request("GET", "/main"));
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["X-Target"], "/main");

  server.RemoveListener(*port);
  EXPECT_TRUE(runtime_client.WaitForClose(2s));
  EXPECT_TRUE(ConnectFails(*port));
  runtime_handler.reset();       // safe once RemoveListener returned
  server.RemoveListener(*port);  // unknown now: ignored

  // The main listener is unaffected.
  response = main_client.Send(Request("GET", "/still-here"));
  ASSERT_TRUE(response);
  EXPECT_EQ((*response)["X-Target"], "/still-here");
}

// A socket made elsewhere (a sandbox makes its Runtime API socket inside the environment's
// network namespace) is served as a listener of its own, under an id that no port can take.
TEST(ServerTest, AdoptedListenerServesItsSocketUntilRemoved) {
  TestHandler main_handler;
  Server server(main_handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address), 0);
  ASSERT_EQ(listen(fd, 16), 0);
  socklen_t length = sizeof address;
  ASSERT_EQ(getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length), 0);
  const uint16_t port = ntohs(address.sin_port);

  TestHandler adopted_handler;
  adopted_handler.on_handle = [](const HttpRequest&) {
    HttpResponse response;
    response.body = "adopted";
    return response;
  };
  Result<ListenerId> id = server.AdoptListener(fd, adopted_handler);
  ASSERT_TRUE(id.ok()) << id.error().message;
  EXPECT_GT(*id, 65535u);
  Client client(port);
  auto response = client.Send(Request("GET", "/2018-06-01/runtime/invocation/next"));
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->body(), "adopted");
  server.RemoveListener(*id);
  EXPECT_TRUE(client.WaitForClose(2s));
  EXPECT_TRUE(ConnectFails(port));

  // Not a socket: refused, and the descriptor is closed.
  const int not_a_socket = open("/dev/null", O_RDONLY | O_CLOEXEC);
  EXPECT_FALSE(server.AdoptListener(not_a_socket, adopted_handler).ok());
  EXPECT_EQ(fcntl(not_a_socket, F_GETFD), -1);
}

TEST(ServerTest, RemoveListenerWaitsForRunningHandlerCalls) {
  TestHandler main_handler;
  Server server(main_handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());

  TestHandler runtime_handler;
  std::atomic<bool> inside{false};
  std::atomic<bool> finished{false};
  runtime_handler.on_handle = [&](const HttpRequest& request) {
    inside = true;
    std::this_thread::sleep_for(300ms);
    finished = true;
    return TestHandler::Echo(request);
  };
  Result<uint16_t> port = server.AddListener("127.0.0.1", 0, runtime_handler);
  ASSERT_TRUE(port.ok());
  Client client(*port);
  client.Write(Request("GET", "/slow"));
  ASSERT_TRUE(WaitUntil([&] { return inside.load(); }));
  server.RemoveListener(*port);
  EXPECT_TRUE(finished.load());
  EXPECT_TRUE(client.WaitForClose());
}

TEST(ServerTest, PeerFilterAdmitsAcceptedOwnersOncePerConnection) {
  TestHandler main_handler;
  Server server(main_handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  TestHandler runtime_handler;
  std::mutex mu;
  std::vector<uid_t> asked;
  auto filter = [&](uid_t uid) {
    std::lock_guard lock(mu);
    asked.push_back(uid);
    return uid == geteuid();
  };
  Result<uint16_t> port = server.AddListener("127.0.0.1", 0, runtime_handler, filter);
  ASSERT_TRUE(port.ok()) << port.error().message;

  Client client(*port);
  for (const char* target : {"/next", "/response", "/next"}) {
    auto response = client.Send(Request("GET", target));
    ASSERT_TRUE(response) << client.error().message();
    EXPECT_EQ((*response)["X-Target"], target);
  }
  std::lock_guard lock(mu);
  EXPECT_EQ(asked, std::vector<uid_t>{geteuid()});  // one check for the keep-alive connection
}

TEST(ServerTest, PeerFilterResetsRefusedConnectionsUnread) {
  TestHandler main_handler;
  Server server(main_handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  TestHandler runtime_handler;
  std::atomic<int> asked{0};
  std::atomic<uid_t> seen{0};
  Result<uint16_t> port = server.AddListener("127.0.0.1", 0, runtime_handler, [&](uid_t uid) {
    seen = uid;
    ++asked;
    return false;  // as for a process of another user
  });
  ASSERT_TRUE(port.ok()) << port.error().message;

  // The handshake completes (the kernel accepts before the server can look) but no request is
  // ever answered.
  for (int attempt = 0; attempt < 3; ++attempt) {
    Client client(*port);
    client.TryWrite(Request("GET", "/2018-06-01/runtime/invocation/next"));
    EXPECT_FALSE(client.Read(2s)) << "a refused peer got an answer";
    // Reset, or closed before a byte (which Beast's parser reports as end_of_stream).
    EXPECT_TRUE(client.error() == net::error::connection_reset ||
                client.error() == net::error::eof ||
                client.error() == beast_http::error::end_of_stream)
        << client.error().message();
  }
  EXPECT_EQ(asked.load(), 3);
  EXPECT_EQ(seen.load(), geteuid());
  EXPECT_EQ(runtime_handler.handle_calls.load(), 0);

  // Listeners without a filter are not affected.
  Client main_client(server.port());
  EXPECT_TRUE(main_client.Send(Request("GET", "/main")));
}

TEST(ServerTest, ClosesIdleKeepAliveConnections) {
  TestHandler handler;
  ServerOptions options = FastOptions();
  options.idle_timeout = 200ms;
  Server server(handler, "127.0.0.1", 0, options);
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  ASSERT_TRUE(client.Send(Request("GET", "/once")));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_TRUE(client.WaitForClose(3s));
  EXPECT_GE(std::chrono::steady_clock::now() - start, 150ms);
}

TEST(ServerTest, LongHandlersAreNotTimedOut) {
  TestHandler handler;
  handler.on_handle = [](const HttpRequest& request) {
    std::this_thread::sleep_for(500ms);
    return TestHandler::Echo(request);
  };
  ServerOptions options = FastOptions();
  options.idle_timeout = 100ms;
  Server server(handler, "127.0.0.1", 0, options);
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto response = client.Send(Request("GET", "/long"));
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->result_int(), 200);
}

TEST(ServerTest, StartReportsBindFailure) {
  TestHandler handler;
  Server first(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(first.Start().ok());
  Server second(handler, "127.0.0.1", first.port(), FastOptions());
  Status status = second.Start();
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().code, ErrorCode::kUnavailable);
  EXPECT_NE(status.error().message.find(std::to_string(first.port())), std::string::npos);
  EXPECT_FALSE(first.Start().ok());  // already started
}

TEST(ServerTest, DefaultsToOneIoThreadPerCoreAndAtLeastTwo) {
  TestHandler handler;
  Server server(handler, "127.0.0.1", 0);
  // Two, so that one is always free of inline handler calls.
  EXPECT_GE(server.io_threads(), 2);
  EXPECT_GE(server.io_threads(), static_cast<int>(std::thread::hardware_concurrency()));
  EXPECT_EQ(server.io_threads(), Server::DefaultIoThreads());
  server.Stop();  // never started
  server.Wait();
}

TEST(WorkerPoolTest, GrowsSoBlockedTasksDoNotDelayNewOnes) {
  WorkerPool pool(/*keep_threads=*/1, /*max_threads=*/64, 1s);
  Event release;
  std::atomic<int> running{0};
  for (int i = 0; i < 16; ++i) {
    pool.Submit([&] {
      ++running;
      release.WaitFor(10s);
    });
  }
  EXPECT_TRUE(WaitUntil([&] { return running.load() == 16; }));
  EXPECT_EQ(pool.thread_count(), 16u);
  release.Set();
  pool.Stop();
  EXPECT_EQ(pool.thread_count(), 0u);
}

TEST(WorkerPoolTest, QueuesBeyondMaxAndRunsEverythingBeforeStopping) {
  WorkerPool pool(/*keep_threads=*/0, /*max_threads=*/2, 1s);
  std::atomic<int> done{0};
  for (int i = 0; i < 100; ++i) {
    pool.Submit([&] {
      std::this_thread::sleep_for(1ms);
      ++done;
    });
  }
  EXPECT_LE(pool.thread_count(), 2u);
  pool.Stop();
  EXPECT_EQ(done.load(), 100);
  pool.Submit([&] { ++done; });  // ignored after Stop
  EXPECT_EQ(done.load(), 100);
}

TEST(WorkerPoolTest, IdleWorkersBeyondKeepExit) {
  WorkerPool pool(/*keep_threads=*/1, /*max_threads=*/8, 50ms);
  Event release;
  for (int i = 0; i < 4; ++i) pool.Submit([&] { release.WaitFor(10s); });
  EXPECT_TRUE(WaitUntil([&] { return pool.thread_count() == 4; }));
  release.Set();
  EXPECT_TRUE(WaitUntil([&] { return pool.thread_count() == 1; }));
  // A kept worker still serves.
  std::atomic<bool> ran{false};
  pool.Submit([&] { ran = true; });
  EXPECT_TRUE(WaitUntil([&] { return ran.load(); }));
}

// A streamed response from Handle: the producer runs on the worker thread after Handle returns;
// the head and each chunk reach the client while the producer is still running.
TEST(ServerStreamingTest, HandleStreamsChunksAsTheyAreWritten) {
  TestHandler handler;
  Event second;
  handler.on_handle = [&](const HttpRequest&) {
    HttpResponse response;
    response.stream = [&](ResponseWriter writer) {
      HttpResponse head;
      head.status = 200;
      head.SetHeader("Content-Type", "text/plain");
      writer.Begin(std::move(head));
      writer.Write("first");
      second.WaitFor(5s);  // blocks until the client has read the first chunk
      writer.Write("second");
      writer.End();
    };
    return response;
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  client.Write(Request("GET", "/stream"));
  std::string head = client.ReadUntil("5\r\nfirst\r\n");
  EXPECT_NE(head.find("HTTP/1.1 200 OK\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  EXPECT_EQ(head.find("Content-Length"), std::string::npos) << head;
  second.Set();
  EXPECT_EQ(client.ReadUntil("0\r\n\r\n"), "6\r\nsecond\r\n0\r\n\r\n");
  // The connection carries on.
  handler.on_handle = nullptr;
  auto next = client.Send(Request("GET", "/again"));
  ASSERT_TRUE(next) << client.error().message();
  EXPECT_EQ((*next)["X-Target"], "/again");
}

// From HandleAsync's done, from another thread, the writer may also answer a whole response.
TEST(ServerStreamingTest, AsyncWriterMayRespondWhole) {
  TestHandler handler;
  std::mutex mu;
  std::vector<std::thread> threads;
  handler.on_async = [&](const HttpRequest&, std::function<void(HttpResponse)> done) {
    HttpResponse response;
    response.stream = [&](ResponseWriter writer) {
      std::lock_guard lock(mu);
      threads.emplace_back([writer] {
        HttpResponse whole;
        whole.status = 404;
        whole.body = "nope";
        writer.Respond(std::move(whole));
        writer.Write("ignored");
      });
    };
    done(std::move(response));
    return true;
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  auto response = client.Send(Request("GET", "/x"));
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->result_int(), 404);
  EXPECT_EQ(response->body(), "nope");
  std::lock_guard lock(mu);
  for (auto& t : threads) t.join();
}

// A writer dropped after Begin aborts the connection: the chunked body never completes.
TEST(ServerStreamingTest, DroppedWriterAbortsTheBody) {
  TestHandler handler;
  handler.on_handle = [&](const HttpRequest&) {
    HttpResponse response;
    response.stream = [](ResponseWriter writer) {
      writer.Begin(HttpResponse());
      writer.Write("partial");
    };
    return response;
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  client.Write(Request("GET", "/x"));
  client.ReadUntil("7\r\npartial\r\n");
  EXPECT_TRUE(client.WaitForClose());
}

class RecordingSink : public RequestBodySink {
 public:
  bool OnBodyData(std::string_view data) override {
    std::lock_guard lock(mu);
    pieces.emplace_back(data);
    total += data.size();
    got_piece.Set();
    return total <= limit;
  }
  void OnBodyAborted() override { aborted = true; }
  std::mutex mu;
  std::vector<std::string> pieces;
  size_t total = 0;
  size_t limit = 1 << 20;
  Event got_piece;
  std::atomic<bool> aborted{false};
};

class StreamingBodyHandler : public TestHandler {
 public:
  std::shared_ptr<RequestBodySink> StreamRequestBody(const HttpRequest& request) override {
    if (request.target != "/stream") return nullptr;
    return sink;
  }
  std::shared_ptr<RecordingSink> sink = std::make_shared<RecordingSink>();
};

// Pieces of a chunked request body reach the sink as they arrive, before the body ends; the
// handler then sees the trailers.
TEST(ServerStreamingTest, RequestBodyStreamsToTheSinkWithTrailers) {
  StreamingBodyHandler handler;
  std::string trailer;
  handler.on_handle = [&](const HttpRequest& request) {
    HttpResponse response;
    if (const std::string* t = request.FindHeader("X-Trailer")) trailer = *t;
    response.body = "body:" + request.body;
    return response;
  };
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  Client client(server.port());
  client.Write(
      "POST /stream HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nTrailer: X-Trailer\r\n\r\n"
      "3\r\nabc\r\n");
  ASSERT_TRUE(handler.sink->got_piece.WaitFor(5s));
  {
    std::lock_guard lock(handler.sink->mu);
    ASSERT_EQ(handler.sink->pieces.size(), 1u);
    EXPECT_EQ(handler.sink->pieces[0], "abc");
  }
  auto response = client.Send("2\r\nde\r\n0\r\nX-Trailer: yes\r\n\r\n");
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->body(), "body:");
  EXPECT_EQ(trailer, "yes");
  EXPECT_EQ(handler.sink->total, 5u);
  EXPECT_FALSE(handler.sink->aborted);
}

TEST(ServerStreamingTest, RequestBodySinkIsToldOfAnAbortAndMayRefuse) {
  StreamingBodyHandler handler;
  Server server(handler, "127.0.0.1", 0, FastOptions());
  ASSERT_TRUE(server.Start().ok());
  {
    Client client(server.port());
    client.Write(
        "POST /stream HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
    ASSERT_TRUE(handler.sink->got_piece.WaitFor(5s));
  }
  EXPECT_TRUE(WaitUntil([&] { return handler.sink->aborted.load(); }));

  handler.sink = std::make_shared<RecordingSink>();
  handler.sink->limit = 2;
  Client client(server.port());
  auto response = client.Send(
      "POST /stream HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n");
  ASSERT_TRUE(response) << client.error().message();
  EXPECT_EQ(response->result_int(), 413);
  EXPECT_FALSE(handler.sink->aborted);
}

}  // namespace
}  // namespace lambdalite::http
