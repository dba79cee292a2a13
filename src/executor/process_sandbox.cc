#include "executor/process_sandbox.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
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

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <future>
#include <mutex>
#include <sstream>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "common/file.h"
#include "common/log.h"
#include "executor/sandbox_init.h"
#include "executor/sandbox_nat.h"
#include "executor/seccomp.h"

namespace lambdalite::executor {

namespace {

namespace fs = std::filesystem;
using namespace sandbox_internal;  // NOLINT: the sandbox's own internals

// ---- Host-side helpers ---------------------------------------------------------------------

std::string ErrnoText(int err) { return std::strerror(err); }

// The descriptor init sends with SetUpNetwork; -1 when init ended (or hung) before it.
int ReceiveSocket(int fd, int timeout_ms) {
  if (!WaitReadable(fd, timeout_ms)) return -1;
  char byte = 0;
  int received = -1;
  if (ReceiveWithDescriptor(fd, &byte, 1, &received) != 1) {
    if (received >= 0) close(received);
    return -1;
  }
  return received;
}

bool WriteFile(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return false;
  ssize_t n = write(fd, text.data(), text.size());
  int saved = errno;
  close(fd);
  errno = saved;
  return n == static_cast<ssize_t>(text.size());
}

// Value of "key N" in a flat-keyed cgroup file (memory.events, memory.oom_control).
int64_t KeyedValue(const std::string& text, const std::string& key) {
  std::istringstream in(text);
  std::string k;
  int64_t v = 0;
  while (in >> k >> v) {
    if (k == key) return v;
  }
  return 0;
}

bool IsSafeId(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
  });
}

std::string ReplaceAll(std::string text, const std::string& from, const std::string& to) {
  if (from.empty()) return text;
  size_t pos = 0;
  while ((pos = text.find(from, pos)) != std::string::npos) {
    text.replace(pos, from.size(), to);
    pos += to.size();
  }
  return text;
}

// Replaces `root` where it starts a path (at the start of `text` or after ':', followed by '/',
// ':' or the end), as in "/opt/bin:/usr/bin", so "/optional" or "/var/task/opt" are left alone.
std::string ReplacePathRoot(const std::string& text, std::string_view root, const std::string& to) {
  std::string out;
  size_t i = 0;
  while (i <= text.size()) {
    const bool at_start = i == 0 || text[i - 1] == ':';
    if (at_start && text.compare(i, root.size(), root) == 0) {
      const size_t end = i + root.size();
      if (end == text.size() || text[end] == '/' || text[end] == ':') {
        out += to;
        i = end;
        continue;
      }
    }
    if (i == text.size()) break;
    out += text[i++];
  }
  return out;
}

// The host's writable mount points that the environment must see read-only: all but "/" (remounted
// on its own), what the environment replaces or needs (/proc, /dev, /tmp; /sys, whose cgroup
// files the runtime writes to join its cgroups and which only root may write to anyway) and what
// is read-only already. From /proc/self/mountinfo, whose paths escape space, tab, newline and
// backslash in octal.
std::vector<std::string> WritableHostMounts() {
  std::vector<std::string> out;
  std::istringstream in(ReadFileOrEmpty("/proc/self/mountinfo"));
  std::string line;
  auto under = [](const std::string& path, std::string_view root) {
    return path.compare(0, root.size(), root) == 0 &&
           (path.size() == root.size() || path[root.size()] == '/');
  };
  while (std::getline(in, line)) {
    std::istringstream fields(line);
    std::string id, parent, dev, root, point, options;
    if (!(fields >> id >> parent >> dev >> root >> point >> options)) continue;
    std::string path;
    for (size_t i = 0; i < point.size(); ++i) {
      if (point[i] == '\\' && i + 3 < point.size()) {
        path += static_cast<char>(std::stoi(point.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        path += point[i];
      }
    }
    if (path == "/" || under(path, "/proc") || under(path, "/sys") || under(path, "/dev") ||
        under(path, "/tmp")) {
      continue;
    }
    const bool read_only = options == "ro" || options.rfind("ro,", 0) == 0;
    if (!read_only && std::find(out.begin(), out.end(), path) == out.end()) out.push_back(path);
  }
  return out;
}

// One environment's cgroups.
struct Cgroups {
  std::vector<std::string> dirs;   // removed at the end, in reverse order
  std::vector<std::string> procs;  // cgroup.procs files the runtime joins
  std::string oom_file;            // memory.events (v2) or memory.oom_control (v1)
  int peak_fd = -1;                // memory.peak (v2) or memory.max_usage_in_bytes (v1)
  // The memory limit: memory.max (v2) or memory.limit_in_bytes (v1), and the v1 memory+swap
  // limit that must never be below it (empty without swap accounting).
  std::string limit_file;
  std::string memsw_limit_file;
  int memory_mb = 0;
};

// Changes an environment's memory limit. With v1 swap accounting the memory+swap limit may never
// be below the memory limit, so which file goes first depends on the direction.
bool SetMemoryLimit(Cgroups& cg, int memory_mb) {
  if (cg.limit_file.empty() || memory_mb == cg.memory_mb) return true;
  const std::string limit = std::to_string(static_cast<int64_t>(memory_mb) * 1024 * 1024);
  const bool raise = memory_mb > cg.memory_mb;
  if (raise && !cg.memsw_limit_file.empty() && !WriteFile(cg.memsw_limit_file, limit)) {
    return false;
  }
  if (!WriteFile(cg.limit_file, limit)) return false;
  if (!raise && !cg.memsw_limit_file.empty() && !WriteFile(cg.memsw_limit_file, limit)) {
    return false;
  }
  cg.memory_mb = memory_mb;
  return true;
}

}  // namespace

// ---- The sandbox ---------------------------------------------------------------------------

class ProcessState;

class ProcessSandbox::Impl {
 public:
  explicit Impl(ProcessSandboxOptions options) : options_(std::move(options)) {}

  void Init() {
    Probe();
    epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
    wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    epoll_event ev{};
    ev.events = EPOLLIN;
    ev.data.u64 = kWakeToken;
    epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, wake_fd_, &ev);
    thread_ = std::thread([this] { Loop(); });
  }

  ~Impl() {
    RunOnThread([this] { stopping_ = true; });
    if (thread_.joinable()) thread_.join();
    if (epoll_fd_ >= 0) close(epoll_fd_);
    if (wake_fd_ >= 0) close(wake_fd_);
  }

  Result<std::unique_ptr<SandboxProcess>> Start(const SandboxSpec& spec, SandboxObserver& observer);

  bool isolated() const { return isolated_; }
  bool has_cgroups() const { return cgroup_version_ != 0; }
  bool can_defer() const { return (ns_flags_ & CLONE_NEWNS) != 0 && detached_mounts_; }
  SandboxNetwork network() const { return network_; }
  const std::string& network_fallback() const { return network_fallback_; }
  const std::string& isolation_warning() const { return isolation_warning_; }
  bool rootless() const { return rootless_; }

  // Runs `fn` on the supervisor thread and waits for it. Clones happen there so that the
  // parent-death signal of every init is tied to a thread that lives as long as the sandbox.
  void RunOnThread(std::function<void()> fn) {
    std::packaged_task<void()> task(std::move(fn));
    auto done = task.get_future();
    {
      std::lock_guard lock(tasks_mu_);
      tasks_.push_back(std::move(task));
    }
    uint64_t one = 1;
    if (write(wake_fd_, &one, sizeof one) < 0) {
      LogError("sandbox: cannot wake the supervisor thread: " + ErrnoText(errno));
    }
    done.wait();
  }

  void Watch(uint64_t id, const std::shared_ptr<ProcessState>& state, int out_fd, int status_fd);
  void Unwatch(int fd) { epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, fd, nullptr); }
  void Forget(uint64_t id) {
    std::lock_guard lock(states_mu_);
    states_.erase(id);
  }

  int AcquireUid(int* lock_fd);
  static void ReleaseUid(int lock_fd) {
    if (lock_fd >= 0) close(lock_fd);  // drops the flock
  }

  Result<Cgroups> CreateCgroups(const std::string& id, int memory_mb);
  static void RemoveCgroups(Cgroups& cgroups);

 private:
  static constexpr uint64_t kWakeToken = ~uint64_t{0};

  void Probe();
  void ProbeRootless(std::vector<std::string>& missing);
  void ProbeNetwork();
  void Loop();
  void Dispatch(uint64_t token);

  const ProcessSandboxOptions options_;
  // The runtime's seccomp filter; `seccomp_.filter` is null where the kernel refuses it.
  std::vector<sock_filter> seccomp_program_;
  sock_fprog seccomp_{};
  bool root_ = false;
  int ns_flags_ = 0;              // the namespaces the kernel lets us create
  bool detached_mounts_ = false;  // open_tree/move_mount (Linux 5.2): deferred starts
  bool isolated_ = false;
  int cgroup_version_ = 0;  // 0 none, 1 or 2
  bool rootless_ = false;   // a user namespace of its own per environment
  std::string uid_map_;     // rootless: "<uid> <uid> 1\n", written by each init
  std::string gid_map_;
  std::string isolation_warning_;  // what environments run without ("" when nothing)
  SandboxNetwork network_ = SandboxNetwork::kHost;  // what environments get
  std::string network_fallback_;  // why network_ is not options_.network ("" when it is)
  std::string slirp4netns_;       // resolved path, for kNat

  int epoll_fd_ = -1;
  int wake_fd_ = -1;
  std::thread thread_;
  bool stopping_ = false;  // supervisor thread only

  std::mutex tasks_mu_;
  std::vector<std::packaged_task<void()>> tasks_;

  std::mutex states_mu_;
  std::unordered_map<uint64_t, std::shared_ptr<ProcessState>> states_;

  std::mutex uid_mu_;
  int next_uid_slot_ = 0;
};

// The part of an environment the supervisor thread reads from: pipes and observer. Shared between
// the supervisor's map and the owning ProcessHandle.
class ProcessState {
 public:
  ProcessState(ProcessSandbox::Impl& sandbox, int out_fd, int status_fd, std::string oom_file,
               SandboxObserver& observer)
      : sandbox_(sandbox),
        oom_file_(std::move(oom_file)),
        out_fd_(out_fd),
        status_fd_(status_fd),
        observer_(&observer) {}

  ~ProcessState() {
    if (out_fd_ >= 0) close(out_fd_);
    if (status_fd_ >= 0) close(status_fd_);
  }

  // Stops every callback and closes the pipes. Waits for a callback in progress.
  void Detach() {
    std::lock_guard lock(mu_);
    observer_ = nullptr;
    CloseLocked(&out_fd_);
    CloseLocked(&status_fd_);
  }

  // Lock-free, so Kill may be called while holding any lock.
  void MarkKilled() { killed_ = true; }

  void FlushOutput() {
    std::lock_guard lock(mu_);
    DrainLocked(/*max_reads=*/-1);
  }

  // Supervisor thread: the output pipe is readable.
  void OnOutputReadable() {
    std::lock_guard lock(mu_);
    DrainLocked(/*max_reads=*/16);  // bounded, so one chatty environment cannot starve others
  }

  // Supervisor thread: the status pipe is readable (a report, or EOF when init is gone).
  void OnStatusReadable() {
    std::lock_guard lock(mu_);
    if (status_fd_ < 0) return;
    char buf[256];
    for (;;) {
      ssize_t n = read(status_fd_, buf, sizeof buf);
      if (n > 0) {
        status_bytes_.append(buf, static_cast<size_t>(n));
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;  // more to come
      break;                                 // EOF (or an error): init is gone
    }
    CloseLocked(&status_fd_);
    // Output written before the end is in the pipe now; deliver it ahead of OnExit.
    DrainLocked(/*max_reads=*/-1);
    SandboxExit exit = DecodeExit();
    if (observer_ != nullptr) observer_->OnExit(exit);
  }

 private:
  void CloseLocked(int* fd) {
    if (*fd < 0) return;
    sandbox_.Unwatch(*fd);
    close(*fd);
    *fd = -1;
  }

  void DrainLocked(int max_reads) {
    if (out_fd_ < 0) return;
    char buf[65536];
    for (int i = 0; max_reads < 0 || i < max_reads; ++i) {
      ssize_t n = read(out_fd_, buf, sizeof buf);
      if (n > 0) {
        if (observer_ != nullptr) {
          observer_->OnOutput(std::string_view(buf, static_cast<size_t>(n)));
        }
        continue;
      }
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      CloseLocked(&out_fd_);  // EOF: every writer is gone
      return;
    }
  }

  SandboxExit DecodeExit() const {
    SandboxExit exit;
    exit.kind = SandboxExit::Kind::kKilled;
    exit.detail = killed_.load() ? "killed" : "the sandbox's init process died";
    for (size_t off = 0; off + sizeof(InitReport) <= status_bytes_.size();
         off += sizeof(InitReport)) {
      InitReport report;
      std::memcpy(&report, status_bytes_.data() + off, sizeof report);
      if (report.kind == kReportSetupFailed) {
        exit.kind = SandboxExit::Kind::kSetupFailed;
        exit.error = report.b;
        exit.detail = std::string("sandbox setup failed while ") + StageName(report.a) + ": " +
                      ErrnoText(report.b);
        break;  // the first failure is the cause; init's exit report follows
      }
      if (report.kind == kReportExecFailed) {
        exit.kind = SandboxExit::Kind::kExecFailed;
        exit.error = report.a;
        exit.detail = "execve failed: " + ErrnoText(report.a);
        break;
      }
      if (report.kind == kReportExit) {
        const int st = report.a;
        if (WIFEXITED(st)) {
          exit.kind = SandboxExit::Kind::kExited;
          exit.code = WEXITSTATUS(st);
          exit.detail = "exit status " + std::to_string(exit.code);
        } else if (WIFSIGNALED(st)) {
          exit.kind = SandboxExit::Kind::kSignaled;
          exit.signal = WTERMSIG(st);
          exit.detail = "signal " + std::to_string(exit.signal);
        }
        break;
      }
    }
    if (!oom_file_.empty()) {
      exit.oom_killed = KeyedValue(ReadFileOrEmpty(oom_file_), "oom_kill") > 0;
    }
    return exit;
  }

  ProcessSandbox::Impl& sandbox_;
  const std::string oom_file_;

  std::mutex mu_;  // serializes observer calls and guards the fields below
  int out_fd_;
  int status_fd_;
  SandboxObserver* observer_;
  std::string status_bytes_;
  std::atomic<bool> killed_{false};
};

// One environment's processes, owned by the pool.
class ProcessHandle final : public SandboxProcess {
 public:
  ProcessHandle(ProcessSandbox::Impl& sandbox, uint64_t id, pid_t pid, bool own_pid_ns,
                int uid_lock_fd, Cgroups cgroups, std::shared_ptr<ProcessState> state,
                int control_fd, int api_socket, Nat nat)
      : sandbox_(sandbox),
        id_(id),
        pid_(pid),
        own_pid_ns_(own_pid_ns),
        uid_lock_fd_(uid_lock_fd),
        cgroups_(std::move(cgroups)),
        state_(std::move(state)),
        control_fd_(control_fd),
        api_socket_(api_socket),
        nat_(nat) {}

  ~ProcessHandle() override {
    Kill();
    {
      std::lock_guard lock(control_mu_);
      if (control_fd_ >= 0) close(control_fd_);
      control_fd_ = -1;
    }
    state_->Detach();
    sandbox_.Forget(id_);
    // The pid stays ours (a zombie at worst) until reaped here, so Kill never hits a stranger.
    int wait_status = 0;
    while (waitpid(pid_, &wait_status, __WALL) < 0 && errno == EINTR) {
    }
    SweepCgroups();
    ProcessSandbox::Impl::RemoveCgroups(cgroups_);
    if (cgroups_.peak_fd >= 0) close(cgroups_.peak_fd);
    if (hwm_fd_ >= 0) close(hwm_fd_);
    ProcessSandbox::Impl::ReleaseUid(uid_lock_fd_);
    if (api_socket_ >= 0) close(api_socket_);
    StopNat(nat_);
  }

  int TakeRuntimeApiSocket() override {
    std::lock_guard lock(control_mu_);
    return std::exchange(api_socket_, -1);
  }

  void Kill() override {
    state_->MarkKilled();
    kill(pid_, SIGKILL);
    // Without a pid namespace, init's death does not take the runtime along: kill the process
    // group (init called setsid) and, at destruction, whatever is left in the cgroups.
    if (!own_pid_ns_) kill(-pid_, SIGKILL);
  }

  void FlushOutput() override { state_->FlushOutput(); }

  int64_t MaxMemoryUsedBytes() const override {
    if (cgroups_.peak_fd >= 0) {
      char buf[32];
      ssize_t n = pread(cgroups_.peak_fd, buf, sizeof buf - 1, 0);
      if (n <= 0) return 0;
      buf[n] = '\0';
      return std::strtoll(buf, nullptr, 10);
    }
    return RuntimeHighWaterMark();
  }

  int pid() const override { return pid_; }

  Status Activate(const std::string& code_dir, int memory_mb,
                  std::string_view runtime_input) override {
    std::lock_guard lock(control_mu_);
    if (control_fd_ < 0) {
      return Error::Make(ErrorCode::kInvalidParameter,
                         "the environment was not started deferred, or was activated already");
    }
    const int fd = control_fd_;
    control_fd_ = -1;
    int code_fd = -1;
    auto fail = [&](const std::string& what) -> Status {
      const std::string why = ErrnoText(errno);
      close(fd);
      if (code_fd >= 0) close(code_fd);
      return Error::Make(ErrorCode::kUnavailable,
                         "cannot activate the pre-started environment: " + what + ": " + why);
    };
    // A detached copy of the code directory's mount, which init can attach in its namespace.
    code_fd = static_cast<int>(
        syscall(SYS_open_tree, AT_FDCWD, code_dir.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (code_fd < 0) return fail(code_dir);
    if (!SetMemoryLimit(cgroups_, memory_mb)) return fail("memory limit");
    const uint32_t magic = kActivateMagic;
    const ssize_t sent = SendWithDescriptor(fd, &magic, sizeof magic, code_fd);
    if (sent != static_cast<ssize_t>(sizeof magic)) return fail("control socket");
    close(code_fd);
    code_fd = -1;
    // Init reads as we write, so an input beyond the socket's buffer is fine; an init that is
    // gone makes this fail with EPIPE.
    for (size_t off = 0; off < runtime_input.size();) {
      ssize_t n = send(fd, runtime_input.data() + off, runtime_input.size() - off, MSG_NOSIGNAL);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return fail("control socket");
      off += static_cast<size_t>(n);
    }
    close(fd);
    return Status::Ok();
  }

 private:
  // Without a pid namespace, processes that left init's process group may survive it; the
  // cgroups still hold them.
  void SweepCgroups() {
    if (own_pid_ns_) return;
    for (int round = 0; round < 50; ++round) {
      bool any = false;
      for (const std::string& procs : cgroups_.procs) {
        std::istringstream in(ReadFileOrEmpty(procs));
        pid_t p = 0;
        while (in >> p) {
          any = true;
          kill(p, SIGKILL);
        }
      }
      if (!any) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

  // Without cgroups: the runtime process's VmHWM. Its /proc status file is found once (init's
  // only child) and kept open, so later calls cost one pread.
  int64_t RuntimeHighWaterMark() const {
    std::lock_guard lock(hwm_mu_);
    if (hwm_fd_ == -2) {
      hwm_fd_ = -1;
      const std::string children =
          "/proc/" + std::to_string(pid_) + "/task/" + std::to_string(pid_) + "/children";
      std::istringstream in(ReadFileOrEmpty(children));
      pid_t runtime = 0;
      if (in >> runtime) {
        const std::string status = "/proc/" + std::to_string(runtime) + "/status";
        hwm_fd_ = open(status.c_str(), O_RDONLY | O_CLOEXEC);
      }
    }
    if (hwm_fd_ < 0) return 0;
    char buf[4096];
    ssize_t n = pread(hwm_fd_, buf, sizeof buf - 1, 0);
    if (n <= 0) return 0;
    buf[n] = '\0';
    const char* line = std::strstr(buf, "VmHWM:");
    if (line == nullptr) return 0;
    return std::strtoll(line + 6, nullptr, 10) * 1024;  // the file counts kB
  }

  ProcessSandbox::Impl& sandbox_;
  const uint64_t id_;
  const pid_t pid_;
  const bool own_pid_ns_;
  const int uid_lock_fd_;
  Cgroups cgroups_;
  const std::shared_ptr<ProcessState> state_;
  std::mutex control_mu_;
  int control_fd_;  // the server's end of a deferred start's control socket until Activate
  int api_socket_;  // the Runtime API's socket in the environment's namespace, until taken
  Nat nat_;
  mutable std::mutex hwm_mu_;
  mutable int hwm_fd_ = -2;  // -2: not looked up yet, -1: unavailable
};

void ProcessSandbox::Impl::Watch(uint64_t id, const std::shared_ptr<ProcessState>& state,
                                 int out_fd, int status_fd) {
  {
    std::lock_guard lock(states_mu_);
    states_[id] = state;
  }
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.u64 = id << 1;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, out_fd, &ev);
  ev.data.u64 = (id << 1) | 1;
  epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, status_fd, &ev);
}

void ProcessSandbox::Impl::Loop() {
  epoll_event events[64];
  while (!stopping_) {
    int n = epoll_wait(epoll_fd_, events, 64, -1);
    if (n < 0) {
      if (errno == EINTR) continue;
      LogError("sandbox: epoll_wait failed: " + ErrnoText(errno));
      return;
    }
    for (int i = 0; i < n; ++i) Dispatch(events[i].data.u64);
  }
}

void ProcessSandbox::Impl::Dispatch(uint64_t token) {
  if (token == kWakeToken) {
    uint64_t count = 0;
    if (read(wake_fd_, &count, sizeof count) < 0 && errno != EAGAIN) {
      LogError("sandbox: cannot read the wake-up counter: " + ErrnoText(errno));
    }
    std::vector<std::packaged_task<void()>> tasks;
    {
      std::lock_guard lock(tasks_mu_);
      tasks.swap(tasks_);
    }
    for (auto& task : tasks) task();
    return;
  }
  std::shared_ptr<ProcessState> state;
  {
    std::lock_guard lock(states_mu_);
    auto it = states_.find(token >> 1);
    if (it == states_.end()) return;  // a stale event of a destroyed environment
    state = it->second;
  }
  if (token & 1) {
    state->OnStatusReadable();
  } else {
    state->OnOutputReadable();
  }
}

void ProcessSandbox::Impl::Probe() {
  root_ = geteuid() == 0;
  std::vector<std::string> missing;
  // The seccomp filter: tried in a child, since it cannot be taken off again.
  seccomp_program_ = BuildSeccompProgram({.allow_user_namespaces = options_.allow_user_namespaces});
  if (!seccomp_program_.empty()) {
    sock_fprog program{static_cast<unsigned short>(seccomp_program_.size()),
                       seccomp_program_.data()};
    pid_t pid = RawFork();
    if (pid == 0) {
      prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
      _exit(InstallSeccompProgram(program) == 0 && syscall(SYS_ptrace, PTRACE_TRACEME, 0, 0, 0) < 0
                ? 0
                : 1);
    }
    int st = 0;
    if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
      seccomp_ = program;
    }
  }
  if (seccomp_.filter == nullptr) missing.push_back("seccomp filter");
  if (root_) {
    const std::pair<int, const char*> kNamespaces[] = {{CLONE_NEWNS, "mount"},
                                                       {CLONE_NEWPID, "pid"},
                                                       {CLONE_NEWIPC, "ipc"},
                                                       {CLONE_NEWUTS, "uts"}};
    for (const auto& [flag, name] : kNamespaces) {
      pid_t pid = static_cast<pid_t>(
          syscall(SYS_clone, flag | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
      if (pid == 0) {
        // A new mount namespace is only useful if we may mount in it.
        if (flag == CLONE_NEWNS &&
            mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
          _exit(1);
        }
        _exit(0);
      }
      int st = 0;
      if (pid > 0 && waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0) {
        ns_flags_ |= flag;
      } else {
        missing.push_back(std::string(name) + " namespace");
      }
    }
    bool mounts_ok = (ns_flags_ & CLONE_NEWNS) != 0;
    isolated_ = true;  // the uid switch works for root even without namespaces

    // Mount points for /var/task and /var/runtime.
    std::error_code ec;
    for (const std::string& dir : {options_.task_mount_point, options_.runtime_mount_point}) {
      fs::create_directories(dir, ec);
      if (ec) {
        missing.push_back("mount point " + dir + " (" + ec.message() + ")");
        mounts_ok = false;
      }
    }
    if (!mounts_ok) ns_flags_ &= ~CLONE_NEWNS;
    // Deferred starts attach their code later as a detached mount. Without it everything works,
    // every runtime just starts on demand.
    const int tree = static_cast<int>(
        syscall(SYS_open_tree, AT_FDCWD, "/", OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC));
    if (tree >= 0) {
      detached_mounts_ = true;
      close(tree);
    }

    // Cgroups: v2 when the unified hierarchy is mounted at the root, else v1 controllers.
    const fs::path root(options_.cgroup_root);
    if (fs::exists(root / "cgroup.controllers", ec)) {
      const std::string controllers = ReadFileOrEmpty((root / "cgroup.controllers").string());
      if (controllers.find("memory") != std::string::npos &&
          controllers.find("pids") != std::string::npos) {
        WriteFile((root / "cgroup.subtree_control").string(), "+memory +pids");
        fs::create_directories(root / options_.cgroup_name, ec);
        if (!ec && WriteFile((root / options_.cgroup_name / "cgroup.subtree_control").string(),
                             "+memory +pids")) {
          cgroup_version_ = 2;
        }
      }
    } else if (fs::exists(root / "memory", ec) && fs::exists(root / "pids", ec)) {
      fs::create_directories(root / "memory" / options_.cgroup_name, ec);
      if (!ec) fs::create_directories(root / "pids" / options_.cgroup_name, ec);
      if (!ec) cgroup_version_ = 1;
    }
    if (cgroup_version_ == 0) {
      missing.push_back("memory and pids cgroups");
    } else {
      // Environments of a server killed without its clean-up leave their (empty) cgroups behind;
      // each one keeps kernel memory until it is removed.
      const std::vector<fs::path> parents =
          cgroup_version_ == 2 ? std::vector<fs::path>{root / options_.cgroup_name}
                               : std::vector<fs::path>{root / "memory" / options_.cgroup_name,
                                                       root / "pids" / options_.cgroup_name};
      int removed = 0;
      for (const fs::path& parent : parents) {
        removed += RemoveStaleCgroups(parent.string(), std::chrono::seconds(60));
      }
      if (removed > 0) {
        LogInfo("sandbox: removed " + std::to_string(removed) +
                " cgroups left by environments of an earlier server");
      }
    }
  } else {
    ProbeRootless(missing);
  }

  ProbeNetwork();

  if (missing.empty()) {
    LogInfo("sandbox: environments are isolated with mount/pid/ipc/uts namespaces, cgroup v" +
            std::to_string(cgroup_version_) + " limits, per-environment uids and a seccomp filter" +
            (options_.allow_user_namespaces ? " (user namespaces allowed)" : ""));
  } else {
    std::string text;
    for (const std::string& m : missing) text += (text.empty() ? "" : ", ") + m;
    isolation_warning_ = "environments run without: " + text;
    LogWarn("sandbox: " + isolation_warning_);
  }
}

void ProcessSandbox::Impl::ProbeRootless(std::vector<std::string>& missing) {
  // Not root: an unprivileged user namespace owns the environment's other namespaces, so init
  // may still mount (code, /tmp, /proc) and hide the data directory. Its only uid is the
  // server's, mapped to itself: the runtime runs as the server's uid with no capabilities, and
  // sees the host's files read-only with that uid's permissions, less what is hidden.
  uid_map_ = std::to_string(geteuid()) + " " + std::to_string(geteuid()) + " 1\n";
  gid_map_ = std::to_string(getegid()) + " " + std::to_string(getegid()) + " 1\n";
  const char* uid_map = uid_map_.c_str();
  const char* gid_map = gid_map_.c_str();
  const int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS;
  pid_t pid =
      static_cast<pid_t>(syscall(SYS_clone, flags | SIGCHLD, nullptr, nullptr, nullptr, nullptr));
  if (pid == 0) {
    if (!MapOwnIds(uid_map, gid_map)) _exit(1);
    if (mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) _exit(2);
    _exit(0);
  }
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    missing.push_back(
        "root privileges or unprivileged user namespaces (the kernel refuses them): no "
        "namespaces, no hidden data directory, no uid switch, no cgroups; functions can read "
        "what the server's user can and signal its processes");
    return;
  }
  ns_flags_ = flags;
  rootless_ = true;
  isolated_ = true;
  bool mounts_ok = true;
  for (const std::string& dir : {options_.task_mount_point, options_.runtime_mount_point}) {
    if (!fs::is_directory(dir)) {
      missing.push_back("mount point " + dir + " (create it once as root)");
      mounts_ok = false;
    }
  }
  if (!mounts_ok) ns_flags_ &= ~CLONE_NEWNS;
  missing.push_back(
      "per-environment uids (rootless: every environment runs as the server's "
      "uid inside its own user namespace)");
  missing.push_back("memory and pids cgroups (rootless)");
}

void ProcessSandbox::Impl::ProbeNetwork() {
  network_ = options_.network;
  if (network_ == SandboxNetwork::kHost) return;
  // Without a network namespace of their own, environments share the host's.
  pid_t pid =
      static_cast<pid_t>(syscall(SYS_clone, (ns_flags_ & CLONE_NEWUSER) | CLONE_NEWNET | SIGCHLD,
                                 nullptr, nullptr, nullptr, nullptr));
  if (pid == 0) _exit(0);
  int st = 0;
  if (pid < 0 || waitpid(pid, &st, 0) != pid || !WIFEXITED(st) || WEXITSTATUS(st) != 0) {
    network_ = SandboxNetwork::kHost;
    network_fallback_ =
        "the kernel refuses network namespaces: environments share the host's network, and "
        "functions can reach the host's loopback";
    LogWarn("sandbox: " + network_fallback_);
    return;
  }
  if (network_ == SandboxNetwork::kNat) {
    slirp4netns_ = FindProgram(options_.slirp4netns);
    if (slirp4netns_.empty()) {
      network_ = SandboxNetwork::kNone;
      network_fallback_ = options_.slirp4netns +
                          " is not installed: environments have no outbound network (the "
                          "Runtime API only); install slirp4netns for --function-network nat";
      LogWarn("sandbox: " + network_fallback_);
      return;
    }
    // slirp4netns opens the tun device in the environment's namespace, with the server's rights.
    if (access("/dev/net/tun", R_OK | W_OK) != 0) {
      network_ = SandboxNetwork::kNone;
      network_fallback_ = "/dev/net/tun is not open to the server's user (" + ErrnoText(errno) +
                          "): environments have no outbound network (the Runtime API only)";
      LogWarn("sandbox: " + network_fallback_);
      return;
    }
  }
  LogInfo(std::string("sandbox: each environment has a network namespace of its own (") +
          std::string(SandboxNetworkName(network_)) + ")");
}

int RemoveStaleCgroups(const std::string& parent, std::chrono::seconds min_age) {
  std::error_code ec;
  fs::directory_iterator it(parent, ec);
  if (ec) return 0;
  const auto now = fs::file_time_type::clock::now();
  int removed = 0;
  for (const fs::directory_entry& entry : it) {
    std::error_code entry_ec;
    if (!entry.is_directory(entry_ec) || entry_ec) continue;
    const auto changed = entry.last_write_time(entry_ec);
    if (entry_ec || now - changed < min_age) continue;
    // rmdir, not remove_all: a cgroup's control files cannot be deleted, and a busy cgroup (or a
    // directory with content) must stay.
    if (rmdir(entry.path().c_str()) == 0) ++removed;
  }
  return removed;
}

int ProcessSandbox::Impl::AcquireUid(int* lock_fd) {
  *lock_fd = -1;
  std::error_code ec;
  fs::create_directories(options_.lock_dir, ec);
  if (ec) return -1;
  chmod(options_.lock_dir.c_str(), 0700);
  std::lock_guard lock(uid_mu_);
  for (int i = 0; i < options_.uid_count; ++i) {
    const int slot = (next_uid_slot_ + i) % options_.uid_count;
    const int uid = options_.uid_base + slot;
    const std::string path = options_.lock_dir + "/" + std::to_string(uid);
    int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) return -1;
    if (flock(fd, LOCK_EX | LOCK_NB) == 0) {
      next_uid_slot_ = (slot + 1) % options_.uid_count;
      *lock_fd = fd;
      return uid;
    }
    close(fd);
  }
  return -1;
}

Result<Cgroups> ProcessSandbox::Impl::CreateCgroups(const std::string& id, int memory_mb) {
  Cgroups cg;
  if (cgroup_version_ == 0) return cg;
  const fs::path root(options_.cgroup_root);
  const std::string limit = std::to_string(static_cast<int64_t>(memory_mb) * 1024 * 1024);
  const std::string pids = std::to_string(options_.max_processes);
  auto fail = [&](const std::string& what) -> Error {
    const std::string text = what + ": " + ErrnoText(errno);
    RemoveCgroups(cg);
    return Error::Make(ErrorCode::kUnavailable, "cannot create the environment's cgroup: " + text);
  };
  auto make_dir = [&](const fs::path& dir) -> bool {
    if (mkdir(dir.c_str(), 0755) != 0) return false;
    cg.dirs.push_back(dir.string());
    cg.procs.push_back((dir / "cgroup.procs").string());
    return true;
  };
  fs::path memory_dir;
  if (cgroup_version_ == 2) {
    memory_dir = root / options_.cgroup_name / id;
    if (!make_dir(memory_dir)) return fail("mkdir " + memory_dir.string());
    // One directory holds every controller in v2.
    if (!WriteFile((memory_dir / "memory.max").string(), limit)) return fail("memory.max");
    cg.limit_file = (memory_dir / "memory.max").string();
    WriteFile((memory_dir / "memory.swap.max").string(), "0");  // absent without swap support
    if (!WriteFile((memory_dir / "pids.max").string(), pids)) return fail("pids.max");
    cg.oom_file = (memory_dir / "memory.events").string();
    cg.peak_fd = open((memory_dir / "memory.peak").c_str(), O_RDONLY | O_CLOEXEC);
  } else {
    memory_dir = root / "memory" / options_.cgroup_name / id;
    const fs::path pids_dir = root / "pids" / options_.cgroup_name / id;
    if (!make_dir(memory_dir)) return fail("mkdir " + memory_dir.string());
    if (!make_dir(pids_dir)) return fail("mkdir " + pids_dir.string());
    if (!WriteFile((memory_dir / "memory.limit_in_bytes").string(), limit)) {
      return fail("memory.limit_in_bytes");
    }
    // With swap accounting, also cap memory+swap so the limit cannot be dodged by swapping.
    const fs::path memsw = memory_dir / "memory.memsw.limit_in_bytes";
    if (access(memsw.c_str(), F_OK) == 0) {
      if (!WriteFile(memsw.string(), limit)) return fail("memory.memsw.limit_in_bytes");
      cg.memsw_limit_file = memsw.string();
    }
    cg.limit_file = (memory_dir / "memory.limit_in_bytes").string();
    if (!WriteFile((pids_dir / "pids.max").string(), pids)) return fail("pids.max");
    cg.oom_file = (memory_dir / "memory.oom_control").string();
    cg.peak_fd = open((memory_dir / "memory.max_usage_in_bytes").c_str(), O_RDONLY | O_CLOEXEC);
  }
  cg.memory_mb = memory_mb;
  return cg;
}

void ProcessSandbox::Impl::RemoveCgroups(Cgroups& cgroups) {
  for (auto it = cgroups.dirs.rbegin(); it != cgroups.dirs.rend(); ++it) {
    // Right after the last process is reaped the kernel may still report the group busy.
    for (int attempt = 0; attempt < 100; ++attempt) {
      if (rmdir(it->c_str()) == 0 || errno == ENOENT) break;
      if (errno != EBUSY) {
        LogWarn("sandbox: cannot remove cgroup " + *it + ": " + ErrnoText(errno));
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  cgroups.dirs.clear();
}

Result<std::unique_ptr<SandboxProcess>> ProcessSandbox::Impl::Start(const SandboxSpec& spec,
                                                                    SandboxObserver& observer) {
  if (!IsSafeId(spec.id)) {
    return Error::Make(ErrorCode::kInvalidParameter, "invalid environment id: " + spec.id);
  }
  if (spec.argv.empty() || spec.argv[0].empty() || spec.argv[0][0] != '/') {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "the runtime command must be an absolute path");
  }
  const bool mount_ns = (ns_flags_ & CLONE_NEWNS) != 0;
  if (spec.deferred && !spec.opt_dir.empty()) {
    return Error::Make(ErrorCode::kInvalidParameter, "a deferred start cannot show layers at /opt");
  }
  if (spec.deferred && !can_defer()) {
    return Error::Make(ErrorCode::kInvalidParameter,
                       "a deferred start needs a mount namespace and detached mounts, which this "
                       "host refuses");
  }

  // Without a mount namespace the runtime sees the host's paths: point it at the real
  // directories instead of /var/task and /var/runtime.
  auto localize = [&](const std::string& text) {
    if (mount_ns) return text;
    std::string out = ReplaceAll(text, std::string(kTaskRoot), spec.code_dir);
    if (!spec.runtime_dir.empty())
      out = ReplaceAll(out, std::string(kRuntimeRoot), spec.runtime_dir);
    if (!spec.opt_dir.empty()) out = ReplacePathRoot(out, kOptRoot, spec.opt_dir);
    return out;
  };
  std::vector<std::string> argv_storage;
  for (const std::string& a : spec.argv) argv_storage.push_back(localize(a));
  std::vector<std::string> env_storage;
  for (const auto& [k, v] : spec.env) env_storage.push_back(k + "=" + localize(v));
  // No AWS variable names /opt, so a runtime client that looks for layer directories itself
  // (runtimes/python/bootstrap.py) is told where they are when they are not at /opt; it removes
  // the variable before the function runs.
  if (!mount_ns && !spec.opt_dir.empty()) env_storage.push_back("_LAMBDALITE_OPT=" + spec.opt_dir);
  std::vector<char*> argv;
  for (std::string& a : argv_storage) argv.push_back(a.data());
  argv.push_back(nullptr);
  std::vector<char*> envp;
  for (std::string& e : env_storage) envp.push_back(e.data());
  envp.push_back(nullptr);

  int uid_lock_fd = -1;
  int uid = -1;
  if (root_) {
    uid = AcquireUid(&uid_lock_fd);
    if (uid < 0) {
      return Error::Make(ErrorCode::kUnavailable,
                         "no free sandbox uid (all " + std::to_string(options_.uid_count) +
                             " in use, or " + options_.lock_dir + " is not writable)");
    }
  }
  auto created = CreateCgroups(spec.id, spec.memory_mb);
  if (!created.ok()) {
    ReleaseUid(uid_lock_fd);
    return std::move(created).error();
  }
  Cgroups cgroups = std::move(created).value();
  auto release_host_resources = [&] {
    RemoveCgroups(cgroups);
    if (cgroups.peak_fd >= 0) close(cgroups.peak_fd);
    ReleaseUid(uid_lock_fd);
  };

  const std::string tmp_options =
      "size=" + std::to_string(std::max(1, spec.ephemeral_storage_mb)) + "m,mode=1777";
  const std::string shm_options =
      "size=" + std::to_string(std::max(1, options_.dev_shm_mb)) + "m,mode=1777";
  // A deferred runtime has no code yet: it enters /var/task itself once activated.
  const std::string workdir =
      spec.deferred ? std::string("/") : (mount_ns ? std::string(kTaskRoot) : spec.code_dir);
  const bool runtime_dir_ok = !spec.runtime_dir.empty() && fs::is_directory(spec.runtime_dir);

  ChildPlan plan;
  plan.new_mount_ns = mount_ns;
  plan.new_pid_ns = (ns_flags_ & CLONE_NEWPID) != 0;
  plan.new_uts_ns = (ns_flags_ & CLONE_NEWUTS) != 0;
  plan.uid = uid;
  plan.gid = uid;
  plan.code_dir = spec.code_dir.c_str();
  plan.runtime_dir = runtime_dir_ok ? spec.runtime_dir.c_str() : nullptr;
  plan.task_mount_point = options_.task_mount_point.c_str();
  plan.opt_dir = spec.opt_dir.empty() ? nullptr : spec.opt_dir.c_str();
  plan.opt_mount_point = options_.opt_mount_point.c_str();
  plan.runtime_mount_point = options_.runtime_mount_point.c_str();
  plan.tmp_options = tmp_options.c_str();
  plan.shm_options = shm_options.c_str();
  plan.workdir = workdir.c_str();
  for (const std::string& p : cgroups.procs) plan.cgroup_procs.push_back(p.c_str());
  const std::vector<std::string> readonly_mounts =
      mount_ns ? WritableHostMounts() : std::vector<std::string>{};
  for (const std::string& m : readonly_mounts) plan.readonly_mounts.push_back(m.c_str());
  plan.seccomp = seccomp_.filter != nullptr ? &seccomp_ : nullptr;
  plan.max_processes = static_cast<rlim_t>(options_.max_processes);
  plan.max_open_files = static_cast<rlim_t>(options_.max_open_files);
  plan.argv = argv.data();
  plan.envp = envp.data();

  int out_pipe[2] = {-1, -1};
  int status_pipe[2] = {-1, -1};
  int control_socket[2] = {-1, -1};
  int input_pipe[2] = {-1, -1};
  int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
  if (devnull < 0 || pipe2(out_pipe, O_CLOEXEC) != 0 || pipe2(status_pipe, O_CLOEXEC) != 0 ||
      (spec.deferred && (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, control_socket) != 0 ||
                         pipe2(input_pipe, O_CLOEXEC) != 0))) {
    const std::string why = ErrnoText(errno);
    for (int fd : {out_pipe[0], out_pipe[1], status_pipe[0], status_pipe[1], control_socket[0],
                   control_socket[1], input_pipe[0], input_pipe[1], devnull}) {
      if (fd >= 0) close(fd);
    }
    release_host_resources();
    return Error::Make(ErrorCode::kUnavailable, "cannot create the environment's pipes: " + why);
  }
  plan.devnull_fd = devnull;
  plan.out_fd = out_pipe[1];
  plan.status_fd = status_pipe[1];
  plan.deferred = spec.deferred;
  plan.control_fd = control_socket[0];
  plan.input_fd = input_pipe[0];
  plan.feed_fd = input_pipe[1];
  const bool own_network = network_ != SandboxNetwork::kHost;
  int net_socket[2] = {-1, -1};
  if (own_network && socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, net_socket) != 0) {
    const std::string why = ErrnoText(errno);
    for (int fd : {out_pipe[0], out_pipe[1], status_pipe[0], status_pipe[1], control_socket[0],
                   control_socket[1], input_pipe[0], input_pipe[1], devnull}) {
      if (fd >= 0) close(fd);
    }
    release_host_resources();
    return Error::Make(ErrorCode::kUnavailable, "cannot create the network socket: " + why);
  }
  plan.new_net_ns = own_network;
  plan.new_user_ns = rootless_;
  if (network_ == SandboxNetwork::kNat && !options_.resolv_conf.empty()) {
    plan.resolv_conf = options_.resolv_conf.c_str();
  }
  plan.uid_map = uid_map_.c_str();
  plan.gid_map = gid_map_.c_str();
  for (const std::string& h : options_.hidden_paths) plan.hidden_paths.push_back(h.c_str());
  plan.wait_for_network = network_ == SandboxNetwork::kNat;
  plan.net_fd = net_socket[0];

  // Without root there is no uid switch: the environment keeps the server's uid, and that is
  // the uid its sockets belong to.
  observer.OnRunAs(uid >= 0 ? static_cast<uid_t>(uid) : geteuid());
  const int clone_flags = ns_flags_ | (own_network ? CLONE_NEWNET : 0) | SIGCHLD;
  pid_t pid = -1;
  int clone_errno = 0;
  RunOnThread([&] {
    pid = static_cast<pid_t>(syscall(SYS_clone, clone_flags, nullptr, nullptr, nullptr, nullptr));
    if (pid == 0) RunInit(plan);
    clone_errno = errno;
  });
  // The child has its copies; ours of the child's ends must go so that EOF means "gone".
  close(out_pipe[1]);
  close(status_pipe[1]);
  close(devnull);
  for (int fd : {control_socket[0], input_pipe[0], input_pipe[1], net_socket[0]}) {
    if (fd >= 0) close(fd);
  }
  if (pid < 0) {
    close(out_pipe[0]);
    close(status_pipe[0]);
    if (control_socket[1] >= 0) close(control_socket[1]);
    if (net_socket[1] >= 0) close(net_socket[1]);
    release_host_resources();
    return Error::Make(ErrorCode::kUnavailable,
                       "cannot start the environment's process: " + ErrnoText(clone_errno));
  }
  fcntl(out_pipe[0], F_SETFL, O_NONBLOCK);
  fcntl(status_pipe[0], F_SETFL, O_NONBLOCK);

  // The environment's own network: init sends the Runtime API's socket as soon as its namespace
  // is set up; a NAT is attached to that namespace and init told when it is ready. If init fails
  // first, the socket stays -1 and its status report (OnExit) tells why.
  int api_socket = -1;
  Nat nat;
  if (own_network) {
    // The namespace exists from the clone on: the NAT sets up while init mounts.
    Status nat_status = Status::Ok();
    if (network_ == SandboxNetwork::kNat) {
      auto started = StartNat(slirp4netns_, pid);
      if (started.ok()) {
        nat = started.value();
      } else {
        nat_status = started.error();
      }
    }
    api_socket = ReceiveSocket(net_socket[1], 10'000);
    if (api_socket >= 0 && network_ == SandboxNetwork::kNat) {
      if (nat_status.ok()) nat_status = AwaitNat(nat);
      if (nat_status.ok()) {
        const char go = 'G';
        if (write(net_socket[1], &go, 1) != 1) {
          LogWarn("sandbox: cannot tell environment " + spec.id +
                  " that its network is up: " + ErrnoText(errno));
        }
      } else {
        // Init sees the socket close without a word and reports a failed network set-up.
        LogWarn("sandbox: environment " + spec.id + ": " + nat_status.error().message);
      }
    }
    close(net_socket[1]);
  }

  static std::atomic<uint64_t> next_id{1};
  const uint64_t id = next_id++;
  auto state = std::make_shared<ProcessState>(*this, out_pipe[0], status_pipe[0], cgroups.oom_file,
                                              observer);
  Watch(id, state, out_pipe[0], status_pipe[0]);
  return std::unique_ptr<SandboxProcess>(std::make_unique<ProcessHandle>(
      *this, id, pid, plan.new_pid_ns, uid_lock_fd, std::move(cgroups), std::move(state),
      control_socket[1], api_socket, nat));
}

ProcessSandbox::ProcessSandbox(ProcessSandboxOptions options)
    : impl_(std::make_unique<Impl>(std::move(options))) {
  impl_->Init();
}

ProcessSandbox::~ProcessSandbox() = default;

Result<std::unique_ptr<SandboxProcess>> ProcessSandbox::Start(const SandboxSpec& spec,
                                                              SandboxObserver& observer) {
  return impl_->Start(spec, observer);
}

bool ProcessSandbox::isolated() const { return impl_->isolated(); }
bool ProcessSandbox::has_cgroups() const { return impl_->has_cgroups(); }
bool ProcessSandbox::CanDefer() const { return impl_->can_defer(); }
SandboxNetwork ProcessSandbox::network() const { return impl_->network(); }
bool ProcessSandbox::rootless() const { return impl_->rootless(); }
std::string ProcessSandbox::isolation_warning() const { return impl_->isolation_warning(); }
std::string ProcessSandbox::network_fallback() const { return impl_->network_fallback(); }

std::string_view SandboxNetworkName(SandboxNetwork network) {
  switch (network) {
    case SandboxNetwork::kHost:
      return "host";
    case SandboxNetwork::kNone:
      return "none";
    case SandboxNetwork::kNat:
      return "nat";
  }
  return "host";
}

}  // namespace lambdalite::executor
