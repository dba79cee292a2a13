#pragma once

// Durable storage of asynchronous invocations. An event is stored before Invoke answers 202 and
// stays until it reaches a final outcome; a crash at any point loses nothing (an event whose
// lease expires is claimed again: at-least-once).
//
// Life of an event (every implementation follows these rules; queue/event_queue_conformance_test.cc
// runs one suite against all of them):
//
//   Enqueue ──> waiting ──ClaimDue──> leased ──Reschedule──> waiting (or delivering)
//                  ^                    │  └────Finish─────> finished (kept for introspection,
//                  └──lease expires─────┘                     pruned per function)
//
//   - Pending (waiting or leased) events are keyed by request_id, which is unique among all
//     events the store still holds (finished ones included).
//   - An event is "due" when it is waiting and visible_at <= now, or leased and its lease has
//     expired (lease until <= now). ClaimDue takes due events in the order they became due
//     (visible_at for waiting ones, lease expiry for expired ones; ties by enqueue order).
//   - Taking an expired lease means the previous holder died mid-attempt. The attempt probably
//     ran, so ClaimDue counts it: attempts + 1 (only for an event without an outcome). This keeps
//     a function that crashes the host from being retried forever.
//   - Reschedule and Finish apply only to an event that is leased, not finished, and whose
//     lease_generation matches (an expired but not yet re-claimed lease still counts as held);
//     otherwise they fail with kConflict and change nothing.
//   - Reschedule stores the mutable fields of the given event (visible_at_ms, attempts,
//     backoff_step, last_error, outcome; never the payload or the identity) and releases the
//     lease.
//   - Finish stores the same mutable fields of finished.event plus condition, finished_ms and
//     delivered; the event is never claimed again.
//   - RenewLeases moves the expiry of leases still held (same rule as Reschedule: pending, leased,
//     same lease_generation; an expired but not yet re-claimed lease counts) to a new time. Leases
//     are short and renewed while their holder lives, so a crashed holder's events become due
//     again within one lease period whatever the attempt's length.

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/result.h"
#include "queue/event.h"

namespace lambdalite::queue {

struct FinishedEvent {
  Event event;
  Condition condition;
  int64_t finished_ms = 0;
  bool delivered = false;  // destination / DLQ delivery done (or none configured)
};

// Identifies one lease: the event and the generation its holder claimed.
struct LeaseRef {
  std::string request_id;
  int64_t lease_generation = 0;
};

struct QueueCounts {
  int64_t queued = 0;     // waiting (including delayed retries and delivery retries)
  int64_t in_flight = 0;  // claimed and not yet rescheduled or finished (lease live or expired)
  int64_t succeeded = 0;  // finished with kSuccess since the store was created (never pruned)
  int64_t failed = 0;     // finished with any other condition since the store was created
};

// What to keep of finished events. The same rule in every implementation: each function counts
// its Finish calls (since the store object was opened) and, on every `prune_every`-th one, deletes
// its finished events except the `keep_finished_per_function` most recent. So at least that many
// are always kept, and at most keep + prune_every - 1.
struct RetentionOptions {
  int keep_finished_per_function = 1000;
  int prune_every = 64;
};

// Thread-safe. Every mutating call is durable when it returns ok.
// Errors: kConflict (duplicate request_id on Enqueue, lost lease on Reschedule/Finish),
// kInternal (caller bug, e.g. an empty request_id), kUnavailable (retryable backend failure).
class EventQueueStore {
 public:
  virtual ~EventQueueStore() = default;

  // Stores a new waiting event as given (attempts, backoff, visible_at, outcome included), not
  // leased. kConflict when the store already holds an event with this request_id.
  virtual Status Enqueue(const Event& event) = 0;
  // Claims up to `limit` due events (see the rules above), leasing them until now + lease_ms, and
  // returns them with their new lease_generation. Oldest due first.
  virtual Result<std::vector<Event>> ClaimDue(int64_t now_ms, int64_t lease_ms, int limit) = 0;
  // Puts a claimed event back with its updated attempts/backoff/visible_at; releases the lease.
  virtual Status Reschedule(const Event& event) = 0;
  // Records the final outcome; the event is never claimed again.
  virtual Status Finish(const FinishedEvent& finished) = 0;
  // Sets the lease expiry of each event in `leases` that is still held under that generation to
  // `until_ms`; the others (finished, released, re-claimed, unknown) are skipped. Returns how many
  // leases were renewed.
  virtual Result<int> RenewLeases(const std::vector<LeaseRef>& leases, int64_t until_ms) = 0;
  // The earliest time at which ClaimDue could return an event: the smallest visible_at of the
  // waiting events and lease expiry of the leased ones; nullopt when nothing is pending (lets the
  // dispatcher sleep).
  virtual Result<std::optional<int64_t>> NextVisibleAt() = 0;

  // Introspection: counts per function, and recent finished events (newest finished_ms first;
  // ties: the later-enqueued first).
  virtual Result<QueueCounts> Counts(const domain::Scope& scope,
                                     const std::string& function_name) = 0;
  virtual Result<std::vector<FinishedEvent>> Recent(const domain::Scope& scope,
                                                    const std::string& function_name,
                                                    int limit) = 0;
};

}  // namespace lambdalite::queue
