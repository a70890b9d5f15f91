// The session `faultline run` runs: choose the cells (--shard, --only), open or
// resume a session in the results store, build what the cells need (runner/builds),
// stress every cell (runner/stress) while one writer records each run (store/writer),
// and make results.json (reporters/results). Then the files it leaves: results.json,
// the report files, the GitHub job summary; and the exit status. Printing the
// terminal report and posting to GitHub are the caller's (cli/run.cc).
#pragma once

#include <cstddef>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"
#include "matrix/config.h"
#include "pipeline/matrix_input.h"

namespace faultline::pipeline {

// What `faultline run` was asked, flag by flag (cli/run.cc documents each);
// empty or 0 means "the matrix's setting".
struct RunRequest {
  std::string file = k_default_matrix_file;
  int jobs = 0;
  int runs = 0;
  std::string stop;    // first-crash, all, confidence
  std::string budget;  // runs ("500") or a duration ("90s")
  std::string shard;   // "K/N"
  std::vector<std::string> only;
  bool rebuild = false;
  bool resume = false;
  bool keep_cores = false;
  bool wait = false;  // --resume: wait for the process running the session instead of refusing
  std::string out;
  std::string state_dir;
  // The report files to write (md, junit, …; --report); nullopt: the matrix's
  // report.formats. Any besides terminal: report.dir is checked before work.
  std::optional<std::vector<std::string>> reports;
  std::string db;
  bool progress_tty = false;  // redraw one progress line in place (pipeline/progress.h)
};

// What the session reports while it runs; each may be empty.
struct RunHooks {
  std::function<void(const std::string&)> warn;    // a sentence: it goes on regardless
  std::function<void(std::size_t cells)> started;  // the session is open; builds come next
};

// Per cell: at most `runs` runs, or `seconds` of run time (0: no such bound).
struct Budget {
  int runs = 0;
  double seconds = 0;
};

// --budget: a whole number of runs ("500") or a duration ("90s", "10m", "1h");
// empty text is no budget. Anything else is bad input naming it.
Expected<Budget> parse_budget(const std::string& text);

// --stop's word, else the matrix's `stress.stop`.
matrix::StopPolicy stop_policy(const std::string& flag, matrix::StopPolicy configured);
const char* stop_name(matrix::StopPolicy stop);  // "first-crash", "all", "confidence"

// The cells of `--shard K/N` and every `--only AXIS=VALUE` (the same axis given
// twice means either value), in cell order. None left, or a malformed filter: bad input.
Expected<std::vector<std::size_t>> select_cells(const matrix::Expansion& expansion,
                                                const std::vector<std::string>& only,
                                                const std::string& shard);

// A finished (or interrupted) session.
struct RunOutcome {
  nlohmann::json results;  // results.json: absolute paths, secrets masked
  nlohmann::json shown;    // the same for people: paths relative to repo_root
  std::string repo_root;
  std::string out_path;  // where results.json goes
  std::string db_path;
  std::int64_t session = 0;
  std::size_t cells = 0;             // selected
  bool interrupted = false;          // Ctrl-C or SIGTERM
  bool store_failed = false;         // a run, build or the session end was not recorded
  std::string report_dir;            // MATRIX_DIR/report.dir
  std::vector<std::string> secrets;  // the values masked, for ::add-mask::
};

// The whole session up to results.json (not yet written). Errors: bad input
// (selection, flags, a session that cannot be resumed) or infrastructure (the
// state folder, the store), before any build ran.
Expected<RunOutcome> run_session(const RunRequest& request, const MatrixInput& input,
                                 const RunHooks& hooks);

// results.json at `path`, written atomically (its folder created).
Status write_results(const std::string& path, const nlohmann::json& results);

// The report file of `format` (md, junit, sarif, html, json) in the report
// folder: its path, or an infrastructure error naming it.
Expected<std::string> write_report_file(const RunOutcome& outcome, const std::string& format);

// Appends the Markdown report to $GITHUB_STEP_SUMMARY when it is set; whether it did.
bool append_step_summary(const RunOutcome& outcome);

// 130 interrupted; 3 when the store failed; 1 when a cell crashed or hung; 3 when
// a cell did not run (its build failed: the matrix is incomplete); else 0. Reaps
// any workload process left over first.
int finish_run(const RunOutcome& outcome);
int run_exit_status(const RunOutcome& outcome);  // the same, without reaping

}  // namespace faultline::pipeline
