#include "pipeline/bisect.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/exit_status.h"
#include "base/text.h"
#include "bisect/cost.h"
#include "bisect/interval.h"
#include "bisect/search.h"
#include "pipeline/bisect_cells.h"
#include "pipeline/bisect_costs.h"
#include "pipeline/bisect_ends.h"
#include "pipeline/bisect_results.h"
#include "reporters/results.h"
#include "runner/builds.h"
#include "runner/process.h"
#include "runner/stress.h"
#include "store/store.h"

namespace faultline::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// What every bisect shares: the matrix, where state lives, the prober, and the
// evidence of an earlier `faultline run` (empty when there is none).
struct Context {
  const BisectRequest& flags;
  BisectMatrix in;
  const BisectPlace& places;
  const BisectOutput& output;
  std::ostream& out;
  std::ostream& log;
  CellProber& prober;
  json evidence;
  std::string target_text;
  store::Store* db = nullptr;
  std::string target;  // the target's leading signature hash (a prefix with --signature)
  json family;         // the target family as the session header and the bisect section keep it

  bool cancelled() const { return places.cancel && places.cancel->load(); }
};

// The session, kept in the results store: the search's header, then each
// observation committed as it is made, so --resume repeats no run. 1-D
// observations are keyed by index, 2-D ones by row and column.
class SessionLog {
 public:
  json header;
  std::vector<json> observations;  // as recorded, in order

  SessionLog(const Context& ctx, std::string key, store::NewSession info)
      : m_ctx(ctx), m_db(*ctx.db), m_key(std::move(key)), m_info(std::move(info)) {}
  ~SessionLog() {
    if (m_session) (void)m_db.finish_session(m_session, store::utc_timestamp(), m_ctx.cancelled());
  }

  // The latest session of this search, to continue.
  Status read() {
    FAULTLINE_TRY(const auto found, m_db.latest_bisect(m_key));
    if (!found)
      return fail(
          bad_input("--resume: no bisect session of " + m_key + " to resume in " + m_db.path()));
    m_session = found->session.id;
    header = json::parse(found->header, nullptr, false);
    if (!header.is_object())
      return fail(infrastructure(where() + ": the session's header is not JSON"));
    for (const auto& o : found->observations) {
      json j = {{"runs", o.runs},
                {"target", o.target},
                {"other", o.other},
                {"unbuildable", o.unbuildable}};
      if (o.y) {
        j["row"] = o.x;
        j["col"] = *o.y;
      } else {
        j["index"] = o.x;
      }
      observations.push_back(std::move(j));
    }
    return m_db.mark_resumed(m_session);
  }
  // A new session of the search `h` describes.
  Status start(const json& h) {
    header = h;
    FAULTLINE_TRY(m_session, m_db.begin_bisect(m_info, m_key, h.dump()));
    return Ok{};
  }
  // One observation (index, or row and col; runs, target, other, unbuildable).
  void record(const json& j) {
    store::BisectObservation o;
    o.x = j.value(j.contains("row") ? "row" : "index", 0);
    if (j.contains("col")) o.y = j.value("col", 0);
    o.runs = j.value("runs", 0);
    o.target = j.value("target", 0);
    o.other = j.value("other", 0);
    o.unbuildable = j.value("unbuildable", false);
    if (auto s = m_db.add_bisect_observation(m_session, o); !s && !m_failed) {
      m_failed = true;
      m_ctx.log << "faultline bisect: " << s.error().message << "\n";
    }
  }
  std::string where() const {
    return m_db.path() + " (bisect session " + std::to_string(m_session) + ")";
  }

 private:
  const Context& m_ctx;
  store::Store& m_db;
  std::string m_key;
  store::NewSession m_info;
  std::int64_t m_session = 0;
  bool m_failed = false;
};

json observation_json(const bisect::Observation& o) {
  return {{"type", "observation"},
          {"runs", o.runs},
          {"target", o.target},
          {"other", o.other},
          {"unbuildable", o.unbuildable}};
}

bisect::Observation observation_from(const json& j) {
  return {j.value("runs", 0), j.value("target", 0), j.value("other", 0),
          j.value("unbuildable", false)};
}

std::string describe(const bisect::Observation& o) {
  if (o.unbuildable) return "does not build; skipped";
  return "target in " + bisect::describe_counts(o.target, o.runs) +
         (o.other ? ", " + std::to_string(o.other) + " other crashes" : "");
}

// The session must search what it searched before; else say what it was.
bool same_session(const json& recorded, const json& now, const std::string& path,
                  std::ostream& log) {
  for (const char* key : {"axes", "base", "fixed", "from", "to", "any_crash"})
    if (recorded.value(key, json()) != now.value(key, json())) {
      log << "faultline bisect: --resume: " << path << " searched "
          << recorded.value("axes", json()).dump() << " with " << recorded.value("base", "") << " ("
          << key << " differs); run without --resume to start afresh\n";
      return false;
    }
  return true;
}

// A search that stopped on an error: Ctrl-C (resumable) or what the oracle met.
int search_failed(const Context& ctx, const Error& error) {
  if (ctx.cancelled()) {
    ctx.log << "faultline bisect: interrupted; continue with `faultline bisect --resume`\n";
    return k_exit_interrupted;
  }
  ctx.log << "faultline bisect: " << error.message << "\n";
  return exit_status_for(error);
}

json target_json(const bisect::FamilyTarget& t, bool widened) {
  return {{"signatures", t.signatures},
          {"top_frame", t.top_frame},
          {"frameless", t.frameless},
          {"exact", t.exact},
          {"widened", widened}};
}

bisect::FamilyTarget target_from(const json& j) {
  return {j.value("signatures", std::set<std::string>{}), j.value("top_frame", ""),
          j.value("frameless", false), j.value("exact", false)};
}

// --resume: reads the latest session of this search, which must have searched
// what `header` describes, and takes its target. The exit status on failure.
std::optional<int> resume_session(Context& ctx, SessionLog& log, const json& header) {
  if (auto s = log.read(); !s) {
    ctx.log << "faultline bisect: " << s.error().message << "\n";
    return exit_status_for(s.error());
  }
  if (!same_session(log.header, header, log.where(), ctx.log)) return k_exit_bad_input;
  ctx.target = log.header.value("target", "");
  ctx.target_text = log.header.value("target_text", "");
  ctx.family = log.header.value("family", json());
  ctx.prober.target = ctx.family.is_object() ? target_from(ctx.family)
                                             : bisect::FamilyTarget{{ctx.target}, "", false, true};
  ctx.log << "bisect: resuming with " << log.observations.size() << " recorded observations\n";
  return std::nullopt;
}

// A new session (with --resume, the one continued) starts in the store with this.
store::NewSession new_session(const Context& ctx) {
  std::ifstream in(ctx.flags.file, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return {"bisect",
          ctx.in.config.name,
          ctx.flags.file,
          hex16(fnv1a64(text.str())),
          store::utc_timestamp(),
          ""};
}

// Starts the session with its header; the exit status when the store refuses.
std::optional<int> start_session(const Context& ctx, SessionLog& log, const json& header) {
  if (auto s = log.start(header); !s) {
    ctx.log << "faultline bisect: " << s.error().message << "\n";
    return exit_status_for(s.error());
  }
  return std::nullopt;
}

// "the family of 0af3… (asan SEGV: worker_main): 2 signatures, every crash in worker_main".
std::string target_words(const Context& ctx) {
  if (ctx.prober.any_crash) return "any crash";
  const bisect::FamilyTarget& t = ctx.prober.target;
  std::string words = ctx.target + (ctx.target_text.empty() ? "" : " (" + ctx.target_text + ")");
  if (t.exact) return words;
  std::vector<std::string> what;
  if (t.signatures.size() > 1) what.push_back(std::to_string(t.signatures.size()) + " signatures");
  if (!t.top_frame.empty()) what.push_back("every crash whose top frame is " + t.top_frame);
  if (t.frameless)
    what.push_back("every frame-less crash (a signal alone, a one-line runtime panic)");
  return "the family of " + words + (what.empty() ? "" : ": " + join(what, ", "));
}

void set_target(Context& ctx, bisect::FamilyTarget t, std::string hash, std::string text,
                bool widened) {
  ctx.prober.target = std::move(t);
  ctx.target = std::move(hash);
  ctx.target_text = std::move(text);
  ctx.family = target_json(ctx.prober.target, widened);
}

// A crash's family, as far as one crash tells: its signature, every crash with
// its top frame, or (with none) every frame-less crash. A bare exit stands alone.
bisect::FamilyTarget family_of_crash(const sanitizers::Crash& c) {
  const std::string top = bisect::top_frame(c);
  return {{c.signature.hash},
          top,
          top.empty() && !bisect::stands_alone(c.tool),
          bisect::stands_alone(c.tool)};
}

// --signature S found in the earlier run's results: S alone when it has frames
// of its own, else widened to its family, saying so. False when the evidence lacks S.
bool signature_from_evidence(Context& ctx) {
  const std::string& s = ctx.flags.signature;
  const json* sig = nullptr;
  const json* family = ctx.evidence.is_null() ? nullptr : family_with(ctx.evidence, s, &sig);
  if (!family || !sig) return false;
  const bisect::Manifestation m = reporters::manifestation_of(*sig);
  const bool framed = !m.top_frame.empty() || bisect::stands_alone(m.tool);
  bisect::FamilyTarget t = framed ? bisect::FamilyTarget{{s}, m.top_frame, false, true}
                                  : family_target(ctx.evidence, *family);
  t.frameless = t.frameless || !framed;
  set_target(ctx, std::move(t), s, sig->value("text", ""), !framed);
  ctx.log << "bisect: target " << target_words(ctx)
          << (framed ? "" : " (it has no frames: widened to its family)") << "\n";
  return true;
}

// --signature S: S alone when it has frames of its own; else widened to its
// family (from the earlier run's results, or what its first crash at the bad
// end shows), saying so. The bad end's runs when it had to look.
Expected<std::optional<bisect::Observation>> signature_target(Context& ctx, std::size_t bad_cell,
                                                              const std::string& where) {
  const std::string& s = ctx.flags.signature;
  if (signature_from_evidence(ctx)) return std::optional<bisect::Observation>{};
  set_target(ctx, bisect::FamilyTarget{{s}, "", false, true}, s, "", false);
  ctx.log << "bisect: looking for " << s << " at " << where << "\n";
  const std::size_t from = ctx.prober.records().size();
  FAULTLINE_TRY(bisect::Observation seen, ctx.prober.observe(bad_cell, 20, true));
  for (std::size_t i = from; i < ctx.prober.records().size(); ++i)
    for (const auto& c : ctx.prober.records()[i].crashes)
      if (c.signature.hash.rfind(s, 0) == 0) {
        bisect::FamilyTarget t = family_of_crash(c);
        const bool widened = !t.exact && t.top_frame.empty();
        if (!widened) t = {{s}, t.top_frame, false, true};
        set_target(ctx, std::move(t), s, c.signature.text, widened);
        ctx.log << "bisect: target " << target_words(ctx)
                << (widened ? " (it has no frames: widened to its family)" : "") << "\n";
        return std::optional<bisect::Observation>{ctx.prober.recount(bad_cell, from)};
      }
  return std::optional<bisect::Observation>{seen};
}

// The target family: that of --signature; else the family most runs showed at
// the bad end in the earlier run's results; else the family of the first crash
// in up to 20 runs there. nullopt with a message when the bad end does not crash (exit 0).
Expected<std::optional<bisect::Observation>> find_target(Context& ctx, std::size_t bad_cell,
                                                         const std::string& where) {
  CellProber& prober = ctx.prober;
  if (prober.any_crash) return std::optional<bisect::Observation>{};
  if (!ctx.flags.signature.empty()) return signature_target(ctx, bad_cell, where);
  if (!ctx.evidence.is_null())
    if (const json* f = most_frequent_family(ctx.evidence, ctx.in.expansion.cells.hash(bad_cell))) {
      set_target(ctx, family_target(ctx.evidence, *f), f->value("hash", ""), f->value("text", ""),
                 false);
      ctx.log << "bisect: target " << target_words(ctx) << ", the most frequent crash at " << where
              << " in the earlier run\n";
      return std::optional<bisect::Observation>{};
    }
  ctx.log << "bisect: finding the target crash at " << where << "\n";
  const std::size_t from = prober.records().size();
  FAULTLINE_TRY(bisect::Observation seen, prober.observe(bad_cell, 20, true));
  (void)seen;
  if (!prober.first_crash()) return std::optional<bisect::Observation>{std::nullopt};
  const sanitizers::Crash& c = *prober.first_crash();
  set_target(ctx, family_of_crash(c), c.signature.hash, c.signature.text, false);
  ctx.log << "bisect: target " << target_words(ctx) << "\n";
  return std::optional<bisect::Observation>{prober.recount(bad_cell, from)};
}

// Answers the 1-D search with the cells of the plane's one axis.
class LineOracle : public bisect::Oracle {
 public:
  LineOracle(CellProber& prober, const Plane& plane, std::size_t offset)
      : m_prober(prober), m_plane(plane), m_offset(offset) {}
  Expected<bisect::Observation> observe(std::size_t index, int runs, bool stop_at_first) override {
    auto cell = m_plane.at(index + m_offset);
    if (!cell) return bisect::Observation{0, 0, 0, true};
    const bool untargeted = adopt && !m_prober.any_crash && m_prober.target.signatures.empty();
    const std::size_t from = m_prober.records().size();
    FAULTLINE_TRY(bisect::Observation seen, m_prober.observe(*cell, runs, stop_at_first));
    if (untargeted && m_prober.first_crash()) return adopt(*cell, from);
    return seen;
  }
  // With no target yet: called after the first crash met (the cell, and where
  // its probe's runs start in the prober's records); returns the probe recounted.
  std::function<bisect::Observation(std::size_t cell, std::size_t from)> adopt;

 private:
  CellProber& m_prober;
  const Plane& m_plane;
  std::size_t m_offset;
};

// Answers the 2-D search, first from recorded observations (a resumed session,
// an earlier run's results), then with new runs, recording each.
class PlaneOracle : public bisect::Oracle2D {
 public:
  PlaneOracle(CellProber& prober, const Plane& plane, SessionLog& log, std::ostream& out)
      : m_prober(prober), m_plane(plane), m_log(log), m_out(out) {}
  std::map<std::pair<std::size_t, std::size_t>, std::vector<bisect::Observation>> recorded;

  Expected<bisect::Observation> observe(std::size_t row, std::size_t col, int runs,
                                        bool stop_at_first) override {
    auto& queue = recorded[{row, col}];
    if (!queue.empty()) {
      bisect::Observation o = queue.front();
      queue.erase(queue.begin());
      return o;
    }
    auto cell = m_plane.at(row, col);
    bisect::Observation seen{0, 0, 0, true};
    if (cell) {
      FAULTLINE_TRY(bisect::Observation o, m_prober.observe(*cell, runs, stop_at_first));
      seen = o;
    }
    json j = observation_json(seen);
    j["row"] = row;
    j["col"] = col;
    m_log.record(j);
    m_out << "  " << m_plane_name(row, col) << ": " << describe(seen) << "\n";
    return seen;
  }
  std::function<std::string(std::size_t, std::size_t)> m_plane_name;

 private:
  CellProber& m_prober;
  const Plane& m_plane;
  SessionLog& m_log;
  std::ostream& m_out;
};

int finish(Context& ctx, const std::string& answer_path, const json& answer, json section,
           int status) {
  std::ofstream(answer_path) << answer.dump(2) << "\n";
  const std::string results_path =
      ctx.flags.results.empty() ? ctx.places.state_dir + "/results.json" : ctx.flags.results;
  auto written =
      record_bisect(results_path, ctx.in, ctx.prober, ctx.flags.file, std::move(section));
  if (!written) {
    ctx.log << "faultline bisect: " << written.error().message << "\n";
    return k_exit_infrastructure;
  }
  ctx.out << "results: " << *written << " (bisect section; render with `faultline report`)\n";
  return status;
}

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

int bisect_interval_line(Context& ctx, const Plane& plane);
void interval_target(Context& ctx, const Plane& plane);

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
            << versions[s.leading] << " (posterior " << posterior << ")\n";
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
  if (report.outcome == bisect::Outcome::culprit || report.outcome == bisect::Outcome::range)
    ctx.out << (ctx.flags.fixed ? "first fixed: " : "first crashing: ") << axis_name << "="
            << versions[report.first_bad] << "; last "
            << (ctx.flags.fixed ? "crashing: " : "good: ") << axis_name << "="
            << versions[report.last_good] << " (posterior " << report.posterior << ")\n";
  if (report.outcome == bisect::Outcome::manifestation_changed)
    ctx.out << "manifestation changed at " << axis_name << "=" << versions[report.first_bad]
            << " (after " << axis_name << "=" << versions[report.last_good] << "): not a "
            << (ctx.flags.fixed ? "fix" : "culprit") << "\n";
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
                 {"fixed", ctx.flags.fixed},
                 {"summary", report.summary}};
  Bisect1D b{plane,      versions,        lo,         ctx.flags.fixed,
             ctx.target, ctx.target_text, confidence, ctx.family};
  const int status = report.outcome == bisect::Outcome::bad_end_passes ? k_exit_ok : k_exit_crashes;
  return finish(ctx, ctx.places.state_dir + "/bisect-" + axis_name + ".json", answer,
                section_1d(ctx.in, b, report), status);
}

int bisect_line(Context& ctx, const Plane& plane) {
  const BisectRequest& flags = ctx.flags;
  if (flags.good.empty() && flags.bad.empty()) return bisect_interval_line(ctx, plane);
  const auto& t = ctx.in.expansion.cells;
  const std::string axis_name = t.axes[plane.axes[0]].name;
  const auto& all_versions = t.axes[plane.axes[0]].values;
  auto position = [&](const std::string& v, std::size_t fallback) -> std::optional<std::size_t> {
    if (v.empty()) return fallback;
    auto it = std::find(all_versions.begin(), all_versions.end(), v);
    if (it == all_versions.end()) return std::nullopt;
    return static_cast<std::size_t>(it - all_versions.begin());
  };
  // The searched span: from the good end to the bad end (reversed roles with --fixed).
  auto good = position(flags.good, flags.fixed ? all_versions.size() - 1 : 0);
  auto bad = position(flags.bad, flags.fixed ? 0 : all_versions.size() - 1);
  if (!good || !bad) {
    ctx.log << "faultline bisect: '" << (!good ? flags.good : flags.bad) << "' is not a version of "
            << axis_name << " (versions: " << join(all_versions, ", ") << ")\n";
    return k_exit_bad_input;
  }
  const std::size_t lo = std::min(*good, *bad), hi = std::max(*good, *bad);
  if (hi - lo < 1 || (flags.fixed ? *bad > *good : *good > *bad)) {
    ctx.log << "faultline bisect: the good version must come " << (flags.fixed ? "after" : "before")
            << " the bad one on " << axis_name << ", with at least two versions to search\n";
    return k_exit_bad_input;
  }
  const std::vector<std::string> versions(
      all_versions.begin() + static_cast<std::ptrdiff_t>(lo),
      all_versions.begin() + static_cast<std::ptrdiff_t>(hi) + 1);
  const std::size_t bad_end = flags.fixed ? 0 : versions.size() - 1;
  CellProber& prober = ctx.prober;
  LineOracle oracle(prober, plane, lo);

  SessionLog log(ctx, axis_name, new_session(ctx));
  json header = {{"type", "session"},    {"axes", {axis_name}},          {"base", plane.base},
                 {"fixed", flags.fixed}, {"any_crash", flags.any_crash}, {"from", versions.front()},
                 {"to", versions.back()}};
  std::vector<bisect::PriorObservation> prior;
  if (flags.resume) {
    if (auto status = resume_session(ctx, log, header)) return *status;
    for (const auto& j : log.observations)
      prior.emplace_back(j.value("index", std::size_t{0}), observation_from(j));
  } else {
    auto bad_cell = plane.at(bad_end + lo);
    if (!bad_cell) {
      ctx.log << "faultline bisect: " << axis_name << "=" << versions[bad_end]
              << " is excluded with " << plane.base << "; choose another --bad\n";
      return k_exit_bad_input;
    }
    // A bad end the earlier run shows no crash at: the line's crash is the target (bisect_ends.h).
    if (!ctx.evidence.is_null() && flags.signature.empty() &&
        !most_frequent_family(ctx.evidence, t.hash(*bad_cell)))
      interval_target(ctx, plane);
    auto discovered =
        ctx.target.empty()
            ? find_target(ctx, *bad_cell,
                          axis_name + "=" + versions[bad_end] + " (" + plane.base + ")")
            : Expected<std::optional<bisect::Observation>>(std::optional<bisect::Observation>{});
    if (!discovered)
      return ctx.cancelled() ? k_exit_interrupted : exit_status_for(discovered.error());
    if (!*discovered && !prober.any_crash && prober.target.signatures.empty()) {
      ctx.out << "no crash at " << axis_name << "=" << versions[bad_end] << ": nothing to bisect ("
              << plane.base << ")\n";
      return k_exit_ok;
    }
    header["target"] = ctx.target;
    header["target_text"] = ctx.target_text;
    header["family"] = ctx.family;
    if (auto status = start_session(ctx, log, header)) return *status;
    auto note = [&](std::size_t index, const bisect::Observation& o, const char* source) {
      json j = observation_json(o);
      j["index"] = index;
      j["source"] = source;
      log.record(j);
      prior.emplace_back(index, o);
    };
    if (*discovered) note(bad_end, **discovered, "run");
    int reused = 0;
    if (!ctx.evidence.is_null())
      for (std::size_t i = 0; i < versions.size(); ++i)
        if (auto c = plane.at(i + lo))
          if (auto o = observation_in(ctx.evidence, t.hash(*c), prober.target, prober.any_crash)) {
            note(i, *o, "results");
            reused += o->runs;
          }
    if (reused) ctx.log << "bisect: " << reused << " runs of the earlier run taken as evidence\n";
  }

  bisect::SearchOptions options = line_options(ctx, axis_name, versions);
  auto sink = [&](std::size_t index, const bisect::Observation& o) {
    json j = observation_json(o);
    j["index"] = index;
    log.record(j);
  };
  if (auto status = good_end_contradicts(ctx, axis_name, versions, prior)) return *status;
  const StatedEnds ends{axis_name, versions, flags.fixed, flags.good, flags.bad};
  if (auto status = refused(ctx.log, bad_end_contradiction(ends, prior, nullptr))) return *status;
  options.bad_end_runs = runs_to_exclude(prior, ends.bad_index(), options.max_end_runs);
  GoodEndGuard guarded(oracle, ends, prior);
  bisect::MeteredOracle metered(guarded, {}, build_clock(prober));
  options.cost = [&metered] { return metered.cost(); };
  auto report = bisect::bisect_1d(versions.size(), metered, options, prior, sink);
  if (!report) return search_failed(ctx, report.error());
  ctx.log << "bisect: " << bisect::describe_costs(metered) << "\n";
  if (auto status = refused(ctx.log, bad_end_contradiction(ends, prior, &*report))) return *status;
  return finish_line(ctx, plane, axis_name, versions, lo, *report, options.confidence);
}

// The family most runs on the line showed in the earlier run; null when none.
const json* family_on_line(const Context& ctx, const Plane& plane) {
  std::vector<std::string> hashes;
  for (std::size_t i = 0; i < plane.rows; ++i)
    if (auto c = plane.at(i)) hashes.push_back(ctx.in.expansion.cells.hash(*c));
  return most_frequent_family(ctx.evidence, hashes);
}

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

// No target yet (interval mode, none in the evidence): the first crash the
// probes meet chooses it, and the probe's runs are recounted against it.
bisect::Observation adopt_first_crash(Context& ctx, std::size_t cell, std::size_t from) {
  const sanitizers::Crash& c = *ctx.prober.first_crash();
  set_target(ctx, family_of_crash(c), c.signature.hash, c.signature.text, false);
  ctx.log << "bisect: target " << target_words(ctx) << " (the first crash met)\n";
  return ctx.prober.recount(cell, from);
}

// Answers from a resumed session's own observations, in order, while the
// search asks what it asked before (it is deterministic, so it does); then
// from the cells. `replayed` says where the last answer came from.
class ReplayOracle : public bisect::Oracle {
 public:
  ReplayOracle(bisect::Oracle& live, std::vector<bisect::PriorObservation> recorded)
      : m_live(live), m_recorded(std::move(recorded)) {}
  Expected<bisect::Observation> observe(std::size_t index, int runs, bool stop_at_first) override {
    replayed = m_next < m_recorded.size() && m_recorded[m_next].first == index;
    if (replayed) return m_recorded[m_next++].second;
    m_next = m_recorded.size();
    return m_live.observe(index, runs, stop_at_first);
  }
  bool replayed = false;

 private:
  bisect::Oracle& m_live;
  std::vector<bisect::PriorObservation> m_recorded;
  std::size_t m_next = 0;
};

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
    }
    ctx.log << "\n";
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

// "first crashing: lib=6; last good: lib=5 (posterior 0.99)" and the like, for one end.
void print_end(Context& ctx, const std::string& axis, const std::vector<std::string>& versions,
               const bisect::SearchReport& r, bool fixed) {
  if (r.outcome == bisect::Outcome::culprit || r.outcome == bisect::Outcome::range)
    ctx.out << (fixed ? "first fixed: " : "first crashing: ") << axis << "="
            << versions[r.first_bad] << "; last " << (fixed ? "crashing: " : "good: ") << axis
            << "=" << versions[r.last_good] << " (posterior " << r.posterior << ")\n";
  if (r.outcome == bisect::Outcome::manifestation_changed)
    ctx.out << "manifestation changed at " << axis << "=" << versions[r.first_bad] << " (after "
            << axis << "=" << versions[r.last_good] << "): not a " << (fixed ? "fix" : "culprit")
            << "\n";
}

// The interval's answer: its ends, open or found, then each end's search.
void print_interval(Context& ctx, const Plane& plane, const std::string& axis,
                    const std::vector<std::string>& versions, const bisect::IntervalReport& r) {
  ctx.out << "bisect " << axis << " (" << plane.base << "), target " << target_words(ctx) << "\n";
  if (ctx.family.is_object() && ctx.family.value("widened", false))
    ctx.out << "target widened: " << ctx.target << " has no frames, so its family is the target\n";
  const bisect::SearchReport* primary = r.start ? &*r.start : r.end ? &*r.end : nullptr;
  if (primary) ctx.out << "outcome: " << bisect::outcome_name(primary->outcome) << "\n";
  if (r.start) print_end(ctx, axis, versions, *r.start, false);
  if (r.end) print_end(ctx, axis, versions, *r.end, true);
  if (r.start_open)
    ctx.out << "start: open (" << axis << "=" << versions.front()
            << ", the oldest version, crashes)\n";
  if (r.end_open)
    ctx.out << "end: open (" << axis << "=" << versions.back()
            << ", the newest version, crashes)\n";
  ctx.out << "runs: " << r.runs << "\n" << r.summary << "\n";
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
                    double confidence) {
  const bisect::SearchReport* primary = r.start ? &*r.start : r.end ? &*r.end : nullptr;
  const bool fixed = !r.start && r.end;
  json answer = {{"axis", axis},         {"base", plane.base},
                 {"target", ctx.target}, {"family", ctx.family},
                 {"runs", r.runs},       {"fixed", fixed},
                 {"summary", r.summary}, {"interval", interval_json(versions, r)}};
  json section;
  if (primary) {
    answer["outcome"] = bisect::outcome_name(primary->outcome);
    answer["first_bad"] = versions[primary->first_bad];
    answer["last_good"] = versions[primary->last_good];
    answer["posterior"] = primary->posterior;
    Bisect1D b{plane, versions, 0, fixed, ctx.target, ctx.target_text, confidence, ctx.family};
    section = section_1d(ctx.in, b, *primary);
    section["runs"] = r.runs;
  } else {
    answer["outcome"] = r.crashes ? "open" : "no-crash";
    section = {{"signature", ctx.target}, {"axes", {axis}},
               {"base", plane.base},      {"status", r.crashes ? "open" : "no-crash"},
               {"summary", r.summary},    {"runs", r.runs},
               {"direction", "interval"}};
  }
  section["interval"] = interval_json(versions, r);
  const int status = r.crashes ? k_exit_crashes : k_exit_ok;
  return finish(ctx, ctx.places.state_dir + "/bisect-" + axis + ".json", answer, section, status);
}

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
  ReplayOracle oracle(metered, std::move(recorded));
  bisect::IntervalOptions options = interval_options(ctx, axis, versions);
  options.search.cost = [&metered] { return metered.cost(); };
  auto sink = [&](std::size_t index, const bisect::Observation& o) {
    if (oracle.replayed) return;
    json j = observation_json(o);
    j["index"] = index;
    log.record(j);
  };
  auto report = bisect::bisect_interval(versions.size(), oracle, options, prior, sink);
  if (!report) return search_failed(ctx, report.error());
  if (auto status = nothing_built(ctx, axis, *report)) return *status;
  ctx.log << "bisect: " << bisect::describe_costs(metered) << "\n";
  if (!log.started()) (void)log.start();
  print_interval(ctx, plane, axis, versions, *report);
  return finish_interval(ctx, plane, axis, versions, *report, options.search.confidence);
}

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

// The earlier run settled the newest pair as passing while other pairs crash:
// the crash was fixed on the way, so the staircase (which assumes crashes go on
// to the newest pair) does not apply; the evidence bounds the region instead.
bool newest_pair_fixed(const Context& ctx, const Plane& plane) {
  const auto seen = plane_evidence(ctx, plane);
  const auto& corner = seen.back();
  if (!corner || corner->target > 0 || corner->runs < ctx.flags.runs_per_pair) return false;
  return std::any_of(seen.begin(), seen.end(), [](const auto& o) { return o && o->target > 0; });
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

// The crashing region the earlier run's results show, row by row, with its
// bounding box and which of its ends are open; no new runs.
int bound_from_evidence(Context& ctx, const Plane& plane, const std::string& name) {
  const auto& t = ctx.in.expansion.cells;
  const auto& rows = t.axes[plane.axes[0]];
  const auto& cols = t.axes[plane.axes[1]];
  const auto seen = plane_evidence(ctx, plane);
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
                  {"runs", 0},
                  {"region",
                   {{"cells", cells},
                    {rows.name, {rows.values[r0], rows.values[r1]}},
                    {cols.name, {cols.values[c0], cols.values[c1]}},
                    {"rows", per_row}}}};
  return finish(ctx, ctx.places.state_dir + "/bisect-" + name + ".json", section, section,
                k_exit_crashes);
}

int bisect_plane(Context& ctx, const Plane& plane) {
  const BisectRequest& flags = ctx.flags;
  if (!flags.good.empty() || !flags.bad.empty() || flags.fixed) {
    ctx.log << "faultline bisect: --good, --bad and --fixed search one axis; a 2-D search "
               "(--axes) covers both "
               "axes whole\n";
    return k_exit_bad_input;
  }
  const auto& t = ctx.in.expansion.cells;
  const std::string rows = t.axes[plane.axes[0]].name, cols = t.axes[plane.axes[1]].name;
  CellProber& prober = ctx.prober;
  const std::string name = rows + "-" + cols;
  SessionLog log(ctx, name, new_session(ctx));
  PlaneOracle oracle(prober, plane, log, ctx.log);
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
  if (flags.resume) {
    if (auto status = resume_session(ctx, log, header)) return *status;
    for (const auto& j : log.observations)
      oracle.recorded[{j.value("row", std::size_t{0}), j.value("col", std::size_t{0})}].push_back(
          observation_from(j));
  } else {
    auto corner = plane.at(plane.rows - 1, plane.cols - 1);
    if (!corner) {
      ctx.log << "faultline bisect: the newest pair "
              << oracle.m_plane_name(plane.rows - 1, plane.cols - 1) << " is excluded with "
              << plane.base << "; a 2-D search starts from it\n";
      return k_exit_bad_input;
    }
    plane_target(ctx, plane, *corner);
    auto discovered =
        ctx.target.empty()
            ? find_target(ctx, *corner, oracle.m_plane_name(plane.rows - 1, plane.cols - 1))
            : Expected<std::optional<bisect::Observation>>(std::optional<bisect::Observation>{});
    if (!discovered)
      return ctx.cancelled() ? k_exit_interrupted : exit_status_for(discovered.error());
    if (!*discovered && !prober.any_crash && prober.target.signatures.empty()) {
      ctx.out << "no crash at " << oracle.m_plane_name(plane.rows - 1, plane.cols - 1)
              << ": nothing to bisect (" << plane.base << ")\n";
      return k_exit_ok;
    }
    header["target"] = ctx.target;
    header["target_text"] = ctx.target_text;
    header["family"] = ctx.family;
    if (auto status = start_session(ctx, log, header)) return *status;
    // An earlier run's cells answer the probes they can: a crash, or enough silent runs.
    if (!ctx.evidence.is_null())
      for (std::size_t r = 0; r < plane.rows; ++r)
        for (std::size_t c = 0; c < plane.cols; ++c)
          if (auto cell = plane.at(r, c))
            if (auto o =
                    observation_in(ctx.evidence, t.hash(*cell), prober.target, prober.any_crash))
              if (o->target > 0 || o->runs >= flags.runs_per_pair) {
                json j = observation_json(*o);
                j["row"] = r;
                j["col"] = c;
                j["source"] = "results";
                log.record(j);
                oracle.recorded[{r, c}].push_back(*o);
              }
  }
  if (!flags.resume && newest_pair_fixed(ctx, plane))
    return bound_from_evidence(ctx, plane, rows + "-" + cols);
  bisect::StaircaseOptions options;
  options.runs_per_cell = flags.runs_per_pair;
  auto report = bisect::bisect_2d(plane.rows, plane.cols, oracle, options);
  if (!report) return search_failed(ctx, report.error());
  Bisect2D b{plane, ctx.target, ctx.target_text, flags.runs_per_pair, ctx.family};
  json section = section_2d(ctx.in, b, *report);
  ctx.out << "bisect " << rows << " × " << cols << " (" << plane.base << "), target "
          << target_words(ctx) << "\n";
  ctx.out << section.value("summary", "") << "\n";
  for (std::size_t r = 0; r < plane.rows; ++r) {
    const std::size_t c = report->first_crashing_col[r];
    ctx.out << "  " << rows << "=" << t.axes[plane.axes[0]].values[r] << ": "
            << (c < plane.cols ? "crashes from " + cols + "=" + t.axes[plane.axes[1]].values[c]
                               : "no crash")
            << "\n";
  }
  for (const auto& x : report->contradictions)
    ctx.out << "  contradiction: " << oracle.m_plane_name(x.crashing.row, x.crashing.col)
            << " crashed but " << oracle.m_plane_name(x.passing.row, x.passing.col) << " passed\n";
  const int status = report->minimal_pairs.empty() ? k_exit_ok : k_exit_crashes;
  return finish(ctx, ctx.places.state_dir + "/bisect-" + name + ".json", section, section, status);
}

// The evidence of an earlier run: --results, else STATE/results.json when it
// records this matrix. The exit status when --results names no usable file.
std::optional<int> take_evidence(Context& ctx) {
  if (ctx.flags.no_results) return std::nullopt;
  const std::string path =
      ctx.flags.results.empty() ? ctx.places.state_dir + "/results.json" : ctx.flags.results;
  std::string why;
  if (auto r = matching_results(path, ctx.in, why)) {
    ctx.evidence = std::move(*r);
  } else if (!ctx.flags.results.empty()) {
    ctx.log << "faultline bisect: --results: " << (why.empty() ? path + " does not exist" : why)
            << "\n";
    return k_exit_bad_input;
  } else if (!why.empty()) {
    ctx.log << "bisect: " << why << "\n";
  }
  return std::nullopt;
}

CellProber make_prober(const BisectRequest& request, BisectMatrix in, const BisectPlace& place) {
  runner::BuildOptions bopts;
  bopts.state_dir = place.state_dir;
  bopts.matrix_dir = place.matrix_dir;
  bopts.jobs = place.jobs;
  bopts.matrix_file = request.file;
  bopts.cancel = place.cancel;
  bopts.redactor = Redactor::from_environment(in.config.secrets);
  runner::StressOptions sopts;
  sopts.jobs = place.jobs;
  sopts.matrix_dir = place.matrix_dir;
  sopts.state_dir = place.state_dir;
  sopts.cancel = place.cancel;
  CellProber prober(in, bopts, sopts);
  prober.any_crash = request.any_crash;
  return prober;
}

}  // namespace

int run_bisect(const BisectRequest& request, BisectMatrix in, const Plane& plane,
               const BisectPlace& place, const BisectOutput& output) {
  CellProber prober = make_prober(request, in, place);
  auto db = store::Store::open(place.db_path);
  if (!db) {
    output.log << "faultline bisect: " << db.error().message << "\n";
    return exit_status_for(db.error());
  }
  Context ctx{request, in,     place, output,    output.out, output.log,
              prober,  json(), "",    db->get(), "",         json()};
  if (auto status = take_evidence(ctx)) return *status;
  return plane.axes.size() == 2 ? bisect_plane(ctx, plane) : bisect_line(ctx, plane);
}

}  // namespace faultline::pipeline
