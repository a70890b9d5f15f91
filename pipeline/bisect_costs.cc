#include "pipeline/bisect_costs.h"

#include <map>
#include <memory>
#include <string>

namespace faultline::pipeline {

std::function<double()> build_clock(const CellProber& prober) {
  auto counted = std::make_shared<std::map<std::string, double>>();  // build key -> seconds
  return [&prober, counted] {
    for (const runner::BuildOutcome& b : prober.builds())
      if (b.state != runner::BuildState::not_needed && !b.cached && !counted->count(b.key))
        (*counted)[b.key] = b.seconds;
    double seconds = 0;
    for (const auto& [key, s] : *counted) seconds += s;
    return seconds;
  };
}

}  // namespace faultline::pipeline
