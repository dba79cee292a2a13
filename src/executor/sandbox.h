#pragma once

// The isolation boundary of an execution environment: something that starts a function's runtime
// process with the environment's limits, captures its output and reports its death. The pool
// (environment_pool.h) decides *when* environments start and stop; a Sandbox decides *how*.
// ProcessSandbox (process_sandbox.h) is the real implementation; tests may provide fakes.

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"

namespace lambdalite::executor {

// Where the environment's code and runtime client appear inside the sandbox (AWS's layout).
inline constexpr std::string_view kTaskRoot = "/var/task";
inline constexpr std::string_view kRuntimeRoot = "/var/runtime";
inline constexpr std::string_view kOptRoot = "/opt";

// How an environment reaches the network (--function-network).
enum class SandboxNetwork {
  kHost,  // the host's network namespace; the Runtime API listens on the host's loopback
  kNone,  // a network namespace of its own with only a loopback, where the Runtime API is
  kNat,   // kNone plus outbound access through a user-mode NAT (slirp4netns) that does not lead
          // to the host's loopback
};
// "host", "none", "nat".
std::string_view SandboxNetworkName(SandboxNetwork network);

// The Runtime API's address inside an environment with a network namespace of its own: AWS's.
inline constexpr std::string_view kPrivateRuntimeApiHost = "127.0.0.1";
inline constexpr uint16_t kPrivateRuntimeApiPort = 9001;

// Everything needed to start one environment's runtime process.
struct SandboxSpec {
  // Unique among live environments; names the environment's cgroup. [0-9a-zA-Z_-] only.
  std::string id;
  // Host directory with the extracted deployment package, shown read-only at /var/task.
  std::string code_dir;
  // Host directory with the function's layers extracted in order, shown read-only at /opt. Empty
  // for a function without layers (then /opt is left as the host has it). Not with `deferred`.
  std::string opt_dir;
  // Host directory with the runtime clients, shown read-only at /var/runtime. May be empty.
  std::string runtime_dir;
  // The runtime command. argv[0] is an absolute path as seen inside the sandbox (it may point
  // below /var/task or /var/runtime).
  std::vector<std::string> argv;
  // The complete environment of the runtime process (nothing is inherited from the server).
  std::vector<std::pair<std::string, std::string>> env;
  int memory_mb = 128;             // hard memory limit of the whole environment
  int ephemeral_storage_mb = 512;  // size of the private /tmp
  // Pre-start: the runtime starts before its function is known. /var/task stays empty (code_dir
  // is ignored) and the runtime's stdin is a pipe; SandboxProcess::Activate later shows the code
  // at /var/task, sets the memory limit and writes the function's details to that stdin. Only
  // where Sandbox::CanDefer().
  bool deferred = false;
};

// How a runtime process ended.
struct SandboxExit {
  enum class Kind {
    kExited,       // the runtime exited by itself; `code` is its exit status
    kSignaled,     // the runtime was killed by `signal` (including the kernel's OOM killer)
    kExecFailed,   // the runtime command could not be executed; `error` is the errno
    kSetupFailed,  // the sandbox could not be set up (host problem); see `detail`
    kKilled,       // Kill() was called (or the sandbox's init died) before the runtime ended
  };
  Kind kind = Kind::kKilled;
  int code = 0;
  int signal = 0;
  int error = 0;
  // The memory limit was hit and the kernel killed a process of the environment.
  bool oom_killed = false;
  std::string detail;  // human-readable, for logs
};

// Receives a running environment's events. Calls for one process are serialized (never
// concurrent with each other) and come from the sandbox's own thread or from the thread calling
// FlushOutput. Implementations must not block for long and must not destroy the process, or call
// its methods other than MaxMemoryUsedBytes, from inside a callback.
class SandboxObserver {
 public:
  virtual ~SandboxObserver() = default;
  // The uid every process of the environment runs as: the environment's own where the sandbox
  // switches users, else the server's. Called once by Sandbox::Start on its calling thread,
  // before the environment's first process exists (even if Start then fails), so the owner can
  // admit that uid's connections (the Runtime API's peer filter) before the runtime can open any.
  // The default ignores it.
  virtual void OnRunAs(uid_t uid) { (void)uid; }
  // Bytes the runtime (or any process of the environment) wrote to stdout or stderr, in order.
  // Both streams share one pipe, so their interleaving is preserved.
  virtual void OnOutput(std::string_view bytes) = 0;
  // The runtime process ended. Called exactly once, after every output byte written before the
  // exit was delivered (unless the environment was killed, which may lose buffered output).
  virtual void OnExit(const SandboxExit& exit) = 0;
};

// A running (or ended) environment. Thread-safe.
class SandboxProcess {
 public:
  // Kills whatever still runs, waits for every process of the environment to be gone and removes
  // the environment's host resources (cgroups, ...). May block for a short while, so pools
  // destroy processes off the invocation path. No observer call happens after it returns.
  virtual ~SandboxProcess() = default;

  // Sends SIGKILL to every process of the environment. Does not wait; OnExit follows. Idempotent.
  // Takes no lock, so it may be called while the caller holds its own locks (even ones its
  // observer callbacks take).
  virtual void Kill() = 0;

  // Delivers, synchronously through OnOutput, every byte written to the output pipe so far. Used
  // to close an invocation's log after its response arrived: the runtime wrote its output before
  // posting the response, so it is in the pipe by then.
  virtual void FlushOutput() = 0;

  // Peak memory use of the environment so far, in bytes; 0 when unknown. Cheap (no file is
  // opened), so it may be called on every invocation.
  virtual int64_t MaxMemoryUsedBytes() const = 0;

  // Host pid of the environment's first process, for diagnostics and tests.
  virtual int pid() const = 0;

  // Completes an environment started with SandboxSpec::deferred: binds `code_dir` read-only at
  // /var/task, changes the memory limit to `memory_mb`, then writes `runtime_input` to the
  // runtime's stdin and closes it (the runtime reads it to EOF). The code is in place before the
  // runtime can see the end of its input. Once only; may block briefly (it writes a pipe).
  // Errors: kUnavailable when the environment is gone or cannot be changed (it should then be
  // destroyed); kInvalidParameter when the process was not started deferred or was activated.
  virtual Status Activate(const std::string& code_dir, int memory_mb,
                          std::string_view runtime_input) = 0;

  // With a network namespace of its own (Sandbox::network() is not kHost): the listening socket
  // of the Runtime API at kPrivateRuntimeApiHost:kPrivateRuntimeApiPort inside it, made by the
  // environment before its runtime starts, for the owner to serve (http::Server::AdoptListener).
  // The caller owns the descriptor. Once only; -1 afterwards, on the host network, or when the
  // environment failed before making it (its OnExit says why).
  virtual int TakeRuntimeApiSocket() { return -1; }
};

// Starts environments. Thread-safe.
class Sandbox {
 public:
  virtual ~Sandbox() = default;

  // Starts the runtime process described by `spec`. `observer` must outlive the returned process.
  // Errors: kUnavailable when the host cannot start the environment (out of uids, fork failed,
  // cgroup could not be created), kInvalidParameter for a malformed spec. A runtime that starts
  // but cannot be executed is not an error here: it is reported through OnExit (kExecFailed).
  virtual Result<std::unique_ptr<SandboxProcess>> Start(const SandboxSpec& spec,
                                                        SandboxObserver& observer) = 0;

  // Whether Start accepts SandboxSpec::deferred (it needs a mount namespace to show the code
  // later). The default: no.
  virtual bool CanDefer() const { return false; }

  // The network every environment of this sandbox gets. The default: the host's.
  virtual SandboxNetwork network() const { return SandboxNetwork::kHost; }
};

}  // namespace lambdalite::executor
