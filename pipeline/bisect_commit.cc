#include "pipeline/bisect_commit.h"

#include <filesystem>

#include "base/github_remote.h"
#include "reporters/text.h"
#include "results/model.h"

namespace faultline::pipeline {

namespace {

// The repository the component's versions name, relative to the matrix folder.
std::optional<std::string> repository_of(const BisectMatrix& in, const std::string& matrix_dir,
                                         const std::string& component) {
  for (const auto& c : in.config.components) {
    if (c.name != component) continue;
    const std::optional<std::string> repo =
        c.versions_git ? std::optional<std::string>(c.versions_git->repo) : c.source_git;
    if (!repo) return std::nullopt;
    return (std::filesystem::path(matrix_dir.empty() ? "." : matrix_dir) / *repo).string();
  }
  return std::nullopt;
}

// The compare link on GitHub from `base` to `head` (12-digit hashes); "" when
// the repository's origin is elsewhere or missing.
std::string compare_link(const std::string& repo, const std::string& base,
                         const std::string& head) {
  auto url = runner::git_remote_url(repo);
  if (!url) return "";
  auto github = github_repo_of_remote(*url);
  if (!github) return "";
  return github_compare_url(*github, base.substr(0, 12), head.substr(0, 12));
}

}  // namespace

std::optional<CommitAnswer> commit_answer(const BisectMatrix& in, const std::string& matrix_dir,
                                          const std::string& component,
                                          const std::string& last_good,
                                          const std::string& first_bad, bool culprit) {
  const auto repo = repository_of(in, matrix_dir, component);
  if (!repo) return std::nullopt;
  auto good = runner::git_commit_info(*repo, last_good);
  auto bad = runner::git_commit_info(*repo, first_bad);
  if (!good || !bad) return std::nullopt;
  CommitAnswer a;
  if (culprit) a.first = *bad;
  a.compare_url = compare_link(*repo, good->hash, bad->hash);
  return a;
}

std::optional<CommitAnswer> commit_answer(const BisectMatrix& in, const std::string& matrix_dir,
                                          const std::string& component,
                                          const std::vector<std::string>& versions,
                                          const bisect::SearchReport& report) {
  const bool culprit = report.outcome == bisect::Outcome::culprit;
  if (!culprit && report.outcome != bisect::Outcome::range) return std::nullopt;
  return commit_answer(in, matrix_dir, component, versions[report.last_good],
                       versions[report.first_bad], culprit);
}

std::string commit_answer_text(const CommitAnswer& a) {
  std::string text;
  if (a.first)
    text += "commit " + a.first->hash.substr(0, 12) + " \"" +
            reporters::terminal_text(a.first->subject) + "\"\n  by " +
            reporters::terminal_text(a.first->author) + " on " + a.first->date + "\n";
  if (!a.compare_url.empty()) text += "compare: " + a.compare_url + "\n";
  return text;
}

void add_commit_answer(nlohmann::json& j, const CommitAnswer& a) {
  if (a.first)
    j["first_commit"] =
        results::BisectCommit{a.first->hash, a.first->subject, a.first->author, a.first->date};
  if (!a.compare_url.empty()) j["compare_url"] = a.compare_url;
}

namespace {

void add_end(nlohmann::json& interval, const std::optional<CommitAnswer>& a, const char* commit_key,
             const char* url_key) {
  if (!a) return;
  if (a->first)
    interval[commit_key] =
        results::BisectCommit{a->first->hash, a->first->subject, a->first->author, a->first->date};
  if (!a->compare_url.empty()) interval[url_key] = a->compare_url;
}

}  // namespace

void add_interval_commits(nlohmann::json& interval, const IntervalCommits& c) {
  add_end(interval, c.start, "first_crashing_commit", "start_compare_url");
  add_end(interval, c.end, "first_fixed_commit", "end_compare_url");
}

}  // namespace faultline::pipeline
