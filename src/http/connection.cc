#include "http/connection.h"

#include <array>
#include <boost/asio/buffer.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/read.hpp>
#include <chrono>
#include <cstdio>
#include <exception>
#include <limits>
#include <mutex>
#include <shared_mutex>
#include <string_view>
#include <utility>

#include "common/log.h"
#include "http/listener.h"
#include "http/response_writer.h"

namespace lambdalite::http::internal {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace beast_http = boost::beast::http;
using tcp = net::ip::tcp;
using error_code = beast::error_code;

namespace {

// After answering with "Connection: close" (errors, oversized bodies), the connection half-closes
// and keeps reading for a while before closing: closing a socket with unread input makes the
// kernel send RST, which can destroy the response before the client has read it.
constexpr std::chrono::seconds kLingerTimeout{2};
constexpr size_t kLingerMaxBytes = 4 << 20;
constexpr size_t kLingerReadSize = 16 << 10;
// Request bodies up to this capacity keep their buffer for the connection's next request;
// larger ones are released once answered.
constexpr size_t kKeptBodyCapacity = 64 << 10;
constexpr std::string_view kContinue = "HTTP/1.1 100 Continue\r\n\r\n";

bool IsHttpParseError(const error_code& ec) {
  return ec.category() == beast_http::make_error_code(beast_http::error::bad_method).category();
}

void LogHandlerException(const HttpRequest& request, std::string_view what) {
  constexpr size_t kMaxTarget = 256;
  std::string message = "http: handler threw on " + request.method + " " +
                        request.target.substr(0, kMaxTarget) + ": ";
  message.append(what);
  LogError(message);
}

// Runs Handle, turning an exception into the catch-all 500.
HttpResponse CallHandle(RequestHandler& handler, const HttpRequest& request) {
  try {
    return handler.Handle(request);
  } catch (const std::exception& e) {
    LogHandlerException(request, e.what());
  } catch (...) {
    LogHandlerException(request, "non-standard exception");
  }
  return InternalErrorResponse();
}

// The state behind a HandleAsync `done` callback. It refers to the connection weakly and checks
// the server's Liveness, so the handler may call or drop `done` at any time, even after the
// connection closed or the server was destroyed. Exactly one response is ever delivered: by the
// first Complete, or, if every copy is dropped uncalled, a 500 from the destructor.
class AsyncCompletion {
 public:
  AsyncCompletion(std::weak_ptr<Connection> connection, std::shared_ptr<Liveness> liveness)
      : connection_(std::move(connection)), liveness_(std::move(liveness)) {}
  AsyncCompletion(const AsyncCompletion&) = delete;
  AsyncCompletion& operator=(const AsyncCompletion&) = delete;

  ~AsyncCompletion() {
    if (Claim()) Deliver(InternalErrorResponse(), /*abandoned=*/true);
  }

  // Takes the right to answer; false if already taken.
  bool Claim() { return !claimed_.exchange(true, std::memory_order_acq_rel); }

  void Complete(HttpResponse response) {
    if (!Claim()) {
      LogWarn("http: HandleAsync done called more than once, or after declining; ignored");
      return;
    }
    if (dispatching_ == this) {
      synchronous_ = std::move(response);
      return;
    }
    Deliver(std::move(response), /*abandoned=*/false);
  }

  // Brackets the HandleAsync call. An answer given during it on the dispatching thread itself
  // (the Runtime API's 202 for a posted result, on every invocation) is handed back to Dispatch,
  // which writes it at once, instead of being posted through the io_context: that post takes the
  // scheduler's lock and usually wakes another I/O thread just to write it. Answers from other
  // threads are posted as before.
  void BeginDispatch() {
    outer_ = dispatching_;
    dispatching_ = this;
  }
  std::optional<HttpResponse> EndDispatch() {
    dispatching_ = outer_;
    return std::move(synchronous_);
  }

 private:
  void Deliver(HttpResponse response, bool abandoned) {
    std::shared_lock lock(liveness_->mu);
    if (!liveness_->alive) return;
    std::shared_ptr<Connection> connection = connection_.lock();
    if (!connection) return;
    if (abandoned) LogError("http: HandleAsync dropped its done callback without calling it");
    connection->PostResponse(std::move(response));
  }

  const std::weak_ptr<Connection> connection_;
  const std::shared_ptr<Liveness> liveness_;
  std::atomic<bool> claimed_{false};
  // The completion whose HandleAsync call runs on this thread, if any.
  static thread_local AsyncCompletion* dispatching_;
  AsyncCompletion* outer_ = nullptr;         // dispatching thread only
  std::optional<HttpResponse> synchronous_;  // dispatching thread only
};

thread_local AsyncCompletion* AsyncCompletion::dispatching_ = nullptr;

}  // namespace

}  // namespace lambdalite::http::internal

namespace lambdalite::http {

// The shared state of a ResponseWriter. Its steps are posted to the connection's strand under
// `mu`, so they arrive in the order they were made even from several threads.
class ResponseWriter::State {
 public:
  State(std::weak_ptr<internal::Connection> connection,
        std::shared_ptr<internal::Liveness> liveness)
      : connection_(std::move(connection)), liveness_(std::move(liveness)) {}
  State(const State&) = delete;
  State& operator=(const State&) = delete;

  ~State() {
    if (phase_ == Phase::kIdle || phase_ == Phase::kBegun) {
      if (phase_ == Phase::kIdle) LogError("http: a streamed response was dropped unanswered");
      Post([](internal::Connection& c, const void* self) { c.OnStreamAbort(self); });
    }
  }

  void Respond(HttpResponse response) {
    std::lock_guard lock(mu_);
    if (!Advance(Phase::kIdle, Phase::kDone, "Respond")) return;
    response.stream = nullptr;
    Post([response = std::move(response)](internal::Connection& c, const void* self) mutable {
      c.OnStreamRespond(self, std::move(response));
    });
  }
  void Begin(HttpResponse head) {
    std::lock_guard lock(mu_);
    if (!Advance(Phase::kIdle, Phase::kBegun, "Begin")) return;
    head.body.clear();
    head.stream = nullptr;
    Post([head = std::move(head)](internal::Connection& c, const void* self) mutable {
      c.OnStreamBegin(self, std::move(head));
    });
  }
  void Write(std::string chunk) {
    if (chunk.empty()) return;
    std::lock_guard lock(mu_);
    if (!Advance(Phase::kBegun, Phase::kBegun, "Write")) return;
    Post([chunk = std::move(chunk)](internal::Connection& c, const void* self) mutable {
      c.OnStreamWrite(self, std::move(chunk));
    });
  }
  void End() {
    std::lock_guard lock(mu_);
    if (!Advance(Phase::kBegun, Phase::kDone, "End")) return;
    Post([](internal::Connection& c, const void* self) { c.OnStreamEnd(self); });
  }
  bool closed() const {
    std::shared_ptr<internal::Connection> connection = connection_.lock();
    return !connection || connection->is_closed();
  }

 private:
  enum class Phase { kIdle, kBegun, kDone };

  bool Advance(Phase from, Phase to, const char* step) {
    if (phase_ != from) {
      LogWarn(std::string("http: ResponseWriter::") + step + " out of order; ignored");
      return false;
    }
    phase_ = to;
    return true;
  }

  template <class F>
  void Post(F step) {
    std::shared_lock lock(liveness_->mu);
    if (!liveness_->alive) return;
    std::shared_ptr<internal::Connection> connection = connection_.lock();
    if (!connection) return;
    connection->PostStep(
        [connection, step = std::move(step), self = this]() mutable { step(*connection, self); });
  }

  const std::weak_ptr<internal::Connection> connection_;
  const std::shared_ptr<internal::Liveness> liveness_;
  std::mutex mu_;
  Phase phase_ = Phase::kIdle;  // guarded by mu_
};

void ResponseWriter::Respond(HttpResponse response) const { state_->Respond(std::move(response)); }
void ResponseWriter::Begin(HttpResponse head) const { state_->Begin(std::move(head)); }
void ResponseWriter::Write(std::string chunk) const { state_->Write(std::move(chunk)); }
void ResponseWriter::End() const { state_->End(); }
bool ResponseWriter::closed() const { return state_->closed(); }

}  // namespace lambdalite::http

namespace lambdalite::http::internal {

Connection::Connection(ServerCore& core, std::shared_ptr<Listener> listener, tcp::socket socket,
                       uint64_t id)
    : core_(core),
      listener_(std::move(listener)),
      id_(id),
      stream_(std::move(socket)),
      executor_(stream_.get_executor()) {
  error_code ec;
  tcp::endpoint remote = stream_.socket().remote_endpoint(ec);
  // Set once: the request is cleared field by field between requests, never this one.
  if (!ec) request_.remote_address = remote.address().to_string();
}

void Connection::Start() {
  net::post(executor_, [self = shared_from_this()] { self->ReadHeader(); });
}

void Connection::BeginShutdown() {
  net::post(executor_, [self = shared_from_this()] {
    switch (self->state_) {
      case State::kReadingHeader:
        // Idle between requests: nothing in flight to finish. With part of a header already
        // received, give the client the drain period to complete it.
        if (self->buffer_.size() == 0) {
          self->Close();
        } else {
          self->close_after_response_ = true;
        }
        break;
      case State::kLingering:
        self->Close();
        break;
      case State::kReadingBody:
      case State::kHandling:
      case State::kWriting:
      case State::kStreaming:
        self->close_after_response_ = true;
        break;
      case State::kClosed:
        break;
    }
  });
}

void Connection::ForceClose() {
  net::post(executor_, [self = shared_from_this()] { self->Close(); });
}

void Connection::CloseNow() {
  state_ = State::kClosed;
  stream_.close();
}

void Connection::PostResponse(HttpResponse response) {
  net::post(executor_, [self = shared_from_this(), response = std::move(response)]() mutable {
    self->OnHandlerResponse(std::move(response));
  });
}

void Connection::PostStep(std::function<void()> step) { net::post(executor_, std::move(step)); }

void Connection::ReadHeader() {
  if (close_after_response_ || core_.draining() || listener_->detached()) {
    Close();
    return;
  }
  state_ = State::kReadingHeader;
  keep_alive_ = false;
  http10_ = false;
  head_request_ = false;
  request_.method.clear();
  request_.target.clear();
  request_.headers.clear();
  request_.body.clear();
  body_sink_.reset();
  parser_.emplace(&request_);
  parser_->header_limit(core_.options().header_limit);
  // The only timeout on a connection: waiting for the next request (keep-alive idle) or for the
  // rest of its header.
  stream_.expires_after(core_.options().idle_timeout);
  beast_http::async_read_header(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, size_t) { self->OnHeader(ec); });
}

void Connection::OnHeader(error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec) {
    OnReadError(ec);
    return;
  }
  keep_alive_ = parser_->keep_alive();
  http10_ = parser_->version() < 11;
  head_request_ = request_.method == "HEAD";

  size_t limit = 0;
  {
    Gate::Scope scope(listener_->gate());
    if (!scope.entered()) {
      Close();
      return;
    }
    try {
      body_sink_ = listener_->handler().StreamRequestBody(request_);
      limit = body_sink_ ? std::numeric_limits<size_t>::max()
                         : listener_->handler().BodyLimit(request_.method, request_.target);
    } catch (const std::exception& e) {
      LogHandlerException(request_, e.what());
      close_after_response_ = true;
      unread_input_ = true;
      Respond(InternalErrorResponse());
      return;
    } catch (...) {
      LogHandlerException(request_, "non-standard exception");
      close_after_response_ = true;
      unread_input_ = true;
      Respond(InternalErrorResponse());
      return;
    }
  }
  // Refuse before reading a byte of the body.
  if (auto length = parser_->declared_length(); length && *length > limit) {
    AnswerTooLarge();
    return;
  }
  if (parser_->is_done()) {
    Dispatch();
    return;
  }
  // Bounds a chunked body while it is read.
  parser_->body_limit(static_cast<std::uint64_t>(limit));
  // Parse everything buffered in one go instead of one body piece per read; a streamed body is
  // read piece by piece (in eager mode a read completes only once the buffer is used up, which a
  // body arriving in parts, waiting for the server, never does).
  parser_->eager(!body_sink_);
  if (parser_->expects_continue() && !http10_) {
    WriteContinue();
    return;
  }
  ReadBody();
}

void Connection::WriteContinue() {
  state_ = State::kReadingBody;
  stream_.expires_never();
  net::async_write(stream_, net::buffer(kContinue.data(), kContinue.size()),
                   [self = shared_from_this()](error_code ec, size_t) {
                     if (self->state_ == State::kClosed) return;
                     if (ec) {
                       self->Close();
                       return;
                     }
                     self->ReadBody();
                   });
}

void Connection::ReadBody() {
  state_ = State::kReadingBody;
  // Re-armed for every read, so this bounds inactivity, not the length of a large upload.
  stream_.expires_after(core_.options().idle_timeout);
  beast_http::async_read_some(
      stream_, buffer_, *parser_,
      [self = shared_from_this()](error_code ec, size_t) { self->OnBody(ec); });
}

void Connection::OnBody(error_code ec) {
  if (state_ == State::kClosed) return;
  if (ec) {
    OnReadError(ec);
    return;
  }
  if (body_sink_ && !request_.body.empty()) {
    bool more = false;
    {
      Gate::Scope scope(listener_->gate());
      if (!scope.entered()) {
        Close();
        return;
      }
      more = body_sink_->OnBodyData(request_.body);
    }
    request_.body.clear();
    if (!more) {
      body_sink_.reset();  // refused: not aborted
      AnswerTooLarge();
      return;
    }
  }
  if (!parser_->is_done()) {
    ReadBody();
    return;
  }
  Dispatch();
}

void Connection::OnReadError(error_code ec) {
  if (ec == beast_http::error::body_limit) {
    AnswerTooLarge();
    return;
  }
  // Peer closed, reset, timed out, or was cancelled: nobody to answer.
  if (!IsHttpParseError(ec) || ec == beast_http::error::end_of_stream ||
      ec == beast_http::error::partial_message) {
    Close();
    return;
  }
  close_after_response_ = true;
  unread_input_ = true;
  if (ec == beast_http::error::header_limit) {
    Respond(TransportErrorResponse(431, "request header too large"));
  } else {
    Respond(TransportErrorResponse(400, "malformed HTTP request: " + ec.message()));
  }
}

void Connection::AnswerTooLarge() {
  HttpResponse response;
  {
    Gate::Scope scope(listener_->gate());
    if (!scope.entered()) {
      Close();
      return;
    }
    try {
      response = listener_->handler().OnBodyTooLarge(request_.method, request_.target);
    } catch (const std::exception& e) {
      LogHandlerException(request_, e.what());
      response = InternalErrorResponse();
    } catch (...) {
      LogHandlerException(request_, "non-standard exception");
      response = InternalErrorResponse();
    }
  }
  // The unread body is still on the wire, so the connection cannot carry another request.
  close_after_response_ = true;
  unread_input_ = true;
  Respond(std::move(response));
}

void Connection::Dispatch() {
  state_ = State::kHandling;
  body_sink_.reset();  // the body is complete
  RequestHandler& handler = listener_->handler();
  std::optional<HttpResponse> inline_response;
  {
    Gate::Scope scope(listener_->gate());
    if (!scope.entered()) {
      Close();
      return;
    }
    auto completion = std::make_shared<AsyncCompletion>(weak_from_this(), core_.liveness());
    bool accepted = false;
    completion->BeginDispatch();
    try {
      accepted = handler.HandleAsync(request_, [completion](HttpResponse response) {
        completion->Complete(std::move(response));
      });
    } catch (const std::exception& e) {
      LogHandlerException(request_, e.what());
      if (completion->Claim()) inline_response = InternalErrorResponse();
    } catch (...) {
      LogHandlerException(request_, "non-standard exception");
      if (completion->Claim()) inline_response = InternalErrorResponse();
    }
    // Answered synchronously on this thread (accepted or not): write it now.
    if (auto answered = completion->EndDispatch()) inline_response = std::move(answered);
    // Accepted: the answer arrives through PostResponse (or, if the handler kept no copy of
    // `done`, from `completion`'s destructor at the end of this scope).
    if (accepted && !inline_response) return;
    // Declined, but `done` was called anyway: that answer is already on its way.
    if (!inline_response && !completion->Claim()) return;
    if (!inline_response && core_.TryEnterInline()) {
      inline_response = CallHandle(handler, request_);
      core_.ExitInline();
    }
  }
  if (inline_response && inline_response->stream) {
    // Handle's producer may block: never on this I/O thread.
    core_.pool().Submit([self = shared_from_this(), producer = std::move(inline_response->stream)] {
      self->StartStream(producer);
    });
    return;
  }
  if (inline_response) {
    Respond(std::move(*inline_response));
    return;
  }
  // Every inline slot is taken (possibly by blocked handlers): hand the call to a worker so the
  // I/O threads stay free.
  core_.pool().Submit([self = shared_from_this()] {
    HttpResponse response;
    {
      Gate::Scope scope(self->listener_->gate());
      // The listener was removed; its connections are being closed, so nobody waits for this.
      if (!scope.entered()) return;
      response = CallHandle(self->listener_->handler(), self->request_);
    }
    if (response.stream) {
      // The producer may block: it runs here, on the worker thread.
      self->StartStream(response.stream);
      return;
    }
    self->PostResponse(std::move(response));
  });
}

void Connection::OnHandlerResponse(HttpResponse response) {
  if (state_ != State::kHandling) return;  // closed meanwhile
  Respond(std::move(response));
}

void Connection::StartStream(const StreamProducer& producer) {
  auto state = std::make_shared<ResponseWriter::State>(weak_from_this(), core_.liveness());
  try {
    producer(ResponseWriter(state));
  } catch (const std::exception& e) {
    LogHandlerException(request_, e.what());
  } catch (...) {
    LogHandlerException(request_, "non-standard exception");
  }
}

void Connection::OnStreamRespond(const void* /*writer*/, HttpResponse response) {
  if (state_ != State::kHandling) return;
  Respond(std::move(response));
}

void Connection::OnStreamBegin(const void* writer, HttpResponse head) {
  if (state_ != State::kHandling) return;
  if (listener_->detached()) {
    Close();
    return;
  }
  if (head.status < 200 || head.status > 999) {
    LogError("http: streamed response with invalid status " + std::to_string(head.status));
    Respond(InternalErrorResponse());
    return;
  }
  ResponseHeadParams params;
  params.keep_alive = keep_alive_ && !close_after_response_ && !core_.draining();
  params.http10 = http10_;
  params.head_request = head_request_;
  params.streamed = true;
  std::string serialized;
  const ResponseFraming framing = SerializeResponseHead(head, params, &serialized);
  state_ = State::kStreaming;
  stream_expected_ = writer;
  stream_ended_ = false;
  stream_aborted_ = false;
  stream_chunked_ = !http10_;
  stream_send_body_ = framing.send_body;
  stream_close_ = framing.close;
  stream_.expires_never();
  stream_queue_.push_back(std::move(serialized));
  PumpStream();
}

void Connection::OnStreamWrite(const void* writer, std::string chunk) {
  if (state_ != State::kStreaming || writer != stream_expected_ || stream_ended_) return;
  if (!stream_send_body_) return;
  if (stream_chunked_) {
    char size[24];
    const int n = std::snprintf(size, sizeof size, "%zx\r\n", chunk.size());
    chunk.insert(0, size, static_cast<size_t>(n));
    chunk.append("\r\n");
  }
  stream_queue_.push_back(std::move(chunk));
  PumpStream();
}

void Connection::OnStreamEnd(const void* writer) {
  if (state_ != State::kStreaming || writer != stream_expected_ || stream_ended_) return;
  stream_ended_ = true;
  if (stream_chunked_ && stream_send_body_) stream_queue_.push_back("0\r\n\r\n");
  PumpStream();
}

void Connection::OnStreamAbort(const void* writer) {
  if (state_ == State::kHandling) {
    Respond(InternalErrorResponse());
    return;
  }
  if (state_ == State::kStreaming && writer == stream_expected_ && !stream_ended_) {
    // What was written goes out first; then the close shows the body truncated.
    stream_aborted_ = true;
    PumpStream();
  }
}

void Connection::PumpStream() {
  if (stream_writing_ || state_ != State::kStreaming) return;
  if (stream_queue_.empty()) {
    if (stream_aborted_) {
      Close();
    } else if (stream_ended_) {
      FinishStream();
    }
    return;
  }
  stream_inflight_.clear();
  while (!stream_queue_.empty()) {
    stream_inflight_.push_back(std::move(stream_queue_.front()));
    stream_queue_.pop_front();
  }
  std::vector<net::const_buffer> buffers;
  buffers.reserve(stream_inflight_.size());
  for (const std::string& piece : stream_inflight_) buffers.push_back(net::buffer(piece));
  stream_writing_ = true;
  net::async_write(stream_, buffers, [self = shared_from_this()](error_code ec, size_t) {
    self->stream_writing_ = false;
    if (self->state_ != State::kStreaming) return;
    if (ec) {
      self->Close();
      return;
    }
    self->PumpStream();
  });
}

void Connection::FinishStream() {
  stream_inflight_.clear();
  stream_expected_ = nullptr;
  state_ = State::kWriting;  // what OnWrite expects
  OnWrite(error_code(), stream_close_);
}

void Connection::Respond(HttpResponse response) {
  if (response.stream) {
    // From HandleAsync's done (or an inline Handle): the producer runs on this strand.
    StartStream(response.stream);
    return;
  }
  if (listener_->detached()) {
    Close();
    return;
  }
  if (response.status < 200 || response.status > 999) {
    LogError("http: handler returned invalid status " + std::to_string(response.status) + " for " +
             request_.method + " " + request_.target.substr(0, 256));
    response = InternalErrorResponse();
  }
  response_ = std::move(response);
  ResponseHeadParams params;
  // Checked here as well as in BeginShutdown, whose post may queue behind an inline handler call.
  params.keep_alive = keep_alive_ && !close_after_response_ && !core_.draining();
  params.http10 = http10_;
  params.head_request = head_request_;
  const ResponseFraming framing = SerializeResponseHead(response_, params, &head_);
  state_ = State::kWriting;
  // No write timeout: see ServerOptions::idle_timeout.
  stream_.expires_never();
  std::array<net::const_buffer, 2> buffers{
      net::buffer(head_), framing.send_body ? net::buffer(response_.body) : net::const_buffer()};
  net::async_write(stream_, buffers,
                   [self = shared_from_this(), close = framing.close](error_code ec, size_t) {
                     self->OnWrite(ec, close);
                   });
}

void Connection::OnWrite(error_code ec, bool close) {
  if (state_ == State::kClosed) return;
  if (ec) {
    Close();
    return;
  }
  response_ = HttpResponse();
  if (request_.body.capacity() > kKeptBodyCapacity) request_.body = std::string();
  if (close) {
    // A fully read request leaves nothing to drain: close at once (the kernel still delivers
    // the response, then FIN).
    if (unread_input_ || buffer_.size() != 0) {
      Linger();
    } else {
      Close();
    }
    return;
  }
  ReadHeader();
}

void Connection::Linger() {
  state_ = State::kLingering;
  error_code ignored;
  stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  // One deadline for the whole linger period (not re-armed per read).
  stream_.expires_after(kLingerTimeout);
  lingered_bytes_ = 0;
  buffer_.clear();
  stream_.async_read_some(
      buffer_.prepare(kLingerReadSize),
      [self = shared_from_this()](error_code read_ec, size_t n) { self->OnLinger(read_ec, n); });
}

void Connection::OnLinger(error_code ec, size_t bytes) {
  if (state_ == State::kClosed) return;
  lingered_bytes_ += bytes;
  if (ec || lingered_bytes_ > kLingerMaxBytes) {
    Close();
    return;
  }
  // Discarded: nothing is committed, so the same buffer space is reused.
  stream_.async_read_some(
      buffer_.prepare(kLingerReadSize),
      [self = shared_from_this()](error_code read_ec, size_t n) { self->OnLinger(read_ec, n); });
}

void Connection::Close() {
  if (state_ == State::kClosed) return;
  state_ = State::kClosed;
  closed_flag_.store(true, std::memory_order_release);
  stream_.close();
  stream_queue_.clear();
  if (auto sink = std::move(body_sink_)) sink->OnBodyAborted();
  // May drop the registry's reference; the caller's own reference keeps this alive until it
  // returns.
  core_.Unregister(id_);
}

}  // namespace lambdalite::http::internal
