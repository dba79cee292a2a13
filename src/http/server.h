#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "common/result.h"
#include "http/handler.h"

namespace lambdalite::http {

struct ServerOptions {
  // I/O threads running the event loop. 0 picks max(2, hardware_concurrency).
  int io_threads = 0;
  // How many Handle calls may run directly on I/O threads at once (saving two thread hand-offs
  // per request). Must stay below io_threads so a blocking handler can never take every I/O
  // thread; further calls go to the worker pool. -1 picks io_threads / 2; 0 always uses the pool.
  int max_inline_handlers = -1;
  // Upper bound on worker threads for blocking Handle calls. Each concurrent blocking call (e.g.
  // a synchronous long poll) holds one; beyond this, calls queue. Prefer HandleAsync for waits.
  size_t max_worker_threads = 2048;
  // A connection waiting for (the rest of) a request header, or stalled while sending a body, is
  // closed after this long. Handlers and response writes have no timeout: long polls are legal.
  std::chrono::milliseconds idle_timeout{60'000};
  // Stop() waits this long for in-flight requests before closing their connections.
  std::chrono::milliseconds drain_timeout{10'000};
  // Largest request line plus header block accepted; larger ones get 431.
  uint32_t header_limit = 64 * 1024;
};

// Decides whether a listener serves an accepted connection, from the uid that owns the client's
// socket (the user whose process connected). The listener asks the kernel for that uid once per
// connection, at accept time (LookupPeerUid, peer_credentials.h), and calls the filter with it;
// requests on an admitted connection are never checked again. Runs on an I/O thread, so it must
// be quick and must not block. Example: "only uid 990001 may use this endpoint".
using PeerUidFilter = std::function<bool(uid_t peer_uid)>;

// An HTTP/1.1 server over Beast. It parses requests, hands them to a RequestHandler and writes the
// answers; it knows nothing about AWS.
//
// Threading: `io_threads` threads run one io_context shared by every listener. Each connection
// is served in order on its own strand (requests on a keep-alive or pipelined connection are
// answered one after another). A request is first offered to HandleAsync on the I/O thread; if
// declined, Handle runs either inline on the I/O thread (while fewer than max_inline_handlers do)
// or on a growable worker pool, so blocking handlers never starve other connections.
//
// All methods are thread-safe. Stop, RemoveListener and the destructor block, so they must not
// be called from inside a handler call of this server (RemoveListener may be called from a
// handler of a different listener).
// A listener's key: its port for AddListener, an id above 65535 for AdoptListener.
using ListenerId = uint32_t;

class Server {
 public:
  // `handler` must outlive the server. `port` 0 picks a free port (see port()).
  Server(RequestHandler& handler, std::string host, uint16_t port, int io_threads = 0);
  Server(RequestHandler& handler, std::string host, uint16_t port, const ServerOptions& options);
  ~Server();  // Stop()
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds (SO_REUSEADDR), listens and starts the I/O threads. Fails with kUnavailable if the
  // address cannot be bound, and with kInternal if called twice or after Stop. Prepare + Open.
  Status Start();

  // Start in two steps, so that nothing is served before the handler is completely wired:
  // Prepare binds the main listener's port (port() is valid; connections to it are refused, as
  // nothing listens yet) and starts the I/O threads, so AddListener works; Open then listens on
  // the main port and starts accepting. Same failures as Start; Open fails with kInternal unless
  // Prepare succeeded and Open was not called yet.
  Status Prepare();
  Status Open();

  // The bound port of the main listener; valid after a successful Start().
  uint16_t port() const;

  // The number of I/O threads the server runs (after resolving the default).
  int io_threads() const;

  // Opens another listener on the same I/O threads, answering with `handler` (e.g. one Runtime
  // API endpoint per sandbox). `port` 0 picks a free one; returns the bound port. The server must
  // be started. `handler` must stay alive until RemoveListener(port) returns or the server stops.
  //
  // With a `peer_filter`, the listener only serves clients on this host whose socket owner the
  // filter accepts. Any other connection (filter says no, remote client, client socket already
  // closed, kernel cannot tell: see LookupPeerUid) is reset (RST) as soon as it is accepted,
  // before a byte of it is read: the handler never sees it. The TCP handshake itself still
  // succeeds, since the kernel completes it before the server can look. The filter is called at
  // most once per connection and falls under the handler's lifetime rule: it is not running and
  // will not be called again once RemoveListener(port) returns.
  Result<uint16_t> AddListener(const std::string& host, uint16_t port, RequestHandler& handler,
                               PeerUidFilter peer_filter = {});

  // Serves an already listening TCP socket `fd` with `handler`, as AddListener does, and takes
  // ownership of the descriptor (closed on failure too). The socket may belong to another network
  // namespace: a sandbox creates its Runtime API socket inside the environment's own namespace
  // and hands it over, so nothing of it is reachable from the host's loopback. No peer filter:
  // only processes of that namespace can connect. Returns an id above every port number, for
  // RemoveListener.
  Result<ListenerId> AdoptListener(int fd, RequestHandler& handler);

  // Closes the listener on `port` (or with the id AdoptListener returned) and all its
  // connections (without waiting for their requests).
  // On return no method of its handler is running or will be called again, so the handler may be
  // destroyed; `done` callbacks it still holds stay safe to call or drop. Blocks while a Handle
  // call of that handler is running. Unknown ports are ignored.
  void RemoveListener(ListenerId id);

  // Graceful shutdown: stops accepting on every listener, closes idle keep-alive connections, lets
  // in-flight requests finish (answered with "Connection: close") for up to drain_timeout, then
  // closes what remains and joins the I/O threads. A Handle call cannot be interrupted: Stop also
  // waits for running ones, so handlers blocked on a long wait must be woken by their owner (or
  // use HandleAsync). Idempotent; concurrent callers all return once the server has stopped.
  void Stop();

  // Blocks until Stop() has completed.
  void Wait();

  // max(2, std::thread::hardware_concurrency()): one per core (see server.cc).
  static int DefaultIoThreads();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace lambdalite::http
