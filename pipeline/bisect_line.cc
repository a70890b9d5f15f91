// A 1-D bisect between --good and --bad (or the default ends): the span, the bad end's target, the
// search, the answer.
#include <algorithm>

#include "base/exit_status.h"
#include "base/text.h"
#include "bisect/cost.h"
#include "pipeline/bisect_costs.h"
#include "pipeline/bisect_ends.h"
#include "pipeline/bisect_results.h"
#include "pipeline/bisect_session.h"

namespace faultline::pipeline {

namespace {

// --good names a version the evidence shows crashing: bad input, with the runs
// that show it, before any run is spent (exit 2).
std::optional<int> good_end_contradicts(const Context& ctx, const std::string& axis,
                                        const std::vector<std::string>& versions,
                                        const std::vector<bisect::PriorObservation>& prior) {
  if (ctx.flags.good.empty()) return std::nullopt;
  const std::size_t good = ctx.flags.fixed ? versions.size() - 1 : 0;
  int target = 0, runs = 0;
  for (const auto& [i, o] : prior)
    if (i == good) {
      target += o.target;
      runs += o.runs;
    }
  if (target == 0) return std::nullopt;
  ctx.log << "faultline bisect: --good " << ctx.flags.good << " contradicts the evidence: " << axis
          << "=" << versions[good] << " crashed with the target in "
          << bisect::describe_counts(target, runs)
          << " (earlier runs); choose a --good that does not crash, or leave --good out to "
             "find the interval\n";
  return k_exit_bad_input;
}

// An explicit span's search options: confidence, budget, names, and the step
// log (one line per probe, then the output's hook).
bisect::SearchOptions line_options(Context& ctx, const std::string& axis_name,
                                   const std::vector<std::string>& versions) {
  bisect::SearchOptions options;
  options.fixed = ctx.flags.fixed;
  options.max_runs = ctx.flags.max_runs;
  options.confidence =
      ctx.flags.confidence > 0 ? ctx.flags.confidence : ctx.in.config.bisect.confidence;
  for (const auto& v : versions) options.names.push_back(axis_name + "=" + v);
  // The step log: what each probe saw, and where the posterior now leads.
  options.on_step = [&ctx, axis_name, &versions](const bisect::Step& s) {
    char posterior[16];
    std::snprintf(posterior, sizeof posterior, "%.3f", s.leading_posterior);
    ctx.log << "  " << bisect::phase_name(s.phase) << " " << axis_name << "=" << versions[s.index]
            << ": " << describe(s.seen) << "; leading "
            << (ctx.flags.fixed ? "first fixed " : "first crashing ") << axis_name << "="
            << versions[s.leading] << " (posterior " << posterior << ")" << ahead_note(ctx) << "\n";
    ctx.leading((ctx.flags.fixed ? "first fixed " : "first crashing ") + axis_name + "=" +
                    versions[s.leading],
                s.leading_posterior);
    if (ctx.output.on_step) ctx.output.on_step(s);
  };
  return options;
}

// The answer of a search over an explicit span: stdout, the answer file, results.json.
int finish_line(Context& ctx, const Plane& plane, const std::string& axis_name,
                const std::vector<std::string>& versions, std::size_t lo,
                const bisect::SearchReport& report, double confidence) {
  ctx.out << "bisect " << axis_name << " (" << plane.base << "), target " << target_words(ctx)
          << "\n";
  if (ctx.family.is_object() && ctx.family.value("widened", false))
    ctx.out << "target widened: " << ctx.target << " has no frames, so its family is the target\n";
  ctx.out << "outcome: " << bisect::outcome_name(report.outcome) << "\n";
  const auto commits = print_end(ctx, axis_name, versions, report, ctx.flags.fixed);
  ctx.out << "runs: " << report.runs << "\n" << report.summary << "\n";
  json answer = {{"axis", axis_name},
                 {"base", plane.base},
                 {"target", ctx.target},
                 {"family", ctx.family},
                 {"outcome", bisect::outcome_name(report.outcome)},
                 {"first_bad", versions[report.first_bad]},
                 {"last_good", versions[report.last_good]},
                 {"posterior", report.posterior},
                 {"runs", report.runs},
                 {"other_crashes", report.other_crashes},
                 {"fixed", ctx.flags.fixed},
                 {"summary", report.summary}};
  Bisect1D b{plane,      versions,        lo,         ctx.flags.fixed,
             ctx.target, ctx.target_text, confidence, ctx.family};
  const int status = report.outcome == bisect::Outcome::bad_end_passes ? k_exit_ok : k_exit_crashes;
  json section = section_1d(ctx.in, b, report);
  if (commits) {
    add_commit_answer(answer, *commits);
    add_commit_answer(section, *commits);
  }
  return finish(ctx, ctx.places.state_dir + "/bisect-" + axis_name + ".json", answer,
                std::move(section), status);
}

// The searched span of one axis: from the good end to the bad end (reversed
// roles with --fixed), as versions; `lo` is the span's first version on the axis.
struct Span {
  std::string axis;
  std::vector<std::string> versions;
  std::size_t lo = 0;
  std::size_t bad_end = 0;  // the bad end's index in `versions`
};

// The span --good and --bad ask for; nullopt after saying why (exit 2).
std::optional<Span> searched_span(const Context& ctx, const Plane& plane) {
  const BisectRequest& flags = ctx.flags;
  const auto& t = ctx.in.expansion.cells;
  const std::string axis_name = t.axes[plane.axes[0]].name;
  const auto& all_versions = t.axes[plane.axes[0]].values;
  auto position = [&](const std::string& v, std::size_t fallback) -> std::optional<std::size_t> {
    if (v.empty()) return fallback;
    auto it = std::find(all_versions.begin(), all_versions.end(), v);
    if (it == all_versions.end()) return std::nullopt;
    return static_cast<std::size_t>(it - all_versions.begin());
  };
  auto good = position(flags.good, flags.fixed ? all_versions.size() - 1 : 0);
  auto bad = position(flags.bad, flags.fixed ? 0 : all_versions.size() - 1);
  if (!good || !bad) {
    ctx.log << "faultline bisect: '" << (!good ? flags.good : flags.bad) << "' is not a version of "
            << axis_name << " (versions: " << join(all_versions, ", ") << ")\n";
    return std::nullopt;
  }
  const std::size_t lo = std::min(*good, *bad), hi = std::max(*good, *bad);
  if (hi - lo < 1 || (flags.fixed ? *bad > *good : *good > *bad)) {
    ctx.log << "faultline bisect: the good version must come " << (flags.fixed ? "after" : "before")
            << " the bad one on " << axis_name << ", with at least two versions to search\n";
    return std::nullopt;
  }
  Span span{axis_name,
            {all_versions.begin() + static_cast<std::ptrdiff_t>(lo),
             all_versions.begin() + static_cast<std::ptrdiff_t>(hi) + 1},
            lo,
            0};
  span.bad_end = flags.fixed ? 0 : span.versions.size() - 1;
  return span;
}

// --resume: the recorded session's observations become the search's prior.
std::optional<int> resume_line(Context& ctx, SessionLog& log, const json& header,
                               std::vector<bisect::PriorObservation>& prior) {
  if (auto status = resume_session(ctx, log, header)) return *status;
  for (const auto& j : log.observations)
    prior.emplace_back(j.value("index", std::size_t{0}), observation_from(j));
  return std::nullopt;
}

// One observation at `index` of the span, recorded in the session (with where
// it came from) and added to the prior.
void note_prior(SessionLog& log, std::vector<bisect::PriorObservation>& prior, std::size_t index,
                const bisect::Observation& o, const char* source) {
  json j = observation_json(o);
  j["index"] = index;
  j["source"] = source;
  log.record(j);
  prior.emplace_back(index, o);
}

// The earlier run's runs of the span's cells, taken as evidence.
void note_line_evidence(Context& ctx, const Plane& plane, const Span& span, SessionLog& log,
                        std::vector<bisect::PriorObservation>& prior) {
  if (ctx.evidence.is_null()) return;
  const CellProber& prober = ctx.prober;
  int reused = 0;
  for (std::size_t i = 0; i < span.versions.size(); ++i)
    if (auto c = plane.at(i + span.lo))
      if (auto o = observation_in(ctx.evidence, ctx.in.expansion.cells.hash(*c), prober.target,
                                  prober.any_crash)) {
        note_prior(log, prior, i, *o, "results");
        reused += o->runs;
      }
  if (reused) ctx.log << "bisect: " << reused << " runs of the earlier run taken as evidence\n";
}

// A new session: the target (found at the bad end when nothing names it), the
// session started in the store, and the prior from the target's discovery and
// the earlier run. The exit status when the session stops here.
std::optional<int> start_line(Context& ctx, const Plane& plane, const Span& span, SessionLog& log,
                              json header, std::vector<bisect::PriorObservation>& prior) {
  const std::string& bad_version = span.versions[span.bad_end];
  auto bad_cell = plane.at(span.bad_end + span.lo);
  if (!bad_cell) {
    ctx.log << "faultline bisect: " << span.axis << "=" << bad_version << " is excluded with "
            << plane.base << "; choose another --bad\n";
    return k_exit_bad_input;
  }
  // A bad end the earlier run shows no crash at: the line's crash is the target (bisect_ends.h).
  if (!ctx.evidence.is_null() && ctx.flags.signature.empty() &&
      !most_frequent_family(ctx.evidence, ctx.in.expansion.cells.hash(*bad_cell)))
    interval_target(ctx, plane);
  auto discovered =
      ctx.target.empty()
          ? find_target(ctx, *bad_cell, span.axis + "=" + bad_version + " (" + plane.base + ")")
          : Expected<std::optional<bisect::Observation>>(std::optional<bisect::Observation>{});
  if (!discovered)
    return ctx.cancelled() ? k_exit_interrupted : exit_status_for(discovered.error());
  if (!*discovered && !ctx.prober.any_crash && ctx.prober.target.signatures.empty()) {
    ctx.out << "no crash at " << span.axis << "=" << bad_version << ": nothing to bisect ("
            << plane.base << ")\n";
    return k_exit_ok;
  }
  header["target"] = ctx.target;
  header["target_text"] = ctx.target_text;
  header["family"] = ctx.family;
  if (auto status = start_session(ctx, log, header)) return *status;
  if (*discovered) note_prior(log, prior, span.bad_end, **discovered, "run");
  note_line_evidence(ctx, plane, span, log, prior);
  return std::nullopt;
}

}  // namespace

int bisect_line(Context& ctx, const Plane& plane) {
  const BisectRequest& flags = ctx.flags;
  if (flags.good.empty() && flags.bad.empty()) return bisect_interval_line(ctx, plane);
  const std::optional<Span> span = searched_span(ctx, plane);
  if (!span) return k_exit_bad_input;
  const std::vector<std::string>& versions = span->versions;
  SessionLog log(ctx, span->axis, new_session(ctx));
  json header = {{"type", "session"},    {"axes", {span->axis}},         {"base", plane.base},
                 {"fixed", flags.fixed}, {"any_crash", flags.any_crash}, {"from", versions.front()},
                 {"to", versions.back()}};
  std::vector<bisect::PriorObservation> prior;
  if (auto status = flags.resume ? resume_line(ctx, log, header, prior)
                                 : start_line(ctx, plane, *span, log, header, prior))
    return *status;
  bisect::SearchOptions options = line_options(ctx, span->axis, versions);
  auto sink = [&](std::size_t index, const bisect::Observation& o) {
    json j = observation_json(o);
    j["index"] = index;
    log.record(j);
  };
  if (auto status = good_end_contradicts(ctx, span->axis, versions, prior)) return *status;
  const StatedEnds ends{span->axis, versions, flags.fixed, flags.good, flags.bad};
  if (auto status = refused(ctx.log, bad_end_contradiction(ends, prior, nullptr))) return *status;
  options.bad_end_runs = runs_to_exclude(prior, ends.bad_index(), options.max_end_runs);
  LineOracle oracle(ctx.prober, plane, span->lo);
  GoodEndGuard guarded(oracle, ends, prior);
  bisect::MeteredOracle metered(guarded, {}, build_clock(ctx.prober));
  options.cost = [&metered] { return metered.cost(); };
  price_built_versions(ctx.prober, plane, span->lo, flags.resume, options, metered);
  AheadBuilds ahead(ctx, plane, span->lo, options);
  ctx.search_started(versions.size(), options.confidence);
  auto report = bisect::bisect_1d(versions.size(), metered, options, prior, sink);
  ahead.finish();
  ctx.search_ended();
  if (!report) return search_failed(ctx, report.error());
  ctx.log << "bisect: " << bisect::describe_costs(metered) << ahead_costs(ctx) << "\n";
  if (auto status = refused(ctx.log, bad_end_contradiction(ends, prior, &*report))) return *status;
  return finish_line(ctx, plane, span->axis, versions, span->lo, *report, options.confidence);
}

}  // namespace faultline::pipeline
