#include "pipeline/bisect_ends.h"

#include <algorithm>
#include <cmath>

#include "base/exit_status.h"
#include "runner/verdict.h"

namespace faultline::pipeline {

namespace {

constexpr double k_miss_chance = 0.05;  // silent runs this unlikely at the rate: excluded

// "lib=3–lib=7" or "lib=5": the versions of `evidence` that crashed, but `except`.
std::string crashing_versions(const StatedEnds& ends,
                              const std::vector<bisect::PriorObservation>& evidence,
                              std::size_t except) {
  std::size_t lo = ends.versions.size(), hi = 0;
  for (const auto& [v, seen] : evidence)
    if (v != except && v < ends.versions.size() && seen.target > 0) {
      lo = std::min(lo, v);
      hi = std::max(hi, v);
    }
  const std::string first = ends.axis + "=" + ends.versions[lo];
  return lo == hi ? first : first + "–" + ends.versions[hi];
}

}  // namespace

bisect::CrashRate crashing_rate(const std::vector<bisect::PriorObservation>& evidence,
                                std::size_t except) {
  std::vector<std::size_t> crashing;
  for (const auto& [v, seen] : evidence)
    if (v != except && seen.target > 0) crashing.push_back(v);
  bisect::CrashRate rate;
  for (const auto& [v, seen] : evidence)
    if (std::count(crashing.begin(), crashing.end(), v)) {
      rate.target += seen.target;
      rate.runs += seen.runs;
    }
  const runner::RateInterval interval = runner::crash_rate(rate.target, rate.runs);
  rate.estimate = interval.estimate;
  rate.low = interval.low;
  rate.high = interval.high;
  return rate;
}

int runs_to_exclude(const std::vector<bisect::PriorObservation>& evidence, std::size_t bad,
                    int cap) {
  const bisect::CrashRate rate = crashing_rate(evidence, bad);
  if (rate.target == 0 || rate.low <= 0) return cap;
  if (rate.low >= 1) return 1;
  // 0 crashes in n runs has the one-sided bound 1 - 0.05^(1/n) (runner/verdict.h):
  // below `low` once n > ln 0.05 / ln(1 - low).
  const double n = std::floor(std::log(k_miss_chance) / std::log1p(-rate.low)) + 1;
  return std::clamp(int(n), 1, cap);
}

std::optional<std::string> bad_end_contradiction(
    const StatedEnds& ends, const std::vector<bisect::PriorObservation>& evidence,
    const bisect::SearchReport* report) {
  if (ends.bad.empty()) return std::nullopt;
  const std::size_t bad = ends.bad_index();
  int runs = 0, target = 0;
  if (report) {
    for (const bisect::Step& s : report->steps)
      if (s.index == bad) runs += s.seen.runs, target += s.seen.target;
  } else {
    for (const auto& [v, seen] : evidence)
      if (v == bad) runs += seen.runs, target += seen.target;
  }
  const bisect::CrashRate elsewhere = crashing_rate(evidence, bad);
  if (target > 0 || runs == 0 || elsewhere.target == 0) return std::nullopt;
  if (runner::crash_rate(0, runs).high >= elsewhere.low) return std::nullopt;
  return "--bad " + ends.bad + " contradicts the evidence: " + ends.axis + "=" +
         ends.versions[bad] + " crashed with the target in " +
         bisect::describe_counts(target, runs) + " (" +
         (report ? "earlier runs and this search" : "earlier runs") + "), where " +
         crashing_versions(ends, evidence, bad) + " crashed in " +
         bisect::describe_counts(elsewhere.target, elsewhere.runs) +
         "; choose a --bad that crashes, or leave --bad out to find the interval";
}

std::optional<int> refused(std::ostream& log, const std::optional<std::string>& why) {
  if (!why) return std::nullopt;
  log << "faultline bisect: " << *why << "\n";
  return k_exit_bad_input;
}

GoodEndGuard::GoodEndGuard(bisect::Oracle& inner, const StatedEnds& ends,
                           const std::vector<bisect::PriorObservation>& evidence)
    : m_inner(inner), m_ends(ends) {
  for (const auto& [v, seen] : evidence)
    if (v == ends.good_index()) m_runs += seen.runs, m_target += seen.target;
}

Expected<bisect::Observation> GoodEndGuard::observe(std::size_t index, int runs,
                                                    bool stop_at_first) {
  FAULTLINE_TRY(bisect::Observation seen, m_inner.observe(index, runs, stop_at_first));
  if (m_ends.good.empty() || index != m_ends.good_index()) return seen;
  m_runs += seen.runs;
  m_target += seen.target;
  if (seen.target == 0) return seen;
  return fail(bad_input("--good " + m_ends.good + " crashed during the search: " + m_ends.axis +
                        "=" + m_ends.versions[index] + " showed the target in " +
                        bisect::describe_counts(m_target, m_runs) +
                        "; choose a --good that does not crash, or leave --good out to find "
                        "the interval"));
}

}  // namespace faultline::pipeline
