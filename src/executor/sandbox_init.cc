#include "executor/sandbox_init.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <vector>

#include "executor/sandbox.h"
#include "executor/seccomp.h"

namespace lambdalite::executor::sandbox_internal {

const char* StageName(int32_t stage) {
  static const char* const kNames[kStageCount] = {"arranging file descriptors",
                                                  "joining the cgroups",
                                                  "setting the hostname",
                                                  "making mounts private",
                                                  "mounting /var/task",
                                                  "mounting /var/runtime",
                                                  "mounting /opt",
                                                  "hiding the data directory",
                                                  "mounting /tmp",
                                                  "mounting /proc",
                                                  "mounting /dev/shm",
                                                  "setting up the network",
                                                  "setting resource limits",
                                                  "forking the runtime",
                                                  "switching to the sandbox uid",
                                                  "entering /var/task",
                                                  "mounting /dev",
                                                  "making the host's mounts read-only",
                                                  "installing the seccomp filter"};
  if (stage < 0 || stage >= kStageCount) return "unknown stage";
  return kNames[stage];
}

// ---- The child side ------------------------------------------------------------------------
// Everything below runs between clone() and execve() in a copy of a multi-threaded process, so it
// may only use async-signal-safe calls: no allocation, no locks, no C++ library. All strings are
// prepared by the parent in a ChildPlan before cloning.

void WriteReport(int fd, int32_t kind, int32_t a, int32_t b) {
  InitReport report{kind, a, b};
  const char* p = reinterpret_cast<const char*>(&report);
  size_t left = sizeof report;
  while (left > 0) {
    ssize_t n = write(fd, p, left);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    p += n;
    left -= static_cast<size_t>(n);
  }
}

[[noreturn]] void FailSetup(int32_t stage, int err) {
  WriteReport(kStatusFd, kReportSetupFailed, stage, err);
  _exit(125);
}

pid_t RawFork() {
  // A raw clone skips glibc's fork handlers, which could take locks that threads of the server
  // held at the moment we were cloned.
  return static_cast<pid_t>(syscall(SYS_clone, SIGCHLD, nullptr, nullptr, nullptr, nullptr));
}

bool WriteString(const char* path, const char* text) {
  int fd = open(path, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  size_t len = strlen(text);
  ssize_t n = write(fd, text, len);
  close(fd);
  return n == static_cast<ssize_t>(len);
}

void CloseFrom(int first) {
  if (syscall(SYS_close_range, static_cast<unsigned>(first), ~0U, 0) == 0) return;
  for (int fd = first; fd < 65536; ++fd) close(fd);
}

void ResetSignals() {
  struct sigaction action;
  memset(&action, 0, sizeof action);
  action.sa_handler = SIG_DFL;
  sigemptyset(&action.sa_mask);
  for (int sig = 1; sig < NSIG; ++sig) {
    if (sig == SIGKILL || sig == SIGSTOP) continue;
    sigaction(sig, &action, nullptr);  // fails harmlessly for the real-time signals glibc reserves
  }
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
}

bool ReadFull(int fd, void* data, size_t size) {
  char* p = static_cast<char*>(data);
  while (size > 0) {
    ssize_t n = read(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool WriteFull(int fd, const char* p, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, p, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    p += n;
    size -= static_cast<size_t>(n);
  }
  return true;
}

bool BindReadOnly(const char* source, const char* target) {
  if (mount(source, target, nullptr, MS_BIND | MS_REC, nullptr) != 0) return false;
  // A bind mount ignores MS_RDONLY on creation; it takes a remount to make it read-only.
  return mount(nullptr, target, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV,
               nullptr) == 0;
}

// Writes "/proc/self/fd/<fd>" into `out` (at least 32 bytes) without the C library's formatting.
void ProcFdPath(int fd, char* out) {
  static const char kPrefix[] = "/proc/self/fd/";
  memcpy(out, kPrefix, sizeof kPrefix - 1);
  char digits[12];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + fd % 10);
    fd /= 10;
  } while (fd > 0 && n < 11);
  char* p = out + sizeof kPrefix - 1;
  while (n > 0) *p++ = digits[--n];
  *p = '\0';
}

// The environment's /dev: a fresh, read-only tmpfs with only what programs expect (null, zero,
// full, random, urandom, tty, the fd and std* links, a private devpts for ptmx), so no host
// device (disks, /dev/kmsg, /dev/mem, GPUs) is even named in here. Nodes are made with mknod;
// where that is refused (no CAP_MKNOD) the host's nodes are bound instead, through descriptors
// opened before the tmpfs hides them. The private /dev/shm is mounted on top afterwards.
bool SetUpDev() {
  struct Node {
    const char* path;
    unsigned major;
    unsigned minor;
  };
  static const Node kNodes[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
                                {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  constexpr int kNodeCount = sizeof kNodes / sizeof kNodes[0];
  int host[kNodeCount];
  for (int i = 0; i < kNodeCount; ++i) host[i] = open(kNodes[i].path, O_PATH | O_CLOEXEC);
  auto close_host = [&] {
    for (int fd : host) {
      if (fd >= 0) close(fd);
    }
  };
  constexpr const char* kDevOptions = "size=64k,nr_inodes=64,mode=755";
  if (mount("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, kDevOptions) != 0) {
    const int err = errno;
    close_host();
    errno = err;
    return false;
  }
  bool ok = true;
  for (int i = 0; ok && i < kNodeCount; ++i) {
    const Node& node = kNodes[i];
    if (mknod(node.path, S_IFCHR | 0666, makedev(node.major, node.minor)) == 0) {
      ok = chmod(node.path, 0666) == 0;  // mknod's mode went through the umask
    } else {
      char source[32] = "";
      ok = (errno == EPERM || errno == EACCES) && host[i] >= 0;
      if (ok) ProcFdPath(host[i], source);
      int target = ok ? open(node.path, O_CREAT | O_WRONLY | O_CLOEXEC, 0666) : -1;
      ok = target >= 0;
      if (ok) close(target);
      // The host's node keeps its owner and mode (in a user namespace it is not ours to change).
      ok = ok && mount(source, node.path, nullptr, MS_BIND, nullptr) == 0;
    }
  }
  const int err = errno;
  close_host();
  errno = err;
  if (!ok) return false;
  static const char* const kLinks[][2] = {{"/proc/self/fd", "/dev/fd"},
                                          {"/proc/self/fd/0", "/dev/stdin"},
                                          {"/proc/self/fd/1", "/dev/stdout"},
                                          {"/proc/self/fd/2", "/dev/stderr"},
                                          {"pts/ptmx", "/dev/ptmx"}};
  for (const auto& link : kLinks) {
    if (symlink(link[0], link[1]) != 0) return false;
  }
  if (mkdir("/dev/shm", 01777) != 0 || mkdir("/dev/pts", 0755) != 0) return false;
  // Pseudo-terminals of the environment's own (not the host's): optional, a kernel without
  // devpts instances just leaves /dev/ptmx dangling.
  mount("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
        "newinstance,ptmxmode=0666,mode=620");
  // Read-only: nothing may be added; the devices still open for writing.
  return mount(nullptr, "/dev", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NOEXEC,
               nullptr) == 0;
}

// Makes the host mounts other than "/" read-only in this namespace (a host with /run, /home or a
// data disk on a file system of its own would otherwise leave their world-writable directories
// writable), keeping each mount's other flags. A mount point gone since the list was made is
// skipped.
bool MakeReadOnly(const std::vector<const char*>& mount_points) {
  // statfs reports a mount's flags as ST_* values, which mount(2) spells MS_*.
  static const std::pair<unsigned long, unsigned long> kKept[] = {
      {ST_NOSUID, MS_NOSUID},   {ST_NODEV, MS_NODEV},           {ST_NOEXEC, MS_NOEXEC},
      {ST_NOATIME, MS_NOATIME}, {ST_NODIRATIME, MS_NODIRATIME}, {ST_RELATIME, MS_RELATIME}};
  for (const char* dir : mount_points) {
    struct statfs st;
    if (statfs(dir, &st) != 0) continue;
    unsigned long kept = 0;
    for (const auto& [st_flag, ms_flag] : kKept) {
      if ((static_cast<unsigned long>(st.f_flags) & st_flag) != 0) kept |= ms_flag;
    }
    if (mount(nullptr, dir, nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY | kept, nullptr) != 0 &&
        errno != EINVAL && errno != ENOENT) {
      return false;
    }
  }
  return true;
}

// In a new user namespace: maps its only uid and gid to the server's (the one mapping an
// unprivileged process may write for itself; setgroups must be denied first). Must run before
// PR_SET_DUMPABLE is cleared, which makes /proc/self/*_map root's.
bool MapOwnIds(const char* uid_map, const char* gid_map) {
  return WriteString("/proc/self/setgroups", "deny") &&
         WriteString("/proc/self/uid_map", uid_map) && WriteString("/proc/self/gid_map", gid_map);
}

// The runtime process: joins the cgroups, drops every privilege and executes the runtime.
[[noreturn]] void RunRuntime(const ChildPlan& plan) {
  // The status pipe stays open only if execve fails, to report why.
  fcntl(kStatusFd, F_SETFD, FD_CLOEXEC);
  if (plan.new_net_ns) close(kNetFd);
  if (plan.deferred) {
    // The runtime reads its function's details from stdin; the control pipe is init's alone.
    if (dup2(kInputFd, 0) < 0) FailSetup(kStageFds, errno);
    close(kInputFd);
    close(kFeedFd);
    close(kControlFd);
  }
  // Only the runtime's tree joins the cgroups: init is a copy of the server's address space, and
  // the OOM killer would count those shared pages against it.
  for (const char* procs : plan.cgroup_procs) {
    if (!WriteString(procs, "0")) FailSetup(kStageCgroup, errno);
  }
  if (plan.uid >= 0) {
    // Raw syscalls: glibc's wrappers would try to change the credentials of every thread of the
    // server, whose bookkeeping this copy inherited, and wait forever for threads that are not
    // here. The kernel calls change this (only) thread.
    if (syscall(SYS_setgroups, 0, nullptr) != 0) FailSetup(kStageUid, errno);
    if (syscall(SYS_setresgid, plan.gid, plan.gid, plan.gid) != 0) FailSetup(kStageUid, errno);
    if (syscall(SYS_setresuid, plan.uid, plan.uid, plan.uid) != 0) FailSetup(kStageUid, errno);
    // Paranoia: never run function code as root.
    if (getuid() == 0 || geteuid() == 0) FailSetup(kStageUid, EPERM);
  }
  if (plan.new_user_ns) {
    // Init's capabilities in the user namespace would survive the fork; execve as a non-zero
    // uid drops them too, but the runtime must never hold them, whatever it executes.
    struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct none[_LINUX_CAPABILITY_U32S_3];
    memset(none, 0, sizeof none);
    if (syscall(SYS_capset, &header, none) != 0) FailSetup(kStageUid, errno);
  }
  prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
  umask(022);
  if (chdir(plan.workdir) != 0) FailSetup(kStageChdir, errno);
  // Last, so that nothing above needs a call the filter refuses.
  if (plan.seccomp != nullptr) {
    if (const int err = InstallSeccompProgram(*plan.seccomp); err != 0) {
      FailSetup(kStageSeccomp, err);
    }
  }
  execve(plan.argv[0], plan.argv, plan.envp);
  WriteReport(kStatusFd, kReportExecFailed, errno, 0);
  _exit(127);
}

// Sends `size` bytes of `data` on the unix socket `socket` with the descriptor `fd` attached
// (SCM_RIGHTS); returns what sendmsg returned. Async-signal-safe: init uses it too.
ssize_t SendWithDescriptor(int socket, const void* data, size_t size, int fd) {
  struct iovec iov = {const_cast<void*>(data), size};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  memset(control, 0, sizeof control);
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  struct cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int));
  memcpy(CMSG_DATA(c), &fd, sizeof(int));
  ssize_t n;
  do {
    n = sendmsg(socket, &msg, MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  return n;
}

// Receives up to `size` bytes into `data` from the unix socket `socket`, and the descriptor that
// came with them into `*fd` (-1 if none; close-on-exec). Returns what recvmsg returned.
// Async-signal-safe.
ssize_t ReceiveWithDescriptor(int socket, void* data, size_t size, int* fd) {
  struct iovec iov = {data, size};
  alignas(struct cmsghdr) char control[CMSG_SPACE(sizeof(int))];
  struct msghdr msg;
  memset(&msg, 0, sizeof msg);
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control;
  msg.msg_controllen = sizeof control;
  ssize_t n;
  do {
    n = recvmsg(socket, &msg, MSG_CMSG_CLOEXEC);
  } while (n < 0 && errno == EINTR);
  *fd = -1;
  if (n <= 0) return n;
  for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg); c != nullptr; c = CMSG_NXTHDR(&msg, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
      memcpy(fd, CMSG_DATA(c), sizeof(int));
    }
  }
  return n;
}

// Receives the activation header and the code directory's descriptor that comes with it.
bool ReceiveActivation(int fd, int* code_fd) {
  uint32_t magic = 0;
  const ssize_t n = ReceiveWithDescriptor(fd, &magic, sizeof magic, code_fd);
  if (n <= 0) return false;
  // A stream may split the word; the descriptor came with its first byte.
  if (static_cast<size_t>(n) < sizeof magic &&
      !ReadFull(fd, reinterpret_cast<char*>(&magic) + n, sizeof magic - static_cast<size_t>(n))) {
    return false;
  }
  return magic == kActivateMagic && *code_fd >= 0;
}

// Init of a deferred start, once the runtime runs: waits for the server's activation message
// (a header word with the code's mount attached, then the runtime's input up to EOF), mounts the
// code at /var/task, then relays the input to the runtime's stdin. The mount comes first, so the
// runtime cannot see the end of its input before its code is there. The code arrives as a
// detached mount (open_tree) because its host path may be hidden in here (a data directory below
// /tmp is under the environment's own /tmp) and a bind mount cannot take its source from the
// server's mount namespace. A control socket closed before a complete header means the server
// discarded the environment unused.
void AwaitActivation(const ChildPlan& plan, pid_t runtime) {
  close(kInputFd);
  // A runtime that died meanwhile must not kill init with SIGPIPE while it relays.
  struct sigaction ignore;
  memset(&ignore, 0, sizeof ignore);
  ignore.sa_handler = SIG_IGN;
  sigaction(SIGPIPE, &ignore, nullptr);
  int code_fd = -1;
  if (!ReceiveActivation(kControlFd, &code_fd)) {
    kill(runtime, SIGKILL);
    if (code_fd >= 0) close(code_fd);
    close(kControlFd);
    close(kFeedFd);
    return;
  }
  // The descriptor is a detached copy of the code's mount (open_tree): attach it here, then make
  // it read-only as BindReadOnly does.
  if (syscall(SYS_move_mount, code_fd, "", AT_FDCWD, plan.task_mount_point,
              MOVE_MOUNT_F_EMPTY_PATH) != 0 ||
      mount(nullptr, plan.task_mount_point, nullptr,
            MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr) != 0) {
    const int err = errno;
    kill(runtime, SIGKILL);
    FailSetup(kStageMountTask, err);
  }
  close(code_fd);
  char buf[4096];
  bool feeding = true;
  for (;;) {
    ssize_t n = read(kControlFd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (feeding) feeding = WriteFull(kFeedFd, buf, static_cast<size_t>(n));
  }
  close(kFeedFd);
  close(kControlFd);
}

// Init, in the environment's own network namespace: brings its loopback up, makes the Runtime
// API's listening socket there and sends it to the server, then (for a NAT) waits for the
// server's word that the NAT is ready, so the runtime never starts without its network.
void SetUpNetwork(const ChildPlan& plan) {
  int probe = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (probe < 0) FailSetup(kStageNetwork, errno);
  struct ifreq ifr;
  memset(&ifr, 0, sizeof ifr);
  memcpy(ifr.ifr_name, "lo", 3);
  if (ioctl(probe, SIOCGIFFLAGS, &ifr) != 0) FailSetup(kStageNetwork, errno);
  ifr.ifr_flags = static_cast<short>(ifr.ifr_flags | IFF_UP | IFF_RUNNING);
  if (ioctl(probe, SIOCSIFFLAGS, &ifr) != 0) FailSetup(kStageNetwork, errno);
  close(probe);
  int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (listener < 0) FailSetup(kStageNetwork, errno);
  int one = 1;
  setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  struct sockaddr_in address;
  memset(&address, 0, sizeof address);
  address.sin_family = AF_INET;
  address.sin_port = htons(kPrivateRuntimeApiPort);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(listener, reinterpret_cast<struct sockaddr*>(&address), sizeof address) != 0 ||
      listen(listener, SOMAXCONN) != 0) {
    FailSetup(kStageNetwork, errno);
  }
  char byte = 'L';
  ssize_t n = SendWithDescriptor(kNetFd, &byte, 1, listener);
  if (n != 1) FailSetup(kStageNetwork, errno);
  close(listener);  // the server's copy is the one that serves
  if (plan.wait_for_network) {
    do {
      n = read(kNetFd, &byte, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1) FailSetup(kStageNetwork, n == 0 ? ENETDOWN : errno);
  }
  close(kNetFd);
}

// Init: pid 1 of the environment's pid namespace (when there is one).
[[noreturn]] void RunInit(const ChildPlan& plan) {
  // Move our three descriptors out of the way, then onto 0..3, then close everything else the
  // server had open (sockets, database, other environments' pipes).
  int devnull = fcntl(plan.devnull_fd, F_DUPFD, 10);
  int out = fcntl(plan.out_fd, F_DUPFD, 10);
  int status = fcntl(plan.status_fd, F_DUPFD, 10);
  int net = plan.new_net_ns ? fcntl(plan.net_fd, F_DUPFD, 10) : -1;
  if (devnull < 0 || out < 0 || status < 0 || (plan.new_net_ns && net < 0)) _exit(124);
  if (dup2(status, kStatusFd) < 0) _exit(124);
  if (dup2(devnull, 0) < 0 || dup2(out, 1) < 0 || dup2(out, 2) < 0) FailSetup(kStageFds, errno);
  if (plan.deferred) {
    int control = fcntl(plan.control_fd, F_DUPFD, 10);
    int feed = fcntl(plan.feed_fd, F_DUPFD, 10);
    int input = fcntl(plan.input_fd, F_DUPFD, 10);
    if (control < 0 || feed < 0 || input < 0 || dup2(control, kControlFd) < 0 ||
        dup2(feed, kFeedFd) < 0 || dup2(input, kInputFd) < 0) {
      FailSetup(kStageFds, errno);
    }
  }
  int last = plan.deferred ? kInputFd : kStatusFd;
  if (plan.new_net_ns) {
    if (dup2(net, kNetFd) < 0) FailSetup(kStageFds, errno);
    for (int fd = last + 1; fd < kNetFd; ++fd) close(fd);
    last = kNetFd;
  }
  CloseFrom(last + 1);

  ResetSignals();
  if (plan.new_user_ns && !MapOwnIds(plan.uid_map, plan.gid_map)) FailSetup(kStageUid, errno);
  // If the server dies, so does the environment (and with init, its whole pid namespace).
  prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
  // Init still maps a copy of the server's memory: keep the runtime from reading it.
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);
  setsid();
  if (!plan.new_pid_ns) prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);

  if (plan.new_uts_ns && sethostname("localhost", 9) != 0) FailSetup(kStageHostname, errno);

  if (plan.new_mount_ns) {
    // Nothing mounted here may propagate back to the host.
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
      FailSetup(kStagePrivateMounts, errno);
    }
    // The host's file system is read-only inside the environment (as in AWS, only /tmp is
    // writable): otherwise world-writable host directories such as /var/tmp and /run/lock would
    // give functions a shared, persistent place to write. A bind remount changes only this
    // namespace's view of the root mount. Where the kernel refuses it, the world-writable
    // directories are covered with read-only empty file systems instead.
    if (mount(nullptr, "/", nullptr, MS_REMOUNT | MS_BIND | MS_RDONLY, nullptr) != 0) {
      for (const char* dir : {"/var/tmp", "/run/lock", "/var/lock"}) {
        mount("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY, "size=4k");
      }
    }
    if (!MakeReadOnly(plan.readonly_mounts)) FailSetup(kStageReadOnly, errno);
    if (!plan.deferred && !BindReadOnly(plan.code_dir, plan.task_mount_point)) {
      FailSetup(kStageMountTask, errno);
    }
    if (plan.runtime_dir != nullptr && !BindReadOnly(plan.runtime_dir, plan.runtime_mount_point)) {
      FailSetup(kStageMountRuntime, errno);
    }
    if (plan.opt_dir != nullptr && !BindReadOnly(plan.opt_dir, plan.opt_mount_point)) {
      FailSetup(kStageMountOpt, errno);
    }
    // Behind the NAT the resolver is slirp4netns's 10.0.2.3, which forwards to the host's: a
    // host resolver on loopback (systemd-resolved's 127.0.0.53) is out of reach in here.
    if (plan.resolv_conf != nullptr &&
        mount(plan.resolv_conf, "/etc/resolv.conf", nullptr, MS_BIND, nullptr) == 0) {
      mount(nullptr, "/etc/resolv.conf", nullptr,
            MS_REMOUNT | MS_BIND | MS_RDONLY | MS_NOSUID | MS_NODEV, nullptr);
    }
    // After the binds, which keep their sources visible where they are bound. A path below /tmp
    // is hidden by the private /tmp anyway.
    for (const char* hidden : plan.hidden_paths) {
      struct stat st;
      if (stat(hidden, &st) != 0 || !S_ISDIR(st.st_mode)) continue;
      if (mount("tmpfs", hidden, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
                "size=4k,mode=000") != 0) {
        FailSetup(kStageMountHidden, errno);
      }
    }
    if (mount("tmpfs", "/tmp", "tmpfs", MS_NOSUID | MS_NODEV, plan.tmp_options) != 0) {
      FailSetup(kStageMountTmp, errno);
    }
    if (!SetUpDev()) FailSetup(kStageMountDev, errno);
    if (mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, plan.shm_options) !=
        0) {
      FailSetup(kStageMountShm, errno);
    }
    // A /proc of the new pid namespace: the environment sees only its own processes.
    if (plan.new_pid_ns &&
        mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) != 0) {
      FailSetup(kStageMountProc, errno);
    }
  }

  if (plan.new_net_ns) SetUpNetwork(plan);

  struct rlimit core = {0, 0};
  struct rlimit files = {plan.max_open_files, plan.max_open_files};
  struct rlimit procs = {plan.max_processes, plan.max_processes};
  if (setrlimit(RLIMIT_CORE, &core) != 0 || setrlimit(RLIMIT_NOFILE, &files) != 0 ||
      setrlimit(RLIMIT_NPROC, &procs) != 0) {
    FailSetup(kStageRlimit, errno);
  }

  pid_t runtime = RawFork();
  if (runtime < 0) FailSetup(kStageFork, errno);
  if (runtime == 0) RunRuntime(plan);
  if (plan.deferred) AwaitActivation(plan, runtime);

  // Reap everything (orphans reparent to us); report the runtime's end and leave, which makes the
  // kernel kill what is left of the namespace.
  for (;;) {
    int wait_status = 0;
    pid_t pid = waitpid(-1, &wait_status, __WALL);
    if (pid == runtime) {
      WriteReport(kStatusFd, kReportExit, wait_status, 0);
      _exit(0);
    }
    if (pid < 0 && errno == ECHILD) _exit(0);
  }
}

}  // namespace lambdalite::executor::sandbox_internal
