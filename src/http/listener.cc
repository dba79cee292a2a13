#include "http/listener.h"

#include <unistd.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <string>
#include <utility>

#include "common/log.h"
#include "http/connection.h"
#include "http/peer_credentials.h"

namespace lambdalite::http::internal {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// Back-off after an accept error other than a client aborting its own connect.
constexpr std::chrono::milliseconds kAcceptRetryDelay{50};

Error ListenError(const std::string& host, uint16_t port, const std::string& what) {
  return Error::Make(ErrorCode::kUnavailable,
                     "cannot listen on " + host + ":" + std::to_string(port) + ": " + what);
}

}  // namespace

Listener::Listener(ServerCore& core, RequestHandler& handler, PeerUidFilter peer_filter)
    : core_(core),
      handler_(handler),
      peer_filter_(std::move(peer_filter)),
      strand_(net::make_strand(core.io())),
      acceptor_(strand_),
      retry_timer_(strand_) {}

Status Listener::Open(const std::string& host, uint16_t port) {
  LAMBDALITE_RETURN_IF_ERROR(Bind(host, port));
  return Listen();
}

Status Listener::Listen() {
  boost::system::error_code ec;
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return ListenError(host_, port_, ec.message());
  }
  return Status::Ok();
}

Status Listener::Adopt(int fd) {
  host_ = "adopted socket";
  boost::system::error_code ec;
  acceptor_.assign(tcp::v4(), fd, ec);
  if (ec) {
    ::close(fd);
    return ListenError(host_, 0, ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return ListenError(host_, 0, ec.message());
  }
  return Status::Ok();
}

Status Listener::Bind(const std::string& host, uint16_t port) {
  host_ = host;
  boost::system::error_code ec;
  tcp::endpoint endpoint;
  if (host.empty()) {
    endpoint = tcp::endpoint(tcp::v4(), port);
  } else {
    net::ip::address address = net::ip::make_address(host, ec);
    if (!ec) {
      endpoint = tcp::endpoint(address, port);
    } else {
      tcp::resolver resolver(core_.io());
      auto results = resolver.resolve(host, std::to_string(port), ec);
      if (ec || results.empty()) {
        return ListenError(host, port, ec ? ec.message() : "no address");
      }
      endpoint = results.begin()->endpoint();
    }
  }
  acceptor_.open(endpoint.protocol(), ec);
  if (!ec) acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(endpoint, ec);
  if (ec) {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    return ListenError(host, port, ec.message());
  }
  port_ = acceptor_.local_endpoint(ec).port();
  if (ec) return ListenError(host, port, ec.message());
  return Status::Ok();
}

void Listener::StartAccepting() {
  net::dispatch(strand_, [self = shared_from_this()] { self->DoAccept(); });
}

void Listener::StopAccepting(bool wait) {
  auto closed = std::make_shared<std::promise<void>>();
  std::future<void> done = closed->get_future();
  net::post(strand_, [self = shared_from_this(), closed] {
    self->CloseOnStrand();
    closed->set_value();
  });
  if (!wait) return;
  // If the server stops meanwhile, the posted close may never run; Stop() then closes the
  // acceptor itself once its I/O threads are joined.
  while (done.wait_for(std::chrono::milliseconds(20)) != std::future_status::ready) {
    if (core_.io().stopped()) return;
  }
}

void Listener::CloseNow() { CloseOnStrand(); }

void Listener::CloseOnStrand() {
  boost::system::error_code ignored;
  acceptor_.close(ignored);
  retry_timer_.cancel();
}

void Listener::DoAccept() {
  if (!acceptor_.is_open()) return;
  // Each connection gets its own strand, so its handlers never run concurrently while different
  // connections proceed in parallel on the I/O threads.
  acceptor_.async_accept(
      net::make_strand(core_.io()),
      [self = shared_from_this()](boost::system::error_code ec, tcp::socket socket) {
        self->OnAccept(ec, std::move(socket));
      });
}

void Listener::OnAccept(boost::system::error_code ec, tcp::socket socket) {
  if (!acceptor_.is_open() || ec == net::error::operation_aborted) return;
  if (ec) {
    if (ec == net::error::connection_aborted) {
      DoAccept();
      return;
    }
    LogWarn("http: accept on port " + std::to_string(port_) + " failed: " + ec.message());
    retry_timer_.expires_after(kAcceptRetryDelay);
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code wait_ec) {
      if (!wait_ec) self->DoAccept();
    });
    return;
  }
  if (peer_filter_ && !AdmitPeer(socket)) {
    // A reset, not a graceful close: the client learns at once that it is not served, and
    // nothing it may already have sent is read.
    boost::system::error_code ignored;
    socket.set_option(net::socket_base::linger(true, 0), ignored);
    socket.close(ignored);
    DoAccept();
    return;
  }
  boost::system::error_code option_ec;
  // Responses are written in one gather write; Nagle would only delay them.
  socket.set_option(tcp::no_delay(true), option_ec);
  auto connection = std::make_shared<Connection>(core_, shared_from_this(), std::move(socket),
                                                 core_.NextConnectionId());
  // Refused while draining or after RemoveListener: dropping it closes the socket.
  if (core_.Register(connection)) connection->Start();
  DoAccept();
}

bool Listener::AdmitPeer(const tcp::socket& socket) {
  boost::system::error_code ec;
  const tcp::endpoint local = socket.local_endpoint(ec);
  tcp::endpoint remote;
  if (!ec) remote = socket.remote_endpoint(ec);
  if (ec) return false;  // the client already reset the connection: nothing to serve or log
  const std::string peer = remote.address().to_string() + ":" + std::to_string(remote.port());
  // Once per connection, on the accept strand: a netlink round trip of some microseconds, paid
  // by cold starts only, since runtime clients keep their connection for the environment's life.
  Result<uid_t> uid = LookupPeerUid(local, remote);
  if (!uid.ok()) {
    LogRefusal(peer, uid.error().message);
    return false;
  }
  // The filter belongs to the handler's owner: gated like a handler call, so that it is neither
  // running nor called again once RemoveListener returned and the owner may be gone.
  Gate::Scope scope(gate_);
  if (!scope.entered()) return false;  // being removed: the connection would be dropped anyway
  if (peer_filter_(*uid)) return true;
  LogRefusal(peer, "its socket belongs to uid " + std::to_string(*uid));
  return false;
}

void Listener::LogRefusal(const std::string& peer, const std::string& why) {
  // A client may retry in a loop: log the 1st, 2nd, 4th, 8th... refusal, so the log shows that
  // it happens and how often without being flooded.
  ++refused_;
  if ((refused_ & (refused_ - 1)) != 0) return;
  LogWarn("http: port " + std::to_string(port_) + " refused a connection from " + peer + " (" +
          why + "); " + std::to_string(refused_) + " refused so far");
}

}  // namespace lambdalite::http::internal
