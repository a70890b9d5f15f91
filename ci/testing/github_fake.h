// ci/testing/github_fake.h — a GitHub REST API for tests: a real HTTP server on
// 127.0.0.1 (cpp-httplib) that keeps state (pull requests, issue comments with
// ids and created_at, commit statuses per sha, collaborators' permissions) and
// GitHub's documented behaviour: Bearer tokens (401 "Bad credentials"),
// per_page (default 30, max 100) with Link headers, 201/200/204, x-ratelimit-*
// headers, 422 validation bodies, 404 for unknown things. It records every request
// and can be told to fail: 5xx, secondary and primary rate limits, read-only
// tokens. Used by ci/'s tests, the `faultline post` end-to-end tests and `serve`'s.
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace faultline::ci::testing {

struct RecordedRequest {
  std::string method;
  std::string target;                          // path and query, as sent
  std::map<std::string, std::string> headers;  // names lower-cased
  std::string body;

  std::string header(const std::string& name) const;
  nlohmann::json json() const;  // the body parsed, or null
};

struct FakeComment {
  long long id = 0;
  std::string body;
  std::string user;
  std::string created_at;
  std::string updated_at;
};

struct FakeStatus {
  long long id = 0;
  std::string state, description, target_url, context, created_at;
};

class GitHubFake {
 public:
  // Accepts `Authorization: Bearer TOKEN` (or `token TOKEN`); listens on an ephemeral port.
  explicit GitHubFake(std::string token);
  ~GitHubFake();
  GitHubFake(const GitHubFake&) = delete;
  GitHubFake& operator=(const GitHubFake&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT, the API's base URL

  // State.
  void add_pull(const std::string& repo, int number, const std::string& head_sha,
                bool from_fork = false);
  void set_head(const std::string& repo, int number, const std::string& head_sha);
  long long add_comment(const std::string& repo, int issue, const std::string& body,
                        const std::string& user = "someone");
  void set_permission(const std::string& repo, const std::string& user,
                      const std::string& permission);
  std::vector<FakeComment> comments(const std::string& repo, int issue) const;
  std::vector<FakeStatus> statuses(const std::string& repo,
                                   const std::string& sha) const;  // oldest first

  // Faults, each for the next `n` requests (any method and path).
  void fail_next(int n, int status = 502);
  void secondary_rate_limit_next(int n, int retry_after_seconds);
  void primary_rate_limit_next(int n, long long reset_epoch_seconds);
  void deny_writes(bool deny);  // 403 "Resource not accessible by integration" on POST/PATCH/DELETE

  // Called (outside the fake's lock) before / after each request is handled:
  // to make another "job" act at a chosen moment.
  using Hook = std::function<void(const RecordedRequest&)>;
  void before_each(Hook hook);
  void after_each(Hook hook);

  std::vector<RecordedRequest> requests() const;
  void clear_requests();

 private:
  struct State;
  std::unique_ptr<State> m_state;
};

// A server that hangs: a TCP port on 127.0.0.1 that listens (the kernel accepts
// each connection) and never reads or answers. For the timeouts of ci/client.h.
class SilentServer {
 public:
  SilentServer();  // throws std::runtime_error (a failed test) when it cannot listen
  ~SilentServer();
  SilentServer(const SilentServer&) = delete;
  SilentServer& operator=(const SilentServer&) = delete;

  std::string url() const;  // http://127.0.0.1:PORT

 private:
  int m_fd = -1;
  int m_port = 0;
};

}  // namespace faultline::ci::testing
