#pragma once

// Test support: the cost of a hot-path call, printed for people reading the test output. Tests
// never assert it: sanitizer and debug builds are many times slower, and machines are loaded.

#include <time.h>

#include <cstdio>

namespace lambdalite::api::testing {

// CPU time of this thread, in nanoseconds: unlike wall time it does not count the time other
// processes on a busy machine take.
inline double ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) * 1e9 + static_cast<double>(ts.tv_nsec);
}

// Calls `call` `iterations` times and prints "<label>: N ns per call", the mean CPU time.
template <typename Call>
void PrintCpuNanosPerCall(const char* label, int iterations, Call&& call) {
  const double start = ThreadCpuNanos();
  for (int i = 0; i < iterations; ++i) call();
  const double ns = (ThreadCpuNanos() - start) / iterations;
  std::printf("%s: %.0f ns per call\n", label, ns);
}

}  // namespace lambdalite::api::testing
