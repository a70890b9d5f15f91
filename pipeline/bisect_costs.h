// pipeline/bisect_costs.h — the build seconds a bisect's CellProber has spent,
// as its builds measured them, for bisect::MeteredOracle's build clock
// (bisect/cost.h): the search then weighs builds and runs at what they cost.
#pragma once

#include <functional>

#include "pipeline/bisect_cells.h"

namespace faultline::pipeline {

// A clock of the seconds `prober`'s builds took so far: every build it ran
// (not found in the cache), each counted once. `prober` must outlive it.
std::function<double()> build_clock(const CellProber& prober);

}  // namespace faultline::pipeline
