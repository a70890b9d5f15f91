// A 2-D bisect: the staircase over a plane of cells, or the crashing region the evidence bounds.
#include <algorithm>
#include <cstdio>

#include "base/exit_status.h"
#include "bisect/staircase.h"
#include "pipeline/bisect_costs.h"
#include "pipeline/bisect_plane_lead.h"
#include "pipeline/bisect_results.h"
#include "pipeline/bisect_session.h"

namespace faultline::pipeline {

namespace {

// Answers the 2-D search, first from recorded observations (a resumed session,
// an earlier run's results), then with new runs, recording each; after each
// answer, the leading corner and the probes left go to the progress and the step log.
class PlaneOracle : public bisect::Oracle2D {
 public:
  PlaneOracle(Context& ctx, const Plane& plane, SessionLog& log)
      : m_ctx(ctx), m_plane(plane), m_log(log) {}
  std::map<std::pair<std::size_t, std::size_t>, std::vector<bisect::Observation>> recorded;

  Expected<bisect::Observation> observe(std::size_t row, std::size_t col, int runs,
                                        bool stop_at_first) override {
    auto& queue = recorded[{row, col}];
    if (!queue.empty()) {
      bisect::Observation o = queue.front();
      queue.erase(queue.begin());
      (void)lead(row, col, o);
      return o;
    }
    auto cell = m_plane.at(row, col);
    bisect::Observation seen{0, 0, 0, true};
    if (cell) {
      FAULTLINE_TRY(bisect::Observation o, m_ctx.prober.observe(*cell, runs, stop_at_first));
      seen = o;
    }
    json j = observation_json(seen);
    j["row"] = row;
    j["col"] = col;
    m_log.record(j);
    m_ctx.log << "  " << m_plane_name(row, col) << ": " << describe(seen) << lead(row, col, seen)
              << ahead_note(m_ctx) << "\n";
    return seen;
  }
  // The staircase's prefetch, told to `ahead`: the cells it names, less those
  // recorded observations answer (they run nothing); nothing for a probe they answer.
  std::function<void(bisect::Cell, const std::vector<bisect::Cell>&)> prefetch_into(
      AheadBuilds& ahead) {
    return [this, &ahead](bisect::Cell probe, const std::vector<bisect::Cell>& next) {
      if (is_recorded(probe)) return;
      std::vector<std::size_t> cells;
      for (const bisect::Cell& c : next)
        if (const auto cell = m_plane.at(c.row, c.col); cell && !is_recorded(c))
          cells.push_back(*cell);
      ahead.want(m_plane.at(probe.row, probe.col), cells);
    };
  }
  // The lead before the first probe (the search began): the probes left, for the ETA.
  void search_started() {
    m_ctx.search_started(m_plane.rows * m_plane.cols, m_ctx.in.config.bisect.confidence);
    if (m_ctx.progress)
      m_ctx.progress->probes_left(
          plane_lead(m_plane.rows, m_plane.cols, known(), m_ctx.flags.runs_per_pair).probes_left);
  }
  std::function<std::string(std::size_t, std::size_t)> m_plane_name;

 private:
  // Notes the probe; tells the progress the leading corner and the probes
  // left; returns the step log's "; leading first crashing … (posterior 0.500)".
  std::string lead(std::size_t row, std::size_t col, const bisect::Observation& seen) {
    bisect::Observation& sum = m_seen[{row, col}];
    sum = {sum.runs + seen.runs, sum.target + seen.target, sum.other + seen.other,
           sum.unbuildable || seen.unbuildable, sum.unknown + seen.unknown};
    const PlaneLead l = plane_lead(m_plane.rows, m_plane.cols, known(), m_ctx.flags.runs_per_pair);
    if (m_ctx.progress) m_ctx.progress->probes_left(l.probes_left);
    if (!l.corner) return "";
    const std::string words = "first crashing " + m_plane_name(l.corner->row, l.corner->col);
    m_ctx.leading(words, l.posterior);
    char posterior[16];
    std::snprintf(posterior, sizeof posterior, "%.3f", l.posterior);
    return "; leading " + words + " (posterior " + posterior + ")";
  }

  bool is_recorded(bisect::Cell c) const {
    const auto queue = recorded.find({c.row, c.col});
    return queue != recorded.end() && !queue->second.empty();
  }

  // What is known of the plane: the answers so far, and recorded observations not asked for yet.
  PlaneProbes known() const {
    PlaneProbes all = m_seen;
    for (const auto& [cell, queue] : recorded)
      if (!queue.empty()) all.emplace(cell, queue.front());
    return all;
  }

  Context& m_ctx;
  const Plane& m_plane;
  SessionLog& m_log;
  PlaneProbes m_seen;  // every answer so far, summed per cell
};

// The plane's cells in the earlier run as observations of the target, row-major
// (nullopt: excluded, or no runs there).
std::vector<std::optional<bisect::Observation>> plane_evidence(const Context& ctx,
                                                               const Plane& plane) {
  std::vector<std::optional<bisect::Observation>> seen(plane.rows * plane.cols);
  if (ctx.evidence.is_null()) return seen;
  for (std::size_t r = 0; r < plane.rows; ++r)
    for (std::size_t c = 0; c < plane.cols; ++c)
      if (auto cell = plane.at(r, c))
        seen[r * plane.cols + c] = observation_in(ctx.evidence, ctx.in.expansion.cells.hash(*cell),
                                                  ctx.prober.target, ctx.prober.any_crash);
  return seen;
}

// With no --signature and no crash at the newest pair in the earlier run, the
// target is the family most runs of the whole plane showed there.
void plane_target(Context& ctx, const Plane& plane, std::size_t corner) {
  if (ctx.evidence.is_null() || ctx.prober.any_crash || !ctx.flags.signature.empty()) return;
  const auto& t = ctx.in.expansion.cells;
  if (most_frequent_family(ctx.evidence, t.hash(corner))) return;
  std::vector<std::string> hashes;
  for (const auto& cell : plane.cells)
    if (cell) hashes.push_back(t.hash(*cell));
  if (const json* f = most_frequent_family(ctx.evidence, hashes)) {
    set_target(ctx, family_target(ctx.evidence, *f), f->value("hash", ""), f->value("text", ""),
               false);
    ctx.log << "bisect: target " << target_words(ctx)
            << ", the most frequent crash of this plane in the earlier run\n";
  }
}

// The plane's cells as observations: the earlier run's, with the newest pair's topped up.
using PlaneSeen = std::vector<std::optional<bisect::Observation>>;

// The earlier run settled the newest pair as passing (silent in at least
// --runs-per-pair runs) while other pairs crash: the crash was fixed on the
// way, so the staircase (which assumes crashes go on to the newest pair) does
// not apply; the evidence bounds the region instead.
bool newest_pair_fixed(const Context& ctx, const PlaneSeen& seen) {
  const auto& corner = seen.back();
  if (!corner || corner->target > 0 || corner->runs < ctx.flags.runs_per_pair) return false;
  return std::any_of(seen.begin(), seen.end(), [](const auto& o) { return o && o->target > 0; });
}

// The newest pair silent in the earlier run, in fewer runs than --runs-per-pair,
// while other pairs crash: it runs until it has that many (stopping at a crash),
// recorded in the session and kept for the staircase. Returns the runs made.
Expected<int> top_up_newest_pair(Context& ctx, const Plane& plane, SessionLog& log,
                                 PlaneOracle& oracle, PlaneSeen& seen) {
  auto& corner = seen.back();
  const bool others_crash =
      std::any_of(seen.begin(), seen.end(), [](const auto& o) { return o && o->target > 0; });
  if (!corner || corner->target > 0 || corner->runs >= ctx.flags.runs_per_pair || !others_crash)
    return 0;
  const std::size_t row = plane.rows - 1, col = plane.cols - 1;
  ctx.log << "bisect: the newest pair " << oracle.m_plane_name(row, col) << " was silent in "
          << corner->runs << " runs of the earlier run; " << ctx.flags.runs_per_pair - corner->runs
          << " more settle whether the crash was fixed on the way\n";
  FAULTLINE_TRY(
      bisect::Observation more,
      ctx.prober.observe(*plane.at(row, col), ctx.flags.runs_per_pair - corner->runs, true));
  json j = observation_json(more);
  j["row"] = row;
  j["col"] = col;
  log.record(j);
  ctx.log << "  " << oracle.m_plane_name(row, col) << ": " << describe(more) << "\n";
  *corner = {corner->runs + more.runs, corner->target + more.target, corner->other + more.other,
             corner->unbuildable || more.unbuildable, corner->unknown + more.unknown};
  oracle.recorded[{row, col}].push_back(*corner);
  return more.runs;
}

// "crashes from library=1.0 to library=1.7 (8 of 8 cells with runs)", or "no crash (…)".
std::string row_words(const Context& ctx, const Plane& plane, std::size_t r,
                      const std::vector<std::optional<bisect::Observation>>& seen) {
  const auto& axis = ctx.in.expansion.cells.axes[plane.axes[1]];
  std::size_t first = plane.cols, last = 0;
  int crashing = 0, probed = 0, runs = 0;
  for (std::size_t c = 0; c < plane.cols; ++c) {
    const auto& o = seen[r * plane.cols + c];
    if (!o) continue;
    ++probed;
    runs += o->runs;
    if (o->target == 0) continue;
    ++crashing;
    first = std::min(first, c);
    last = c;
  }
  const std::string counted =
      std::to_string(crashing) + " of " + std::to_string(probed) + " cells with runs";
  if (crashing == 0) return "no crash (" + counted + ", " + std::to_string(runs) + " runs)";
  return "crashes from " + axis.name + "=" + axis.values[first] + " to " + axis.name + "=" +
         axis.values[last] + " (" + counted + ")";
}

// The span of rows (or columns) holding a crash: [first, last]; first > last when none.
std::pair<std::size_t, std::size_t> crashing_span(
    const Plane& plane, const std::vector<std::optional<bisect::Observation>>& seen, bool rows) {
  std::size_t first = rows ? plane.rows : plane.cols, last = 0;
  for (std::size_t r = 0; r < plane.rows; ++r)
    for (std::size_t c = 0; c < plane.cols; ++c)
      if (const auto& o = seen[r * plane.cols + c]; o && o->target > 0) {
        first = std::min(first, rows ? r : c);
        last = std::max(last, rows ? r : c);
      }
  return {first, last};
}

// The crashing region the earlier run's results show (`seen`, with the newest
// pair's top-up of `runs` runs), row by row, with its bounding box and which of
// its ends are open.
int bound_from_evidence(Context& ctx, const Plane& plane, const std::string& name,
                        const PlaneSeen& seen, int runs) {
  const auto& t = ctx.in.expansion.cells;
  const auto& rows = t.axes[plane.axes[0]];
  const auto& cols = t.axes[plane.axes[1]];
  const auto [r0, r1] = crashing_span(plane, seen, true);
  const auto [c0, c1] = crashing_span(plane, seen, false);
  const int cells = int(
      std::count_if(seen.begin(), seen.end(), [](const auto& o) { return o && o->target > 0; }));
  auto span = [](const matrix::Axis& a, std::size_t lo, std::size_t hi) {
    const bool open_start = lo == 0, open_end = hi + 1 == a.values.size();
    return a.name + " " + a.values[lo] + "–" + a.values[hi] + " (" +
           (open_start ? "from the oldest" : "first crashing " + a.values[lo]) + ", " +
           (open_end ? "to the newest" : "first fixed " + a.values[hi + 1]) + ")";
  };
  const std::string summary =
      "the crashing region from the earlier run's results: " + std::to_string(cells) +
      " crashing cells within " + span(rows, r0, r1) + " × " + span(cols, c0, c1);
  ctx.out << "bisect " << rows.name << " × " << cols.name << " (" << plane.base << "), target "
          << target_words(ctx) << "\n"
          << summary << "\n";
  json per_row = json::array();
  for (std::size_t r = 0; r < plane.rows; ++r) {
    const std::string words = row_words(ctx, plane, r, seen);
    ctx.out << "  " << rows.name << "=" << rows.values[r] << ": " << words << "\n";
    per_row.push_back({{rows.name, rows.values[r]}, {"words", words}});
  }
  json section = {{"signature", ctx.target},
                  {"signature_text", ctx.target_text},
                  {"family", ctx.family},
                  {"axes", {rows.name, cols.name}},
                  {"base", plane.base},
                  {"status", "region"},
                  {"summary", summary},
                  {"runs", runs},
                  {"region",
                   {{"cells", cells},
                    {rows.name, {rows.values[r0], rows.values[r1]}},
                    {cols.name, {cols.values[c0], cols.values[c1]}},
                    {"rows", per_row}}}};
  return finish(ctx, ctx.places.state_dir + "/bisect-" + name + ".json", section, section,
                k_exit_crashes);
}

// --good, --bad and --fixed bound one axis; a 2-D search refuses them (exit 2).
std::optional<int> one_axis_flags(const Context& ctx) {
  const BisectRequest& flags = ctx.flags;
  if (flags.good.empty() && flags.bad.empty() && !flags.fixed) return std::nullopt;
  ctx.log << "faultline bisect: --good, --bad and --fixed search one axis; a 2-D search "
             "(--axes) covers both "
             "axes whole\n";
  return k_exit_bad_input;
}

// An earlier run's cells answer the probes they can: a crash, or enough silent runs.
void note_plane_evidence(Context& ctx, const Plane& plane, SessionLog& log, PlaneOracle& oracle) {
  if (ctx.evidence.is_null()) return;
  const auto& t = ctx.in.expansion.cells;
  const CellProber& prober = ctx.prober;
  for (std::size_t r = 0; r < plane.rows; ++r)
    for (std::size_t c = 0; c < plane.cols; ++c)
      if (auto cell = plane.at(r, c))
        if (auto o = observation_in(ctx.evidence, t.hash(*cell), prober.target, prober.any_crash))
          if (o->target > 0 || o->runs >= ctx.flags.runs_per_pair) {
            json j = observation_json(*o);
            j["row"] = r;
            j["col"] = c;
            j["source"] = "results";
            log.record(j);
            oracle.recorded[{r, c}].push_back(*o);
          }
}

// --resume: the recorded observations answer the staircase's probes first.
std::optional<int> resume_plane(Context& ctx, SessionLog& log, PlaneOracle& oracle,
                                const json& header) {
  if (auto status = resume_session(ctx, log, header)) return *status;
  for (const auto& j : log.observations)
    oracle.recorded[{j.value("row", std::size_t{0}), j.value("col", std::size_t{0})}].push_back(
        observation_from(j));
  return std::nullopt;
}

// A new session: the target (from the evidence, else found at the newest
// pair), the session started in the store, the earlier run's cells recorded.
// The exit status when the session stops here.
std::optional<int> start_plane(Context& ctx, const Plane& plane, SessionLog& log,
                               PlaneOracle& oracle, json header) {
  const std::string newest = oracle.m_plane_name(plane.rows - 1, plane.cols - 1);
  auto corner = plane.at(plane.rows - 1, plane.cols - 1);
  if (!corner) {
    ctx.log << "faultline bisect: the newest pair " << newest << " is excluded with " << plane.base
            << "; a 2-D search starts from it\n";
    return k_exit_bad_input;
  }
  plane_target(ctx, plane, *corner);
  auto discovered =
      ctx.target.empty()
          ? find_target(ctx, *corner, newest)
          : Expected<std::optional<bisect::Observation>>(std::optional<bisect::Observation>{});
  if (!discovered)
    return ctx.cancelled() ? k_exit_interrupted : exit_status_for(discovered.error());
  if (!*discovered && !ctx.prober.any_crash && ctx.prober.target.signatures.empty()) {
    ctx.out << "no crash at " << newest << ": nothing to bisect (" << plane.base << ")\n";
    return k_exit_ok;
  }
  header["target"] = ctx.target;
  header["target_text"] = ctx.target_text;
  header["family"] = ctx.family;
  if (auto status = start_session(ctx, log, header)) return *status;
  note_plane_evidence(ctx, plane, log, oracle);
  return std::nullopt;
}

// The staircase's answer on stdout: per row, the first crashing column; the contradictions.
void print_staircase(Context& ctx, const Plane& plane, const PlaneOracle& oracle,
                     const bisect::StaircaseReport& report, const json& section) {
  const auto& rows = ctx.in.expansion.cells.axes[plane.axes[0]];
  const auto& cols = ctx.in.expansion.cells.axes[plane.axes[1]];
  ctx.out << "bisect " << rows.name << " × " << cols.name << " (" << plane.base << "), target "
          << target_words(ctx) << "\n";
  ctx.out << section.value("summary", "") << "\n";
  for (std::size_t r = 0; r < plane.rows; ++r) {
    const std::size_t c = report.first_crashing_col[r];
    ctx.out << "  " << rows.name << "=" << rows.values[r] << ": "
            << (c < plane.cols ? "crashes from " + cols.name + "=" + cols.values[c] : "no crash")
            << "\n";
  }
  for (const auto& x : report.contradictions)
    ctx.out << "  contradiction: " << oracle.m_plane_name(x.crashing.row, x.crashing.col)
            << " crashed but " << oracle.m_plane_name(x.passing.row, x.passing.col) << " passed\n";
}

// The staircase over the plane, its next probes built ahead with -j above 1
// (then "bisect: built ahead: 3, used 2" on the log).
Expected<bisect::StaircaseReport> run_staircase(Context& ctx, const Plane& plane,
                                                PlaneOracle& oracle) {
  bisect::StaircaseOptions options;
  options.runs_per_cell = ctx.flags.runs_per_pair;
  AheadBuilds ahead(ctx);
  options.prefetch = oracle.prefetch_into(ahead);
  oracle.search_started();
  auto report = bisect::bisect_2d(plane.rows, plane.cols, oracle, options);
  ahead.finish();
  ctx.search_ended();
  const auto& tally = ctx.prober.built_ahead;
  if (report && tally) ctx.log << "bisect: " << describe_ahead(*tally) << "\n";
  return report;
}

}  // namespace

int bisect_plane(Context& ctx, const Plane& plane) {
  if (auto status = one_axis_flags(ctx)) return *status;
  const BisectRequest& flags = ctx.flags;
  const auto& t = ctx.in.expansion.cells;
  const std::string rows = t.axes[plane.axes[0]].name, cols = t.axes[plane.axes[1]].name;
  const std::string name = rows + "-" + cols;
  SessionLog log(ctx, name, new_session(ctx));
  PlaneOracle oracle(ctx, plane, log);
  oracle.m_plane_name = [&](std::size_t r, std::size_t c) {
    return rows + "=" + t.axes[plane.axes[0]].values[r] + " " + cols + "=" +
           t.axes[plane.axes[1]].values[c];
  };
  json header = {{"type", "session"},
                 {"axes", {rows, cols}},
                 {"base", plane.base},
                 {"fixed", false},
                 {"any_crash", flags.any_crash},
                 {"from", ""},
                 {"to", ""},
                 {"runs_per_pair", flags.runs_per_pair}};
  if (auto status = flags.resume ? resume_plane(ctx, log, oracle, header)
                                 : start_plane(ctx, plane, log, oracle, header))
    return *status;
  if (!flags.resume) {
    PlaneSeen seen = plane_evidence(ctx, plane);
    auto topped = top_up_newest_pair(ctx, plane, log, oracle, seen);
    if (!topped) return search_failed(ctx, topped.error());
    if (newest_pair_fixed(ctx, seen)) return bound_from_evidence(ctx, plane, name, seen, *topped);
  }
  auto report = run_staircase(ctx, plane, oracle);
  if (!report) return search_failed(ctx, report.error());
  Bisect2D b{plane, ctx.target, ctx.target_text, flags.runs_per_pair, ctx.family};
  json section = section_2d(ctx.in, b, *report);
  print_staircase(ctx, plane, oracle, *report, section);
  const int status = report->minimal_pairs.empty() ? k_exit_ok : k_exit_crashes;
  return finish(ctx, ctx.places.state_dir + "/bisect-" + name + ".json", section, section, status);
}

}  // namespace faultline::pipeline
