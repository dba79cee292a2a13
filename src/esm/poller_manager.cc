#include "esm/poller_manager.h"

#include <algorithm>
#include <set>

#include "common/log.h"

namespace lambdalite::esm {
namespace {

using domain::MappingState;

bool IsTransitional(MappingState state) {
  return state == MappingState::kCreating || state == MappingState::kEnabling ||
         state == MappingState::kUpdating || state == MappingState::kDisabling ||
         state == MappingState::kDeleting;
}

// Whether a poller should run for the mapping as it stands.
bool WantsPoller(const domain::EventSourceMapping& m) {
  if (!m.enabled) return false;
  return m.state == MappingState::kCreating || m.state == MappingState::kEnabling ||
         m.state == MappingState::kEnabled || m.state == MappingState::kUpdating;
}

}  // namespace

PollerManager::PollerManager(MappingSource& source, Factories factories, FunctionInvoker& invoker,
                             const Clock& clock, aws::HttpClient& http, aws::Config aws,
                             CheckpointStore* checkpoints, PollerManagerOptions options)
    : source_(source),
      factories_(std::move(factories)),
      invoker_(invoker),
      clock_(clock),
      http_(http),
      aws_(std::move(aws)),
      checkpoints_(checkpoints),
      options_(options) {}

PollerManager::~PollerManager() { Stop(); }

PollerManager::Key PollerManager::KeyOf(const domain::Scope& scope, const std::string& uuid) {
  return {scope.account + "/" + scope.region, uuid};
}

void PollerManager::Start() {
  {
    std::lock_guard lock(mu_);
    if (started_ || stopping_) return;
    started_ = true;
  }
  source_.SetChangeListener([this] {
    std::lock_guard lock(mu_);
    wake_ = true;
    cv_.notify_all();
  });
  thread_ = std::thread([this] { Run(); });
}

void PollerManager::Stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
    cv_.notify_all();
  }
  if (thread_.joinable()) thread_.join();
  std::lock_guard reconcile(reconcile_mu_);
  std::vector<std::unique_ptr<Poller>> pollers;
  {
    std::lock_guard lock(mu_);
    for (auto& [key, entry] : entries_) {
      if (entry.poller) pollers.push_back(std::move(entry.poller));
    }
    entries_.clear();
  }
  StopAll(std::move(pollers));
}

void PollerManager::Run() {
  while (true) {
    {
      std::unique_lock lock(mu_);
      if (stopping_) return;
    }
    ReconcileNow();
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, options_.reconcile_interval, [this] { return wake_ || stopping_; });
    wake_ = false;
    if (stopping_) return;
  }
}

void PollerManager::StopAll(std::vector<std::unique_ptr<Poller>> pollers) {
  if (pollers.empty()) return;
  if (pollers.size() == 1) {
    pollers[0]->Stop();
    return;
  }
  std::vector<std::thread> threads;
  threads.reserve(pollers.size());
  for (auto& poller : pollers) threads.emplace_back([p = poller.get()] { p->Stop(); });
  for (std::thread& t : threads) t.join();
}

void PollerManager::ReconcileNow() {
  std::lock_guard reconcile(reconcile_mu_);
  {
    std::lock_guard lock(mu_);
    if (stopping_ && started_) return;
  }
  std::vector<MappingView> views = source_.List();

  // First stop what must stop (all together: each may be finishing an invocation), so a
  // disabled mapping stops polling within seconds whatever else is going on.
  std::vector<std::unique_ptr<Poller>> to_stop;
  std::set<Key> present;
  {
    std::lock_guard lock(mu_);
    for (const MappingView& view : views) {
      Key key = KeyOf(view.scope, view.mapping.uuid);
      present.insert(key);
      auto it = entries_.find(key);
      if (it == entries_.end() || !it->second.poller) continue;
      if (!WantsPoller(view.mapping) || it->second.running_revision != view.mapping.revision) {
        to_stop.push_back(std::move(it->second.poller));
      }
    }
    for (auto it = entries_.begin(); it != entries_.end();) {
      if (present.count(it->first) == 0) {
        if (it->second.poller) to_stop.push_back(std::move(it->second.poller));
        it = entries_.erase(it);
      } else {
        ++it;
      }
    }
  }
  StopAll(std::move(to_stop));

  const int64_t now = clock_.NowMillis();
  for (const MappingView& view : views) {
    const domain::EventSourceMapping& m = view.mapping;
    Key key = KeyOf(view.scope, m.uuid);
    Entry* entry;
    {
      std::lock_guard lock(mu_);
      entry = &entries_[key];
    }
    // Only this thread (under reconcile_mu_) changes entries, so `entry` stays valid; mu_ is
    // taken around writes for Status() readers.
    if (m.state == MappingState::kDeleting) {
      if (checkpoints_ != nullptr) {
        lambdalite::Status st = checkpoints_->DeleteMapping(m.uuid);
        if (!st.ok()) {
          LogWarn("esm: forgetting the checkpoints of " + m.uuid + ": " + st.error().message);
        }
      }
      source_.Settle(view.scope, m.uuid, m.revision);
      std::lock_guard lock(mu_);
      entries_.erase(key);
      continue;
    }
    if (!WantsPoller(m)) {
      if (IsTransitional(m.state) && entry->settled_revision != m.revision) {
        source_.Settle(view.scope, m.uuid, m.revision);
        std::lock_guard lock(mu_);
        entry->settled_revision = m.revision;
        entry->problem.clear();
      }
      continue;
    }
    if (entry->poller) {
      // Running at this revision (others were stopped above).
      if (IsTransitional(m.state) && entry->settled_revision != m.revision) {
        source_.Settle(view.scope, m.uuid, m.revision);
        std::lock_guard lock(mu_);
        entry->settled_revision = m.revision;
      }
      continue;
    }
    if (entry->failed_revision == m.revision) continue;
    if (entry->running_revision != m.revision) {
      // A new revision starts afresh, without waiting out the old one's backoff.
      std::lock_guard lock(mu_);
      entry->next_attempt_ms = 0;
      entry->backoff_ms = 0;
    }
    if (now < entry->next_attempt_ms) continue;

    auto factory = factories_.find(m.kind);
    if (factory == factories_.end() || !factory->second) {
      std::lock_guard lock(mu_);
      entry->problem = "no poller for this kind of event source";
      entry->running_revision = m.revision;
      entry->next_attempt_ms = now + options_.retry_max_ms;
      continue;
    }
    PollerContext context;
    context.view = view;
    context.invoker = &invoker_;
    context.source = &source_;
    context.clock = &clock_;
    context.http = &http_;
    context.aws = aws_;
    context.checkpoints = checkpoints_;
    Result<std::unique_ptr<Poller>> started = factory->second->Start(context);
    if (started.ok()) {
      {
        std::lock_guard lock(mu_);
        entry->poller = std::move(started).value();
        entry->running_revision = m.revision;
        entry->problem.clear();
        entry->backoff_ms = 0;
        entry->next_attempt_ms = 0;
      }
      if (IsTransitional(m.state) && entry->settled_revision != m.revision) {
        source_.Settle(view.scope, m.uuid, m.revision);
        std::lock_guard lock(mu_);
        entry->settled_revision = m.revision;
      }
      continue;
    }
    const Error& error = started.error();
    if (error.code == ErrorCode::kNotFound) {
      LogWarn("esm: mapping " + m.uuid + " failed: " + error.message);
      source_.Fail(view.scope, m.uuid, m.revision, error.message);
      std::lock_guard lock(mu_);
      entry->failed_revision = m.revision;
      entry->running_revision = m.revision;
      entry->problem = error.message;
      continue;
    }
    std::lock_guard lock(mu_);
    entry->running_revision = m.revision;
    entry->problem = error.message;
    entry->backoff_ms = entry->backoff_ms == 0
                            ? options_.retry_initial_ms
                            : std::min(entry->backoff_ms * 2, options_.retry_max_ms);
    entry->next_attempt_ms = now + entry->backoff_ms;
  }
}

std::optional<PollerStatus> PollerManager::Status(const domain::Scope& scope,
                                                  const std::string& uuid) const {
  std::lock_guard lock(mu_);
  auto it = entries_.find(KeyOf(scope, uuid));
  if (it == entries_.end()) return std::nullopt;
  if (it->second.poller) return it->second.poller->Status();
  if (it->second.problem.empty()) return std::nullopt;
  PollerStatus status;
  status.problem = it->second.problem;
  return status;
}

std::vector<MappingStatus> PollerManager::Statuses() const {
  std::vector<MappingStatus> rows;
  for (MappingView& view : source_.List()) {
    MappingStatus row;
    {
      std::lock_guard lock(mu_);
      auto it = entries_.find(KeyOf(view.scope, view.mapping.uuid));
      if (it != entries_.end()) {
        row.running = it->second.poller != nullptr;
        if (row.running) {
          row.poller = it->second.poller->Status();
        } else {
          row.poller.problem = it->second.problem;
        }
      }
    }
    row.view = std::move(view);
    rows.push_back(std::move(row));
  }
  return rows;
}

}  // namespace lambdalite::esm
