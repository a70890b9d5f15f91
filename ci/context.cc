#include "ci/context.h"

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/files.h"

namespace faultline::ci {

namespace {

std::string get(const Environment& env, const char* name) {
  const char* v = env(name);
  return v ? std::string(v) : std::string();
}

bool is_repo(const std::string& repo) {
  std::size_t slash = repo.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == repo.size() ||
      repo.find('/', slash + 1) != std::string::npos)
    return false;
  return std::all_of(repo.begin(), repo.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/';
  });
}

struct EventPullRequest {
  std::optional<int> number;
  std::string head_sha;
};

// The pull request of a pull_request / pull_request_target event payload, if any.
Expected<EventPullRequest> read_event(const std::string& path) {
  EventPullRequest out;
  if (path.empty()) return out;
  Expected<std::string> text = read_file(path);
  if (!text)
    return fail(bad_input("GITHUB_EVENT_PATH=" + path + ": cannot read the event payload"));
  auto event = nlohmann::json::parse(*text, nullptr, false);
  if (event.is_discarded())
    return fail(bad_input("GITHUB_EVENT_PATH=" + path + ": the event payload is not JSON"));
  if (!event.is_object() || !event.contains("pull_request") || !event["pull_request"].is_object())
    return out;
  const auto& pr = event["pull_request"];
  if (pr.contains("number") && pr["number"].is_number_integer())
    out.number = pr["number"].get<int>();
  if (pr.contains("head") && pr["head"].is_object() && pr["head"].contains("sha") &&
      pr["head"]["sha"].is_string())
    out.head_sha = pr["head"]["sha"].get<std::string>();
  return out;
}

std::string run_url(const Environment& env) {
  const std::string server = get(env, "GITHUB_SERVER_URL"), repo = get(env, "GITHUB_REPOSITORY"),
                    run = get(env, "GITHUB_RUN_ID");
  if (server.empty() || repo.empty() || run.empty()) return "";
  return server + "/" + repo + "/actions/runs/" + run;
}

}  // namespace

bool is_commit_sha(const std::string& sha) {
  return (sha.size() == 40 || sha.size() == 64) && std::all_of(sha.begin(), sha.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

Expected<Target> resolve_target(const TargetOverrides& overrides, const Environment& given_env) {
  const Environment env =
      given_env ? given_env : Environment([](const char* n) { return std::getenv(n); });
  Target t;
  t.api_url = !overrides.api_url.empty() ? overrides.api_url : get(env, "GITHUB_API_URL");
  if (t.api_url.empty()) t.api_url = "https://api.github.com";
  while (t.api_url.size() > 1 && t.api_url.back() == '/') t.api_url.pop_back();
  if (t.api_url.rfind("https://", 0) != 0 && t.api_url.rfind("http://", 0) != 0)
    return fail(bad_input("--api-url / GITHUB_API_URL '" + t.api_url + "' is not an http(s) URL"));
  t.repo = !overrides.repo.empty() ? overrides.repo : get(env, "GITHUB_REPOSITORY");
  if (t.repo.empty())
    return fail(bad_input("no repository: give --repo OWNER/NAME or set GITHUB_REPOSITORY"));
  if (!is_repo(t.repo))
    return fail(bad_input("--repo / GITHUB_REPOSITORY '" + t.repo + "' is not OWNER/NAME"));
  FAULTLINE_TRY(const EventPullRequest event, read_event(get(env, "GITHUB_EVENT_PATH")));
  t.pr = overrides.pr ? overrides.pr : event.number;
  if (t.pr && *t.pr <= 0)
    return fail(bad_input("--pr " + std::to_string(*t.pr) + " is not a pull request number"));
  t.sha = overrides.sha;
  if (t.sha.empty() && event.number && t.pr == event.number)
    t.sha = event.head_sha;  // a pull_request event's GITHUB_SHA is the merge commit
  if (t.sha.empty() && !t.pr) t.sha = get(env, "GITHUB_SHA");
  if (t.sha.empty() && !t.pr)
    return fail(bad_input("no commit: give --sha or --pr, or set GITHUB_SHA"));
  if (!t.sha.empty() && !is_commit_sha(t.sha))
    return fail(
        bad_input("--sha / GITHUB_SHA '" + t.sha + "' is not a full commit id (40 hex digits)"));
  t.target_url = !overrides.target_url.empty() ? overrides.target_url : run_url(env);
  return t;
}

}  // namespace faultline::ci
