// pipeline/bisect.h — one `faultline bisect` session: choose the target family,
// take the evidence an earlier run recorded, drive the 1-D search
// (bisect/search.h) or the 2-D staircase (bisect/staircase.h) over the cells
// of a line or plane (pipeline/bisect_cells.h), keep every observation in the
// results store as it is made (so --resume repeats no run), and write the
// answer to STATE/bisect-AXES.json and results.json (pipeline/bisect_results.h).
// cli/bisect.cc parses the flags and hands this what they ask.
#pragma once

#include <atomic>
#include <functional>
#include <ostream>
#include <string>

#include "bisect/search.h"
#include "pipeline/bisect_cells.h"
#include "pipeline/bisect_progress.h"
#include "pipeline/matrix_input.h"

namespace faultline::pipeline {

// What the user asked of the search (cli/bisect.cc's flags, parsed).
struct BisectRequest {
  std::string file = k_default_matrix_file;  // the matrix file
  std::string signature;                     // the target's hash or its prefix; empty: choose one
  bool any_crash = false;
  bool fixed = false;
  std::string good;  // a version known not to show the crash (default: the oldest, or newest
                     // with --fixed)
  std::string bad;   // a version known to show it (default: the newest, or oldest with --fixed)
  bool resume = false;
  double confidence = 0;  // 0: the matrix's bisect.confidence
  int max_runs = 5000;
  int runs_per_pair = 10;
  std::string
      results;  // evidence from an earlier run (default: STATE/results.json when it matches)
  bool no_results = false;
};

// Where and how the session runs.
struct BisectPlace {
  std::string matrix_dir;  // where commands run
  std::string state_dir;   // builds, results.json, the answer files
  std::string db_path;     // the results store keeping the session
  int jobs = 1;
  const std::atomic<bool>* cancel = nullptr;  // Ctrl-C
  // Runs the build commands and the workloads; nullptr: real processes. Tests
  // pass a FakeProcessRunner (runner/fake_process_runner.h).
  runner::ProcessRunner* processes = nullptr;
};

// Where the session reports: `out` the answer, `log` the step log, notes and
// progress (pipeline/bisect_progress.h: a live line when `progress` is live,
// plain lines at least every 8 s otherwise; `out_on_terminal`: `out` shares the
// live line's terminal, so its lines erase it first too). `on_step` (when set)
// sees every new 1-D observation with the search's state after it.
struct BisectOutput {
  std::ostream& out;
  std::ostream& log;
  std::function<void(const bisect::Step&)> on_step;
  BisectProgress::Mode progress = BisectProgress::Mode::lines;
  bool out_on_terminal = false;
};

// The exit status of the session (base/exit_status.h): 1 when the target crash
// exists, 0 when nothing crashed, 2 bad input, 3 infrastructure, 130 interrupted.
int run_bisect(const BisectRequest& request, BisectMatrix in, const Plane& plane,
               const BisectPlace& place, const BisectOutput& output);

}  // namespace faultline::pipeline
