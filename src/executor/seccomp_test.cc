#include "executor/seccomp.h"

#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace lambdalite::executor {
namespace {

#ifndef __NR_clone3
#define __NR_clone3 435
#endif

// Runs `body` in a forked child under the filter and returns what it wrote to its output (one
// line per failed expectation) and its wait status.
struct ChildResult {
  std::string output;
  int status = 0;
};

ChildResult RunFiltered(const SeccompOptions& options, const std::function<void(int out)>& body) {
  std::vector<sock_filter> program = BuildSeccompProgram(options);
  int fds[2];
  if (pipe(fds) != 0) return {"pipe failed", -1};
  pid_t pid = fork();
  if (pid == 0) {
    close(fds[0]);
    sock_fprog prog{static_cast<unsigned short>(program.size()), program.data()};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (int err = InstallSeccompProgram(prog); err != 0) {
      dprintf(fds[1], "install failed: %s\n", strerror(err));
      _exit(1);
    }
    body(fds[1]);
    _exit(0);
  }
  close(fds[1]);
  ChildResult result;
  char buf[4096];
  ssize_t n;
  while ((n = read(fds[0], buf, sizeof buf)) > 0) result.output.append(buf, static_cast<size_t>(n));
  close(fds[0]);
  waitpid(pid, &result.status, 0);
  return result;
}

// Reports (to `out`) a call that did not fail with `expected`.
void ExpectErrno(int out, const char* what, long rc, int expected) {
  if (rc == -1 && errno == expected) return;
  dprintf(out, "%s: rc=%ld errno=%s, expected %s\n", what, rc, strerrorname_np(errno),
          strerrorname_np(expected));
}

void ExpectOk(int out, const char* what, long rc) {
  if (rc != -1) return;
  dprintf(out, "%s failed: %s\n", what, strerrorname_np(errno));
}

bool Supported() { return !BuildSeccompProgram({}).empty(); }

TEST(SeccompTest, BuildsAProgramForThisArchitecture) {
#if defined(__x86_64__) || defined(__aarch64__)
  EXPECT_FALSE(BuildSeccompProgram({}).empty());
  EXPECT_FALSE(BuildSeccompProgram({.allow_user_namespaces = true}).empty());
  EXPECT_LT(BuildSeccompProgram({}).size(), 200u);
#else
  EXPECT_TRUE(BuildSeccompProgram({}).empty());
#endif
}

TEST(SeccompTest, RefusesWhatAFunctionNeverNeeds) {
  if (!Supported()) GTEST_SKIP() << "no filter for this architecture";
  ChildResult r = RunFiltered({}, [](int out) {
    ExpectErrno(out, "ptrace", ptrace(PTRACE_ATTACH, getppid(), nullptr, nullptr), EPERM);
    ExpectErrno(out, "process_vm_readv",
                syscall(SYS_process_vm_readv, getppid(), nullptr, 0, nullptr, 0, 0), EPERM);
    ExpectErrno(out, "process_vm_writev",
                syscall(SYS_process_vm_writev, getppid(), nullptr, 0, nullptr, 0, 0), EPERM);
    ExpectErrno(out, "kcmp", syscall(SYS_kcmp, getpid(), getppid(), 0, 0, 0), EPERM);
    ExpectErrno(out, "kexec_load", syscall(SYS_kexec_load, 0, 0, nullptr, 0), EPERM);
    ExpectErrno(out, "kexec_file_load", syscall(SYS_kexec_file_load, -1, -1, 0, "", 0), EPERM);
    ExpectErrno(out, "reboot", syscall(SYS_reboot, 0, 0, 0, nullptr), EPERM);
    ExpectErrno(out, "init_module", syscall(SYS_init_module, nullptr, 0, ""), EPERM);
    ExpectErrno(out, "finit_module", syscall(SYS_finit_module, -1, "", 0), EPERM);
    ExpectErrno(out, "delete_module", syscall(SYS_delete_module, "nothing", 0), EPERM);
    ExpectErrno(out, "mount", mount("none", "/nonexistent", "tmpfs", 0, nullptr), EPERM);
    ExpectErrno(out, "umount2", umount2("/nonexistent", 0), EPERM);
    ExpectErrno(out, "pivot_root", syscall(SYS_pivot_root, "/nonexistent", "/nonexistent"), EPERM);
    ExpectErrno(out, "open_tree", syscall(428, AT_FDCWD, "/", 0), EPERM);
    ExpectErrno(out, "move_mount", syscall(429, -1, "", -1, "", 0), EPERM);
    ExpectErrno(out, "fsopen", syscall(430, "tmpfs", 0), EPERM);
    ExpectErrno(out, "fsmount", syscall(432, -1, 0, 0), EPERM);
    ExpectErrno(out, "fspick", syscall(433, AT_FDCWD, "/", 0), EPERM);
    ExpectErrno(out, "mount_setattr", syscall(442, AT_FDCWD, "/", 0, nullptr, 0), EPERM);
    ExpectErrno(out, "swapon", syscall(SYS_swapon, "/nonexistent", 0), EPERM);
    ExpectErrno(out, "swapoff", syscall(SYS_swapoff, "/nonexistent"), EPERM);
    ExpectErrno(out, "setns", syscall(SYS_setns, -1, 0), EPERM);
    ExpectErrno(out, "unshare(NEWUSER)", unshare(CLONE_NEWUSER), EPERM);
    ExpectErrno(out, "unshare(NEWNS)", unshare(CLONE_NEWNS), EPERM);
    ExpectErrno(out, "unshare(NEWNET)", unshare(CLONE_NEWNET), EPERM);
    ExpectErrno(out, "unshare(NEWTIME)", unshare(0x80), EPERM);
    ExpectErrno(out, "clone(NEWUSER)",
                syscall(SYS_clone, CLONE_NEWUSER | SIGCHLD, nullptr, nullptr, nullptr, nullptr),
                EPERM);
    ExpectErrno(out, "clone(NEWPID)",
                syscall(SYS_clone, CLONE_NEWPID | SIGCHLD, nullptr, nullptr, nullptr, nullptr),
                EPERM);
    ExpectErrno(out, "clone(NEWCGROUP)",
                syscall(SYS_clone, CLONE_NEWCGROUP | SIGCHLD, nullptr, nullptr, nullptr, nullptr),
                EPERM);
    ExpectErrno(out, "clone3", syscall(__NR_clone3, nullptr, 0), ENOSYS);
    ExpectErrno(out, "bpf", syscall(SYS_bpf, 0, nullptr, 0), EPERM);
    ExpectErrno(out, "perf_event_open", syscall(SYS_perf_event_open, nullptr, 0, -1, -1, 0), EPERM);
    ExpectErrno(out, "keyctl", syscall(SYS_keyctl, 0, 0, 0, 0, 0), EPERM);
    ExpectErrno(out, "add_key", syscall(SYS_add_key, "user", "x", "y", 1, 0), EPERM);
    ExpectErrno(out, "request_key", syscall(SYS_request_key, "user", "x", nullptr, 0), EPERM);
    ExpectErrno(out, "userfaultfd", syscall(SYS_userfaultfd, 0), EPERM);
    ExpectErrno(out, "acct", syscall(SYS_acct, nullptr), EPERM);
    ExpectErrno(out, "settimeofday", syscall(SYS_settimeofday, nullptr, nullptr), EPERM);
    ExpectErrno(out, "clock_settime", syscall(SYS_clock_settime, 0, nullptr), EPERM);
    ExpectErrno(out, "adjtimex", syscall(SYS_adjtimex, nullptr), EPERM);
    ExpectErrno(out, "quotactl", syscall(SYS_quotactl, 0, nullptr, 0, nullptr), EPERM);
    ExpectErrno(out, "lookup_dcookie", syscall(SYS_lookup_dcookie, 0, nullptr, 0), EPERM);
    ExpectErrno(out, "syslog", syscall(SYS_syslog, 3, nullptr, 0), EPERM);
    ExpectErrno(out, "open_by_handle_at", syscall(SYS_open_by_handle_at, -1, nullptr, 0), EPERM);
    ExpectErrno(out, "name_to_handle_at",
                syscall(SYS_name_to_handle_at, AT_FDCWD, "/", nullptr, nullptr, 0), EPERM);
    ExpectErrno(out, "personality(ADDR_NO_RANDOMIZE)", personality(ADDR_NO_RANDOMIZE), EPERM);
#if defined(__x86_64__)
    ExpectErrno(out, "iopl", syscall(SYS_iopl, 3), EPERM);
    ExpectErrno(out, "ioperm", syscall(SYS_ioperm, 0, 1, 1), EPERM);
    ExpectErrno(out, "x32 getpid", syscall(0x40000000 | SYS_getpid), ENOSYS);
#endif
  });
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.status;
  EXPECT_EQ(r.output, "");
}

TEST(SeccompTest, LetsOrdinaryProgramsRun) {
  if (!Supported()) GTEST_SKIP() << "no filter for this architecture";
  ChildResult r = RunFiltered({}, [](int out) {
    char byte = 'x';
    int p[2];
    ExpectOk(out, "pipe", pipe(p));
    ExpectOk(out, "write", write(p[1], &byte, 1));
    ExpectOk(out, "read", read(p[0], &byte, 1));
    ExpectOk(out, "personality query", personality(0xffffffff));
    ExpectOk(out, "personality(PER_LINUX)", personality(PER_LINUX));
    ExpectOk(out, "unshare(CLONE_FS)", unshare(CLONE_FS));
    ExpectOk(out, "unshare(CLONE_FILES)", unshare(CLONE_FILES));
    ExpectOk(out, "getpid", getpid());
    // Threads: glibc tries clone3, gets ENOSYS and falls back to clone with thread flags.
    bool ran = false;
    std::thread([&] { ran = true; }).join();
    if (!ran) dprintf(out, "thread did not run\n");
    // fork (clone with SIGCHLD and the tid flags) and execve.
    pid_t child = fork();
    if (child == 0) {
      execl("/bin/sh", "sh", "-c", "exit 7", static_cast<char*>(nullptr));
      _exit(99);
    }
    ExpectOk(out, "fork", child);
    int st = 0;
    waitpid(child, &st, 0);
    if (!WIFEXITED(st) || WEXITSTATUS(st) != 7) dprintf(out, "exec'd shell: status %d\n", st);
  });
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.status;
  EXPECT_EQ(r.output, "");
}

TEST(SeccompTest, InstallsWithoutPrivileges) {
  if (!Supported()) GTEST_SKIP() << "no filter for this architecture";
  // As an unprivileged sandbox (no root, no uid switch) runs it: no_new_privs is all it takes.
  pid_t pid = fork();
  if (pid == 0) {
    if (geteuid() == 0 && (setgid(65534) != 0 || setuid(65534) != 0)) _exit(2);
    std::vector<sock_filter> program = BuildSeccompProgram({});
    sock_fprog prog{static_cast<unsigned short>(program.size()), program.data()};
    prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    if (InstallSeccompProgram(prog) != 0) _exit(3);
    _exit(unshare(CLONE_NEWUSER) == -1 && errno == EPERM ? 0 : 4);
  }
  int st = 0;
  waitpid(pid, &st, 0);
  EXPECT_TRUE(WIFEXITED(st)) << st;
  EXPECT_EQ(WEXITSTATUS(st), 0);
}

TEST(SeccompTest, TheFilterSurvivesExecve) {
  if (!Supported()) GTEST_SKIP() << "no filter for this architecture";
  // unshare(1) as a separate program: refused by the inherited filter.
  ChildResult r = RunFiltered({}, [](int out) {
    dup2(out, 1);
    dup2(out, 2);
    execl("/bin/sh", "sh", "-c", "unshare -U true 2>/dev/null && echo unshared || echo refused",
          static_cast<char*>(nullptr));
    _exit(99);
  });
  EXPECT_EQ(r.output, "refused\n");
}

#if defined(__x86_64__)
TEST(SeccompTest, AForeignArchitectureCallKillsTheProcess) {
  if (!Supported()) GTEST_SKIP() << "no filter for this architecture";
  ChildResult r = RunFiltered({}, [](int) {
    long ret = 20;  // i386 getpid, through the 32-bit entry point
    asm volatile("int $0x80" : "+a"(ret) : : "memory");
    _exit(3);
  });
  ASSERT_TRUE(WIFSIGNALED(r.status)) << r.status;
  EXPECT_EQ(WTERMSIG(r.status), SIGSYS);
}
#endif

TEST(SeccompTest, UserNamespacesWhenAllowed) {
  if (!Supported()) GTEST_SKIP() << "no filter for this architecture";
  // Does the kernel itself let this process create a user namespace?
  pid_t probe = fork();
  if (probe == 0) _exit(unshare(CLONE_NEWUSER) == 0 ? 0 : 1);
  int st = 0;
  waitpid(probe, &st, 0);
  if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) GTEST_SKIP() << "the kernel refuses user namespaces";
  ChildResult r = RunFiltered({.allow_user_namespaces = true}, [](int out) {
    ExpectOk(out, "unshare(NEWUSER)", unshare(CLONE_NEWUSER));
    ExpectErrno(out, "ptrace", ptrace(PTRACE_ATTACH, getppid(), nullptr, nullptr), EPERM);
    ExpectErrno(out, "bpf", syscall(SYS_bpf, 0, nullptr, 0), EPERM);
  });
  EXPECT_TRUE(WIFEXITED(r.status) && WEXITSTATUS(r.status) == 0) << r.status;
  EXPECT_EQ(r.output, "");
}

}  // namespace
}  // namespace lambdalite::executor
