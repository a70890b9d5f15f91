// `faultline bisect`: along one ordered version axis, with every other axis
// fixed, the first version at which a crash signature appears (or, --fixed,
// stops). Wiring only: the search is bisect/search.h; each probe builds and
// stress-runs one cell through runner/. The session is a journal of
// observations, so --resume continues without repeating a run.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <thread>

#include "base/exit_status.h"
#include "base/text.h"
#include "bisect/search.h"
#include "cli/command.h"
#include "cli/matrix_input.h"
#include "cli/session.h"
#include "runner/builds.h"
#include "runner/process.h"
#include "runner/stress.h"

namespace faultline::cli {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

std::atomic<bool>& g_cancel = interrupted();

struct BisectFlags {
  std::string file = k_default_matrix_file;
  std::string axis;
  std::vector<std::string> only;
  std::string signature;
  bool any_crash = false;
  bool fixed = false;
  std::string good;  // a version known not to show the crash (default: the oldest, or newest with --fixed)
  std::string bad;   // a version known to show it (default: the newest, or oldest with --fixed)
  bool resume = false;
  double confidence = 0;
  int max_runs = 5000;
  int jobs = 0;
  std::string state_dir;
};

// The cells along the axis: one per version, the other axes fixed.
struct Line {
  std::size_t axis = 0;
  std::vector<std::optional<std::size_t>> cells;  // per version; nullopt where excluded
  std::string base;  // the fixed values, "sanitizer=asan workload=gates threads=8"
};

Expected<Line> find_line(const BisectFlags& flags, const MatrixInput& in, const std::string& axis_name) {
  const auto& t = in.expansion.cells;
  auto axis = t.axis_index(axis_name);
  if (!axis || t.axes[*axis].kind != matrix::AxisKind::component)
    return fail(bad_input("'" + axis_name + "' is not a component axis; bisect searches component versions"));
  FAULTLINE_TRY(const OnlyFilter only, parse_only(flags.only, t));
  std::map<std::size_t, std::string> fixed;
  for (const auto& [a, values] : only) {
    if (values.size() > 1)
      return fail(bad_input("--only gives axis '" + t.axes[a].name + "' several values; bisect fixes each axis to one"));
    fixed[a] = *values.begin();
  }
  Line line;
  line.axis = *axis;
  std::map<std::size_t, std::set<std::string>> loose;  // unfixed axes that still vary
  const auto& versions = t.axes[*axis].values;
  line.cells.assign(versions.size(), std::nullopt);
  for (std::size_t c = 0; c < t.size(); ++c) {
    bool match = std::all_of(fixed.begin(), fixed.end(), [&](const auto& f) {
      const std::string* v = t.value(c, f.first);
      return v && *v == f.second;
    });
    if (!match) continue;
    for (std::size_t a = 0; a < t.product_axes; ++a)
      if (a != *axis && !fixed.count(a))
        if (const std::string* v = t.value(c, a)) loose[a].insert(*v);
    std::int32_t vi = t.at(c, *axis);
    if (vi >= 0) line.cells[static_cast<std::size_t>(vi)] = c;
  }
  std::vector<std::string> unfixed;
  for (const auto& [a, values] : loose)
    if (values.size() > 1) unfixed.push_back(t.axes[a].name + " (" + join({values.begin(), values.end()}, ", ") + ")");
  if (!unfixed.empty())
    return fail(bad_input("fix every other axis with --only AXIS=VALUE; these still vary: " + join(unfixed, "; ")));
  std::vector<std::string> parts;
  for (std::size_t a = 0; a < t.product_axes; ++a)
    if (a != *axis) {
      if (fixed.count(a)) parts.push_back(t.axes[a].name + "=" + fixed[a]);
      else if (loose.count(a)) parts.push_back(t.axes[a].name + "=" + *loose[a].begin());
    }
  line.base = join(parts, " ");
  if (std::none_of(line.cells.begin(), line.cells.end(), [](const auto& c) { return c.has_value(); }))
    return fail(bad_input("no cell matches " + line.base));
  return line;
}

// Answers the search by building and running real cells.
class CellOracle : public bisect::Oracle {
 public:
  CellOracle(const MatrixInput& in, const Line& line, runner::BuildOptions builds, runner::StressOptions stress)
      : m_in(in), m_line(line), m_builds(std::move(builds)), m_stress(std::move(stress)) {}

  std::size_t offset = 0;  // search index 0 is version `offset` of the axis
  std::string target;     // signature hash (prefix); empty with any_crash
  bool any_crash = false;
  sanitizers::Crash first_crash;  // the first crash met, for discovery

  Expected<bisect::Observation> observe(std::size_t search_index, int runs, bool stop_at_first) override {
    if (g_cancel) return fail(Error{ErrorKind::infrastructure, "interrupted"});
    const std::size_t index = search_index + offset;
    bisect::Observation seen;
    if (!m_line.cells[index]) {
      seen.unbuildable = true;
      return seen;
    }
    const std::size_t cell = *m_line.cells[index];
    std::vector<std::size_t> needed(m_in.expansion.cell_builds[cell].begin(), m_in.expansion.cell_builds[cell].end());
    auto outcomes = runner::run_builds(m_in.config, m_in.expansion, needed, m_builds);
    std::vector<std::string> prefixes(m_in.config.components.size());
    for (auto b : m_in.expansion.cell_builds[cell]) {
      if (outcomes[b].state != runner::BuildState::ok) {
        seen.unbuildable = true;
        return seen;
      }
      prefixes[m_in.expansion.builds[b].component] = outcomes[b].prefix;
    }
    runner::StressOptions options = m_stress;
    options.runs = runs;
    options.stop = stop_at_first ? matrix::StopPolicy::first_crash : matrix::StopPolicy::all;
    options.stop_signature = any_crash ? "" : target;
    runner::StressLoop loop(m_in.config, m_in.expansion, options);
    loop.add_cell(cell, prefixes);
    loop.run([&](const runner::RunRecord& r) {
      if (!r.crashes.empty() && first_crash.signature.hash.empty()) first_crash = r.crashes.front();
    });
    if (g_cancel) return fail(Error{ErrorKind::infrastructure, "interrupted"});
    const runner::CellResult& r = loop.results().at(cell);
    seen.runs = r.runs;
    seen.target = any_crash ? r.crashes + r.hangs : (target.empty() ? 0 : loop.runs_with(cell, target));
    seen.other = r.crashes - (any_crash ? r.crashes : seen.target);
    if (seen.other < 0) seen.other = 0;
    return seen;
  }

 private:
  const MatrixInput& m_in;
  const Line& m_line;
  runner::BuildOptions m_builds;
  runner::StressOptions m_stress;
};

json observation_json(std::size_t index, const bisect::Observation& o) {
  return {{"type", "observation"}, {"index", index}, {"runs", o.runs}, {"target", o.target},
          {"other", o.other}, {"unbuildable", o.unbuildable}};
}

struct Session {
  json header;
  std::vector<bisect::PriorObservation> observations;
};

Expected<Session> read_session(const std::string& path) {
  std::ifstream in(path);
  if (!in) return fail(bad_input("--resume: no bisect session to resume (" + path + " does not exist)"));
  Session s;
  std::string line;
  while (std::getline(in, line)) {
    json j = json::parse(line, nullptr, false);
    if (j.is_discarded() || !j.is_object()) continue;
    if (j.value("type", "") == "session") s.header = j;
    else if (j.value("type", "") == "observation")
      s.observations.emplace_back(j.value("index", std::size_t{0}),
                                  bisect::Observation{j.value("runs", 0), j.value("target", 0), j.value("other", 0),
                                                      j.value("unbuildable", false)});
  }
  if (s.header.is_null()) return fail(bad_input("--resume: " + path + " is not a faultline bisect session"));
  return s;
}

int run_bisect(const BisectFlags& flags) {
  auto in = read_matrix(flags.file, 100'000'000);
  if (!in) return k_exit_bad_input;
  std::string axis_name = flags.axis;
  if (axis_name.empty() && !in->config.bisect.axes.empty()) axis_name = in->config.bisect.axes[0].value;
  if (axis_name.empty()) {
    std::cerr << "faultline bisect: name the axis to search with --axis (or bisect.axes in the matrix file)\n";
    return k_exit_bad_input;
  }
  auto line = find_line(flags, *in, axis_name);
  if (!line) {
    std::cerr << "faultline bisect: " << line.error().message << "\n";
    return k_exit_bad_input;
  }
  const auto& all_versions = in->expansion.cells.axes[line->axis].values;
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
    std::cerr << "faultline bisect: '" << (!good ? flags.good : flags.bad) << "' is not a version of " << axis_name
              << " (versions: " << join(all_versions, ", ") << ")\n";
    return k_exit_bad_input;
  }
  const std::size_t lo = std::min(*good, *bad), hi = std::max(*good, *bad);
  if (hi - lo < 1 || (flags.fixed ? *bad > *good : *good > *bad)) {
    std::cerr << "faultline bisect: the good version must come " << (flags.fixed ? "after" : "before")
              << " the bad one on " << axis_name << ", with at least two versions to search\n";
    return k_exit_bad_input;
  }
  const std::vector<std::string> versions(all_versions.begin() + static_cast<std::ptrdiff_t>(lo),
                                          all_versions.begin() + static_cast<std::ptrdiff_t>(hi) + 1);
  std::string place_error;
  const Places places = places_for(flags.file, flags.state_dir, place_error);
  if (places.state_dir.empty()) {
    std::cerr << "faultline bisect: " << place_error << "\n";
    return k_exit_infrastructure;
  }
  const std::string& matrix_dir = places.matrix_dir;
  const std::string& state_dir = places.state_dir;
  const int jobs = flags.jobs > 0 ? flags.jobs : default_jobs();
  catch_interrupts();

  runner::BuildOptions bopts;
  bopts.state_dir = state_dir;
  bopts.matrix_dir = matrix_dir;
  bopts.jobs = jobs;
  bopts.cancel = &g_cancel;
  runner::StressOptions sopts;
  sopts.jobs = jobs;
  sopts.matrix_dir = matrix_dir;
  sopts.state_dir = state_dir;
  sopts.cancel = &g_cancel;
  CellOracle oracle(*in, *line, bopts, sopts);
  oracle.any_crash = flags.any_crash;
  oracle.offset = lo;
  oracle.target = flags.signature;

  const std::string session_path = state_dir + "/bisect-" + axis_name + ".jsonl";
  std::vector<bisect::PriorObservation> prior;
  const std::size_t bad_end = flags.fixed ? 0 : versions.size() - 1;
  json header = {{"type", "session"}, {"axis", axis_name}, {"base", line->base}, {"fixed", flags.fixed},
                 {"any_crash", flags.any_crash}, {"from", versions.front()}, {"to", versions.back()}};
  if (flags.resume) {
    auto session = read_session(session_path);
    if (!session) {
      std::cerr << "faultline bisect: " << session.error().message << "\n";
      return k_exit_bad_input;
    }
    if (session->header.value("axis", "") != axis_name || session->header.value("base", "") != line->base ||
        session->header.value("fixed", false) != flags.fixed || session->header.value("from", "") != versions.front() ||
        session->header.value("to", "") != versions.back()) {
      std::cerr << "faultline bisect: --resume: " << session_path << " searched " << session->header.value("axis", "")
                << " with " << session->header.value("base", "") << "; run without --resume to start afresh\n";
      return k_exit_bad_input;
    }
    oracle.target = session->header.value("target", "");
    prior = session->observations;
    header = session->header;
    std::cerr << "bisect: resuming with " << prior.size() << " recorded observations\n";
  }
  std::ofstream journal;
  auto record = [&](const json& j) {
    journal << j.dump() << "\n";
    journal.flush();
  };
  if (!flags.resume) {
    journal.open(session_path, std::ios::trunc);
    if (!oracle.any_crash && oracle.target.empty()) {
      // Discover the target: the first crash at the bad end.
      std::cerr << "bisect: finding the target crash at " << axis_name << "=" << versions[bad_end] << " (" << line->base << ")\n";
      auto seen = oracle.observe(bad_end, 20, true);
      if (!seen) return g_cancel ? k_exit_interrupted : exit_status_for(seen.error());
      if (oracle.first_crash.signature.hash.empty()) {
        std::cout << "no crash at " << axis_name << "=" << versions[bad_end] << " in " << seen->runs
                  << " runs: nothing to bisect (" << line->base << ")\n";
        return k_exit_ok;
      }
      oracle.target = oracle.first_crash.signature.hash;
      std::cerr << "bisect: target " << oracle.target << " (" << oracle.first_crash.signature.text << ")\n";
      seen->target = 1;
      seen->other = 0;
      header["target"] = oracle.target;
      header["target_text"] = oracle.first_crash.signature.text;
      record(header);
      prior.emplace_back(bad_end, *seen);
      record(observation_json(bad_end, *seen));
    } else {
      header["target"] = oracle.target;
      record(header);
    }
  } else {
    journal.open(session_path, std::ios::app);
  }

  bisect::SearchOptions options;
  options.fixed = flags.fixed;
  options.max_runs = flags.max_runs;
  options.confidence = flags.confidence > 0 ? flags.confidence : in->config.bisect.confidence;
  auto sink = [&](std::size_t index, const bisect::Observation& o) {
    record(observation_json(index, o));
    std::cerr << "  " << axis_name << "=" << versions[index] << ": "
              << (o.unbuildable ? std::string("does not build; skipped")
                                : std::to_string(o.target) + " of " + std::to_string(o.runs) + " runs show the target" +
                                      (o.other ? ", " + std::to_string(o.other) + " other crashes" : ""))
              << "\n";
  };
  auto report = bisect::bisect_1d(versions.size(), oracle, options, prior, sink);
  if (!report) {
    if (g_cancel) {
      std::cerr << "faultline bisect: interrupted; continue with `faultline bisect --resume`\n";
      return k_exit_interrupted;
    }
    std::cerr << "faultline bisect: " << report.error().message << "\n";
    return exit_status_for(report.error());
  }
  std::cout << "bisect " << axis_name << " (" << line->base << "), target " << oracle.target
            << (header.contains("target_text") ? " — " + header.value("target_text", "") : "") << "\n";
  std::cout << "outcome: " << bisect::outcome_name(report->outcome) << "\n";
  if (report->outcome == bisect::Outcome::culprit || report->outcome == bisect::Outcome::range)
    std::cout << (flags.fixed ? "first fixed: " : "first crashing: ") << axis_name << "=" << versions[report->first_bad]
              << "; last " << (flags.fixed ? "crashing: " : "good: ") << axis_name << "=" << versions[report->last_good]
              << " (posterior " << report->posterior << ")\n";
  std::cout << "runs: " << report->runs << "\n" << report->summary << "\n";
  json out = {{"axis", axis_name}, {"base", line->base}, {"target", oracle.target},
              {"outcome", bisect::outcome_name(report->outcome)}, {"first_bad", versions[report->first_bad]},
              {"last_good", versions[report->last_good]}, {"posterior", report->posterior}, {"runs", report->runs},
              {"fixed", flags.fixed}, {"summary", report->summary}};
  std::ofstream(state_dir + "/bisect-" + axis_name + ".json") << out.dump(2) << "\n";
  return report->outcome == bisect::Outcome::bad_end_passes ? k_exit_ok : k_exit_crashes;
}

}  // namespace

void add_bisect_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<BisectFlags>();
  CLI::App* cmd = app.add_subcommand("bisect", "Find the first version at which a crash appears (or, --fixed, stops)");
  cmd->footer(
      "Searches one ordered component axis with every other axis fixed by --only. The target is\n"
      "the first crash seen at the newest version (--signature picks one, --any-crash counts all).\n"
      "Crashes that happen in only some runs are expected: every run is evidence, and the search\n"
      "stops when one boundary reaches the confidence. Unbuildable versions are skipped. The\n"
      "session is kept in STATE/bisect-AXIS.jsonl; Ctrl-C, then --resume, repeats no run.\n"
      "Exit status: 1 when the target crash exists (whatever the outcome), 0 when the bad end\n"
      "never crashed, 2 bad input, 3 infrastructure, 130 interrupted.\n\n"
      "Examples:\n"
      "  faultline bisect examples/ffi-race/faultline.yaml --axis binding --only library=1.0 \\\n"
      "      --only sanitizer=asan --only workload=gates --only threads=8\n"
      "  faultline bisect ... --bad 0.9                  # the newest version has the fix\n"
      "  faultline bisect ... --fixed --bad 0.8          # the first version where it stops\n"
      "  faultline bisect --resume ...");
  cmd->add_option("file", flags->file, "the matrix file")->capture_default_str();
  cmd->add_option("--axis", flags->axis, "the component axis to search (default: the first of bisect.axes)");
  cmd->add_option("--only", flags->only, "fix another axis: AXIS=VALUE (repeatable)");
  cmd->add_option("--signature", flags->signature, "the crash signature to look for (a hash or its prefix)");
  cmd->add_flag("--any-crash", flags->any_crash, "count every crash, not one signature");
  cmd->add_flag("--fixed", flags->fixed, "find the first version where the crash stops");
  cmd->add_option("--good", flags->good, "a version without the crash (default: the oldest; the newest with --fixed)");
  cmd->add_option("--bad", flags->bad, "a version with the crash (default: the newest; the oldest with --fixed)");
  cmd->add_flag("--resume", flags->resume, "continue the recorded session");
  cmd->add_option("--confidence", flags->confidence, "posterior at which to stop (default: bisect.confidence)")
      ->check(CLI::Range(0.5, 0.9999));
  cmd->add_option("--max-runs", flags->max_runs, "budget of runs for the whole search")->capture_default_str();
  cmd->add_option("-j,--jobs", flags->jobs, "runs and builds at once");
  cmd->add_option("--state-dir", flags->state_dir, "builds and sessions (default: .faultline beside the matrix file)");
  cmd->callback([flags, &action] { action = [flags] { return run_bisect(*flags); }; });
}

}  // namespace faultline::cli
