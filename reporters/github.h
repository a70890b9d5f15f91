// reporters/github.h — what faultline says to GitHub Actions itself, as
// workflow commands on stdout: an `::error file=…,line=…::` annotation per crash
// signature located inside the repository (GitHub shows ten per step: the most
// widespread first), and `::stop-commands::` around anything a workload printed,
// so crash output cannot inject workflow commands.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "results/model.h"

namespace faultline::reporters {

// GitHub's escaping of a command's message (% CR LF) and of its properties (also : ,).
std::string workflow_data(std::string_view text);
std::string workflow_property(std::string_view text);

// One ::error line per signature whose innermost frame inside `repo_root`
// (absolute) has a file and line, at most `max`, in results order.
std::string github_annotations(const results::Results& results, const std::string& repo_root,
                               std::size_t max = 10);
std::string github_annotations(const nlohmann::json& results, const std::string& repo_root,
                               std::size_t max = 10);

// Each signature's full report excerpt folded in a ::group:: (its lines fenced
// by ::stop-commands::), so a long log costs one line of the step's output.
std::string github_groups(const results::Results& results);
std::string github_groups(const nlohmann::json& results);

// The run's verdict and counts as step outputs, one NAME=VALUE line each, for
// $GITHUB_OUTPUT: verdict (interrupted, error when no cell could run, crash
// when a cell crashed or hung, else pass — as `faultline run`'s exit status
// says), crashes (crashing cells), hangs, cells, crashing_runs, signatures.
std::string github_outputs(const results::Results& results);
std::string github_outputs(const nlohmann::json& results);

// `text` between ::stop-commands::TOKEN and ::TOKEN:: (a fresh random token).
std::string without_workflow_commands(const std::string& text);

}  // namespace faultline::reporters
