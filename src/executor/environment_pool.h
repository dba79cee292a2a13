#pragma once

// EnvironmentPool: the Invoker that runs functions in warm, reused execution environments.
//
// An environment runs one function version (key: scope, function, version, revision id) and one
// invocation at a time. An invocation takes an idle environment of its key when there is one
// (warm start: no disk access, no process start); otherwise it starts a new one (cold start:
// extract the code, open a Runtime API listener, start the sandbox, wait for the runtime's first
// /next poll). So concurrent invocations scale out to one environment each, up to the function's
// reserved concurrency (when set) or the account limit (otherwise); beyond that Invoke fails with
// kTooManyRequests. Idle environments are killed after idle_keep_alive.
//
// Pre-started runtimes: for runtimes whose client supports it (RuntimeCommand::prestart) and a
// sandbox that can defer (Sandbox::CanDefer), the pool keeps `prestarted_per_runtime` runtime
// processes started ahead of need: sandbox built, interpreter loaded, no function yet. A cold
// start of such a runtime takes one and activates it (code at /var/task, memory limit, the
// function's environment), so its Init Duration is the function's own initialization only. The
// pool learns which runtimes are in use from cold starts, starts replacements on its background
// thread, and lets a runtime's pre-started processes go after idle_keep_alive without a cold
// start. A function whose configuration changes how the interpreter starts (variables such as
// PYTHONPATH, NODE_OPTIONS, LD_PRELOAD, LANG, LC_*, AWS_LAMBDA_EXEC_WRAPPER) or that needs another
// /tmp size than the default 512 MB starts the classic way. Pre-started processes are not
// environments: ListEnvironments does not show them.
//
// Failures of the function are results, not errors (FunctionError "Unhandled", AWS's payloads):
//   the handler's error          the runtime's posted error body, untouched
//   init error                   the runtime's posted init error body (requestId "")
//   timeout                      {"errorType":"Sandbox.Timedout","errorMessage":"RequestId: <id>
//                                Error: Task timed out after <N>.00 seconds"}
//   runtime exit                 {"errorType":"Runtime.ExitError","errorMessage":"RequestId: <id>
//                                Error: Runtime exited with error: exit status N"} (or "signal:
//                                killed", or "Runtime exited without providing a reason" for 0)
//   memory limit hit             the same message with errorType "Runtime.OutOfMemory"
//   bootstrap not executable     errorType "Runtime.InvalidEntrypoint", "... Error: fork/exec
//                                /var/task/bootstrap: no such file or directory"
//   response over 6 MB           {"errorMessage":"Response payload size exceeded maximum allowed
//                                payload size (6291556 bytes).","errorType":
//                                "Function.ResponseSizeTooLarge"}; the environment stays warm
// A timed-out, crashed or failed-to-initialize environment is discarded.
//
// Provisioned concurrency: Provision asks for N environments of a published version kept
// initialized for a config (function, qualifier). A background thread starts them (never the
// caller's thread) and reports progress through the ProvisionedProgress callback; they are never
// reaped for idleness, survive RetireFunction (versions are immutable) and run with
// AWS_LAMBDA_INITIALIZATION_TYPE=provisioned-concurrency. An invocation of that version (directly
// or through an alias) takes an idle provisioned environment first: it is warm, not limited by
// the function's or the account's on-demand concurrency, and its REPORT has no Init Duration.
// When all are busy it spills over to on-demand environments. A crashed provisioned environment
// is replaced; a failed init stops the config's allocation (reported as failed).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "common/clock.h"
#include "common/timer_queue.h"
#include "executor/invoker.h"
#include "executor/log_sink.h"
#include "executor/runtime_api.h"
#include "executor/runtime_registry.h"
#include "executor/sandbox.h"
#include "http/server.h"

namespace lambdalite::executor {

// The access key (id, secret) a function of `account` gets as AWS_ACCESS_KEY_ID /
// AWS_SECRET_ACCESS_KEY, or nullopt for the fake credentials of the unauthenticated mode.
using AccountCredentials =
    std::function<std::optional<std::pair<std::string, std::string>>(const std::string& account)>;

struct EnvironmentPoolOptions {
  // With --auth-keys: a key of the function's account, so the calls it makes back to lambdalite
  // are signed for its own account (and for no other).
  AccountCredentials account_credentials;
  // The server's data directory (made 0700, so sandboxes cannot read it). Function logs go to
  // <data_dir>/logs (see log_sink.h), extracted deployment packages to <data_dir>/executor/code.
  std::string data_dir;
  // Host directory with the runtime clients, mounted at /var/runtime.
  std::string runtimes_dir = DefaultRuntimesDir();
  // Idle environments are killed after this long without an invocation (policy: measured with
  // the injected Clock).
  std::chrono::milliseconds idle_keep_alive{300'000};
  // AWS's limit for the init phase. A runtime that takes longer gets the rest of the function's
  // timeout (AWS retries a timed-out init within the invoke phase, under the function timeout).
  std::chrono::milliseconds init_timeout{10'000};
  // How often the background thread looks for idle environments to reap.
  std::chrono::milliseconds reap_interval{1'000};
  // Address the Runtime API listeners bind to (the sandboxes share the host's network).
  std::string runtime_api_host = "127.0.0.1";
  // Runtime processes kept started ahead of need per runtime command in use (0: none).
  int prestarted_per_runtime = 1;
};

// A snapshot of one environment, for tests and operators.
struct EnvironmentInfo {
  std::string id;
  domain::Scope scope;
  std::string function_name;
  std::string version;
  std::string state;  // "starting", "idle", "busy"
  int pid = 0;        // host pid of the sandbox's init
  uint16_t port = 0;  // Runtime API port
  std::string log_stream;
  int invocations = 0;
};

// What Provision asks for: `count` environments of `version` for the config (scope,
// function_name, qualifier). count 0 releases them.
struct ProvisionRequest {
  domain::Scope scope;
  std::string function_name;
  std::string qualifier;  // the config's version number or alias name
  std::shared_ptr<const domain::FunctionVersion> version;
  std::string code_path;                 // CodeStore::LocalPath of the version's package
  std::vector<std::string> layer_paths;  // its layers' packages, in order (InvokeRequest)
  int count = 0;
};

// Progress of a config: `allocated` environments of `version` are initialized; `failed`: an
// init failed and no more are started until the next Provision.
using ProvisionedProgress = std::function<void(
    const domain::Scope& scope, const std::string& function_name, const std::string& qualifier,
    const std::string& version, int allocated, bool failed)>;

class EnvironmentPool final : public Invoker {
 public:
  // `server` must be started and, like `sandbox` and `clock`, outlive the pool. The pool adds one
  // listener per environment to `server` and removes it when the environment goes.
  EnvironmentPool(http::Server& server, Sandbox& sandbox, RuntimeRegistry registry,
                  const Clock& clock, EnvironmentPoolOptions options);
  // Kills every environment. Invocations still running end with a Runtime.ExitError result;
  // waits for them to return.
  ~EnvironmentPool() override;  // Shutdown()

  // Stops every environment: in-flight invocations end (as aborted), later Invoke calls are
  // refused, and the processes and their Runtime API listeners are gone when it returns. The
  // server the listeners belong to must still be running. Idempotent.
  void Shutdown();
  EnvironmentPool(const EnvironmentPool&) = delete;
  EnvironmentPool& operator=(const EnvironmentPool&) = delete;

  // Invoker. Errors: kTooManyRequests ("Rate Exceeded.", detail
  // ReservedFunctionConcurrentInvocationLimitExceeded or ConcurrentInvocationLimitExceeded);
  // kUnavailable when the runtime is not available on this host or an environment cannot be
  // started (no uid, fork failure, sandbox setup failure); kInternal for a malformed request.
  Result<InvocationResult> Invoke(const InvokeRequest& request) override;
  // Invoker. Takes only idle warm environments: the runtime's answer completes the invocation
  // (and calls `done`) on the Runtime API's I/O thread; a timeout, crash or shutdown completes
  // it on the pool's timer thread. Declines cold starts and throttled invocations, which take
  // Invoke's path (and its errors).
  bool TryInvokeAsync(InvokeRequest& request, Done& done) override;
  // Idle environments of the function go now, busy ones when their invocation ends.
  void RetireFunction(const domain::Scope& scope, const std::string& function_name) override;

  // Provisioned concurrency. Never blocks; replaces the config's previous request. A changed
  // version (an alias moved) releases the old environments and starts new ones.
  void Provision(const ProvisionRequest& request);
  // Set once, before the first Provision. Called without the pool's lock held.
  void SetProvisionedProgress(ProvisionedProgress progress) { progress_ = std::move(progress); }
  // Initialized provisioned environments (idle or busy), over all configs.
  int CountProvisioned() const;

  // Kills the environments idle for longer than idle_keep_alive; returns how many. The background
  // thread calls it every reap_interval; exposed for tests driving a FakeClock.
  int ReapIdle();

  std::vector<EnvironmentInfo> ListEnvironments() const;
  // Pre-started runtime processes ready to be activated, over all runtimes.
  int CountPrestarted() const;

  // Blocks until environments handed over for destruction are gone. For tests.
  void WaitForCleanup();

  class Environment;

 private:
  struct EnvKey {
    domain::Scope scope;
    std::string function;
    std::string version;
    std::string revision;
    friend auto operator<=>(const EnvKey&, const EnvKey&) = default;
  };
  struct FunctionKey {
    domain::Scope scope;
    std::string function;
    friend auto operator<=>(const FunctionKey&, const FunctionKey&) = default;
  };
  struct CodeEntry;
  struct Lease {
    std::shared_ptr<Environment> env;
    bool cold = false;
    bool prestarted = false;   // cold, on a pre-started runtime process
    bool reserved = false;     // counted against the function's reservation, not the account pool
    bool provisioned = false;  // a provisioned environment: counted against neither
  };
  struct ProvisionKey {
    domain::Scope scope;
    std::string function;
    std::string qualifier;
    friend auto operator<=>(const ProvisionKey&, const ProvisionKey&) = default;
  };
  // The environments of one provisioned config.
  struct ProvisionedSet {
    ProvisionRequest request;
    std::vector<std::shared_ptr<Environment>> envs;  // initialized: idle or busy
    int starting = 0;
    bool failed = false;
  };
  struct Report {
    ProvisionKey key;
    std::string version;
    int allocated = 0;
    bool failed = false;
  };
  // The pre-started processes of one runtime command (its argv).
  struct PrestartSlot {
    std::vector<std::shared_ptr<Environment>> ready;
    int starting = 0;
    int64_t last_wanted_ms = 0;  // the last cold start of this runtime
    bool broken = false;         // a pre-start failed: this runtime starts the classic way
  };
  struct RunResult {
    InvocationResult result;
    bool keep = false;  // the environment may serve the next invocation
  };
  struct AsyncRun;
  // How an environment's wait ended (kReady: its init phase did).
  enum class Event { kReady, kOutcome, kInitError, kExit, kAborted, kTimeout };

  Result<InvocationResult> InvokeOnce(const InvokeRequest& request, const RuntimeCommand& command,
                                      bool allow_prestarted, bool* retry);
  // With warm_only, a lease without an environment (and nothing counted) when no idle one is
  // free.
  Result<Lease> Acquire(const InvokeRequest& request, const RuntimeCommand& command,
                        bool allow_prestarted, bool warm_only = false);
  void Release(const Lease& lease, bool keep);
  Status StartEnvironment(Environment& env, const InvokeRequest& request,
                          const RuntimeCommand& command);
  Status ActivateEnvironment(Environment& env, const InvokeRequest& request,
                             const RuntimeCommand& command);
  // Names the environment's log stream and opens its log, which records the init's start.
  void OpenLog(Environment& env, const InvokeRequest& request);
  bool CanUsePrestarted(const InvokeRequest& request, const RuntimeCommand& command) const;
  std::shared_ptr<Environment> TakePrestarted(const std::vector<std::string>& argv);  // lock held
  Result<std::shared_ptr<Environment>> StartPrestarted(const std::vector<std::string>& argv);
  // The environment's Runtime API: on the host network a listener on the host's loopback,
  // opened before the sandbox starts (ListenOnHost); in a network namespace of its own the
  // socket the sandbox made there, served once it has started (ServeOwnNetwork).
  Status ListenOnHost(Environment& env);
  Status ServeOwnNetwork(Environment& env, int api_socket);
  std::string RuntimeApiAddress(const Environment& env) const;
  // Starts one missing pre-started runtime, unlocking meanwhile; false when none is missing.
  bool RefillPrestarted(std::unique_lock<std::mutex>& lock);
  bool WantsPrestart() const;           // lock held
  void ReapPrestarted(int64_t now_ms);  // lock held
  Result<RunResult> Run(Environment& env, const InvokeRequest& request, bool cold);
  // The event the runtime receives from /next, but for its deadline.
  RuntimeInvocation MakeInvocation(const InvokeRequest& request) const;
  // The end of an invocation whose invoke phase started at phase_start: its result, the
  // platform's log lines and the REPORT. `event` is the end state (not kReady).
  RunResult Finish(Environment& env, const InvokeRequest& request, Event event,
                   std::chrono::steady_clock::time_point phase_start,
                   std::optional<double> init_ms);
  void StartAsync(const std::shared_ptr<AsyncRun>& run);
  void CompleteAsync(const std::shared_ptr<AsyncRun>& run, Event event);
  std::map<std::string, std::string> BaseVariables() const;
  std::vector<std::pair<std::string, std::string>> BuildVariables(
      const Environment& env, const InvokeRequest& request, const RuntimeCommand& command) const;
  Result<std::shared_ptr<CodeEntry>> AcquireCode(const InvokeRequest& request);
  void ReleaseCode(const std::shared_ptr<CodeEntry>& entry);
  void Discard(std::shared_ptr<Environment> env);  // pool lock held
  void Destroy(Environment& env);                  // no lock held
  void ReaperLoop();
  void ProvisionerLoop();
  // Provisioned environment handling, pool lock held.
  bool WantsProvisioning() const;
  void DropProvisionedLocked(const std::shared_ptr<Environment>& env);
  void ReleaseProvisionedLocked(const std::shared_ptr<Environment>& env, bool keep,
                                std::vector<Report>* reports);
  Report ReportLocked(const ProvisionKey& key, const ProvisionedSet& set) const;
  void SendReports(const std::vector<Report>& reports) const;  // no lock held

  http::Server& server_;
  Sandbox& sandbox_;
  const RuntimeRegistry registry_;
  const Clock& clock_;
  const EnvironmentPoolOptions options_;
  const std::string code_root_;
  // Whether this host can tell who opened a connection (http::ProbePeerCredentials); without it
  // the Runtime API listeners cannot restrict themselves to their environment.
  bool peer_checks_ = false;
  LogSink log_sink_;

  mutable std::mutex mu_;
  std::condition_variable cv_;  // reaper wake-ups, cleanup and shutdown progress
  bool stopping_ = false;
  bool shut_down_ = false;
  std::map<std::string, std::shared_ptr<Environment>> all_;           // by id, not yet discarded
  std::map<EnvKey, std::vector<std::shared_ptr<Environment>>> idle_;  // most recent last
  std::map<FunctionKey, int> in_flight_;                              // invocations per function
  std::map<domain::Scope, int> unreserved_in_flight_;                 // per account+region
  std::map<EnvKey, std::string> latest_revision_;  // revision field unused in the key
  int total_in_flight_ = 0;
  std::vector<std::shared_ptr<Environment>> graveyard_;  // waiting for Destroy
  int destroying_ = 0;
  std::map<std::string, std::shared_ptr<CodeEntry>> code_;
  std::map<std::vector<std::string>, PrestartSlot> prestarted_;  // by runtime argv
  // Provisioned concurrency: the configs, and their idle initialized environments by key (what
  // Acquire looks at first; empty when nothing is provisioned, so the warm path pays one test).
  std::map<ProvisionKey, ProvisionedSet> provisioned_;
  std::map<EnvKey, std::vector<std::shared_ptr<Environment>>> provisioned_idle_;
  ProvisionedProgress progress_;
  std::condition_variable provision_cv_;  // provisioner wake-ups

  // Timeouts of asynchronous invocations, and the ends of those noticed on threads that may
  // not finish them (see Environment::ExpectOutcomeAsync).
  TimerQueue timers_;
  std::thread reaper_;
  std::thread provisioner_;
};

}  // namespace lambdalite::executor
