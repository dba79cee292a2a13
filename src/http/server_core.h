#pragma once

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "http/server.h"
#include "http/worker_pool.h"

// Internals of Server, shared by its listeners and connections. Not part of the public API.
namespace lambdalite::http::internal {

class Connection;
class Listener;

// Counts the handler calls in progress for one handler so that it can be retired: after Close()
// returns, no call is running or will start (Enter fails).
class Gate {
 public:
  // Enters the gate for the lifetime of the scope, if it is still open.
  class Scope {
   public:
    explicit Scope(Gate& gate);
    ~Scope();
    Scope(const Scope&) = delete;
    Scope& operator=(const Scope&) = delete;
    bool entered() const { return entered_; }

   private:
    Gate& gate_;
    bool entered_;
    const Gate* previous_ = nullptr;
  };

  // Closes the gate and waits until no other thread is inside. A thread closing a gate it is
  // itself inside (a handler removing its own listener) does not wait for itself.
  void Close();

 private:
  bool Enter();
  void Exit();

  std::mutex mu_;
  std::condition_variable cv_;
  int inside_ = 0;
  bool closed_ = false;
};

// Whether the server can still receive posted work. Shared with HandleAsync completions, which
// may outlive the server: they check it (under a shared lock) before touching a connection, and
// Stop() clears it (under the exclusive lock) before the io_context may go away.
struct Liveness {
  std::shared_mutex mu;
  bool alive = true;
};

// The state shared by a Server, its listeners and connections: the io_context, the worker pool
// and the registry of open connections, which owns them (so Stop can find and close them).
class ServerCore {
 public:
  // `options` must be resolved (no "pick a default" values left).
  explicit ServerCore(const ServerOptions& options);
  ServerCore(const ServerCore&) = delete;
  ServerCore& operator=(const ServerCore&) = delete;

  boost::asio::io_context& io() { return io_; }
  const ServerOptions& options() const { return options_; }
  WorkerPool& pool() { return pool_; }
  const std::shared_ptr<Liveness>& liveness() const { return liveness_; }

  // Claims one of the max_inline_handlers slots for running Handle on the calling I/O thread.
  bool TryEnterInline();
  void ExitInline();

  uint64_t NextConnectionId() { return next_id_.fetch_add(1, std::memory_order_relaxed); }

  // Adds a new connection to the registry; false (and the caller drops it) once the server is
  // draining or the connection's listener has been detached.
  bool Register(const std::shared_ptr<Connection>& connection);
  // Drops the registry's reference; called by the connection when it closes. Idempotent.
  void Unregister(uint64_t id);

  // Refuses further registrations and returns every open connection.
  std::vector<std::shared_ptr<Connection>> BeginDrain();
  // Whether Stop() has begun: responses then say "Connection: close".
  bool draining() const { return draining_.load(std::memory_order_relaxed); }
  // Refuses further registrations for `listener` and returns its open connections.
  std::vector<std::shared_ptr<Connection>> DetachListener(Listener* listener);
  // Waits until the registry is empty; false on reaching the deadline first.
  bool WaitUntilEmpty(std::chrono::steady_clock::time_point deadline);
  // Empties the registry, returning what was in it.
  std::vector<std::shared_ptr<Connection>> TakeAll();
  size_t connection_count() const;

  // Makes every outstanding HandleAsync completion a no-op. Call once no I/O thread runs.
  void MarkDead();

 private:
  const ServerOptions options_;
  std::shared_ptr<Liveness> liveness_ = std::make_shared<Liveness>();

  // Declaration order matters for destruction: the registry and the pool may hold the last
  // reference to a connection, whose socket must be destroyed before the io_context. Handlers
  // still queued in the io_context when it is destroyed release theirs during its shutdown,
  // which Asio supports.
  boost::asio::io_context io_;
  WorkerPool pool_;

  std::atomic<int> inline_handlers_{0};
  std::atomic<uint64_t> next_id_{1};

  mutable std::mutex mu_;
  std::condition_variable empty_cv_;
  std::unordered_map<uint64_t, std::shared_ptr<Connection>> connections_;
  std::atomic<bool> draining_{false};  // written under mu_
};

}  // namespace lambdalite::http::internal
