// Crash-parser benchmarks (docs/benchmarks.md, "Crash parser"):
//  - BM_ScanLog: parse_output over a large log of ordinary output holding 100
//    ASan/TSan/UBSan reports, generated once into /tmp. Size from
//    FAULTLINE_BENCH_LOG_MB (default 1024); path from FAULTLINE_BENCH_LOG.
//  - BM_ParseOneAsanReport: one typical ASan report on its own.
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "sanitizers/parser.h"
#include "sanitizers/scanner.h"

namespace {

const char* k_asan_report =
    "=================================================================\n"
    "==4242==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000014 at pc "
    "0x55d2b9ff418f bp 0x7ffe49828510 sp 0x7ffe49828508\n"
    "READ of size 4 at 0x602000000014 thread T3\n"
    "    #0 0x55d2b9ff418e in gate::Table::lookup(std::basic_string_view<char, "
    "std::char_traits<char> >) "
    "/src/libgate/table.cc:88:12\n"
    "    #1 0x55d2b9ff5a01 in gate_check /src/libgate/api.cc:31:10\n"
    "    #2 0x55d2b9ff6b12 in worker(void*) /src/stress/main.cc:57:5\n"
    "    #3 0x7fd745894ac2 in start_thread nptl/pthread_create.c:442:8\n"
    "    #4 0x7fd745926a3f  (/lib/x86_64-linux-gnu/libc.so.6+0x126a3f)\n"
    "\n"
    "0x602000000014 is located 4 bytes inside of 16-byte region [0x602000000010,0x602000000020)\n"
    "freed by thread T1 here:\n"
    "    #0 0x55d2b9fb1d22 in free (/src/build/stress+0xd1d22)\n"
    "    #1 0x55d2b9ff4c3a in gate::Table::reload() /src/libgate/table.cc:120:3\n"
    "    #2 0x55d2b9ff6b12 in worker(void*) /src/stress/main.cc:61:5\n"
    "\n"
    "previously allocated by thread T0 here:\n"
    "    #0 0x55d2b9fb1fce in malloc (/src/build/stress+0xd1fce)\n"
    "    #1 0x55d2b9ff4b11 in gate::Table::Table() /src/libgate/table.cc:20:12\n"
    "\n"
    "SUMMARY: AddressSanitizer: heap-use-after-free /src/libgate/table.cc:88:12 in "
    "gate::Table::lookup(std::basic_string_view<char, std::char_traits<char> >)\n"
    "Shadow bytes around the buggy address:\n"
    "  0x0c047fff7fb0: 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00\n"
    "=>0x0c047fff8000: fa fa[fd]fd fa fa fd fd fa fa fa fa fa fa fa fa\n"
    "==4242==ABORTING\n";

const char* k_tsan_report =
    "==================\n"
    "WARNING: ThreadSanitizer: data race (pid=31337)\n"
    "  Write of size 4 at 0x55fa8cfef06c by thread T1:\n"
    "    #0 racy_increment /src/t.c:16:41 (stress+0xd01c7)\n"
    "    #1 race_thread /src/t.c:20:3 (stress+0xd0200)\n"
    "  Previous read of size 4 at 0x55fa8cfef06c by main thread:\n"
    "    #0 racy_increment /src/t.c:16:41 (stress+0xd01c7)\n"
    "    #1 main /src/t.c:30:3 (stress+0xd0300)\n"
    "SUMMARY: ThreadSanitizer: data race /src/t.c:16:41 in racy_increment\n"
    "==================\n";

const char* k_ubsan_report =
    "/src/libgate/hash.cc:41:17: runtime error: signed integer overflow: 2147483647 + 1 cannot be "
    "represented in type 'int'\n"
    "    #0 0x4f2a1c in gate::hash(int) /src/libgate/hash.cc:41:17\n"
    "    #1 0x4f2b00 in main /src/stress/main.cc:12:3\n"
    "SUMMARY: UndefinedBehaviorSanitizer: undefined-behavior /src/libgate/hash.cc:41:17\n";

// Ordinary output: test-runner progress, timestamps, paths, numbers.
std::string ordinary_line(std::size_t i) {
  static const char* k_lines[] = {
      "[2024-05-01 12:00:%02zu.%03zu] worker %zu: processed batch %zu (128 items, 0 errors) in 4.2 "
      "ms\n",
      "[ RUN      ] GateTable/LookupTest.ConcurrentReaders/%zu  seed=%zu threads=%zu iter=%zu\n",
      "  compiling src/libgate/table.cc -> build/obj/table_%zu.o (flags: -O2 -g -Wall) %zu %zu "
      "%zu\n",
      "INFO http: GET /v1/gates/feature_%zu?user=%zu 200 OK bytes=%zu latency_us=%zu\n",
  };
  char buffer[256];
  std::snprintf(buffer, sizeof buffer, k_lines[i % 4], i % 60, i % 1000, i % 32, i);
  return buffer;
}

std::string log_path() {
  const char* p = std::getenv("FAULTLINE_BENCH_LOG");
  return p ? p : "/tmp/faultline-bench-crash-log.txt";
}

std::size_t log_bytes() {
  const char* mb = std::getenv("FAULTLINE_BENCH_LOG_MB");
  return static_cast<std::size_t>(mb ? std::atol(mb) : 1024) << 20;
}

// Writes the log once (reused while its size matches): ordinary lines with
// 100 reports spread evenly through it.
std::string load_log() {
  std::string path = log_path();
  std::size_t want = log_bytes();
  std::ifstream existing(path, std::ios::binary | std::ios::ate);
  if (!existing || static_cast<std::size_t>(existing.tellg()) < want) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    std::size_t written = 0, line = 0, next_report = want / 101, reports = 0;
    std::string chunk;
    while (written < want) {
      chunk.clear();
      while (chunk.size() < (1 << 20)) chunk += ordinary_line(line++);
      while (written + chunk.size() >= next_report && reports < 100) {
        const char* r = reports % 3 == 0   ? k_asan_report
                        : reports % 3 == 1 ? k_tsan_report
                                           : k_ubsan_report;
        chunk += r;
        ++reports;
        next_report += want / 101;
      }
      out << chunk;
      written += chunk.size();
    }
  }
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void BM_ScanLog(benchmark::State& state) {
  static const std::string log = load_log();
  std::size_t crashes = 0;
  for (auto _ : state) {
    auto found = faultline::sanitizers::parse_output(log);
    crashes = found.size();
    benchmark::DoNotOptimize(found);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * log.size()));
  state.counters["crashes"] = static_cast<double>(crashes);
  state.counters["MiB"] = static_cast<double>(log.size() >> 20);
}
BENCHMARK(BM_ScanLog)->Unit(benchmark::kMillisecond)->UseRealTime();

// The whole-stream scan alone (sanitizers/scanner.h) over 256 KiB holding no report, as a
// capture scans each read of a run's output (runner/process_posix.cc reads 256 KiB, so the
// bytes are in cache): first arg 0 zeros (`head -c … /dev/zero`), 1 ordinary log
// lines; second arg the vector path (0 sse2, 1 avx2, 2 avx512).
void BM_FindAnchorLine(benchmark::State& state) {
  static const std::string zeros(std::size_t{256} << 10, '\0');
  static const std::string text = [] {
    std::string out;
    for (std::size_t line = 0; out.size() < (std::size_t{256} << 10); ++line)
      out += ordinary_line(line);
    return out;
  }();
  const std::string& input = state.range(0) == 0 ? zeros : text;
  for (auto _ : state) {
    std::size_t found = faultline::sanitizers::find_anchor_line(
        input, 0, static_cast<faultline::sanitizers::VectorPath>(state.range(1)));
    benchmark::DoNotOptimize(found);
  }
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * input.size()));
}
BENCHMARK(BM_FindAnchorLine)->ArgsProduct({{0, 1}, {1, 2}})->Unit(benchmark::kMicrosecond);

void BM_ParseOneAsanReport(benchmark::State& state) {
  std::string report = k_asan_report;
  for (auto _ : state) {
    auto found = faultline::sanitizers::parse_output(report);
    benchmark::DoNotOptimize(found);
  }
}
BENCHMARK(BM_ParseOneAsanReport)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
