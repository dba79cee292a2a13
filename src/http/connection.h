#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "http/handler.h"
#include "http/request_parser.h"
#include "http/server_core.h"

namespace lambdalite::http::internal {

class Listener;

// One accepted TCP connection: reads requests, has them handled and writes the answers, one
// request at a time and in order (which makes pipelining safe). All its state is touched only on
// its strand, except `request_`, which a worker thread reads while the connection waits in
// kHandling and touches nothing else.
//
// Owned by the ServerCore registry while open; pending operations and handler calls hold extra
// references. HandleAsync completions hold only a weak one (see Liveness).
class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerCore& core, std::shared_ptr<Listener> listener,
             boost::asio::ip::tcp::socket socket, uint64_t id);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  uint64_t id() const { return id_; }
  Listener& listener() const { return *listener_; }

  // Begins reading requests. Call once, after registering.
  void Start();
  // Graceful: closes the connection now if it is idle, otherwise after the current response
  // (which then says "Connection: close"). Thread-safe.
  void BeginShutdown();
  // Closes the connection on its strand, abandoning any request in progress. Thread-safe.
  void ForceClose();
  // Closes the socket directly. Only while no I/O thread runs (end of Server::Stop).
  void CloseNow();
  // Delivers a handler's response to the strand. Thread-safe.
  void PostResponse(HttpResponse response);

  // Whether Close has run. Thread-safe.
  bool is_closed() const { return closed_flag_.load(std::memory_order_acquire); }
  // Runs `step` on the strand. Thread-safe.
  void PostStep(std::function<void()> step);
  // A streamed response's steps (ResponseWriter), run on the strand; `writer` identifies the
  // response they belong to, so a stale writer's steps are ignored.
  void OnStreamRespond(const void* writer, HttpResponse response);
  void OnStreamBegin(const void* writer, HttpResponse head);
  void OnStreamWrite(const void* writer, std::string chunk);
  void OnStreamEnd(const void* writer);
  void OnStreamAbort(const void* writer);

 private:
  enum class State {
    kReadingHeader,
    kReadingBody,
    kHandling,
    kWriting,
    kStreaming,  // a streamed response's head went out; its body is being written
    kLingering,
    kClosed
  };

  void ReadHeader();
  void OnHeader(boost::beast::error_code ec);
  void WriteContinue();
  void ReadBody();
  void OnBody(boost::beast::error_code ec);
  void OnReadError(boost::beast::error_code ec);
  void AnswerTooLarge();
  void Dispatch();
  void OnHandlerResponse(HttpResponse response);
  void Respond(HttpResponse response);
  // Hands a StreamProducer its writer (on the calling thread).
  void StartStream(const StreamProducer& producer);
  void PumpStream();
  void FinishStream();
  void OnWrite(boost::beast::error_code ec, bool close);
  void Linger();
  void OnLinger(boost::beast::error_code ec, size_t bytes);
  void Close();

  ServerCore& core_;
  const std::shared_ptr<Listener> listener_;
  const uint64_t id_;
  boost::beast::tcp_stream stream_;
  const boost::asio::any_io_executor executor_;  // the connection's strand
  // Reused for every request on the connection; holds pipelined bytes between requests.
  boost::beast::flat_buffer buffer_;
  std::optional<RequestParser> parser_;
  HttpRequest request_;
  HttpResponse response_;
  std::string head_;  // serialized status line and headers of response_

  State state_ = State::kReadingHeader;
  bool keep_alive_ = false;
  bool http10_ = false;
  bool head_request_ = false;
  // The connection closes after the response being prepared (error, oversized body, draining).
  bool close_after_response_ = false;
  // The client may still be sending (an unread body, bytes after a parse error), so closing must
  // linger rather than risk a reset.
  bool unread_input_ = false;
  size_t lingered_bytes_ = 0;

  // The streamed response in progress: its ResponseWriter state's address, nullptr if none.
  const void* stream_expected_ = nullptr;
  std::atomic<bool> closed_flag_{false};
  std::deque<std::string> stream_queue_;  // framed, waiting to be written
  std::vector<std::string> stream_inflight_;
  bool stream_writing_ = false;
  bool stream_ended_ = false;
  bool stream_aborted_ = false;
  bool stream_chunked_ = false;
  bool stream_send_body_ = false;
  bool stream_close_ = false;
  // The sink of a request body being streamed to the handler (StreamRequestBody), if any.
  std::shared_ptr<RequestBodySink> body_sink_;
};

}  // namespace lambdalite::http::internal
