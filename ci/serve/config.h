// ci/serve/config.h — the bot's configuration file (`faultline serve --config bot.yaml`):
// where to listen, which environment variables hold the webhook secret and the
// GitHub token (never the values themselves), the allow-listed repositories and
// how jobs run. Errors name FILE:LINE:COL. Reading the secrets is the caller's.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"

namespace faultline::ci::serve {

inline constexpr std::uint64_t k_github_max_payload = 25ull * 1024 * 1024;  // GitHub's cap

struct BotConfig {
  std::string file;  // where it was read from, for messages
  std::string host = "127.0.0.1";
  int port = 8080;
  std::string secret_env;                  // required: names the variable holding the secret
  std::string token_env = "GITHUB_TOKEN";  // names the variable holding the token
  std::string api_url = "https://api.github.com";
  std::vector<std::string> repositories;  // owner/name, compared case-insensitively
  std::string matrix = "faultline.yaml";  // inside the pull request's repository
  std::optional<int> runs;                // `faultline run --runs N`
  bool allow_forks = false;
  std::uint64_t max_body_bytes = k_github_max_payload;
  std::string workdir = ".faultline/serve";  // one directory per job under it
  std::string db = ".faultline/faultline.db";
  std::string name = "serve";  // status context `faultline/NAME` and the sticky comment's marker
  int jobs = 1;                // jobs at once (always one per pull request)
  std::chrono::seconds job_timeout{3600};

  bool allows(const std::string& repo) const;
};

// The configuration in `file`; bad_input naming FILE:LINE:COL for every problem found.
Expected<BotConfig> load_config(const std::string& file);
// The same, from text already read (tests, and load_config itself).
Expected<BotConfig> parse_config(const std::string& text, const std::string& file);

}  // namespace faultline::ci::serve
