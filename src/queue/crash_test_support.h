#pragma once

// Crash testing: run code in a child process and kill it with SIGKILL at a moment the parent
// picks, then check what survived. SIGKILL runs no destructor and flushes nothing, which is what a
// process crash does; the kernel keeps what was written, so this tests process crashes, not power
// loss.
//
// Protocol: the child reports progress with `report(line)` (e.g. after each durable write). The
// parent counts reported lines and kills the child right after the `kill_after`-th, so the test
// knows that at least those operations were acknowledged before the crash, and that the crash
// hit mid-stream. Reusable for any durable component (queue, function store, ...).

#include <chrono>
#include <cstddef>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace lambdalite::queue::testing_support {

struct CrashReport {
  // Every line the child reported before it died, in order (lines written concurrently by
  // several threads of the child stay whole).
  std::vector<std::string> lines;
  bool killed = false;  // the parent killed it, rather than it exiting first
  int exit_code = -1;   // when it exited on its own: 0 after `body` returned, 2 on an exception
};

// Writes one line to the parent. Lines must be shorter than 4 KiB (PIPE_BUF) and contain no '\n'.
// Thread-safe.
using ReportFn = std::function<void(std::string_view line)>;

// Forks; the child runs `body(report)` and exits. The parent kills the child with SIGKILL as soon
// as it has read `kill_after` lines (0: never), then collects whatever else the child reported
// before dying and reaps it. After `timeout` (real time) the child is killed and the result is
// kInternal.
//
// fork() copies only the calling thread: call this while the test process runs no other threads
// (no started Dispatcher, no pending store commits). The child may start threads of its own.
Result<CrashReport> RunAndKill(const std::function<void(const ReportFn& report)>& body,
                               size_t kill_after,
                               std::chrono::milliseconds timeout = std::chrono::seconds(60));

}  // namespace lambdalite::queue::testing_support
