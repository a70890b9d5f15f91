// The commits behind a bisect's answer on an axis whose versions are git
// commits (`versions: { git: … }`, or `source: { git: … }`): the first changed
// commit's subject, author and date (runner/git_info.h), and a GitHub compare
// link from the last unchanged commit to it when the repository's `origin` is
// on GitHub (base/github_remote.h). Written to results.json as the model's
// `first_commit` and `compare_url`, and for an interval each end's in
// `interval` (results/model.h, docs/results.md).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "bisect/search.h"
#include "pipeline/bisect_cells.h"
#include "runner/git_info.h"

namespace faultline::pipeline {

struct CommitAnswer {
  std::optional<runner::CommitInfo> first;  // the culprit (or the fix); none for a range
  std::string compare_url;                  // "" when origin is not on GitHub
};

// For `component`'s versions `last_good` → `first_bad` (older → newer; with
// --fixed, last crashing → first fixed); nullopt when the component's versions
// are not from git or git does not know them. `matrix_dir` is where the
// matrix's relative repository paths start. `culprit`: one commit was found
// (else a range: the compare link alone).
std::optional<CommitAnswer> commit_answer(const BisectMatrix& in, const std::string& matrix_dir,
                                          const std::string& component,
                                          const std::string& last_good,
                                          const std::string& first_bad, bool culprit);

// The same for one end's search over `versions` (search indices): nullopt
// unless its outcome is a culprit or a range.
std::optional<CommitAnswer> commit_answer(const BisectMatrix& in, const std::string& matrix_dir,
                                          const std::string& component,
                                          const std::vector<std::string>& versions,
                                          const bisect::SearchReport& report);

// The answer's lines for the terminal:
//   commit 0123456789ab "widget: free the buffer once"
//     by Ada Lovelace <ada@example.com> on 2026-01-02T03:04:05+01:00
//   compare: https://github.com/acme/widget/compare/…...…
std::string commit_answer_text(const CommitAnswer& a);

// Adds `first_commit: {hash, subject, author, date}` and `compare_url` (when
// known) to a bisect answer or section `j`, through results::BisectAnswer's types.
void add_commit_answer(nlohmann::json& j, const CommitAnswer& a);

// Both ends of an interval answer: the start's search (last good → first
// crashing) and the end's (last crashing → first fixed); nullopt where that
// end was not searched, or found no commit.
struct IntervalCommits {
  std::optional<CommitAnswer> start, end;
};

// Adds each end's commit to an answer's or section's `interval` object:
// `first_crashing_commit` and `start_compare_url`, `first_fixed_commit` and
// `end_compare_url` (results::BisectInterval, docs/results.md).
void add_interval_commits(nlohmann::json& interval, const IntervalCommits& c);

}  // namespace faultline::pipeline
