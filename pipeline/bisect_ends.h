// pipeline/bisect_ends.h — the ends a user states (`--good`, `--bad`) checked
// against what the runs show: a bad end whose silent runs exclude the rate the
// target crashes at elsewhere, a good end that crashes while the search runs.
// Either is bad input (exit 2), reported with the runs that show it. The search
// is bisect/search.h; pipeline/bisect.cc calls these around it.
#pragma once

#include <cstddef>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/expected.h"
#include "bisect/oracle.h"
#include "bisect/search.h"

namespace faultline::pipeline {

// The span a 1-D search covers and the ends the user stated ("" when not).
// With `fixed` the good end is the newest version of the span, else the oldest.
struct StatedEnds {
  std::string axis;                   // "lib"
  std::vector<std::string> versions;  // the span, oldest first
  bool fixed = false;
  std::string good, bad;  // as given on the command line

  std::size_t good_index() const { return fixed ? versions.size() - 1 : 0; }
  std::size_t bad_index() const { return fixed ? 0 : versions.size() - 1; }
};

// The target's counts over the span's versions that the evidence shows
// crashing, leaving out `except` (runs and target crashes summed).
bisect::CrashRate crashing_rate(const std::vector<bisect::PriorObservation>& evidence,
                                std::size_t except);

// Runs a silent bad end needs to exclude the rate the target crashes at
// elsewhere in `evidence` (0 of them: its one-sided 95% bound falls below
// that rate's 95% low end), at most `cap`; `cap` when nothing crashed elsewhere.
int runs_to_exclude(const std::vector<bisect::PriorObservation>& evidence, std::size_t bad,
                    int cap);

// A stated --bad whose runs (the evidence, and with `report` the search's own
// bad-end runs) show no target crash in enough runs to exclude the rate seen
// elsewhere: the message naming both counts; nullopt when there is no
// contradiction.
std::optional<std::string> bad_end_contradiction(
    const StatedEnds& ends, const std::vector<bisect::PriorObservation>& evidence,
    const bisect::SearchReport* report);

// With a contradiction: writes "faultline bisect: WHY" to `log` and gives exit 2.
std::optional<int> refused(std::ostream& log, const std::optional<std::string>& why);

// An Oracle that stops the search when a stated --good shows the target: the
// observation becomes a bad-input error naming the good end's runs (evidence
// included), so the search ends with exit 2 instead of searching through it.
class GoodEndGuard : public bisect::Oracle {
 public:
  GoodEndGuard(bisect::Oracle& inner, const StatedEnds& ends,
               const std::vector<bisect::PriorObservation>& evidence);
  Expected<bisect::Observation> observe(std::size_t index, int runs, bool stop_at_first) override;

 private:
  bisect::Oracle& m_inner;
  const StatedEnds& m_ends;
  int m_runs = 0, m_target = 0;  // at the good end so far, evidence included
};

}  // namespace faultline::pipeline
