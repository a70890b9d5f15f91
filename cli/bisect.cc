// `faultline bisect`: the flags, parsed into a pipeline::BisectRequest, the
// searched line or plane of cells, and where state lives; the session itself
// (target, evidence, search, store, answer) is pipeline/bisect.h.
#include "pipeline/bisect.h"

#include <unistd.h>

#include <iostream>

#include "base/exit_status.h"
#include "base/text.h"
#include "cli/command.h"
#include "pipeline/matrix_input.h"
#include "pipeline/progress.h"
#include "pipeline/session.h"
#include "store/store.h"

namespace faultline::cli {

namespace {

// The flags: what the session is asked (`request`), and what the command line
// alone decides (the axes, --only, jobs and state places).
struct BisectFlags {
  pipeline::BisectRequest request;
  std::string axis;
  std::string axes;  // "ROWS,COLUMNS": a 2-D search
  std::vector<std::string> only;
  int jobs = 0;
  std::string state_dir;
  std::string db;
};

// The line or plane of cells searched; nullopt after printing why (exit 2).
std::optional<pipeline::Plane> searched_plane(const BisectFlags& flags,
                                              const pipeline::MatrixInput& in) {
  auto names = pipeline::searched_axes(flags.axes, flags.axis, in.config);
  if (!names) {
    std::cerr << "faultline bisect: " << names.error().message << "\n";
    return std::nullopt;
  }
  auto only = pipeline::parse_only(flags.only, in.expansion.cells);
  if (!only) {
    std::cerr << "faultline bisect: " << only.error().message << "\n";
    return std::nullopt;
  }
  auto plane = pipeline::find_plane({in.config, in.expansion}, *names, *only);
  if (!plane) {
    std::cerr << "faultline bisect: " << plane.error().message << "\n";
    return std::nullopt;
  }
  return *plane;
}

int run_bisect(const BisectFlags& flags) {
  auto in = pipeline::read_matrix(flags.request.file, 100'000'000);
  if (!in) return k_exit_bad_input;
  auto plane = searched_plane(flags, *in);
  if (!plane) return k_exit_bad_input;
  const auto places = pipeline::places_for(flags.request.file, flags.state_dir, flags.db);
  if (!places) {
    std::cerr << "faultline bisect: " << places.error().message << "\n";
    return exit_status_for(places.error());
  }
  pipeline::catch_interrupts();
  pipeline::BisectPlace place;
  place.matrix_dir = places->matrix_dir;
  place.state_dir = places->state_dir;
  place.db_path = places->db_path;
  place.jobs = flags.jobs > 0 ? flags.jobs : pipeline::default_jobs();
  place.cancel = &pipeline::interrupted();
  const pipeline::BisectOutput output{std::cout,
                                      std::cerr,
                                      {},
                                      pipeline::wants_live_line(STDERR_FILENO)
                                          ? pipeline::BisectProgress::Mode::live
                                          : pipeline::BisectProgress::Mode::lines,
                                      isatty(STDOUT_FILENO) != 0};
  return pipeline::run_bisect(flags.request, {in->config, in->expansion}, *plane, place, output);
}

// The command's footer: what bisect searches, what it keeps, its exit status, examples.
const char* const k_bisect_footer =
    "Searches one ordered component axis (--axis) with every other axis fixed by --only, or two\n"
    "(--axes ROWS,COLUMNS) for the staircase of minimal crashing pairs.\n"
    "With neither --good nor --bad, the bug is a crashing interval: it may start after the "
    "oldest\n"
    "version and end before the newest, and one search finds both ends from the evidence (an\n"
    "earlier run's results, then spread probes), saying which ends stay open. --good/--bad "
    "search\n"
    "one boundary between them; a stated end the evidence contradicts is bad input (exit 2).\n"
    "The target is --signature, else the most frequent crash on the line in an earlier\n"
    "`faultline run`'s results.json, else the first crash met (--any-crash counts every "
    "crash).\n"
    "Crashes that happen in only some runs are expected: every run is evidence, and the search\n"
    "stops when the confidence is reached. Probes weigh what a build and a run cost here.\n"
    "Progress: a live line on a terminal, plain lines at least every 10 s elsewhere (a pipe, CI).\n"
    "A git version's answer names the commit, and a GitHub compare link when the remote is "
    "there.\n"
    "The session is kept in the results store (STATE/faultline.db); Ctrl-C, then --resume,\n"
    "repeats no run. The answer is printed, written to STATE/bisect-AXIS.json and added to\n"
    "results.json's `bisect` section, which `faultline report` renders.\n"
    "Exit status: 1 when the target crash exists (whatever the outcome), 0 when the bad end\n"
    "never crashed, 2 bad input, 3 infrastructure (e.g. no version builds), 130 "
    "interrupted.\n\n"
    "Examples:\n"
    "  faultline bisect examples/ffi-race/faultline.yaml --axis binding --only library=1.0 \\\n"
    "      --only sanitizer=asan --only workload=gates --only threads=8\n"
    "  faultline bisect ... --bad 0.9                  # the newest version has the fix\n"
    "  faultline bisect ... --fixed --bad 0.8          # the first version where it stops\n"
    "  faultline bisect examples/ffi-race/faultline.yaml --axes library,binding --only "
    "sanitizer=asan \\\n"
    "      --only workload=callbacks --only threads=8\n"
    "  faultline bisect --resume ...";

// What is searched: the matrix, the axes, the fixed values, the target, the ends.
void add_search_flags(CLI::App& cmd, BisectFlags& flags) {
  cmd.add_option("file", flags.request.file, "the matrix file")->capture_default_str();
  cmd.add_option("--axis", flags.axis,
                 "the component axis to search (default: the first of bisect.axes)");
  cmd.add_option("--axes", flags.axes,
                 "two component axes, ROWS,COLUMNS: find the minimal crashing pairs");
  cmd.add_option("--only", flags.only, "fix another axis: AXIS=VALUE (repeatable)");
  cmd.add_option("--signature", flags.request.signature,
                 "the crash signature to look for (a hash or its prefix)");
  cmd.add_flag("--any-crash", flags.request.any_crash, "count every crash, not one signature");
  cmd.add_flag("--fixed", flags.request.fixed, "find the first version where the crash stops");
  cmd.add_option("--good", flags.request.good,
                 "a version without the crash (default: the oldest; the newest with --fixed)");
  cmd.add_option("--bad", flags.request.bad,
                 "a version with the crash (default: the newest; the oldest with --fixed)");
}

// How it is searched and where its state lives: confidence, budget, evidence, jobs, store.
void add_session_flags(CLI::App& cmd, BisectFlags& flags) {
  cmd.add_flag("--resume", flags.request.resume, "continue the recorded session");
  cmd.add_option("--confidence", flags.request.confidence,
                 "posterior at which to stop (default: bisect.confidence)")
      ->check(CLI::Range(0.5, 0.9999));
  cmd.add_option("--max-runs", flags.request.max_runs, "budget of runs for the whole search")
      ->capture_default_str();
  cmd.add_option("--runs-per-pair", flags.request.runs_per_pair,
                 "2-D: runs before a pair counts as passing")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  cmd.add_option("--results", flags.request.results,
                 "an earlier run's results.json to take evidence from and add the answer to "
                 "(default: STATE/results.json when it records this matrix)");
  cmd.add_flag("--no-results", flags.request.no_results,
               "ignore earlier results: run every probe afresh");
  cmd.add_option("-j,--jobs", flags.jobs, "runs and builds at once");
  cmd.add_option("--db", flags.db,
                 "the results store keeping the session (default: STATE/faultline.db)");
  cmd.add_option("--state-dir", flags.state_dir,
                 "builds and sessions (default: .faultline beside the matrix file)");
}

}  // namespace

void add_bisect_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<BisectFlags>();
  CLI::App* cmd = app.add_subcommand(
      "bisect", "Find the first version at which a crash appears (or, --fixed, stops)");
  cmd->footer(k_bisect_footer);
  add_search_flags(*cmd, *flags);
  add_session_flags(*cmd, *flags);
  cmd->callback([flags, &action] { action = [flags] { return run_bisect(*flags); }; });
}

}  // namespace faultline::cli
