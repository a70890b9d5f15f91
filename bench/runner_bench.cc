// Benchmarks of runner/process.h. Google Benchmark micro-benchmarks by default;
// the whole-command scripts bench/runner_*.sh drive the other modes:
//   runner_bench overhead RUNS THREADS [--subreaper] PROGRAM [ARGS...]
//       run PROGRAM RUNS times, THREADS threads each calling run_process()
//   runner_bench print BYTES        write BYTES (K/M/G suffix) to stdout, 64 KiB writes
//   runner_bench capture BYTES      run "runner_bench print BYTES" under run_process()
//                                   and report wall time, bytes and this process's peak RSS
#include <benchmark/benchmark.h>
#include <sys/resource.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "runner/capture.h"
#include "runner/process.h"

namespace {

namespace runner = faultline::runner;

std::uint64_t parse_size(const char* text) {
  char* end = nullptr;
  std::uint64_t n = std::strtoull(text, &end, 10);
  switch (*end) {
    case 'K':
      return n << 10;
    case 'M':
      return n << 20;
    case 'G':
      return n << 30;
    default:
      return n;
  }
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

int print_bytes(std::uint64_t left) {
  static char buffer[1 << 16];
  std::memset(buffer, 'x', sizeof buffer);
  while (left > 0) {
    std::size_t n = left < sizeof buffer ? static_cast<std::size_t>(left) : sizeof buffer;
    ssize_t written = write(1, buffer, n);
    if (written < 0 && errno == EINTR) continue;
    if (written <= 0) return 1;
    left -= static_cast<std::uint64_t>(written);
  }
  return 0;
}

int overhead(int argc, char** argv) {
  if (argc < 5) return 2;
  const int runs = std::atoi(argv[2]);
  const int threads = std::atoi(argv[3]);
  int first = 4;
  if (std::string(argv[first]) == "--subreaper") {
    if (!runner::become_subreaper()) return 3;
    ++first;
  }
  runner::ProcessOptions options;
  options.argv.assign(argv + first, argv + argc);
  std::atomic<int> next{0}, failures{0};
  auto start = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      while (next++ < runs) {
        auto result = runner::run_process(options);
        if (!result || !result->succeeded()) ++failures;
      }
    });
  }
  for (std::thread& t : pool) t.join();
  std::printf("runs=%d threads=%d failures=%d seconds=%.3f per_run_us=%.1f\n", runs, threads,
              failures.load(), seconds_since(start), seconds_since(start) * 1e6 / runs * threads);
  return failures.load() == 0 ? 0 : 1;
}

int capture(char** argv) {
  runner::ProcessOptions options;
  options.argv = {"/proc/self/exe", "print", argv[2]};
  char self[4096];
  ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0) return 3;
  options.argv[0].assign(self, static_cast<std::size_t>(n));
  auto start = std::chrono::steady_clock::now();
  auto result = runner::run_process(options);
  double wall = seconds_since(start);
  if (!result) {
    std::fprintf(stderr, "%s\n", result.error().message.c_str());
    return 3;
  }
  rusage self_usage{};
  getrusage(RUSAGE_SELF, &self_usage);
  std::printf("bytes=%llu truncated=%d seconds=%.3f peak_rss_mib=%.1f status=%s\n",
              static_cast<unsigned long long>(result->stdout_capture.total_bytes()),
              result->stdout_capture.truncated() ? 1 : 0, wall,
              static_cast<double>(self_usage.ru_maxrss) / 1024.0, result->describe().c_str());
  return result->succeeded() ? 0 : 1;
}

void BM_CaptureAppend64KiB(benchmark::State& state) {
  std::string chunk(64 * 1024, 'x');
  runner::Capture capture;
  for (auto _ : state) capture.append(chunk);
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * chunk.size()));
}
BENCHMARK(BM_CaptureAppend64KiB);

void BM_RunTrue(benchmark::State& state) {
  runner::ProcessOptions options;
  options.argv = {"/bin/true"};
  for (auto _ : state) {
    auto result = runner::run_process(options);
    if (!result || !result->succeeded()) state.SkipWithError("run failed");
  }
}
BENCHMARK(BM_RunTrue)->UseRealTime();

}  // namespace

int main(int argc, char** argv) {
  if (argc >= 2 && std::string(argv[1]) == "overhead") return overhead(argc, argv);
  if (argc >= 3 && std::string(argv[1]) == "print") return print_bytes(parse_size(argv[2]));
  if (argc >= 3 && std::string(argv[1]) == "capture") return capture(argv);
  benchmark::Initialize(&argc, argv);
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
