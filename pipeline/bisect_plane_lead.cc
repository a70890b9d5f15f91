#include "pipeline/bisect_plane_lead.h"

#include <cmath>
#include <set>

namespace faultline::pipeline {

namespace {

bool crashed(const bisect::Observation& o) { return o.target > 0; }

// `a` dominates `b`: newer or the same on both axes.
bool dominates(std::pair<std::size_t, std::size_t> a, std::pair<std::size_t, std::size_t> b) {
  return a.first >= b.first && a.second >= b.second;
}

// The first corner: a probed crash that dominates no other probed crash, lowest row first.
std::optional<bisect::Cell> first_corner(const PlaneProbes& probed) {
  for (const auto& [cell, seen] : probed) {  // ordered by row, then column
    if (!crashed(seen)) continue;
    bool minimal = true;
    for (const auto& [other, o] : probed)
      minimal = minimal && !(crashed(o) && other != cell && dominates(cell, other));
    if (minimal) return bisect::Cell{cell.first, cell.second};
  }
  return std::nullopt;
}

// The target's rate over the crashing probes' runs.
double crash_rate(const PlaneProbes& probed) {
  int target = 0, runs = 0;
  for (const auto& [cell, seen] : probed)
    if (crashed(seen)) {
      target += seen.target;
      runs += seen.runs;
    }
  return runs > 0 ? double(target) / runs : 0;
}

// The probability that `cell` passes (see PlaneLead::posterior).
double passes(const PlaneProbes& probed, std::pair<std::size_t, std::size_t> cell, double rate) {
  int most = -1;
  for (const auto& [other, seen] : probed)
    if (!crashed(seen) && dominates(other, cell)) most = std::max(most, seen.runs);
  if (most < 0) return 0.5;
  return 1 / (1 + std::pow(1 - rate, most));
}

// Answers the staircase from the probes made, and unprobed cells by a guess,
// counting the distinct unprobed cells it is asked for.
class Replay : public bisect::Oracle2D {
 public:
  Replay(const PlaneProbes& probed, bool guess_crash) : m_probed(probed), m_crash(guess_crash) {}
  Expected<bisect::Observation> observe(std::size_t row, std::size_t col, int runs, bool) override {
    if (auto it = m_probed.find({row, col}); it != m_probed.end()) return it->second;
    asked.insert({row, col});
    return bisect::Observation{runs, guess({row, col}) ? 1 : 0, 0, false};
  }
  std::set<std::pair<std::size_t, std::size_t>> asked;

 private:
  bool guess(std::pair<std::size_t, std::size_t> cell) const {
    for (const auto& [other, seen] : m_probed) {
      if (m_crash && !crashed(seen) && dominates(other, cell)) return false;
      if (!m_crash && crashed(seen) && dominates(cell, other)) return true;
    }
    return m_crash;
  }
  const PlaneProbes& m_probed;
  bool m_crash;
};

std::size_t replayed_probes(std::size_t rows, std::size_t cols, const PlaneProbes& probed,
                            int runs_per_cell, bool guess_crash) {
  Replay replay(probed, guess_crash);
  bisect::StaircaseOptions options;
  options.runs_per_cell = runs_per_cell;
  (void)bisect::bisect_2d(rows, cols, replay, options);
  return replay.asked.size();
}

}  // namespace

PlaneLead plane_lead(std::size_t rows, std::size_t cols, const PlaneProbes& probed,
                     int runs_per_cell) {
  PlaneLead lead;
  const std::size_t crashing = replayed_probes(rows, cols, probed, runs_per_cell, true);
  const std::size_t passing = replayed_probes(rows, cols, probed, runs_per_cell, false);
  lead.probes_left = (crashing + passing + 1) / 2;
  lead.corner = first_corner(probed);
  if (!lead.corner) return lead;
  const double rate = crash_rate(probed);
  const auto [row, col] = *lead.corner;
  lead.posterior = (row > 0 ? passes(probed, {row - 1, col}, rate) : 1.0) *
                   (col > 0 ? passes(probed, {row, col - 1}, rate) : 1.0);
  return lead;
}

}  // namespace faultline::pipeline
