#pragma once

// BlobCollector removes the code blobs (function packages and layer contents) that nothing refers
// to any more, so the data directory does not grow with every UpdateFunctionCode,
// DeleteFunction, DeleteLayerVersion or crashed upload.
//
// What refers to a blob is the in-memory state of the FunctionService (the `referenced`
// callback): $LATEST, every published version, $LATEST.PUBLISHED (their packages and the layer
// contents they resolved) and every layer version. The service changes memory before it enqueues
// the matching commit, so memory refers to at least what is durable: a blob that memory does not
// name is named by no committed row either. (A delete whose commit fails is briefly missing from
// memory until the service reloads it from the store; that takes far less than a grace period,
// and the first sweep that misses the reference only starts the blob's grace.)
//
// A blob is removed only after it has been unreferenced for `grace` (by the injected Clock),
// counted from the first sweep that found it unreferenced. The grace period covers what may still
// use a blob nothing names any more:
//   - a Code.Location / Content.Location URL (CodeUrlSigner::kValiditySeconds, 10 minutes) handed
//     out while the blob was still referenced;
//   - an Invoke that resolved its version just before an update and cold-starts after it. The
//     executor reads a blob only while extracting it (EnvironmentPool::AcquireCode); running
//     environments use the extracted copy, never the blob.
// The default grace (15 minutes) is longer than the URLs live.
//
// Crash safety. A new package is written (durably) before the commit that names it, so the
// dangerous window is a Put whose commit is not yet in memory, in particular a Put of bytes that
// are already present, which writes nothing. The writer therefore pins the blob id (PinBlob)
// BEFORE the Put and releases the pin only after the change is in memory (or failed). A sweep
// decides and removes under the lock a Pin takes: a blob pinned then is kept, and a Put that
// pins later follows the removal (and writes the file anew). Releasing a pin restarts the blob's
// grace period, under that lock too, and a blob is never removed by the sweep that first finds
// it unreferenced; so a sweep whose snapshot of the references predates a writer's change, or that
// listed the blobs before a Put, still keeps the blob, and one referenced and unreferenced again
// between two sweeps still gets its full grace. A crash loses the in-memory marks, which is safe:
// after a restart every unreferenced blob (for instance one whose upload crashed before its commit)
// waits a full grace period again.
//
// One server per data directory: the references of another process are not seen.
//
// Thread-safe. Sweeps run on a background thread (Start) or are called directly (tests); they
// never run on the request path. `referenced` is called with no lock of the collector held, so it
// may take the service's state lock, and pins may be taken and released under that lock.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_set>

#include "common/clock.h"
#include "common/result.h"
#include "storage/store.h"

namespace lambdalite::service {

class BlobCollector {
 public:
  static constexpr int64_t kDefaultGraceMillis = 15 * 60 * 1000;

  using ReferencedBlobs = std::function<std::unordered_set<std::string>()>;

  BlobCollector(storage::CodeStore& store, const Clock& clock, ReferencedBlobs referenced,
                int64_t grace_ms = kDefaultGraceMillis);
  ~BlobCollector();  // stops the background thread
  BlobCollector(const BlobCollector&) = delete;
  BlobCollector& operator=(const BlobCollector&) = delete;

  // Keeps one blob id from being removed while it lives. Move-only; an empty Pin pins nothing.
  class Pin {
   public:
    Pin() = default;
    Pin(Pin&& other) noexcept;
    Pin& operator=(Pin&& other) noexcept;
    ~Pin();
    void Release();

   private:
    friend class BlobCollector;
    Pin(BlobCollector* owner, std::string blob_id);
    BlobCollector* owner_ = nullptr;
    std::string blob_id_;
  };
  // Call before the Put of `blob_id`'s bytes; keep the pin until the change naming the blob is in
  // memory. Waits for a sweep in progress to finish.
  Pin PinBlob(std::string blob_id);

  struct SweepStats {
    size_t removed = 0;  // blobs deleted by this sweep
    size_t waiting = 0;  // unreferenced blobs still in their grace period
    size_t kept = 0;     // referenced or pinned blobs
  };
  // One pass: removes every blob unreferenced for at least the grace period.
  Result<SweepStats> Sweep();

  // At least 1 ms: a blob is never removed by the sweep that first finds it unreferenced (see the
  // pin protocol above). Set before Start.
  void set_grace_ms(int64_t grace_ms) { grace_ms_ = grace_ms < 1 ? 1 : grace_ms; }
  int64_t grace_ms() const { return grace_ms_; }

  // Sweeps every `interval` (steady time) on a thread of its own until Stop or destruction.
  void Start(std::chrono::milliseconds interval);
  void Stop();

 private:
  void Unpin(const std::string& blob_id);
  void Loop(std::chrono::milliseconds interval);

  storage::CodeStore& store_;
  const Clock& clock_;
  ReferencedBlobs referenced_;
  int64_t grace_ms_;

  std::mutex mu_;  // pins_, unreferenced_since_, and the removal step of a sweep
  std::map<std::string, int> pins_;
  // Blob id -> Clock time at which a sweep first found it unreferenced (and unpinned).
  std::map<std::string, int64_t> unreferenced_since_;

  std::mutex thread_mu_;
  std::condition_variable thread_cv_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace lambdalite::service
