#include "bisect/interval.h"

#include <algorithm>
#include <deque>
#include <utility>

#include "runner/verdict.h"

namespace faultline::bisect {

std::vector<std::size_t> spread_order(std::size_t n, std::size_t count) {
  std::vector<std::size_t> order;
  if (n == 0 || count == 0) return order;
  order.push_back(n - 1);
  if (n > 1 && count > 1) order.push_back(0);
  std::deque<std::pair<std::size_t, std::size_t>> halves{{0, n - 1}};
  while (order.size() < count && !halves.empty()) {
    const auto [lo, hi] = halves.front();
    halves.pop_front();
    const std::size_t mid = lo + (hi - lo) / 2;
    if (mid == lo || mid == hi) continue;
    order.push_back(mid);
    halves.emplace_back(lo, mid);
    halves.emplace_back(mid, hi);
  }
  return order;
}

namespace {

// The chance that `more` runs at a version that passed `silent` runs show the
// crash, a priori: the version inside the interval at even odds, the crash
// deterministic at even odds, else its rate uniform on (0, 1) (a uniform rate
// passes s runs with probability 1/(s+1)).
double find_chance(int silent, int more) {
  const double deterministic = silent == 0 ? 0.5 : 0, flaky = 0.5 / (silent + 1);
  const double passes = deterministic + flaky;  // P(silent runs | inside)
  const double inside = passes / (passes + 1);  // P(inside | silent runs), prior odds 1:1
  const double crash_flaky = 1 - double(silent + 1) / double(silent + more + 1);
  return inside * (deterministic + flaky * crash_flaky) / passes;
}

}  // namespace

std::optional<SpreadStep> next_spread_step(const std::vector<std::size_t>& order,
                                           const std::vector<int>& silent, int spread_runs,
                                           const ProbeCost& cost,
                                           const std::function<bool(std::size_t)>& built) {
  std::optional<SpreadStep> best;
  double best_rate = -1;
  const double run = std::max(cost.run_seconds, 1e-3);
  for (const std::size_t v : order) {
    if (silent[v] >= spread_runs) continue;  // its stated power reached (or unbuildable)
    int goal = spread_runs;
    for (const int round : {1, 5})
      if (silent[v] < round) {
        goal = std::min(round, spread_runs);
        break;
      }
    const int more = goal - silent[v];
    const bool pays_build = silent[v] == 0 && !(built && built(v));
    const double seconds = more * run + (pays_build ? std::max(0.0, cost.build_seconds) : 0);
    const double rate = find_chance(silent[v], more) / seconds;
    if (rate > best_rate * (1 + 1e-9)) best_rate = rate, best = SpreadStep{v, goal};
  }
  return best;
}

namespace {

// The versions offset..offset+size-1 of a whole axis, as an axis of their own.
class SubAxis : public Oracle {
 public:
  SubAxis(Oracle& whole, std::size_t offset) : m_whole(whole), m_offset(offset) {}
  Expected<Observation> observe(std::size_t index, int runs, bool stop_at_first) override {
    return m_whole.observe(m_offset + index, runs, stop_at_first);
  }

 private:
  Oracle& m_whole;
  std::size_t m_offset;
};

// The whole axis, counting the runs it performs and those of them that crashed
// otherwise: a probe the spread phase made is evidence for a boundary search,
// and counted once.
class CountingOracle : public Oracle {
 public:
  explicit CountingOracle(Oracle& oracle) : m_oracle(oracle) {}
  Expected<Observation> observe(std::size_t index, int runs, bool stop_at_first) override {
    FAULTLINE_TRY(Observation seen, m_oracle.observe(index, runs, stop_at_first));
    m_runs += seen.runs;
    m_other += seen.other;
    return seen;
  }
  int runs() const { return m_runs; }
  int other() const { return m_other; }

 private:
  Oracle& m_oracle;
  int m_runs = 0, m_other = 0;
};

// A sub-search's report in whole-axis indices.
void shift(SearchReport& r, std::size_t offset) {
  r.first_bad += offset;
  r.last_good += offset;
  for (Step& s : r.steps) {
    s.index += offset;
    s.leading += offset;
  }
  for (auto& v : r.unbuildable) v += offset;
  for (auto& v : r.contradicting) v += offset;
}

class IntervalSearch {
 public:
  IntervalSearch(std::size_t n, Oracle& oracle, const IntervalOptions& options,
                 const std::vector<PriorObservation>& prior, const ObservationSink& sink)
      : m_n(n), m_oracle(oracle), m_options(options), m_prior(prior), m_sink(sink) {}
  IntervalSearch(const IntervalSearch&) = delete;

  Expected<IntervalReport> run();

 private:
  void take_prior();
  Expected<bool> find_crash();
  void prefetch_after(const std::vector<std::size_t>& order, std::vector<int> silent,
                      const SpreadStep& step, const ProbeCost& cost) const;
  Expected<SearchReport> search(std::size_t lo, std::size_t hi, bool fixed);
  std::string name(std::size_t v) const;
  void write_summary();

  std::size_t m_n;
  CountingOracle m_oracle;
  const IntervalOptions& m_options;
  std::vector<PriorObservation> m_prior;  // grows with the spread probes
  const ObservationSink& m_sink;
  IntervalReport m_report;
};

// The oldest and newest versions the evidence shows crashing.
void IntervalSearch::take_prior() {
  m_report.crashes = false;
  for (const auto& [v, seen] : m_prior) {
    if (v >= m_n || seen.target == 0) continue;
    if (!m_report.crashes || v < m_report.oldest_crash) m_report.oldest_crash = v;
    if (!m_report.crashes || v > m_report.newest_crash) m_report.newest_crash = v;
    m_report.crashes = true;
  }
}

// The spread step after `step`, were its runs silent: a version to build ahead
// (SearchOptions::prefetch) when it is not built yet.
void IntervalSearch::prefetch_after(const std::vector<std::size_t>& order, std::vector<int> silent,
                                    const SpreadStep& step, const ProbeCost& cost) const {
  if (!m_options.search.prefetch) return;
  silent[step.version] = step.goal;
  const auto& built = m_options.search.built;
  const auto next = next_spread_step(order, silent, m_options.spread_runs, cost, built);
  std::vector<std::size_t> versions;
  if (next && silent[next->version] == 0 && !(built && built(next->version)))
    versions.push_back(next->version);
  m_options.search.prefetch(step.version, versions);
}

// No version known to crash: probe versions spread across the axis
// (next_spread_step: the likeliest to show a crash per second, their builds and
// runs as measured), stopping at the first target crash or when each has
// passed `spread_runs` runs.
Expected<bool> IntervalSearch::find_crash() {
  const std::vector<std::size_t> order =
      spread_order(m_n, std::size_t(std::max(1, m_options.spread_probes)));
  std::vector<int> silent(m_n, 0);
  for (const auto& [v, seen] : m_prior)
    if (v < m_n) silent[v] += seen.runs;
  while (m_oracle.runs() < m_options.search.max_runs) {
    const ProbeCost cost = m_options.search.cost ? m_options.search.cost() : ProbeCost{};
    const auto step =
        next_spread_step(order, silent, m_options.spread_runs, cost, m_options.search.built);
    if (!step) break;
    const std::size_t v = step->version;
    prefetch_after(order, silent, *step, cost);
    FAULTLINE_TRY(Observation seen, m_oracle.observe(v, step->goal - silent[v], true));
    silent[v] = seen.unbuildable ? m_options.spread_runs : silent[v] + seen.runs;
    m_report.runs = m_oracle.runs();
    m_report.spread.push_back({v, seen});
    m_prior.emplace_back(v, seen);
    if (m_sink) m_sink(v, seen);
    if (m_options.search.on_step) m_options.search.on_step({Phase::spread, v, seen, v, 0, false});
    if (seen.target > 0) return true;
  }
  return false;
}

// One boundary search over versions lo..hi, with the evidence there.
Expected<SearchReport> IntervalSearch::search(std::size_t lo, std::size_t hi, bool fixed) {
  SearchOptions options = m_options.search;
  options.fixed = fixed;
  options.max_runs = std::max(1, m_options.search.max_runs - m_oracle.runs());
  options.names.clear();
  for (std::size_t v = lo; v <= hi; ++v) options.names.push_back(name(v));
  if (m_options.search.on_step)
    options.on_step = [&, lo](const Step& s) {
      Step whole = s;
      whole.index += lo;
      whole.leading += lo;
      m_options.search.on_step(whole);
    };
  if (m_options.search.prefetch)
    options.prefetch = [&, lo](std::size_t probe, const std::vector<std::size_t>& next) {
      std::vector<std::size_t> whole;
      for (const std::size_t v : next) whole.push_back(v + lo);
      m_options.search.prefetch(probe + lo, whole);
    };
  if (m_options.search.built)
    options.built = [&, lo](std::size_t v) { return m_options.search.built(v + lo); };
  std::vector<PriorObservation> prior;
  for (const auto& [v, seen] : m_prior)
    if (v >= lo && v <= hi) prior.emplace_back(v - lo, seen);
  const ObservationSink sink = [&, lo](std::size_t v, const Observation& seen) {
    if (m_sink) m_sink(v + lo, seen);
  };
  SubAxis axis(m_oracle, lo);
  FAULTLINE_TRY(SearchReport report, bisect_1d(hi - lo + 1, axis, options, prior, sink));
  shift(report, lo);
  m_report.runs = m_oracle.runs();
  return report;
}

std::string IntervalSearch::name(std::size_t v) const {
  const auto& names = m_options.search.names;
  return v < names.size() ? names[v] : "#" + std::to_string(v);
}

Expected<IntervalReport> IntervalSearch::run() {
  take_prior();
  if (!m_report.crashes) {
    FAULTLINE_TRY(const bool found, find_crash());
    if (found) take_prior();
  }
  if (m_report.crashes) {
    const std::size_t oldest = m_report.oldest_crash, newest = m_report.newest_crash;
    if (m_options.find_start && oldest > 0) {
      FAULTLINE_TRY(m_report.start, search(0, oldest, false));
    }
    if (m_options.find_end && newest + 1 < m_n) {
      FAULTLINE_TRY(m_report.end, search(newest, m_n - 1, true));
    }
    m_report.start_open =
        oldest == 0 || (m_report.start && m_report.start->outcome == Outcome::not_on_axis);
    m_report.end_open =
        newest + 1 == m_n || (m_report.end && m_report.end->outcome == Outcome::not_on_axis);
  }
  m_report.other_crashes = m_oracle.other();
  write_summary();
  return m_report;
}

void IntervalSearch::write_summary() {
  const IntervalReport& r = m_report;
  if (!r.crashes) {
    std::vector<std::size_t> probed;
    for (const SpreadProbe& p : r.spread)
      if (std::find(probed.begin(), probed.end(), p.index) == probed.end())
        probed.push_back(p.index);
    std::string names;
    for (const std::size_t v : probed) names += (names.empty() ? "" : ", ") + name(v);
    m_report.summary = "no version crashed: " + std::to_string(probed.size()) +
                       " versions spread across the axis (" + names + "), each " +
                       runner::describe_rate(0, m_options.spread_runs) + " (" +
                       std::to_string(r.runs) + " runs)";
    return;
  }
  std::string from =
      r.start_open ? "the oldest version, " + name(0) + " (start open)"
      : r.start    ? name(r.start->first_bad) + " (last good " + name(r.start->last_good) + ")"
                   : name(r.oldest_crash);
  std::string to = r.end_open ? "the newest version, " + name(m_n - 1) + " (end open)"
                   : r.end
                       ? name(r.end->last_good) + " (first fixed " + name(r.end->first_bad) + ")"
                       : name(r.newest_crash);
  m_report.summary =
      "the target crashes from " + from + " to " + to + " (" + std::to_string(r.runs) + " runs)";
}

}  // namespace

Expected<IntervalReport> bisect_interval(std::size_t n, Oracle& oracle,
                                         const IntervalOptions& options,
                                         const std::vector<PriorObservation>& prior,
                                         const ObservationSink& sink) {
  if (n < 2)
    return fail(bad_input("bisect: an axis needs at least two versions, got " + std::to_string(n)));
  IntervalSearch search(n, oracle, options, prior, sink);
  return search.run();
}

}  // namespace faultline::bisect
