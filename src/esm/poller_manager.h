#pragma once

// PollerManager: keeps one running poller per enabled event source mapping. It reconciles the
// mappings the control plane holds (MappingSource::List) with the pollers it runs, after every
// change notification and at least once per `reconcile_interval`:
//   - enabled and Creating / Enabling / Enabled / Updating: a poller runs for the mapping's
//     current revision (a newer revision restarts it), then Settle(revision);
//   - Disabling / Disabled (or not enabled): no poller, then Settle(revision) if transitional;
//   - Deleting: no poller, CheckpointStore::DeleteMapping, then Settle(revision) (which removes
//     the mapping for good);
//   - gone from the list: no poller.
// A factory answering kNotFound (the queue or stream does not exist) makes the mapping fail
// (MappingSource::Fail with the error's message, once per revision); any other start error is
// retried with exponential backoff and shown in Status().problem.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "aws/endpoints.h"
#include "aws/http_client.h"
#include "common/clock.h"
#include "domain/event_source_mapping.h"
#include "esm/mapping_source.h"
#include "esm/poller.h"

namespace lambdalite::esm {

struct PollerManagerOptions {
  // Longest time between two reconciliations without a change notification (real time).
  std::chrono::milliseconds reconcile_interval{1000};
  // Backoff for start errors other than kNotFound (by the injected Clock).
  int64_t retry_initial_ms = 1000;
  int64_t retry_max_ms = 30'000;
};

// One row of the status view (GET /_lambdalite/event-source-mappings, `lambdalite esm`).
struct MappingStatus {
  MappingView view;
  bool running = false;  // a poller serves the mapping now
  PollerStatus poller;   // counters etc. of the running poller (zero when none runs)
};

class PollerManager {
 public:
  using Factories = std::map<domain::EventSourceKind, std::unique_ptr<PollerFactory>>;

  // The references and pointers must outlive the manager. `checkpoints` may be null (no stream
  // factory).
  PollerManager(MappingSource& source, Factories factories, FunctionInvoker& invoker,
                const Clock& clock, aws::HttpClient& http, aws::Config aws,
                CheckpointStore* checkpoints, PollerManagerOptions options = {});
  ~PollerManager();  // Stop()
  PollerManager(const PollerManager&) = delete;
  PollerManager& operator=(const PollerManager&) = delete;

  // Subscribes to changes and starts the reconciling thread (reconciling once at once).
  void Start();
  // Stops the thread and every poller (in parallel; each finishes its invocation in progress).
  // Idempotent. The change listener stays registered but does nothing afterwards.
  void Stop();

  // One reconciliation pass on the calling thread. For tests (with a FakeClock) and for Start.
  void ReconcileNow();

  // The status of one mapping's poller: nullopt when the manager knows nothing of the mapping
  // (no poller and no start problem). A mapping whose poller could not start has running=false in
  // Statuses() and the start error in `problem`.
  std::optional<PollerStatus> Status(const domain::Scope& scope, const std::string& uuid) const;

  // Every mapping of the source with its poller's status, for the status view.
  std::vector<MappingStatus> Statuses() const;

 private:
  struct Entry {
    std::unique_ptr<Poller> poller;
    uint64_t running_revision = 0;
    std::optional<uint64_t> settled_revision;
    std::optional<uint64_t> failed_revision;
    std::string problem;
    int64_t next_attempt_ms = 0;
    int64_t backoff_ms = 0;
  };
  using Key = std::pair<std::string, std::string>;  // (scope key, uuid)
  static Key KeyOf(const domain::Scope& scope, const std::string& uuid);

  void Run();
  // Stops `pollers` concurrently; returns once all have stopped.
  static void StopAll(std::vector<std::unique_ptr<Poller>> pollers);

  MappingSource& source_;
  Factories factories_;
  FunctionInvoker& invoker_;
  const Clock& clock_;
  aws::HttpClient& http_;
  const aws::Config aws_;
  CheckpointStore* checkpoints_;
  const PollerManagerOptions options_;

  std::mutex reconcile_mu_;  // one reconciliation at a time; held while starting/stopping pollers
  mutable std::mutex mu_;    // guards entries_, wake_, stopping_
  std::condition_variable cv_;
  std::map<Key, Entry> entries_;
  bool wake_ = false;
  bool stopping_ = false;
  bool started_ = false;
  std::thread thread_;
};

}  // namespace lambdalite::esm
