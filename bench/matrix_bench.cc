// Expansion, templating and validation speed of matrix/ (docs/benchmarks.md).
#include <benchmark/benchmark.h>

#include <string>

#include "matrix/expand.h"
#include "matrix/load.h"
#include "matrix/template.h"

namespace {

using namespace faultline::matrix;

// Six axes: library (v), binding (v), sanitizer (4), workload (1), threads (t), seconds (s),
// with two exclude and two include rules.
std::string six_axis_yaml(int versions, int threads) {
  std::string lib, bind, thr;
  for (int i = 0; i < versions; ++i) {
    lib += (i ? ", " : "") + std::string("\"1.") + std::to_string(i) + "\"";
    bind += (i ? ", " : "") + std::string("\"0.") + std::to_string(i) + "\"";
  }
  for (int i = 0; i < threads; ++i)
    thr += (i ? ", " : "") + std::to_string(1 << (i % 8)) + std::to_string(i);
  return "version: 1\ncomponents:\n  library: { versions: [" + lib +
         "], build: make }\n"
         "  binding: { versions: [" +
         bind +
         "], depends: [library], build: \"make L={{ prefix.library }}\" }\n"
         "sanitizers: [none, asan, tsan, ubsan]\n"
         "matrix:\n  exclude:\n    - { sanitizer: tsan, binding: \"0.0\" }\n    - { library: "
         "\"1.1\", sanitizer: ubsan }\n"
         "  include:\n    - { sanitizer: asan, note: heavy }\n    - { library: \"1.2\", binding: "
         "\"0.3\", tag: x }\n"
         "workloads:\n  gates:\n    run: \"stress {{ threads }} {{ seconds }}\"\n"
         "    params: { threads: [" +
         thr + "], seconds: [1, 2, 5, 10] }\n";
}

void BM_ExpandSixAxes(benchmark::State& state) {
  LoadResult loaded = load_text(six_axis_yaml(static_cast<int>(state.range(0)), 16), "bench.yaml");
  if (!loaded.diagnostics.empty()) {
    state.SkipWithError(loaded.diagnostics.render("bench.yaml").c_str());
    return;
  }
  ExpandOptions options;
  options.max_cells = 10'000'000;
  options.with_builds = false;
  std::size_t cells = 0;
  for (auto _ : state) {
    Diagnostics d;
    Expansion e = expand(loaded.config, d, options);
    cells = e.cells.size();
    benchmark::DoNotOptimize(e);
  }
  state.counters["cells"] = static_cast<double>(cells);
  state.counters["cells_per_second"] = benchmark::Counter(
      static_cast<double>(cells) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExpandSixAxes)->Arg(8)->Arg(20)->Unit(benchmark::kMillisecond);

void BM_ExpandWithBuilds(benchmark::State& state) {
  LoadResult loaded = load_text(six_axis_yaml(8, 16), "bench.yaml");
  std::size_t cells = 0;
  for (auto _ : state) {
    Diagnostics d;
    Expansion e = expand(loaded.config, d);
    cells = e.cells.size();
    benchmark::DoNotOptimize(e);
  }
  state.counters["cells_per_second"] = benchmark::Counter(
      static_cast<double>(cells) * state.iterations(), benchmark::Counter::kIsRate);
}
BENCHMARK(BM_ExpandWithBuilds)->Unit(benchmark::kMillisecond);

void BM_RenderTemplate(benchmark::State& state) {
  auto parsed = Template::parse(
      "\"{{ prefix.binding }}/bin/stress\" --threads {{ threads }} --cc {{ san.cflags }} '{{ x "
      "}}'");
  const Template& t = std::get<Template>(parsed);
  Vars vars = {{"prefix.binding", {"/work/.faultline/builds/abc"}},
               {"threads", {"16"}},
               {"san.cflags", {"-fsanitize=address", "-g", "-fno-omit-frame-pointer"}},
               {"x", {"it's"}}};
  for (auto _ : state) benchmark::DoNotOptimize(t.render(vars));
}
BENCHMARK(BM_RenderTemplate);

// A realistic 200-line matrix file: 10 components with 12 versions each, custom
// sanitizers, 6 workloads with params, include/exclude rules.
std::string two_hundred_lines() {
  std::string y = "version: 1\nname: big\ncomponents:\n";
  for (int c = 0; c < 10; ++c) {
    y += "  comp" + std::to_string(c) + ":\n    versions:\n";
    for (int v = 0; v < 12; ++v)
      y += "      - \"" + std::to_string(c) + "." + std::to_string(v) + "\"\n";
    y += "    build: \"make V={{ version }} P={{ prefix }}\"\n";
  }
  y += "sanitizers:\n  - none\n  - asan\n  - { name: go-checks, goflags: -race, env: { GODEBUG: "
       "cgocheck=2 } }\n";
  y += "matrix:\n  exclude:\n";
  for (int i = 0; i < 6; ++i)
    y += "    - { comp0: \"0." + std::to_string(i) + "\", sanitizer: asan }\n";
  y += "workloads:\n";
  for (int w = 0; w < 6; ++w)
    y += "  w" + std::to_string(w) +
         ":\n    run: \"{{ prefix.comp1 }}/stress --t {{ threads }}\"\n"
         "    params: { threads: [1, 2] }\n    timeout: 30s\n    env: { A: b }\n";
  y += "stress: { runs: 10 }\n";
  return y;
}

void BM_ValidateTwoHundredLines(benchmark::State& state) {
  const std::string text = two_hundred_lines();
  for (auto _ : state) {
    LoadResult r = load_text(text, "big.yaml");
    if (!r.diagnostics.empty()) {
      state.SkipWithError(r.diagnostics.render("big.yaml").c_str());
      return;
    }
    benchmark::DoNotOptimize(r);
  }
  state.counters["lines"] = static_cast<double>(std::count(text.begin(), text.end(), '\n'));
}
BENCHMARK(BM_ValidateTwoHundredLines)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
