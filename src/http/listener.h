#pragma once

#include <atomic>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <cstdint>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/handler.h"
#include "http/server.h"
#include "http/server_core.h"

namespace lambdalite::http::internal {

// One listening socket and the handler its connections use. Accepts on its own strand; every
// accepted connection gets a strand of its own and is registered with the ServerCore. With a peer
// filter, each accepted connection is first checked against it (see Server::AddListener) and
// reset when refused.
class Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(ServerCore& core, RequestHandler& handler, PeerUidFilter peer_filter = {});
  Listener(const Listener&) = delete;
  Listener& operator=(const Listener&) = delete;

  // Binds (SO_REUSEADDR) and listens, synchronously. `host` is an IP literal or a name to
  // resolve; empty means all IPv4 interfaces.
  Status Open(const std::string& host, uint16_t port);
  // Open in two steps: Bind reserves the port (connections are refused until Listen), so the
  // port is known before the server is ready to serve on it.
  Status Bind(const std::string& host, uint16_t port);
  Status Listen();
  // Takes over an already listening IPv4 TCP socket (Server::AdoptListener); closes it on
  // failure.
  Status Adopt(int fd);
  // The bound port; valid after Open succeeded.
  uint16_t port() const { return port_; }

  RequestHandler& handler() const { return handler_; }
  Gate& gate() { return gate_; }
  // RemoveListener has begun: its connections write nothing more.
  bool detached() const { return detached_.load(std::memory_order_relaxed); }

  void StartAccepting();
  // Closes the acceptor on its strand. With `wait`, returns once it is closed (so the port is
  // free) or the io_context has stopped. Never wait on an I/O thread: it may be the one that
  // would run the close.
  void StopAccepting(bool wait);
  // Closes the acceptor directly; only when no I/O thread is running.
  void CloseNow();

 private:
  friend class ServerCore;  // detached_

  void DoAccept();
  void OnAccept(boost::system::error_code ec, boost::asio::ip::tcp::socket socket);
  // Whether the peer filter lets the connection in; logs refusals (sparingly).
  bool AdmitPeer(const boost::asio::ip::tcp::socket& socket);
  void LogRefusal(const std::string& peer, const std::string& why);
  void CloseOnStrand();

  ServerCore& core_;
  RequestHandler& handler_;
  const PeerUidFilter peer_filter_;  // empty: every peer is served
  boost::asio::strand<boost::asio::io_context::executor_type> strand_;
  boost::asio::ip::tcp::acceptor acceptor_;
  // Paces retries after accept errors such as EMFILE, which would otherwise spin.
  boost::asio::steady_timer retry_timer_;
  uint16_t port_ = 0;
  std::string host_;      // as given to Bind, for messages
  uint64_t refused_ = 0;  // connections refused by the peer filter; on the strand
  Gate gate_;
  // Set by ServerCore::DetachListener under its registry lock (so registration is exact); read
  // without it by connections, which stop answering once it is set.
  std::atomic<bool> detached_{false};
};

}  // namespace lambdalite::http::internal
