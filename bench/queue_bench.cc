// Throughput of the SQLite event queue (src/queue/sqlite_event_queue.h).
//
// DurableEnqueue: each iteration stores one event and waits until it is durable (WAL +
// synchronous=FULL); concurrent callers share commits (group commit). items_per_second is
// enqueues per second across all threads, calls_per_commit the mean group size. NonDurableEnqueue
// is the same without the per-commit fsync: the CPU ceiling.
//
// ClaimReschedule100kWaiting: the dispatcher's hot path with 100k events waiting in the future:
// each iteration claims one due event and reschedules it (two durable writes), showing that the
// waiting rows cost nothing. EmptyClaim100kWaiting: an idle worker's poll.
//
// Run with --benchmark_counters_tabular=true. The databases live in $LAMBDALITE_BENCH_DIR
// (default: the system temp directory), which should be on the disk being measured, not a tmpfs.

#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "queue/sqlite_event_queue.h"

namespace {

using lambdalite::Status;
using lambdalite::bench::OpenDatabase;
using lambdalite::queue::Event;
using lambdalite::queue::SqliteEventQueue;

constexpr int64_t kT0 = 1'700'000'000'000;
constexpr int64_t kFarFuture = kT0 + 24LL * 3600 * 1000;
constexpr int kWaiting = 100'000;
constexpr int kDueForClaims = 64;

std::atomic<int64_t> g_next_id{0};

Event MakeEvent(const std::string& id, int64_t visible_at_ms) {
  Event e;
  e.request_id = id;
  e.scope = {"123456789012", "us-east-1"};
  e.function_name = "bench-fn";
  e.payload = R"({"order":12345,"items":["a","b","c"],"note":"a typical small async payload"})";
  e.accepted_ms = kT0;
  e.visible_at_ms = visible_at_ms;
  return e;
}

void RunEnqueue(benchmark::State& state, SqliteEventQueue& queue) {
  const auto before = queue.stats();
  for (auto _ : state) {
    Status st = queue.Enqueue(MakeEvent("e-" + std::to_string(g_next_id++), kFarFuture));
    if (!st.ok()) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    lambdalite::bench::SetCallsPerCommit(state, "calls_per_commit", before, queue.stats(),
                                         &SqliteEventQueue::Stats::calls_applied);
  }
}

void RunClaimReschedule(benchmark::State& state, SqliteEventQueue& queue) {
  for (auto _ : state) {
    auto claimed = queue.ClaimDue(kT0, 60'000, 1);
    if (!claimed.ok() || claimed->size() != 1) {
      state.SkipWithError(claimed.ok() ? "nothing due" : claimed.error().message.c_str());
      break;
    }
    // Due again at once, so the supply never runs out.
    Status st = queue.Reschedule(claimed->front());
    if (!st.ok()) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

void RunEmptyClaim(benchmark::State& state, SqliteEventQueue& queue) {
  for (auto _ : state) {
    // Before every due event: nothing to claim, as for an idle worker.
    auto claimed = queue.ClaimDue(kT0 - 1, 60'000, 8);
    if (!claimed.ok() || !claimed->empty()) {
      state.SkipWithError("unexpected claim");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
}

// Fills `path` with kWaiting future events and kDueForClaims due ones, quickly (no fsync, many
// writers so commits merge), and reopens it durable.
std::unique_ptr<SqliteEventQueue> OpenPreloaded(const std::string& path) {
  {
    std::unique_ptr<SqliteEventQueue> fill = OpenDatabase<SqliteEventQueue>(path, false);
    if (fill == nullptr) return nullptr;
    std::vector<std::thread> threads;
    std::atomic<bool> failed{false};
    constexpr int kThreads = 16;
    for (int t = 0; t < kThreads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = t; i < kWaiting; i += kThreads) {
          if (!fill->Enqueue(MakeEvent("w-" + std::to_string(i), kFarFuture + i)).ok()) {
            failed = true;
          }
        }
      });
    }
    for (std::thread& t : threads) t.join();
    for (int i = 0; i < kDueForClaims; ++i) {
      if (!fill->Enqueue(MakeEvent("due-" + std::to_string(i), kT0)).ok()) failed = true;
    }
    if (failed) {
      std::fprintf(stderr, "preload failed\n");
      return nullptr;
    }
  }
  return OpenDatabase<SqliteEventQueue>(path, true);
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const lambdalite::bench::ScratchDir dir("lambdalite_queue_bench");
  if (!dir.ok()) return 1;
  std::unique_ptr<SqliteEventQueue> durable =
      OpenDatabase<SqliteEventQueue>(dir.File("durable.db"), true);
  std::unique_ptr<SqliteEventQueue> non_durable =
      OpenDatabase<SqliteEventQueue>(dir.File("non_durable.db"), false);
  std::unique_ptr<SqliteEventQueue> preloaded = OpenPreloaded(dir.File("preloaded.db"));
  if (durable == nullptr || non_durable == nullptr || preloaded == nullptr) return 1;

  lambdalite::bench::RegisterDurableAndNonDurable("Enqueue", durable.get(), non_durable.get(),
                                                  RunEnqueue, 16);
  SqliteEventQueue* with_waiting = preloaded.get();
  benchmark::RegisterBenchmark(
      "ClaimReschedule100kWaiting",
      [with_waiting](benchmark::State& state) { RunClaimReschedule(state, *with_waiting); })
      ->Threads(1)
      ->Threads(4)
      ->UseRealTime()
      ->MinTime(2.0);
  benchmark::RegisterBenchmark(
      "EmptyClaim100kWaiting",
      [with_waiting](benchmark::State& state) { RunEmptyClaim(state, *with_waiting); })
      ->UseRealTime()
      ->MinTime(1.0);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
