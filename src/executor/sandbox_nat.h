#pragma once

// The host side of an environment's network (process_sandbox.h, "Network"): the user-mode NAT
// (slirp4netns) of --function-network nat, and small descriptor helpers. Used by the sandbox
// only, from ordinary (not async-signal-safe) code.

#include <sys/types.h>

#include <string>

#include "common/result.h"

namespace lambdalite::executor::sandbox_internal {

// Waits up to `timeout_ms` for `fd` to be readable; false on timeout or error.
bool WaitReadable(int fd, int timeout_ms);

// The absolute path of `program` (a path, or a name looked up in PATH); "" when not executable.
std::string FindProgram(const std::string& program);

// One environment's user-mode NAT: a slirp4netns process attached to the network namespace of
// `pid`. It lives until its exit descriptor (kept by the environment's handle) is closed, which
// also happens when the server dies.
struct Nat {
  pid_t pid = -1;
  int exit_fd = -1;   // write end: closing it stops slirp4netns
  int ready_fd = -1;  // read end of its ready pipe, until AwaitNat
};

// Spawns slirp4netns attached to the network namespace of `target` (tap0, 10.0.2.100/24, the
// host's loopback disabled). Returns at once; AwaitNat waits until it is ready. Errors:
// kUnavailable when it cannot be started.
Result<Nat> StartNat(const std::string& slirp4netns, pid_t target);
// Waits (up to 10 s) for a NAT StartNat spawned to be ready; stops it when it is not.
Status AwaitNat(Nat& nat);
// Stops the NAT and reaps its process. Harmless on a stopped or never started NAT.
void StopNat(Nat& nat);

}  // namespace lambdalite::executor::sandbox_internal
