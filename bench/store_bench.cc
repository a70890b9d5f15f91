// Store write throughput: runs recorded per second into a real SQLite file on
// disk (WAL, synchronous=NORMAL), by the one writer thread of store/writer.h,
// batching up to N runs per transaction, against one transaction per run
// (N = 1). Two producer threads hand runs over as fast as they can, as many
// cells finishing at once would; 1 run in 10 crashes with a 6-frame report.
//   store_bench [--benchmark_filter=...]      (FAULTLINE_BENCH_DIR: where the files go, default
//   /tmp)
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/writer.h"

namespace {

namespace fs = std::filesystem;
namespace store = faultline::store;
namespace results = faultline::results;

constexpr int k_cells = 64;
constexpr int k_runs = 4000;  // per iteration, over both producers

results::RunRecord make_run(int index) {
  results::RunRecord r;
  r.index = index;
  r.outcome = index % 10 == 0 ? "crash" : "pass";
  r.wall_seconds = 0.2;
  r.command =
      "/work/.faultline/builds/lib-1.2-asan-0123456789abcdef/prefix/bin/stress --threads 8 "
      "--seconds 1";
  if (index % 10 == 0) {
    faultline::sanitizers::Crash c;
    c.tool = "asan";
    c.kind = "heap-use-after-free";
    c.signature.hash = "3f2a9c1b7d0" + std::to_string(index % 3);
    c.signature.text = "asan heap-use-after-free: gate_worker > gate_call > main";
    c.location = "gate.c:41";
    c.summary = "SUMMARY: AddressSanitizer: heap-use-after-free gate.c:41 in gate_worker";
    for (int f = 0; f < 6; ++f)
      c.frames.push_back(
          {"frame_" + std::to_string(f), "gate.c", 40 + f, "libgate.so", 0x1000u + f, ""});
    c.excerpt = std::string(1500, 'x');
    r.crashes.push_back(std::move(c));
  }
  return r;
}

struct Scratch {
  Scratch() {
    const char* base = std::getenv("FAULTLINE_BENCH_DIR");
    dir = fs::path(base ? base : "/tmp") / ("faultline-store-bench-" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~Scratch() { fs::remove_all(dir); }
  fs::path dir;
};

// A fresh store with its cells and one session.
std::unique_ptr<store::Store> fresh_store(const fs::path& dir, std::int64_t& session) {
  fs::remove_all(dir);
  fs::create_directories(dir);
  auto s = store::Store::open((dir / "faultline.db").string());
  if (!s) throw std::runtime_error(s.error().message);
  std::vector<std::pair<std::string, std::string>> cells;
  for (int c = 0; c < k_cells; ++c)
    cells.emplace_back("cell" + std::to_string(1000 + c), "lib=" + std::to_string(c));
  (void)(*s)->record_cells(cells);
  session =
      *(*s)->begin_session({"run", "bench", "faultline.yaml", "f", store::utc_timestamp(), ""});
  return std::move(s).value();
}

void BM_WriterRunsPerSecond(benchmark::State& state) {
  const std::size_t batch = static_cast<std::size_t>(state.range(0));
  Scratch scratch;
  std::vector<results::RunRecord> runs;
  for (int i = 0; i < k_runs; ++i) runs.push_back(make_run(i));
  std::size_t transactions = 0;
  for (auto _ : state) {
    state.PauseTiming();
    std::int64_t session = 0;
    auto db = fresh_store(scratch.dir, session);
    state.ResumeTiming();
    {
      // The window only makes a lone run wait for company; at full speed the batch fills first.
      store::RunWriter writer(*db, session,
                              {batch, std::chrono::milliseconds(batch > 1 ? 50 : 0), {}});
      auto produce = [&](int first) {
        for (int i = first; i < k_runs; i += 2)
          writer.add("cell" + std::to_string(1000 + i % k_cells), runs[i]);
      };
      std::thread a(produce, 0), b(produce, 1);
      a.join();
      b.join();
      if (auto closed = writer.close(); !closed)
        state.SkipWithError(closed.error().message.c_str());
      transactions += writer.transactions();
    }
  }
  state.SetItemsProcessed(state.iterations() * k_runs);
  state.counters["runs_per_transaction"] = benchmark::Counter(
      static_cast<double>(state.iterations() * k_runs) / static_cast<double>(transactions));
}
BENCHMARK(BM_WriterRunsPerSecond)
    ->Arg(1)
    ->Arg(16)
    ->Arg(256)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
