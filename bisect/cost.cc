#include "bisect/cost.h"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace faultline::bisect {

namespace {

double steady_seconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

}  // namespace

MeteredOracle::MeteredOracle(Oracle& inner, Clock now, Clock build_clock)
    : m_inner(inner),
      m_now(now ? std::move(now) : Clock(steady_seconds)),
      m_build_clock(std::move(build_clock)) {}

Expected<Observation> MeteredOracle::observe(std::size_t index, int runs, bool stop_at_first) {
  const double start = m_now(), built = m_build_clock ? m_build_clock() : 0;
  const bool ready = m_is_built && m_is_built(index);  // before the probe builds it
  FAULTLINE_TRY(Observation seen, m_inner.observe(index, runs, stop_at_first));
  const double elapsed = std::max(0.0, m_now() - start);
  if (m_build_clock) m_built_seconds += std::clamp(m_build_clock() - built, 0.0, elapsed);
  m_runs += seen.runs;
  if (m_built.insert(index).second && !ready) {
    ++m_builds;
    m_first_runs += seen.runs;
    m_first_seconds += elapsed;
  } else {
    m_repeat_runs += seen.runs;
    m_repeat_seconds += elapsed;
  }
  if (seen.runs > 0) {
    const double per_run = elapsed / seen.runs;
    if (m_fewest_per_run < 0 || per_run < m_fewest_per_run) m_fewest_per_run = per_run;
  }
  return seen;
}

double MeteredOracle::run_seconds() const {
  if (m_build_clock) return m_runs > 0 ? (seconds() - m_built_seconds) / m_runs : 1;
  if (m_repeat_runs > 0) return m_repeat_seconds / m_repeat_runs;
  return m_fewest_per_run > 0 ? m_fewest_per_run : 1;
}

double MeteredOracle::build_seconds() const {
  if (m_builds == 0) return 0;
  if (m_build_clock) return m_built_seconds / m_builds;
  return std::max(0.0, m_first_seconds - m_first_runs * run_seconds()) / m_builds;
}

std::string describe_costs(const MeteredOracle& metered) {
  char text[160];
  std::snprintf(
      text, sizeof text, "%d version%s built (%.1f s each), %d run%s (%.1f s each): %.1f s probing",
      metered.builds(), metered.builds() == 1 ? "" : "s", metered.build_seconds(), metered.runs(),
      metered.runs() == 1 ? "" : "s", metered.run_seconds(), metered.seconds());
  return text;
}

}  // namespace faultline::bisect
