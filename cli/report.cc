// `faultline report`: render a saved results.json in any report format, to
// stdout or a file. Every format is rendered from the JSON alone (pipeline/render).
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "base/exit_status.h"
#include "cli/command.h"
#include "pipeline/baseline.h"
#include "pipeline/render.h"
#include "pipeline/session.h"
#include "reporters/load.h"
#include "reporters/results.h"

namespace faultline::cli {

namespace {

struct ReportFlags {
  std::string file = ".faultline/results.json";
  std::string format = "terminal";
  std::string out;
  std::string repo_root;
  std::string full_report;
  std::string baseline;  // a results.json, or a session id in the store
  std::string db;
};

std::string render(const ReportFlags& flags, const nlohmann::json& results, bool to_tty) {
  pipeline::RenderOptions o;
  o.format = flags.format;
  o.repo_root = std::filesystem::absolute(flags.repo_root).lexically_normal().string();
  o.full_report = flags.full_report.empty() ? flags.file : flags.full_report;
  o.color = to_tty;
  return pipeline::render_report(results, o);
}

int run_report(const ReportFlags& flags) {
  auto results = reporters::load_results(flags.file);
  if (!results) {
    std::cerr << "faultline report: " << results.error().message << "\n";
    return k_exit_bad_input;
  }
  if (!flags.baseline.empty()) {
    auto baseline = pipeline::load_baseline(flags.baseline, flags.db, *results);
    if (!baseline) {
      std::cerr << "faultline report: --baseline: " << baseline.error().message << "\n";
      return exit_status_for(baseline.error());
    }
    reporters::mark_against_baseline(*results, *baseline);
  }
  // A saved run was redacted when written; mask this environment's secrets too.
  reporters::mask_secrets(*results, Redactor::from_environment());
  const bool to_stdout = flags.out.empty() || flags.out == "-";
  std::string text;
  try {
    text = render(flags, *results, to_stdout && pipeline::wants_colour(STDOUT_FILENO));
  } catch (const nlohmann::json::exception&
               e) {  // a field of the wrong type that the loader does not check
    std::cerr << "faultline report: " << flags.file
              << ": does not match the results schema (docs/results.md): " << e.what() << "\n";
    return k_exit_bad_input;
  }
  if (to_stdout) {
    std::cout << text << std::flush;
    return std::cout ? k_exit_ok : k_exit_infrastructure;
  }
  std::ofstream out(flags.out, std::ios::binary);
  out << text;
  out.close();
  if (!out) {
    std::cerr << "faultline report: " << flags.out << ": cannot write: " << std::strerror(errno)
              << "\n";
    return k_exit_infrastructure;
  }
  return k_exit_ok;
}

}  // namespace

void add_report_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<ReportFlags>();
  CLI::App* cmd = app.add_subcommand(
      "report", "Render a saved results.json as a report (Markdown, JUnit, SARIF, …)");
  cmd->footer(
      "Every format is rendered from results.json alone, so any saved run can be re-rendered.\n"
      "  md        the pull-request comment (fits GitHub's 65,536-character limit)\n"
      "  junit     JUnit XML: a test case per cell, for CI test-result viewers\n"
      "  sarif     SARIF 2.1.0: a result per crash signature, for GitHub code scanning\n"
      "  html      one self-contained page: the grid as a heat map, click a cell for its crashes\n"
      "  json      results.json itself (schema: docs/results.md)\n"
      "  terminal  the text `faultline run` prints\n"
      "  github-outputs  verdict=pass|crash|error|interrupted and counts, for $GITHUB_OUTPUT\n"
      "--baseline REF marks each crash signature new, still present or fixed against REF: a\n"
      "results.json (e.g. from the base branch) or a session id in the results store (`faultline\n"
      "sessions`); the Markdown comment then leads with the new ones.\n"
      "Exit status: 0 rendered; 2 the file (or the baseline) is missing, not JSON, or not a\n"
      "results.json; 3 the results store is unreadable.\n\n"
      "Examples:\n"
      "  faultline report --format md -o comment.md\n"
      "  faultline report --format junit ci/results.json -o junit.xml\n"
      "  faultline report --format md --baseline base/results.json -o comment.md\n"
      "  faultline report --baseline 3            # session 3 of the store");
  cmd->add_option("results", flags->file, "the results.json to render")->capture_default_str();
  cmd->add_option("--format,-f", flags->format,
                  "md, junit, sarif, html, json, terminal or github-outputs")
      ->check(CLI::IsMember({"md", "junit", "sarif", "html", "json", "terminal", "github-outputs"}))
      ->capture_default_str();
  cmd->add_option("-o,--output", flags->out, "write the report here instead of stdout");
  cmd->add_option("--repo-root", flags->repo_root,
                  "paths in reports are made relative to this (default: the git top level, else "
                  "the working directory)");
  cmd->add_option(
      "--full-report", flags->full_report,
      "where readers find the untrimmed report, named when Markdown is trimmed (default: RESULTS)");
  cmd->add_option(
      "--baseline", flags->baseline,
      "mark signatures new / still present / fixed against this results.json or stored session id");
  cmd->add_option("--db", flags->db,
                  "the results store for --baseline SESSION (default: the one RESULTS names, else "
                  ".faultline/faultline.db)");
  cmd->callback([flags, &action] {
    if (flags->repo_root.empty()) flags->repo_root = pipeline::default_repo_root();
    action = [flags] { return run_report(*flags); };
  });
}

}  // namespace faultline::cli
