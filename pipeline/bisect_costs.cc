#include "pipeline/bisect_costs.h"

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

namespace faultline::pipeline {

std::function<double()> build_clock(const CellProber& prober) {
  auto counted = std::make_shared<std::map<std::string, double>>();  // build key -> seconds
  return [&prober, counted] {
    for (const runner::BuildOutcome& b : prober.builds())
      if (b.state != runner::BuildState::not_needed && !b.cached && !b.reused &&
          !counted->count(b.key))
        (*counted)[b.key] = b.seconds;
    double seconds = prober.ahead ? prober.ahead->tally().waited : 0;
    for (const auto& [key, s] : *counted) seconds += s;
    return seconds;
  };
}

namespace {

// The builds of `cells` complete in the build cache now.
std::set<std::size_t> cached_builds(const CellProber& prober,
                                    const std::vector<std::size_t>& cells) {
  if (cells.empty()) return {};
  const BisectMatrix& in = prober.matrix();
  std::set<std::size_t> wanted;
  for (const std::size_t c : cells)
    wanted.insert(in.expansion.cell_builds[c].begin(), in.expansion.cell_builds[c].end());
  runner::BuildOptions look = prober.build_options();
  look.find_only = true;
  look.on_done = nullptr;
  const auto found =
      runner::run_builds(in.config, in.expansion, {wanted.begin(), wanted.end()}, look);
  std::set<std::size_t> cached;
  for (std::size_t b = 0; b < found.size(); ++b)
    if (found[b].state == runner::BuildState::ok) cached.insert(b);
  return cached;
}

// A build an earlier probe built, found, or found failing.
bool settled_by_probe(const CellProber& prober, std::size_t b) {
  const auto& outcomes = prober.builds();
  if (b >= outcomes.size()) return false;
  const runner::BuildState s = outcomes[b].state;
  return s == runner::BuildState::ok || s == runner::BuildState::failed ||
         s == runner::BuildState::dependency_failed;
}

}  // namespace

std::function<bool(std::size_t)> cell_built(const CellProber& prober,
                                            const std::vector<std::size_t>& cells) {
  auto cached = std::make_shared<const std::set<std::size_t>>(cached_builds(prober, cells));
  return [&prober, cached](std::size_t cell) {
    for (const std::size_t b : prober.matrix().expansion.cell_builds[cell])
      if (!cached->count(b) && !settled_by_probe(prober, b) &&
          !(prober.ahead && prober.ahead->settled(b)))
        return false;
    return true;
  };
}

void price_built_versions(const CellProber& prober, const Plane& plane, std::size_t offset,
                          bool resumed, bisect::SearchOptions& options,
                          bisect::MeteredOracle& metered) {
  std::vector<std::size_t> cells;
  for (const auto& c : plane.cells)
    if (c && !resumed) cells.push_back(*c);
  auto built = cell_built(prober, cells);
  options.built = [&plane, offset, built](std::size_t v) {
    const auto cell = plane.at(v + offset);
    return !cell || built(*cell);
  };
  metered.set_built(options.built);
}

AheadBuilds::AheadBuilds(Context& ctx) : m_ctx(ctx) {
  if (ctx.places.jobs <= 1) return;
  m_ahead = std::make_unique<BuildAhead>(ctx.in, ctx.prober.build_options(), ctx.places.jobs - 1);
  ctx.prober.ahead = m_ahead.get();
}

ChoiceJournal::ChoiceJournal(std::size_t versions, std::vector<json> recorded)
    : m_versions(versions), m_recorded(std::move(recorded)) {}

void ChoiceJournal::wrap(bisect::SearchOptions& options) {
  if (options.cost) options.cost = [this, live = options.cost] { return cost(live); };
  if (options.built)
    options.built = [this, live = options.built](std::size_t v) { return built(v, live); };
}

const json* ChoiceJournal::replaying() const {
  return m_next < m_recorded.size() && m_recorded[m_next].is_object() ? &m_recorded[m_next]
                                                                      : nullptr;
}

bisect::ProbeCost ChoiceJournal::cost(const std::function<bisect::ProbeCost()>& live) {
  if (const json* r = replaying(); r && r->contains("cost"))
    return {(*r)["cost"].at(0).get<double>(), (*r)["cost"].at(1).get<double>()};
  if (!m_cost) m_cost = live();
  return *m_cost;
}

bool ChoiceJournal::built(std::size_t v, const std::function<bool(std::size_t)>& live) {
  if (const json* r = replaying()) {
    const std::string answers = r->value("built", "");
    if (v < answers.size() && answers[v] != '-') return answers[v] == '1';
  }
  if (v >= m_versions) return live(v);
  if (m_built.empty()) m_built.assign(m_versions, '-');
  if (m_built[v] == '-') m_built[v] = live(v) ? '1' : '0';
  return m_built[v] == '1';
}

void ChoiceJournal::replayed() {
  ++m_next;
  m_cost.reset();
  m_built.clear();
}

json ChoiceJournal::take() {
  json choice = json::object();
  if (m_cost) choice["cost"] = {m_cost->build_seconds, m_cost->run_seconds};
  if (!m_built.empty()) choice["built"] = m_built;
  m_next = m_recorded.size();
  m_cost.reset();
  m_built.clear();
  return choice;
}

AheadBuilds::AheadBuilds(Context& ctx, const Plane& plane, std::size_t offset,
                         bisect::SearchOptions& options)
    : AheadBuilds(ctx) {
  if (!m_ahead) return;
  options.prefetch = [this, &plane, offset](std::size_t probe,
                                            const std::vector<std::size_t>& next) {
    std::vector<std::size_t> cells;
    for (const std::size_t v : next)
      if (const auto c = plane.at(v + offset)) cells.push_back(*c);
    want(plane.at(probe + offset), cells);
  };
}

void AheadBuilds::want(std::optional<std::size_t> probe, const std::vector<std::size_t>& next) {
  if (m_ahead) m_ahead->want(probe.value_or(SIZE_MAX), next);
}

void AheadBuilds::finish() {
  if (!m_ahead) return;
  m_ahead->stop();
  m_ctx.prober.built_ahead = m_ahead->tally();
  m_ctx.prober.ahead = nullptr;
  m_ahead.reset();
}

std::string ahead_costs(const Context& ctx) {
  const auto& t = ctx.prober.built_ahead;
  return t ? "; " + describe_ahead(*t) : "";
}

std::string ahead_note(Context& ctx) {
  if (!ctx.prober.ahead) return "";
  const int used = ctx.prober.ahead->tally().used;
  if (used <= ctx.ahead_used_noted) return "";
  ctx.ahead_used_noted = used;
  return "; its build was made ahead";
}

}  // namespace faultline::pipeline
