// `faultline validate [FILE]`: check a matrix file and explain what it describes.
#include <unistd.h>

#include <iostream>
#include <map>
#include <utility>

#include "base/exit_status.h"
#include "base/text.h"
#include "cli/command.h"
#include "matrix/variables.h"
#include "pipeline/matrix_input.h"
#include "pipeline/session.h"
#include "runner/cgroup.h"
#include "runner/core_stack.h"
#include "runner/probe.h"

namespace faultline::cli {

namespace {

struct ValidateFlags {
  std::string file = pipeline::k_default_matrix_file;
  std::size_t max_cells = 100'000;
  int jobs = 0;  // -j: the runs at once `run` will make; 0: stress.parallel, else the cores
  bool probe = true;
};

std::string probe_cache_dir() {
  if (const char* xdg = std::getenv("XDG_CACHE_HOME"); xdg && *xdg)
    return std::string(xdg) + "/faultline/probes";
  if (const char* home = std::getenv("HOME"); home && *home)
    return std::string(home) + "/.cache/faultline/probes";
  return "/tmp/faultline-probes";
}

// Each sanitizer the matrix names must build and run a one-line program here.
int probe_toolchain(const ValidateFlags& flags, const matrix::Config& cfg) {
  std::vector<std::string> ok;
  int status = k_exit_ok;
  for (const auto& spec : cfg.sanitizers) {
    auto profile = matrix::profile_for(cfg, spec.name);
    if (!profile) continue;  // reported by the loader (msan with gcc)
    runner::ProbeResult r = runner::probe_sanitizer(*profile, cfg.compiler, probe_cache_dir());
    if (r.ok) {
      ok.push_back(spec.name);
      continue;
    }
    std::cerr << flags.file << ":" << spec.mark.line << ":" << spec.mark.column
              << ": error: sanitizer '" << spec.name << "' does not work with "
              << sanitizers::compiler_name(cfg.compiler) << ": " << r.problem << "\n";
    status = k_exit_infrastructure;
  }
  if (!ok.empty())
    std::cout << "  toolchain  " << sanitizers::compiler_name(cfg.compiler) << " builds and runs "
              << join(ok, ", ") << " (probed)\n";
  return status;
}

// The runs at once `faultline run` makes with the same -j, and where the number comes from.
std::pair<int, std::string> jobs_of(const ValidateFlags& flags, const matrix::Config& cfg) {
  if (flags.jobs > 0) return {flags.jobs, "-j " + std::to_string(flags.jobs)};
  if (cfg.stress.parallel > 0)
    return {cfg.stress.parallel, "stress.parallel: " + std::to_string(cfg.stress.parallel)};
  const int cores = pipeline::default_jobs();
  return {cores, "stress.parallel: auto, " + std::to_string(cores) + " cores"};
}

// Once per validate: whether crashes that print no stack can get one from a core file, and
// whether parallel runs would share one.
void print_core_note(const ValidateFlags& flags, const matrix::Config& cfg) {
  auto pattern = runner::read_core_pattern();
  if (!pattern) {
    std::cerr << "warning: " << pattern.error().message
              << "; crashes that print no stack keep the signal alone\n";
    return;
  }
  const std::string note = runner::core_stack_note(
      *pattern, access("/usr/bin/gdb", X_OK) == 0 || access("/usr/local/bin/gdb", X_OK) == 0);
  if (note.rfind("warning: ", 0) == 0)
    std::cerr << note << "\n";
  else
    std::cout << "  cores      " << note << "\n";
  const auto [jobs, from] = jobs_of(flags, cfg);
  if (auto shared = runner::parallel_core_warning(*pattern, jobs, from))
    std::cerr << *shared << "\n";
}

std::string stop_name(matrix::StopPolicy p) {
  switch (p) {
    case matrix::StopPolicy::first_crash:
      return "stop at a cell's first crash";
    case matrix::StopPolicy::all:
      return "run all, estimate crash rates";
    case matrix::StopPolicy::confidence:
      return "run until the crash-rate interval is narrow";
  }
  return "";
}

void print_summary(const ValidateFlags& flags, const pipeline::MatrixInput& in) {
  const auto& cfg = in.config;
  const auto& e = in.expansion;
  std::vector<std::string> axes;
  for (std::size_t a = 0; a < e.cells.product_axes; ++a)
    axes.push_back(e.cells.axes[a].name + " " + std::to_string(e.cells.axes[a].values.size()));
  std::map<std::string, std::size_t> per_component;
  for (const auto& b : e.builds) ++per_component[cfg.components[b.component].name];
  std::vector<std::string> builds;
  for (const auto& c : cfg.components)
    if (!c.build.value.empty())
      builds.push_back(c.name + " " + std::to_string(per_component[c.name]));
  std::size_t build_count = 0;
  for (const auto& b : e.builds)
    if (!cfg.components[b.component].build.value.empty()) ++build_count;
  std::vector<std::string> workloads;
  for (const auto& w : cfg.workloads) {
    std::string timeout = w.timeout_ms % 1000 == 0 ? std::to_string(w.timeout_ms / 1000) + "s"
                                                   : std::to_string(w.timeout_ms) + "ms";
    std::string text = w.name + " (timeout " + timeout;
    for (const auto& p : w.params) text += "; " + p.name + ": " + join(p.values, ", ");
    workloads.push_back(text + ")");
  }
  std::cout << flags.file << ": valid\n"
            << "  name       " << cfg.name << "\n"
            << "  axes       " << join(axes, ", ") << "\n"
            << "  cells      " << e.cells.size() << " (" << e.product << " combinations, "
            << e.excluded << " excluded, " << e.included << " added by include)\n"
            << "  builds     " << build_count
            << (builds.empty() ? "" : " (" + join(builds, ", ") + ")") << "\n"
            << "  workloads  " << join(workloads, "; ") << "\n"
            << "  stress     " << cfg.stress.runs << " runs per cell, "
            << stop_name(cfg.stress.stop) << ", parallel "
            << (cfg.stress.parallel == 0 ? std::string("auto")
                                         : std::to_string(cfg.stress.parallel))
            << "\n";
  for (const auto& c : cfg.components) {
    if (c.versions.empty()) continue;
    std::cout << "  versions   " << c.name << ": " << c.versions.size() << " from "
              << c.versions_from << ", " << c.versions.front()
              << (c.versions.size() > 1 ? " .. " + c.versions.back() : std::string()) << "\n";
  }
  if (!cfg.bisect.axes.empty()) {
    std::vector<std::string> names;
    for (const auto& a : cfg.bisect.axes) names.push_back(a.value);
    std::cout << "  bisect     " << join(names, " then ") << ", confidence "
              << cfg.bisect.confidence << "\n";
  }
}

}  // namespace

void add_validate_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ValidateFlags>();
  CLI::App* cmd = app.add_subcommand(
      "validate", "Check a matrix file and summarise it; errors as FILE:LINE:COL");
  cmd->footer(
      "Every error in the file is reported, each with its place and the key or value at fault,\n"
      "and the exit status is 2; a valid file prints a summary and exits 0. Each sanitizer is "
      "then\n"
      "probed (a one-line program built and run with its flags; cached): one that does not work\n"
      "here is named with the package to install, and the exit status is 3.\n\n"
      "Example:\n  faultline validate examples/ffi-race/faultline.yaml");
  cmd->add_option("file", flags->file, "the matrix file")->capture_default_str();
  cmd->add_option("--max-cells", flags->max_cells, "refuse a matrix of more cells than this")
      ->capture_default_str();
  cmd->add_option("-j,--jobs", flags->jobs,
                  "the runs at once `run` will make (default: stress.parallel, else the cores); "
                  "checked against core_pattern")
      ->check(CLI::Range(1, 4096));
  cmd->add_flag(
      "!--no-probe", flags->probe,
      "do not check that each sanitizer builds and runs a one-line program (checks are cached)");
  cmd->callback([flags, &action] {
    action = [flags] {
      auto in = pipeline::read_matrix(flags->file, flags->max_cells);
      if (!in) return static_cast<int>(k_exit_bad_input);
      print_summary(*flags, *in);
      std::cout << "  runs end   " << runner::containment_note() << "\n";
      print_core_note(*flags, in->config);
      return flags->probe ? probe_toolchain(*flags, in->config) : static_cast<int>(k_exit_ok);
    };
  });
}

}  // namespace faultline::cli
