#include "http/peer_credentials.h"

#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cerrno>

namespace lambdalite::http {
namespace {

namespace net = boost::asio;
using tcp = net::ip::tcp;

// A listening socket on `address` and one connection accepted from it.
class LoopbackPair {
 public:
  explicit LoopbackPair(const net::ip::address& address)
      : acceptor_(io_, tcp::endpoint(address, 0)), client_(io_), server_(io_) {}

  // Connects from this process and accepts, so server() is the accepted end.
  void Connect(const net::ip::address& target) {
    client_.connect(tcp::endpoint(target, acceptor_.local_endpoint().port()));
    acceptor_.accept(server_);
  }
  // Accepts a connection made by someone else.
  void Accept() { acceptor_.accept(server_); }

  uint16_t port() const { return acceptor_.local_endpoint().port(); }
  tcp::socket& client() { return client_; }
  tcp::socket& server() { return server_; }

  Result<uid_t> LookupClientOwner() {
    return LookupPeerUid(server_.local_endpoint(), server_.remote_endpoint());
  }

 private:
  net::io_context io_;
  tcp::acceptor acceptor_;
  tcp::socket client_;
  tcp::socket server_;
};

bool HasIpv6Loopback() {
  net::io_context io;
  tcp::acceptor probe(io);
  boost::system::error_code ec;
  probe.open(tcp::v6(), ec);
  if (!ec) probe.bind(tcp::endpoint(net::ip::address_v6::loopback(), 0), ec);
  return !ec;
}

TEST(PeerCredentialsTest, ReportsTheUidOfAConnectionFromThisProcess) {
  LoopbackPair pair(net::ip::address_v4::loopback());
  pair.Connect(net::ip::address_v4::loopback());
  Result<uid_t> uid = pair.LookupClientOwner();
  ASSERT_TRUE(uid.ok()) << uid.error().message;
  EXPECT_EQ(*uid, geteuid());
}

TEST(PeerCredentialsTest, TheProbeSucceedsWhereLookupsWork) {
  Status st = ProbePeerCredentials();
  EXPECT_TRUE(st.ok()) << st.error().message;
}

TEST(PeerCredentialsTest, ReportsTheUidOfTheProcessThatOpenedTheClientSocket) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root to connect as another user";
  constexpr uid_t kOtherUid = 979999;  // outside the sandbox uid ranges the tests use
  LoopbackPair pair(net::ip::address_v4::loopback());
  const uint16_t port = pair.port();
  int ready[2];
  int release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // Only async-signal-safe calls between fork and _exit.
    close(ready[0]);
    close(release[1]);  // so that the parent closing its end means EOF here
    char status = 1;
    if (syscall(SYS_setresgid, kOtherUid, kOtherUid, kOtherUid) == 0 &&
        syscall(SYS_setresuid, kOtherUid, kOtherUid, kOtherUid) == 0) {
      const int fd = socket(AF_INET, SOCK_STREAM, 0);
      sockaddr_in to{};
      to.sin_family = AF_INET;
      to.sin_port = htons(port);
      to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
      if (fd >= 0 && connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) == 0) status = 0;
    }
    if (write(ready[1], &status, 1) != 1) _exit(2);
    char byte;
    while (read(release[0], &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);  // keeps the client socket open until the parent is done
  }
  close(ready[1]);
  close(release[0]);
  char status = 1;
  ASSERT_EQ(read(ready[0], &status, 1), 1);
  ASSERT_EQ(status, 0) << "the child could not switch uid and connect";
  pair.Accept();
  Result<uid_t> uid = pair.LookupClientOwner();
  close(release[1]);
  close(ready[0]);
  int wait_status = 0;
  waitpid(child, &wait_status, 0);
  ASSERT_TRUE(uid.ok()) << uid.error().message;
  EXPECT_EQ(*uid, kOtherUid);
}

TEST(PeerCredentialsTest, ANonExistentConnectionIsNotFound) {
  LoopbackPair pair(net::ip::address_v4::loopback());
  pair.Connect(net::ip::address_v4::loopback());
  // A port nobody uses: bound once to find it, then released.
  net::io_context io;
  tcp::acceptor spare(io, tcp::endpoint(net::ip::address_v4::loopback(), 0));
  const uint16_t unused = spare.local_endpoint().port();
  spare.close();
  Result<uid_t> uid = LookupPeerUid(pair.server().local_endpoint(),
                                    tcp::endpoint(net::ip::address_v4::loopback(), unused));
  ASSERT_FALSE(uid.ok());
  EXPECT_EQ(uid.error().code, ErrorCode::kNotFound) << uid.error().message;
}

TEST(PeerCredentialsTest, AClosedClientSocketHasNoOwner) {
  // Once its process closed it, the client socket lingers in FIN_WAIT or TIME_WAIT (where the
  // kernel reports uid 0); it must not count as anyone's.
  LoopbackPair pair(net::ip::address_v4::loopback());
  pair.Connect(net::ip::address_v4::loopback());
  const tcp::endpoint local = pair.server().local_endpoint();
  const tcp::endpoint remote = pair.server().remote_endpoint();
  pair.client().close();
  Result<uid_t> uid = LookupPeerUid(local, remote);
  ASSERT_FALSE(uid.ok()) << "closed socket reported as owned by uid " << *uid;
  EXPECT_EQ(uid.error().code, ErrorCode::kNotFound) << uid.error().message;
}

TEST(PeerCredentialsTest, WorksOverIpv6) {
  if (!HasIpv6Loopback()) GTEST_SKIP() << "no IPv6 loopback";
  LoopbackPair pair(net::ip::address_v6::loopback());
  pair.Connect(net::ip::address_v6::loopback());
  Result<uid_t> uid = pair.LookupClientOwner();
  ASSERT_TRUE(uid.ok()) << uid.error().message;
  EXPECT_EQ(*uid, geteuid());
}

TEST(PeerCredentialsTest, UnmapsIpv4ClientsOfADualStackListener) {
  if (!HasIpv6Loopback()) GTEST_SKIP() << "no IPv6";
  LoopbackPair pair(net::ip::address_v6::any());
  pair.Connect(net::ip::address_v4::loopback());
  ASSERT_TRUE(pair.server().remote_endpoint().address().to_v6().is_v4_mapped());
  Result<uid_t> uid = pair.LookupClientOwner();
  ASSERT_TRUE(uid.ok()) << uid.error().message;
  EXPECT_EQ(*uid, geteuid());
}

TEST(PeerCredentialsTest, RejectsEndpointsOfDifferentFamilies) {
  Result<uid_t> uid = LookupPeerUid(tcp::endpoint(net::ip::address_v4::loopback(), 1),
                                    tcp::endpoint(net::ip::address_v6::loopback(), 2));
  ASSERT_FALSE(uid.ok());
  EXPECT_EQ(uid.error().code, ErrorCode::kInvalidParameter);
}

}  // namespace
}  // namespace lambdalite::http
