// ci/context.h — where faultline posts: the API URL, repository, pull request and
// head commit, read from GitHub Actions' environment (GITHUB_API_URL,
// GITHUB_REPOSITORY, GITHUB_EVENT_PATH of a pull_request or pull_request_target
// event, GITHUB_SHA) with flags for local use overriding each. Talking to GitHub
// is ci/client.h's business.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "base/expected.h"

namespace faultline::ci {

struct Target {
  std::string api_url;    // without a trailing slash
  std::string repo;       // owner/name
  std::optional<int> pr;  // none for a push: then only a commit status is posted
  std::string sha;  // the commit the run tested; "" when only the PR is known (its head is used)
  std::string target_url;  // the Actions run, linked from the status; may be ""
};

// Explicit values (from flags); empty / nullopt means "from the environment".
struct TargetOverrides {
  std::string api_url;
  std::string repo;
  std::optional<int> pr;
  std::string sha;
  std::string target_url;
};

// Looks up an environment variable: nullptr when unset (std::getenv by default).
using Environment = std::function<const char*(const char*)>;

// The target, or a bad_input Error naming the flag or variable that is missing or wrong.
Expected<Target> resolve_target(const TargetOverrides& overrides, const Environment& env = {});

// True for a commit id: 40 (SHA-1) or 64 (SHA-256) lower-case hex digits.
bool is_commit_sha(const std::string& sha);

}  // namespace faultline::ci
