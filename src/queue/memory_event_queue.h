#pragma once

// EventQueueStore in memory: the reference semantics for tests (the conformance suite runs the
// same cases against it and the SQLite store) and a fake for dispatcher tests. Not durable: its
// "durable when it returns" means "visible to every later call on this object".

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "queue/event_queue_store.h"

namespace lambdalite::queue {

class MemoryEventQueue final : public EventQueueStore {
 public:
  explicit MemoryEventQueue(RetentionOptions retention = {});

  Status Enqueue(const Event& event) override;
  Result<std::vector<Event>> ClaimDue(int64_t now_ms, int64_t lease_ms, int limit) override;
  Status Reschedule(const Event& event) override;
  Status Finish(const FinishedEvent& finished) override;
  Result<int> RenewLeases(const std::vector<LeaseRef>& leases, int64_t until_ms) override;
  Result<std::optional<int64_t>> NextVisibleAt() override;
  Result<QueueCounts> Counts(const domain::Scope& scope, const std::string& function_name) override;
  Result<std::vector<FinishedEvent>> Recent(const domain::Scope& scope,
                                            const std::string& function_name, int limit) override;

 private:
  using FunctionKey = std::tuple<std::string, std::string, std::string>;

  struct Row {
    int64_t seq = 0;  // enqueue order
    Event event;
    bool finished = false;
    int64_t due_ms = 0;                         // pending: when ClaimDue may take it
    int64_t lease_until_ms = 0;                 // 0: not leased
    Condition condition = Condition::kSuccess;  // finished only
    int64_t finished_ms = 0;
    bool delivered = false;
  };
  struct Totals {
    int64_t succeeded = 0;
    int64_t failed = 0;
  };

  static FunctionKey KeyOf(const domain::Scope& scope, const std::string& function_name);
  // The pending, leased row of `event` under the caller's lease, or kConflict. Needs mu_.
  Result<Row*> HeldRow(const Event& event);
  // Finished rows of one function, newest first. Needs mu_.
  std::vector<const Row*> FinishedNewestFirst(const FunctionKey& key) const;
  void Prune(const FunctionKey& key);

  const RetentionOptions retention_;
  std::mutex mu_;
  std::map<int64_t, Row> rows_;  // by seq
  std::unordered_map<std::string, int64_t> seq_by_request_id_;
  std::map<FunctionKey, Totals> totals_;
  std::map<FunctionKey, int64_t> finishes_;  // Finish calls since construction, for pruning
  int64_t next_seq_ = 1;
};

}  // namespace lambdalite::queue
