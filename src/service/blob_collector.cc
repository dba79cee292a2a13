#include "service/blob_collector.h"

#include <utility>

#include "common/log.h"

namespace lambdalite::service {

BlobCollector::BlobCollector(storage::CodeStore& store, const Clock& clock,
                             ReferencedBlobs referenced, int64_t grace_ms)
    : store_(store), clock_(clock), referenced_(std::move(referenced)) {
  set_grace_ms(grace_ms);
}

BlobCollector::~BlobCollector() { Stop(); }

// ---- Pins ------------------------------------------------------------------------------------

BlobCollector::Pin::Pin(BlobCollector* owner, std::string blob_id)
    : owner_(owner), blob_id_(std::move(blob_id)) {}

BlobCollector::Pin::Pin(Pin&& other) noexcept
    : owner_(std::exchange(other.owner_, nullptr)), blob_id_(std::move(other.blob_id_)) {}

BlobCollector::Pin& BlobCollector::Pin::operator=(Pin&& other) noexcept {
  if (this != &other) {
    Release();
    owner_ = std::exchange(other.owner_, nullptr);
    blob_id_ = std::move(other.blob_id_);
  }
  return *this;
}

BlobCollector::Pin::~Pin() { Release(); }

void BlobCollector::Pin::Release() {
  if (owner_ == nullptr) return;
  std::exchange(owner_, nullptr)->Unpin(blob_id_);
}

BlobCollector::Pin BlobCollector::PinBlob(std::string blob_id) {
  std::lock_guard lock(mu_);
  ++pins_[blob_id];
  return Pin(this, std::move(blob_id));
}

void BlobCollector::Unpin(const std::string& blob_id) {
  std::lock_guard lock(mu_);
  auto it = pins_.find(blob_id);
  if (it != pins_.end() && --it->second == 0) pins_.erase(it);
  // The writer's change is in memory now (or failed): if the blob is unreferenced again by the
  // next sweep, its grace period starts there, not at an earlier sweep's mark.
  unreferenced_since_.erase(blob_id);
}

// ---- Sweeps ----------------------------------------------------------------------------------

Result<BlobCollector::SweepStats> BlobCollector::Sweep() {
  // Both are taken without mu_ (the snapshot takes the service's lock, the listing reads
  // directories); the decision below is what must not interleave with pins.
  const std::unordered_set<std::string> referenced = referenced_();
  LAMBDALITE_TRY(std::vector<std::string> present, store_.List());

  SweepStats stats;
  std::lock_guard lock(mu_);
  const int64_t now = clock_.NowMillis();
  std::map<std::string, int64_t> still_waiting;
  for (std::string& id : present) {
    if (referenced.count(id) != 0 || pins_.count(id) != 0) {
      ++stats.kept;
      continue;
    }
    auto it = unreferenced_since_.find(id);
    // First found unreferenced now: never removed by this sweep (grace_ms_ >= 1).
    const int64_t since = it == unreferenced_since_.end() ? now : it->second;
    if (now - since >= grace_ms_) {
      Status removed = store_.Remove(id);
      if (removed.ok()) {
        ++stats.removed;
        continue;
      }
      LogWarn("code store: cannot remove unreferenced blob " + id + ": " + removed.error().message);
    }
    ++stats.waiting;
    still_waiting.emplace(std::move(id), since);
  }
  // Marks of blobs that are gone or referenced again are dropped with the old map.
  unreferenced_since_ = std::move(still_waiting);
  return stats;
}

void BlobCollector::Start(std::chrono::milliseconds interval) {
  std::lock_guard lock(thread_mu_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this, interval] { Loop(interval); });
}

void BlobCollector::Stop() {
  {
    std::lock_guard lock(thread_mu_);
    stopping_ = true;
  }
  thread_cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void BlobCollector::Loop(std::chrono::milliseconds interval) {
  std::unique_lock lock(thread_mu_);
  while (!thread_cv_.wait_for(lock, interval, [this] { return stopping_; })) {
    lock.unlock();
    auto stats = Sweep();
    if (!stats.ok()) {
      LogWarn("code store: sweep for unreferenced blobs failed: " + stats.error().message);
    } else if (stats->removed > 0) {
      LogInfo("code store: removed " + std::to_string(stats->removed) +
              " blobs nothing refers to any more");
    }
    lock.lock();
  }
}

}  // namespace lambdalite::service
