#include "executor/environment_pool.h"

#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <atomic>
#include <boost/json.hpp>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <random>
#include <utility>

#include "common/crypto.h"
#include "common/log.h"
#include "common/time_format.h"
#include "domain/names.h"
#include "executor/runtime_api.h"
#include "http/peer_credentials.h"
#include "service/code_package.h"

namespace lambdalite::executor {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;
using SteadyClock = std::chrono::steady_clock;

constexpr const char* kUnhandled = "Unhandled";

// AWS's error payloads put errorType first for platform errors (Sandbox.Timedout,
// Runtime.ExitError) and errorMessage first for Function.ResponseSizeTooLarge; keep both orders.
std::string TypeFirstError(std::string_view type, std::string_view message) {
  json::object o;
  o["errorType"] = type;
  o["errorMessage"] = message;
  return json::serialize(o);
}

std::string MessageFirstError(std::string_view message, std::string_view type) {
  json::object o;
  o["errorMessage"] = message;
  o["errorType"] = type;
  return json::serialize(o);
}

// The names Go's os/exec prints for signals ("signal: killed"): AWS's platform is written in Go.
std::string GoSignalName(int sig) {
  switch (sig) {
    case SIGHUP:
      return "hangup";
    case SIGINT:
      return "interrupt";
    case SIGQUIT:
      return "quit";
    case SIGILL:
      return "illegal instruction";
    case SIGTRAP:
      return "trace/breakpoint trap";
    case SIGABRT:
      return "aborted";
    case SIGBUS:
      return "bus error";
    case SIGFPE:
      return "floating point exception";
    case SIGKILL:
      return "killed";
    case SIGUSR1:
      return "user defined signal 1";
    case SIGSEGV:
      return "segmentation fault";
    case SIGUSR2:
      return "user defined signal 2";
    case SIGPIPE:
      return "broken pipe";
    case SIGALRM:
      return "alarm clock";
    case SIGTERM:
      return "terminated";
    case SIGXCPU:
      return "CPU time limit exceeded";
    case SIGXFSZ:
      return "file size limit exceeded";
    case SIGSYS:
      return "bad system call";
    default:
      return "signal " + std::to_string(sig);
  }
}

// Go's error text for an errno: strerror with a lower-case first letter.
std::string GoErrnoText(int err) {
  std::string text = std::strerror(err);
  if (!text.empty()) text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
  return text;
}

double Millis(SteadyClock::duration d) {
  return std::chrono::duration<double, std::milli>(d).count();
}

std::string RandomHex(size_t bytes) { return HexEncode(RandomBytes(bytes)); }

bool IsLowerHex(const std::string& s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
  });
}

// X-Ray's trace header format: Root=1-<epoch seconds, 8 hex>-<96 random bits>;Parent=<64 random
// bits>;Sampled=0. Every warm invoke makes one. The bits need to be unique, not secret (the
// function sees its own trace id, and a trace id grants nothing), so they come from a per-thread
// generator seeded once from the CSPRNG: two RAND_bytes calls per invocation were 5% of the
// server's CPU time on the warm path.
// `lineage`, when given, is appended as the Lineage field (recursive loop detection).
std::string NewTraceId(int64_t now_ms, std::string_view lineage) {
  thread_local std::mt19937_64 gen = [] {
    const std::string seed = RandomBytes(32);
    std::seed_seq seq(seed.begin(), seed.end());
    return std::mt19937_64(seq);
  }();
  const uint64_t root_high = gen(), root_low = gen(), parent = gen();
  char id[96];
  std::snprintf(id, sizeof id, "Root=1-%08llx-%08llx%016llx;Parent=%016llx;Sampled=0",
                static_cast<unsigned long long>(now_ms / 1000),
                static_cast<unsigned long long>(root_high & 0xffffffffu),
                static_cast<unsigned long long>(root_low), static_cast<unsigned long long>(parent));
  std::string trace;
  if (lineage.empty()) {
    trace = id;
  } else {
    trace.reserve(std::strlen(id) + 9 + lineage.size());
    trace.append(id).append(";Lineage=").append(lineage);
  }
  return trace;
}

// Variables a function's configuration may not override (AWS's reserved list).
constexpr std::string_view kReservedVariables[] = {"_HANDLER",
                                                   "_X_AMZN_TRACE_ID",
                                                   "AWS_DEFAULT_REGION",
                                                   "AWS_REGION",
                                                   "AWS_EXECUTION_ENV",
                                                   "AWS_LAMBDA_FUNCTION_NAME",
                                                   "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
                                                   "AWS_LAMBDA_FUNCTION_VERSION",
                                                   "AWS_LAMBDA_INITIALIZATION_TYPE",
                                                   "AWS_LAMBDA_LOG_GROUP_NAME",
                                                   "AWS_LAMBDA_LOG_STREAM_NAME",
                                                   "AWS_ACCESS_KEY",
                                                   "AWS_ACCESS_KEY_ID",
                                                   "AWS_SECRET_ACCESS_KEY",
                                                   "AWS_SESSION_TOKEN",
                                                   "AWS_LAMBDA_RUNTIME_API",
                                                   "LAMBDA_TASK_ROOT",
                                                   "LAMBDA_RUNTIME_DIR",
                                                   "AWS_LAMBDA_LOG_FORMAT",
                                                   "AWS_LAMBDA_LOG_LEVEL"};

bool IsReservedVariable(std::string_view name) {
  return std::find(std::begin(kReservedVariables), std::end(kReservedVariables), name) !=
         std::end(kReservedVariables);
}

// Variables a pre-started interpreter has already been started without: the dynamic loader's,
// the locale, the interpreter's own (PYTHONPATH, PYTHONHASHSEED, NODE_OPTIONS, libuv's UV_*),
// HOME (Python's user site directory). A function that sets one starts its runtime the classic way,
// so it sees them from the first instruction on. TZ is not among them: the runtime client re-reads
// it.
bool ChangesInterpreterStartup(std::string_view name) {
  for (std::string_view prefix : {"PYTHON", "NODE_", "UV_", "LD_", "LC_", "MALLOC_"}) {
    if (name.starts_with(prefix)) return true;
  }
  return name == "LANG" || name == "LANGUAGE" || name == "HOME" || name == "GLIBC_TUNABLES" ||
         name == "AWS_LAMBDA_EXEC_WRAPPER";
}

// Pre-started runtimes are built with AWS's default /tmp size and the smallest memory size; the
// memory limit changes on activation, the /tmp size cannot.
constexpr int kPrestartEphemeralStorageMb = 512;
constexpr int kPrestartMemoryMb = 128;

// Makes an extracted package readable by the sandbox's unprivileged uid whatever the server's
// umask was.
void MakeWorldReadable(const fs::path& root) {
  std::error_code ec;
  fs::permissions(root,
                  fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                      fs::perms::others_read | fs::perms::others_exec,
                  ec);
  for (auto it = fs::recursive_directory_iterator(root, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const auto status = it->symlink_status(ec);
    if (ec) break;
    if (fs::is_directory(status)) {
      fs::permissions(it->path(),
                      fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec |
                          fs::perms::others_read | fs::perms::others_exec,
                      fs::perm_options::add, ec);
    } else if (fs::is_regular_file(status)) {
      fs::permissions(it->path(),
                      fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read,
                      fs::perm_options::add, ec);
    }
  }
}

}  // namespace

// ---- Environment ---------------------------------------------------------------------------

// One execution environment: its Runtime API endpoint, log stream and sandboxed process, and
// the events they report. Fields marked "pool" are guarded by the pool's mutex; the components are
// set by the thread that starts the environment before anyone else can see them, and torn down
// by Destroy after the last invocation.
class EnvironmentPool::Environment final : public RuntimeApiObserver, public SandboxObserver {
 public:
  enum class State { kStarting, kIdle, kBusy, kDiscarded };
  using Event = EnvironmentPool::Event;

  Environment(std::string id, EnvKey key) : id(std::move(id)), key(std::move(key)) {}

  const std::string id;
  // pool: empty while the environment is a pre-started runtime waiting for its function; set
  // once, before it enters all_.
  EnvKey key;

  // pool
  State state = State::kStarting;
  bool retire = false;
  // A provisioned environment of the config (key.scope, key.function, provisioned_for): set
  // before it enters all_.
  bool provisioned = false;
  std::string provisioned_for;
  int64_t idle_since_ms = 0;
  int invocations = 0;

  // Components.
  std::shared_ptr<CodeEntry> code;
  std::unique_ptr<RuntimeApi> api;
  uint16_t port = 0;              // the Runtime API's port, as the runtime sees it
  http::ListenerId listener = 0;  // its listener in the server (0: none)
  std::string log_stream;
  std::unique_ptr<EnvironmentLog> log;  // set with SetLog: the sandbox's thread reads it
  SteadyClock::time_point init_started;
  bool exec_wrapper = false;  // argv[0] is AWS_LAMBDA_EXEC_WRAPPER
  std::string entrypoint;     // argv[0], for error messages

  // A pre-started runtime gets its log only when it gets its function; output before that (there
  // should be none) is dropped.
  void SetLog(std::unique_ptr<EnvironmentLog> new_log) {
    std::lock_guard lock(log_mu_);
    log = std::move(new_log);
  }

  void SetProcess(std::unique_ptr<SandboxProcess> process) {
    std::lock_guard lock(mu_);
    process_ = std::move(process);
    pid_ = process_->pid();
    if (aborted_) process_->Kill();
  }
  // Only the thread running the environment's invocation (or Destroy) uses the process.
  SandboxProcess* process() {
    std::lock_guard lock(mu_);
    return process_.get();
  }
  std::unique_ptr<SandboxProcess> TakeProcess() {
    std::lock_guard lock(mu_);
    return std::move(process_);
  }
  int pid() const {
    std::lock_guard lock(mu_);
    return pid_;
  }

  void Kill() {
    std::lock_guard lock(mu_);
    if (process_) process_->Kill();
  }
  // Shutdown: kills the process and wakes whoever waits on the environment.
  void Abort() {
    std::lock_guard lock(mu_);
    aborted_ = true;
    if (process_) process_->Kill();
    PostCompletionLocked(Event::kAborted);
    cv_.notify_all();
  }
  bool exited() const {
    std::lock_guard lock(mu_);
    return exit_.has_value();
  }

  // Waits for the end of the init phase.
  Event WaitForInit(SteadyClock::time_point deadline) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return ready_ || init_error_ || exit_ || aborted_; });
    if (init_error_) return Event::kInitError;
    if (ready_) return Event::kReady;
    if (exit_) return Event::kExit;
    if (aborted_) return Event::kAborted;
    return Event::kTimeout;
  }

  void ExpectOutcome(const std::string& request_id) {
    std::lock_guard lock(mu_);
    expected_id_ = request_id;
    outcome_.reset();
  }

  // Waits for the runtime's answer to the expected invocation.
  Event WaitForOutcome(SteadyClock::time_point deadline) {
    std::unique_lock lock(mu_);
    cv_.wait_until(lock, deadline, [&] { return outcome_ || init_error_ || exit_ || aborted_; });
    if (outcome_) return Event::kOutcome;
    if (init_error_) return Event::kInitError;
    if (exit_) return Event::kExit;
    if (aborted_) return Event::kAborted;
    return Event::kTimeout;
  }

  // Valid after the matching Wait returned the event.
  RuntimeOutcome TakeOutcome() {
    std::lock_guard lock(mu_);
    RuntimeOutcome o = std::move(*outcome_);
    outcome_.reset();
    return o;
  }
  std::pair<std::string, std::string> init_error() const {
    std::lock_guard lock(mu_);
    return *init_error_;
  }
  SandboxExit exit_status() const {
    std::lock_guard lock(mu_);
    return *exit_;
  }
  SteadyClock::time_point event_time() const {
    std::lock_guard lock(mu_);
    return event_time_;
  }

  // The asynchronous form of ExpectOutcome + WaitForOutcome: `completion` runs exactly once,
  // with the first of kOutcome (on the I/O thread that received the runtime's answer, right
  // away), kExit, kAborted or kInitError (posted to `elsewhere`: they are noticed on threads
  // that may not finish an invocation), or kTimeout (whoever takes it with TakeCompletion). If
  // the environment has already ended, the completion is posted at once.
  using Completion = std::function<void(Event)>;
  void ExpectOutcomeAsync(const std::string& request_id, Completion completion,
                          TimerQueue& elsewhere) {
    std::optional<Event> ended;
    {
      std::lock_guard lock(mu_);
      expected_id_ = request_id;
      outcome_.reset();
      ended = EndedLocked();
      if (!ended) {
        completion_ = std::move(completion);
        elsewhere_ = &elsewhere;
        return;
      }
    }
    elsewhere.Post([completion = std::move(completion), event = *ended] { completion(event); });
  }
  // Takes the pending asynchronous wait for `request_id` (to time it out, or to give it up):
  // empty when it has already completed or belongs to another invocation. Later posts for that
  // request id are ignored.
  Completion TakeCompletion(const std::string& request_id) {
    std::lock_guard lock(mu_);
    if (!completion_ || expected_id_ != request_id) return {};
    expected_id_.clear();
    return TakeCompletionLocked();
  }

  // RuntimeApiObserver.
  void OnRuntimeWaiting() override {
    // Every /next poll lands here, typically while the invocation thread still holds mu_ to
    // finish the previous invocation; only the first call matters, so later ones skip the lock
    // instead of queueing on it.
    if (ready_seen_.load(std::memory_order_acquire)) return;
    {
      std::lock_guard lock(mu_);
      if (ready_) return;
      ready_ = true;
      event_time_ = SteadyClock::now();
    }
    ready_seen_.store(true, std::memory_order_release);
    cv_.notify_all();
  }
  void OnInvocationOutcome(const std::string& request_id, RuntimeOutcome outcome) override {
    const auto now = SteadyClock::now();
    Completion completion;
    {
      std::lock_guard lock(mu_);
      if (request_id != expected_id_) return;
      expected_id_.clear();
      outcome_ = std::move(outcome);
      event_time_ = now;
      completion = TakeCompletionLocked();
    }
    // The pool destroys the environment only after its Runtime API listener, whose handler is
    // calling this, is gone, so the environment outlives the completion.
    if (completion) {
      completion(Event::kOutcome);
      return;
    }
    // After unlocking: a waiter woken while mu_ is still held only blocks again on mu_, one more
    // sleep and wake-up on the warm path.
    cv_.notify_all();
  }
  void OnInitError(std::string body, std::string error_type) override {
    std::lock_guard lock(mu_);
    if (init_error_) return;
    init_error_.emplace(std::move(body), std::move(error_type));
    event_time_ = SteadyClock::now();
    PostCompletionLocked(Event::kInitError);
    cv_.notify_all();
  }

  // Whether a connection to the environment's Runtime API comes from the environment itself
  // (the listener's peer filter; called on an I/O thread, once per connection).
  bool IsOwnUid(uid_t peer_uid) const {
    const int64_t own = run_as_uid_.load(std::memory_order_acquire);
    return own >= 0 && static_cast<uid_t>(own) == peer_uid;
  }

  // SandboxObserver.
  void OnRunAs(uid_t uid) override {
    run_as_uid_.store(static_cast<int64_t>(uid), std::memory_order_release);
  }
  void OnOutput(std::string_view bytes) override {
    std::lock_guard lock(log_mu_);
    if (log) log->Output(bytes);
  }
  void OnExit(const SandboxExit& exit) override {
    std::lock_guard lock(mu_);
    exit_ = exit;
    event_time_ = SteadyClock::now();
    PostCompletionLocked(Event::kExit);
    cv_.notify_all();
  }

 private:
  std::optional<Event> EndedLocked() const {
    if (init_error_) return Event::kInitError;
    if (exit_) return Event::kExit;
    if (aborted_) return Event::kAborted;
    return std::nullopt;
  }
  Completion TakeCompletionLocked() {
    Completion completion = std::move(completion_);
    completion_ = nullptr;
    return completion;
  }
  // Hands a pending asynchronous wait its end. Posting never runs it here, so the lock may be
  // held.
  void PostCompletionLocked(Event event) {
    if (!completion_) return;
    expected_id_.clear();
    elsewhere_->Post([completion = TakeCompletionLocked(), event] { completion(event); });
  }

  mutable std::mutex mu_;
  std::mutex log_mu_;  // guards `log` against the sandbox thread's OnOutput
  std::condition_variable cv_;
  std::unique_ptr<SandboxProcess> process_;
  int pid_ = 0;
  bool aborted_ = false;
  bool ready_ = false;
  std::atomic<bool> ready_seen_{false};  // ready_, readable without mu_
  std::string expected_id_;
  std::optional<RuntimeOutcome> outcome_;
  std::optional<std::pair<std::string, std::string>> init_error_;  // body, error type
  std::optional<SandboxExit> exit_;
  Completion completion_;            // a pending ExpectOutcomeAsync
  TimerQueue* elsewhere_ = nullptr;  // where its non-outcome ends run
  SteadyClock::time_point event_time_;
  // The uid the sandbox runs the environment's processes as; -1 until Start reports it.
  std::atomic<int64_t> run_as_uid_{-1};
};

// An extracted deployment package, shared (read-only) by the environments of one code blob.
// AcquireCode is the only reader of the blob (and the layers' blobs): environments run from this
// copy, so the blob collector (service/blob_collector.h) removing an unreferenced blob never
// disturbs a running environment. The copy goes with its last environment (ReleaseCode), and
// copies left by a killed server are removed when the next one starts.
struct EnvironmentPool::CodeEntry {
  std::string key;
  std::string dir;
  std::string opt_dir;  // the layers, extracted in order; empty without layers
  std::mutex mu;        // held while extracting
  bool ready = false;
  int refs = 0;  // pool
};

// ---- Pool ----------------------------------------------------------------------------------

EnvironmentPool::EnvironmentPool(http::Server& server, Sandbox& sandbox, RuntimeRegistry registry,
                                 const Clock& clock, EnvironmentPoolOptions options)
    : server_(server),
      sandbox_(sandbox),
      registry_(std::move(registry)),
      clock_(clock),
      options_(std::move(options)),
      code_root_(options_.data_dir + "/executor/code") {
  std::error_code ec;
  fs::create_directories(options_.data_dir, ec);
  // Sandboxes run as other users and must not read the server's state or other functions' code.
  if (chmod(options_.data_dir.c_str(), 0700) != 0) {
    LogWarn("executor: cannot restrict " + options_.data_dir + " to its owner");
  }
  // Packages extracted by an earlier run are stale.
  fs::remove_all(code_root_, ec);
  fs::create_directories(code_root_, ec);
  if (ec) LogError("executor: cannot create " + code_root_ + ": " + ec.message());
  if (Status probe = http::ProbePeerCredentials(); probe.ok()) {
    peer_checks_ = true;
  } else {
    LogWarn("executor: cannot tell which user opens a connection (" + probe.error().message +
            "); Runtime API endpoints accept any local connection, so environments are not "
            "isolated from each other");
  }
  reaper_ = std::thread([this] { ReaperLoop(); });
  provisioner_ = std::thread([this] { ProvisionerLoop(); });
}

EnvironmentPool::~EnvironmentPool() { Shutdown(); }

void EnvironmentPool::Shutdown() {
  {
    std::unique_lock lock(mu_);
    if (shut_down_) return;
    shut_down_ = true;
    stopping_ = true;
    for (auto& [id, env] : all_) env->Abort();
    std::vector<std::shared_ptr<Environment>> idle;
    for (auto& [key, envs] : idle_) idle.insert(idle.end(), envs.begin(), envs.end());
    idle_.clear();
    for (auto& [argv, slot] : prestarted_)
      idle.insert(idle.end(), slot.ready.begin(), slot.ready.end());
    prestarted_.clear();
    for (auto& [key, envs] : provisioned_idle_) idle.insert(idle.end(), envs.begin(), envs.end());
    provisioned_idle_.clear();
    provisioned_.clear();
    provision_cv_.notify_all();
    for (auto& env : idle) Discard(env);
    cv_.notify_all();
    // Asynchronous invocations end (as aborted) on the timer thread, so it stops only after.
    cv_.wait(lock, [&] { return total_in_flight_ == 0; });
  }
  provision_cv_.notify_all();
  provisioner_.join();
  timers_.Stop();
  cv_.notify_all();
  reaper_.join();
  for (auto& env : graveyard_) Destroy(*env);
  graveyard_.clear();
  for (auto& [id, env] : all_) Destroy(*env);
  all_.clear();
}

Result<InvocationResult> EnvironmentPool::Invoke(const InvokeRequest& request) {
  if (!request.version) {
    return Error::Make(ErrorCode::kInternal, "invoke request without a function version");
  }
  const domain::FunctionConfig& config = request.version->config;
  if (config.package_type != "Zip") {
    return Error::Make(ErrorCode::kUnavailable, "lambdalite cannot run container image functions");
  }
  const RuntimeCommand* command = registry_.Find(config.runtime);
  if (command == nullptr) {
    return Error::Make(ErrorCode::kUnavailable, "the runtime " + config.runtime +
                                                    " is not available on this lambdalite host");
  }
  bool retry = false;
  auto result = InvokeOnce(request, *command, /*allow_prestarted=*/true, &retry);
  // A pre-started runtime that could not be activated (it died meanwhile): start one anew.
  if (retry) result = InvokeOnce(request, *command, /*allow_prestarted=*/false, &retry);
  return result;
}

Result<InvocationResult> EnvironmentPool::InvokeOnce(const InvokeRequest& request,
                                                     const RuntimeCommand& command,
                                                     bool allow_prestarted, bool* retry) {
  *retry = false;
  LAMBDALITE_TRY(Lease lease, Acquire(request, command, allow_prestarted));
  if (lease.cold) {
    Status started = lease.prestarted ? ActivateEnvironment(*lease.env, request, command)
                                      : StartEnvironment(*lease.env, request, command);
    if (!started.ok()) {
      Release(lease, /*keep=*/false);
      if (lease.prestarted && started.error().code == ErrorCode::kUnavailable) {
        LogWarn("executor: a pre-started runtime could not be activated (" +
                started.error().message + "); starting a new one");
        *retry = true;
      }
      return std::move(started).error();
    }
    // Publishes the components StartEnvironment set (ListEnvironments reads them under the lock).
    std::lock_guard lock(mu_);
    lease.env->state = Environment::State::kBusy;
  }
  auto run = Run(*lease.env, request, lease.cold);
  Release(lease, run.ok() && run->keep);
  if (!run.ok()) return std::move(run).error();
  return std::move(run->result);
}

Result<EnvironmentPool::Lease> EnvironmentPool::Acquire(const InvokeRequest& request,
                                                        const RuntimeCommand& command,
                                                        bool allow_prestarted, bool warm_only) {
  const EnvKey key{request.scope, request.function_name, request.version->version,
                   request.version->revision_id};
  const FunctionKey function{request.scope, request.function_name};
  std::lock_guard lock(mu_);
  if (stopping_) {
    return Error::Make(ErrorCode::kUnavailable, "the execution layer is shutting down");
  }
  Lease lease;
  // An idle provisioned environment of this version comes first, whatever the limits: its
  // concurrency was set aside when it was provisioned. One test when nothing is provisioned.
  if (!provisioned_idle_.empty()) {
    if (auto it = provisioned_idle_.find(key); it != provisioned_idle_.end()) {
      auto& envs = it->second;
      while (!envs.empty() && !lease.env) {
        std::shared_ptr<Environment> env = std::move(envs.back());
        envs.pop_back();
        if (env->exited()) {
          DropProvisionedLocked(env);  // died while idle: the provisioner replaces it
        } else {
          lease.env = std::move(env);
        }
      }
      if (envs.empty()) provisioned_idle_.erase(it);
      if (lease.env) {
        lease.env->state = Environment::State::kBusy;
        lease.provisioned = true;
        ++total_in_flight_;
        return lease;
      }
    }
  }
  if (request.reserved_concurrency) {
    // Reserved concurrency is both a guarantee and a cap; 0 stops the function entirely. The
    // function's provisioned concurrency is carved from it (PC33).
    auto it = in_flight_.find(function);
    const int running = it == in_flight_.end() ? 0 : it->second;
    if (running >= *request.reserved_concurrency - request.provisioned_concurrency) {
      return Error::Make(ErrorCode::kTooManyRequests, "Rate Exceeded.",
                         "ReservedFunctionConcurrentInvocationLimitExceeded");
    }
    lease.reserved = true;
  } else {
    auto it = unreserved_in_flight_.find(request.scope);
    const int running = it == unreserved_in_flight_.end() ? 0 : it->second;
    if (running >= request.unreserved_concurrency) {
      return Error::Make(ErrorCode::kTooManyRequests, "Rate Exceeded.",
                         "ConcurrentInvocationLimitExceeded");
    }
  }

  EnvKey version_key = key;
  version_key.revision.clear();
  latest_revision_[version_key] = key.revision;

  // Warm start: the most recently used idle environment (the others age out sooner).
  if (auto it = idle_.find(key); it != idle_.end()) {
    auto& envs = it->second;
    while (!envs.empty() && !lease.env) {
      std::shared_ptr<Environment> env = std::move(envs.back());
      envs.pop_back();
      if (env->exited()) {
        Discard(std::move(env));  // died while idle
      } else {
        lease.env = std::move(env);
      }
    }
    if (envs.empty()) idle_.erase(it);
  }
  if (lease.env) {
    lease.env->state = Environment::State::kBusy;
  } else if (warm_only) {
    return lease;
  } else {
    // A new revision of this version (code or configuration update): idle environments of older
    // revisions can never be used again.
    for (auto it = idle_.begin(); it != idle_.end();) {
      const EnvKey& k = it->first;
      if (k.scope == key.scope && k.function == key.function && k.version == key.version &&
          k.revision != key.revision) {
        for (auto& env : it->second) Discard(env);
        it = idle_.erase(it);
      } else {
        ++it;
      }
    }
    if (allow_prestarted && CanUsePrestarted(request, command)) {
      lease.env = TakePrestarted(command.argv);
      lease.prestarted = lease.env != nullptr;
    }
    if (lease.env) {
      lease.env->key = key;
    } else {
      lease.env = std::make_shared<Environment>(RandomHex(16), key);
    }
    lease.cold = true;
    all_[lease.env->id] = lease.env;
  }
  ++in_flight_[function];
  if (!lease.reserved) ++unreserved_in_flight_[request.scope];
  ++total_in_flight_;
  return lease;
}

void EnvironmentPool::Release(const Lease& lease, bool keep) {
  if (lease.provisioned) {
    std::vector<Report> reports;
    {
      std::lock_guard lock(mu_);
      --total_in_flight_;
      ++lease.env->invocations;
      ReleaseProvisionedLocked(lease.env, keep, &reports);
      if (stopping_ && total_in_flight_ == 0) cv_.notify_all();
    }
    SendReports(reports);
    return;
  }
  std::lock_guard lock(mu_);
  const std::shared_ptr<Environment>& env = lease.env;
  const FunctionKey function{env->key.scope, env->key.function};
  if (auto it = in_flight_.find(function); it != in_flight_.end() && --it->second <= 0) {
    in_flight_.erase(it);
  }
  if (!lease.reserved) {
    auto it = unreserved_in_flight_.find(env->key.scope);
    if (it != unreserved_in_flight_.end() && --it->second <= 0) unreserved_in_flight_.erase(it);
  }
  --total_in_flight_;
  ++env->invocations;

  EnvKey version_key = env->key;
  version_key.revision.clear();
  auto latest = latest_revision_.find(version_key);
  const bool stale = latest != latest_revision_.end() && latest->second != env->key.revision;
  if (keep && !env->retire && !stopping_ && !stale &&
      env->state != Environment::State::kDiscarded) {
    env->state = Environment::State::kIdle;
    env->idle_since_ms = clock_.NowMillis();
    idle_[env->key].push_back(env);
  } else if (env->state != Environment::State::kDiscarded) {
    Discard(env);  // notifies the reaper itself
  }
  // Only Shutdown waits for in-flight invocations. Notifying on every release woke the reaper
  // thread (which waits on the same condition variable) once per invocation, to find nothing to
  // do and contend for mu_ with the invocations.
  if (stopping_ && total_in_flight_ == 0) cv_.notify_all();
}

void EnvironmentPool::Discard(std::shared_ptr<Environment> env) {
  env->state = Environment::State::kDiscarded;
  env->Kill();
  all_.erase(env->id);
  graveyard_.push_back(std::move(env));
  cv_.notify_all();
}

void EnvironmentPool::Destroy(Environment& env) {
  // Order matters: no HTTP callback may reach the RuntimeApi once it is gone, and no sandbox
  // callback may reach the log.
  if (env.listener != 0) server_.RemoveListener(env.listener);
  std::unique_ptr<SandboxProcess> process = env.TakeProcess();
  process.reset();  // kills, waits for every process of the environment, removes its cgroups
  env.api.reset();
  env.SetLog(nullptr);
  if (env.code) {
    ReleaseCode(env.code);
    env.code.reset();
  }
}

void EnvironmentPool::RetireFunction(const domain::Scope& scope, const std::string& function_name) {
  std::lock_guard lock(mu_);
  for (auto it = idle_.begin(); it != idle_.end();) {
    if (it->first.scope == scope && it->first.function == function_name) {
      for (auto& env : it->second) Discard(env);
      it = idle_.erase(it);
    } else {
      ++it;
    }
  }
  // Busy (or starting) environments finish their invocation first.
  // Provisioned environments run a published version, which no update changes: they stay until
  // their config releases them.
  for (auto& [id, env] : all_) {
    if (env->key.scope == scope && env->key.function == function_name && !env->provisioned) {
      env->retire = true;
    }
  }
  for (auto it = latest_revision_.begin(); it != latest_revision_.end();) {
    const bool match = it->first.scope == scope && it->first.function == function_name;
    it = match ? latest_revision_.erase(it) : std::next(it);
  }
}

int EnvironmentPool::ReapIdle() {
  const int64_t now = clock_.NowMillis();
  const int64_t keep_alive = options_.idle_keep_alive.count();
  int reaped = 0;
  std::lock_guard lock(mu_);
  for (auto it = idle_.begin(); it != idle_.end();) {
    auto& envs = it->second;
    for (auto e = envs.begin(); e != envs.end();) {
      if (now - (*e)->idle_since_ms >= keep_alive || (*e)->exited()) {
        Discard(*e);
        e = envs.erase(e);
        ++reaped;
      } else {
        ++e;
      }
    }
    it = envs.empty() ? idle_.erase(it) : std::next(it);
  }
  ReapPrestarted(now);
  // Provisioned environments are never reaped for idleness, only when they died.
  for (auto it = provisioned_idle_.begin(); it != provisioned_idle_.end();) {
    auto& envs = it->second;
    for (auto e = envs.begin(); e != envs.end();) {
      if ((*e)->exited()) {
        std::shared_ptr<Environment> env = *e;
        e = envs.erase(e);
        DropProvisionedLocked(env);
      } else {
        ++e;
      }
    }
    it = envs.empty() ? provisioned_idle_.erase(it) : std::next(it);
  }
  return reaped;
}

void EnvironmentPool::ReaperLoop() {
  std::unique_lock lock(mu_);
  auto next_reap = SteadyClock::now() + options_.reap_interval;
  for (;;) {
    cv_.wait_until(lock, next_reap,
                   [&] { return stopping_ || !graveyard_.empty() || WantsPrestart(); });
    if (!graveyard_.empty()) {
      std::vector<std::shared_ptr<Environment>> dead;
      dead.swap(graveyard_);
      destroying_ += static_cast<int>(dead.size());
      lock.unlock();
      for (auto& env : dead) Destroy(*env);
      lock.lock();
      destroying_ -= static_cast<int>(dead.size());
      cv_.notify_all();
      continue;
    }
    if (stopping_) return;
    if (RefillPrestarted(lock)) continue;
    if (SteadyClock::now() >= next_reap) {
      lock.unlock();
      ReapIdle();
      lock.lock();
      next_reap = SteadyClock::now() + options_.reap_interval;
    }
  }
}

// ---- Provisioned concurrency --------------------------------------------------------------

void EnvironmentPool::Provision(const ProvisionRequest& request) {
  const ProvisionKey key{request.scope, request.function_name, request.qualifier};
  std::vector<Report> reports;
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    auto it = provisioned_.find(key);
    if (it == provisioned_.end()) {
      if (request.count <= 0 || !request.version) return;
      it = provisioned_.emplace(key, ProvisionedSet{}).first;
    }
    ProvisionedSet& set = it->second;
    const bool moved = set.request.version && request.version &&
                       set.request.version->version != request.version->version;
    set.request = request;
    set.failed = false;  // a new request tries again
    if (!request.version) set.request.count = 0;
    // Release what is no longer wanted: every environment of an old version, the surplus of a
    // shrink (idle ones now, busy ones when their invocation ends).
    std::vector<std::shared_ptr<Environment>> drop;
    for (const auto& env : set.envs) {
      const bool surplus = static_cast<int>(set.envs.size() - drop.size()) > set.request.count;
      if ((moved || surplus) && env->state == Environment::State::kIdle) drop.push_back(env);
    }
    for (const auto& env : drop) {
      auto idle = provisioned_idle_.find(env->key);
      if (idle != provisioned_idle_.end()) {
        std::erase(idle->second, env);
        if (idle->second.empty()) provisioned_idle_.erase(idle);
      }
      std::erase(set.envs, env);
      Discard(env);
    }
    if (moved) {
      for (const auto& env : set.envs) env->provisioned_for.clear();  // busy: discarded at release
      set.envs.clear();
    }
    if (set.request.count <= 0) {
      for (const auto& env : set.envs) env->provisioned_for.clear();
      if (set.starting == 0)
        provisioned_.erase(it);
      else
        set.envs.clear();
    } else {
      reports.push_back(ReportLocked(key, set));
      provision_cv_.notify_all();
    }
  }
  SendReports(reports);
}

int EnvironmentPool::CountProvisioned() const {
  std::lock_guard lock(mu_);
  int count = 0;
  for (const auto& [key, set] : provisioned_) count += static_cast<int>(set.envs.size());
  return count;
}

EnvironmentPool::Report EnvironmentPool::ReportLocked(const ProvisionKey& key,
                                                      const ProvisionedSet& set) const {
  Report report;
  report.key = key;
  report.version = set.request.version ? set.request.version->version : std::string();
  report.allocated = std::min(static_cast<int>(set.envs.size()), set.request.count);
  report.failed = set.failed;
  return report;
}

void EnvironmentPool::SendReports(const std::vector<Report>& reports) const {
  if (!progress_) return;
  for (const Report& r : reports) {
    progress_(r.key.scope, r.key.function, r.key.qualifier, r.version, r.allocated, r.failed);
  }
}

bool EnvironmentPool::WantsProvisioning() const {
  if (stopping_) return false;
  for (const auto& [key, set] : provisioned_) {
    if (!set.failed && static_cast<int>(set.envs.size()) + set.starting < set.request.count) {
      return true;
    }
  }
  return false;
}

// An environment that left its config (it died): out of the set, discarded; the provisioner
// starts a replacement.
void EnvironmentPool::DropProvisionedLocked(const std::shared_ptr<Environment>& env) {
  auto it =
      provisioned_.find(ProvisionKey{env->key.scope, env->key.function, env->provisioned_for});
  if (it != provisioned_.end()) std::erase(it->second.envs, env);
  if (env->state != Environment::State::kDiscarded) Discard(env);
  provision_cv_.notify_all();
}

void EnvironmentPool::ReleaseProvisionedLocked(const std::shared_ptr<Environment>& env, bool keep,
                                               std::vector<Report>* reports) {
  auto it =
      provisioned_.find(ProvisionKey{env->key.scope, env->key.function, env->provisioned_for});
  const bool member =
      !env->provisioned_for.empty() && it != provisioned_.end() &&
      std::find(it->second.envs.begin(), it->second.envs.end(), env) != it->second.envs.end();
  const bool surplus =
      member && static_cast<int>(it->second.envs.size()) > it->second.request.count;
  if (member && keep && !surplus && !stopping_ && env->state != Environment::State::kDiscarded) {
    env->state = Environment::State::kIdle;
    env->idle_since_ms = clock_.NowMillis();
    provisioned_idle_[env->key].push_back(env);
    return;
  }
  if (member) {
    std::erase(it->second.envs, env);
    reports->push_back(ReportLocked(it->first, it->second));
    provision_cv_.notify_all();  // a crashed environment is replaced
  }
  if (env->state != Environment::State::kDiscarded) Discard(env);
}

void EnvironmentPool::ProvisionerLoop() {
  std::unique_lock lock(mu_);
  for (;;) {
    provision_cv_.wait(lock, [&] { return stopping_ || WantsProvisioning(); });
    if (stopping_) return;
    // One environment at a time, of the first config that misses one.
    ProvisionKey key;
    ProvisionRequest request;
    for (auto& [k, set] : provisioned_) {
      if (!set.failed && static_cast<int>(set.envs.size()) + set.starting < set.request.count) {
        key = k;
        request = set.request;
        ++set.starting;
        break;
      }
    }
    InvokeRequest invoke;
    invoke.scope = request.scope;
    invoke.function_name = request.function_name;
    invoke.version = request.version;
    invoke.code_path = request.code_path;
    invoke.layer_paths = request.layer_paths;
    auto env = std::make_shared<Environment>(
        RandomHex(16), EnvKey{request.scope, request.function_name, request.version->version,
                              request.version->revision_id});
    env->provisioned = true;
    env->provisioned_for = request.qualifier;
    all_[env->id] = env;
    lock.unlock();

    Event event = Event::kExit;
    const RuntimeCommand* command = registry_.Find(request.version->config.runtime);
    if (command == nullptr) {
      LogWarn("executor: the runtime of " + request.function_name + " is not available");
    } else if (Status started = StartEnvironment(*env, invoke, *command); !started.ok()) {
      LogWarn("executor: cannot start a provisioned environment of " + request.function_name +
              ": " + started.error().message);
    } else {
      // AWS's 10 s init limit does not apply to provisioned environments: they get 130 s or the
      // function's timeout, whichever is longer (Lambda developer guide, execution environment
      // lifecycle, Init phase).
      const auto limit = std::max<std::chrono::milliseconds>(
          std::chrono::seconds(130), std::chrono::seconds(request.version->config.timeout));
      event = env->WaitForInit(env->init_started + limit);
    }
    if (event != Event::kReady) {
      // What the failed init wrote belongs in the environment's log.
      if (SandboxProcess* process = env->process()) process->FlushOutput();
    }

    std::vector<Report> reports;
    lock.lock();
    auto it = provisioned_.find(key);
    const bool wanted = it != provisioned_.end() && !stopping_ && it->second.request.version &&
                        it->second.request.version->version == request.version->version &&
                        static_cast<int>(it->second.envs.size()) < it->second.request.count;
    if (it != provisioned_.end()) --it->second.starting;
    if (event == Event::kReady && wanted) {
      env->state = Environment::State::kIdle;
      env->idle_since_ms = clock_.NowMillis();
      it->second.envs.push_back(env);
      provisioned_idle_[env->key].push_back(env);
      reports.push_back(ReportLocked(key, it->second));
    } else {
      if (wanted && event != Event::kAborted) {
        it->second.failed = true;  // PC5: the function's init fails
        reports.push_back(ReportLocked(key, it->second));
      }
      env->provisioned_for.clear();
      Discard(env);
    }
    if (it != provisioned_.end() && it->second.request.count <= 0 && it->second.starting == 0 &&
        it->second.envs.empty()) {
      provisioned_.erase(it);
    }
    lock.unlock();
    SendReports(reports);
    lock.lock();
  }
}

void EnvironmentPool::WaitForCleanup() {
  std::unique_lock lock(mu_);
  cv_.wait(lock, [&] { return graveyard_.empty() && destroying_ == 0; });
}

int EnvironmentPool::CountPrestarted() const {
  std::lock_guard lock(mu_);
  int count = 0;
  for (const auto& [argv, slot] : prestarted_) count += static_cast<int>(slot.ready.size());
  return count;
}

std::vector<EnvironmentInfo> EnvironmentPool::ListEnvironments() const {
  std::lock_guard lock(mu_);
  std::vector<EnvironmentInfo> out;
  for (const auto& [id, env] : all_) {
    EnvironmentInfo info;
    info.id = id;
    info.scope = env->key.scope;
    info.function_name = env->key.function;
    info.version = env->key.version;
    switch (env->state) {
      case Environment::State::kStarting:
        info.state = "starting";
        break;
      case Environment::State::kIdle:
        info.state = "idle";
        break;
      case Environment::State::kBusy:
        info.state = "busy";
        break;
      case Environment::State::kDiscarded:
        info.state = "discarded";
        break;
    }
    info.pid = env->pid();
    if (env->state != Environment::State::kStarting) {
      info.port = env->port;
      info.log_stream = env->log_stream;
    }
    info.invocations = env->invocations;
    out.push_back(std::move(info));
  }
  return out;
}

Result<std::shared_ptr<EnvironmentPool::CodeEntry>> EnvironmentPool::AcquireCode(
    const InvokeRequest& request) {
  if (request.code_path.empty()) {
    return Error::Make(ErrorCode::kInternal, "invoke request without a deployment package");
  }
  const std::string& blob = request.version->code.blob_id;
  std::string key = IsLowerHex(blob) ? blob : HexEncode(Sha256(request.code_path));
  // The same package with other layers is another entry: /opt differs.
  if (!request.layer_paths.empty()) {
    std::string layers;
    for (const std::string& path : request.layer_paths) layers.append(path).push_back('\n');
    key += "-" + HexEncode(Sha256(layers)).substr(0, 16);
  }
  std::shared_ptr<CodeEntry> entry;
  {
    std::lock_guard lock(mu_);
    std::shared_ptr<CodeEntry>& slot = code_[key];
    if (!slot) {
      slot = std::make_shared<CodeEntry>();
      slot->key = key;
      // A fresh name per entry: a released entry may still be being deleted.
      slot->dir = code_root_ + "/" + key.substr(0, 16) + "-" + RandomHex(4);
      if (!request.layer_paths.empty()) slot->opt_dir = slot->dir + ".opt";
    }
    ++slot->refs;
    entry = slot;
  }
  std::lock_guard extract_lock(entry->mu);
  if (entry->ready) return entry;
  const std::string staging = entry->dir + ".tmp";
  std::error_code ec;
  fs::remove_all(staging, ec);
  fs::create_directories(staging, ec);
  Status extracted = ec ? Status(Error::Make(ErrorCode::kUnavailable,
                                             "cannot create " + staging + ": " + ec.message()))
                        : service::ExtractZip(request.code_path, staging);
  // Layers: each into the same /opt tree, in order, so a later layer's file replaces an earlier
  // one's (AWS). Done once per entry: warm and later cold starts reuse it.
  const std::string opt_staging = entry->opt_dir.empty() ? std::string() : entry->opt_dir + ".tmp";
  if (extracted.ok() && !opt_staging.empty()) {
    fs::remove_all(opt_staging, ec);
    fs::create_directories(opt_staging, ec);
    if (ec) {
      extracted = Error::Make(ErrorCode::kUnavailable,
                              "cannot create " + opt_staging + ": " + ec.message());
    }
    for (const std::string& layer : request.layer_paths) {
      if (!extracted.ok()) break;
      extracted = service::ExtractZip(layer, opt_staging);
    }
    if (extracted.ok()) {
      MakeWorldReadable(opt_staging);
      fs::rename(opt_staging, entry->opt_dir, ec);
      if (ec) {
        extracted = Error::Make(ErrorCode::kUnavailable,
                                "cannot move the extracted layers into place: " + ec.message());
      }
    }
  }
  if (extracted.ok()) {
    MakeWorldReadable(staging);
    fs::rename(staging, entry->dir, ec);
    if (ec) {
      extracted = Error::Make(ErrorCode::kUnavailable,
                              "cannot move the extracted package into place: " + ec.message());
    }
  }
  if (!extracted.ok()) {
    fs::remove_all(staging, ec);
    if (!opt_staging.empty()) fs::remove_all(opt_staging, ec);
    ReleaseCode(entry);
    Error error = std::move(extracted).error();
    if (error.code != ErrorCode::kUnavailable) {
      error = Error::Make(ErrorCode::kUnavailable,
                          "cannot extract the deployment package: " + error.message);
    }
    return error;
  }
  entry->ready = true;
  return entry;
}

void EnvironmentPool::ReleaseCode(const std::shared_ptr<CodeEntry>& entry) {
  {
    std::lock_guard lock(mu_);
    if (--entry->refs > 0) return;
    auto it = code_.find(entry->key);
    if (it != code_.end() && it->second == entry) code_.erase(it);
  }
  std::error_code ec;
  fs::remove_all(entry->dir, ec);
  if (!entry->opt_dir.empty()) fs::remove_all(entry->opt_dir, ec);
}

std::map<std::string, std::string> EnvironmentPool::BaseVariables() const {
  std::map<std::string, std::string> vars;
  vars["PATH"] = "/var/lang/bin:/usr/local/bin:/usr/bin/:/bin:/opt/bin";
  vars["LD_LIBRARY_PATH"] =
      "/var/lang/lib:/lib64:/usr/lib64:/var/runtime:/var/runtime/lib:/var/task:/var/task/lib:"
      "/opt/lib";
  vars["LANG"] = "en_US.UTF-8";
  vars["TZ"] = ":UTC";
  vars["AWS_XRAY_CONTEXT_MISSING"] = "LOG_ERROR";
  vars["AWS_XRAY_DAEMON_ADDRESS"] = "169.254.100.1:2000";
  vars["_AWS_XRAY_DAEMON_ADDRESS"] = "169.254.100.1";
  vars["_AWS_XRAY_DAEMON_PORT"] = "2000";
  vars["LAMBDA_TASK_ROOT"] = std::string(kTaskRoot);
  vars["LAMBDA_RUNTIME_DIR"] = std::string(kRuntimeRoot);
  return vars;
}

std::vector<std::pair<std::string, std::string>> EnvironmentPool::BuildVariables(
    const Environment& env, const InvokeRequest& request, const RuntimeCommand& command) const {
  const domain::FunctionConfig& config = request.version->config;
  // Unreserved variables (PATH, LANG, TZ, LD_LIBRARY_PATH...) may be overridden by the function's
  // configuration, reserved ones may not; AWS's values otherwise.
  std::map<std::string, std::string> vars = BaseVariables();
  // Node.js finds layer modules through NODE_PATH (AWS: "Layer paths for each Lambda runtime",
  // nodejs/node<major>/node_modules and nodejs/node_modules under /opt); Python's layer paths are
  // put on sys.path by the runtime client (runtimes/python/bootstrap.py).
  if (config.runtime.starts_with("nodejs")) {
    const std::string major = config.runtime.substr(6, config.runtime.find('.') - 6);
    vars["NODE_PATH"] = "/opt/nodejs/node" + major +
                        "/node_modules:/opt/nodejs/node_modules:/var/runtime/node_modules:"
                        "/var/runtime:/var/task";
  }
  if (config.environment) {
    for (const auto& [name, value] : *config.environment) {
      if (!IsReservedVariable(name)) vars[name] = value;
    }
  }
  vars["AWS_LAMBDA_FUNCTION_NAME"] = request.function_name;
  vars["AWS_LAMBDA_FUNCTION_MEMORY_SIZE"] = std::to_string(config.memory_size);
  vars["AWS_LAMBDA_FUNCTION_VERSION"] = request.version->version;
  vars["AWS_LAMBDA_LOG_GROUP_NAME"] = config.logging.log_group.empty()
                                          ? "/aws/lambda/" + request.function_name
                                          : config.logging.log_group;
  vars["AWS_LAMBDA_LOG_STREAM_NAME"] = env.log_stream;
  vars["AWS_LAMBDA_RUNTIME_API"] = RuntimeApiAddress(env);
  vars["AWS_LAMBDA_INITIALIZATION_TYPE"] =
      env.provisioned ? "provisioned-concurrency" : "on-demand";
  vars["AWS_REGION"] = request.scope.region;
  vars["AWS_DEFAULT_REGION"] = request.scope.region;
  if (command.managed) vars["AWS_EXECUTION_ENV"] = "AWS_Lambda_" + config.runtime;
  // Advanced logging controls: the runtime client formats and filters its records from these.
  if (config.logging.log_format == "JSON") {
    vars["AWS_LAMBDA_LOG_FORMAT"] = "JSON";
    vars["AWS_LAMBDA_LOG_LEVEL"] = config.logging.application_log_level.value_or("INFO");
  }
  vars["_HANDLER"] = config.handler;
  vars["LAMBDA_TASK_ROOT"] = std::string(kTaskRoot);
  vars["LAMBDA_RUNTIME_DIR"] = std::string(kRuntimeRoot);
  // With --auth-keys, session credentials of the function's own, valid for its account only.
  // Otherwise the credentials are fake, but lambdalite takes a 12-digit access key id as the
  // account: SDK calls the function makes back to lambdalite land in its own account.
  std::optional<EnvironmentCredentials> key;
  if (options_.function_credentials) {
    key = options_.function_credentials(request.scope, request.function_name);
  }
  if (key) {
    vars["AWS_ACCESS_KEY_ID"] = key->access_key_id;
    vars["AWS_SECRET_ACCESS_KEY"] = key->secret_access_key;
    if (key->session_token.empty()) {
      vars.erase("AWS_SESSION_TOKEN");
    } else {
      vars["AWS_SESSION_TOKEN"] = key->session_token;
    }
  } else {
    vars["AWS_ACCESS_KEY_ID"] = request.scope.account;
    vars["AWS_SECRET_ACCESS_KEY"] = "lambdalite-fake-secret-access-key";
    vars["AWS_SESSION_TOKEN"] = "lambdalite-fake-session-token";
  }
  return {vars.begin(), vars.end()};
}

void EnvironmentPool::OpenLog(Environment& env, const InvokeRequest& request) {
  const domain::FunctionConfig& config = request.version->config;
  const std::string& log_group = config.logging.log_group;
  const bool custom_group =
      !log_group.empty() && log_group != "/aws/lambda/" + request.function_name;
  env.log_stream = LogStreamName(clock_.NowMillis(), request.version->version, env.id,
                                 custom_group ? request.function_name : std::string());
  PlatformLogFormat format;
  format.json = config.logging.log_format == "JSON";
  format.info_records = config.logging.system_log_level.value_or("INFO") != "WARN";
  env.SetLog(std::make_unique<EnvironmentLog>(
      log_sink_,
      LogFilePath(options_.data_dir, request.scope.account, request.scope.region,
                  request.function_name, env.log_stream),
      clock_, format, domain::FunctionArn(request.scope, request.function_name)));
  if (config.package_type != "Zip") return;  // images have no runtime version
  InitStartReport init;
  init.runtime_version = domain::RuntimeVersionName(config.runtime);
  init.runtime_version_arn = domain::RuntimeVersionArn(request.scope, config.runtime);
  init.function_name = request.function_name;
  init.function_version = request.version->version;
  init.instance_id = env.log_stream;
  init.instance_max_memory = int64_t{config.memory_size} * 1024 * 1024;
  env.log->InitStart(init);
}

Status EnvironmentPool::StartEnvironment(Environment& env, const InvokeRequest& request,
                                         const RuntimeCommand& command) {
  const domain::FunctionConfig& config = request.version->config;
  LAMBDALITE_TRY(env.code, AcquireCode(request));
  env.api = std::make_unique<RuntimeApi>(env);
  LAMBDALITE_RETURN_IF_ERROR(ListenOnHost(env));
  OpenLog(env, request);

  SandboxSpec spec;
  spec.id = env.id;
  spec.code_dir = env.code->dir;
  spec.opt_dir = env.code->opt_dir;
  spec.runtime_dir = options_.runtimes_dir;
  spec.argv = command.argv;
  spec.env = BuildVariables(env, request, command);
  spec.memory_mb = config.memory_size;
  spec.ephemeral_storage_mb = config.ephemeral_storage_mb;
  // AWS_LAMBDA_EXEC_WRAPPER: managed runtimes start through the named script, which receives the
  // runtime's command line.
  if (command.managed && config.environment) {
    auto it = config.environment->find("AWS_LAMBDA_EXEC_WRAPPER");
    if (it != config.environment->end() && !it->second.empty()) {
      spec.argv.insert(spec.argv.begin(), it->second);
      env.exec_wrapper = true;
    }
  }
  env.entrypoint = spec.argv[0];
  env.init_started = SteadyClock::now();
  LAMBDALITE_TRY(auto process, sandbox_.Start(spec, env));
  const int api_socket = process->TakeRuntimeApiSocket();
  env.SetProcess(std::move(process));
  return ServeOwnNetwork(env, api_socket);
}

Status EnvironmentPool::ListenOnHost(Environment& env) {
  if (sandbox_.network() != SandboxNetwork::kHost) {
    // The environment makes its Runtime API socket in its own network namespace (at AWS's
    // address); ServeOwnNetwork serves it once the sandbox has started.
    env.port = kPrivateRuntimeApiPort;
    return Status::Ok();
  }
  // Every environment's Runtime API listens on the host's shared loopback, so any local process
  // can connect to it; one function reaching another environment's endpoint could take its events
  // or post its results. Only the environment's own processes are served: the sandbox reports
  // their uid (OnRunAs) before the runtime exists, and nobody is admitted before that. Where the
  // sandbox cannot switch users (the server is not root), every environment runs as the server's
  // uid and is admitted everywhere: nothing breaks, but environments are then not isolated from
  // each other (the sandbox logs so at startup).
  // On a kernel that cannot answer (warned about at start) there is no filter at all.
  http::PeerUidFilter own_processes_only;
  Environment* raw = &env;
  if (peer_checks_) own_processes_only = [raw](uid_t peer_uid) { return raw->IsOwnUid(peer_uid); };
  LAMBDALITE_TRY(env.port, server_.AddListener(options_.runtime_api_host, 0, *env.api,
                                               std::move(own_processes_only)));
  env.listener = env.port;
  return Status::Ok();
}

Status EnvironmentPool::ServeOwnNetwork(Environment& env, int api_socket) {
  if (sandbox_.network() == SandboxNetwork::kHost) return Status::Ok();
  // No socket: the environment failed before making it, and its exit report says why.
  if (api_socket < 0) return Status::Ok();
  LAMBDALITE_TRY(env.listener, server_.AdoptListener(api_socket, *env.api));
  return Status::Ok();
}

std::string EnvironmentPool::RuntimeApiAddress(const Environment& env) const {
  if (sandbox_.network() != SandboxNetwork::kHost) {
    return std::string(kPrivateRuntimeApiHost) + ":" + std::to_string(kPrivateRuntimeApiPort);
  }
  return options_.runtime_api_host + ":" + std::to_string(env.port);
}

bool EnvironmentPool::CanUsePrestarted(const InvokeRequest& request,
                                       const RuntimeCommand& command) const {
  const domain::FunctionConfig& config = request.version->config;
  // A pre-started runtime is activated with its code only: layers need /opt from the start.
  if (!request.layer_paths.empty()) return false;
  if (options_.prestarted_per_runtime <= 0 || !command.prestart || !sandbox_.CanDefer() ||
      config.ephemeral_storage_mb != kPrestartEphemeralStorageMb) {
    return false;
  }
  if (config.environment) {
    for (const auto& [name, value] : *config.environment) {
      if (ChangesInterpreterStartup(name)) return false;
    }
  }
  return true;
}

std::shared_ptr<EnvironmentPool::Environment> EnvironmentPool::TakePrestarted(
    const std::vector<std::string>& argv) {
  PrestartSlot& slot = prestarted_[argv];
  slot.last_wanted_ms = clock_.NowMillis();
  std::shared_ptr<Environment> env;
  while (!slot.ready.empty() && !env) {
    env = std::move(slot.ready.back());
    slot.ready.pop_back();
    if (env->exited()) {
      // It never had a function, so this is the runtime's (or the host's) fault, not a
      // function's: stop pre-starting this runtime rather than retry forever.
      LogWarn("executor: a pre-started " + argv.front() +
              " runtime ended before it was used; this runtime now starts on demand only");
      slot.broken = true;
      Discard(std::move(env));
      env.reset();
    }
  }
  cv_.notify_all();  // the background thread starts a replacement
  return env;
}

Result<std::shared_ptr<EnvironmentPool::Environment>> EnvironmentPool::StartPrestarted(
    const std::vector<std::string>& argv) {
  auto env = std::make_shared<Environment>(RandomHex(16), EnvKey{});
  env->api = std::make_unique<RuntimeApi>(*env);
  LAMBDALITE_RETURN_IF_ERROR(ListenOnHost(*env));
  std::map<std::string, std::string> vars = BaseVariables();
  vars["_LAMBDALITE_PRESTARTED"] = "1";
  SandboxSpec spec;
  spec.id = env->id;
  spec.runtime_dir = options_.runtimes_dir;
  spec.argv = argv;
  spec.env.assign(vars.begin(), vars.end());
  spec.memory_mb = kPrestartMemoryMb;
  spec.ephemeral_storage_mb = kPrestartEphemeralStorageMb;
  spec.deferred = true;
  env->entrypoint = argv.front();
  auto process = sandbox_.Start(spec, *env);
  if (!process.ok()) {
    if (env->listener != 0) server_.RemoveListener(env->listener);
    env->api.reset();
    return std::move(process).error();
  }
  const int api_socket = (*process)->TakeRuntimeApiSocket();
  env->SetProcess(std::move(process).value());
  if (Status served = ServeOwnNetwork(*env, api_socket); !served.ok()) {
    Destroy(*env);
    return served.error();
  }
  return env;
}

bool EnvironmentPool::RefillPrestarted(std::unique_lock<std::mutex>& lock) {
  for (auto& [argv, slot] : prestarted_) {
    const int have = static_cast<int>(slot.ready.size()) + slot.starting;
    if (slot.broken || have >= options_.prestarted_per_runtime) continue;
    const std::vector<std::string> command = argv;  // the map may change while unlocked
    ++slot.starting;
    lock.unlock();
    auto started = StartPrestarted(command);
    lock.lock();
    auto now = prestarted_.find(command);  // gone when the pool shut down meanwhile
    if (now != prestarted_.end()) --now->second.starting;
    if (!started.ok()) {
      LogWarn("executor: cannot pre-start a " + command.front() + " runtime (" +
              started.error().message + "); this runtime now starts on demand only");
      if (now != prestarted_.end()) now->second.broken = true;
    } else if (stopping_ || now == prestarted_.end()) {
      Discard(std::move(started).value());
    } else {
      now->second.ready.push_back(std::move(started).value());
    }
    return true;
  }
  return false;
}

bool EnvironmentPool::WantsPrestart() const {
  if (stopping_) return false;
  for (const auto& [argv, slot] : prestarted_) {
    if (!slot.broken &&
        static_cast<int>(slot.ready.size()) + slot.starting < options_.prestarted_per_runtime) {
      return true;
    }
  }
  return false;
}

void EnvironmentPool::ReapPrestarted(int64_t now_ms) {
  const int64_t keep_alive = options_.idle_keep_alive.count();
  for (auto it = prestarted_.begin(); it != prestarted_.end();) {
    PrestartSlot& slot = it->second;
    if (now_ms - slot.last_wanted_ms >= keep_alive && slot.starting == 0) {
      for (auto& env : slot.ready) Discard(env);
      it = prestarted_.erase(it);
    } else {
      ++it;
    }
  }
}

Status EnvironmentPool::ActivateEnvironment(Environment& env, const InvokeRequest& request,
                                            const RuntimeCommand& command) {
  const domain::FunctionConfig& config = request.version->config;
  LAMBDALITE_TRY(env.code, AcquireCode(request));
  OpenLog(env, request);
  std::string input;
  for (const auto& [name, value] : BuildVariables(env, request, command)) {
    input.append(name).append(1, '=').append(value).append(1, '\0');
  }
  // The function's init phase starts now: the runtime itself was started ahead of need.
  env.init_started = SteadyClock::now();
  SandboxProcess* process = env.process();
  if (process == nullptr) {
    return Error::Make(ErrorCode::kUnavailable, "the pre-started runtime is gone");
  }
  return process->Activate(env.code->dir, config.memory_size, input);
}

Result<EnvironmentPool::RunResult> EnvironmentPool::Run(Environment& env,
                                                        const InvokeRequest& request, bool cold) {
  const domain::FunctionVersion& version = *request.version;
  const auto timeout = std::chrono::seconds(std::max(1, version.config.timeout));

  std::optional<double> init_ms;
  std::optional<SteadyClock::time_point> deadline;
  SteadyClock::time_point phase_start = SteadyClock::now();
  Event event = Event::kReady;
  if (cold) {
    const auto init_deadline = env.init_started + options_.init_timeout;
    event = env.WaitForInit(init_deadline);
    if (event == Event::kTimeout) {
      // AWS retries an init that overran its 10 s within the invoke phase, under the function's
      // timeout; waiting on has the same observable effect.
      deadline = init_deadline + timeout;
      event = env.WaitForInit(*deadline);
    }
    phase_start = event == Event::kTimeout ? SteadyClock::now() : env.event_time();
    init_ms = Millis(phase_start - env.init_started);
  }
  if (event == Event::kExit && env.exit_status().kind == SandboxExit::Kind::kSetupFailed) {
    // The host could not build the sandbox: not the function's fault, so not a function error.
    const std::string detail = env.exit_status().detail;
    LogError("executor: environment " + env.id + ": " + detail);
    return Error::Make(ErrorCode::kUnavailable, "cannot start an execution environment: " + detail);
  }

  env.log->Start(request.request_id, version.version);
  if (event == Event::kReady) {
    RuntimeInvocation invocation = MakeInvocation(request);
    env.ExpectOutcome(request.request_id);
    phase_start = SteadyClock::now();
    if (!deadline) deadline = phase_start + timeout;
    invocation.deadline_ms =
        clock_.NowMillis() +
        std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - phase_start).count();
    if (!env.api->Assign(std::move(invocation))) {
      return Error::Make(ErrorCode::kInternal, "execution environment " + env.id + " is busy");
    }
    event = env.WaitForOutcome(*deadline);
  }
  return Finish(env, request, event, phase_start, init_ms);
}

RuntimeInvocation EnvironmentPool::MakeInvocation(const InvokeRequest& request) const {
  RuntimeInvocation invocation;
  invocation.request_id = request.request_id;
  invocation.payload = request.payload;
  invocation.invoked_function_arn = request.invoked_function_arn;
  invocation.trace_id = NewTraceId(clock_.NowMillis(), request.lineage);
  invocation.stream_sink = request.stream_sink;
  if (!request.client_context.empty()) {
    std::string decoded;
    if (Base64Decode(request.client_context, &decoded)) invocation.client_context = decoded;
  }
  return invocation;
}

// ---- Asynchronous (warm) invocations --------------------------------------------------------

// One invocation started by TryInvokeAsync: what its completion needs.
struct EnvironmentPool::AsyncRun {
  InvokeRequest request;
  Lease lease;
  Done done;
  SteadyClock::time_point phase_start;
  std::atomic<TimerQueue::Id> timer{0};
};

bool EnvironmentPool::TryInvokeAsync(InvokeRequest& request, Done& done) {
  if (!request.version || request.version->config.package_type != "Zip") return false;
  const RuntimeCommand* command = registry_.Find(request.version->config.runtime);
  if (command == nullptr) return false;
  auto lease = Acquire(request, *command, /*allow_prestarted=*/false, /*warm_only=*/true);
  if (!lease.ok() || !lease->env) return false;
  auto run = std::make_shared<AsyncRun>();
  run->request = std::move(request);
  run->lease = std::move(lease).value();
  run->done = std::move(done);
  StartAsync(run);
  return true;
}

void EnvironmentPool::StartAsync(const std::shared_ptr<AsyncRun>& run) {
  Environment& env = *run->lease.env;
  const InvokeRequest& request = run->request;
  const std::string& request_id = request.request_id;
  env.log->Start(request_id, request.version->version);
  RuntimeInvocation invocation = MakeInvocation(request);
  const auto timeout = std::chrono::seconds(std::max(1, request.version->config.timeout));
  run->phase_start = SteadyClock::now();
  invocation.deadline_ms =
      clock_.NowMillis() + std::chrono::duration_cast<std::chrono::milliseconds>(timeout).count();
  // The wait is set up before the timer and the timer before the runtime sees the invocation:
  // whichever end comes first finds both in place.
  env.ExpectOutcomeAsync(
      request_id, [this, run](Event event) { CompleteAsync(run, event); }, timers_);
  run->timer = timers_.Schedule(run->phase_start + timeout, [run] {
    if (auto completion = run->lease.env->TakeCompletion(run->request.request_id)) {
      completion(Event::kTimeout);
    }
  });
  if (!env.api->Assign(std::move(invocation))) {
    if (env.TakeCompletion(request_id)) {
      timers_.Cancel(run->timer);
      Release(run->lease, /*keep=*/false);
      Done done = std::move(run->done);
      done(Error::Make(ErrorCode::kInternal, "execution environment " + env.id + " is busy"));
    }
  }
}

void EnvironmentPool::CompleteAsync(const std::shared_ptr<AsyncRun>& run, Event event) {
  timers_.Cancel(run->timer);  // a no-op when the timer is what ended it
  RunResult finished = Finish(*run->lease.env, run->request, event, run->phase_start, std::nullopt);
  Release(run->lease, finished.keep);
  Done done = std::move(run->done);
  done(std::move(finished.result));
}

EnvironmentPool::RunResult EnvironmentPool::Finish(Environment& env, const InvokeRequest& request,
                                                   Event event, SteadyClock::time_point phase_start,
                                                   std::optional<double> init_ms) {
  const domain::FunctionVersion& version = *request.version;
  const domain::FunctionConfig& config = version.config;
  const int timeout_s = std::max(1, config.timeout);
  const std::string& request_id = request.request_id;

  RunResult run;
  InvocationResult& result = run.result;
  result.executed_version = version.version;
  const auto end_time = event == Event::kTimeout ? SteadyClock::now() : env.event_time();
  const double duration_ms = std::max(0.0, Millis(end_time - phase_start));

  std::vector<std::string> platform_lines;
  InvocationReport report;
  run.keep = true;
  switch (event) {
    case Event::kOutcome: {
      RuntimeOutcome outcome = env.TakeOutcome();
      result.streamed = outcome.streamed;
      switch (outcome.kind) {
        case RuntimeOutcome::Kind::kResponse:
          result.payload = std::move(outcome.body);
          break;
        case RuntimeOutcome::Kind::kError:
          result.payload = std::move(outcome.body);
          result.function_error = kUnhandled;
          break;
        case RuntimeOutcome::Kind::kResponseTooLarge:
          // The runtime got its 413 and goes on polling: the environment stays usable.
          result.payload =
              MessageFirstError("Response payload size exceeded maximum allowed payload size (" +
                                    std::to_string(outcome.limit_bytes) + " bytes).",
                                "Function.ResponseSizeTooLarge");
          result.function_error = kUnhandled;
          break;
      }
      break;
    }
    case Event::kInitError: {
      auto [body, type] = env.init_error();
      result.payload = std::move(body);
      result.function_error = kUnhandled;
      report.status = "error";
      report.error_type = type.empty() ? "Runtime.Unknown" : type;
      run.keep = false;
      break;
    }
    case Event::kExit:
    case Event::kAborted: {
      SandboxExit exit;
      if (event == Event::kExit) {
        exit = env.exit_status();
      } else {
        exit.kind = SandboxExit::Kind::kKilled;  // shutdown
      }
      std::string type = "Runtime.ExitError";
      std::string reason;
      switch (exit.kind) {
        case SandboxExit::Kind::kExited:
          reason = exit.code == 0
                       ? "Runtime exited without providing a reason"
                       : "Runtime exited with error: exit status " + std::to_string(exit.code);
          break;
        case SandboxExit::Kind::kSignaled:
          reason = "Runtime exited with error: signal: " + GoSignalName(exit.signal);
          break;
        case SandboxExit::Kind::kKilled:
        case SandboxExit::Kind::kSetupFailed:
          reason = "Runtime exited with error: signal: killed";
          break;
        case SandboxExit::Kind::kExecFailed:
          if (env.exec_wrapper) {
            // AWS starts the wrapper through a shell: a missing one is "exit status 127".
            reason = "Runtime exited with error: exit status 127";
          } else {
            type = "Runtime.InvalidEntrypoint";
            reason = "fork/exec " + env.entrypoint + ": " + GoErrnoText(exit.error);
          }
          break;
      }
      if (exit.oom_killed) type = "Runtime.OutOfMemory";
      const std::string message = "RequestId: " + request_id + " Error: " + reason;
      result.payload = TypeFirstError(type, message);
      result.function_error = kUnhandled;
      platform_lines = {message, type};
      report.status = "error";
      report.error_type = type;
      run.keep = false;
      break;
    }
    case Event::kTimeout: {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.2f", static_cast<double>(timeout_s));
      result.payload = TypeFirstError(
          "Sandbox.Timedout",
          "RequestId: " + request_id + " Error: Task timed out after " + seconds + " seconds");
      result.function_error = kUnhandled;
      result.timed_out = true;
      platform_lines = {FormatIso8601Millis(clock_.NowMillis()) + " " + request_id +
                        " Task timed out after " + seconds + " seconds"};
      report.status = "timeout";
      run.keep = false;
      break;
    }
    case Event::kReady:
      break;  // not an end state
  }

  SandboxProcess* process = env.process();
  // Whatever the runtime wrote before answering belongs to this invocation.
  process->FlushOutput();
  if (!run.keep) env.Kill();
  for (const std::string& line : platform_lines) env.log->PlatformNotice(line);

  report.request_id = request_id;
  report.duration_ms = duration_ms;
  report.billed_duration_ms =
      std::max<int64_t>(1, static_cast<int64_t>(std::ceil(duration_ms + init_ms.value_or(0.0))));
  report.memory_size_mb = config.memory_size;
  const int64_t max_memory = process->MaxMemoryUsedBytes();
  report.max_memory_used_mb = (max_memory + 1024 * 1024 - 1) / (1024 * 1024);
  report.init_duration_ms = init_ms;
  std::string tail = env.log->End(report);
  if (request.tail_log) result.log_result = Base64Encode(tail);
  result.duration_ms = std::llround(duration_ms);
  return run;
}

}  // namespace lambdalite::executor
