#include "queue/crash_test_support.h"

#include <poll.h>
#include <signal.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <exception>
#include <string>

namespace lambdalite::queue::testing_support {
namespace {

// Writes all of `data` (one line: a single write, so concurrent lines do not interleave).
void WriteAll(int fd, std::string_view data) {
  while (!data.empty()) {
    ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return;  // the parent is gone; nothing useful to do
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
}

Error SysError(const std::string& what) {
  return Error::Make(ErrorCode::kInternal, "crash test: " + what + ": " + std::strerror(errno));
}

}  // namespace

Result<CrashReport> RunAndKill(const std::function<void(const ReportFn& report)>& body,
                               size_t kill_after, std::chrono::milliseconds timeout) {
  int fds[2];
  if (::pipe(fds) != 0) return SysError("pipe");
  const pid_t pid = ::fork();
  if (pid < 0) {
    ::close(fds[0]);
    ::close(fds[1]);
    return SysError("fork");
  }
  if (pid == 0) {
    // Child. _exit, never exit: the parent's atexit handlers and buffers are not ours to run.
    ::close(fds[0]);
    const int out = fds[1];
    int code = 0;
    try {
      body([out](std::string_view line) { WriteAll(out, std::string(line) + "\n"); });
    } catch (...) {
      code = 2;
    }
    ::_exit(code);
  }

  ::close(fds[1]);
  CrashReport report;
  std::string buffer;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  // Read until EOF: the write end closes when the child dies, killed or not.
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0 && !report.killed) {
      timed_out = true;
      ::kill(pid, SIGKILL);
      report.killed = true;
    }
    pollfd p{fds[0], POLLIN, 0};
    const int ready = ::poll(&p, 1, static_cast<int>(std::max<int64_t>(left.count(), 100)));
    if (ready < 0 && errno != EINTR) break;
    if (ready <= 0) continue;
    char chunk[4096];
    const ssize_t n = ::read(fds[0], chunk, sizeof(chunk));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    buffer.append(chunk, static_cast<size_t>(n));
    size_t newline;
    while ((newline = buffer.find('\n')) != std::string::npos) {
      report.lines.push_back(buffer.substr(0, newline));
      buffer.erase(0, newline + 1);
      if (kill_after > 0 && !report.killed && report.lines.size() >= kill_after) {
        ::kill(pid, SIGKILL);
        report.killed = true;
      }
    }
  }
  ::close(fds[0]);
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Error::Make(ErrorCode::kInternal, "crash test: the child ran past its timeout");
  }
  if (WIFEXITED(status)) {
    // It exited before the kill landed.
    report.killed = false;
    report.exit_code = WEXITSTATUS(status);
  }
  return report;
}

}  // namespace lambdalite::queue::testing_support
