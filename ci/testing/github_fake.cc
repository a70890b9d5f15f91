#include "ci/testing/github_fake.h"

#include <httplib.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <deque>
#include <regex>
#include <stdexcept>
#include <thread>

#include "base/time.h"

namespace faultline::ci::testing {

namespace {

using nlohmann::json;

constexpr const char* k_docs = "https://docs.github.com/rest";
constexpr std::size_t k_max_body_chars = 65'536;

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::size_t characters(const std::string& s) {
  return static_cast<std::size_t>(std::count_if(
      s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// Timestamps one second apart from a fixed start, so created_at orders comments as GitHub does.
std::string timestamp(long long tick) {
  return utc_timestamp(
      std::chrono::system_clock::from_time_t(1'767'225'600 + tick));  // from 2026-01-01T00:00:00Z
}

struct Answer {
  int status = 200;
  json body;
  std::map<std::string, std::string> headers;
};

Answer error_answer(int status, const std::string& message, const std::string& docs) {
  return {
      status,
      json{{"message", message}, {"documentation_url", docs}, {"status", std::to_string(status)}},
      {}};
}

Answer validation_failed(const std::string& resource, const std::string& field,
                         const std::string& code, const std::string& message,
                         const std::string& docs) {
  json e = {{"resource", resource}, {"code", code}, {"field", field}};
  if (!message.empty()) e["message"] = message;
  return {422,
          json{{"message", "Validation Failed"},
               {"errors", json::array({e})},
               {"documentation_url", docs},
               {"status", "422"}},
          {}};
}

struct Fault {
  enum Kind { status, secondary, primary } kind = status;
  int code = 502;
  long long value = 0;  // Retry-After seconds, or the reset epoch
};

struct Pull {
  std::string head_sha;
  bool fork = false;
};

struct Repo {
  std::map<int, Pull> pulls;
  std::map<int, std::vector<FakeComment>> comments;  // by issue number
  std::map<std::string, std::vector<FakeStatus>> statuses;
  std::map<std::string, std::string> permissions;
};

}  // namespace

std::string RecordedRequest::header(const std::string& name) const {
  auto it = headers.find(lower(name));
  return it == headers.end() ? std::string() : it->second;
}

json RecordedRequest::json() const {
  auto j = nlohmann::json::parse(body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

struct GitHubFake::State {
  std::string token;
  httplib::Server server;
  std::thread thread;
  int port = 0;

  mutable std::mutex mutex;
  std::map<std::string, Repo> repos;
  std::deque<Fault> faults;
  bool deny_writes = false;
  long long next_id = 1'000;
  long long tick = 0;
  long long remaining = 5'000;
  std::vector<RecordedRequest> requests;
  Hook before, after;

  std::string base() const { return "http://127.0.0.1:" + std::to_string(port); }
  Answer handle(const RecordedRequest& r, const httplib::Request& req);
  Answer route(const RecordedRequest& r, const httplib::Request& req);
  Answer list(const std::vector<json>& items, const httplib::Request& req);
  Answer comments(Repo& repo, const std::string& repo_name, const std::string& method, int issue,
                  const RecordedRequest& r);
  Answer comment(Repo& repo, const std::string& repo_name, const std::string& method, long long id,
                 const RecordedRequest& r);
  Answer create_status(Repo& repo, const std::string& repo_name, const std::string& sha,
                       const RecordedRequest& r);
  json comment_json(const std::string& repo_name, int issue, const FakeComment& c) const;
  json pull_json(const std::string& repo_name, int number, const Pull& p) const;
};

json GitHubFake::State::comment_json(const std::string& repo_name, int issue,
                                     const FakeComment& c) const {
  return {{"id", c.id},
          {"node_id", "IC_" + std::to_string(c.id)},
          {"url", base() + "/repos/" + repo_name + "/issues/comments/" + std::to_string(c.id)},
          {"html_url", "https://github.com/" + repo_name + "/pull/" + std::to_string(issue) +
                           "#issuecomment-" + std::to_string(c.id)},
          {"issue_url", base() + "/repos/" + repo_name + "/issues/" + std::to_string(issue)},
          {"body", c.body},
          {"user", {{"login", c.user}, {"type", c.user == "github-actions[bot]" ? "Bot" : "User"}}},
          {"created_at", c.created_at},
          {"updated_at", c.updated_at},
          {"author_association", "NONE"}};
}

json GitHubFake::State::pull_json(const std::string& repo_name, int number, const Pull& p) const {
  const std::string head_repo =
      p.fork ? "contributor/" + repo_name.substr(repo_name.find('/') + 1) : repo_name;
  return {{"number", number},
          {"state", "open"},
          {"url", base() + "/repos/" + repo_name + "/pulls/" + std::to_string(number)},
          {"html_url", "https://github.com/" + repo_name + "/pull/" + std::to_string(number)},
          {"user", {{"login", p.fork ? "contributor" : "someone"}}},
          {"head",
           {{"sha", p.head_sha},
            {"ref", "topic"},
            {"repo", {{"full_name", head_repo}, {"fork", p.fork}}}}},
          {"base", {{"ref", "main"}, {"repo", {{"full_name", repo_name}, {"fork", false}}}}}};
}

// GitHub's pagination: per_page (default 30, at most 100), page (from 1), Link with
// next/last/first/prev.
Answer GitHubFake::State::list(const std::vector<json>& items, const httplib::Request& req) {
  int per_page =
      req.has_param("per_page") ? std::atoi(req.get_param_value("per_page").c_str()) : 30;
  per_page = std::clamp(per_page, 1, 100);
  int page =
      req.has_param("page") ? std::max(1, std::atoi(req.get_param_value("page").c_str())) : 1;
  const int last = std::max<int>(1, static_cast<int>((items.size() + per_page - 1) / per_page));
  Answer a{200, json::array(), {}};
  for (std::size_t i = static_cast<std::size_t>(page - 1) * per_page;
       i < items.size() && i < static_cast<std::size_t>(page) * per_page; ++i)
    a.body.push_back(items[i]);
  auto link = [&](int p, const char* rel) {
    return "<" + base() + req.path + "?per_page=" + std::to_string(per_page) +
           "&page=" + std::to_string(p) + ">; rel=\"" + rel + "\"";
  };
  std::vector<std::string> links;
  if (page > 1) links.push_back(link(page - 1, "prev"));
  if (page < last) links.push_back(link(page + 1, "next"));
  if (page < last) links.push_back(link(last, "last"));
  if (page > 1) links.push_back(link(1, "first"));
  std::string header;
  for (const auto& l : links) header += (header.empty() ? "" : ", ") + l;
  if (!header.empty()) a.headers["Link"] = header;
  return a;
}

Answer GitHubFake::State::comments(Repo& repo, const std::string& repo_name,
                                   const std::string& method, int issue, const RecordedRequest& r) {
  const std::string docs = std::string(k_docs) + "/issues/comments#create-an-issue-comment";
  if (!repo.pulls.count(issue)) return error_answer(404, "Not Found", docs);
  auto& list = repo.comments[issue];
  if (method == "GET") return {};  // listed by the caller with the request's query
  const json body = r.json();
  if (!body.is_object() || !body.contains("body") || !body["body"].is_string())
    return validation_failed("IssueComment", "body", "missing_field", "", docs);
  const std::string text = body["body"].get<std::string>();
  if (characters(text) > k_max_body_chars)
    return validation_failed("IssueComment", "data", "unprocessable",
                             "Body is too long (maximum is 65536 characters)", docs);
  FakeComment c{next_id++, text, "github-actions[bot]", timestamp(tick), timestamp(tick)};
  ++tick;
  list.push_back(c);
  return {
      201,
      comment_json(repo_name, issue, c),
      {{"Location", base() + "/repos/" + repo_name + "/issues/comments/" + std::to_string(c.id)}}};
}

Answer GitHubFake::State::comment(Repo& repo, const std::string& repo_name,
                                  const std::string& method, long long id,
                                  const RecordedRequest& r) {
  const std::string docs = std::string(k_docs) + "/issues/comments#update-an-issue-comment";
  for (auto& [issue, list] : repo.comments) {
    auto it =
        std::find_if(list.begin(), list.end(), [&](const FakeComment& c) { return c.id == id; });
    if (it == list.end()) continue;
    if (method == "DELETE") {
      list.erase(it);
      return {204, nullptr, {}};
    }
    if (method == "GET") return {200, comment_json(repo_name, issue, *it), {}};
    const json body = r.json();
    if (!body.is_object() || !body.contains("body") || !body["body"].is_string())
      return validation_failed("IssueComment", "body", "missing_field", "", docs);
    const std::string text = body["body"].get<std::string>();
    if (characters(text) > k_max_body_chars)
      return validation_failed("IssueComment", "data", "unprocessable",
                               "Body is too long (maximum is 65536 characters)", docs);
    it->body = text;
    it->updated_at = timestamp(tick++);
    return {200, comment_json(repo_name, issue, *it), {}};
  }
  return error_answer(404, "Not Found", docs);
}

Answer GitHubFake::State::create_status(Repo& repo, const std::string& repo_name,
                                        const std::string& sha, const RecordedRequest& r) {
  const std::string docs = std::string(k_docs) + "/commits/statuses#create-a-commit-status";
  const json body = r.json();
  const std::string state = body.is_object() ? body.value("state", "") : "";
  if (state != "error" && state != "failure" && state != "pending" && state != "success")
    return validation_failed("Status", "state", "custom", "state is not included in the list",
                             docs);
  const std::string description = body.value("description", "");
  if (characters(description) > 140)
    return validation_failed("Status", "description", "custom",
                             "description is too long (maximum is 140 characters)", docs);
  FakeStatus s{next_id++,
               state,
               description,
               body.value("target_url", ""),
               body.value("context", "default"),
               timestamp(tick++)};
  repo.statuses[sha].push_back(s);
  return {201,
          {{"id", s.id},
           {"url", base() + "/repos/" + repo_name + "/statuses/" + sha},
           {"state", s.state},
           {"description", s.description},
           {"target_url", s.target_url.empty() ? json() : json(s.target_url)},
           {"context", s.context},
           {"created_at", s.created_at},
           {"updated_at", s.created_at},
           {"creator", {{"login", "github-actions[bot]"}}}},
          {}};
}

Answer GitHubFake::State::route(const RecordedRequest& r, const httplib::Request& req) {
  static const std::regex k_repo(R"(^/repos/([^/]+/[^/]+)(/.*)$)");
  std::smatch m;
  const std::string path = req.path;
  if (!std::regex_match(path, m, k_repo)) return error_answer(404, "Not Found", k_docs);
  const std::string repo_name = m[1], rest = m[2];
  auto found = repos.find(repo_name);
  if (found == repos.end()) return error_answer(404, "Not Found", k_docs);
  Repo& repo = found->second;
  static const std::regex k_issue_comments(R"(^/issues/(\d+)/comments$)"),
      k_comment(R"(^/issues/comments/(\d+)$)"), k_pull(R"(^/pulls/(\d+)$)"),
      k_status(R"(^/statuses/([0-9a-f]{40}|[0-9a-f]{64})$)"),
      k_commit_statuses(R"(^/commits/([^/]+)/statuses$)"),
      k_combined(R"(^/commits/([^/]+)/status$)"),
      k_permission(R"(^/collaborators/([^/]+)/permission$)");
  const std::string& method = r.method;
  if (std::regex_match(rest, m, k_issue_comments) && (method == "GET" || method == "POST")) {
    const int issue = std::stoi(m[1]);
    Answer a = comments(repo, repo_name, method, issue, r);
    if (method != "GET" || a.status != 200) return a;
    std::vector<json> items;
    for (const auto& c : repo.comments[issue]) items.push_back(comment_json(repo_name, issue, c));
    return list(items, req);
  }
  if (std::regex_match(rest, m, k_comment) &&
      (method == "GET" || method == "PATCH" || method == "DELETE"))
    return comment(repo, repo_name, method, std::stoll(m[1]), r);
  if (std::regex_match(rest, m, k_pull) && method == "GET") {
    auto pull = repo.pulls.find(std::stoi(m[1]));
    if (pull == repo.pulls.end())
      return error_answer(404, "Not Found",
                          std::string(k_docs) + "/pulls/pulls#get-a-pull-request");
    return {200, pull_json(repo_name, pull->first, pull->second), {}};
  }
  if (std::regex_match(rest, m, k_status) && method == "POST")
    return create_status(repo, repo_name, m[1], r);
  if (std::regex_match(rest, m, k_commit_statuses) && method == "GET") {
    const auto& all = repo.statuses[m[1]];
    std::vector<json> items;
    for (auto it = all.rbegin(); it != all.rend(); ++it)  // newest first
      items.push_back({{"id", it->id},
                       {"state", it->state},
                       {"description", it->description},
                       {"target_url", it->target_url},
                       {"context", it->context},
                       {"created_at", it->created_at}});
    return list(items, req);
  }
  if (std::regex_match(rest, m, k_combined) && method == "GET") {
    std::map<std::string, const FakeStatus*> latest;
    for (const auto& s : repo.statuses[m[1]]) latest[s.context] = &s;
    json statuses = json::array();
    std::string state = latest.empty() ? "pending" : "success";
    for (const auto& [context, s] : latest) {
      statuses.push_back(
          {{"state", s->state}, {"context", context}, {"description", s->description}});
      if (s->state == "failure" || s->state == "error")
        state = "failure";
      else if (s->state == "pending" && state == "success")
        state = "pending";
    }
    return {200,
            {{"state", state},
             {"sha", std::string(m[1])},
             {"total_count", latest.size()},
             {"statuses", statuses}},
            {}};
  }
  if (std::regex_match(rest, m, k_permission) && method == "GET") {
    const std::string user = m[1];
    auto p = repo.permissions.find(user);
    const std::string permission = p == repo.permissions.end() ? "none" : p->second;
    return {200,
            {{"permission", permission}, {"role_name", permission}, {"user", {{"login", user}}}},
            {}};
  }
  return error_answer(404, "Not Found", k_docs);
}

Answer GitHubFake::State::handle(const RecordedRequest& r, const httplib::Request& req) {
  std::lock_guard<std::mutex> lock(mutex);
  requests.push_back(r);
  const std::string auth = r.header("authorization");
  if (auth.empty()) return error_answer(401, "Requires authentication", k_docs);
  if (auth != "Bearer " + token && auth != "token " + token)
    return error_answer(401, "Bad credentials", k_docs);
  if (!faults.empty()) {
    Fault f = faults.front();
    faults.pop_front();
    if (f.kind == Fault::status)
      return {f.code, f.code >= 500 ? json() : json{{"message", "fault"}}, {}};
    if (f.kind == Fault::secondary) {
      Answer a = error_answer(
          403,
          "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
          "again. "
          "If you reach out to GitHub Support for help, please include the request ID 0000:FAKE.",
          std::string(k_docs) +
              "/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits");
      a.headers["Retry-After"] = std::to_string(f.value);
      return a;
    }
    Answer a = error_answer(
        403, "API rate limit exceeded for installation ID 1.",
        std::string(k_docs) + "/overview/rate-limits-for-the-rest-api#about-primary-rate-limits");
    a.headers["x-ratelimit-remaining"] = "0";
    a.headers["x-ratelimit-reset"] = std::to_string(f.value);
    return a;
  }
  if (deny_writes && r.method != "GET")
    return error_answer(403, "Resource not accessible by integration",
                        std::string(k_docs) + "/issues/comments#create-an-issue-comment");
  return route(r, req);
}

GitHubFake::GitHubFake(std::string token) : m_state(std::make_unique<State>()) {
  State& s = *m_state;
  s.token = std::move(token);
  auto handler = [&s](const httplib::Request& req, httplib::Response& res) {
    RecordedRequest r;
    r.method = req.method;
    r.target = req.target;
    for (const auto& [name, value] : req.headers) r.headers[lower(name)] = value;
    r.body = req.body;
    Hook before, after;
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      before = s.before;
      after = s.after;
    }
    if (before) before(r);
    Answer a = s.handle(r, req);
    {
      std::lock_guard<std::mutex> lock(s.mutex);
      const long long remaining =
          a.headers.count("x-ratelimit-remaining") ? 0 : std::max(0LL, --s.remaining);
      res.set_header("x-ratelimit-limit", "5000");
      if (!a.headers.count("x-ratelimit-remaining"))
        res.set_header("x-ratelimit-remaining", std::to_string(remaining));
      if (!a.headers.count("x-ratelimit-reset"))
        res.set_header("x-ratelimit-reset", std::to_string(std::time(nullptr) + 3600));
      res.set_header("x-ratelimit-used", std::to_string(5000 - remaining));
      res.set_header("x-ratelimit-resource", "core");
      res.set_header("x-github-api-version-selected", "2022-11-28");
      res.set_header("x-github-request-id", "0000:" + std::to_string(s.requests.size()));
    }
    for (const auto& [name, value] : a.headers) res.set_header(name, value);
    res.status = a.status;
    if (a.status != 204 && !a.body.is_null())
      res.set_content(a.body.dump(), "application/json; charset=utf-8");
    else if (a.status >= 500)
      res.set_content("<html><body>Bad gateway</body></html>", "text/html");
    if (after) after(r);
  };
  // Catch-all routes, so httplib reads each body first; the fake routes by itself.
  s.server.Get(".*", handler)
      .Post(".*", handler)
      .Patch(".*", handler)
      .Put(".*", handler)
      .Delete(".*", handler);
  s.port = s.server.bind_to_any_port("127.0.0.1");
  s.thread = std::thread([&s] { s.server.listen_after_bind(); });
  while (!s.server.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

GitHubFake::~GitHubFake() {
  m_state->server.stop();
  if (m_state->thread.joinable()) m_state->thread.join();
}

std::string GitHubFake::url() const { return m_state->base(); }

void GitHubFake::add_pull(const std::string& repo, int number, const std::string& head_sha,
                          bool from_fork) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  m_state->repos[repo].pulls[number] = Pull{head_sha, from_fork};
}

void GitHubFake::set_head(const std::string& repo, int number, const std::string& head_sha) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  m_state->repos[repo].pulls[number].head_sha = head_sha;
}

long long GitHubFake::add_comment(const std::string& repo, int issue, const std::string& body,
                                  const std::string& user) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  State& s = *m_state;
  FakeComment c{s.next_id++, body, user, timestamp(s.tick), timestamp(s.tick)};
  ++s.tick;
  s.repos[repo].comments[issue].push_back(c);
  return c.id;
}

void GitHubFake::set_permission(const std::string& repo, const std::string& user,
                                const std::string& permission) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  m_state->repos[repo].permissions[user] = permission;
}

std::vector<FakeComment> GitHubFake::comments(const std::string& repo, int issue) const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  auto r = m_state->repos.find(repo);
  if (r == m_state->repos.end()) return {};
  auto c = r->second.comments.find(issue);
  return c == r->second.comments.end() ? std::vector<FakeComment>{} : c->second;
}

std::vector<FakeStatus> GitHubFake::statuses(const std::string& repo,
                                             const std::string& sha) const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  auto r = m_state->repos.find(repo);
  if (r == m_state->repos.end()) return {};
  auto s = r->second.statuses.find(sha);
  return s == r->second.statuses.end() ? std::vector<FakeStatus>{} : s->second;
}

void GitHubFake::fail_next(int n, int status) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  for (int i = 0; i < n; ++i) m_state->faults.push_back({Fault::status, status, 0});
}

void GitHubFake::secondary_rate_limit_next(int n, int retry_after_seconds) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  for (int i = 0; i < n; ++i)
    m_state->faults.push_back({Fault::secondary, 403, retry_after_seconds});
}

void GitHubFake::primary_rate_limit_next(int n, long long reset_epoch_seconds) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  for (int i = 0; i < n; ++i) m_state->faults.push_back({Fault::primary, 403, reset_epoch_seconds});
}

void GitHubFake::deny_writes(bool deny) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  m_state->deny_writes = deny;
}

void GitHubFake::before_each(Hook hook) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  m_state->before = std::move(hook);
}

void GitHubFake::after_each(Hook hook) {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  m_state->after = std::move(hook);
}

std::vector<RecordedRequest> GitHubFake::requests() const {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  return m_state->requests;
}

void GitHubFake::clear_requests() {
  std::lock_guard<std::mutex> lock(m_state->mutex);
  m_state->requests.clear();
}

SilentServer::SilentServer() {
  m_fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (m_fd < 0 || bind(m_fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
      listen(m_fd, 64) != 0 || getsockname(m_fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    const std::string why = std::strerror(errno);
    if (m_fd >= 0) close(m_fd);
    throw std::runtime_error("SilentServer: cannot listen on 127.0.0.1: " + why);
  }
  m_port = ntohs(a.sin_port);
}

SilentServer::~SilentServer() { close(m_fd); }

std::string SilentServer::url() const { return "http://127.0.0.1:" + std::to_string(m_port); }

}  // namespace faultline::ci::testing
