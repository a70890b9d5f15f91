// `faultline repro CELL`: one cell, once, in the foreground. Builds what the cell
// needs through the build cache (runner/builds), prints the exact working
// directory, environment and command, streams the workload's output live, and
// then says which crash it showed and its signature. The run itself is the
// stress loop's (runner::StressLoop::run_once), so it is the run `faultline run`
// makes, core-file stacks included.
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <iostream>

#include "base/exit_status.h"
#include "base/redact.h"
#include "base/text.h"
#include "cli/command.h"
#include "pipeline/matrix_input.h"
#include "pipeline/progress.h"
#include "pipeline/session.h"
#include "runner/builds.h"
#include "runner/process.h"
#include "runner/stress.h"

namespace faultline::cli {

namespace {

struct ReproFlags {
  std::vector<std::string> positional;  // [CELL] [FILE]
  std::vector<std::string> only;
  std::string file = pipeline::k_default_matrix_file;
  std::string cell;
  std::string state_dir;
  int run = 0;
  bool rebuild = false;
  bool keep_core = false;
};

// CELL and FILE from the positional words: with --only, the one word is the file.
Status split_positional(ReproFlags& flags) {
  const auto& words = flags.positional;
  if (!flags.only.empty()) {
    if (words.size() > 1)
      return fail(bad_input("with --only, give at most the matrix file (got '" + words[0] +
                            "' and '" + words[1] + "')"));
    if (!words.empty()) flags.file = words[0];
    return Ok{};
  }
  if (words.empty())
    return fail(
        bad_input("name the cell: its id, its hash (or a prefix of it), or --only AXIS=VALUE"));
  flags.cell = words[0];
  if (words.size() > 1) flags.file = words[1];
  return Ok{};
}

// The one cell whose id or hash is `name`, or whose hash starts with it.
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

Expected<std::size_t> cell_of_only(const ReproFlags& flags, const matrix::CellTable& t) {
  FAULTLINE_TRY(const pipeline::OnlyFilter wanted, pipeline::parse_only(flags.only, t));
  std::vector<std::size_t> matching;
  for (std::size_t c = 0; c < t.size(); ++c) {
    bool ok = std::all_of(wanted.begin(), wanted.end(), [&](const auto& w) {
      const std::string* v = t.value(c, w.first);
      return v && w.second.count(*v);
    });
    if (ok) matching.push_back(c);
  }
  const std::string filter = "--only " + join(flags.only, " --only ");
  if (matching.empty()) return fail(bad_input("no cell matches " + filter));
  if (matching.size() > 1)
    return fail(bad_input(filter + " matches " + std::to_string(matching.size()) + " cells (" +
                          t.id(matching[0]) + "; " + t.id(matching[1]) +
                          "; …); fix every axis to one value"));
  return matching[0];
}

// The cell's builds, through the cache; their prefixes by component, or the failure.
Expected<std::vector<std::string>> build_cell(const pipeline::MatrixInput& in, std::size_t cell,
                                              const pipeline::Places& places,
                                              const ReproFlags& flags) {
  const auto& e = in.expansion;
  std::vector<std::size_t> needed(e.cell_builds[cell].begin(), e.cell_builds[cell].end());
  pipeline::Progress progress(false);
  progress.start_builds(needed.size());
  runner::BuildOptions options;
  options.state_dir = places.state_dir;
  options.matrix_dir = places.matrix_dir;
  options.matrix_file = flags.file;  // the build cache key leaves it out of the local inputs
  options.redactor = Redactor::from_environment(in.config.secrets);
  options.rebuild = flags.rebuild;
  options.cancel = &pipeline::interrupted();
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

void print_invocation(const runner::StressLoop::Invocation& call, const std::string& cell_id,
                      const std::string& hash, int run, const std::string& matrix_dir) {
  std::cout << "cell:    " << cell_id << " (" << hash << "), run " << run << "\n"
            << "cd " << shell_quote(matrix_dir) << "\n";
  for (const auto& [name, value] : call.environment)
    std::cout << "export " << name << "=" << shell_quote(value) << "\n";
  std::vector<std::string> quoted;
  for (const auto& word : call.argv) quoted.push_back(shell_quote(word));
  std::cout << join(quoted, " ") << "\n" << std::flush;
}

void stream_output(int stream, std::string_view bytes) {
  std::FILE* to = stream == 2 ? stderr : stdout;
  std::fwrite(bytes.data(), 1, bytes.size(), to);
  std::fflush(to);
}

void print_crash(const sanitizers::Crash& c) {
  std::cout << "crash:   " << c.tool << " " << c.kind
            << (c.location.empty() ? "" : " at " + c.location) << "\n"
            << "  signature: " << c.signature.hash << "  " << c.signature.text << "\n";
  if (!c.summary.empty()) std::cout << "  summary:   " << c.summary << "\n";
  for (std::size_t i = 0; i < c.frames.size() && i < 8; ++i) {
    const auto& f = c.frames[i];
    std::cout << "  #" << i << " " << (f.function.empty() ? f.raw : f.function)
              << (f.file.empty() ? "" : " " + f.file + ":" + std::to_string(f.line)) << "\n";
  }
}

int report(const runner::RunRecord& rec) {
  std::cout << "--- end of output: ";
  if (rec.signal)
    std::cout << "signal " << *rec.signal << (rec.core_dumped ? ", core dumped" : "");
  else if (rec.exit_code)
    std::cout << "exit " << *rec.exit_code;
  char wall[32];
  std::snprintf(wall, sizeof wall, "%.3f s", rec.wall_seconds);
  std::cout << ", " << wall << " ---\n";
  if (rec.outcome == "cancelled") return k_exit_interrupted;
  if (rec.outcome == "hang") {
    std::cout << "hang:    the run timed out\n" << rec.hung_stacks;
    return k_exit_crashes;
  }
  for (const auto& c : rec.crashes) print_crash(c);
  if (rec.crashes.empty()) std::cout << "no crash in this run\n";
  return rec.crashes.empty() ? k_exit_ok : k_exit_crashes;
}

int repro(ReproFlags flags) {
  if (auto split = split_positional(flags); !split) {
    std::cerr << "faultline repro: " << split.error().message << "\n";
    return k_exit_bad_input;
  }
  auto in = pipeline::read_matrix(flags.file, 1'000'000);
  if (!in) return k_exit_bad_input;
  const auto& t = in->expansion.cells;
  auto cell = flags.only.empty() ? find_cell(flags.cell, t, flags.file) : cell_of_only(flags, t);
  if (!cell) {
    std::cerr << "faultline repro: " << cell.error().message << "\n";
    return k_exit_bad_input;
  }
  std::string place_error;
  const pipeline::Places places = pipeline::places_for(flags.file, flags.state_dir, place_error);
  if (places.state_dir.empty()) {
    std::cerr << "faultline repro: " << place_error << "\n";
    return k_exit_infrastructure;
  }
  pipeline::catch_interrupts();
  auto prefixes = build_cell(*in, *cell, places, flags);
  if (!prefixes) {
    std::cerr << "faultline repro: " << prefixes.error().message << "\n";
    return pipeline::interrupted() ? k_exit_interrupted : k_exit_infrastructure;
  }
  runner::StressOptions options;
  options.runs = 1;
  options.matrix_dir = places.matrix_dir;
  options.state_dir = places.state_dir;
  options.cancel = &pipeline::interrupted();
  options.keep_cores = flags.keep_core || in->config.stress.keep_cores;
  runner::StressLoop loop(in->config, in->expansion, options);
  loop.add_cell(*cell, *prefixes);
  auto call = loop.invocation(*cell, flags.run);
  if (!call) {
    std::cerr
        << "faultline repro: the cell's workload or sanitizer is not usable on this machine\n";
    return k_exit_infrastructure;
  }
  if (!call->missing.empty()) {
    std::cerr << "faultline repro: the cell's run command uses {{ " << call->missing
              << " }}, which this cell lacks\n";
    return k_exit_bad_input;
  }
  print_invocation(*call, t.id(*cell), t.hash(*cell), flags.run, places.matrix_dir);
  std::cout << "--- output ---\n" << std::flush;
  const runner::RunRecord rec = loop.run_once(*cell, flags.run, stream_output);
  runner::reap_stray_children();
  return report(rec);
}

}  // namespace

void add_repro_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ReproFlags>();
  CLI::App* cmd =
      app.add_subcommand("repro", "Run one cell once in the foreground, showing the exact command");
  cmd->footer(
      "CELL is a cell's id (as `faultline plan` lists it), its hash, or the first 4 or more digits "
      "of the\n"
      "hash; or choose the cell with --only AXIS=VALUE for every axis that varies. The cell's "
      "builds come\n"
      "from the build cache (built when missing or with --rebuild). The working directory, the "
      "environment\n"
      "faultline adds and the command are printed first, then the output as it comes, then the "
      "crash and\n"
      "its signature. A crash with no stack of its own gets its core file's stack "
      "(docs/sanitizers.md).\n"
      "Exit status: 0 no crash, 1 crashed (or hung), 2 bad input, 3 the build failed, 130 "
      "interrupted.\n\n"
      "Examples:\n"
      "  faultline repro 3f2a91c0 examples/ffi-race/faultline.yaml\n"
      "  faultline repro --only library=1.2 --only binding=0.8 --only sanitizer=none --only "
      "threads=8");
  cmd->add_option("cell", flags->positional, "CELL, then the matrix file (default faultline.yaml)")
      ->expected(0, 2);
  cmd->add_option("--only", flags->only,
                  "choose the cell by AXIS=VALUE (repeatable) instead of CELL");
  cmd->add_option("--run", flags->run, "the run number ({{ run }} in commands)")
      ->check(CLI::Range(0, 10'000'000));
  cmd->add_flag("--rebuild", flags->rebuild, "ignore the build cache");
  cmd->add_flag("--keep-core", flags->keep_core,
                "keep the core file of a crash (STATE/work/<cell hash>/core.<run>)");
  cmd->add_option("--state-dir", flags->state_dir,
                  "builds and work folders (default: .faultline beside the matrix file)");
  cmd->callback([flags, &action] { action = [flags] { return repro(*flags); }; });
}

}  // namespace faultline::cli
