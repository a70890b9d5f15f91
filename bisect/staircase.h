// bisect/staircase.h — the 2-D search: across two ordered axes (rows, say
// library; columns, say binding) the staircase between the passing and the
// crashing cells, and its minimal crashing pairs, with far fewer probes than
// the full grid. Assumes monotonicity (if (i, j) crashes, so does every
// (i', j') with i' >= i and j' >= j), checks it where it relied on it, and
// reports the cells that contradict it. Runs come from an Oracle2D.
#pragma once

#include <cstddef>
#include <functional>
#include <vector>

#include "base/expected.h"
#include "bisect/oracle.h"

namespace faultline::bisect {

struct Cell {
  std::size_t row = 0, col = 0;
  friend bool operator==(const Cell&, const Cell&) = default;
};

struct StaircaseOptions {
  // A probed cell "crashes" when one of up to this many runs shows the target
  // (the runs stop at the first); it "passes" after this many silent runs.
  int runs_per_cell = 10;
  // Told before each probe (each cell the oracle is asked of, once): the cell
  // about to be probed, then the cells the search would probe after it — the
  // next after a crash, then the next after a pass (each once; none for an
  // outcome that would end the search). The caller may build them while this
  // probe runs (`faultline bisect --axes A,B -j 2`); a hint only: the search
  // neither waits for it nor counts it.
  std::function<void(Cell probe, const std::vector<Cell>& next)> prefetch;
};

struct ProbedCell {
  Cell cell;
  Observation seen;
};

// A cell whose verdict the monotone staircase cannot hold, beside the probed
// cell it disagrees with: `crashing` crashed although `passing`, which it
// precedes on both axes (row and column both <=), passed.
struct Contradiction {
  Cell crashing;
  Cell passing;
};

struct StaircaseReport {
  // Per row, the first crashing column (`cols` when the row never crashes).
  std::vector<std::size_t> first_crashing_col;
  std::vector<Cell> minimal_pairs;  // the staircase's corners, by row
  std::vector<Contradiction> contradictions;
  std::vector<ProbedCell> probed;  // in probe order
  int probes = 0;                  // distinct cells probed
  int runs = 0;
};

Expected<StaircaseReport> bisect_2d(std::size_t rows, std::size_t cols, Oracle2D& oracle,
                                    const StaircaseOptions& options = {});

}  // namespace faultline::bisect
