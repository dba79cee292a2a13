#include "http/peer_credentials.h"

#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <boost/asio/io_context.hpp>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <string>

namespace lambdalite::http {

namespace net = boost::asio;
using tcp = net::ip::tcp;

namespace {

// NLMSG_OK written out: the macro compares the unsigned nlmsg_len with the signed remaining
// length, which clang reports (-Wsign-compare) where GCC stays silent inside a system macro.
bool MessageFits(const nlmsghdr* message, int length) {
  return length >= static_cast<int>(sizeof(nlmsghdr)) && message->nlmsg_len >= sizeof(nlmsghdr) &&
         message->nlmsg_len <= static_cast<unsigned>(length);
}

// A netlink answer about one socket is well under 1 KB; the rest is headroom for attributes
// newer kernels may append.
constexpr size_t kReceiveBufferSize = 8192;
// The kernel answers from its socket hash at once; this only bounds a wedged kernel.
constexpr timeval kReceiveTimeout{1, 0};

std::string ErrnoText(int error) { return std::string(std::strerror(error)); }

Error Unavailable(const std::string& what) {
  return Error::Make(ErrorCode::kUnavailable, "sock_diag lookup failed: " + what);
}

// Closes a file descriptor on scope exit.
class FdCloser {
 public:
  explicit FdCloser(int fd) : fd_(fd) {}
  ~FdCloser() {
    if (fd_ >= 0) close(fd_);
  }
  FdCloser(const FdCloser&) = delete;
  FdCloser& operator=(const FdCloser&) = delete;

 private:
  int fd_;
};

// An IPv4-mapped IPv6 address (a v4 client of a dual-stack listener) is an IPv4 connection as far
// as the client's socket is concerned, and the kernel indexes it so.
net::ip::address Unmapped(const net::ip::address& address) {
  if (address.is_v6() && address.to_v6().is_v4_mapped()) {
    return net::ip::make_address_v4(net::ip::v4_mapped, address.to_v6());
  }
  return address;
}

// Writes `address` into an inet_diag address slot (__be32[4]): 4 bytes for IPv4, 16 for IPv6,
// both already in network order as Asio hands them out.
void PutAddress(const net::ip::address& address, __be32 (&slot)[4]) {
  std::memset(slot, 0, sizeof slot);
  if (address.is_v4()) {
    const auto bytes = address.to_v4().to_bytes();
    std::memcpy(slot, bytes.data(), bytes.size());
  } else {
    const auto bytes = address.to_v6().to_bytes();
    std::memcpy(slot, bytes.data(), bytes.size());
  }
}

struct DiagRequest {
  nlmsghdr header;
  inet_diag_req_v2 body;
};

}  // namespace

Result<uid_t> LookupPeerUid(const tcp::endpoint& local, const tcp::endpoint& remote) {
  const net::ip::address our_address = Unmapped(local.address());
  const net::ip::address peer_address = Unmapped(remote.address());
  if (our_address.is_v4() != peer_address.is_v4()) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "connection endpoints of different address families: " +
                           our_address.to_string() + " and " + peer_address.to_string());
  }

  static std::atomic<uint32_t> next_sequence{1};
  DiagRequest request{};
  request.header.nlmsg_len = sizeof request;
  request.header.nlmsg_type = SOCK_DIAG_BY_FAMILY;
  // No NLM_F_DUMP: an exact lookup of one socket by its full 4-tuple (a hash lookup in the
  // kernel), instead of a walk over every socket of the host.
  request.header.nlmsg_flags = NLM_F_REQUEST;
  request.header.nlmsg_seq = next_sequence.fetch_add(1, std::memory_order_relaxed);
  request.body.sdiag_family = static_cast<uint8_t>(peer_address.is_v4() ? AF_INET : AF_INET6);
  request.body.sdiag_protocol = IPPROTO_TCP;
  request.body.idiag_states = ~0u;
  // The client's socket, seen from its own side: its source is our remote end, its destination
  // our local end.
  inet_diag_sockid& id = request.body.id;
  id.idiag_sport = htons(remote.port());
  id.idiag_dport = htons(local.port());
  PutAddress(peer_address, id.idiag_src);
  PutAddress(our_address, id.idiag_dst);
  id.idiag_if = 0;
  id.idiag_cookie[0] = INET_DIAG_NOCOOKIE;
  id.idiag_cookie[1] = INET_DIAG_NOCOOKIE;

  const int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
  if (fd < 0) return Unavailable("netlink socket: " + ErrnoText(errno));
  FdCloser closer(fd);
  if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &kReceiveTimeout, sizeof kReceiveTimeout) != 0) {
    return Unavailable("SO_RCVTIMEO: " + ErrnoText(errno));
  }

  sockaddr_nl kernel{};
  kernel.nl_family = AF_NETLINK;  // nl_pid 0: the kernel
  ssize_t sent;
  do {
    sent = sendto(fd, &request, sizeof request, 0, reinterpret_cast<const sockaddr*>(&kernel),
                  sizeof kernel);
  } while (sent < 0 && errno == EINTR);
  if (sent != static_cast<ssize_t>(sizeof request)) {
    return Unavailable("send: " + ErrnoText(sent < 0 ? errno : EMSGSIZE));
  }

  alignas(nlmsghdr) std::array<char, kReceiveBufferSize> buffer;
  while (true) {
    sockaddr_nl from{};
    socklen_t from_len = sizeof from;
    const ssize_t received = recvfrom(fd, buffer.data(), buffer.size(), MSG_TRUNC,
                                      reinterpret_cast<sockaddr*>(&from), &from_len);
    if (received < 0) {
      if (errno == EINTR) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return Unavailable("no answer from the kernel");
      return Unavailable("receive: " + ErrnoText(errno));
    }
    if (static_cast<size_t>(received) > buffer.size()) return Unavailable("answer truncated");
    // Other processes may send to our netlink port too; only the kernel's word counts.
    if (from_len < sizeof from || from.nl_pid != 0) continue;

    int length = static_cast<int>(received);
    for (auto* message = reinterpret_cast<nlmsghdr*>(buffer.data()); MessageFits(message, length);
         message = NLMSG_NEXT(message, length)) {
      if (message->nlmsg_seq != request.header.nlmsg_seq) continue;  // a stale answer
      if (message->nlmsg_type == NLMSG_ERROR) {
        if (message->nlmsg_len < NLMSG_LENGTH(sizeof(nlmsgerr))) {
          return Unavailable("malformed error answer");
        }
        const int error = -static_cast<const nlmsgerr*>(NLMSG_DATA(message))->error;
        // ENOENT is also what a kernel without inet_diag support answers: either way there is
        // no owner to report.
        if (error == ENOENT) {
          return Error::Make(ErrorCode::kNotFound, "no local socket " + peer_address.to_string() +
                                                       ":" + std::to_string(remote.port()) +
                                                       " -> " + our_address.to_string() + ":" +
                                                       std::to_string(local.port()));
        }
        return Unavailable(ErrnoText(error));
      }
      if (message->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
          message->nlmsg_len < NLMSG_LENGTH(sizeof(inet_diag_msg))) {
        return Unavailable("unexpected answer of type " + std::to_string(message->nlmsg_type));
      }
      const auto* found = static_cast<const inet_diag_msg*>(NLMSG_DATA(message));
      // The kernel falls back to a listening socket when no connection matches; only the exact
      // connection asked about may answer for it.
      if (found->id.idiag_sport != id.idiag_sport || found->id.idiag_dport != id.idiag_dport ||
          std::memcmp(found->id.idiag_src, id.idiag_src, sizeof id.idiag_src) != 0 ||
          std::memcmp(found->id.idiag_dst, id.idiag_dst, sizeof id.idiag_dst) != 0) {
        return Error::Make(ErrorCode::kNotFound, "the kernel answered for another socket than " +
                                                     peer_address.to_string() + ":" +
                                                     std::to_string(remote.port()));
      }
      // No inode: closed by its owner (an orphan finishing its close, or TIME_WAIT, for which
      // idiag_uid reads 0). Its uid no longer says who may speak through it.
      if (found->idiag_inode == 0) {
        return Error::Make(ErrorCode::kNotFound, "the peer socket " + peer_address.to_string() +
                                                     ":" + std::to_string(remote.port()) +
                                                     " is closed");
      }
      return static_cast<uid_t>(found->idiag_uid);
    }
  }
}

Status ProbePeerCredentials() {
  try {
    net::io_context io;
    tcp::acceptor acceptor(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
    tcp::socket client(io);
    tcp::socket accepted(io);
    client.connect(acceptor.local_endpoint());
    acceptor.accept(accepted);
    LAMBDALITE_TRY(uid_t uid, LookupPeerUid(accepted.local_endpoint(), accepted.remote_endpoint()));
    if (uid != geteuid()) {
      return Unavailable("a connection from this process was reported as uid " +
                         std::to_string(uid));
    }
    return Status::Ok();
  } catch (const boost::system::system_error& e) {
    return Unavailable(std::string("loopback probe: ") + e.what());
  }
}

}  // namespace lambdalite::http
