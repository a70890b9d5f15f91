// pipeline/bisect_costs.h — what a bisect's builds cost and how it saves on
// them: the build seconds its CellProber has spent, as its builds measured them,
// for bisect::MeteredOracle's build clock (bisect/cost.h), so the search weighs
// builds and runs at what they cost; and with -j above 1, the search's next
// probes built ahead while a probe runs (pipeline/bisect_ahead.h).
#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bisect/cost.h"
#include "bisect/search.h"
#include "pipeline/bisect_ahead.h"
#include "pipeline/bisect_cells.h"
#include "pipeline/bisect_session.h"

namespace faultline::pipeline {

// A clock of the seconds `prober`'s builds took so far: every build it ran
// (not found in the cache), each counted once, plus the seconds its probes
// waited for builds made ahead. `prober` must outlive it.
std::function<double()> build_clock(const CellProber& prober);

// Whether a cell needs no build before its probe: each of its builds is settled
// — built or failed by an earlier probe (found in the cache included), made or
// failed ahead (`prober.ahead`), or found in the build cache when the search
// began (one runner::run_builds with find_only over `cells`, no command run;
// skipped when `cells` is empty). `prober` must outlive it.
std::function<bool(std::size_t cell)> cell_built(const CellProber& prober,
                                                 const std::vector<std::size_t>& cells);

// The search's cost model told which versions of `plane`'s line (index +
// `offset`) need no build (cell_built): SearchOptions::built and the metered
// oracle's, so such a probe is priced as runs alone and named to build ahead
// by no one. A resumed session (`resumed`) does not look in the cache: it
// holds the builds of the session it replays, which were not built when that
// session chose its probes, so pricing them free would make the replay ask
// differently.
void price_built_versions(const CellProber& prober, const Plane& plane, std::size_t offset,
                          bool resumed, bisect::SearchOptions& options,
                          bisect::MeteredOracle& metered);

// What a probe choice reads besides the runs: the measured costs
// (SearchOptions::cost) and which versions need no build (SearchOptions::built).
// Both depend on timing (how long builds took, whether a build made ahead had
// finished), so they are kept with each probe they chose, and `--resume`
// decides as the session it continues did: its replay asks the probes the
// session asked, and repeats no run. Live, each answer is taken once per choice
// (the first call after an observation) and held until the next observation;
// take() hands them over, as JSON {"cost": [build_seconds, run_seconds], "built":
// "10-1"} (per version: '1' needs no build, '0' does, '-' not asked), to be
// recorded with the observation they chose (SessionLog, the header's "choices").
// Replaying, the choice recorded with the next recorded observation answers; a
// question it does not answer (a session recorded before choices were kept)
// is answered live.
class ChoiceJournal {
 public:
  ChoiceJournal(std::size_t versions, std::vector<json> recorded);
  // Routes `options`' cost and built (those set) through the journal.
  void wrap(bisect::SearchOptions& options);
  // A recorded observation answered the probe: the next recorded choice is in force.
  void replayed();
  // The live choice just made, for the observation it chose; cleared. The
  // replay is over: every later question is answered live.
  json take();

 private:
  bisect::ProbeCost cost(const std::function<bisect::ProbeCost()>& live);
  bool built(std::size_t v, const std::function<bool(std::size_t)>& live);
  const json* replaying() const;  // the recorded choice in force, or null

  std::size_t m_versions;
  std::vector<json> m_recorded;
  std::size_t m_next = 0;
  std::optional<bisect::ProbeCost> m_cost;
  std::string m_built;
};

// `faultline bisect -j N`, N > 1: for as long as it lives (or until finish()),
// N − 1 threads build the cells want() names — the search's next probes — and
// the prober builds through them. With -j 1 it does nothing.
class AheadBuilds {
 public:
  explicit AheadBuilds(Context& ctx);
  // The 1-D search's: `options.prefetch` names the versions to want(), cells of
  // the plane's line at index + `offset`.
  AheadBuilds(Context& ctx, const Plane& plane, std::size_t offset, bisect::SearchOptions& options);
  ~AheadBuilds() { finish(); }
  AheadBuilds(const AheadBuilds&) = delete;
  AheadBuilds& operator=(const AheadBuilds&) = delete;
  // The search's next probes: `probe` (a cell; nullopt when excluded) is about
  // to be probed, `next` (cells, most likely first) may follow it.
  void want(std::optional<std::size_t> probe, const std::vector<std::size_t>& next);
  // The search ended: ahead builds in flight are cancelled, and the prober's
  // built_ahead keeps the tally (idempotent).
  void finish();

 private:
  Context& m_ctx;
  std::unique_ptr<BuildAhead> m_ahead;
};

// "; built ahead: 2, used 1" after a search that built ahead; "" otherwise.
std::string ahead_costs(const Context& ctx);

// "; its build was made ahead" once per probe that used a build made ahead
// since the last call, for the step log; "" otherwise.
std::string ahead_note(Context& ctx);

}  // namespace faultline::pipeline
