#include "pipeline/bisect.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "base/exit_status.h"
#include "base/text.h"
#include "bisect/search.h"
#include "pipeline/bisect_cells.h"
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
  return std::to_string(o.target) + " of " + std::to_string(o.runs) + " runs show the target" +
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

// --signature S: S alone when it has frames of its own; else widened to its
// family (from the earlier run's results, or what its first crash at the bad
// end shows), saying so. The bad end's runs when it had to look.
Expected<std::optional<bisect::Observation>> signature_target(Context& ctx, std::size_t bad_cell,
                                                              const std::string& where) {
  const std::string& s = ctx.flags.signature;
  const json* sig = nullptr;
  const json* family = ctx.evidence.is_null() ? nullptr : family_with(ctx.evidence, s, &sig);
  if (family && sig) {
    const bisect::Manifestation m = reporters::manifestation_of(*sig);
    const bool framed = !m.top_frame.empty() || bisect::stands_alone(m.tool);
    bisect::FamilyTarget t = framed ? bisect::FamilyTarget{{s}, m.top_frame, false, true}
                                    : family_target(ctx.evidence, *family);
    t.frameless = t.frameless || !framed;
    set_target(ctx, std::move(t), s, sig->value("text", ""), !framed);
    ctx.log << "bisect: target " << target_words(ctx)
            << (framed ? "" : " (it has no frames: widened to its family)") << "\n";
    return std::optional<bisect::Observation>{};
  }
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
    return m_prober.observe(*cell, runs, stop_at_first);
  }

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

int bisect_line(Context& ctx, const Plane& plane) {
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
    auto discovered =
        find_target(ctx, *bad_cell, axis_name + "=" + versions[bad_end] + " (" + plane.base + ")");
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

  bisect::SearchOptions options;
  options.fixed = flags.fixed;
  options.max_runs = flags.max_runs;
  options.confidence = flags.confidence > 0 ? flags.confidence : ctx.in.config.bisect.confidence;
  for (const auto& v : versions) options.names.push_back(axis_name + "=" + v);
  auto sink = [&](std::size_t index, const bisect::Observation& o) {
    json j = observation_json(o);
    j["index"] = index;
    log.record(j);
  };
  // The step log: what each probe saw, and where the posterior now leads.
  options.on_step = [&](const bisect::Step& s) {
    char posterior[16];
    std::snprintf(posterior, sizeof posterior, "%.3f", s.leading_posterior);
    ctx.log << "  " << bisect::phase_name(s.phase) << " " << axis_name << "=" << versions[s.index]
            << ": " << describe(s.seen) << "; leading "
            << (flags.fixed ? "first fixed " : "first crashing ") << axis_name << "="
            << versions[s.leading] << " (posterior " << posterior << ")\n";
    if (ctx.output.on_step) ctx.output.on_step(s);
  };
  auto report = bisect::bisect_1d(versions.size(), oracle, options, prior, sink);
  if (!report) return search_failed(ctx, report.error());
  ctx.out << "bisect " << axis_name << " (" << plane.base << "), target " << target_words(ctx)
          << "\n";
  if (ctx.family.is_object() && ctx.family.value("widened", false))
    ctx.out << "target widened: " << ctx.target << " has no frames, so its family is the target\n";
  ctx.out << "outcome: " << bisect::outcome_name(report->outcome) << "\n";
  if (report->outcome == bisect::Outcome::culprit || report->outcome == bisect::Outcome::range)
    ctx.out << (flags.fixed ? "first fixed: " : "first crashing: ") << axis_name << "="
            << versions[report->first_bad] << "; last " << (flags.fixed ? "crashing: " : "good: ")
            << axis_name << "=" << versions[report->last_good] << " (posterior "
            << report->posterior << ")\n";
  if (report->outcome == bisect::Outcome::manifestation_changed)
    ctx.out << "manifestation changed at " << axis_name << "=" << versions[report->first_bad]
            << " (after " << axis_name << "=" << versions[report->last_good] << "): not a "
            << (flags.fixed ? "fix" : "culprit") << "\n";
  ctx.out << "runs: " << report->runs << "\n" << report->summary << "\n";
  json answer = {{"axis", axis_name},
                 {"base", plane.base},
                 {"target", ctx.target},
                 {"family", ctx.family},
                 {"outcome", bisect::outcome_name(report->outcome)},
                 {"first_bad", versions[report->first_bad]},
                 {"last_good", versions[report->last_good]},
                 {"posterior", report->posterior},
                 {"runs", report->runs},
                 {"fixed", flags.fixed},
                 {"summary", report->summary}};
  Bisect1D b{plane,           versions,           lo,        flags.fixed, ctx.target,
             ctx.target_text, options.confidence, ctx.family};
  const int status =
      report->outcome == bisect::Outcome::bad_end_passes ? k_exit_ok : k_exit_crashes;
  return finish(ctx, ctx.places.state_dir + "/bisect-" + axis_name + ".json", answer,
                section_1d(ctx.in, b, *report), status);
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
    auto discovered =
        find_target(ctx, *corner, oracle.m_plane_name(plane.rows - 1, plane.cols - 1));
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
