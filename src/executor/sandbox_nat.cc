#include "executor/sandbox_nat.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <sstream>
#include <vector>

extern "C" char** environ;

namespace lambdalite::executor::sandbox_internal {

namespace {
std::string ErrnoText(int err) { return std::strerror(err); }
}  // namespace

bool WaitReadable(int fd, int timeout_ms) {
  struct pollfd p = {fd, POLLIN, 0};
  int n;
  do {
    n = poll(&p, 1, timeout_ms);
  } while (n < 0 && errno == EINTR);
  return n == 1;
}

std::string FindProgram(const std::string& program) {
  if (program.find('/') != std::string::npos) {
    return access(program.c_str(), X_OK) == 0 ? program : "";
  }
  const char* path = getenv("PATH");
  std::string dirs = path != nullptr ? path : "/usr/local/bin:/usr/bin:/bin";
  dirs += ":/usr/sbin:/sbin";
  std::stringstream stream(dirs);
  std::string dir;
  while (std::getline(stream, dir, ':')) {
    if (dir.empty()) continue;
    const std::string candidate = dir + "/" + program;
    if (access(candidate.c_str(), X_OK) == 0) return candidate;
  }
  return "";
}

Result<Nat> StartNat(const std::string& slirp4netns, pid_t target) {
  int ready[2] = {-1, -1};
  int exit_pipe[2] = {-1, -1};
  if (pipe2(ready, O_CLOEXEC) != 0 || pipe2(exit_pipe, O_CLOEXEC) != 0) {
    const std::string why = ErrnoText(errno);
    for (int fd : {ready[0], ready[1], exit_pipe[0], exit_pipe[1]}) {
      if (fd >= 0) close(fd);
    }
    return Error::Make(ErrorCode::kUnavailable, "cannot create the NAT's pipes: " + why);
  }
  const std::string target_text = std::to_string(target);
  // --disable-host-loopback: 10.0.2.2 must not lead to the host's 127.0.0.1 (control plane,
  // other environments' endpoints in host mode, local services).
  std::vector<std::string> args = {
      slirp4netns,    "--configure", "--mtu=65520", "--disable-host-loopback",
      "--ready-fd=3", "--exit-fd=4", target_text,   "tap0"};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_adddup2(&actions, ready[1], 3);
  posix_spawn_file_actions_adddup2(&actions, exit_pipe[0], 4);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
  pid_t pid = -1;
  const int err = posix_spawn(&pid, slirp4netns.c_str(), &actions, &attr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attr);
  close(ready[1]);
  close(exit_pipe[0]);
  if (err != 0) {
    close(ready[0]);
    close(exit_pipe[1]);
    return Error::Make(ErrorCode::kUnavailable,
                       "cannot start " + slirp4netns + ": " + ErrnoText(err));
  }
  return Nat{pid, exit_pipe[1], ready[0]};
}

// Waits for a NAT StartNat spawned: slirp4netns writes "1" on the ready descriptor once tap0 is
// configured. Stops it when it does not.
Status AwaitNat(Nat& nat) {
  char byte = 0;
  const bool ok = WaitReadable(nat.ready_fd, 10'000) && read(nat.ready_fd, &byte, 1) == 1;
  close(nat.ready_fd);
  nat.ready_fd = -1;
  if (ok) return Status::Ok();
  StopNat(nat);
  return Error::Make(ErrorCode::kUnavailable,
                     "slirp4netns did not set up the environment's network");
}

void StopNat(Nat& nat) {
  if (nat.ready_fd >= 0) close(nat.ready_fd);
  nat.ready_fd = -1;
  if (nat.exit_fd >= 0) close(nat.exit_fd);
  nat.exit_fd = -1;
  if (nat.pid > 0) {
    kill(nat.pid, SIGTERM);
    while (waitpid(nat.pid, nullptr, 0) < 0 && errno == EINTR) {
    }
  }
  nat.pid = -1;
}

}  // namespace lambdalite::executor::sandbox_internal
