// A 1-D bisect with no --good or --bad: the crashing interval the evidence supports, both ends in
// one search.
#include <algorithm>

#include "base/exit_status.h"
#include "bisect/cost.h"
#include "bisect/interval.h"
#include "pipeline/bisect_costs.h"
#include "pipeline/bisect_results.h"
#include "pipeline/bisect_session.h"

namespace faultline::pipeline {

namespace {

// Every version the interval search tried failed to build: exit 3, with the
// tail of the last failed build's log.
std::optional<int> nothing_built(const Context& ctx, const std::string& axis,
                                 const bisect::IntervalReport& r) {
  if (r.crashes || r.spread.empty() ||
      !std::all_of(r.spread.begin(), r.spread.end(),
                   [](const bisect::SpreadProbe& p) { return p.seen.unbuildable; }))
    return std::nullopt;
  const runner::BuildOutcome* last = nullptr;
  for (const auto& b : ctx.prober.builds())
    if (b.state == runner::BuildState::failed) last = &b;
  ctx.log << "faultline bisect: no version of " << axis << " that was tried builds ("
          << r.spread.size() << " tried)";
  if (last)
    ctx.log << "; the last failed build (" << last->log_path << ") ends:\n" << last->log_tail;
  ctx.log << "\n";
  return k_exit_infrastructure;
}

// The family most runs on the line showed in the earlier run; null when none.
const json* family_on_line(const Context& ctx, const Plane& plane) {
  std::vector<std::string> hashes;
  for (std::size_t i = 0; i < plane.rows; ++i)
    if (auto c = plane.at(i)) hashes.push_back(ctx.in.expansion.cells.hash(*c));
  return most_frequent_family(ctx.evidence, hashes);
}

}  // namespace

// Interval mode's target: --signature (its family when the earlier run has
// it), else the family most runs on the line showed in the earlier run, else
// none yet: the first crash the spread probes meet becomes it (LineOracle).
void interval_target(Context& ctx, const Plane& plane) {
  if (ctx.prober.any_crash) return;
  const std::string& s = ctx.flags.signature;
  if (!s.empty()) {
    if (signature_from_evidence(ctx)) return;
    set_target(ctx, bisect::FamilyTarget{{s}, "", false, true}, s, "", false);
    ctx.log << "bisect: target " << target_words(ctx) << "\n";
    return;
  }
  if (ctx.evidence.is_null()) return;
  if (const json* f = family_on_line(ctx, plane)) {
    set_target(ctx, family_target(ctx.evidence, *f), f->value("hash", ""), f->value("text", ""),
               false);
    ctx.log << "bisect: target " << target_words(ctx)
            << ", the most frequent crash on this line in the earlier run\n";
  }
}

namespace {

// No target yet (interval mode, none in the evidence): the first crash the
// probes meet chooses it, and the probe's runs are recounted against it.
bisect::Observation adopt_first_crash(Context& ctx, std::size_t cell, std::size_t from) {
  const sanitizers::Crash& c = *ctx.prober.first_crash();
  set_target(ctx, family_of_crash(c), c.signature.hash, c.signature.text, false);
  ctx.log << "bisect: target " << target_words(ctx) << " (the first crash met)\n";
  return ctx.prober.recount(cell, from);
}

// Answers from a resumed session's own observations, in order, while the
// search asks what it asked before (it is deterministic, and `choices` gives it
// the inputs it chose with, so it does); then from the cells. `replayed` says
// where the last answer came from; `choice` is what chose a live one.
class ReplayOracle : public bisect::Oracle {
 public:
  ReplayOracle(bisect::Oracle& live, std::vector<bisect::PriorObservation> recorded,
               ChoiceJournal& choices)
      : m_live(live), m_recorded(std::move(recorded)), m_choices(choices) {}
  Expected<bisect::Observation> observe(std::size_t index, int runs, bool stop_at_first) override {
    replayed = m_next < m_recorded.size() && m_recorded[m_next].first == index;
    if (replayed) {
      m_choices.replayed();
      return m_recorded[m_next++].second;
    }
    m_next = m_recorded.size();
    choice = m_choices.take();
    return m_live.observe(index, runs, stop_at_first);
  }
  bool replayed = false;
  json choice;

 private:
  bisect::Oracle& m_live;
  std::vector<bisect::PriorObservation> m_recorded;
  ChoiceJournal& m_choices;
  std::size_t m_next = 0;
};

// The choices a resumed session recorded with its own observations (none for a new one).
std::vector<json> recorded_choices(const SessionLog& session, bool resumed) {
  const json& c = session.header.contains("choices") ? session.header["choices"] : json();
  return resumed && c.is_array() ? c.get<std::vector<json>>() : std::vector<json>{};
}

// The session's observations once its target is known (the header names it);
// the spread probes' observations before the first crash wait until then.
class IntervalLog {
 public:
  IntervalLog(Context& ctx, SessionLog& log, json header)
      : header(std::move(header)), m_ctx(ctx), m_log(log) {}
  Status start_if_known() {
    if (m_started || (m_ctx.target.empty() && !m_ctx.prober.any_crash)) return Ok{};
    return start();
  }
  Status start() {
    header["target"] = m_ctx.target;
    header["target_text"] = m_ctx.target_text;
    header["family"] = m_ctx.family;
    FAULTLINE_TRY(Ok begun, m_log.start(header));
    (void)begun;
    m_started = true;
    for (const json& j : m_waiting) m_log.record(j);
    m_waiting.clear();
    return Ok{};
  }
  void record(json j) {
    (void)start_if_known();
    if (m_started)
      m_log.record(j);
    else
      m_waiting.push_back(std::move(j));
  }
  bool started() const { return m_started; }
  json header;                          // the session's header, written when it starts
  void resumed() { m_started = true; }  // --resume: the session exists, with its target

 private:
  Context& m_ctx;
  SessionLog& m_log;
  bool m_started = false;
  std::vector<json> m_waiting;
};

// Interval mode's search options: the confidence, the budget, the names, the
// step log (one line per probe, and the output's hook).
bisect::IntervalOptions interval_options(Context& ctx, const std::string& axis,
                                         const std::vector<std::string>& versions) {
  bisect::IntervalOptions options;
  options.find_start = !ctx.flags.fixed;
  options.search.max_runs = ctx.flags.max_runs;
  options.search.confidence =
      ctx.flags.confidence > 0 ? ctx.flags.confidence : ctx.in.config.bisect.confidence;
  for (const auto& v : versions) options.search.names.push_back(axis + "=" + v);
  options.search.on_step = [&ctx, axis, &versions](const bisect::Step& s) {
    ctx.log << "  " << bisect::phase_name(s.phase) << " " << axis << "=" << versions[s.index]
            << ": " << describe(s.seen);
    if (s.phase != bisect::Phase::spread) {
      char posterior[16];
      std::snprintf(posterior, sizeof posterior, "%.3f", s.leading_posterior);
      ctx.log << "; leading " << (s.fixed ? "first fixed " : "first crashing ") << axis << "="
              << versions[s.leading] << " (posterior " << posterior << ")";
      ctx.leading(std::string(s.fixed ? "first fixed " : "first crashing ") + axis + "=" +
                      versions[s.leading],
                  s.leading_posterior);
    }
    ctx.log << ahead_note(ctx) << "\n";
    if (ctx.output.on_step) ctx.output.on_step(s);
  };
  return options;
}

// Evidence of the earlier run on the line, recorded in the session as it is taken.
std::vector<bisect::PriorObservation> line_evidence(Context& ctx, const Plane& plane,
                                                    IntervalLog& log) {
  std::vector<bisect::PriorObservation> prior;
  if (ctx.evidence.is_null()) return prior;
  int reused = 0;
  for (std::size_t i = 0; i < plane.rows; ++i)
    if (auto c = plane.at(i))
      if (auto o = observation_in(ctx.evidence, ctx.in.expansion.cells.hash(*c), ctx.prober.target,
                                  ctx.prober.any_crash)) {
        prior.emplace_back(i, *o);
        reused += o->runs;
      }
  // The header says how many of the session's first observations are evidence (for --resume).
  log.header["evidence"] = prior.size();
  for (const auto& [i, o] : prior) {
    json j = observation_json(o);
    j["index"] = i;
    j["source"] = "results";
    log.record(j);
  }
  if (reused) ctx.log << "bisect: " << reused << " runs of the earlier run taken as evidence\n";
  return prior;
}

// The interval's answer: its ends, open or found, then each end's search.
// Returns the commits behind its ends when the versions are git commits.
IntervalCommits print_interval(Context& ctx, const Plane& plane, const std::string& axis,
                               const std::vector<std::string>& versions,
                               const bisect::IntervalReport& r) {
  ctx.out << "bisect " << axis << " (" << plane.base << "), target " << target_words(ctx) << "\n";
  if (ctx.family.is_object() && ctx.family.value("widened", false))
    ctx.out << "target widened: " << ctx.target << " has no frames, so its family is the target\n";
  const bisect::SearchReport* primary = r.start ? &*r.start : r.end ? &*r.end : nullptr;
  if (primary) ctx.out << "outcome: " << bisect::outcome_name(primary->outcome) << "\n";
  std::optional<CommitAnswer> start, end;
  if (r.start) start = print_end(ctx, axis, versions, *r.start, false);
  if (r.end) end = print_end(ctx, axis, versions, *r.end, true);
  if (r.start_open)
    ctx.out << "start: open (" << axis << "=" << versions.front()
            << ", the oldest version, crashes)\n";
  if (r.end_open)
    ctx.out << "end: open (" << axis << "=" << versions.back()
            << ", the newest version, crashes)\n";
  ctx.out << "runs: " << r.runs << "\n" << r.summary << "\n";
  return {start, end};
}

json interval_json(const std::vector<std::string>& versions, const bisect::IntervalReport& r) {
  json j = {{"start_open", r.start_open}, {"end_open", r.end_open}, {"summary", r.summary}};
  if (r.start && (r.start->outcome == bisect::Outcome::culprit ||
                  r.start->outcome == bisect::Outcome::range)) {
    j["first_crashing"] = versions[r.start->first_bad];
    j["last_good"] = versions[r.start->last_good];
  }
  if (r.end &&
      (r.end->outcome == bisect::Outcome::culprit || r.end->outcome == bisect::Outcome::range)) {
    j["first_fixed"] = versions[r.end->first_bad];
    j["last_crashing"] = versions[r.end->last_good];
  }
  if (r.start) j["start_outcome"] = bisect::outcome_name(r.start->outcome);
  if (r.end) j["end_outcome"] = bisect::outcome_name(r.end->outcome);
  json spread = json::array();
  for (const auto& p : r.spread)
    spread.push_back({{"version", versions[p.index]},
                      {"runs", p.seen.runs},
                      {"crashes", p.seen.target},
                      {"unbuildable", p.seen.unbuildable}});
  j["spread"] = std::move(spread);
  return j;
}

// The answer file and the results section of an interval search.
int finish_interval(Context& ctx, const Plane& plane, const std::string& axis,
                    const std::vector<std::string>& versions, const bisect::IntervalReport& r,
                    double confidence, const IntervalCommits& ends) {
  const bisect::SearchReport* primary = r.start ? &*r.start : r.end ? &*r.end : nullptr;
  const bool fixed = !r.start && r.end;
  json answer = {
      {"axis", axis},         {"base", plane.base},   {"target", ctx.target},
      {"family", ctx.family}, {"runs", r.runs},       {"other_crashes", r.other_crashes},
      {"fixed", fixed},       {"summary", r.summary}, {"interval", interval_json(versions, r)}};
  json section;
  if (primary) {
    answer["outcome"] = bisect::outcome_name(primary->outcome);
    answer["first_bad"] = versions[primary->first_bad];
    answer["last_good"] = versions[primary->last_good];
    answer["posterior"] = primary->posterior;
    Bisect1D b{plane, versions, 0, fixed, ctx.target, ctx.target_text, confidence, ctx.family};
    section = section_1d(ctx.in, b, *primary);
    section["runs"] = r.runs;
    section["other_crashes"] = r.other_crashes;
  } else {
    answer["outcome"] = r.crashes ? "open" : "no-crash";
    section = {{"signature", ctx.target},
               {"axes", {axis}},
               {"base", plane.base},
               {"status", r.crashes ? "open" : "no-crash"},
               {"summary", r.summary},
               {"runs", r.runs},
               {"other_crashes", r.other_crashes},
               {"direction", "interval"}};
  }
  section["interval"] = interval_json(versions, r);
  add_interval_commits(answer["interval"], ends);
  add_interval_commits(section["interval"], ends);
  // The primary end's commit (the start; the end with --fixed) is the entry's own.
  if (const auto& commits = r.start ? ends.start : ends.end) {
    add_commit_answer(answer, *commits);
    add_commit_answer(section, *commits);
  }
  const int status = r.crashes ? k_exit_crashes : k_exit_ok;
  return finish(ctx, ctx.places.state_dir + "/bisect-" + axis + ".json", answer, section, status);
}

}  // namespace

// No --good or --bad: the interval the evidence supports, both ends in one
// search (--fixed alone: the end only), from versions known to crash.
int bisect_interval_line(Context& ctx, const Plane& plane) {
  const auto& t = ctx.in.expansion.cells;
  const std::string axis = t.axes[plane.axes[0]].name;
  const std::vector<std::string>& versions = t.axes[plane.axes[0]].values;
  SessionLog session(ctx, axis, new_session(ctx));
  json header = {{"type", "session"},
                 {"axes", {axis}},
                 {"base", plane.base},
                 {"fixed", ctx.flags.fixed},
                 {"any_crash", ctx.flags.any_crash},
                 {"from", versions.front()},
                 {"to", versions.back()},
                 {"interval", true}};
  std::vector<bisect::PriorObservation> prior, recorded;
  IntervalLog log(ctx, session, header);
  if (ctx.flags.resume) {
    if (auto status = resume_session(ctx, session, header)) return *status;
    // The first entries are the earlier run's evidence; the rest the search's own, replayed.
    const std::size_t evidence = session.header.value("evidence", std::size_t{0});
    for (const auto& j : session.observations)
      (prior.size() < evidence ? prior : recorded)
          .emplace_back(j.value("index", std::size_t{0}), observation_from(j));
    log.resumed();
  } else {
    interval_target(ctx, plane);
    prior = line_evidence(ctx, plane, log);
  }
  LineOracle cells(ctx.prober, plane, 0);
  cells.adopt = [&](std::size_t cell, std::size_t from) {
    return adopt_first_crash(ctx, cell, from);
  };
  bisect::MeteredOracle metered(cells, {}, build_clock(ctx.prober));
  ChoiceJournal choices(versions.size(), recorded_choices(session, ctx.flags.resume));
  ReplayOracle oracle(metered, std::move(recorded), choices);
  bisect::IntervalOptions options = interval_options(ctx, axis, versions);
  options.search.cost = [&metered] { return metered.cost(); };
  price_built_versions(ctx.prober, plane, 0, ctx.flags.resume, options.search, metered);
  AheadBuilds ahead(ctx, plane, 0, options.search);
  choices.wrap(options.search);
  auto sink = [&](std::size_t index, const bisect::Observation& o) {
    if (oracle.replayed) return;
    json j = observation_json(o);
    j["index"] = index;
    j["choice"] = oracle.choice;
    log.record(j);
  };
  ctx.search_started(versions.size(), options.search.confidence);
  auto report = bisect::bisect_interval(versions.size(), oracle, options, prior, sink);
  ahead.finish();
  ctx.search_ended();
  if (!report) return search_failed(ctx, report.error());
  if (auto status = nothing_built(ctx, axis, *report)) return *status;
  ctx.log << "bisect: " << bisect::describe_costs(metered) << ahead_costs(ctx) << "\n";
  if (!log.started()) (void)log.start();
  const auto commits = print_interval(ctx, plane, axis, versions, *report);
  return finish_interval(ctx, plane, axis, versions, *report, options.search.confidence, commits);
}

}  // namespace faultline::pipeline
