#pragma once

// The Dispatcher runs queued asynchronous invocations: it claims due events from the
// EventQueueStore, runs one attempt each through an EventRunner, applies AWS's retry rules
// (queue/retry_policy.h) and, once an event's outcome is final, hands it to an OutcomeSink for the
// destinations and the DLQ.
//
// Timing lives in the store, never in sleeping threads: a retry is an event rescheduled with a
// later visible_at. Workers sleep until the store's NextVisibleAt, a Wake() or at most
// max_idle_wait_ms (so several nodes sharing one database file see each other's events).
//
// Delivery: Deliver is called once per final outcome (at least once: see below). When it fails,
// the outcome is stored with the event ("delivering") and Deliver is retried with exponential
// backoff (1 s doubling to 5 min, scaled) until delivery_retry_window_ms after the outcome; then
// the event is finished with delivered = false, the error in last_error and an error log line.
//
// Leases are short (lease_ms) and renewed every lease_renew_interval_ms by a heartbeat thread for
// as long as this dispatcher holds them, however long the attempt runs (up to AWS's 15 minutes).
// So when the process dies (kill -9, power loss), its events become due again within one lease
// period, both for a restarted process and for another node sharing the store.
//
// At-least-once: a worker that dies mid-attempt leaves its lease to expire; the event is then
// claimed again (the lost attempt counted, see event_queue_store.h), so an attempt or a delivery
// may happen twice. A store write that fails after an attempt is logged and left to the same
// lease expiry.

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/result.h"
#include "queue/event.h"
#include "queue/event_queue_store.h"
#include "queue/retry_policy.h"

namespace lambdalite::queue {

// The asynchronous-invocation settings in force for an event. Thread-safe.
class AsyncSettingsSource {
 public:
  virtual ~AsyncSettingsSource() = default;
  // The settings of `qualifier` ("$LATEST" for an unqualified event; otherwise the version or
  // alias the caller invoked) as they are now: the dispatcher asks before every attempt, because
  // AWS runs a queued event on the configuration current when it runs. A function or qualifier
  // that no longer exists is not an error: return function_exists = false. An error (kUnavailable
  // / kInternal) counts as a system error: the event is retried with backoff.
  virtual Result<AsyncSettings> Get(const domain::Scope& scope, const std::string& function_name,
                                    const std::string& qualifier) = 0;
};

// Runs one attempt of an event. Thread-safe; called from several workers at once.
class EventRunner {
 public:
  virtual ~EventRunner() = default;
  // Runs the function once, synchronously, under event.request_id (the same on every attempt),
  // with event.payload, resolving event.qualifier ($LATEST when absent) as Invoke does. A function
  // error or timeout is a successful result with function_error set ("Unhandled"). Errors mean the
  // function did not run:
  //   kTooManyRequests: throttled: retried with backoff, no retry used;
  //   kUnavailable, kInternal: system error: the same;
  //   kNotFound: the function or qualifier is gone: fails at once with RetriesExhausted;
  //   anything else: the event can never run: fails at once with RetriesExhausted.
  virtual Result<AttemptResult> Run(const Event& event) = 0;
};

// Receives final outcomes. Thread-safe.
class OutcomeSink {
 public:
  virtual ~OutcomeSink() = default;
  // Sends the invocation record to the OnSuccess / OnFailure destination of `settings` and, on
  // failure, the original payload to the DLQ, as applicable; ok when nothing applies. Called for
  // every final outcome. event.attempts is approximateInvokeCount; `result.ran` is false when the
  // last attempt did not run the function (then the record has no responseContext /
  // responsePayload). `settings` are those read for the attempt that decided the outcome, kept
  // unchanged across delivery retries. An error means "not delivered, try again later": the
  // dispatcher retries the whole call, so a partial delivery must be safe to repeat.
  virtual Status Deliver(const Event& event, Condition condition, const AttemptResult& result,
                         const AsyncSettings& settings) = 0;
};

struct DispatcherOptions {
  // Worker threads started by Start().
  int workers = 4;
  // Events one worker claims at a time. They run one after the other; all stay leased (renewed)
  // until processed.
  int claim_batch = 1;
  // How long a claim (or its last renewal) holds an event before another worker may take it: the
  // longest an event waits after its holder died. Real time, never scaled: it is about crashes,
  // not about AWS's timing.
  int64_t lease_ms = 30 * 1000;
  // How often held leases are renewed (to now + lease_ms). Well below lease_ms, so a slow store
  // write or a busy machine does not let a live lease expire.
  int64_t lease_renew_interval_ms = 5 * 1000;
  // Upper bound of an idle worker's sleep, so events enqueued by another process are seen.
  int64_t max_idle_wait_ms = 1000;
  // Testing aid (see retry_policy.h); also scales the delivery retry delays and window.
  double time_scale = 1.0;
  // How long delivery of a final outcome is retried before giving up (scaled by time_scale).
  int64_t delivery_retry_window_ms = 24LL * 60 * 60 * 1000;
};

// LAMBDALITE_ASYNC_TIME_SCALE as a time scale: 1.0 when unset; an invalid value is logged and
// ignored. For wiring: DispatcherOptions::time_scale = AsyncTimeScaleFromEnvironment().
double AsyncTimeScaleFromEnvironment();

// Thread-safe. The collaborators must outlive the Dispatcher.
class Dispatcher {
 public:
  Dispatcher(EventQueueStore& store, AsyncSettingsSource& settings, EventRunner& runner,
             OutcomeSink& sink, const Clock& clock, DispatcherOptions options = {});
  Dispatcher(const Dispatcher&) = delete;
  Dispatcher& operator=(const Dispatcher&) = delete;
  // Stops (waiting for in-flight attempts without limit) and joins the workers.
  ~Dispatcher();

  // Starts the worker threads. No-op while any worker is alive (running, or still finishing an
  // attempt after a Stop that timed out).
  void Start();
  // Graceful stop: workers stop claiming, events claimed but not yet started are released (put
  // back unchanged, due at once for another node), and attempts in flight finish normally. Waits
  // up to `grace` (real time) for that; true when every worker has exited. On false the
  // remaining workers exit once their attempt ends (the destructor joins them); if the process
  // dies first, their leases expire and the events run again elsewhere or after a restart.
  bool Stop(std::chrono::milliseconds grace = std::chrono::milliseconds::max());

  // Tells an idle worker to look for due events now (after an Enqueue, or after a FakeClock
  // moved). Cheap; callable from any thread.
  void Wake();
  // Stores a new event and wakes a worker.
  Status Submit(const Event& event);

  // Claims and processes, on the calling thread, every event due at the clock's current time,
  // including events that become due while it runs at that same time; returns how many claims it
  // processed. For tests with a FakeClock (run without Start()).
  int RunOnceForTest();

 private:
  void WorkerLoop();
  // Sleeps until the next event may be due, a Wake() or Stop(), at most max_idle_wait_ms.
  void WaitForWork(int64_t max_wait_ms);
  int64_t IdleWaitMs();
  bool stopping() const;

  // Processing of one claimed event.
  void Process(Event event);
  void Attempt(Event& event);
  // Records the final outcome in the event and delivers it.
  void Conclude(Event& event, Condition condition, AttemptResult result, AsyncSettings settings);
  void Deliver(Event& event);
  void Reschedule(const Event& event);
  void Finish(const Event& event, bool delivered);
  // Puts claimed but unstarted events back unchanged (Stop).
  void Release(const Event& event);
  // The heartbeat: renews the leases in held_ until the workers have exited.
  void RenewLoop();
  void Hold(const std::vector<Event>& events);
  void Unhold(const LeaseRef& lease);

  EventQueueStore& store_;
  AsyncSettingsSource& settings_;
  EventRunner& runner_;
  OutcomeSink& sink_;
  const Clock& clock_;
  const DispatcherOptions options_;

  mutable std::mutex mu_;
  std::condition_variable wake_cv_;    // idle workers wait here
  std::condition_variable exited_cv_;  // Stop waits here for workers to exit
  bool stopping_ = false;
  int pending_wakes_ = 0;  // Wake() calls no worker has consumed yet
  int live_workers_ = 0;   // started and not yet exited
  // Leases this dispatcher holds (claimed, not yet rescheduled, finished or released):
  // request_id -> lease_generation.
  std::map<std::string, int64_t> held_;
  std::vector<std::thread> threads_;
};

}  // namespace lambdalite::queue
