#include "executor/process_sandbox.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <condition_variable>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>
#include <vector>

#include "executor/test_support.h"

namespace lambdalite::executor {
namespace {

class Recorder final : public SandboxObserver {
 public:
  void OnRunAs(uid_t uid) override {
    std::lock_guard lock(mu_);
    run_as_ = uid;
  }
  void OnOutput(std::string_view bytes) override {
    std::lock_guard lock(mu_);
    output_.append(bytes);
  }
  void OnExit(const SandboxExit& exit) override {
    std::lock_guard lock(mu_);
    exit_ = exit;
    cv_.notify_all();
  }
  std::optional<SandboxExit> WaitForExit() {
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, std::chrono::seconds(10), [&] { return exit_.has_value(); });
    return exit_;
  }
  std::string output() {
    std::lock_guard lock(mu_);
    return output_;
  }
  std::optional<uid_t> run_as() {
    std::lock_guard lock(mu_);
    return run_as_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::string output_;
  std::optional<SandboxExit> exit_;
  std::optional<uid_t> run_as_;
};

ProcessSandboxOptions TestOptions() {
  ProcessSandboxOptions options;
  options.uid_base = 980000;
  options.uid_count = 1000;
  options.lock_dir = "/run/lambdalite-test/uids";
  options.cgroup_name = "lambdalite-test";
  return options;
}

class ProcessSandboxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { sandbox_ = new ProcessSandbox(TestOptions()); }
  static void TearDownTestSuite() {
    delete sandbox_;
    sandbox_ = nullptr;
  }

  SandboxSpec Spec(std::vector<std::string> argv) {
    SandboxSpec spec;
    spec.id = "t" + std::to_string(++counter_) + "-" + std::to_string(getpid());
    spec.code_dir = code_.path();
    chmod(code_.path().c_str(), 0755);  // the sandbox's uid must be able to enter /var/task
    spec.argv = std::move(argv);
    spec.env = {{"PATH", "/usr/bin:/bin"}, {"GREETING", "hello"}};
    return spec;
  }

  static ProcessSandbox* sandbox_;
  static int counter_;
  testing::TempDir code_;
};

ProcessSandbox* ProcessSandboxTest::sandbox_ = nullptr;
int ProcessSandboxTest::counter_ = 0;

TEST_F(ProcessSandboxTest, CapturesOutputAndExitStatus) {
  Recorder recorder;
  auto process =
      sandbox_->Start(Spec({"/bin/sh", "-c", "echo $GREETING; echo oops >&2; exit 3"}), recorder);
  ASSERT_TRUE(process.ok()) << process.error().message;
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->kind, SandboxExit::Kind::kExited) << exit->detail;
  EXPECT_EQ(exit->code, 3);
  EXPECT_EQ(recorder.output(), "hello\noops\n");
}

TEST_F(ProcessSandboxTest, ReportsExecFailure) {
  Recorder recorder;
  auto process = sandbox_->Start(Spec({"/var/task/no-such-bootstrap"}), recorder);
  ASSERT_TRUE(process.ok());
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->kind, SandboxExit::Kind::kExecFailed);
  EXPECT_EQ(exit->error, ENOENT);
}

TEST_F(ProcessSandboxTest, ReportsDeathBySignal) {
  Recorder recorder;
  auto process = sandbox_->Start(Spec({"/bin/sh", "-c", "kill -SEGV $$"}), recorder);
  ASSERT_TRUE(process.ok());
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->kind, SandboxExit::Kind::kSignaled);
  EXPECT_EQ(exit->signal, SIGSEGV);
}

TEST_F(ProcessSandboxTest, KillEndsTheEnvironment) {
  Recorder recorder;
  auto process = sandbox_->Start(Spec({"/bin/sleep", "60"}), recorder);
  ASSERT_TRUE(process.ok());
  (*process)->Kill();
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->kind, SandboxExit::Kind::kKilled);
}

TEST_F(ProcessSandboxTest, DestroyingARunningProcessCleansUp) {
  Recorder recorder;
  auto process = sandbox_->Start(Spec({"/bin/sh", "-c", "sleep 60 & sleep 60"}), recorder);
  ASSERT_TRUE(process.ok());
  const int pid = (*process)->pid();
  process->reset();
  EXPECT_NE(kill(pid, 0), 0);  // reaped
}

TEST_F(ProcessSandboxTest, ReportsPeakMemory) {
  Recorder recorder;
  auto process = sandbox_->Start(Spec({"/bin/sleep", "60"}), recorder);
  ASSERT_TRUE(process.ok());
  // With cgroups: the group's peak; without: the runtime's VmHWM. Either way, more than nothing.
  int64_t peak = 0;
  for (int i = 0; i < 100 && peak == 0; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
    peak = (*process)->MaxMemoryUsedBytes();
  }
  EXPECT_GT(peak, 0);
  EXPECT_LT(peak, 64 * 1024 * 1024);
}

TEST_F(ProcessSandboxTest, RejectsBadSpecs) {
  Recorder recorder;
  SandboxSpec spec = Spec({"relative/path"});
  EXPECT_FALSE(sandbox_->Start(spec, recorder).ok());
  spec = Spec({"/bin/true"});
  spec.id = "../escape";
  EXPECT_FALSE(sandbox_->Start(spec, recorder).ok());
}

TEST_F(ProcessSandboxTest, ReportsTheUidItRunsAsBeforeTheRuntimeStarts) {
  // With root, the environment's own uid; without, the server's (no uid switch).
  Recorder recorder;
  auto process = sandbox_->Start(Spec({"/bin/sh", "-c", "id -u"}), recorder);
  ASSERT_TRUE(process.ok());
  const std::optional<uid_t> reported = recorder.run_as();  // already known when Start returns
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  ASSERT_TRUE(reported.has_value());
  EXPECT_EQ(recorder.output(), std::to_string(*reported) + "\n");
  if (geteuid() == 0) {
    EXPECT_GE(*reported, 980000u);
  } else {
    EXPECT_EQ(*reported, geteuid());
  }
}

TEST_F(ProcessSandboxTest, RunsAsAnUnprivilegedUserInItsOwnNamespaces) {
  if (geteuid() != 0) GTEST_SKIP() << "needs root";
  Recorder recorder;
  auto process = sandbox_->Start(
      Spec({"/bin/sh", "-c", "id -u; id -G; echo $$; hostname; pwd; ls /proc | grep -c '^[0-9]'"}),
      recorder);
  ASSERT_TRUE(process.ok());
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->kind, SandboxExit::Kind::kExited) << exit->detail;
  std::istringstream lines(recorder.output());
  std::string uid, groups, pid, hostname, cwd, procs;
  std::getline(lines, uid);
  std::getline(lines, groups);
  std::getline(lines, pid);
  std::getline(lines, hostname);
  std::getline(lines, cwd);
  std::getline(lines, procs);
  EXPECT_GE(std::stoi(uid), 980000);
  EXPECT_EQ(groups, uid);  // no supplementary groups
  EXPECT_EQ(pid, "2");     // pid 1 is the sandbox's init
  EXPECT_EQ(hostname, "localhost");
  EXPECT_EQ(cwd, "/var/task");
  EXPECT_LE(std::stoi(procs), 5);  // only the environment's own processes are visible
}

TEST_F(ProcessSandboxTest, DeferredStartShowsTheCodeAndInputOnActivation) {
  if (!sandbox_->CanDefer()) GTEST_SKIP() << "needs a mount namespace";
  // Below /tmp on purpose: the environment's own /tmp hides that host path from its init, so the
  // code must travel as a detached mount.
  char tmpl[] = "/tmp/lambdalite-deferred-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string code_dir = tmpl;
  struct Cleanup {
    std::string dir;
    ~Cleanup() { std::filesystem::remove_all(dir); }
  } cleanup{code_dir};
  chmod(code_dir.c_str(), 0755);
  { std::ofstream(code_dir + "/greeting.txt") << "from the code\n"; }
  chmod((code_dir + "/greeting.txt").c_str(), 0644);
  Recorder recorder;
  // The runtime starts before its code exists: /var/task is empty until the input's end.
  SandboxSpec spec = Spec({"/bin/sh", "-c",
                           "ls -A /var/task | wc -l; input=$(cat); cat /var/task/greeting.txt; "
                           "echo \"$input\"; pwd"});
  spec.code_dir.clear();
  spec.deferred = true;
  auto process = sandbox_->Start(spec, recorder);
  ASSERT_TRUE(process.ok()) << process.error().message;
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  Status activated = (*process)->Activate(code_dir, 256, "the input");
  ASSERT_TRUE(activated.ok()) << activated.error().message;
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->kind, SandboxExit::Kind::kExited) << exit->detail;
  EXPECT_EQ(recorder.output(), "0\nfrom the code\nthe input\n/\n");
  // Once only.
  EXPECT_EQ((*process)->Activate(code_.path(), 256, "").error().code, ErrorCode::kInvalidParameter);
}

TEST_F(ProcessSandboxTest, ActivationSetsTheMemoryLimit) {
  if (!sandbox_->CanDefer() || !sandbox_->has_cgroups()) GTEST_SKIP() << "needs cgroups";
  Recorder recorder;
  SandboxSpec spec = Spec({"/bin/sh", "-c", "cat >/dev/null; sleep 60"});
  spec.deferred = true;
  spec.memory_mb = 128;
  auto process = sandbox_->Start(spec, recorder);
  ASSERT_TRUE(process.ok()) << process.error().message;
  ASSERT_TRUE((*process)->Activate(code_.path(), 512, "").ok());
  const std::string v1 =
      "/sys/fs/cgroup/memory/lambdalite-test/" + spec.id + "/memory.limit_in_bytes";
  const std::string v2 = "/sys/fs/cgroup/lambdalite-test/" + spec.id + "/memory.max";
  std::ifstream in(access(v1.c_str(), F_OK) == 0 ? v1 : v2);
  int64_t limit = 0;
  in >> limit;
  EXPECT_EQ(limit, int64_t{512} * 1024 * 1024);
}

TEST_F(ProcessSandboxTest, DiscardingAnUnactivatedStartEndsIt) {
  if (!sandbox_->CanDefer()) GTEST_SKIP() << "needs a mount namespace";
  Recorder recorder;
  SandboxSpec spec = Spec({"/bin/sh", "-c", "cat; sleep 60"});
  spec.deferred = true;
  auto process = sandbox_->Start(spec, recorder);
  ASSERT_TRUE(process.ok());
  const int pid = (*process)->pid();
  process->reset();
  EXPECT_NE(kill(pid, 0), 0);
}

TEST_F(ProcessSandboxTest, ActivateNeedsADeferredStart) {
  Recorder recorder;
  auto process = sandbox_->Start(Spec({"/bin/sleep", "60"}), recorder);
  ASSERT_TRUE(process.ok());
  EXPECT_EQ((*process)->Activate(code_.path(), 128, "").error().code, ErrorCode::kInvalidParameter);
}

TEST_F(ProcessSandboxTest, DevHoldsOnlyTheUsualDevices) {
  if (geteuid() != 0 && !sandbox_->rootless()) GTEST_SKIP() << "needs a mount namespace";
  Recorder recorder;
  auto process = sandbox_->Start(
      Spec({"/bin/sh", "-c",
            "ls -A /dev | tr '\\n' ' '; echo; echo x > /dev/null && echo null-ok; "
            "head -c 5 /dev/urandom | wc -c; head -c 3 /dev/zero | wc -c; "
            "echo x > /dev/full 2>/dev/null || echo full-refuses; "
            "readlink /dev/fd /dev/stdin; touch /dev/new 2>/dev/null || echo dev-read-only; "
            "touch /dev/shm/x && echo shm-writable"}),
      recorder);
  ASSERT_TRUE(process.ok()) << process.error().message;
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->kind, SandboxExit::Kind::kExited) << exit->detail << recorder.output();
  EXPECT_EQ(recorder.output(),
            "fd full null ptmx pts random shm stderr stdin stdout tty urandom zero \n"
            "null-ok\n5\n3\nfull-refuses\n/proc/self/fd\n/proc/self/fd/0\ndev-read-only\n"
            "shm-writable\n");
}

TEST_F(ProcessSandboxTest, PseudoTerminalsComeFromAPrivateDevpts) {
  if (geteuid() != 0 && !sandbox_->rootless()) GTEST_SKIP() << "needs a mount namespace";
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "needs /usr/bin/python3";
  Recorder recorder;
  auto process = sandbox_->Start(Spec({"/usr/bin/python3", "-c",
                                       "import os; m, s = os.openpty(); print(os.ttyname(s)); "
                                       "print(sorted(os.listdir('/dev/pts')))"}),
                                 recorder);
  ASSERT_TRUE(process.ok()) << process.error().message;
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->kind, SandboxExit::Kind::kExited) << exit->detail << recorder.output();
  // The first terminal of a fresh instance, and none of the host's.
  EXPECT_EQ(recorder.output(), "/dev/pts/0\n['0', 'ptmx']\n");
}

TEST_F(ProcessSandboxTest, OnlyTmpAndDevShmAreWritable) {
  if (geteuid() != 0 && !sandbox_->rootless()) GTEST_SKIP() << "needs a mount namespace";
  // A writable host mount besides "/" (as /run, /home or a data disk often are) must be
  // read-only inside too (root only: mounting it here takes root).
  const bool root = geteuid() == 0;
  char tmpl[] = "/var/tmp/lambdalite-rw-mount-XXXXXX";
  ASSERT_NE(mkdtemp(tmpl), nullptr);
  const std::string extra = tmpl;
  if (root) {
    ASSERT_EQ(mount("tmpfs", extra.c_str(), "tmpfs", 0, "size=1m,mode=1777"), 0) << strerror(errno);
  } else {
    chmod(extra.c_str(), 01777);
  }
  struct Cleanup {
    std::string dir;
    bool mounted;
    ~Cleanup() {
      if (mounted) umount2(dir.c_str(), MNT_DETACH);
      std::filesystem::remove_all(dir);
    }
  } cleanup{extra, root};
  Recorder recorder;
  const std::string script =
      "for d in / /etc /opt /root /var/task /var/runtime /var/tmp /usr /dev " + extra +
      "; do if touch $d/lambdalite-probe 2>/dev/null; then echo \"$d writable\"; fi; done; "
      "touch /tmp/x /dev/shm/x && echo tmp-and-shm-writable";
  auto process = sandbox_->Start(Spec({"/bin/sh", "-c", script}), recorder);
  ASSERT_TRUE(process.ok()) << process.error().message;
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(recorder.output(), "tmp-and-shm-writable\n");
  EXPECT_FALSE(std::filesystem::exists(extra + "/lambdalite-probe"));
  // Still writable on the host: the environment's view changed, not the mount.
  EXPECT_TRUE(std::ofstream(extra + "/host-write").good());
}

TEST_F(ProcessSandboxTest, RefusesMountsNamespacesAndPtrace) {
  if (access("/usr/bin/python3", X_OK) != 0) GTEST_SKIP() << "needs /usr/bin/python3";
  Recorder recorder;
  // Each line: the call and the errno it failed with (0: it succeeded).
  const char* probe =
      "import ctypes, os, subprocess, threading\n"
      "libc = ctypes.CDLL(None, use_errno=True)\n"
      "def call(name, *args):\n"
      "    rc = getattr(libc, name)(*args)\n"
      "    print(name, ctypes.get_errno() if rc == -1 else 0)\n"
      "call('unshare', 0x10000000)\n"                         // CLONE_NEWUSER
      "call('unshare', 0x00020000)\n"                         // CLONE_NEWNS
      "call('mount', b'none', b'/tmp', b'tmpfs', 0, None)\n"  //
      "call('ptrace', 0, 0, None, None)\n"                    // PTRACE_TRACEME
      "call('personality', 0x0040000)\n"                      // ADDR_NO_RANDOMIZE
      "t = threading.Thread(target=lambda: print('thread ran')); t.start(); t.join()\n"
      "print(subprocess.run(['/bin/echo', 'exec ran'], capture_output=True).stdout.decode(), "
      "end='')\n"
      "print(subprocess.run(['unshare', '-U', 'true'], capture_output=True).returncode != 0)\n";
  auto process = sandbox_->Start(Spec({"/usr/bin/python3", "-c", probe}), recorder);
  ASSERT_TRUE(process.ok()) << process.error().message;
  auto exit = recorder.WaitForExit();
  ASSERT_TRUE(exit.has_value());
  EXPECT_EQ(exit->kind, SandboxExit::Kind::kExited) << exit->detail << recorder.output();
  EXPECT_EQ(recorder.output(),
            "unshare 1\nunshare 1\nmount 1\nptrace 1\npersonality 1\nthread ran\nexec ran\n"
            "True\n");
}

std::string ReadTrimmed(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  std::getline(in, text);
  return text;
}

// The cgroup version the sandbox uses is the host's: v1 (memory and pids controllers mounted
// under /sys/fs/cgroup) or v2 (the unified hierarchy mounted at /sys/fs/cgroup with the memory
// and pids controllers). Each branch runs only on a host of its kind.
TEST_F(ProcessSandboxTest, TheRuntimeRunsInItsOwnLimitedCgroups) {
  if (!sandbox_->has_cgroups()) GTEST_SKIP() << "needs cgroups (root)";
  namespace fs = std::filesystem;
  const bool v2 = access("/sys/fs/cgroup/cgroup.controllers", F_OK) == 0;
  Recorder recorder;
  SandboxSpec spec = Spec({"/bin/sh", "-c", "cat /proc/self/cgroup; echo end; exec sleep 60"});
  spec.memory_mb = 192;
  auto process = sandbox_->Start(spec, recorder);
  ASSERT_TRUE(process.ok()) << process.error().message;
  for (int i = 0; i < 500 && recorder.output().find("end\n") == std::string::npos; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  const std::string output = recorder.output();
  const std::string group = "/lambdalite-test/" + spec.id;
  const std::string limit = std::to_string(int64_t{192} * 1024 * 1024);
  std::vector<std::string> dirs;
  if (v2) {
    const std::string dir = "/sys/fs/cgroup" + group;
    dirs.push_back(dir);
    EXPECT_NE(output.find("0::" + group + "\n"), std::string::npos) << output;
    EXPECT_EQ(ReadTrimmed(dir + "/memory.max"), limit);
    EXPECT_EQ(ReadTrimmed(dir + "/pids.max"), "1024");
    if (fs::exists(dir + "/memory.swap.max")) {
      EXPECT_EQ(ReadTrimmed(dir + "/memory.swap.max"), "0");
    }
    EXPECT_NE(ReadTrimmed(dir + "/cgroup.procs"), "");
  } else {
    const std::string memory = "/sys/fs/cgroup/memory" + group;
    const std::string pids = "/sys/fs/cgroup/pids" + group;
    dirs = {memory, pids};
    EXPECT_NE(output.find(":memory:" + group + "\n"), std::string::npos) << output;
    EXPECT_NE(output.find(":pids:" + group + "\n"), std::string::npos) << output;
    EXPECT_EQ(ReadTrimmed(memory + "/memory.limit_in_bytes"), limit);
    EXPECT_EQ(ReadTrimmed(pids + "/pids.max"), "1024");
    EXPECT_NE(ReadTrimmed(memory + "/cgroup.procs"), "");
  }
  EXPECT_GT((*process)->MaxMemoryUsedBytes(), 0);
  process->reset();
  for (const std::string& dir : dirs) EXPECT_FALSE(fs::exists(dir)) << dir;
}

TEST(RemoveStaleCgroupsTest, RemovesOnlyOldEmptyDirectories) {
  namespace fs = std::filesystem;
  testing::TempDir dir;
  const fs::path parent = fs::path(dir.path()) / "lambdalite";
  for (const char* name : {"old-empty", "old-busy", "new-empty"}) {
    fs::create_directories(parent / name);
  }
  std::ofstream(parent / "old-busy" / "cgroup.procs") << "123\n";  // rmdir refuses it
  std::ofstream(parent / "a-file") << "not a cgroup";
  const auto old = fs::file_time_type::clock::now() - std::chrono::minutes(5);
  fs::last_write_time(parent / "old-empty", old);
  fs::last_write_time(parent / "old-busy", old);

  EXPECT_EQ(RemoveStaleCgroups(parent.string(), std::chrono::seconds(60)), 1);
  EXPECT_FALSE(fs::exists(parent / "old-empty"));
  EXPECT_TRUE(fs::exists(parent / "old-busy"));
  EXPECT_TRUE(fs::exists(parent / "new-empty"));
  EXPECT_TRUE(fs::exists(parent / "a-file"));
  EXPECT_EQ(RemoveStaleCgroups((parent / "missing").string(), std::chrono::seconds(60)), 0);
}

}  // namespace
}  // namespace lambdalite::executor
