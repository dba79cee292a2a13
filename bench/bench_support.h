#pragma once

// The harness shared by the SQLite group-commit benchmarks (queue_bench.cc, storage_bench.cc):
// their scratch directory, opening a database durable or not, the thread fan-out they are
// measured under and the group-size counter. Header-only because each benchmark is a single
// source file whose target is defined next to the library it measures (src/queue, src/storage).

#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <system_error>
#include <utility>

namespace lambdalite::bench {

// A fresh directory for a benchmark's databases, in $LAMBDALITE_BENCH_DIR (default: the system
// temp directory), which should be on the disk being measured, not a tmpfs. Removed with its
// contents on destruction, so declare it before the databases that live in it.
class ScratchDir {
 public:
  // `prefix` names the directory (prefix_XXXXXX); ok() is false when it could not be made.
  explicit ScratchDir(const std::string& prefix) {
    const char* base = std::getenv("LAMBDALITE_BENCH_DIR");
    std::string pattern =
        (base != nullptr ? std::string(base) : std::filesystem::temp_directory_path().string()) +
        "/" + prefix + "_XXXXXX";
    if (::mkdtemp(pattern.data()) == nullptr) {
      std::perror("mkdtemp");
      return;
    }
    path_ = std::move(pattern);
  }
  ~ScratchDir() {
    if (path_.empty()) return;
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;

  bool ok() const { return !path_.empty(); }
  std::string File(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

// Opens a SqliteFunctionStore or SqliteEventQueue at `path`. A durable one fsyncs every commit
// (WAL + synchronous=FULL); the other does not, which gives the CPU-bound ceiling and so the
// share of the durable figure that is the disk's. nullptr, with the error printed, on failure.
template <typename Db>
std::unique_ptr<Db> OpenDatabase(const std::string& path, bool durable) {
  typename Db::Options options;
  options.database.durable = durable;
  auto db = Db::Open(path, options);
  if (!db.ok()) {
    std::fprintf(stderr, "open: %s\n", db.error().message.c_str());
    return nullptr;
  }
  return std::move(db).value();
}

// Registers `run` as "Durable<operation>" on `durable` and "NonDurable<operation>" on
// `non_durable`, each with 1, 2, 4 ... max_threads threads calling it at once (so that commits
// can be shared) and timed on the wall clock, for at least 2 s.
template <typename Db>
void RegisterDurableAndNonDurable(const std::string& operation, Db* durable, Db* non_durable,
                                  void (*run)(benchmark::State&, Db&), int max_threads) {
  for (auto [label, db] : {std::pair{"Durable" + operation, durable},
                           std::pair{"NonDurable" + operation, non_durable}}) {
    benchmark::RegisterBenchmark(label.c_str(),
                                 [run, db = db](benchmark::State& state) { run(state, *db); })
        ->ThreadRange(1, max_threads)
        ->UseRealTime()
        ->MinTime(2.0);
  }
}

// Sets the counter `name` to the mean number of calls each commit carried during a run (the
// group size of group commit), from the database's Stats read before and after it: `calls` is
// the member that counts calls, transactions_committed the one that counts commits. Call it from
// thread 0 only, since the figure is for all threads together.
template <typename Stats>
void SetCallsPerCommit(benchmark::State& state, const char* name, const Stats& before,
                       const Stats& after, uint64_t Stats::*calls) {
  const double commits =
      static_cast<double>(after.transactions_committed - before.transactions_committed);
  const double applied = static_cast<double>(after.*calls - before.*calls);
  // Approximate: other threads may still be finishing their last iteration.
  state.counters[name] = commits > 0 ? applied / commits : 0;
}

}  // namespace lambdalite::bench
