#pragma once

// One CPU scheduling group for the server and every environment it starts.
//
// The sandbox starts each environment in a new session (its init calls setsid, which also cuts it
// off from the server's terminal). Where the kernel's autogroup feature is on (the
// sched_autogroup_enabled sysctl, on by default in most distributions), every session in the root
// cpu cgroup is a scheduling group of its own, weighing as much as all the server's threads
// together. Under load the kernel then leaves single environments waiting for a CPU for tens to
// hundreds of milliseconds while the server's threads run: with 8 warm Python environments on 2
// cores, warm invoke p99 was 80-1,000 ms, with runnable runtimes waiting up to 130 ms for a CPU
// while server threads ran thousands of short slices on it. With the server and its environments
// in one group, p99 was 3-6 ms.
//
// Autogroups apply only to tasks in the root cpu cgroup: a server already in a cpu cgroup (a
// container, a systemd unit with CPU accounting) is left where it is, and its environments share
// its group by inheritance. A server in the root cpu cgroup of a cgroup v1 hierarchy moves itself
// into <cgroup_root>/cpu/<group_name>, which environments started afterwards inherit (their
// memory and pids cgroups are set per environment; their cpu cgroup is not). Cgroup v2 hosts are
// left alone: there the environments' cgroups are below one common directory already, which is
// one cpu group whenever the cpu controller is enabled above it.

#include <string>

#include "common/result.h"

namespace lambdalite::executor {

struct CpuGroupPaths {
  std::string cgroup_root = "/sys/fs/cgroup";
  std::string self_cgroup = "/proc/self/cgroup";
  std::string autogroup_switch = "/proc/sys/kernel/sched_autogroup_enabled";
};

// Moves the calling process (every thread) into the shared cpu group when its environments would
// otherwise each get an autogroup. Returns the cgroup directory joined, or "" when nothing needed
// doing (autogroup off, already in a cpu cgroup, no cgroup v1 cpu controller). Errors:
// kUnavailable when the group cannot be created or joined (e.g. not root).
Result<std::string> JoinSharedCpuGroup(const std::string& group_name,
                                       const CpuGroupPaths& paths = {});

}  // namespace lambdalite::executor
