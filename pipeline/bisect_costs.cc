#include "pipeline/bisect_costs.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace faultline::pipeline {

std::function<double()> build_clock(const CellProber& prober) {
  auto counted = std::make_shared<std::map<std::string, double>>();  // build key -> seconds
  return [&prober, counted] {
    for (const runner::BuildOutcome& b : prober.builds())
      if (b.state != runner::BuildState::not_needed && !b.cached && !counted->count(b.key))
        (*counted)[b.key] = b.seconds;
    double seconds = prober.ahead ? prober.ahead->tally().waited : 0;
    for (const auto& [key, s] : *counted) seconds += s;
    return seconds;
  };
}

AheadBuilds::AheadBuilds(Context& ctx, const Plane& plane, std::size_t offset,
                         bisect::SearchOptions& options)
    : m_ctx(ctx) {
  if (ctx.places.jobs <= 1) return;
  m_ahead = std::make_unique<BuildAhead>(ctx.in, ctx.prober.build_options(), ctx.places.jobs - 1);
  ctx.prober.ahead = ctx.ahead = m_ahead.get();
  options.prefetch = [this, &plane, offset](std::size_t probe,
                                            const std::vector<std::size_t>& next) {
    const auto cell = plane.at(probe + offset);
    std::vector<std::size_t> cells;
    for (const std::size_t v : next)
      if (const auto c = plane.at(v + offset)) cells.push_back(*c);
    if (m_ahead) m_ahead->want(cell ? *cell : SIZE_MAX, cells);
  };
}

void AheadBuilds::finish() {
  if (!m_ahead) return;
  m_ahead->stop();
  m_ctx.built_ahead = m_ahead->tally();
  m_ctx.prober.ahead_builds += m_ctx.built_ahead->builds;
  m_ctx.prober.ahead_build_seconds += m_ctx.built_ahead->build_seconds;
  m_ctx.prober.ahead = m_ctx.ahead = nullptr;
  m_ahead.reset();
}

std::string ahead_costs(const Context& ctx) {
  return ctx.built_ahead ? "; " + describe_ahead(*ctx.built_ahead) : "";
}

std::string ahead_note(Context& ctx) {
  if (!ctx.ahead) return "";
  const int used = ctx.ahead->tally().used;
  if (used <= ctx.ahead_used_noted) return "";
  ctx.ahead_used_noted = used;
  return "; its build was made ahead";
}

}  // namespace faultline::pipeline
