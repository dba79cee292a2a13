#pragma once

// ProcessSandbox runs each environment as a process tree isolated with Linux namespaces, cgroups,
// an unprivileged per-environment uid and resource limits. No container runtime is involved.
//
// Layout of one environment:
//   server ── clone(NEWNS|NEWPID|NEWIPC|NEWUTS) ──> init (pid 1 in the new pid namespace, root,
//                                                         sets up mounts and limits, reaps)
//                                                     └─ fork ─> runtime (per-environment uid,
//                                                                no_new_privs, execve argv)
// When the runtime exits, init reports its wait status through a pipe and exits, and the kernel
// kills every other process of the pid namespace. Killing init therefore kills the environment.
//
// Inside the environment: "/" is the host's root (read access as an unprivileged user only), with
// the code bound read-only at /var/task, the function's layers (SandboxSpec::opt_dir) read-only at
// /opt, the runtime clients read-only at /var/runtime, a private
// tmpfs at /tmp sized by EphemeralStorage, a private /dev/shm and a /proc that shows only the
// environment's processes. Every host mount is read-only in there (only /tmp and /dev/shm are
// writable), and /dev is a read-only tmpfs of its own with only null, zero, full, random,
// urandom, tty, ptmx (a private devpts) and the fd/stdin/stdout/stderr links. The runtime runs
// under a seccomp filter (seccomp.h) that refuses what a function never needs (ptrace, mounts,
// namespaces, kernel modules, kexec, bpf, ...), with or without root.
//
// Network (ProcessSandboxOptions::network): with kNone or kNat every environment gets a network
// namespace of its own (CLONE_NEWNET) whose loopback holds only its Runtime API: init brings `lo`
// up, listens on 127.0.0.1:9001 there and hands the listening socket to the server over a unix
// socket (SCM_RIGHTS) before the runtime exists; the server serves it
// (SandboxProcess::TakeRuntimeApiSocket). So the host's loopback (control plane, other
// environments, any local service) is out of reach, and no uid check is needed. kNat adds a
// slirp4netns process per environment (started by the server once init's namespace exists;
// init starts the runtime only after it is ready) with --disable-host-loopback: the environment
// gets tap0 10.0.2.100/24, its gateway 10.0.2.2 and DNS 10.0.2.3, and its connections leave as
// the server's own sockets, to anything but the host's loopback. With kHost the network is the
// host's (the Runtime API listens on the host's 127.0.0.1), which is why the uid matters beyond
// files and signals: it is reported to the observer (OnRunAs) so that each Runtime API endpoint
// serves only its own environment's sockets.
//
// As root it has namespaces, mounts, cgroups and the uid switch. Without root it puts each
// environment in an unprivileged user namespace of its own (CLONE_NEWUSER, mapping only the
// server's uid and gid), which owns its mount, pid, ipc, uts and network namespaces: init can
// still mount the code, a private /tmp and /proc and cover the data directory
// (hidden_paths), while the runtime runs as the server's uid without capabilities. There are no
// per-environment uids and no cgroups then (no memory limit), and deferred starts need root
// (open_tree). Where the kernel refuses a feature, it logs once what is missing
// (isolation_warning) and runs with what works; with
// no mount namespace, /var/task, /var/runtime and /opt in argv and in the environment are rewritten
// to the host directories so the runtime still finds its code (and _LAMBDALITE_OPT names the
// layers' directory for the runtime clients). The seccomp filter needs no root: without it, the
// filter is what keeps a runtime, which then runs as the server's own uid, from ptracing the
// server.

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "executor/sandbox.h"

namespace lambdalite::executor {

struct ProcessSandboxOptions {
  // Environments run as uid = gid = uid_base + slot, slot in [0, uid_count). A slot is claimed with
  // an flock on <lock_dir>/<uid>, so servers sharing a host never hand out the same uid twice.
  int uid_base = 990000;
  int uid_count = 10000;
  std::string lock_dir = "/run/lambdalite/uids";
  // Cgroup directory name under each controller ("/sys/fs/cgroup/memory/<cgroup_name>/<id>" on
  // cgroup v1, "/sys/fs/cgroup/<cgroup_name>/<id>" on v2).
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string cgroup_name = "lambdalite";
  // Processes per environment (pids cgroup and RLIMIT_NPROC): contains fork bombs.
  int max_processes = 1024;
  int max_open_files = 1024;  // RLIMIT_NOFILE, as AWS
  int dev_shm_mb = 64;        // size of the private /dev/shm
  // Host directories created (if missing) as mount points.
  std::string task_mount_point = "/var/task";
  std::string runtime_mount_point = "/var/runtime";
  // Where SandboxSpec::opt_dir (the layers) is shown; it must exist (AWS: /opt).
  std::string opt_mount_point = "/opt";
  // The network every environment gets (see above). Where the host cannot give it (no network
  // namespaces: kHost; no slirp4netns for kNat: kNone), the sandbox says so once at start and
  // network() tells what it gives.
  SandboxNetwork network = SandboxNetwork::kNat;
  // Host directories no environment may see (the server's data directory): each is covered with
  // an empty read-only file system inside the environment, after its code is bound.
  std::vector<std::string> hidden_paths;
  // For kNat: a file naming slirp4netns's resolver ("nameserver 10.0.2.3"), bound read-only over
  // the environment's /etc/resolv.conf. Empty: the host's resolv.conf is kept.
  std::string resolv_conf;
  // The slirp4netns program for kNat: a path, or a name looked up in PATH.
  std::string slirp4netns = "slirp4netns";
  // The runtime's seccomp filter (seccomp.h) lets it create user namespaces.
  bool allow_user_namespaces = false;
};

// Removes the environment cgroups that a server stopped without its clean-up (kill -9) left in
// `parent`: each empty directory last changed at least `min_age` ago. The kernel refuses to remove
// a cgroup that still has processes, so a live environment's is never touched; the age keeps out
// of reach one that another server has just made and not yet filled. Returns how many went.
int RemoveStaleCgroups(const std::string& parent, std::chrono::seconds min_age);

class ProcessSandbox final : public Sandbox {
 public:
  // Probes what the kernel allows (namespaces, cgroup version) and logs once what is missing.
  // Removes stale environment cgroups of earlier servers (RemoveStaleCgroups).
  explicit ProcessSandbox(ProcessSandboxOptions options = {});
  // Every process started by this sandbox must have been destroyed first.
  ~ProcessSandbox() override;
  ProcessSandbox(const ProcessSandbox&) = delete;
  ProcessSandbox& operator=(const ProcessSandbox&) = delete;

  Result<std::unique_ptr<SandboxProcess>> Start(const SandboxSpec& spec,
                                                SandboxObserver& observer) override;
  // With a mount namespace and detached mounts (Linux 5.2's open_tree/move_mount): the code of a
  // deferred start is attached at /var/task by the environment's init when Activate sends it.
  bool CanDefer() const override;
  SandboxNetwork network() const override;
  // Why the network is not the one asked for ("" when it is), for the health answer.
  std::string network_fallback() const;

  // What the probe found; for logs and tests.
  bool isolated() const;  // namespaces (and, as root, the uid switch) available
  bool rootless() const;  // not root: each environment has a user namespace of its own
  // What environments run without, as said once at start ("" when nothing is missing).
  std::string isolation_warning() const;
  bool has_cgroups() const;  // memory and pids limits are enforced

  class Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace lambdalite::executor
