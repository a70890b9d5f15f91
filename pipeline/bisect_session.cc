// A bisect session's record in the results store, its observations as JSON, and its answer written.
#include "pipeline/bisect_session.h"

#include <fstream>
#include <sstream>

#include "base/exit_status.h"
#include "base/files.h"
#include "base/text.h"
#include "pipeline/bisect_results.h"
#include "results/model.h"
#include "runner/core_stack.h"

namespace faultline::pipeline {

namespace {

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

bisect::FamilyTarget target_from(const json& j) {
  return {j.value("signatures", std::set<std::string>{}), j.value("top_frame", ""),
          j.value("frameless", false), j.value("exact", false)};
}

}  // namespace

json observation_json(const bisect::Observation& o) {
  return {{"type", "observation"},        {"runs", o.runs},
          {"target", o.target},           {"other", o.other},
          {"unbuildable", o.unbuildable}, {"unknown", o.unknown}};
}

bisect::Observation observation_from(const json& j) {
  return {j.value("runs", 0), j.value("target", 0), j.value("other", 0),
          j.value("unbuildable", false), j.value("unknown", 0)};
}

std::string describe(const bisect::Observation& o) {
  if (o.unbuildable) return "does not build; skipped";
  return "target in " + bisect::describe_counts(o.target, o.runs) +
         (o.other ? ", " + std::to_string(o.other) + " other crashes" : "") +
         (o.unknown ? ", " + std::to_string(o.unknown) +
                          " unknown (stack lost: " + std::string(runner::k_core_shared) + ")"
                    : "");
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

int finish(Context& ctx, const std::string& answer_path, const json& answer, json section,
           int status) {
  json written_answer = answer;
  if (const auto& t = ctx.prober.built_ahead)
    written_answer["built_ahead"] = {
        {"built", t->built}, {"used", t->used}, {"cancelled", t->cancelled}};
  const CellProber::Costs c = ctx.prober.costs();
  written_answer["costs"] = results::BisectCosts{c.builds, c.build_seconds, c.runs, c.run_seconds};
  if (auto saved = write_file_atomically(answer_path, written_answer.dump(2) + "\n"); !saved) {
    ctx.log << "faultline bisect: " << saved.error().message << "\n";
    return k_exit_infrastructure;
  }
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

// "first crashing: lib=6; last good: lib=5 (posterior 0.99)" and the like, for one end.
std::optional<CommitAnswer> print_end(Context& ctx, const std::string& axis,
                                      const std::vector<std::string>& versions,
                                      const bisect::SearchReport& r, bool fixed) {
  if (r.outcome == bisect::Outcome::culprit || r.outcome == bisect::Outcome::range)
    ctx.out << (fixed ? "first fixed: " : "first crashing: ") << axis << "="
            << versions[r.first_bad] << "; last " << (fixed ? "crashing: " : "good: ") << axis
            << "=" << versions[r.last_good] << " (posterior " << r.posterior << ")\n";
  if (r.outcome == bisect::Outcome::manifestation_changed)
    ctx.out << "manifestation changed at " << axis << "=" << versions[r.first_bad] << " (after "
            << axis << "=" << versions[r.last_good] << "): not a " << (fixed ? "fix" : "culprit")
            << "\n";
  auto commits = commit_answer(ctx.in, ctx.places.matrix_dir, axis, versions, r);
  if (commits) ctx.out << commit_answer_text(*commits);
  return commits;
}

}  // namespace faultline::pipeline
