#include "executor/runtime_api.h"

#include <gtest/gtest.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/streambuf.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <condition_variable>
#include <future>
#include <mutex>
#include <optional>
#include <thread>

#include "common/crypto.h"
#include "executor/test_support.h"
#include "http/server.h"

namespace lambdalite::executor {
namespace {

using testing::HttpCall;
using testing::HttpReply;

class RecordingObserver final : public RuntimeApiObserver {
 public:
  void OnRuntimeWaiting() override {
    std::lock_guard lock(mu_);
    ++waiting_;
    cv_.notify_all();
  }
  void OnInvocationOutcome(const std::string& request_id, RuntimeOutcome outcome) override {
    std::lock_guard lock(mu_);
    outcome_id_ = request_id;
    outcome_ = std::move(outcome);
    cv_.notify_all();
  }
  void OnInitError(std::string body, std::string error_type) override {
    std::lock_guard lock(mu_);
    init_error_ = std::make_pair(std::move(body), std::move(error_type));
    cv_.notify_all();
  }

  bool WaitForPoll(int count) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return waiting_ >= count; });
  }
  std::optional<RuntimeOutcome> outcome() {
    std::lock_guard lock(mu_);
    return outcome_;
  }
  std::string outcome_id() {
    std::lock_guard lock(mu_);
    return outcome_id_;
  }
  std::optional<std::pair<std::string, std::string>> init_error() {
    std::lock_guard lock(mu_);
    return init_error_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int waiting_ = 0;
  std::string outcome_id_;
  std::optional<RuntimeOutcome> outcome_;
  std::optional<std::pair<std::string, std::string>> init_error_;
};

class RuntimeApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start().ok());
    auto port = server_.AddListener("127.0.0.1", 0, api_);
    ASSERT_TRUE(port.ok());
    port_ = *port;
  }
  void TearDown() override {
    server_.RemoveListener(port_);
    server_.Stop();
  }

  std::future<std::optional<HttpReply>> PollNext() {
    return std::async(std::launch::async, [this] {
      return HttpCall(port_, "GET", "/2018-06-01/runtime/invocation/next");
    });
  }

  RuntimeInvocation Invocation(const std::string& id) {
    RuntimeInvocation inv;
    inv.request_id = id;
    inv.payload = R"({"hello":"world"})";
    inv.deadline_ms = 1'700'000'003'000;
    inv.invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:f";
    inv.trace_id = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=0";
    return inv;
  }

  // Delivers invocation `id` and returns once the runtime has it.
  void Deliver(const std::string& id) {
    auto next = PollNext();
    ASSERT_TRUE(observer_.WaitForPoll(++polls_));
    ASSERT_TRUE(api_.Assign(Invocation(id)));
    auto reply = next.get();
    ASSERT_TRUE(reply.has_value());
    ASSERT_EQ(reply->status, 200);
  }

  testing::NotFoundHandler main_handler_;
  http::Server server_{main_handler_, "127.0.0.1", 0, 2};
  RecordingObserver observer_;
  RuntimeApi api_{observer_};
  uint16_t port_ = 0;
  int polls_ = 0;
};

TEST_F(RuntimeApiTest, NextLongPollsUntilAnInvocationIsAssigned) {
  auto next = PollNext();
  ASSERT_TRUE(observer_.WaitForPoll(1));
  EXPECT_EQ(next.wait_for(std::chrono::milliseconds(100)), std::future_status::timeout);
  RuntimeInvocation inv = Invocation("req-1");
  inv.client_context = R"({"custom":{"a":"b"}})";
  ASSERT_TRUE(api_.Assign(inv));
  auto reply = next.get();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 200);
  EXPECT_EQ(reply->body, R"({"hello":"world"})");
  EXPECT_EQ(reply->headers["lambda-runtime-aws-request-id"], "req-1");
  EXPECT_EQ(reply->headers["lambda-runtime-deadline-ms"], "1700000003000");
  EXPECT_EQ(reply->headers["lambda-runtime-invoked-function-arn"],
            "arn:aws:lambda:us-east-1:123456789012:function:f");
  EXPECT_EQ(reply->headers["lambda-runtime-trace-id"], inv.trace_id);
  EXPECT_EQ(reply->headers["lambda-runtime-client-context"], R"({"custom":{"a":"b"}})");
  EXPECT_EQ(reply->headers.count("lambda-runtime-cognito-identity"), 0u);
  EXPECT_EQ(reply->headers["content-type"], "application/json");
}

TEST_F(RuntimeApiTest, InvocationAssignedBeforeThePollIsDeliveredAtOnce) {
  ASSERT_TRUE(api_.Assign(Invocation("req-early")));
  EXPECT_FALSE(api_.Assign(Invocation("req-second")));  // one at a time
  auto reply = HttpCall(port_, "GET", "/2018-06-01/runtime/invocation/next");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->headers["lambda-runtime-aws-request-id"], "req-early");
}

TEST_F(RuntimeApiTest, ResponseIsAcceptedOnceThenTheIdIsInvalid) {
  Deliver("req-1");
  auto reply = HttpCall(port_, "POST", "/2018-06-01/runtime/invocation/req-1/response", "42");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 202);
  EXPECT_EQ(reply->body, R"({"status":"OK"})");
  ASSERT_TRUE(observer_.outcome().has_value());
  EXPECT_EQ(observer_.outcome_id(), "req-1");
  EXPECT_EQ(observer_.outcome()->kind, RuntimeOutcome::Kind::kResponse);
  EXPECT_EQ(observer_.outcome()->body, "42");

  reply = HttpCall(port_, "POST", "/2018-06-01/runtime/invocation/req-1/response", "43");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 400);
  EXPECT_EQ(reply->body, R"({"errorMessage":"Invalid request ID","errorType":"InvalidRequestID"})");
}

TEST_F(RuntimeApiTest, UnknownRequestIdIsRejected) {
  Deliver("req-1");
  auto reply = HttpCall(port_, "POST", "/2018-06-01/runtime/invocation/other/error", "{}");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 400);
  EXPECT_FALSE(observer_.outcome().has_value());
}

TEST_F(RuntimeApiTest, ErrorBodyAndTypeArePassedThrough) {
  Deliver("req-e");
  const std::string body = R"({"errorMessage":"x","errorType":"ValueError","stackTrace":[]})";
  auto reply = HttpCall(port_, "POST", "/2018-06-01/runtime/invocation/req-e/error", body,
                        {{"Lambda-Runtime-Function-Error-Type", "Unhandled"}});
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 202);
  ASSERT_TRUE(observer_.outcome().has_value());
  EXPECT_EQ(observer_.outcome()->kind, RuntimeOutcome::Kind::kError);
  EXPECT_EQ(observer_.outcome()->body, body);
  EXPECT_EQ(observer_.outcome()->error_type, "Unhandled");
}

TEST_F(RuntimeApiTest, ResponseOverTheLimitIs413AndEndsTheInvocation) {
  Deliver("req-big");
  auto reply = HttpCall(port_, "POST", "/2018-06-01/runtime/invocation/req-big/response", "x", {},
                        kMaxRuntimePayloadBytes + 1);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 413);
  EXPECT_EQ(reply->body,
            R"({"errorMessage":"Exceeded maximum allowed payload size (6291556 bytes).",)"
            R"("errorType":"RequestEntityTooLarge"})");
  ASSERT_TRUE(observer_.outcome().has_value());
  EXPECT_EQ(observer_.outcome()->kind, RuntimeOutcome::Kind::kResponseTooLarge);
}

TEST_F(RuntimeApiTest, ResponseOfExactlySixMebibytesIsAccepted) {
  Deliver("req-6m");
  const std::string body(6 * 1024 * 1024, 'x');
  auto reply = HttpCall(port_, "POST", "/2018-06-01/runtime/invocation/req-6m/response", body);
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 202);
  ASSERT_TRUE(observer_.outcome().has_value());
  EXPECT_EQ(observer_.outcome()->body.size(), body.size());
}

TEST_F(RuntimeApiTest, InitErrorIsAcceptedOnlyBeforeTheFirstPoll) {
  auto reply = HttpCall(port_, "POST", "/2018-06-01/runtime/init/error", R"({"errorMessage":"m"})",
                        {{"Lambda-Runtime-Function-Error-Type", "Runtime.ImportModuleError"}});
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 202);
  ASSERT_TRUE(observer_.init_error().has_value());
  EXPECT_EQ(observer_.init_error()->first, R"({"errorMessage":"m"})");
  EXPECT_EQ(observer_.init_error()->second, "Runtime.ImportModuleError");

  Deliver("req-1");
  reply = HttpCall(port_, "POST", "/2018-06-01/runtime/init/error", "{}");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 403);
}

TEST_F(RuntimeApiTest, AbandonedInvocationRejectsLatePosts) {
  Deliver("req-late");
  api_.Abandon();
  auto reply = HttpCall(port_, "POST", "/2018-06-01/runtime/invocation/req-late/response", "1");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 400);
  EXPECT_TRUE(api_.Assign(Invocation("req-next")));
}

TEST_F(RuntimeApiTest, ANewerPollReplacesTheParkedOne) {
  auto first = PollNext();
  ASSERT_TRUE(observer_.WaitForPoll(1));
  auto second = PollNext();
  auto replaced = first.get();
  ASSERT_TRUE(replaced.has_value());
  EXPECT_EQ(replaced->status, 403);
  EXPECT_NE(replaced->body.find(R"("errorType":"InvalidStateTransition")"), std::string::npos);
  ASSERT_TRUE(observer_.WaitForPoll(2));
  ASSERT_TRUE(api_.Assign(Invocation("req-2")));
  auto reply = second.get();
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->headers["lambda-runtime-aws-request-id"], "req-2");
}

TEST_F(RuntimeApiTest, UnknownPathsAndMethods) {
  auto reply = HttpCall(port_, "GET", "/2018-06-01/runtime/nothing");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 404);
  reply = HttpCall(port_, "POST", "/2018-06-01/runtime/invocation/next", "");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 405);
  reply = HttpCall(port_, "GET", "/2018-06-01/runtime/invocation/abc/response");
  ASSERT_TRUE(reply.has_value());
  EXPECT_EQ(reply->status, 405);
}

class RecordingSink final : public ResponseStreamSink {
 public:
  void OnStart(const std::string& content_type) override {
    std::lock_guard lock(mu_);
    content_type_ = content_type;
  }
  void OnChunk(std::string data) override {
    std::lock_guard lock(mu_);
    chunks_.push_back(std::move(data));
    cv_.notify_all();
  }
  bool WaitForChunks(size_t n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(5), [&] { return chunks_.size() >= n; });
  }
  std::vector<std::string> chunks() {
    std::lock_guard lock(mu_);
    return chunks_;
  }
  std::string content_type() {
    std::lock_guard lock(mu_);
    return content_type_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> chunks_;
  std::string content_type_;
};

// A runtime posting a streamed response by hand: raw chunked HTTP.
class RawConnection {
 public:
  explicit RawConnection(uint16_t port) : socket_(io_) {
    socket_.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  }
  void Send(const std::string& data) { boost::asio::write(socket_, boost::asio::buffer(data)); }
  std::string ReadHead() {
    boost::asio::streambuf buf;
    boost::asio::read_until(socket_, buf, "\r\n\r\n");
    return std::string(boost::asio::buffers_begin(buf.data()),
                       boost::asio::buffers_end(buf.data()));
  }

 private:
  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
};

std::string StreamedHead(const std::string& id) {
  return "POST /2018-06-01/runtime/invocation/" + id +
         "/response HTTP/1.1\r\nHost: x\r\nLambda-Runtime-Function-Response-Mode: streaming\r\n"
         "Content-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";
}

TEST_F(RuntimeApiTest, StreamedResponseReachesTheSinkChunkByChunk) {
  auto sink = std::make_shared<RecordingSink>();
  auto next = PollNext();
  ASSERT_TRUE(observer_.WaitForPoll(1));
  RuntimeInvocation inv = Invocation("req-s");
  inv.stream_sink = sink;
  ASSERT_TRUE(api_.Assign(std::move(inv)));
  ASSERT_TRUE(next.get().has_value());

  RawConnection runtime(port_);
  runtime.Send(StreamedHead("req-s") + "5\r\nfirst\r\n");
  // The first chunk is there while the body is still open.
  ASSERT_TRUE(sink->WaitForChunks(1));
  EXPECT_EQ(sink->chunks()[0], "first");
  EXPECT_EQ(sink->content_type(), "text/plain");
  EXPECT_FALSE(observer_.outcome().has_value());
  runtime.Send("6\r\nsecond\r\n0\r\n\r\n");
  EXPECT_NE(runtime.ReadHead().find("202"), std::string::npos);
  auto outcome = observer_.outcome();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(observer_.outcome_id(), "req-s");
  EXPECT_EQ(outcome->kind, RuntimeOutcome::Kind::kResponse);
  EXPECT_TRUE(outcome->streamed);
  EXPECT_EQ(outcome->body, "");
  EXPECT_EQ(sink->chunks(), (std::vector<std::string>{"first", "second"}));
}

TEST_F(RuntimeApiTest, StreamedErrorComesInTheTrailers) {
  auto sink = std::make_shared<RecordingSink>();
  auto next = PollNext();
  ASSERT_TRUE(observer_.WaitForPoll(1));
  RuntimeInvocation inv = Invocation("req-e");
  inv.stream_sink = sink;
  ASSERT_TRUE(api_.Assign(std::move(inv)));
  ASSERT_TRUE(next.get().has_value());
  const std::string error = R"({"errorType":"Boom","errorMessage":"m"})";
  RawConnection runtime(port_);
  runtime.Send(StreamedHead("req-e") +
               "7\r\npartial\r\n0\r\nLambda-Runtime-Function-Error-Type: Boom\r\n"
               "Lambda-Runtime-Function-Error-Body: " +
               Base64Encode(error) + "\r\n\r\n");
  EXPECT_NE(runtime.ReadHead().find("202"), std::string::npos);
  auto outcome = observer_.outcome();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, RuntimeOutcome::Kind::kError);
  EXPECT_EQ(outcome->error_type, "Boom");
  EXPECT_EQ(outcome->body, error);
  EXPECT_TRUE(outcome->streamed);
  EXPECT_EQ(sink->chunks(), (std::vector<std::string>{"partial"}));
}

TEST_F(RuntimeApiTest, StreamedResponseWithoutASinkIsCollected) {
  Deliver("req-c");
  RawConnection runtime(port_);
  runtime.Send(StreamedHead("req-c") + "3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n");
  EXPECT_NE(runtime.ReadHead().find("202"), std::string::npos);
  auto outcome = observer_.outcome();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, RuntimeOutcome::Kind::kResponse);
  EXPECT_FALSE(outcome->streamed);
  EXPECT_EQ(outcome->body, "abcde");
}

TEST_F(RuntimeApiTest, StreamedResponseOverTheLimitIsRefused) {
  Deliver("req-big");
  RawConnection runtime(port_);
  // Without a sink the buffered limit applies: 6 MiB + 100 bytes.
  std::string chunk(1 << 20, 'x');
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  std::string data = StreamedHead("req-big");
  for (int i = 0; i < 7; ++i) data += size + chunk + "\r\n";
  data += "0\r\n\r\n";
  std::thread sender([&] {
    try {
      runtime.Send(data);
    } catch (...) {  // the server closes once it has refused
    }
  });
  std::string head = runtime.ReadHead();
  sender.join();
  EXPECT_NE(head.find("413"), std::string::npos) << head;
  auto outcome = observer_.outcome();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, RuntimeOutcome::Kind::kResponseTooLarge);
  EXPECT_EQ(outcome->limit_bytes, kMaxRuntimePayloadBytes);
}

// With a sink a stream may pass the buffered limit, up to kMaxStreamedResponseBytes (200 MiB).
TEST_F(RuntimeApiTest, StreamedResponseWithASinkStopsAtTwoHundredMebibytes) {
  auto sink = std::make_shared<RecordingSink>();
  auto next = PollNext();
  ASSERT_TRUE(observer_.WaitForPoll(1));
  RuntimeInvocation inv = Invocation("req-huge");
  inv.stream_sink = sink;
  ASSERT_TRUE(api_.Assign(std::move(inv)));
  ASSERT_TRUE(next.get().has_value());
  RawConnection runtime(port_);
  const std::string chunk(4 << 20, 'y');
  char size[16];
  std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
  const std::string framed = size + chunk + "\r\n";
  std::thread sender([&] {
    try {
      runtime.Send(StreamedHead("req-huge"));
      for (size_t sent = 0; sent <= kMaxStreamedResponseBytes; sent += chunk.size()) {
        runtime.Send(framed);
      }
      runtime.Send("0\r\n\r\n");
    } catch (...) {  // the server closes once it has refused
    }
  });
  std::string head = runtime.ReadHead();
  sender.join();
  EXPECT_NE(head.find("413"), std::string::npos) << head;
  EXPECT_NE(head.find("209715200"), std::string::npos) << head;
  auto outcome = observer_.outcome();
  ASSERT_TRUE(outcome.has_value());
  EXPECT_EQ(outcome->kind, RuntimeOutcome::Kind::kResponseTooLarge);
  EXPECT_EQ(outcome->limit_bytes, kMaxStreamedResponseBytes);
  EXPECT_TRUE(outcome->streamed);
  size_t delivered = 0;
  for (const std::string& c : sink->chunks()) delivered += c.size();
  EXPECT_GT(delivered, kMaxRuntimePayloadBytes);
  EXPECT_LE(delivered, kMaxStreamedResponseBytes);
}

}  // namespace
}  // namespace lambdalite::executor
