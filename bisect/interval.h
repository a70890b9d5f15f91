// bisect/interval.h — a bug on one ordered axis as a crashing interval: the
// versions start..end-1 crash, and the interval may open before the oldest
// version (start open) and close after the newest (end open: still crashing).
// Owns finding a version that crashes (the anchor: from the evidence, else by
// probes spread across the axis, each bounded by a stated power) and the two
// boundary searches it couples; each boundary is a bisect/search.h search over
// the versions between the anchor and its end of the axis. Runs nothing: an
// Oracle answers (docs/bisect.md, "Intervals", says why two coupled searches).
#pragma once

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"
#include "bisect/oracle.h"
#include "bisect/search.h"

namespace faultline::bisect {

struct IntervalOptions {
  SearchOptions search;    // confidence, budget, names, on_step of both searches (`fixed` unused)
  bool find_start = true;  // false with --fixed alone: only the end is searched
  bool find_end = true;
  // Spread probes, when no version is known to crash: at most `spread_probes`
  // versions spread across the axis, each run in rounds of 1, 5, then
  // `spread_runs` runs (20: "crash rate < 14% at 95%" each) until one crashes or
  // each has passed `spread_runs` runs; the next round at a built version comes
  // before a new version's build when it is likelier to show the crash per
  // second (next_spread_step, with `search.cost`). `search.prefetch` is told the
  // next new version.
  int spread_probes = 8;
  int spread_runs = 20;
};

// A version probed while looking for one that crashes, and what it showed.
struct SpreadProbe {
  std::size_t index = 0;
  Observation seen;
};

struct IntervalReport {
  bool crashes = false;  // a version is known to crash (else nothing else is set)
  // The oldest and newest versions known to crash before the boundary searches.
  std::size_t oldest_crash = 0, newest_crash = 0;
  // The start search over 0..oldest_crash (regression order) and the end search
  // over newest_crash..n-1 (fix order), in whole-axis indices; nullopt when that
  // end was not searched: its anchor is the axis's end, or it was not asked.
  std::optional<SearchReport> start, end;
  bool start_open = false;          // crashes from the oldest version on
  bool end_open = false;            // crashes up to the newest version
  std::vector<SpreadProbe> spread;  // the spread probes, in order (empty with evidence)
  int runs = 0;                     // runs this call spent
  int other_crashes = 0;            // of them, runs that crashed with another signature
  std::string summary;              // one paragraph for people
};

// Search axis positions 0..n-1 (n >= 2) for the target's interval, from the
// evidence in `prior` (earlier runs, a resumed session; taken as in bisect_1d),
// recording each new observation through `sink`. Deterministic.
Expected<IntervalReport> bisect_interval(std::size_t n, Oracle& oracle,
                                         const IntervalOptions& options = {},
                                         const std::vector<PriorObservation>& prior = {},
                                         const ObservationSink& sink = {});

// One spread probe: raise `version`'s silent runs to `goal`.
struct SpreadStep {
  std::size_t version = 0;
  int goal = 0;
};

// The spread probe most likely to show a crash per second: over the versions of
// `order` below `spread_runs` silent runs (`silent`, per version of the axis; an
// unbuildable version counts as done), the next round (1, 5, `spread_runs`),
// a version with no runs paying `cost.build_seconds` unless `built` (optional,
// SearchOptions::built) says it needs no build; ties go to the earlier in
// `order`. nullopt when every version has its stated power. With free builds
// this is round by round across the axis; with a build of 60 runs' time, a built
// version reaches 5 runs before the next version is built.
std::optional<SpreadStep> next_spread_step(const std::vector<std::size_t>& order,
                                           const std::vector<int>& silent, int spread_runs,
                                           const ProbeCost& cost,
                                           const std::function<bool(std::size_t)>& built = {});

// Up to `count` versions of 0..n-1 spread across the axis in probe order: the
// newest, the oldest, the middle, then the middles of the halves, and so on.
std::vector<std::size_t> spread_order(std::size_t n, std::size_t count);

}  // namespace faultline::bisect
