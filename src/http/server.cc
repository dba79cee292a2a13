#include "http/server.h"

#include <unistd.h>

#include <algorithm>
#include <boost/asio/executor_work_guard.hpp>
#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "common/log.h"
#include "http/connection.h"
#include "http/listener.h"
#include "http/server_core.h"

namespace lambdalite::http {

namespace net = boost::asio;
using internal::Connection;
using internal::Listener;
using internal::ServerCore;

namespace {

ServerOptions Resolve(ServerOptions options) {
  if (options.io_threads <= 0) options.io_threads = Server::DefaultIoThreads();
  if (options.max_inline_handlers < 0) options.max_inline_handlers = options.io_threads / 2;
  // At least one I/O thread must always be free of handler calls.
  options.max_inline_handlers = std::min(options.max_inline_handlers, options.io_threads - 1);
  if (options.max_worker_threads == 0) options.max_worker_threads = 1;
  return options;
}

ServerOptions WithIoThreads(int io_threads) {
  ServerOptions options;
  options.io_threads = io_threads;
  return options;
}

}  // namespace

class Server::Impl {
 public:
  Impl(RequestHandler& handler, std::string host, uint16_t port, const ServerOptions& options)
      : handler_(handler), host_(std::move(host)), requested_port_(port), core_(Resolve(options)) {}

  ~Impl() { Stop(); }

  Status Start() {
    LAMBDALITE_RETURN_IF_ERROR(Prepare());
    return Open();
  }

  Status Prepare() {
    std::lock_guard lock(mu_);
    if (state_ != State::kCreated) {
      return Error::Make(ErrorCode::kInternal, "http server already started or stopped");
    }
    auto listener = std::make_shared<Listener>(core_, handler_);
    LAMBDALITE_RETURN_IF_ERROR(listener->Bind(host_, requested_port_));
    port_ = listener->port();
    listeners_.emplace(port_, listener);
    main_ = listener;
    work_guard_.emplace(core_.io().get_executor());
    const int threads = core_.options().io_threads;
    io_threads_.reserve(static_cast<size_t>(threads));
    for (int i = 0; i < threads; ++i) io_threads_.emplace_back([this] { RunIo(); });
    state_ = State::kRunning;
    return Status::Ok();
  }

  Status Open() {
    std::lock_guard lock(mu_);
    if (state_ != State::kRunning || !main_) {
      return Error::Make(ErrorCode::kInternal, "http server not prepared, or already open");
    }
    auto listener = std::move(main_);
    main_.reset();
    LAMBDALITE_RETURN_IF_ERROR(listener->Listen());
    listener->StartAccepting();
    return Status::Ok();
  }

  uint16_t port() const {
    std::lock_guard lock(mu_);
    return port_;
  }

  int io_threads() const { return core_.options().io_threads; }

  Result<uint16_t> AddListener(const std::string& host, uint16_t port, RequestHandler& handler,
                               PeerUidFilter peer_filter) {
    std::lock_guard lock(mu_);
    if (state_ != State::kRunning) {
      return Error::Make(ErrorCode::kUnavailable, "http server is not running");
    }
    if (port != 0 && listeners_.count(port) != 0) {
      return Error::Make(ErrorCode::kConflict,
                         "a listener already uses port " + std::to_string(port));
    }
    auto listener = std::make_shared<Listener>(core_, handler, std::move(peer_filter));
    LAMBDALITE_RETURN_IF_ERROR(listener->Open(host, port));
    listeners_.emplace(listener->port(), listener);
    listener->StartAccepting();
    return listener->port();
  }

  Result<ListenerId> AdoptListener(int fd, RequestHandler& handler) {
    std::lock_guard lock(mu_);
    if (state_ != State::kRunning) {
      close(fd);
      return Error::Make(ErrorCode::kUnavailable, "http server is not running");
    }
    auto listener = std::make_shared<Listener>(core_, handler);
    LAMBDALITE_RETURN_IF_ERROR(listener->Adopt(fd));
    const ListenerId id = next_adopted_id_++;
    listeners_.emplace(id, listener);
    listener->StartAccepting();
    return id;
  }

  void RemoveListener(ListenerId port) {
    std::shared_ptr<Listener> listener;
    {
      std::lock_guard lock(mu_);
      auto it = listeners_.find(port);
      if (it == listeners_.end()) return;
      listener = std::move(it->second);
      listeners_.erase(it);
      // Stop() closes it directly if the server stops before its posted close has run.
      std::erase_if(retired_, [](const std::weak_ptr<Listener>& l) { return l.expired(); });
      retired_.push_back(listener);
    }
    listener->StopAccepting(/*wait=*/!core_.io().get_executor().running_in_this_thread());
    for (const auto& connection : core_.DetachListener(listener.get())) connection->ForceClose();
    listener->gate().Close();
  }

  void Stop() {
    std::lock_guard stop_lock(stop_mu_);
    std::vector<std::shared_ptr<Listener>> listeners;
    {
      std::lock_guard lock(mu_);
      if (state_ == State::kStopped) return;
      if (state_ == State::kCreated) {
        state_ = State::kStopped;
        stopped_cv_.notify_all();
        return;
      }
      // Listeners stay registered while draining, so RemoveListener still retires their
      // handlers properly meanwhile.
      listeners = AllListenersLocked();
      state_ = State::kStopping;
    }
    if (core_.io().get_executor().running_in_this_thread()) {
      // Joining the I/O threads from one of them would deadlock.
      LogError("http: Server::Stop called from an I/O thread; this will hang");
    }

    for (const auto& listener : listeners) listener->StopAccepting(/*wait=*/false);
    for (const auto& connection : core_.BeginDrain()) connection->BeginShutdown();
    const auto deadline = std::chrono::steady_clock::now() + core_.options().drain_timeout;
    if (!core_.WaitUntilEmpty(deadline)) {
      LogWarn("http: " + std::to_string(core_.connection_count()) +
              " connection(s) still busy after the drain timeout; closing them");
    }

    work_guard_.reset();
    core_.io().stop();
    for (std::thread& t : io_threads_) t.join();
    io_threads_.clear();

    // No I/O thread runs now, so sockets can be closed from here. Workers still inside Handle
    // touch only their request, and post their answers into the stopped io_context.
    {
      std::lock_guard lock(mu_);
      listeners = AllListenersLocked();
      listeners_.clear();
      retired_.clear();
    }
    for (const auto& listener : listeners) listener->CloseNow();
    std::vector<std::shared_ptr<Connection>> remaining = core_.TakeAll();
    for (const auto& connection : remaining) connection->CloseNow();
    core_.pool().Stop();
    core_.MarkDead();
    remaining.clear();

    std::lock_guard lock(mu_);
    state_ = State::kStopped;
    stopped_cv_.notify_all();
  }

  void Wait() {
    std::unique_lock lock(mu_);
    stopped_cv_.wait(lock, [this] { return state_ == State::kStopped; });
  }

 private:
  enum class State { kCreated, kRunning, kStopping, kStopped };

  // The registered listeners plus removed ones whose acceptor may still be open.
  std::vector<std::shared_ptr<Listener>> AllListenersLocked() const {
    std::vector<std::shared_ptr<Listener>> all;
    for (const auto& [port, listener] : listeners_) all.push_back(listener);
    for (const auto& weak : retired_) {
      if (auto listener = weak.lock()) all.push_back(std::move(listener));
    }
    return all;
  }

  void RunIo() {
    while (true) {
      try {
        core_.io().run();
        return;
      } catch (const std::exception& e) {
        // Handlers catch their own errors; this is a last resort to keep the thread serving.
        LogError(std::string("http: I/O thread caught: ") + e.what());
      } catch (...) {
        LogError("http: I/O thread caught a non-standard exception");
      }
    }
  }

  RequestHandler& handler_;
  const std::string host_;
  const uint16_t requested_port_;
  // Destroyed after the listeners below, which hold sockets of its io_context.
  ServerCore core_;

  std::mutex stop_mu_;  // serializes Stop()
  mutable std::mutex mu_;
  std::condition_variable stopped_cv_;
  State state_ = State::kCreated;
  uint16_t port_ = 0;
  std::map<ListenerId, std::shared_ptr<Listener>> listeners_;
  ListenerId next_adopted_id_ = 65536;
  // The main listener between Prepare and Open: bound, not yet listening.
  std::shared_ptr<Listener> main_;
  // Removed listeners whose acceptor may not be closed yet.
  std::vector<std::weak_ptr<Listener>> retired_;
  std::optional<net::executor_work_guard<net::io_context::executor_type>> work_guard_;
  std::vector<std::thread> io_threads_;
};

Server::Server(RequestHandler& handler, std::string host, uint16_t port, int io_threads)
    : Server(handler, std::move(host), port, WithIoThreads(io_threads)) {}

Server::Server(RequestHandler& handler, std::string host, uint16_t port,
               const ServerOptions& options)
    : impl_(std::make_unique<Impl>(handler, std::move(host), port, options)) {}

Server::~Server() = default;

Status Server::Start() { return impl_->Start(); }
Status Server::Prepare() { return impl_->Prepare(); }
Status Server::Open() { return impl_->Open(); }
uint16_t Server::port() const { return impl_->port(); }
int Server::io_threads() const { return impl_->io_threads(); }

Result<uint16_t> Server::AddListener(const std::string& host, uint16_t port,
                                     RequestHandler& handler, PeerUidFilter peer_filter) {
  return impl_->AddListener(host, port, handler, std::move(peer_filter));
}

Result<ListenerId> Server::AdoptListener(int fd, RequestHandler& handler) {
  return impl_->AdoptListener(fd, handler);
}

void Server::RemoveListener(ListenerId id) { impl_->RemoveListener(id); }
void Server::Stop() { impl_->Stop(); }
void Server::Wait() { impl_->Wait(); }

int Server::DefaultIoThreads() {
  // One per core. All I/O threads share one io_context, and Asio's scheduler wakes an idle thread
  // whenever a thread takes work while more is queued (the reactor task counts): with more
  // threads than cores, every request set off a chain of wake-ups among idle I/O threads. On 2
  // cores with one caller, 4 I/O threads cost 15-17 context switches per warm invoke against 4-6
  // with 2, and 20-40% more server CPU time per invoke.
  const int hardware = static_cast<int>(std::thread::hardware_concurrency());
  return std::max(2, hardware);
}

}  // namespace lambdalite::http
