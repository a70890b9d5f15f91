// pipeline/bisect_session.h — what the parts of one `faultline bisect` session
// share (pipeline/bisect*.cc; not for callers, which use pipeline/bisect.h):
// the session's context, its record in the results store (`SessionLog`), the
// target family and how it is chosen, the 1-D oracle over a line of cells, and
// the answer's last step (the answer file and results.json).
#pragma once

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "base/expected.h"
#include "bisect/oracle.h"
#include "bisect/search.h"
#include "pipeline/bisect.h"
#include "pipeline/bisect_ahead.h"
#include "pipeline/bisect_cells.h"
#include "pipeline/bisect_commit.h"
#include "pipeline/bisect_progress.h"
#include "store/store.h"

namespace faultline::pipeline {

using nlohmann::json;

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
  BisectProgress* progress = nullptr;  // the progress shown on the log
  // -j above 1 (pipeline/bisect_costs.h's AheadBuilds; the tally is the prober's):
  // probes the step log has said used an ahead build.
  int ahead_used_noted = 0;

  bool cancelled() const { return places.cancel && places.cancel->load(); }
  // The progress line: a search over `versions` versions toward `confidence`
  // began; after a step, what leads ("first fixed lib=7"); the search ended.
  void search_started(std::size_t versions, double confidence) const {
    if (progress) progress->search_started(versions, confidence);
  }
  void leading(const std::string& words, double posterior) const {
    if (progress) progress->leading(words, posterior);
  }
  void search_ended() const {
    if (progress) progress->done();
  }
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
                {"unbuildable", o.unbuildable},
                {"unknown", o.unknown}};
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
  // One observation (index, or row and col; runs, target, other, unbuildable,
  // unknown). Its "choice" (ChoiceJournal::take), when given, goes to the
  // header's "choices", one per observation the search chose, in order.
  void record(const json& j) {
    if (j.contains("choice")) note_choice(j["choice"]);
    store::BisectObservation o;
    o.x = j.value(j.contains("row") ? "row" : "index", 0);
    if (j.contains("col")) o.y = j.value("col", 0);
    o.runs = j.value("runs", 0);
    o.target = j.value("target", 0);
    o.other = j.value("other", 0);
    o.unbuildable = j.value("unbuildable", false);
    o.unknown = j.value("unknown", 0);
    if (auto s = m_db.add_bisect_observation(m_session, o); !s && !m_failed) {
      m_failed = true;
      m_ctx.log << "faultline bisect: " << s.error().message << "\n";
    }
  }
  std::string where() const {
    return m_db.path() + " (bisect session " + std::to_string(m_session) + ")";
  }

 private:
  void note_choice(const json& choice) {
    header["choices"].push_back(choice);
    if (auto s = m_db.set_bisect_header(m_session, header.dump()); !s && !m_failed) {
      m_failed = true;
      m_ctx.log << "faultline bisect: " << s.error().message << "\n";
    }
  }

  const Context& m_ctx;
  store::Store& m_db;
  std::string m_key;
  store::NewSession m_info;
  std::int64_t m_session = 0;
  bool m_failed = false;
};

json observation_json(const bisect::Observation& o);

bisect::Observation observation_from(const json& j);

std::string describe(const bisect::Observation& o);

// A search that stopped on an error: Ctrl-C (resumable) or what the oracle met.
int search_failed(const Context& ctx, const Error& error);

// --resume: reads the latest session of this search, which must have searched
// what `header` describes, and takes its target. The exit status on failure.
std::optional<int> resume_session(Context& ctx, SessionLog& log, const json& header);

// A new session (with --resume, the one continued) starts in the store with this.
store::NewSession new_session(const Context& ctx);

// Starts the session with its header; the exit status when the store refuses.
std::optional<int> start_session(const Context& ctx, SessionLog& log, const json& header);

int finish(Context& ctx, const std::string& answer_path, const json& answer, json section,
           int status);

// "first crashing: lib=6; last good: lib=5 (posterior 0.99)" and the like, for
// one end; then, when the versions are git commits, the commit behind it
// (pipeline/bisect_commit.h), which is returned for the answer's JSON.
std::optional<CommitAnswer> print_end(Context& ctx, const std::string& axis,
                                      const std::vector<std::string>& versions,
                                      const bisect::SearchReport& r, bool fixed);

// "the family of 0af3… (asan SEGV: worker_main): 2 signatures, every crash in worker_main".
std::string target_words(const Context& ctx);
// Interval mode's target: --signature, else the family most runs on the plane's
// line showed in the earlier run, else none yet (bisect_interval.cc).
void interval_target(Context& ctx, const Plane& plane);

void set_target(Context& ctx, bisect::FamilyTarget t, std::string hash, std::string text,
                bool widened);

// A crash's family, as far as one crash tells: its signature, every crash with
// its top frame, or (with none) every frame-less crash. A bare exit stands alone.
bisect::FamilyTarget family_of_crash(const sanitizers::Crash& c);

// --signature S found in the earlier run's results: S alone when it has frames
// of its own, else widened to its family, saying so. False when the evidence lacks S.
bool signature_from_evidence(Context& ctx);

// The target family: that of --signature; else the family most runs showed at
// the bad end in the earlier run's results; else the family of the first crash
// in up to 20 runs there. nullopt with a message when the bad end does not crash (exit 0).
Expected<std::optional<bisect::Observation>> find_target(Context& ctx, std::size_t bad_cell,
                                                         const std::string& where);

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

// The three searches: one axis between --good and --bad (bisect_line.cc), one
// axis's crashing interval from the evidence (bisect_interval.cc), two axes'
// staircase (bisect_plane.cc). Each returns the session's exit status.
int bisect_line(Context& ctx, const Plane& plane);
int bisect_interval_line(Context& ctx, const Plane& plane);
int bisect_plane(Context& ctx, const Plane& plane);

}  // namespace faultline::pipeline
