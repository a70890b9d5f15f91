// ci/serve/github.h — what the bot asks of and tells GitHub, as one small
// interface: a collaborator's permission, a pull request's head, and the three
// things posted for a job (pending status at once; sticky comment + final status;
// an error status when the job could not run). rest.h implements it over ci/'s
// REST client and publisher; HTTP, retries and rate limits are theirs.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/expected.h"
#include "ci/serve/job_queue.h"

namespace faultline::ci::serve {

class PullRequestPoster {
 public:
  virtual ~PullRequestPoster() = default;

  // GET /repos/{repo}/collaborators/{user}/permission → "admin", "maintain", "write", "read",
  // "none".
  virtual Expected<std::string> permission(const std::string& repo, const std::string& user) = 0;
  // GET /repos/{repo}/pulls/{pr}: the pull request object.
  virtual Expected<nlohmann::json> pull(const std::string& repo, int pr) = 0;

  virtual Status pending(const Job& job) = 0;
  virtual Status results(const Job& job, const nlohmann::json& results,
                         const std::string& markdown) = 0;
  virtual Status error(const Job& job, const std::string& description) = 0;
};

// admin, maintain and write may command the bot.
inline bool may_command(const std::string& permission) {
  return permission == "admin" || permission == "maintain" || permission == "write";
}

}  // namespace faultline::ci::serve
