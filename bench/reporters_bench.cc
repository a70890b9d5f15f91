// Rendering every report format for a synthetic results.json of 10,000 cells
// and 100 crash signatures (10 × 10 component versions × 4 sanitizers × 25
// workload parameters). Goal: all formats together under 1 s. docs/benchmarks.md.
#include <benchmark/benchmark.h>

#include <nlohmann/json.hpp>

#include "reporters/html.h"
#include "reporters/junit.h"
#include "reporters/markdown.h"
#include "reporters/sarif.h"
#include "reporters/terminal.h"

namespace {

using nlohmann::json;

json synthetic_results() {
  const std::vector<std::string> sanitizers = {"none", "asan", "ubsan", "tsan"};
  json libs = json::array(), binds = json::array(), threads = json::array();
  for (int i = 0; i < 10; ++i) libs.push_back("1." + std::to_string(i));
  for (int i = 0; i < 10; ++i) binds.push_back("0." + std::to_string(i));
  for (int i = 1; i <= 25; ++i) threads.push_back(std::to_string(i));
  json signatures = json::array();
  std::string excerpt;
  for (int f = 0; f < 30; ++f)
    excerpt += "    #" + std::to_string(f) + " 0x55eec4c3e39b in gate_call_" + std::to_string(f) +
               " /src/lib/gate.c:" + std::to_string(100 + f) + "\n";
  for (int s = 0; s < 100; ++s) {
    json frames = json::array();
    for (int f = 0; f < 30; ++f)
      frames.push_back({{"function", "gate_call_" + std::to_string(f)},
                        {"file", "/src/lib/gate.c"},
                        {"line", 100 + f},
                        {"module", ""}});
    char hash[13];
    std::snprintf(hash, sizeof hash, "%012x", 0xabc000 + s);
    signatures.push_back({{"hash", hash},
                          {"text", "asan heap-use-after-free: gate_call_" + std::to_string(s)},
                          {"tool", "asan"},
                          {"kind", s % 2 ? "heap-use-after-free" : "data-race"},
                          {"location", "gate.c:100"},
                          {"summary", "SUMMARY: AddressSanitizer: heap-use-after-free"},
                          {"frames", frames},
                          {"excerpt", "==1==ERROR: AddressSanitizer\n" + excerpt},
                          {"cells", json::array()},
                          {"runs", 0}});
  }
  json cells = json::array();
  int n = 0;
  for (const auto& lib : libs)
    for (const auto& bind : binds)
      for (const auto& san : sanitizers)
        for (const auto& t : threads) {
          char hash[9];
          std::snprintf(hash, sizeof hash, "%08x", n);
          const bool crash = n % 3 == 0;
          json sigs = json::array();
          if (crash) {
            json& s = signatures[n % 100];
            s["cells"].push_back(hash);
            s["runs"] = s["runs"].get<int>() + 5;
            sigs.push_back({{"hash", s["hash"]}, {"runs", 5}});
          }
          const std::string id = "lib=" + lib.get<std::string>() +
                                 " bind=" + bind.get<std::string>() + " sanitizer=" + san +
                                 " workload=w threads=" + t.get<std::string>();
          json c = {{"id", id},
                    {"hash", hash},
                    {"values",
                     {{"lib", lib},
                      {"bind", bind},
                      {"sanitizer", san},
                      {"workload", "w"},
                      {"threads", t}}},
                    {"verdict", crash ? "crash" : "pass"},
                    {"runs", 20},
                    {"crashes", crash ? 5 : 0},
                    {"hangs", 0},
                    {"rate", {{"estimate", 0.25}, {"low", 0.1}, {"high", 0.5}}},
                    {"summary", crash ? "5 of 20 runs (25%; 95% CI 11%–47%)"
                                      : "0 of 20 runs; crash rate < 14% at 95%"},
                    {"signatures", sigs},
                    {"wall_seconds", 1.5}};
          if (crash)
            c["repro"] =
                "cd /src && ASAN_OPTIONS=halt_on_error=1 ./w --threads " + t.get<std::string>();
          cells.push_back(c);
          ++n;
        }
  return {{"schema", "faultline.results/1"},
          {"name", "bench"},
          {"matrix_file", "faultline.yaml"},
          {"started_at", "2026-11-21T21:40:00Z"},
          {"finished_at", "2026-11-21T21:44:10Z"},
          {"interrupted", false},
          {"axes",
           {{{"name", "lib"}, {"kind", "component"}, {"values", libs}},
            {{"name", "bind"}, {"kind", "component"}, {"values", binds}},
            {{"name", "sanitizer"}, {"kind", "sanitizer"}, {"values", sanitizers}},
            {{"name", "workload"}, {"kind", "workload"}, {"values", {"w"}}},
            {{"name", "threads"}, {"kind", "param"}, {"values", threads}}}},
          {"cells", cells},
          {"signatures", signatures},
          {"builds", json::array()},
          {"totals",
           {{"cells", n},
            {"pass", n - (n + 2) / 3},
            {"crash", (n + 2) / 3},
            {"hang", 0},
            {"build_error", 0},
            {"skipped", 0},
            {"runs", n * 20},
            {"signatures", 100}}}};
}

const json& results() {
  static const json r = synthetic_results();
  return r;
}

void BM_Markdown(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(faultline::reporters::render_markdown(results()));
}
void BM_Junit(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(faultline::reporters::render_junit(results()));
}
void BM_Sarif(benchmark::State& state) {
  faultline::reporters::SarifOptions o;
  o.repo_root = "/src";
  for (auto _ : state) benchmark::DoNotOptimize(faultline::reporters::render_sarif(results(), o));
}
void BM_Html(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(faultline::reporters::render_html(results()));
}
void BM_Terminal(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(faultline::reporters::render_terminal(results()));
}
void BM_Json(benchmark::State& state) {
  for (auto _ : state)
    benchmark::DoNotOptimize(
        results().dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
}
void BM_EveryFormat(benchmark::State& state) {
  faultline::reporters::SarifOptions o;
  o.repo_root = "/src";
  for (auto _ : state) {
    benchmark::DoNotOptimize(faultline::reporters::render_markdown(results()));
    benchmark::DoNotOptimize(faultline::reporters::render_junit(results()));
    benchmark::DoNotOptimize(faultline::reporters::render_sarif(results(), o));
    benchmark::DoNotOptimize(faultline::reporters::render_html(results()));
    benchmark::DoNotOptimize(faultline::reporters::render_terminal(results()));
    benchmark::DoNotOptimize(
        results().dump(2, ' ', false, nlohmann::json::error_handler_t::replace));
  }
}

BENCHMARK(BM_Markdown)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Junit)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Sarif)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Html)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Terminal)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Json)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_EveryFormat)->Unit(benchmark::kMillisecond);

}  // namespace

BENCHMARK_MAIN();
