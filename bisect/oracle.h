// bisect/oracle.h — what the search asks of the world: "run this cell k more
// times and tell me what you saw". The runner (or a simulation in tests and
// benchmarks) answers; bisect/ itself knows nothing of processes or builds.
#pragma once

#include <cstddef>

#include "base/expected.h"

namespace faultline::bisect {

// What a batch of runs of one cell showed. Only `target` is evidence for the
// search; `other` (crashes with another signature) is recorded and reported.
// A run whose crash cannot be told apart (its stack was lost: a core file shared
// by parallel runs) is `unknown`: not in `runs`, neither target nor other.
struct Observation {
  int runs = 0;              // runs that are evidence in this batch (unknown ones excluded)
  int target = 0;            // runs showing the target signature
  int other = 0;             // runs crashing with another signature
  bool unbuildable = false;  // the cell did not build (git bisect's exit 125): skip it
  int unknown = 0;           // runs that crashed with their stack lost: no evidence either way
};

// One ordered axis of versions, indexed 0 (oldest) .. n-1 (newest).
class Oracle {
 public:
  virtual ~Oracle() = default;
  // Run the cell at `index` `runs` more times (stopping early at the first
  // target crash if `stop_at_first`); return what was seen in these runs.
  virtual Expected<Observation> observe(std::size_t index, int runs, bool stop_at_first) = 0;
};

// Two ordered axes: rows (say library) × columns (say binding).
class Oracle2D {
 public:
  virtual ~Oracle2D() = default;
  virtual Expected<Observation> observe(std::size_t row, std::size_t col, int runs,
                                        bool stop_at_first) = 0;
};

}  // namespace faultline::bisect
