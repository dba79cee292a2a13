#pragma once

// The seccomp filter every runtime process runs under: a denylist of system calls a Lambda
// function never needs and that only serve to attack the host, its kernel or other processes.
// Written as a classic BPF program by hand (no libseccomp). The sandbox already keeps functions
// away from these with an unprivileged uid and namespaces; the filter is the second wall, and the
// one that still stands where the sandbox runs without root (no uid switch, no namespaces).
//
// A refused call fails with EPERM (ENOSYS where noted), never with a kill, so a runtime or a
// library that probes a feature sees an ordinary error and carries on. What is refused, and why:
//   - ptrace, process_vm_readv/writev, kcmp: reading or steering other processes (the server's
//     other environments run as other uids, but without root they would share one).
//   - kexec_load, kexec_file_load, reboot: replacing or stopping the kernel.
//   - init_module, finit_module, delete_module: loading code into the kernel.
//   - mount, umount2, pivot_root and the new mount API (open_tree, move_mount, fsopen, fsmount,
//     fspick, mount_setattr): changing the file system view the sandbox built (read-only host,
//     private /tmp, minimal /dev).
//   - swapon, swapoff, quotactl, quotactl_fd, acct: host-wide storage and accounting settings.
//   - setns, unshare and clone with namespace flags (CLONE_NEWUSER/NS/PID/NET/IPC/UTS/CGROUP,
//     and CLONE_NEWTIME for unshare): new user namespaces are the usual way for an unprivileged
//     process to reach kernel code paths that otherwise need root. unshare without namespace
//     flags (CLONE_FILES, CLONE_FS, ...) stays allowed. clone3 passes its flags in memory, which
//     a seccomp filter cannot read, so it fails with ENOSYS: glibc (2.34+) then falls back to
//     clone, whose flags are checked. SeccompOptions::allow_user_namespaces lifts this group and
//     the mount group (the kernel then lets the function mount only in namespaces it owns).
//   - bpf, perf_event_open, userfaultfd: large kernel attack surfaces and exploitation helpers.
//   - keyctl, add_key, request_key: the kernel keyrings are not namespaced.
//   - settimeofday, clock_settime, clock_adjtime, adjtimex: the clock is the host's.
//   - iopl, ioperm (x86): raw port I/O.
//   - lookup_dcookie, syslog: kernel internals (profiling cookies, the kernel log).
//   - open_by_handle_at, name_to_handle_at: file handles open files by inode, bypassing the mount
//     namespace (the "shocker" container escape).
//   - personality with anything but the usual values (PER_LINUX, PER_LINUX32, UNAME26 and the
//     0xffffffff query): ADDR_NO_RANDOMIZE and friends switch off exploit mitigations.
// The filter also checks the architecture of every call: a call of a foreign ABI (i386's int 0x80
// on x86_64, arm32 on aarch64) kills the process, since its numbers mean different calls; x32
// calls on x86_64 (number bit 0x40000000) fail with ENOSYS.
//
// Supported: x86_64 and aarch64. Elsewhere BuildSeccompProgram returns an empty program and the
// sandbox runs without a filter (it logs so).

#include <linux/filter.h>

#include <vector>

namespace lambdalite::executor {

struct SeccompOptions {
  // Lets functions create user namespaces (and, in them, the other namespaces and mounts): for
  // runtimes that sandbox themselves (headless Chromium, bubblewrap). Off by default, as in AWS.
  bool allow_user_namespaces = false;
};

// The filter program for this machine's architecture; empty where it is not supported.
std::vector<sock_filter> BuildSeccompProgram(const SeccompOptions& options);

// Installs `program` (from BuildSeccompProgram) on the calling thread; it is inherited by its
// children and kept across execve. Needs no_new_privs (or CAP_SYS_ADMIN). Async-signal-safe: one
// system call, so it may run between clone and execve. Returns 0 or an errno value.
int InstallSeccompProgram(const sock_fprog& program);

}  // namespace lambdalite::executor
