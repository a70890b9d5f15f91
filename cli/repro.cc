// `faultline repro CELL`: one cell, once, in the foreground. The session
// (finding the cell, its builds, the stress loop's run) is pipeline/repro.h's;
// this file prints the exact working directory, environment and command,
// streams the workload's output live, and then says which crash it showed and
// its signature. Everything it prints from the run passes through the secret
// masking and the terminal escaping `run` uses (reporters::terminal_text).
#include "pipeline/repro.h"

#include <unistd.h>

#include <cstdio>
#include <iostream>

#include "base/exit_status.h"
#include "base/text.h"
#include "cli/command.h"
#include "pipeline/live_output.h"
#include "pipeline/matrix_input.h"

namespace faultline::cli {

namespace {

struct ReproFlags : pipeline::ReproRequest {
  std::vector<std::string> positional;  // [CELL] [FILE]
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

void print_invocation(const runner::StressLoop::Invocation& call, const std::string& cell_id,
                      const std::string& hash, int run, const std::string& matrix_dir,
                      const pipeline::Shown& shown) {
  std::cout << "cell:    " << shown(cell_id) << " (" << hash << "), run " << run << "\n"
            << "cd " << shown(shell_quote(matrix_dir)) << "\n";
  for (const auto& [name, value] : call.environment)
    std::cout << "export " << shown(name) << "=" << shown(shell_quote(value)) << "\n";
  std::vector<std::string> quoted;
  for (const auto& word : call.argv) quoted.push_back(shell_quote(word));
  std::cout << shown(join(quoted, " ")) << "\n" << std::flush;
}

void print_crash(const sanitizers::Crash& c, const pipeline::Shown& shown) {
  std::cout << "crash:   " << shown(c.tool) << " " << shown(c.kind)
            << (c.location.empty() ? "" : " at " + shown(c.location)) << "\n"
            << "  signature: " << c.signature.hash << "  " << shown(c.signature.text) << "\n";
  if (!c.summary.empty()) std::cout << "  summary:   " << shown(c.summary) << "\n";
  for (std::size_t i = 0; i < c.frames.size() && i < 8; ++i) {
    const auto& f = c.frames[i];
    std::cout << "  #" << i << " "
              << shown((f.function.empty() ? f.raw : f.function) +
                       (f.file.empty() ? "" : " " + f.file + ":" + std::to_string(f.line)))
              << "\n";
  }
}

int report(const runner::RunRecord& rec, const pipeline::Shown& shown) {
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
    std::cout << "hang:    the run timed out\n" << shown(rec.hung_stacks);
    return k_exit_crashes;
  }
  for (const auto& c : rec.crashes) print_crash(c, shown);
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
  auto repro = pipeline::prepare_repro(flags, *in);
  if (!repro) {
    std::cerr << "faultline repro: " << repro.error().message << "\n";
    return pipeline::interrupted() ? k_exit_interrupted : exit_status_for(repro.error());
  }
  const auto& cells = in->expansion.cells;
  const pipeline::Shown shown(repro->redactor);
  print_invocation(repro->invocation, cells.id(repro->cell), cells.hash(repro->cell), flags.run,
                   repro->places.matrix_dir, shown);
  std::cout << "--- output ---\n" << std::flush;
  pipeline::LiveOutput live(shown, repro->redactor);
  const runner::RunRecord record = pipeline::run_repro(
      *repro, flags.run, [&](int stream, std::string_view bytes) { live.add(stream, bytes); });
  live.finish();
  return report(record, shown);
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
