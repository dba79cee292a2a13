#include "queue/dispatcher.h"

#include <algorithm>
#include <cstdlib>
#include <limits>
#include <optional>
#include <utility>

#include "common/log.h"

namespace lambdalite::queue {
namespace {

// last_error keeps only the start of a function's error body.
constexpr size_t kMaxErrorText = 512;

std::string Truncate(std::string text) {
  if (text.size() > kMaxErrorText) {
    text.resize(kMaxErrorText);
    text += "...";
  }
  return text;
}

std::string Describe(const Event& event) {
  return "async event " + event.request_id + " of " + event.scope.account + "/" +
         event.scope.region + "/" + event.function_name +
         (event.qualifier.has_value() ? ":" + *event.qualifier : std::string());
}

// The result recorded for an attempt that did not run the function.
AttemptResult NotRun(int status_code) {
  AttemptResult result;
  result.status_code = status_code;
  result.ran = false;
  return result;
}

RetryLimits LimitsOf(const AsyncSettings& settings, double time_scale) {
  return RetryLimits{settings.max_retry_attempts, settings.max_event_age_seconds, time_scale};
}

// How the runner's answer counts for retries, and what to record for it.
struct Classified {
  AttemptKind kind;
  AttemptResult result;
  std::string error;  // for last_error; empty on success
};

Classified Classify(Result<AttemptResult> run) {
  if (run.ok()) {
    AttemptResult result = std::move(run).value();
    result.ran = true;
    if (result.function_error.empty()) return {AttemptKind::kSuccess, std::move(result), {}};
    std::string error =
        Truncate("function error (" + result.function_error + "): " + result.response_payload);
    return {AttemptKind::kFunctionError, std::move(result), std::move(error)};
  }
  const Error& e = run.error();
  switch (e.code) {
    case ErrorCode::kTooManyRequests:
      return {AttemptKind::kThrottled, NotRun(429), Truncate("throttled: " + e.message)};
    case ErrorCode::kUnavailable:
    case ErrorCode::kInternal:
      return {AttemptKind::kSystemError, NotRun(500), Truncate("system error: " + e.message)};
    case ErrorCode::kNotFound:
      return {AttemptKind::kPermanentError, NotRun(404), Truncate("not found: " + e.message)};
    default:
      return {AttemptKind::kPermanentError, NotRun(400), Truncate("cannot run: " + e.message)};
  }
}

}  // namespace

double AsyncTimeScaleFromEnvironment() {
  const char* text = std::getenv("LAMBDALITE_ASYNC_TIME_SCALE");
  if (text == nullptr || *text == '\0') return 1.0;
  Result<double> scale = ParseTimeScale(text);
  if (!scale.ok()) {
    LogWarn("LAMBDALITE_ASYNC_TIME_SCALE ignored: " + scale.error().message);
    return 1.0;
  }
  if (*scale != 1.0) {
    LogWarn("LAMBDALITE_ASYNC_TIME_SCALE=" + std::string(text) +
            ": asynchronous retry delays and event ages are scaled (testing only)");
  }
  return *scale;
}

Dispatcher::Dispatcher(EventQueueStore& store, AsyncSettingsSource& settings, EventRunner& runner,
                       OutcomeSink& sink, const Clock& clock, DispatcherOptions options)
    : store_(store),
      settings_(settings),
      runner_(runner),
      sink_(sink),
      clock_(clock),
      options_(std::move(options)) {}

Dispatcher::~Dispatcher() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_cv_.notify_all();
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
}

// ---------------------------------------------------------------------------------------------
// Lifecycle

void Dispatcher::Start() {
  std::lock_guard lock(mu_);
  // Running, or a Stop that timed out still has workers finishing their attempt.
  if (live_workers_ > 0) return;
  for (std::thread& t : threads_) {
    if (t.joinable()) t.join();
  }
  threads_.clear();
  stopping_ = false;
  pending_wakes_ = 0;
  const int n = std::max(1, options_.workers);
  live_workers_ = n;
  for (int i = 0; i < n; ++i) threads_.emplace_back([this] { WorkerLoop(); });
  threads_.emplace_back([this] { RenewLoop(); });
}

bool Dispatcher::Stop(std::chrono::milliseconds grace) {
  std::unique_lock lock(mu_);
  stopping_ = true;
  wake_cv_.notify_all();
  // Real time, not the injected clock: this bounds how long shutdown blocks, not event timing.
  const auto done = [&] { return live_workers_ == 0; };
  if (grace == std::chrono::milliseconds::max()) {
    exited_cv_.wait(lock, done);
  } else if (!exited_cv_.wait_for(lock, grace, done)) {
    LogWarn("async dispatcher: " + std::to_string(live_workers_) +
            " worker(s) still running an attempt after the stop grace period");
    return false;
  }
  std::vector<std::thread> threads = std::move(threads_);
  threads_.clear();
  lock.unlock();
  for (std::thread& t : threads) t.join();
  return true;
}

bool Dispatcher::stopping() const {
  std::lock_guard lock(mu_);
  return stopping_;
}

void Dispatcher::Wake() {
  {
    std::lock_guard lock(mu_);
    // Remembered for a worker that is busy now, so the wake-up is not lost; more than one per
    // worker would only cause empty claims.
    pending_wakes_ = std::min(pending_wakes_ + 1, std::max(1, options_.workers));
  }
  wake_cv_.notify_one();
}

Status Dispatcher::Submit(const Event& event) {
  LAMBDALITE_RETURN_IF_ERROR(store_.Enqueue(event));
  Wake();
  return Status::Ok();
}

// ---------------------------------------------------------------------------------------------
// Leases

void Dispatcher::Hold(const std::vector<Event>& events) {
  std::lock_guard lock(mu_);
  for (const Event& e : events) held_[e.request_id] = e.lease_generation;
}

void Dispatcher::Unhold(const LeaseRef& lease) {
  std::lock_guard lock(mu_);
  auto it = held_.find(lease.request_id);
  if (it != held_.end() && it->second == lease.lease_generation) held_.erase(it);
}

void Dispatcher::RenewLoop() {
  const auto interval =
      std::chrono::milliseconds(std::max<int64_t>(1, options_.lease_renew_interval_ms));
  std::unique_lock lock(mu_);
  // Runs while any worker may still hold a lease, including attempts that outlive Stop's grace.
  const auto done = [&] { return stopping_ && live_workers_ == 0; };
  while (!done()) {
    // Real time: the heartbeat must keep pace with the wall clock whatever the injected clock
    // says; the new expiry is computed from the injected clock, as the claim's was.
    exited_cv_.wait_for(lock, interval, done);
    if (done() || held_.empty()) continue;
    std::vector<LeaseRef> leases;
    leases.reserve(held_.size());
    for (const auto& [request_id, generation] : held_) leases.push_back({request_id, generation});
    lock.unlock();
    Result<int> renewed = store_.RenewLeases(leases, clock_.NowMillis() + options_.lease_ms);
    if (!renewed.ok()) {
      // The leases may expire and their events run again: at-least-once, never lost.
      LogWarn("async dispatcher: lease renewal failed: " + renewed.error().message);
    }
    lock.lock();
  }
}

// ---------------------------------------------------------------------------------------------
// Workers

void Dispatcher::WorkerLoop() {
  const int batch = std::max(1, options_.claim_batch);
  while (!stopping()) {
    Result<std::vector<Event>> claimed =
        store_.ClaimDue(clock_.NowMillis(), options_.lease_ms, batch);
    if (!claimed.ok()) {
      LogWarn("async dispatcher: claim failed: " + claimed.error().message);
      WaitForWork(options_.max_idle_wait_ms);
      continue;
    }
    std::vector<Event>& events = claimed.value();
    if (events.empty()) {
      WaitForWork(IdleWaitMs());
      continue;
    }
    Hold(events);
    // A full batch suggests more is due: get another worker going instead of leaving it asleep.
    if (static_cast<int>(events.size()) == batch) Wake();
    for (size_t i = 0; i < events.size(); ++i) {
      if (stopping()) {
        for (size_t j = i; j < events.size(); ++j) {
          Release(events[j]);
          Unhold({events[j].request_id, events[j].lease_generation});
        }
        break;
      }
      const LeaseRef lease{events[i].request_id, events[i].lease_generation};
      Process(std::move(events[i]));
      Unhold(lease);
    }
  }
  std::lock_guard lock(mu_);
  --live_workers_;
  exited_cv_.notify_all();
}

int64_t Dispatcher::IdleWaitMs() {
  const int64_t cap = std::max<int64_t>(1, options_.max_idle_wait_ms);
  Result<std::optional<int64_t>> next = store_.NextVisibleAt();
  if (!next.ok() || !next->has_value()) return cap;
  // At least 1 ms: an event due already but not claimable means another worker just took it.
  return std::clamp<int64_t>(**next - clock_.NowMillis(), 1, cap);
}

void Dispatcher::WaitForWork(int64_t max_wait_ms) {
  std::unique_lock lock(mu_);
  wake_cv_.wait_for(lock, std::chrono::milliseconds(max_wait_ms),
                    [&] { return stopping_ || pending_wakes_ > 0; });
  if (pending_wakes_ > 0) --pending_wakes_;
}

int Dispatcher::RunOnceForTest() {
  int processed = 0;
  while (true) {
    Result<std::vector<Event>> claimed =
        store_.ClaimDue(clock_.NowMillis(), options_.lease_ms, std::max(1, options_.claim_batch));
    if (!claimed.ok()) {
      LogWarn("async dispatcher: claim failed: " + claimed.error().message);
      break;
    }
    if (claimed->empty()) break;
    for (Event& event : claimed.value()) {
      Process(std::move(event));
      ++processed;
    }
  }
  return processed;
}

// ---------------------------------------------------------------------------------------------
// One event

void Dispatcher::Process(Event event) {
  if (event.outcome.has_value()) {
    // Decided earlier; only the delivery is left.
    Deliver(event);
    return;
  }
  Attempt(event);
}

void Dispatcher::Attempt(Event& event) {
  const std::string qualifier = event.qualifier.value_or(std::string(domain::kLatest));
  Result<AsyncSettings> read = settings_.Get(event.scope, event.function_name, qualifier);
  if (!read.ok()) {
    // Treated as a system error under the default limits: retried with backoff, no retry used.
    const RetryDecision d =
        DecideAfterAttempt(event, AttemptKind::kSystemError,
                           LimitsOf(AsyncSettings{}, options_.time_scale), clock_.NowMillis());
    event.last_error = Truncate("settings unavailable: " + read.error().message);
    event.attempts = d.attempts;
    event.backoff_step = d.backoff_step;
    if (d.retry) {
      event.visible_at_ms = d.visible_at_ms;
      Reschedule(event);
    } else {
      Conclude(event, d.condition, NotRun(500), AsyncSettings{});
    }
    return;
  }
  AsyncSettings settings = std::move(read).value();
  const RetryLimits limits = LimitsOf(settings, options_.time_scale);

  if (!settings.function_exists) {
    event.last_error = "function or qualifier " + qualifier + " no longer exists";
    Conclude(event, Condition::kRetriesExhausted, NotRun(404), std::move(settings));
    return;
  }
  if (std::optional<Condition> early =
          CheckBeforeAttempt(event, limits, settings.reserved_concurrency, clock_.NowMillis())) {
    const int status = *early == Condition::kZeroReservedConcurrency ? 429 : 0;
    Conclude(event, *early, NotRun(status), std::move(settings));
    return;
  }

  Classified outcome = Classify(runner_.Run(event));
  const RetryDecision d = DecideAfterAttempt(event, outcome.kind, limits, clock_.NowMillis());
  event.attempts = d.attempts;
  event.backoff_step = d.backoff_step;
  if (!outcome.error.empty()) event.last_error = std::move(outcome.error);
  if (d.retry) {
    event.visible_at_ms = d.visible_at_ms;
    Reschedule(event);
    return;
  }
  Conclude(event, d.condition, std::move(outcome.result), std::move(settings));
}

void Dispatcher::Conclude(Event& event, Condition condition, AttemptResult result,
                          AsyncSettings settings) {
  Outcome outcome;
  outcome.condition = condition;
  outcome.result = std::move(result);
  outcome.settings = std::move(settings);
  outcome.decided_ms = clock_.NowMillis();
  event.outcome = std::move(outcome);
  Deliver(event);
}

void Dispatcher::Deliver(Event& event) {
  Outcome& outcome = *event.outcome;
  Status delivered = sink_.Deliver(event, outcome.condition, outcome.result, outcome.settings);
  if (delivered.ok()) {
    Finish(event, true);
    return;
  }
  ++outcome.delivery_attempts;
  event.last_error = Truncate("delivery failed: " + delivered.error().message);
  const int64_t now = clock_.NowMillis();
  const int64_t next = now + BackoffDelayMs(outcome.delivery_attempts - 1, options_.time_scale);
  const int64_t window =
      ScaleDelay(std::max<int64_t>(0, options_.delivery_retry_window_ms), options_.time_scale);
  if (next - outcome.decided_ms >= window) {
    // Given up, but not silently: the event keeps the error, and the log says what was lost.
    LogError(Describe(event) + ": giving up delivery of " + ConditionName(outcome.condition) +
             " after " + std::to_string(outcome.delivery_attempts) +
             " attempts: " + delivered.error().message);
    Finish(event, false);
    return;
  }
  LogWarn(Describe(event) + ": " + event.last_error + " (will retry)");
  event.visible_at_ms = next;
  Reschedule(event);
}

void Dispatcher::Reschedule(const Event& event) {
  Status st = store_.Reschedule(event);
  if (!st.ok()) {
    // The lease will expire and the event run again: at-least-once, never lost.
    LogWarn(Describe(event) + ": reschedule failed: " + st.error().message);
  }
}

void Dispatcher::Finish(const Event& event, bool delivered) {
  FinishedEvent finished{event, event.outcome->condition, clock_.NowMillis(), delivered};
  Status st = store_.Finish(finished);
  if (!st.ok()) {
    LogWarn(Describe(event) + ": finish failed: " + st.error().message);
  }
}

void Dispatcher::Release(const Event& event) {
  Status st = store_.Reschedule(event);
  if (!st.ok()) {
    LogWarn(Describe(event) + ": release on stop failed: " + st.error().message);
  }
}

}  // namespace lambdalite::queue
