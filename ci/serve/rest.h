// ci/serve/rest.h — PullRequestPoster over GitHub's REST API: ci/client.h for
// the requests (retries, rate limits, the token masked) and ci/publish.h for the
// sticky comment and final status, so the bot posts exactly what `faultline post`
// does, under the status context `faultline/NAME`.
#pragma once

#include <ostream>
#include <string>

#include "ci/client.h"
#include "ci/serve/github.h"

namespace faultline::ci::serve {

class RestPoster : public PullRequestPoster {
 public:
  RestPoster(ClientOptions options, std::string name, std::ostream* log);

  Expected<std::string> permission(const std::string& repo, const std::string& user) override;
  Expected<nlohmann::json> pull(const std::string& repo, int pr) override;
  Status pending(const Job& job) override;
  Status results(const Job& job, const nlohmann::json& results,
                 const std::string& markdown) override;
  Status error(const Job& job, const std::string& description) override;

 private:
  Status status(const Job& job, const std::string& state, const std::string& description);

  GitHubClient m_client;
  std::string m_name;
  std::ostream* m_log;
};

}  // namespace faultline::ci::serve
