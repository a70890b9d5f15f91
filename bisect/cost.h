// bisect/cost.h — what probes cost, measured: an Oracle that times each probe
// of the Oracle it wraps and splits the time into builds (a version's first
// probe pays its build) and runs, for SearchOptions::cost (bisect/search.h).
// It knows no processes: the clock is a function (steady_clock by default).
#pragma once

#include <cstddef>
#include <functional>
#include <set>
#include <string>

#include "bisect/oracle.h"
#include "bisect/search.h"

namespace faultline::bisect {

class MeteredOracle : public Oracle {
 public:
  using Clock = std::function<double()>;  // seconds, monotonic
  // `build_clock` (optional): the seconds spent building so far, as the builds
  // measured them. With it a probe's build time is what that clock advanced and
  // the rest of its time is runs (crash analysis included); without it the
  // split is inferred from probes of versions already built.
  explicit MeteredOracle(Oracle& inner, Clock now = {}, Clock build_clock = {});
  // Asked before each probe (optional): whether the version needs no build (made
  // ahead, earlier, or found in the cache; SearchOptions::built). Its first probe
  // then counts as runs alone: not a version built, nor in build_seconds().
  void set_built(std::function<bool(std::size_t)> built) { m_is_built = std::move(built); }

  Expected<Observation> observe(std::size_t index, int runs, bool stop_at_first) override;

  // Seconds per run. With a build clock: the probes' time beyond their builds
  // over their runs. Without: over probes of versions already built (their time
  // is runs alone); before there is one, the fewest seconds per run of any
  // probe (a build included), which makes a build look free until runs are measured.
  double run_seconds() const;
  // Seconds per build: the build clock's advance, else a first probe's time
  // beyond its runs; averaged over the versions probed.
  double build_seconds() const;
  ProbeCost cost() const { return {build_seconds(), run_seconds()}; }

  // Versions probed that needed a build (built, or found unbuildable) when probed.
  int builds() const { return m_builds; }
  int runs() const { return m_runs; }
  double seconds() const { return m_first_seconds + m_repeat_seconds; }  // all probes

 private:
  Oracle& m_inner;
  Clock m_now, m_build_clock;
  std::function<bool(std::size_t)> m_is_built;
  double m_built_seconds = 0;  // with a build clock: what it advanced during probes
  std::set<std::size_t> m_built;
  int m_builds = 0, m_runs = 0;
  int m_first_runs = 0, m_repeat_runs = 0;
  double m_first_seconds = 0, m_repeat_seconds = 0;
  double m_fewest_per_run = -1;  // seconds per run of the cheapest probe so far
};

// "7 versions built (0.2 s each), 13 runs (0.7 s each): 10.5 s probing".
std::string describe_costs(const MeteredOracle& metered);

}  // namespace faultline::bisect
