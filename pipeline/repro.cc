#include "pipeline/repro.h"

#include <algorithm>

#include "base/redact.h"
#include "base/text.h"
#include "pipeline/progress.h"
#include "runner/builds.h"
#include "runner/process.h"

namespace faultline::pipeline {

Expected<std::size_t> find_cell(const std::string& name, const matrix::CellTable& t,
                                const std::string& file) {
  std::vector<std::size_t> by_prefix;
  std::vector<std::string> names;
  for (std::size_t c = 0; c < t.size(); ++c) {
    if (t.id(c) == name || t.hash(c) == name) return c;
    if (name.size() >= 4 && t.hash(c).rfind(name, 0) == 0) by_prefix.push_back(c);
    names.push_back(t.id(c));
    names.push_back(t.hash(c));
  }
  if (by_prefix.size() == 1) return by_prefix[0];
  if (by_prefix.size() > 1)
    return fail(bad_input("cell hash prefix '" + name + "' is ambiguous in " + file + ": " +
                          std::to_string(by_prefix.size()) + " cells (" + t.hash(by_prefix[0]) +
                          ", " + t.hash(by_prefix[1]) + ", …); give more digits"));
  std::string message = "no cell '" + name + "' in " + file;
  if (auto near = did_you_mean(name, names)) message += " (did you mean '" + *near + "'?)";
  return fail(bad_input(message + "; `faultline plan " + file + "` lists the cells"));
}

Expected<std::size_t> cell_of_only(const std::vector<std::string>& only,
                                   const matrix::CellTable& t) {
  FAULTLINE_TRY(const OnlyFilter wanted, parse_only(only, t));
  std::vector<std::size_t> matching;
  for (std::size_t c = 0; c < t.size(); ++c) {
    bool ok = std::all_of(wanted.begin(), wanted.end(), [&](const auto& w) {
      const std::string* v = t.value(c, w.first);
      return v && w.second.count(*v);
    });
    if (ok) matching.push_back(c);
  }
  const std::string filter = "--only " + join(only, " --only ");
  if (matching.empty()) return fail(bad_input("no cell matches " + filter));
  if (matching.size() > 1)
    return fail(bad_input(filter + " matches " + std::to_string(matching.size()) + " cells (" +
                          t.id(matching[0]) + "; " + t.id(matching[1]) +
                          "; …); fix every axis to one value"));
  return matching[0];
}

namespace {

// The cell's builds, through the cache; their prefixes by component, or the failure.
Expected<std::vector<std::string>> build_cell(const MatrixInput& in, std::size_t cell,
                                              const Places& places, const ReproRequest& request) {
  const auto& e = in.expansion;
  std::vector<std::size_t> needed(e.cell_builds[cell].begin(), e.cell_builds[cell].end());
  Progress progress(false);
  progress.start_builds(needed.size());
  runner::BuildOptions options;
  options.state_dir = places.state_dir;
  options.matrix_dir = places.matrix_dir;
  options.matrix_file = request.file;  // the build cache key leaves it out of the local inputs
  options.redactor = Redactor::from_environment(in.config.secrets);
  options.rebuild = request.rebuild;
  options.cancel = &interrupted();
  options.on_done = [&](std::size_t b, const runner::BuildOutcome& o) {
    progress.build_done(e.builds[b].id, o);
  };
  auto outcomes = runner::run_builds(in.config, e, needed, options);
  progress.end_builds();
  std::vector<std::string> prefixes(in.config.components.size());
  for (std::size_t b : needed) {
    const runner::BuildOutcome& o = outcomes[b];
    if (o.state != runner::BuildState::ok)
      return fail(infrastructure("build " + e.builds[b].id + " failed: " + o.error +
                                 "\n  command: " + o.command + "\n  log: " + o.log_path + "\n" +
                                 o.log_tail));
    prefixes[e.builds[b].component] = o.prefix;
  }
  return prefixes;
}

runner::StressOptions stress_options(const ReproRequest& request, const MatrixInput& input,
                                     const Places& places) {
  runner::StressOptions options;
  options.runs = 1;
  options.matrix_dir = places.matrix_dir;
  options.state_dir = places.state_dir;
  options.cancel = &interrupted();
  options.keep_cores = request.keep_core || input.config.stress.keep_cores;
  return options;
}

}  // namespace

Expected<Repro> prepare_repro(const ReproRequest& request, const MatrixInput& input) {
  const auto& t = input.expansion.cells;
  Repro repro;
  FAULTLINE_TRY(repro.cell, request.only.empty() ? find_cell(request.cell, t, request.file)
                                                 : cell_of_only(request.only, t));
  FAULTLINE_TRY(repro.places, places_for(request.file, request.state_dir, ""));
  catch_interrupts();
  FAULTLINE_TRY(const auto prefixes, build_cell(input, repro.cell, repro.places, request));
  repro.loop = std::make_unique<runner::StressLoop>(input.config, input.expansion,
                                                    stress_options(request, input, repro.places));
  repro.loop->add_cell(repro.cell, prefixes);
  auto call = repro.loop->invocation(repro.cell, request.run);
  if (!call)
    return fail(infrastructure("the cell's workload or sanitizer is not usable on this machine"));
  if (!call->missing.empty())
    return fail(bad_input("the cell's run command uses {{ " + call->missing +
                          " }}, which this cell lacks"));
  repro.invocation = std::move(*call);
  repro.redactor = Redactor::from_environment(input.config.secrets);
  return repro;
}

runner::RunRecord run_repro(Repro& repro, int run,
                            const std::function<void(int stream, std::string_view bytes)>& sink) {
  runner::RunRecord record = repro.loop->run_once(repro.cell, run, sink);
  runner::reap_stray_children();
  return record;
}

}  // namespace faultline::pipeline
