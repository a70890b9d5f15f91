#include "bisect/search.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <optional>

#include "runner/verdict.h"

namespace faultline::bisect {

std::string_view outcome_name(Outcome o) {
  switch (o) {
    case Outcome::culprit:
      return "culprit";
    case Outcome::range:
      return "range";
    case Outcome::not_on_axis:
      return "not-on-axis";
    case Outcome::noise:
      return "noise";
    case Outcome::bad_end_passes:
      return "bad-end-passes";
    case Outcome::manifestation_changed:
      return "manifestation-changed";
  }
  return "?";
}

std::string_view phase_name(Phase p) {
  switch (p) {
    case Phase::prior:
      return "prior";
    case Phase::spread:
      return "spread";
    case Phase::bad_end:
      return "bad-end";
    case Phase::search:
      return "search";
    case Phase::verify:
      return "verify";
  }
  return "?";
}

namespace {

std::string percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f%%", x * 100);
  return buf;
}

std::string whole_percent(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.0f%%", x * 100);
  return buf;
}

}  // namespace

std::string describe_counts(int target, int runs) {
  const std::string counts =
      std::to_string(target) + " of " + std::to_string(runs) + (runs == 1 ? " run" : " runs");
  if (runs <= 0) return counts;
  const runner::RateInterval r = runner::crash_rate(target, runs);
  if (target == 0) return counts + "; < " + whole_percent(r.high) + " at 95%";
  if (target == runs) return counts + "; ≥ " + whole_percent(r.low) + " at 95%";
  return counts + "; " + whole_percent(r.low) + "–" + whole_percent(r.high) + " at 95%";
}

namespace {

constexpr double k_batch_miss_chance = 0.5;  // a probe's runs: a miss should halve the odds
constexpr double k_contradiction_p = 1e-3;   // zero crashes this unlikely at p̂: contradiction
constexpr double k_spot_confidence = 0.999;  // the successor's spot-check
constexpr int k_max_verify_rounds = 3;
constexpr double k_early_factor = 3;  // search alone to 1 - 10 (1 - confidence), then verify

double log_beta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

// log of P(one crash rate on both sides) / P(a rate per side), rates uniform a priori.
double log_same_rate(int crashes_a, int runs_a, int crashes_b, int runs_b) {
  const int misses_a = runs_a - crashes_a, misses_b = runs_b - crashes_b;
  return log_beta(1 + crashes_a + crashes_b, 1 + misses_a + misses_b) -
         log_beta(1 + crashes_a, 1 + misses_a) - log_beta(1 + crashes_b, 1 + misses_b);
}

CrashRate rate_of(int crashes, int runs) {
  const runner::RateInterval interval = runner::crash_rate(crashes, runs);
  return {interval.estimate, interval.low, interval.high, crashes, runs};
}

// Runs needed to see at least one crash with probability `confidence` at rate `rate`.
int runs_to_see(double rate, double confidence, int cap) {
  rate = std::clamp(rate, 1e-3, 0.999);
  const double runs = std::ceil(std::log1p(-confidence) / std::log1p(-rate));
  return std::clamp(int(runs), 1, cap);
}

// A boundary answer in internal (regression) coordinates: versions >= first_bad crash.
struct Boundary {
  Outcome outcome = Outcome::culprit;
  std::size_t last_good = 0, first_bad = 1;
  double posterior = 0;
};

// One search: internal coordinates are regression order (the good end is 0);
// in fix mode they are the caller's reversed.
class Search {
 public:
  Search(std::size_t n, Oracle& oracle, const SearchOptions& options, const ObservationSink& sink)
      : m_n(n),
        m_oracle(oracle),
        m_options(options),
        m_sink(sink),
        m_model(n, options.prior),
        m_other(n, 0) {}

  void set_prior(std::vector<PriorObservation> prior) { m_prior = std::move(prior); }
  Expected<SearchReport> run();

 private:
  std::size_t caller(std::size_t v) const { return m_options.fixed ? m_n - 1 - v : v; }
  int budget_left() const { return m_options.max_runs - m_report.runs; }
  bool built(const BoundaryModel& model, std::size_t v) const {
    return model.runs_at(v) > 0 || model.unbuildable(v) ||
           (m_options.built && m_options.built(caller(v)));
  }
  void record(Phase phase, std::size_t v, const Observation& seen);
  Expected<Observation> ask(Phase phase, std::size_t v, int runs);
  bool replay(Phase phase, std::size_t v, Observation* seen);
  Expected<bool> check_ends();
  Expected<Boundary> search(double confidence);
  std::size_t cheapest_information(const BoundaryModel& model,
                                   const std::vector<double>& gain) const;
  int probe_runs(const BoundaryModel& model, std::size_t v) const;
  void prefetch_next(std::size_t v, int runs, double confidence) const;
  std::vector<std::size_t> probes_after(const BoundaryModel& model, double confidence) const;
  Expected<bool> verify(const Boundary& found);
  bool concluded(const BoundaryModel& model, Boundary* found, double confidence) const;
  Boundary credible_range() const;
  std::size_t leading() const;
  void finish(const Boundary& found);
  void find_contradictions(const Boundary& found);
  bool manifestation_changed(const Boundary& found);
  CrashRate crash_side_rate(std::size_t from, std::size_t except) const;
  void write_summary();

  std::size_t m_n;
  Oracle& m_oracle;
  SearchOptions m_options;
  const ObservationSink& m_sink;
  BoundaryModel m_model;
  SearchReport m_report;
  std::vector<PriorObservation> m_prior;  // a copy: the sink may append to the caller's
  std::vector<int> m_other;               // per version: runs that crashed with another signature
  std::size_t m_replayed = 0;
};

void Search::record(Phase phase, std::size_t v, const Observation& seen) {
  if (seen.unbuildable) {
    m_model.mark_unbuildable(v);
  } else {
    m_model.add(v, seen.runs, seen.target);
    m_other[v] += seen.other;
  }
  m_report.other_crashes += seen.other;
  // The leading boundary b is the first changed version internally; in fix mode
  // the first fixed version is the one before it (internal order is reversed).
  const std::size_t lead = leading();
  const std::size_t first_changed = m_options.fixed ? caller(lead - 1) : caller(lead);
  m_report.steps.push_back(
      {phase, caller(v), seen, first_changed, m_model.posterior()[lead], m_options.fixed});
}

// Prior observations answer the search's questions in order while they match
// (a resumed session replays its own log exactly); at the first mismatch the
// rest are taken as evidence at once and the question is decided again.
bool Search::replay(Phase phase, std::size_t v, Observation* seen) {
  if (m_replayed >= m_prior.size()) return false;
  const PriorObservation& next = m_prior[m_replayed];
  if (next.first == caller(v)) {
    ++m_replayed;
    *seen = next.second;
    m_report.runs += seen->runs;
    record(phase, v, *seen);
    return true;
  }
  for (; m_replayed < m_prior.size(); ++m_replayed) {
    const PriorObservation& entry = m_prior[m_replayed];
    if (entry.first < m_n) record(Phase::prior, caller(entry.first), entry.second);
  }
  *seen = Observation{};
  return true;
}

Expected<Observation> Search::ask(Phase phase, std::size_t v, int runs) {
  runs = std::min(runs, budget_left());
  if (runs <= 0) return Observation{};
  Observation replayed;
  if (replay(phase, v, &replayed)) return replayed;
  FAULTLINE_TRY(Observation seen, m_oracle.observe(caller(v), runs, true));
  m_report.runs += seen.runs;
  record(phase, v, seen);
  if (m_sink) m_sink(caller(v), seen);
  if (m_options.on_step) m_options.on_step(m_report.steps.back());
  return seen;
}

// The bad end must show the target; the good end must not, in as many runs as
// would show it with `end_confidence` at the rate seen so far.
Expected<bool> Search::check_ends() {
  const std::size_t bad = m_n - 1;
  const int end_runs = m_options.bad_end_runs > 0
                           ? std::min(m_options.bad_end_runs, m_options.max_end_runs)
                           : m_options.max_end_runs;
  while (m_model.target_at(bad) == 0 && !m_model.unbuildable(bad) &&
         m_model.runs_at(bad) < end_runs && budget_left() > 0) {
    FAULTLINE_TRY(Observation seen, ask(Phase::bad_end, bad, end_runs - m_model.runs_at(bad)));
    (void)seen;
  }
  if (m_model.unbuildable(bad) || m_model.unbuildable(0)) {
    return fail(bad_input("bisect: the " + std::string(m_model.unbuildable(0) ? "good" : "bad") +
                          " end of the axis does not build; choose a buildable end"));
  }
  if (m_model.target_at(bad) == 0) {
    m_report.outcome = Outcome::bad_end_passes;
    return false;
  }
  // The good end is not checked on its own: "every version crashes" is one of
  // the model's hypotheses, and the search probes low versions as far as it
  // must to rule it out (or to conclude it).
  return true;
}

std::size_t Search::leading() const {
  const std::vector<double>& post = m_model.posterior();
  return std::size_t(std::max_element(post.begin() + 1, post.end()) - post.begin());
}

// One group of indistinguishable boundaries holds `confidence` of the mass.
bool Search::concluded(const BoundaryModel& model, Boundary* found, double confidence) const {
  const std::vector<double>& post = model.posterior();
  if (post[0] >= confidence) {
    found->outcome = Outcome::not_on_axis;
    found->posterior = post[0];
    return true;
  }
  for (std::size_t b = 1; b < m_n;) {
    const std::size_t last = model.group_last(b);
    double mass = 0;
    for (std::size_t c = b; c <= last; ++c) mass += post[c];
    if (mass >= confidence) {
      found->outcome = b == last ? Outcome::culprit : Outcome::range;
      found->last_good = b - 1;
      found->first_bad = last;
      found->posterior = mass;
      return true;
    }
    b = last + 1;
  }
  return false;
}

// The central credible interval of `confidence`, widened to whole groups.
Boundary Search::credible_range() const {
  const std::vector<double>& post = m_model.posterior();
  const double tail = (1 - m_options.confidence) / 2;
  std::size_t lo = 1, hi = m_n - 1;
  double cdf = 0;
  for (std::size_t b = 1; b < m_n; ++b) {
    if (cdf <= tail && cdf + post[b] > tail) lo = b;
    cdf += post[b];
    if (cdf >= 1 - tail) {
      hi = b;
      break;
    }
  }
  Boundary range{Outcome::range, m_model.group_first(lo) - 1, m_model.group_last(hi), 0};
  for (std::size_t b = range.last_good + 1; b <= range.first_bad; ++b) range.posterior += post[b];
  return range;
}

// The runs a search probe at `v` asks for: enough that a miss halves the odds.
int Search::probe_runs(const BoundaryModel& model, std::size_t v) const {
  return runs_to_see(model.crash_rate_at_or_below(v), k_batch_miss_chance, m_options.max_batch);
}

// The version whose probe gives the most information per second: a run's
// information over its time, a version not built yet paying its build spread
// over the probe's runs. With free builds, the most informative run.
std::size_t Search::cheapest_information(const BoundaryModel& model,
                                         const std::vector<double>& gain) const {
  const ProbeCost cost = m_options.cost ? m_options.cost() : ProbeCost{};
  std::size_t best = std::size_t(std::max_element(gain.begin(), gain.end()) - gain.begin());
  if (cost.build_seconds <= 0) return best;
  const double run = std::max(cost.run_seconds, 1e-3);
  double best_rate = -1;
  for (std::size_t v = 0; v < m_n; ++v) {
    if (gain[v] < 1e-12) continue;
    const double seconds = run + (built(model, v) ? 0 : cost.build_seconds / probe_runs(model, v));
    if (gain[v] / seconds > best_rate) best_rate = gain[v] / seconds, best = v;
  }
  return best;
}

// The versions the search would probe next with `model`'s evidence: the most
// informative per second, or, when it concludes a culprit, the verification's.
std::vector<std::size_t> Search::probes_after(const BoundaryModel& model, double confidence) const {
  Boundary found;
  if (!concluded(model, &found, confidence)) {
    const std::vector<double> gain = model.information_per_run();
    const std::size_t v = cheapest_information(model, gain);
    return gain[v] < 1e-12 ? std::vector<std::size_t>{} : std::vector<std::size_t>{v};
  }
  if (found.outcome != Outcome::culprit) return {};
  return {found.first_bad, found.last_good, found.first_bad + 1};
}

// Tells the caller (SearchOptions::prefetch) which versions, not built yet, the
// search would probe after `runs` runs at `v`: after a crash in the first run,
// and after none in all; the likelier outcome's first.
void Search::prefetch_next(std::size_t v, int runs, double confidence) const {
  if (!m_options.prefetch || m_replayed < m_prior.size()) return;
  double at_or_below = 0;  // P(boundary <= v): v is on the crashing side
  for (std::size_t b = 0; b <= v; ++b) at_or_below += m_model.posterior()[b];
  const bool crash_first = at_or_below * m_model.crash_rate_at_or_below(v) >= 0.5;
  std::vector<std::size_t> next;
  for (const bool crash : {crash_first, !crash_first}) {
    BoundaryModel model = m_model;
    model.add(v, crash ? 1 : runs, crash ? 1 : 0);
    for (const std::size_t w : probes_after(model, confidence)) {
      const bool ready = w >= m_n || w == v || built(m_model, w);
      if (!ready && std::find(next.begin(), next.end(), caller(w)) == next.end())
        next.push_back(caller(w));
    }
  }
  m_options.prefetch(caller(v), next);
}

Expected<Boundary> Search::search(double confidence) {
  Boundary found;
  while (!concluded(m_model, &found, confidence)) {
    const std::vector<double> gain = m_model.information_per_run();
    const std::size_t v = cheapest_information(m_model, gain);
    if (budget_left() <= 0 || gain[v] < 1e-12) return credible_range();
    const int runs = probe_runs(m_model, v);
    prefetch_next(v, runs, confidence);
    FAULTLINE_TRY(Observation seen, ask(Phase::search, v, runs));
    (void)seen;
  }
  return found;
}

// Rerun the culprit and its predecessor; true when the culprit still holds.
Expected<bool> Search::verify(const Boundary& found) {
  const int runs = runs_to_see(m_model.crash_rate_at_or_below(found.first_bad),
                               m_options.verify_confidence, m_options.max_end_runs);
  FAULTLINE_TRY(m_report.verify_culprit, ask(Phase::verify, found.first_bad, runs));
  // While every run on the crashing side crashed (a deterministic crash so far), the
  // predecessor's silent runs count toward its check: it reruns the rest, one at least.
  const CrashRate side = crash_side_rate(found.first_bad, m_n);
  const int predecessor_runs =
      side.target == side.runs ? std::max(1, runs - m_model.runs_at(found.last_good)) : runs;
  FAULTLINE_TRY(m_report.verify_predecessor, ask(Phase::verify, found.last_good, predecessor_runs));
  const std::size_t next = found.first_bad + 1;
  if (next < m_n && !m_model.unbuildable(next) && m_model.target_at(next) == 0) {
    // A spot-check of monotonicity: the successor must crash too (unless it already has).
    const int spot = runs_to_see(crash_side_rate(found.first_bad, m_n).low, k_spot_confidence,
                                 m_options.max_end_runs);
    FAULTLINE_TRY(m_report.verify_successor, ask(Phase::verify, next, spot));
  }
  return true;
}

// The target's rate over the crashing side, versions [from, n), leaving out `except`.
CrashRate Search::crash_side_rate(std::size_t from, std::size_t except) const {
  CrashRate rate;
  for (std::size_t v = from; v < m_n; ++v) {
    if (v == except) continue;
    rate.target += m_model.target_at(v);
    rate.runs += m_model.runs_at(v);
  }
  const runner::RateInterval interval = runner::crash_rate(rate.target, rate.runs);
  rate.estimate = interval.estimate;
  rate.low = interval.low;
  rate.high = interval.high;
  return rate;
}

// Target crashes on the good side, or a crashing-side version that stays silent
// far longer than the (lowest plausible) rate seen elsewhere allows.
void Search::find_contradictions(const Boundary& found) {
  for (std::size_t v = 0; v < m_n; ++v) {
    const bool good_side = v <= found.last_good;
    const bool silent = !good_side && m_model.target_at(v) == 0 && m_model.runs_at(v) > 0 &&
                        std::pow(1 - crash_side_rate(found.first_bad, v).low, m_model.runs_at(v)) <
                            k_contradiction_p;
    if ((good_side && m_model.target_at(v) > 0) || silent)
      m_report.contradicting.push_back(caller(v));
  }
  std::sort(m_report.contradicting.begin(), m_report.contradicting.end());
  m_report.rate = crash_side_rate(found.first_bad, m_n);
}

// The target stops at the boundary, but the version on its unchanged side
// crashes otherwise at the rate the changed side crashes at all: the bug is
// still there and only looks different, so this is neither a fix nor a culprit.
bool Search::manifestation_changed(const Boundary& found) {
  const std::size_t unchanged = found.last_good, changed = found.first_bad;
  const int other = m_other[unchanged], runs = m_model.runs_at(unchanged);
  const int crashed = m_model.target_at(changed) + m_other[changed],
            changed_runs = m_model.runs_at(changed);
  if (other == 0 || changed_runs == 0 || log_same_rate(other, runs, crashed, changed_runs) < 0)
    return false;
  // Unrelated crashes that happen everywhere (noise) are no new manifestation:
  // the unchanged version must crash otherwise more than the changed side does.
  int side_other = 0, side_runs = 0;
  for (std::size_t v = changed; v < m_n; ++v)
    side_other += m_other[v], side_runs += m_model.runs_at(v);
  if (side_runs > 0 && log_same_rate(other, runs, side_other, side_runs) >= 0) return false;
  m_report.without_target = rate_of(other, runs);
  m_report.with_target = rate_of(crashed, changed_runs);
  return true;
}

void Search::finish(const Boundary& found) {
  m_report.outcome = found.outcome;
  m_report.posterior = found.posterior;
  // In fix mode the internal good side holds the fixed versions.
  m_report.first_bad = m_options.fixed ? caller(found.last_good) : found.first_bad;
  m_report.last_good = m_options.fixed ? caller(found.first_bad) : found.last_good;
  find_contradictions(found);
  if (!m_report.contradicting.empty())
    m_report.outcome = Outcome::noise;
  else if (manifestation_changed(found))
    m_report.outcome = Outcome::manifestation_changed;
  m_report.model_rate = m_model.crash_rate();
}

// The search runs to a lower confidence first: the verification reruns of the
// culprit and its predecessor are the most informative runs left anyway, so
// they carry the posterior the rest of the way instead of adding to it.
Expected<SearchReport> Search::run() {
  FAULTLINE_TRY(bool ends_ok, check_ends());
  if (ends_ok) {
    const double early = std::max(0.5, 1 - (1 - m_options.confidence) * k_early_factor);
    FAULTLINE_TRY(Boundary found, search(early));
    std::optional<std::size_t> verified;  // the culprit whose reruns were made
    for (int round = 0; round < k_max_verify_rounds; ++round) {
      if (found.outcome == Outcome::culprit && verified != found.first_bad) {
        FAULTLINE_TRY(bool done, verify(found));
        (void)done;
        verified = found.first_bad;
      }
      FAULTLINE_TRY(found, search(m_options.confidence));
      if (found.outcome != Outcome::culprit || verified == found.first_bad) break;
    }
    if (found.outcome == Outcome::culprit && verified != found.first_bad)
      found.outcome = Outcome::noise;
    if (found.outcome == Outcome::not_on_axis) {
      m_report.outcome = found.outcome;
      m_report.posterior = found.posterior;
      m_report.rate = crash_side_rate(0, m_n);
      m_report.model_rate = m_model.crash_rate();
    } else {
      finish(found);
    }
  }
  for (std::size_t v = 0; v < m_n; ++v) {
    if (m_model.unbuildable(v)) m_report.unbuildable.push_back(caller(v));
  }
  std::sort(m_report.unbuildable.begin(), m_report.unbuildable.end());
  write_summary();
  return m_report;
}

void Search::write_summary() {
  const SearchReport& r = m_report;
  auto name = [&](std::size_t i) {
    return i < m_options.names.size() ? m_options.names[i] : "#" + std::to_string(i);
  };
  const std::string changed = m_options.fixed ? "stops" : "appears";
  const std::string cost = " (" + std::to_string(r.runs) + " runs)";
  switch (r.outcome) {
    case Outcome::culprit:
      m_report.summary = "the target " + changed + " first at " + name(r.first_bad) +
                         " (last unchanged " + name(r.last_good) + "), posterior " +
                         percent(r.posterior) + ", crash rate " +
                         describe_counts(r.rate.target, r.rate.runs) + cost;
      break;
    case Outcome::range:
      m_report.summary = "the target " + changed + " somewhere after " + name(r.last_good) +
                         " up to " + name(r.first_bad) + ", posterior " + percent(r.posterior) +
                         "; unbuildable versions or the budget leave it open" + cost;
      break;
    case Outcome::not_on_axis:
      m_report.summary = "the good end crashes too: the cause is not on this axis" + cost;
      break;
    case Outcome::noise:
      m_report.summary = "no culprit: the crash looks like noise at every version; " +
                         std::to_string(r.contradicting.size()) +
                         " version(s) contradict a single change" + cost;
      break;
    case Outcome::bad_end_passes:
      m_report.summary = "the bad end never showed the target" + cost;
      break;
    case Outcome::manifestation_changed: {
      const std::size_t gone = m_options.fixed ? r.first_bad : r.last_good;
      const std::size_t shows = m_options.fixed ? r.last_good : r.first_bad;
      m_report.summary =
          "the manifestation changed: the target " + changed + " at " + name(r.first_bad) +
          ", but " + name(gone) + (m_options.fixed ? " still" : " already") +
          " crashes with other signatures at the same rate (" +
          std::to_string(r.without_target.target) + " of " + std::to_string(r.without_target.runs) +
          " runs, against " + std::to_string(r.with_target.target) + " of " +
          std::to_string(r.with_target.runs) + " crashing at " + name(shows) + "); not a " +
          (m_options.fixed ? "fix" : "culprit") + cost;
      break;
    }
  }
}

}  // namespace

Expected<SearchReport> bisect_1d(std::size_t n, Oracle& oracle, const SearchOptions& options,
                                 const std::vector<PriorObservation>& prior,
                                 const ObservationSink& sink) {
  if (n < 2)
    return fail(bad_input("bisect: an axis needs at least two versions, got " + std::to_string(n)));
  Search search(n, oracle, options, sink);
  search.set_prior(prior);
  return search.run();
}

}  // namespace faultline::bisect
