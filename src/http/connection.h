#pragma once

#include <atomic>
#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

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

 private:
  enum class State { kReadingHeader, kReadingBody, kHandling, kWriting, kLingering, kClosed };

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
};

}  // namespace lambdalite::http::internal
