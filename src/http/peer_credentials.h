#pragma once

// Who owns the other end of a TCP connection between two sockets of this host.
//
// TCP has no SO_PEERCRED: an accepted connection does not say which process or user opened it.
// The kernel does know, though: the client's socket is in this host's socket tables, and the
// sock_diag netlink interface (NETLINK_SOCK_DIAG, inet_diag; see sock_diag(7)) reports the uid that
// created it. LookupPeerUid asks for exactly one socket, the one whose 4-tuple is the accepted
// connection's seen from the client's side (its local address is our remote one and vice versa),
// so the answer is about that connection and no other.
//
// Linux only. Needs no privilege: any user may query any socket's owner. The query is one netlink
// round trip on a fresh socket (tens of microseconds), so call it once per connection, not per
// request.

#include <sys/types.h>

#include <boost/asio/ip/tcp.hpp>

#include "common/result.h"

namespace lambdalite::http {

// Returns the uid owning the client socket of the accepted connection whose local endpoint is
// `local` and whose remote endpoint is `remote` (socket.local_endpoint(), remote_endpoint()).
// IPv4-mapped IPv6 endpoints (a dual-stack listener) are looked up as the IPv4 connection they
// are.
//
// Only a live socket that a process still holds open counts: one that was closed (orphaned while
// it finishes, or in TIME_WAIT) has no owner anymore, and the kernel would report uid 0 for the
// latter, so both are refused rather than reported. Neither can be used to talk to us anyway.
//
// Errors, none retryable:
//   kNotFound          no such socket on this host (the client is remote, in another network
//                      namespace, or already gone) or the socket is no longer held by a process
//   kInvalidParameter  the two endpoints are not of the same address family
//   kUnavailable       the kernel cannot answer (no sock_diag/inet_diag support, netlink error,
//                      no answer within a second)
// Thread-safe; blocks for the duration of one netlink round trip.
Result<uid_t> LookupPeerUid(const boost::asio::ip::tcp::endpoint& local,
                            const boost::asio::ip::tcp::endpoint& remote);

// Checks once that LookupPeerUid works on this host: connects to itself over IPv4 loopback and
// expects its own effective uid back. An error (typically kUnavailable: a kernel without
// inet_diag) means peer checks cannot be made here. Blocking; for start-up, not per connection.
Status ProbePeerCredentials();

}  // namespace lambdalite::http
