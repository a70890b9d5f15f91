// The 1-D and 2-D bisect searches against simulated axes (docs/benchmarks.md, "## Bisect").
// A plain main printing tables: accuracy and mean runs of bisect_1d beside a
// fixed-repeat bisection tuned to the same accuracy and the information bound.
// FAULTLINE_BISECT_TRIALS=N (default 10000) sets the trials per setting.
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "bisect/cost.h"
#include "bisect/search.h"
#include "bisect/simulated_oracle.h"
#include "bisect/staircase.h"

namespace {

using namespace faultline::bisect;

struct Tally {
  int trials = 0, correct = 0;
  double runs = 0, search_runs = 0;
};

// Capacity in bits of the Z-channel where a crashing version shows the crash with probability p.
double z_capacity(double p) {
  const double s = 1 - p;
  if (s <= 0) return 1;
  return std::log2(1 + (1 - s) * std::pow(s, s / (1 - s)));
}

Tally run_ours(std::size_t n, double p, double other, int trials) {
  Tally t;
  std::mt19937_64 pick(n * 1000 + std::uint64_t(p * 100));
  for (int trial = 0; trial < trials; ++trial) {
    const std::size_t first_bad = std::uniform_int_distribution<std::size_t>(1, n - 1)(pick);
    SimulatedAxis axis(SimulatedAxis::step(n, first_bad, p), pick(), other);
    auto report = bisect_1d(n, axis);
    ++t.trials;
    if (!report) continue;
    t.correct += report->outcome == Outcome::culprit && report->first_bad == first_bad;
    t.runs += report->runs;
    for (const Step& s : report->steps) t.search_runs += s.phase == Phase::search ? s.seen.runs : 0;
  }
  return t;
}

// Classic bisection of (0, n-1], each probe up to `repeats` runs stopping at the first crash.
Tally run_fixed(std::size_t n, double p, int repeats, int trials) {
  Tally t;
  std::mt19937_64 rng(n * 7 + std::uint64_t(p * 1000) + repeats);
  std::uniform_real_distribution<double> u(0, 1);
  for (int trial = 0; trial < trials; ++trial) {
    const std::size_t first_bad = std::uniform_int_distribution<std::size_t>(1, n - 1)(rng);
    std::size_t good = 0, bad = n - 1;
    while (bad - good > 1) {
      const std::size_t mid = good + (bad - good) / 2;
      bool crashed = false;
      for (int r = 0; r < repeats && !crashed; ++r) {
        ++t.runs;
        crashed = mid >= first_bad && u(rng) < p;
      }
      (crashed ? bad : good) = mid;
    }
    ++t.trials;
    t.correct += bad == first_bad;
  }
  t.search_runs = t.runs;
  return t;
}

// The fewest repeats per probe whose accuracy reaches `accuracy`.
Tally tuned_fixed(std::size_t n, double p, double accuracy, int trials, int* repeats) {
  int lo = 1, hi = 1;
  while (hi < 4096 && run_fixed(n, p, hi, trials).correct < accuracy * trials) hi *= 2;
  while (lo < hi) {
    const int mid = (lo + hi) / 2;
    if (run_fixed(n, p, mid, trials).correct >= accuracy * trials)
      hi = mid;
    else
      lo = mid + 1;
  }
  *repeats = lo;
  return run_fixed(n, p, lo, trials);
}

void one_d(int trials) {
  std::printf(
      "## 1-D: %d trials per setting, first-bad uniform in 1..N-1, p unknown to the search\n\n",
      trials);
  std::printf(
      "| N | p | accuracy | mean runs (all) | mean runs (search only) | bound log2(N)/C | "
      "all/bound "
      "| fixed repeats r | fixed accuracy | fixed mean runs | accuracy, 1%% unrelated noise | mean "
      "runs, noise |\n");
  std::printf("|---|---|---|---|---|---|---|---|---|---|---|---|\n");
  for (std::size_t n : {16, 64, 256}) {
    for (double p : {1.0, 0.5, 0.2, 0.05}) {
      const Tally ours = run_ours(n, p, 0, trials);
      const double accuracy = double(ours.correct) / ours.trials;
      int repeats = 0;
      const Tally fixed = tuned_fixed(n, p, accuracy, trials, &repeats);
      const Tally noisy = run_ours(n, p, 0.01, trials);
      const double bound = std::log2(double(n)) / z_capacity(p);
      std::printf(
          "| %zu | %.2f | %.2f%% | %.1f | %.1f | %.1f | %.2f | %d | %.2f%% | %.1f | %.2f%% | %.1f "
          "|\n",
          n, p, 100 * accuracy, ours.runs / ours.trials, ours.search_runs / ours.trials, bound,
          ours.runs / ours.trials / bound, repeats, 100.0 * fixed.correct / fixed.trials,
          fixed.runs / fixed.trials, 100.0 * noisy.correct / noisy.trials,
          noisy.runs / noisy.trials);
      std::fflush(stdout);
    }
  }
}

struct CostTally {
  int correct = 0;
  double builds = 0, runs = 0, seconds = 0;
};

// Searches whose probes see (`aware`) or ignore the measured costs of an axis
// whose builds take `build` seconds and runs 1 s.
CostTally run_costed(std::size_t n, double p, double build, bool aware, int trials) {
  CostTally t;
  std::mt19937_64 pick(n * 1000 + std::uint64_t(p * 100));
  for (int trial = 0; trial < trials; ++trial) {
    const std::size_t first_bad = std::uniform_int_distribution<std::size_t>(1, n - 1)(pick);
    SimulatedAxis axis(SimulatedAxis::step(n, first_bad, p), pick());
    TimedAxis timed(axis, build, 1);
    MeteredOracle metered(timed, [&] { return timed.now; });
    SearchOptions options;
    if (aware) options.cost = [&] { return metered.cost(); };
    auto report = bisect_1d(n, metered, options);
    if (!report) continue;
    t.correct += report->outcome == Outcome::culprit && report->first_bad == first_bad;
    t.builds += metered.builds();
    t.runs += metered.runs();
    t.seconds += timed.now;
  }
  return t;
}

void costs(int trials) {
  std::printf(
      "\n## Costs: builds 60 s, runs 1 s, N = 64; probes blind to costs vs choosing the most "
      "information per second, %d trials\n\n",
      trials);
  std::printf(
      "| p | blind: accuracy | builds | runs | hours | aware: accuracy | builds | runs | hours | "
      "time aware/blind |\n|---|---|---|---|---|---|---|---|---|---|\n");
  for (double p : {1.0, 0.5, 0.3, 0.2, 0.05}) {
    const CostTally blind = run_costed(64, p, 60, false, trials);
    const CostTally aware = run_costed(64, p, 60, true, trials);
    std::printf("| %.2f | %.2f%% | %.1f | %.1f | %.3f | %.2f%% | %.1f | %.1f | %.3f | %.2f |\n", p,
                100.0 * blind.correct / trials, blind.builds / trials, blind.runs / trials,
                blind.seconds / trials / 3600, 100.0 * aware.correct / trials,
                aware.builds / trials, aware.runs / trials, aware.seconds / trials / 3600,
                aware.seconds / blind.seconds);
    std::fflush(stdout);
  }
}

class Grid : public Oracle2D {
 public:
  explicit Grid(std::vector<std::size_t> edge) : m_edge(std::move(edge)) {}
  faultline::Expected<Observation> observe(std::size_t i, std::size_t j, int runs, bool) override {
    Observation seen;
    seen.runs = 1;
    seen.target = j >= m_edge[i];
    if (!seen.target) seen.runs = runs;
    return seen;
  }

 private:
  std::vector<std::size_t> m_edge;
};

void two_d(int trials) {
  std::mt19937_64 rng(32);
  std::vector<int> probes;
  int wrong = 0;
  for (int trial = 0; trial < trials; ++trial) {
    std::vector<std::size_t> edge(32);
    std::size_t col = 32;
    for (std::size_t i = 0; i < 32; ++i)
      edge[i] = col = std::uniform_int_distribution<std::size_t>(0, col)(rng);
    Grid grid(edge);
    auto report = bisect_2d(32, 32, grid);
    probes.push_back(report->probes);
    wrong += report->first_crashing_col != edge;
  }
  std::sort(probes.begin(), probes.end());
  double mean = 0;
  for (int p : probes) mean += p;
  std::printf(
      "\n## 2-D: 32 x 32 grid, random monotone staircase, deterministic cells, %d trials\n\n",
      trials);
  std::printf(
      "| probes: median | mean | max | full scan | wrong staircases |\n|---|---|---|---|---|\n");
  std::printf("| %d | %.1f | %d | 1024 | %d |\n", probes[probes.size() / 2], mean / probes.size(),
              probes.back(), wrong);
}

}  // namespace

int main() {
  const char* env = std::getenv("FAULTLINE_BISECT_TRIALS");
  const int trials = env ? std::max(1, std::atoi(env)) : 10000;
  one_d(trials);
  costs(std::min(trials, 2000));
  two_d(std::min(trials, 1000));
  return 0;
}
