#pragma once

// The child side of ProcessSandbox (process_sandbox.h): the environment's init and runtime
// processes, from clone() to execve(). Everything here runs in a copy of a multi-threaded
// process, so it may only use async-signal-safe calls: no allocation, no locks, no C++ library.
// All strings are prepared by the parent in a ChildPlan before cloning. Init reports to the
// server through its status pipe (InitReport); the parent reads those reports.

#include <linux/filter.h>
#include <sys/resource.h>
#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lambdalite::executor::sandbox_internal {

// ---- What init reports to the server through the status pipe --------------------------------

enum ReportKind : int32_t {
  kReportExit = 1,         // a = the runtime's raw wait status
  kReportSetupFailed = 2,  // a = stage, b = errno
  kReportExecFailed = 3,   // a = errno of execve
};

struct InitReport {
  int32_t kind = 0;
  int32_t a = 0;
  int32_t b = 0;
};

enum Stage : int32_t {
  kStageFds,
  kStageCgroup,
  kStageHostname,
  kStagePrivateMounts,
  kStageMountTask,
  kStageMountRuntime,
  kStageMountOpt,
  kStageMountHidden,
  kStageMountTmp,
  kStageMountProc,
  kStageMountShm,
  kStageNetwork,
  kStageRlimit,
  kStageFork,
  kStageUid,
  kStageChdir,
  kStageMountDev,
  kStageReadOnly,
  kStageSeccomp,
  kStageCount,
};

// The stage's name, for messages.
const char* StageName(int32_t stage);

struct ChildPlan {
  bool new_mount_ns = false;
  bool new_pid_ns = false;
  bool new_uts_ns = false;
  int uid = -1;  // -1: keep the server's uid (unprivileged fallback)
  int gid = -1;
  const char* code_dir = nullptr;
  const char* runtime_dir = nullptr;  // may be null
  const char* opt_dir = nullptr;      // may be null: no layers
  const char* opt_mount_point = nullptr;
  const char* task_mount_point = nullptr;
  const char* runtime_mount_point = nullptr;
  const char* tmp_options = nullptr;
  const char* shm_options = nullptr;
  const char* workdir = nullptr;
  std::vector<const char*> cgroup_procs;     // cgroup.procs files the runtime joins
  std::vector<const char*> readonly_mounts;  // host mount points (besides "/") made read-only
  const sock_fprog* seccomp = nullptr;       // the runtime's filter; null: none
  rlim_t max_processes = 0;
  rlim_t max_open_files = 0;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  int devnull_fd = -1;
  int out_fd = -1;     // write end of the output pipe
  int status_fd = -1;  // write end of the status pipe
  // Deferred start (SandboxSpec::deferred): /var/task is mounted later, on the server's word.
  bool deferred = false;
  int control_fd = -1;  // init's end of the server's control socket
  int feed_fd = -1;     // write end of the runtime's stdin pipe (init relays the input into it)
  int input_fd = -1;    // read end of the runtime's stdin pipe
  // A network namespace of its own: init makes the Runtime API's socket and sends it on net_fd;
  // with `wait_for_network` it then waits on net_fd for the server's word that the NAT is up.
  bool new_net_ns = false;
  bool wait_for_network = false;
  // Rootless: a user namespace of its own, whose id maps init writes first.
  bool new_user_ns = false;
  const char* uid_map = nullptr;
  const char* gid_map = nullptr;
  // A NAT's resolver configuration, bound over /etc/resolv.conf (may be null).
  const char* resolv_conf = nullptr;
  // Host directories covered with an empty read-only file system (the data directory).
  std::vector<const char*> hidden_paths;
  int net_fd = -1;  // init's end of the server's network socket
};

// Fixed descriptor numbers inside init: 0 /dev/null, 1 and 2 the output pipe, 3 the status pipe;
// for a deferred start also 4 the control socket, 5 and 6 the two ends of the runtime's stdin.
constexpr int kStatusFd = 3;
constexpr int kControlFd = 4;
constexpr int kFeedFd = 5;
constexpr int kInputFd = 6;
// With a network namespace of its own: 7 the network socket (ChildPlan::net_fd).
constexpr int kNetFd = 7;
// The first word of an activation message, which carries the code directory's descriptor.
constexpr uint32_t kActivateMagic = 0x4c4c4143;  // "LLAC"

// Init: pid 1 of the environment's pid namespace (when there is one). Sets up the environment
// as `plan` says, forks the runtime, reaps, reports the runtime's end and exits.
[[noreturn]] void RunInit(const ChildPlan& plan);

// A fork without glibc's fork handlers (which could take locks other threads of the server
// held at the clone).
pid_t RawFork();

// In a new user namespace: maps its only uid and gid to the server's. Must run before
// PR_SET_DUMPABLE is cleared, which makes /proc/self/*_map root's.
bool MapOwnIds(const char* uid_map, const char* gid_map);

// Sends `size` bytes of `data` on the unix socket `socket` with the descriptor `fd` attached
// (SCM_RIGHTS); returns what sendmsg returned.
ssize_t SendWithDescriptor(int socket, const void* data, size_t size, int fd);
// Receives up to `size` bytes into `data` from the unix socket `socket`, and the descriptor that
// came with them into `*fd` (-1 if none; close-on-exec). Returns what recvmsg returned.
ssize_t ReceiveWithDescriptor(int socket, void* data, size_t size, int* fd);

}  // namespace lambdalite::executor::sandbox_internal
