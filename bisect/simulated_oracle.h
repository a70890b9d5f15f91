// bisect/simulated_oracle.h — an Oracle over a simulated axis, for tests and
// benchmarks: each version has a target crash rate, every run may also crash
// with an unrelated signature, some versions may not build. Seeded, so a test
// replays exactly.
#pragma once

#include <cstdint>
#include <random>
#include <set>
#include <vector>

#include "bisect/oracle.h"

namespace faultline::bisect {

class SimulatedAxis : public Oracle {
 public:
  SimulatedAxis(std::vector<double> target_rate, std::uint64_t seed, double other_rate = 0,
                std::set<std::size_t> unbuildable = {})
      : m_rate(std::move(target_rate)),
        m_other(other_rate),
        m_unbuildable(std::move(unbuildable)),
        m_rng(seed) {}

  // Rate p at versions >= first_bad (or < first_bad when `fixed`), 0 elsewhere.
  static std::vector<double> step(std::size_t n, std::size_t first_bad, double p,
                                  bool fixed = false) {
    std::vector<double> rate(n, 0);
    for (std::size_t v = 0; v < n; ++v) rate[v] = ((v >= first_bad) != fixed) ? p : 0;
    return rate;
  }

  Expected<Observation> observe(std::size_t index, int runs, bool stop_at_first) override {
    Observation seen;
    ++m_calls;
    if (m_unbuildable.count(index)) {
      seen.unbuildable = true;
      return seen;
    }
    std::uniform_real_distribution<double> u(0, 1);
    for (int r = 0; r < runs; ++r) {
      ++seen.runs;
      // A run crashes with one signature at most: an unrelated crash hides the target.
      const double other = u(m_rng), target = u(m_rng);
      if (other < m_other) {
        ++seen.other;
      } else if (target < m_rate[index]) {
        ++seen.target;
        if (stop_at_first) break;
      }
    }
    m_runs += seen.runs;
    m_other_runs += seen.other;
    return seen;
  }

  int calls() const { return m_calls; }
  int runs() const { return m_runs; }
  int other_runs() const { return m_other_runs; }  // runs that crashed with another signature

 private:
  std::vector<double> m_rate;
  double m_other;
  std::set<std::size_t> m_unbuildable;
  std::mt19937_64 m_rng;
  int m_calls = 0, m_runs = 0, m_other_runs = 0;
};

// A simulated axis on a fake clock: a version's first probe builds it (`build`
// seconds), every run takes `run` seconds; `now` is the clock, in seconds, and
// `building` the seconds of builds in it (a build clock, as bisect/cost.h takes).
class TimedAxis : public Oracle {
 public:
  TimedAxis(SimulatedAxis& axis, double build, double run)
      : m_axis(axis), m_build(build), m_run(run) {}
  Expected<Observation> observe(std::size_t index, int runs, bool stop_at_first) override {
    if (m_built.insert(index).second) now += m_build, building += m_build;
    auto seen = m_axis.observe(index, runs, stop_at_first);
    if (seen) now += seen->runs * m_run;
    return seen;
  }
  int builds() const { return int(m_built.size()); }
  double now = 0, building = 0;

 private:
  SimulatedAxis& m_axis;
  double m_build, m_run;
  std::set<std::size_t> m_built;
};

}  // namespace faultline::bisect
