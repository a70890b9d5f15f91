// bisect/search.h — the flake-aware 1-D search: along one ordered axis, the
// first version at which a target crash appears (or, in fix mode, stops).
// Owns the order of probes, the stopping rule, the verification rerun and the
// honest outcome; the evidence model is bisect/boundary_model.h and the runs
// come from an Oracle (bisect/oracle.h).
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/expected.h"
#include "bisect/boundary_model.h"
#include "bisect/oracle.h"

namespace faultline::bisect {

struct Step;

// What a probe costs, in seconds: building its version (once: a version with
// runs, or known not to build, is built) and each run. The caller measures them
// as builds and runs happen (bisect/cost.h's MeteredOracle).
struct ProbeCost {
  double build_seconds = 0;
  double run_seconds = 1;
};

struct SearchOptions {
  double confidence = 0.99;      // posterior needed to name one boundary
  bool fixed = false;            // find where the crash stops instead of where it starts
  int max_runs = 5000;           // budget for the whole search, checks and verification included
  int max_end_runs = 400;        // runs allowed to see the bad end crash
  int bad_end_runs = 0;          // when > 0, the bad end's check stops after this many silent runs
                                 // (the caller's stated power: enough to exclude a known rate)
  double end_confidence = 0.95;  // the good end must pass runs that would show p̂ this often
  double verify_confidence = 0.99;  // verification reruns sized to show p̂ this often
  // The search alone stops at 1 - k (1 - confidence) with k = 3; the verification
  // reruns, the most informative runs left, then carry it to `confidence`.
  int max_batch = 64;              // most runs asked of one probe (it stops at the first crash)
  std::vector<std::string> names;  // the versions' names for the summary (default: #index)
  // Called after each new (not replayed) observation, with the step it made:
  // the caller's progress log (version, runs, crashes, the leading candidate).
  std::function<void(const Step&)> on_step;
  // The costs the probe choice weighs, asked before each search probe. The probe
  // maximises expected information per expected second: a run's information
  // over the run's time plus, for a version not built yet, its build spread
  // over the runs the probe asks for. Unset (or builds free): the most
  // informative run, as before costs were counted.
  std::function<ProbeCost()> cost;
  // Whether a version (caller's order) needs no build before its probe: built
  // ahead, earlier in the session or found in the build cache, or known not to
  // build. Such a probe pays no build in the cost model and is not named to
  // prefetch. Unset: a version is built once it has runs or is unbuildable.
  std::function<bool(std::size_t)> built;
  // Told before each search probe (not a replayed one): the version about to be
  // probed, then the versions the search would probe after it, not built yet:
  // the next after a crash (its first run crashes) and the next after silent
  // runs, the likelier outcome's first; when either outcome would conclude, the
  // verification's versions. The caller may build them while this probe runs
  // (`faultline bisect -j 2`); a hint only: the search neither waits for it nor
  // counts it. Indices in the caller's order.
  std::function<void(std::size_t probe, const std::vector<std::size_t>& next)> prefetch;
  ModelPrior prior;
};

enum class Outcome {
  culprit,                // one boundary, with its posterior and a verification rerun
  range,                  // skips or the budget leave several candidates: [last_good, first_bad]
  not_on_axis,            // the good end crashes too: the cause is not on this axis
  noise,                  // the target appears at rates no boundary explains
  bad_end_passes,         // the bad end never showed the target
  manifestation_changed,  // the target stops at the boundary, but other crashes go on at the same
                          // rate there
};

// "culprit", "range", "not-on-axis", "noise", "bad-end-passes", "manifestation-changed"
std::string_view outcome_name(Outcome o);

// A crash count as people read it, with runner/verdict.h's 95% interval (Wilson
// score; with no crash the one-sided Clopper-Pearson bound): "7 of 7 runs; ≥ 65% at
// 95%", "0 of 30 runs; < 10% at 95%", "3 of 20 runs; 5%–36% at 95%".
std::string describe_counts(int target, int runs);

enum class Phase { prior, spread, bad_end, search, verify };

std::string_view phase_name(Phase p);

struct Step {
  Phase phase = Phase::search;
  std::size_t index = 0;  // version, in the caller's order
  Observation seen;
  std::size_t leading = 0;       // the most probable first-changed version after this step
  double leading_posterior = 0;  // its posterior
  bool fixed = false;            // a fix search: `leading` is the first fixed version
};

struct CrashRate {
  double estimate = 0, low = 0, high = 0;  // 95% Wilson interval over runs at changed versions
  int target = 0, runs = 0;
};

// Indices are in the caller's order. "Changed" means crashing in regression
// mode and fixed in fix mode: `first_bad` is the first version on the new side
// of the change (first crashing, or first fixed with `fixed`), `last_good` the
// last version on the old side. For a range, every version strictly between
// them is a candidate (unbuildable, or not told apart within the budget).
struct SearchReport {
  Outcome outcome = Outcome::culprit;
  std::size_t first_bad = 0;
  std::size_t last_good = 0;
  double posterior = 0;   // of the boundary (or of the whole range)
  CrashRate rate;         // the target's rate at crashing versions
  double model_rate = 0;  // posterior mean of p
  int runs = 0;           // runs this session spent, replayed log entries included
                          // (prior evidence taken at once is not counted)
  int other_crashes = 0;  // crashes with another signature met on the way
  // With manifestation_changed, the two versions at the boundary: where the
  // target is gone, its runs that crashed otherwise (`target` counts them);
  // where it shows, its runs that crashed at all.
  CrashRate without_target, with_target;
  // The verification rerun: the culprit must crash, its predecessor must not,
  // and (a spot-check of monotonicity) its successor must crash too.
  Observation verify_culprit, verify_predecessor, verify_successor;
  std::vector<std::size_t> unbuildable;    // versions skipped
  std::vector<std::size_t> contradicting;  // versions whose runs contradict the answer
  std::vector<Step> steps;
  std::string summary;  // one paragraph for people
};

// Observations from before this call. They answer the search's own questions
// in order while they match, so a resumed session (which passes everything its
// sink recorded) replays exactly and repeats no run; at the first mismatch the
// rest (say, results of an earlier `faultline run`) are taken as evidence at once.
using PriorObservation = std::pair<std::size_t, Observation>;
// Called after every new observation (not replayed ones), to persist it.
using ObservationSink = std::function<void(std::size_t index, const Observation&)>;

// Search axis positions 0..n-1 (n >= 2; the good end is 0 for a regression and
// n-1 for a fix). Deterministic: the same observations give the same probes.
Expected<SearchReport> bisect_1d(std::size_t n, Oracle& oracle, const SearchOptions& options = {},
                                 const std::vector<PriorObservation>& prior = {},
                                 const ObservationSink& sink = {});

}  // namespace faultline::bisect
