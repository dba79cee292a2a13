// Throughput of durable FunctionStore::Apply calls under concurrency: the group-commit path.
//
// Each iteration applies one small batch (a PutAlias on the thread's own function) and waits for
// it to be durable (WAL + synchronous=FULL). Run with --benchmark_counters_tabular=true; the
// items_per_second column is batches per second across all threads, batches_per_commit the mean
// group size. NonDurableApply runs the same code without the per-commit fsync
// (synchronous=NORMAL): the CPU-bound ceiling, and the share of the durable figure that is the
// disk's. The databases live in $LAMBDALITE_BENCH_DIR (default: the system temp directory),
// which should be on the disk being measured, not a tmpfs.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <string>

#include "bench_support.h"
#include "storage/sqlite/sqlite_store.h"

namespace {

using lambdalite::storage::PutAlias;
using lambdalite::storage::PutFunctionMeta;
using lambdalite::storage::PutVersion;
using lambdalite::storage::WriteBatch;
using lambdalite::storage::sqlite::SqliteFunctionStore;

const lambdalite::domain::Scope kScope{"123456789012", "us-east-1"};
constexpr int kMaxThreads = 16;

std::string FunctionName(int thread) { return "bench-" + std::to_string(thread); }

void RunApply(benchmark::State& state, SqliteFunctionStore& store) {
  const std::string name = FunctionName(state.thread_index());
  const auto before = store.stats();
  int64_t i = 0;
  for (auto _ : state) {
    lambdalite::domain::Alias alias;
    alias.name = "live";
    alias.function_version = "$LATEST";
    alias.revision_id = std::to_string(i++);
    lambdalite::Status st = store.Apply(WriteBatch{{PutAlias{kScope, name, alias}}});
    if (!st.ok()) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  if (state.thread_index() == 0) {
    lambdalite::bench::SetCallsPerCommit(state, "batches_per_commit", before, store.stats(),
                                         &SqliteFunctionStore::Stats::batches_applied);
  }
}

// Opens a store at `path` and creates one function per benchmark thread, so every batch is valid
// and threads do not overwrite the same row.
std::unique_ptr<SqliteFunctionStore> OpenStore(const std::string& path, bool durable) {
  std::unique_ptr<SqliteFunctionStore> store =
      lambdalite::bench::OpenDatabase<SqliteFunctionStore>(path, durable);
  if (store == nullptr) return nullptr;
  for (int t = 0; t < kMaxThreads; ++t) {
    lambdalite::domain::FunctionMeta meta;
    meta.name = FunctionName(t);
    lambdalite::domain::FunctionVersion latest;
    latest.version = "$LATEST";
    lambdalite::Status st = store->Apply(
        WriteBatch{{PutFunctionMeta{kScope, meta}, PutVersion{kScope, meta.name, latest}}});
    if (!st.ok()) {
      std::fprintf(stderr, "setup: %s\n", st.error().message.c_str());
      return nullptr;
    }
  }
  return store;
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;

  const lambdalite::bench::ScratchDir dir("lambdalite_bench");
  if (!dir.ok()) return 1;
  std::unique_ptr<SqliteFunctionStore> durable = OpenStore(dir.File("durable.db"), true);
  std::unique_ptr<SqliteFunctionStore> non_durable = OpenStore(dir.File("non_durable.db"), false);
  if (durable == nullptr || non_durable == nullptr) return 1;

  lambdalite::bench::RegisterDurableAndNonDurable("Apply", durable.get(), non_durable.get(),
                                                  RunApply, kMaxThreads);

  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
