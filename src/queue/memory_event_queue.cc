#include "queue/memory_event_queue.h"

#include <algorithm>
#include <utility>

namespace lambdalite::queue {
namespace {

Error LeaseLost(const Event& event) {
  return Error::Make(ErrorCode::kConflict, "queue: event " + event.request_id +
                                               " is not leased under generation " +
                                               std::to_string(event.lease_generation));
}

// Copies what Reschedule and Finish may change.
void CopyMutable(const Event& from, Event& to) {
  to.visible_at_ms = from.visible_at_ms;
  to.attempts = from.attempts;
  to.backoff_step = from.backoff_step;
  to.last_error = from.last_error;
  to.outcome = from.outcome;
}

}  // namespace

MemoryEventQueue::MemoryEventQueue(RetentionOptions retention) : retention_(retention) {}

MemoryEventQueue::FunctionKey MemoryEventQueue::KeyOf(const domain::Scope& scope,
                                                      const std::string& function_name) {
  return FunctionKey(scope.account, scope.region, function_name);
}

Status MemoryEventQueue::Enqueue(const Event& event) {
  if (event.request_id.empty()) {
    return Error::Make(ErrorCode::kInternal, "queue: Enqueue of an event without a request id");
  }
  std::lock_guard lock(mu_);
  if (seq_by_request_id_.contains(event.request_id)) {
    return Error::Make(ErrorCode::kConflict,
                       "queue: event " + event.request_id + " already exists");
  }
  Row row;
  row.seq = next_seq_++;
  row.event = event;
  row.event.lease_generation = 0;
  row.due_ms = event.visible_at_ms;
  seq_by_request_id_[event.request_id] = row.seq;
  rows_.emplace(row.seq, std::move(row));
  return Status::Ok();
}

Result<std::vector<Event>> MemoryEventQueue::ClaimDue(int64_t now_ms, int64_t lease_ms, int limit) {
  std::vector<Event> out;
  if (limit <= 0) return out;
  std::lock_guard lock(mu_);
  std::vector<Row*> due;
  for (auto& [seq, row] : rows_) {
    if (!row.finished && row.due_ms <= now_ms) due.push_back(&row);
  }
  std::sort(due.begin(), due.end(), [](const Row* a, const Row* b) {
    return std::tie(a->due_ms, a->seq) < std::tie(b->due_ms, b->seq);
  });
  if (due.size() > static_cast<size_t>(limit)) due.resize(static_cast<size_t>(limit));
  for (Row* row : due) {
    // An expired lease: its holder died, probably mid-attempt (see event_queue_store.h).
    if (row->lease_until_ms != 0 && !row->event.outcome.has_value()) ++row->event.attempts;
    row->lease_until_ms = now_ms + lease_ms;
    row->due_ms = row->lease_until_ms;
    ++row->event.lease_generation;
    out.push_back(row->event);
  }
  return out;
}

Result<MemoryEventQueue::Row*> MemoryEventQueue::HeldRow(const Event& event) {
  auto it = seq_by_request_id_.find(event.request_id);
  if (it == seq_by_request_id_.end()) return LeaseLost(event);
  Row& row = rows_.at(it->second);
  if (row.finished || row.lease_until_ms == 0 ||
      row.event.lease_generation != event.lease_generation) {
    return LeaseLost(event);
  }
  return &row;
}

Status MemoryEventQueue::Reschedule(const Event& event) {
  std::lock_guard lock(mu_);
  LAMBDALITE_TRY(Row * row, HeldRow(event));
  CopyMutable(event, row->event);
  row->lease_until_ms = 0;
  row->due_ms = event.visible_at_ms;
  return Status::Ok();
}

Result<int> MemoryEventQueue::RenewLeases(const std::vector<LeaseRef>& leases, int64_t until_ms) {
  std::lock_guard lock(mu_);
  int renewed = 0;
  for (const LeaseRef& lease : leases) {
    auto it = seq_by_request_id_.find(lease.request_id);
    if (it == seq_by_request_id_.end()) continue;
    Row& row = rows_.at(it->second);
    if (row.finished || row.lease_until_ms == 0 ||
        row.event.lease_generation != lease.lease_generation) {
      continue;
    }
    row.lease_until_ms = until_ms;
    row.due_ms = until_ms;
    ++renewed;
  }
  return renewed;
}

Status MemoryEventQueue::Finish(const FinishedEvent& finished) {
  std::lock_guard lock(mu_);
  LAMBDALITE_TRY(Row * row, HeldRow(finished.event));
  CopyMutable(finished.event, row->event);
  row->finished = true;
  row->lease_until_ms = 0;
  row->due_ms = 0;
  row->condition = finished.condition;
  row->finished_ms = finished.finished_ms;
  row->delivered = finished.delivered;
  const FunctionKey key = KeyOf(row->event.scope, row->event.function_name);
  Totals& totals = totals_[key];
  if (finished.condition == Condition::kSuccess) {
    ++totals.succeeded;
  } else {
    ++totals.failed;
  }
  if (++finishes_[key] % std::max(1, retention_.prune_every) == 0) Prune(key);
  return Status::Ok();
}

std::vector<const MemoryEventQueue::Row*> MemoryEventQueue::FinishedNewestFirst(
    const FunctionKey& key) const {
  std::vector<const Row*> out;
  for (const auto& [seq, row] : rows_) {
    if (row.finished && KeyOf(row.event.scope, row.event.function_name) == key) {
      out.push_back(&row);
    }
  }
  std::sort(out.begin(), out.end(), [](const Row* a, const Row* b) {
    return std::tie(a->finished_ms, a->seq) > std::tie(b->finished_ms, b->seq);
  });
  return out;
}

void MemoryEventQueue::Prune(const FunctionKey& key) {
  const size_t keep = static_cast<size_t>(std::max(0, retention_.keep_finished_per_function));
  std::vector<const Row*> finished = FinishedNewestFirst(key);
  for (size_t i = keep; i < finished.size(); ++i) {
    const int64_t seq = finished[i]->seq;
    seq_by_request_id_.erase(finished[i]->event.request_id);
    rows_.erase(seq);
  }
}

Result<std::optional<int64_t>> MemoryEventQueue::NextVisibleAt() {
  std::lock_guard lock(mu_);
  std::optional<int64_t> next;
  for (const auto& [seq, row] : rows_) {
    if (!row.finished && (!next.has_value() || row.due_ms < *next)) next = row.due_ms;
  }
  return next;
}

Result<QueueCounts> MemoryEventQueue::Counts(const domain::Scope& scope,
                                             const std::string& function_name) {
  std::lock_guard lock(mu_);
  const FunctionKey key = KeyOf(scope, function_name);
  QueueCounts counts;
  for (const auto& [seq, row] : rows_) {
    if (row.finished || KeyOf(row.event.scope, row.event.function_name) != key) continue;
    if (row.lease_until_ms != 0) {
      ++counts.in_flight;
    } else {
      ++counts.queued;
    }
  }
  if (auto it = totals_.find(key); it != totals_.end()) {
    counts.succeeded = it->second.succeeded;
    counts.failed = it->second.failed;
  }
  return counts;
}

Result<std::vector<FinishedEvent>> MemoryEventQueue::Recent(const domain::Scope& scope,
                                                            const std::string& function_name,
                                                            int limit) {
  std::vector<FinishedEvent> out;
  if (limit <= 0) return out;
  std::lock_guard lock(mu_);
  for (const Row* row : FinishedNewestFirst(KeyOf(scope, function_name))) {
    if (out.size() == static_cast<size_t>(limit)) break;
    out.push_back(FinishedEvent{row->event, row->condition, row->finished_ms, row->delivered});
  }
  return out;
}

}  // namespace lambdalite::queue
