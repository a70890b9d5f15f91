#include "pipeline/bisect_cells.h"

#include <algorithm>
#include <map>
#include <set>

#include "base/text.h"
#include "pipeline/bisect_ahead.h"
#include "pipeline/bisect_progress.h"

namespace faultline::pipeline {

namespace {

// The --only values, one per axis.
Expected<std::map<std::size_t, std::string>> fixed_values(const AxisFilter& filter,
                                                          const matrix::CellTable& t) {
  std::map<std::size_t, std::string> fixed;
  for (const auto& [a, values] : filter) {
    if (values.size() > 1)
      return fail(bad_input("--only gives axis '" + t.axes[a].name +
                            "' several values; bisect fixes each axis to one"));
    fixed[a] = *values.begin();
  }
  return fixed;
}

// A run one of whose crashes lost its stack (sanitizers::Crash::stack_lost):
// what it crashed of is unknown.
bool stack_lost(const runner::RunRecord& r) {
  return std::any_of(r.crashes.begin(), r.crashes.end(),
                     [](const sanitizers::Crash& c) { return !c.stack_lost.empty(); });
}

}  // namespace

Expected<std::vector<std::string>> searched_axes(const std::string& axes, const std::string& axis,
                                                 const matrix::Config& config) {
  if (!axes.empty()) {
    std::vector<std::string> names;
    std::string rest = axes;
    for (std::size_t comma; (comma = rest.find(',')) != std::string::npos;
         rest = rest.substr(comma + 1))
      names.emplace_back(trim(rest.substr(0, comma)));
    names.emplace_back(trim(rest));
    if (names.size() != 2 || !axis.empty())
      return fail(
          bad_input("--axes takes two component axes, ROWS,COLUMNS (e.g. library,binding); --axis "
                    "takes one"));
    return names;
  }
  const auto& configured = config.bisect.axes;
  if (axis.empty() && configured.size() == 2)  // the matrix's bisect.axes: a 2-D search
    return std::vector<std::string>{configured[0].value, configured[1].value};
  if (!axis.empty()) return std::vector<std::string>{axis};
  if (!configured.empty()) return std::vector<std::string>{configured[0].value};
  return fail(bad_input("name the axis to search with --axis (or bisect.axes in the matrix file)"));
}

Expected<Plane> find_plane(const BisectMatrix& in, const std::vector<std::string>& axis_names,
                           const AxisFilter& only) {
  const auto& t = in.expansion.cells;
  Plane plane;
  for (const auto& name : axis_names) {
    auto axis = t.axis_index(name);
    if (!axis || t.axes[*axis].kind != matrix::AxisKind::component)
      return fail(
          bad_input("'" + name + "' is not a component axis; bisect searches component versions"));
    if (std::count(plane.axes.begin(), plane.axes.end(), *axis))
      return fail(
          bad_input("axis '" + name + "' is named twice; a 2-D bisect needs two different axes"));
    plane.axes.push_back(*axis);
  }
  FAULTLINE_TRY(auto fixed, fixed_values(only, t));
  for (std::size_t a : plane.axes)
    if (fixed.count(a))
      return fail(bad_input("--only fixes '" + t.axes[a].name +
                            "', the axis being searched; use --good/--bad to narrow it"));
  plane.rows = t.axes[plane.axes[0]].values.size();
  plane.cols = plane.axes.size() > 1 ? t.axes[plane.axes[1]].values.size() : 1;
  plane.cells.assign(plane.rows * plane.cols, std::nullopt);
  auto searched = [&](std::size_t a) {
    return std::count(plane.axes.begin(), plane.axes.end(), a) > 0;
  };
  std::map<std::size_t, std::set<std::string>> loose;  // unfixed axes that still vary
  for (std::size_t c = 0; c < t.size(); ++c) {
    bool match = std::all_of(fixed.begin(), fixed.end(), [&](const auto& f) {
      const std::string* v = t.value(c, f.first);
      return v && *v == f.second;
    });
    if (!match) continue;
    for (std::size_t a = 0; a < t.product_axes; ++a)
      if (!searched(a) && !fixed.count(a))
        if (const std::string* v = t.value(c, a)) loose[a].insert(*v);
    std::int32_t row = t.at(c, plane.axes[0]);
    std::int32_t col = plane.axes.size() > 1 ? t.at(c, plane.axes[1]) : 0;
    if (row >= 0 && col >= 0)
      plane.cells[static_cast<std::size_t>(row) * plane.cols + static_cast<std::size_t>(col)] = c;
  }
  std::vector<std::string> unfixed, parts;
  for (const auto& [a, values] : loose)
    if (values.size() > 1)
      unfixed.push_back(t.axes[a].name + " (" + join({values.begin(), values.end()}, ", ") + ")");
  if (!unfixed.empty())
    return fail(bad_input("fix every other axis with --only AXIS=VALUE; these still vary: " +
                          join(unfixed, "; ")));
  for (std::size_t a = 0; a < t.product_axes; ++a) {
    if (searched(a)) continue;
    if (fixed.count(a))
      parts.push_back(t.axes[a].name + "=" + fixed[a]);
    else if (loose.count(a))
      parts.push_back(t.axes[a].name + "=" + *loose[a].begin());
  }
  plane.base = join(parts, " ");
  if (std::none_of(plane.cells.begin(), plane.cells.end(),
                   [](const auto& c) { return c.has_value(); }))
    return fail(bad_input("no cell matches " + plane.base));
  return plane;
}

Expected<bisect::Observation> CellProber::observe(std::size_t cell, int runs, bool stop_at_first) {
  if (cancelled()) return fail(Error{ErrorKind::infrastructure, "interrupted"});
  if (progress) progress->probe_started(cell, runs);
  bisect::Observation seen;
  const auto& needed_set = m_in.expansion.cell_builds[cell];
  std::vector<std::size_t> needed(needed_set.begin(), needed_set.end());
  auto outcomes = ahead ? ahead->build_now(needed, m_builds)
                        : runner::run_builds(m_in.config, m_in.expansion, needed, m_builds);
  if (progress) progress->builds_ended();
  if (m_outcomes.empty()) m_outcomes.resize(outcomes.size());
  std::vector<std::string> prefixes(m_in.config.components.size());
  for (std::size_t b = 0; b < outcomes.size(); ++b)
    if (outcomes[b].state != runner::BuildState::not_needed) {
      m_outcomes[b] = outcomes[b];
      // A failure met ahead and handed on again (reused) ran nothing now.
      const bool ran = !outcomes[b].cached && !outcomes[b].reused &&
                       (outcomes[b].state == runner::BuildState::ok ||
                        outcomes[b].state == runner::BuildState::failed);
      m_builds_run += ran;
      m_build_seconds += ran ? outcomes[b].seconds : 0;
    }
  for (auto b : needed_set) {
    if (outcomes[b].state != runner::BuildState::ok) {
      seen.unbuildable = true;
      return seen;
    }
    prefixes[m_in.expansion.builds[b].component] = outcomes[b].prefix;
  }
  if (progress) progress->runs_started();
  runner::StressOptions options = m_stress;
  options.runs = runs;
  options.first_index =
      static_cast<int>(std::count_if(m_records.begin(), m_records.end(),
                                     [&](const runner::RunRecord& r) { return r.cell == cell; }));
  options.stop = stop_at_first ? matrix::StopPolicy::first_crash : matrix::StopPolicy::all;
  if (!any_crash && !target.signatures.empty())
    options.stop_at = [this](const sanitizers::Crash& c) { return target.matches(c); };
  runner::StressLoop loop(m_in.config, m_in.expansion, options);
  loop.add_cell(cell, prefixes);
  const std::size_t from = m_records.size();
  loop.run([&](const runner::RunRecord& r) {
    if (!r.crashes.empty() && !m_first_crash && !stack_lost(r)) m_first_crash = r.crashes.front();
    m_records.push_back(r);
    if (progress) progress->run_finished(r);
  });
  if (cancelled()) return fail(Error{ErrorKind::infrastructure, "interrupted"});
  return recount(cell, from);
}

CellProber::Costs CellProber::costs() const {
  Costs c{m_builds_run, m_build_seconds, static_cast<int>(m_records.size()), 0};
  // Builds made ahead cost as much, used or not.
  const AheadTally t = ahead_tally();
  c.builds += t.builds;
  c.build_seconds += t.build_seconds;
  for (const runner::RunRecord& r : m_records) c.run_seconds += r.wall_seconds;
  return c;
}

AheadTally CellProber::ahead_tally() const {
  if (ahead) return ahead->tally();
  return built_ahead.value_or(AheadTally{});
}

bisect::Observation CellProber::recount(std::size_t cell, std::size_t from) const {
  bisect::Observation seen;
  for (std::size_t i = from; i < m_records.size(); ++i) {
    const runner::RunRecord& r = m_records[i];
    if (r.cell != cell) continue;
    const bool crashed = r.outcome == "crash", failed = crashed || r.outcome == "hang";
    const bool target_run =
        any_crash
            ? failed
            : std::any_of(r.crashes.begin(), r.crashes.end(), [&](const sanitizers::Crash& c) {
                return !target.signatures.empty() && target.matches(c);
              });
    if (crashed && !target_run && stack_lost(r)) {
      ++seen.unknown;
      continue;
    }
    ++seen.runs;
    seen.target += target_run;
    seen.other += crashed && !target_run;
  }
  return seen;
}

}  // namespace faultline::pipeline
