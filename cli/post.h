// Posting to GitHub from the command line: `faultline post` (cli/post.cc) and
// `faultline run --post`, which share this code. Publishing itself (client,
// sticky comment, status) is ci/'s; this file reads flags and the environment,
// renders the Markdown and turns outcomes into messages and exit statuses.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace faultline::cli {

// `run --post`, when a run starts: the `pending` status faultline/NAME on the
// head commit. Problems are warnings on stderr: the run goes on.
void post_run_started(const std::string& name, std::size_t cells);

// `run --post`, when a run ends: the sticky comment and the final status, from
// the environment (GitHub Actions). Problems are warnings; the run's exit status stands.
// `summary_written`: run already appended the Markdown to $GITHUB_STEP_SUMMARY.
void post_run_finished(const nlohmann::json& results, const std::string& repo_root,
                       const std::string& full_report, bool summary_written);

}  // namespace faultline::cli
