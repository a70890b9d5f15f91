// The cells a bisect probes and how it probes them: the line (one searched
// axis) or plane (two) of cells with every other axis fixed by --only, and a
// CellProber that builds and stress-runs one cell on request, keeping every run
// so the bisect can write them to results.json. The search itself is bisect/.
#pragma once

#include <atomic>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/expected.h"
#include "bisect/families.h"
#include "bisect/oracle.h"
#include "matrix/config.h"
#include "matrix/expand.h"
#include "runner/builds.h"
#include "runner/stress.h"

namespace faultline::pipeline {

// The matrix a bisect searches: the loaded configuration and its expansion
// (both owned by the caller, which outlives every bisect object).
struct BisectMatrix {
  const matrix::Config& config;
  const matrix::Expansion& expansion;
};

// `--only AXIS=VALUE` filters as pipeline/matrix_input.h parses them: per product
// axis index, the values wanted.
using AxisFilter = std::map<std::size_t, std::set<std::string>>;

// The searched axes (one or two component axes) and, for each position on them,
// the matrix cell there; the other axes are fixed to one value each.
struct Plane {
  std::vector<std::size_t> axes;  // product axis indices: rows, then columns
  std::size_t rows = 0, cols = 1;
  std::vector<std::optional<std::size_t>> cells;  // rows × cols, row-major; nullopt where excluded
  std::string base;  // the fixed values, "sanitizer=asan workload=gates threads=8"

  std::optional<std::size_t> at(std::size_t row, std::size_t col = 0) const {
    return cells[row * cols + col];
  }
};

// The searched axes' names from `faultline bisect --axes ROWS,COLUMNS` (two), else
// `--axis NAME` (one), else the matrix's bisect.axes (two: a 2-D search; one: that
// axis). Bad input for --axes with other than two names, --axes with --axis, or no axis.
Expected<std::vector<std::string>> searched_axes(const std::string& axes, const std::string& axis,
                                                 const matrix::Config& config);

// Bad input when an axis is not a component, `only` leaves another axis varying
// or gives it two values, or no cell matches.
Expected<Plane> find_plane(const BisectMatrix& in, const std::vector<std::string>& axis_names,
                           const AxisFilter& only);

class BisectProgress;
class BuildAhead;  // pipeline/bisect_ahead.h

// What building ahead (pipeline/bisect_ahead.h) did, for the answer and the costs.
struct AheadTally {
  int built = 0;             // cells whose builds ran ahead and all succeeded (none found cached)
  int used = 0;              // of them, cells a probe then needed
  int cancelled = 0;         // cells whose ahead build was stopped: the search went elsewhere
  double waited = 0;         // seconds probes waited for an ahead build they needed
  int builds = 0;            // build commands run ahead (finished, failed or cancelled; not cached)
  double build_seconds = 0;  // their seconds, as each build timed itself
};

// Builds a cell's components (through the build cache) and runs it.
class CellProber {
 public:
  CellProber(BisectMatrix in, runner::BuildOptions builds, runner::StressOptions stress)
      : m_in(in), m_builds(std::move(builds)), m_stress(std::move(stress)) {}

  bisect::FamilyTarget
      target;  // what counts as the target; no signatures: not chosen yet, or any_crash
  bool any_crash = false;
  BisectProgress* progress = nullptr;  // told of each probe, its builds' end and each run
  BuildAhead* ahead = nullptr;  // set (-j > 1): probes build through it, beside its ahead builds
  // Building ahead's final tally, kept when it stops (ahead is then null); the
  // answer's built_ahead. nullopt: nothing was built ahead (-j 1).
  std::optional<AheadTally> built_ahead;
  // The tally of building ahead: live while it runs, else the final one (zeros when none).
  AheadTally ahead_tally() const;

  // `runs` more runs of `cell` (stopping at the first target crash when
  // `stop_at_first`; at any crash while there is no target); unbuildable when
  // one of its builds failed.
  Expected<bisect::Observation> observe(std::size_t cell, int runs, bool stop_at_first);
  // The runs of records()[from, end) of `cell` as an observation of the target
  // (after the target was widened, say).
  bisect::Observation recount(std::size_t cell, std::size_t from) const;

  // Every run this prober made, and the first crash it met (for discovering the target).
  const std::vector<runner::RunRecord>& records() const { return m_records; }
  const std::optional<sanitizers::Crash>& first_crash() const { return m_first_crash; }
  // Build outcomes by build index (state `not_needed` for builds never asked for).
  const std::vector<runner::BuildOutcome>& builds() const { return m_outcomes; }
  const runner::BuildOptions& build_options() const { return m_builds; }
  const BisectMatrix& matrix() const { return m_in; }
  // What the probes cost so far: the builds run (not found in the cache) and
  // their seconds as each build timed itself; the runs and their wall seconds.
  struct Costs {
    int builds = 0;
    double build_seconds = 0;
    int runs = 0;
    double run_seconds = 0;
  };
  Costs costs() const;

 private:
  const BisectMatrix m_in;
  runner::BuildOptions m_builds;
  runner::StressOptions m_stress;
  std::vector<runner::RunRecord> m_records;
  std::vector<runner::BuildOutcome> m_outcomes;
  std::optional<sanitizers::Crash> m_first_crash;
  int m_builds_run = 0;
  double m_build_seconds = 0;

  // Ctrl-C: the stress options' cancel flag is set.
  bool cancelled() const { return m_stress.cancel && m_stress.cancel->load(); }
};

}  // namespace faultline::pipeline
