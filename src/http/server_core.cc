#include "http/server_core.h"

#include <utility>

#include "http/connection.h"
#include "http/listener.h"

namespace lambdalite::http::internal {
namespace {

// The gate the calling thread is currently inside, so that Close() from within a handler call
// does not wait for itself.
thread_local const Gate* t_current_gate = nullptr;

// How long a worker beyond the I/O-thread count may sit idle before exiting.
constexpr std::chrono::seconds kWorkerIdleTimeout{30};

}  // namespace

Gate::Scope::Scope(Gate& gate) : gate_(gate), entered_(gate.Enter()) {
  if (entered_) {
    previous_ = t_current_gate;
    t_current_gate = &gate_;
  }
}

Gate::Scope::~Scope() {
  if (entered_) {
    t_current_gate = previous_;
    gate_.Exit();
  }
}

bool Gate::Enter() {
  std::lock_guard lock(mu_);
  if (closed_) return false;
  ++inside_;
  return true;
}

void Gate::Exit() {
  std::lock_guard lock(mu_);
  if (--inside_ == 0 && closed_) cv_.notify_all();
}

void Gate::Close() {
  const int own = (t_current_gate == this) ? 1 : 0;
  std::unique_lock lock(mu_);
  closed_ = true;
  cv_.wait(lock, [&] { return inside_ <= own; });
}

ServerCore::ServerCore(const ServerOptions& options)
    : options_(options),
      io_(options.io_threads),
      pool_(static_cast<size_t>(options.io_threads), options.max_worker_threads,
            std::chrono::duration_cast<std::chrono::milliseconds>(kWorkerIdleTimeout)) {}

bool ServerCore::TryEnterInline() {
  if (inline_handlers_.fetch_add(1, std::memory_order_acq_rel) < options_.max_inline_handlers) {
    return true;
  }
  inline_handlers_.fetch_sub(1, std::memory_order_acq_rel);
  return false;
}

void ServerCore::ExitInline() { inline_handlers_.fetch_sub(1, std::memory_order_acq_rel); }

bool ServerCore::Register(const std::shared_ptr<Connection>& connection) {
  std::lock_guard lock(mu_);
  if (draining_ || connection->listener().detached_) return false;
  connections_.emplace(connection->id(), connection);
  return true;
}

void ServerCore::Unregister(uint64_t id) {
  std::shared_ptr<Connection> released;  // destroyed outside the lock
  std::lock_guard lock(mu_);
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  released = std::move(it->second);
  connections_.erase(it);
  if (connections_.empty()) empty_cv_.notify_all();
}

std::vector<std::shared_ptr<Connection>> ServerCore::BeginDrain() {
  std::lock_guard lock(mu_);
  draining_ = true;
  std::vector<std::shared_ptr<Connection>> all;
  all.reserve(connections_.size());
  for (const auto& [id, connection] : connections_) all.push_back(connection);
  return all;
}

std::vector<std::shared_ptr<Connection>> ServerCore::DetachListener(Listener* listener) {
  std::lock_guard lock(mu_);
  listener->detached_ = true;
  std::vector<std::shared_ptr<Connection>> matching;
  for (const auto& [id, connection] : connections_) {
    if (&connection->listener() == listener) matching.push_back(connection);
  }
  return matching;
}

bool ServerCore::WaitUntilEmpty(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock lock(mu_);
  return empty_cv_.wait_until(lock, deadline, [this] { return connections_.empty(); });
}

std::vector<std::shared_ptr<Connection>> ServerCore::TakeAll() {
  std::lock_guard lock(mu_);
  std::vector<std::shared_ptr<Connection>> all;
  all.reserve(connections_.size());
  for (auto& [id, connection] : connections_) all.push_back(std::move(connection));
  connections_.clear();
  return all;
}

size_t ServerCore::connection_count() const {
  std::lock_guard lock(mu_);
  return connections_.size();
}

void ServerCore::MarkDead() {
  std::unique_lock lock(liveness_->mu);
  liveness_->alive = false;
}

}  // namespace lambdalite::http::internal
