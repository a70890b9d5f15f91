// pipeline/bisect_plane_lead.h — what a 2-D bisect's progress shows while the
// staircase (bisect/staircase.h) runs, as 1-D's does: the leading candidate (the
// first crashing corner the probes so far support) with the probability that it
// is a corner, and how many probes are likely left, for an ETA. Pure reasoning
// over the probes' observations; the probes themselves are bisect_plane.cc's.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <utility>

#include "bisect/oracle.h"
#include "bisect/staircase.h"

namespace faultline::pipeline {

// Probed cells of a rows × cols plane, by (row, column): all their runs summed.
using PlaneProbes = std::map<std::pair<std::size_t, std::size_t>, bisect::Observation>;

struct PlaneLead {
  // The probed crashing cell of the lowest row (then column) that dominates no
  // other probed crash (row and column both >=): the staircase's first corner
  // so far. nullopt while no probe crashed.
  std::optional<bisect::Cell> corner;
  // The probability that `corner` is a minimal crashing pair: that its two
  // predecessors (a row before, a column before) pass. Each cell passes or
  // crashes a priori with probability 1/2; a predecessor a probed pass covers
  // (the pass dominates it) that ran n silent runs passes with 1 / (1 + (1 − p)^n),
  // p the target's rate over the crashing probes' runs; one off the plane, 1.
  double posterior = 0;
  // Probes the staircase will still make, estimated: the mean of two replays of
  // the staircase over the probes made, unprobed cells answered once as crashing
  // (unless a probed pass covers them) and once as passing (unless they cover a
  // probed crash).
  std::size_t probes_left = 0;
};

PlaneLead plane_lead(std::size_t rows, std::size_t cols, const PlaneProbes& probed,
                     int runs_per_cell);

}  // namespace faultline::pipeline
