// ci/publish.h — what faultline writes to a pull request: one sticky comment per
// matrix name (found by its hidden marker on every page of comments, updated in
// place, created once; a duplicate left by two jobs racing is deleted) and a
// commit status `faultline/NAME` on the head commit. Before writing it checks the
// PR's head is still the commit that was tested (a newer push wins). When GitHub
// refuses to write (a fork's read-only token) the Markdown goes to the job summary.
// Rendering the Markdown is reporters/'s business; HTTP is ci/client.h's.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <string>

#include "base/expected.h"
#include "ci/client.h"
#include "ci/context.h"

namespace faultline::ci {

// GitHub's limit on a comment's body, in characters.
inline constexpr std::size_t k_max_comment_chars = 65'536;
// GitHub's limit on a commit status description, in characters.
inline constexpr std::size_t k_max_description_chars = 140;

// "<!-- faultline:NAME -->": the first line of the sticky comment.
std::string marker(const std::string& name);
// bad_input unless `name` can sit in a marker and a status context.
Status check_name(const std::string& name);
// The bytes left for the Markdown once the marker line is added.
std::size_t markdown_budget(const std::string& name);
// marker + "\n" + markdown, cut (at a UTF-8 boundary, with a note) if still over the limit.
std::string comment_body(const std::string& name, const std::string& markdown);

struct CommitStatus {
  std::string state;        // pending, success, failure, error
  std::string description;  // at most k_max_description_chars
};
// From results.json's totals: failure when a cell crashed or hung, error when
// interrupted or no cell built, else success; the counts as description.
CommitStatus status_for(const nlohmann::json& results);
CommitStatus pending_status(std::size_t cells);

struct PublishOptions {
  std::string name;              // marker and status context `faultline/NAME`
  std::string summary_path;      // $GITHUB_STEP_SUMMARY; "" when there is none
  bool summary_written = false;  // the caller already put the report there (run does)
  std::ostream* log = nullptr;
};

struct Published {
  std::string sha;             // the commit the status went to
  std::string comment_action;  // created, updated, unchanged, or "" (no PR, stale, denied)
  long long comment_id = 0;
  std::string comment_url;
  bool status_set = false;
  bool stale = false;   // the PR's head moved on: the comment was left alone
  bool denied = false;  // GitHub refused to write: the Markdown went to the job summary
  std::string refusal;  // denied: GitHub's answer, "403 Resource not accessible by integration"
  // The sentence about stale / denied, for the caller to say once (it is not logged).
  std::string warning;
};

class Publisher {
 public:
  Publisher(GitHubClient& client, Target target, PublishOptions options);

  // The `pending` status when a run starts.
  Expected<Published> pending(std::size_t cells);
  // The sticky comment (when there is a pull request) and the final status.
  Expected<Published> results(const CommitStatus& status, const std::string& markdown);

 private:
  struct Write {
    nlohmann::json body;
    bool denied = false;
    std::string refusal;  // denied: "403 MESSAGE"
  };
  Expected<Write> write(const ApiRequest& request);
  Status check_head(Published& out);
  Status set_status(const CommitStatus& status, Published& out);
  Status upsert_comment(const std::string& body, Published& out);
  Expected<std::vector<nlohmann::json>> sticky_comments();
  Status remove_duplicates(const std::vector<nlohmann::json>& mine);
  void deny(Published& out, const std::string& what, const std::string& markdown);
  void note(const std::string& line) const;
  std::string pr_text() const;

  GitHubClient& m_client;
  Target m_target;
  PublishOptions m_options;
};

}  // namespace faultline::ci
