// `faultline run`: build every cell's components under its sanitizer, hammer
// each cell with its workload, and say which crash. The session is
// pipeline/run.h's; this file reads the flags and prints: the terminal report
// (on GitHub Actions, fenced from workflow commands, with groups and
// annotations), the files written, and posting with --post (cli/post.h).
#include "pipeline/run.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>

#include "base/exit_status.h"
#include "cli/command.h"
#include "cli/post.h"
#include "pipeline/matrix_input.h"
#include "pipeline/progress.h"
#include "pipeline/render.h"
#include "reporters/github.h"
#include "reporters/terminal.h"

namespace faultline::cli {

namespace {

struct RunFlags : pipeline::RunRequest {
  std::vector<std::string> report_flags;  // --report, repeatable
  bool post = false;  // pending status at the start, comment and final status at the end
  std::size_t max_cells = 100'000;
};

int complain(const Error& error, int status) {
  std::cerr << "faultline run: " << error.message << "\n";
  return status;
}

// The terminal report on stdout. On GitHub Actions the report (which quotes
// workload output) is fenced off from workflow commands; the full excerpts are
// folded in groups; then come faultline's own annotations.
void print_report(const pipeline::RunOutcome& outcome) {
  reporters::TerminalOptions options;
  options.color = pipeline::wants_colour(STDOUT_FILENO);
  const char* actions = std::getenv("GITHUB_ACTIONS");
  const bool on_github = actions && std::string(actions) == "true";
  if (on_github)
    for (const auto& secret : outcome.secrets)
      std::cout << "::add-mask::" << reporters::workflow_data(secret) << "\n";
  const std::string report = reporters::render_terminal(outcome.shown, options);
  std::cout << (on_github ? reporters::without_workflow_commands(report) : report);
  if (on_github)
    std::cout << reporters::github_groups(outcome.shown)
              << reporters::github_annotations(outcome.results, outcome.repo_root);
}

// results.json, then the report files: the matrix's report.formats, or --report.
// Each that cannot be written is said, the rest still written; then where the
// recorded runs are kept. k_exit_infrastructure when any failed.
int write_files(const pipeline::RunOutcome& outcome, const std::vector<std::string>& formats) {
  bool failed = false;
  auto said = [&](const Error& error) {
    complain(error, k_exit_infrastructure);
    failed = true;
  };
  if (auto written = pipeline::write_results(outcome.out_path, outcome.results); !written)
    said(written.error());
  else
    std::cout << "results: " << outcome.out_path << "\n";
  for (const auto& format : formats) {
    if (format == "terminal") continue;  // printed already
    auto path = pipeline::write_report_file(outcome, format);
    if (!path)
      said(path.error());
    else
      std::cout << "report: " << *path << "\n";
  }
  if (!failed) return k_exit_ok;
  std::cerr << "faultline run: nothing is lost: every finished run is kept in " << outcome.db_path
            << " (session " << outcome.session << "); `faultline run --resume --out FILE` writes "
            << "results.json and the reports again without repeating a run\n";
  return k_exit_infrastructure;
}

pipeline::RunHooks hooks_for(const RunFlags& flags, const std::string& name) {
  pipeline::RunHooks hooks;
  hooks.warn = [](const std::string& sentence) {
    std::cerr << "faultline run: " << sentence << "\n";
  };
  if (flags.post) hooks.started = [name](std::size_t cells) { post_run_started(name, cells); };
  return hooks;
}

int run(RunFlags flags) {
  auto in = pipeline::read_matrix(flags.file, flags.max_cells);
  if (!in) return k_exit_bad_input;
  flags.progress_tty = pipeline::wants_live_line(STDERR_FILENO);
  if (!flags.report_flags.empty()) flags.reports = flags.report_flags;
  auto outcome = pipeline::run_session(flags, *in, hooks_for(flags, in->config.name));
  if (!outcome) return complain(outcome.error(), exit_status_for(outcome.error()));
  print_report(*outcome);
  const int written = write_files(*outcome, flags.reports.value_or(in->config.report.formats));
  const bool summary_written = pipeline::append_step_summary(*outcome);
  if (flags.post)
    post_run_finished(outcome->results, outcome->repo_root, outcome->out_path, summary_written);
  int status = pipeline::finish_run(*outcome);
  if (written != k_exit_ok && status != k_exit_interrupted) status = written;
  if (status == k_exit_interrupted)
    std::cerr << "faultline run: interrupted; every finished run is kept in " << outcome->db_path
              << " (session " << outcome->session << ") — continue with `faultline run --resume`\n";
  return status;
}

// The matrix file, which cells, how many runs, and the reports to write.
void add_selection_flags(CLI::App* cmd, RunFlags& flags) {
  cmd->add_option("file", flags.file, "the matrix file")->capture_default_str();
  cmd->add_option("-j,--jobs", flags.jobs,
                  "runs and builds at once (default: stress.parallel, else the cores)")
      ->check(CLI::Range(1, 4096));
  cmd->add_option("--runs", flags.runs, "runs per cell (default: stress.runs)")
      ->check(CLI::Range(1, 10'000'000));
  cmd->add_option("--stop", flags.stop, "first-crash, all or confidence (default: stress.stop)")
      ->check(CLI::IsMember({"first-crash", "all", "confidence"}));
  cmd->add_option("--budget", flags.budget,
                  "per cell: at most this many runs (500) or this much run time (90s, 10m); with "
                  "--stop confidence, "
                  "runs continue until the crash-rate interval is narrow or the budget is spent");
  cmd->add_option("--shard", flags.shard,
                  "run only shard K of N (as `plan --shards N` split them)");
  cmd->add_option("--only", flags.only, "run only cells with AXIS=VALUE (repeatable)");
  cmd->add_option(
         "--report", flags.report_flags,
         "also write this report (md, junit, sarif, html, json) into report.dir; repeatable; "
         "replaces the matrix's report.formats")
      ->check(CLI::IsMember({"md", "junit", "sarif", "html", "json", "terminal"}));
}

}  // namespace

void add_run_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<RunFlags>();
  CLI::App* cmd = app.add_subcommand("run", "Build every cell and stress it; report which crash");
  cmd->footer(
      "Builds are cached under STATE/builds/ by content (the files `inputs:` names, else the "
      "matrix folder's;\n"
      "compiler, flags, command, dependencies): a second run with unchanged inputs runs no build\n"
      "command. Every run is recorded in the results store (STATE/faultline.db, SQLite) as it "
      "ends; Ctrl-C\n"
      "stops, keeps every finished run and exits 130, and --resume continues (after a kill -9 too: "
      "only\n"
      "the runs in flight and those of the last 50 ms are lost; a session another faultline is "
      "running is refused,\n"
      "exit 2, unless --wait). Exit status: 0 no crash and every cell ran, 1 crashes (or hangs)\n"
      "found, 2 bad input (also an output folder that cannot be written, checked before any "
      "build),\n"
      "3 the matrix did not fully run (a cell's build failed) or the store or disk failed,\n"
      "130 interrupted.\n\n"
      "Examples:\n"
      "  faultline run examples/ffi-race/faultline.yaml --runs 5 --only sanitizer=asan\n"
      "  faultline run --shard 2/4 --out results-2.json\n"
      "  faultline run --resume");
  add_selection_flags(cmd, *flags);
  cmd->add_flag("--rebuild", flags->rebuild, "ignore the build cache");
  cmd->add_flag(
      "--keep-cores", flags->keep_cores,
      "keep the core files of crashes read for their stack (STATE/work/<cell hash>/core.<run>; "
      "default: stress.keep_cores, else deleted)");
  cmd->add_flag("--resume", flags->resume,
                "continue the latest run recorded in the store, repeating no finished run");
  cmd->add_flag("--wait", flags->wait,
                "with --resume: when another faultline is running that session, wait for it to end "
                "instead of "
                "refusing (exit 2)");
  cmd->add_option("--db", flags->db, "the results store (default: STATE/faultline.db)");
  cmd->add_flag(
      "--post", flags->post,
      "on GitHub: status faultline/NAME pending at the start; comment and final status at the end "
      "(as `faultline post`; failures to post are warnings)");
  cmd->add_option("--out", flags->out, "where to write results.json (default: STATE/results.json)");
  cmd->add_option(
      "--state-dir", flags->state_dir,
      "builds, the results store and results.json (default: .faultline beside the matrix file)");
  cmd->add_option("--max-cells", flags->max_cells, "refuse a matrix of more cells than this")
      ->capture_default_str();
  cmd->callback([flags, &action] { action = [flags] { return run(*flags); }; });
}

}  // namespace faultline::cli
