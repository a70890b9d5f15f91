#include "ci/client.h"

#include <cmath>
#include <ctime>
#include <thread>

#include "base/time.h"

namespace faultline::ci {

namespace {

using std::chrono::seconds;
using std::chrono::system_clock;

constexpr milliseconds k_secondary_minimum{60'000};  // GitHub: "wait at least one minute"

std::string origin_of(const std::string& url) {
  std::size_t scheme = url.find("://");
  if (scheme == std::string::npos) return url;
  std::size_t slash = url.find('/', scheme + 3);
  return slash == std::string::npos ? url : url.substr(0, slash);
}

std::string seconds_text(milliseconds ms) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f s", static_cast<double>(ms.count()) / 1000.0);
  return buf;
}

std::optional<long long> integer_header(const HttpResponse& r, const std::string& name) {
  const std::string v = r.header(name);
  if (v.empty()) return std::nullopt;
  char* end = nullptr;
  long long n = std::strtoll(v.c_str(), &end, 10);
  if (!end || *end != '\0' || n < 0) return std::nullopt;
  return n;
}

std::string what_of(const ApiRequest& r) {
  return r.what.empty() ? r.method + " " + r.path : r.what;
}

bool is_secondary_limit(const ApiResponse& r) {
  return r.message().find("secondary rate limit") != std::string::npos;
}

bool primary_exhausted(const ApiResponse& r) {
  return r.http.header("x-ratelimit-remaining") == "0";
}

bool rate_limited(const ApiResponse& r) {
  if (r.status != 403 && r.status != 429) return false;
  return r.status == 429 || !r.http.header("retry-after").empty() || primary_exhausted(r) ||
         is_secondary_limit(r);
}

// GitHub's 422 details: each error's message, else "field code".
std::string validation_details(const nlohmann::json& body) {
  if (!body.is_object() || !body.contains("errors") || !body["errors"].is_array()) return "";
  std::string out;
  for (const auto& e : body["errors"]) {
    std::string one;
    if (e.is_string())
      one = e.get<std::string>();
    else if (e.is_object() && e.contains("message") && e["message"].is_string())
      one = e["message"].get<std::string>();
    else if (e.is_object())
      one = e.value("resource", std::string()) + "." + e.value("field", std::string()) + " " +
            e.value("code", std::string());
    if (!one.empty()) out += (out.empty() ? "" : "; ") + one;
  }
  return out;
}

}  // namespace

bool is_rate_limited(const ApiResponse& response) { return rate_limited(response); }

std::string ApiResponse::message() const {
  if (body.is_object() && body.contains("message") && body["message"].is_string())
    return body["message"].get<std::string>();
  return "";
}

std::string next_link(const std::string& link_header) {
  std::size_t at = 0;
  while (at < link_header.size()) {
    std::size_t open = link_header.find('<', at);
    if (open == std::string::npos) return "";
    std::size_t close = link_header.find('>', open);
    if (close == std::string::npos) return "";
    std::size_t end = link_header.find(',', close);
    const std::string params = link_header.substr(
        close + 1, end == std::string::npos ? std::string::npos : end - close - 1);
    if (params.find("rel=\"next\"") != std::string::npos ||
        params.find("rel=next") != std::string::npos)
      return link_header.substr(open + 1, close - open - 1);
    if (end == std::string::npos) return "";
    at = end + 1;
  }
  return "";
}

GitHubClient::GitHubClient(ClientOptions options)
    : m_options(std::move(options)), m_jitter(std::random_device{}()) {
  while (!m_options.api_url.empty() && m_options.api_url.back() == '/')
    m_options.api_url.pop_back();
  m_redactor.add(m_options.token);
  if (!m_options.sleep) m_options.sleep = [](milliseconds d) { std::this_thread::sleep_for(d); };
  if (!m_options.now) m_options.now = [] { return system_clock::now(); };
  HttpOptions http;
  http.connect_timeout = m_options.connect_timeout;
  http.total_timeout = m_options.total_timeout;
  http.stall_timeout = m_options.stall_timeout;
  http.waiting = [this](milliseconds waited) { on_waiting(waited); };
  http.user_agent = m_options.user_agent;
  http.trace = m_options.trace;
  http.redactor = &m_redactor;
  m_http = std::make_unique<HttpSession>(std::move(http));
}

std::string GitHubClient::url_for(const std::string& path) const {
  if (path.rfind("http://", 0) == 0 || path.rfind("https://", 0) == 0) return path;
  return m_options.api_url + path;
}

HttpRequest GitHubClient::http_request(const ApiRequest& request, const std::string& url) const {
  HttpRequest h;
  h.method = request.method;
  h.url = url;
  h.headers = {"Accept: application/vnd.github+json",
               "X-GitHub-Api-Version: " + m_options.api_version};
  if (!m_options.token.empty()) h.headers.push_back("Authorization: Bearer " + m_options.token);
  if (request.body) {
    h.headers.push_back("Content-Type: application/json");
    h.body = request.body->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  }
  return h;
}

void GitHubClient::note(const std::string& line) const {
  if (m_options.log) *m_options.log << m_redactor.apply(line) << "\n" << std::flush;
}

Status GitHubClient::wait(milliseconds how_long, const std::string& why,
                          const ApiRequest& request) {
  if (how_long > m_options.max_wait) {
    return fail(infrastructure(m_redactor.apply(
        what_of(request) + ": GitHub asks to wait " + seconds_text(how_long) + " (" + why +
        "), longer than faultline waits (" + seconds_text(m_options.max_wait) +
        "); try again after " + utc_clock(m_options.now() + how_long))));
  }
  note("faultline: " + why + "; waiting " + seconds_text(how_long) + " before " + request.method +
       " " + request.path);
  m_options.sleep(how_long);
  return Ok{};
}

milliseconds GitHubClient::backoff(int attempt) {
  const double base =
      static_cast<double>(m_options.first_backoff.count()) * std::pow(2.0, attempt - 1);
  std::uniform_real_distribution<double> jitter(0.0, 0.5);
  return milliseconds(static_cast<long long>(base * (1.0 + jitter(m_jitter))));
}

// How long GitHub asks to wait before retrying `r`, or nullopt when `r` is no rate limit.
std::optional<milliseconds> GitHubClient::rate_limit_wait(const ApiResponse& r, int attempt,
                                                          std::string& why) const {
  if (!rate_limited(r)) return std::nullopt;
  if (auto after = integer_header(r.http, "retry-after")) {
    why = "GitHub's " + std::string(is_secondary_limit(r) ? "secondary " : "") + "rate limit (" +
          std::to_string(r.status) + ", Retry-After: " + std::to_string(*after) + ")";
    return seconds(*after);
  }
  if (primary_exhausted(r)) {
    if (auto reset = integer_header(r.http, "x-ratelimit-reset")) {
      auto until = system_clock::time_point(seconds(*reset));
      auto left = std::chrono::duration_cast<milliseconds>(until - m_options.now()) + seconds(1);
      why = "GitHub's rate limit is used up until " + utc_clock(until) + " (" +
            std::to_string(r.status) + ")";
      return std::max(left, milliseconds(1'000));
    }
  }
  why = "GitHub's secondary rate limit (" + std::to_string(r.status) + ")";
  return k_secondary_minimum * (1LL << std::min(attempt - 1, 4));
}

milliseconds GitHubClient::left(std::chrono::steady_clock::time_point started) const {
  return m_options.deadline -
         std::chrono::duration_cast<milliseconds>(std::chrono::steady_clock::now() - started);
}

// "after 5 attempts", or when the deadline ended them sooner "after 2 attempts in 60.0 s;
// faultline waits at most 60.0 s for an answer to one request".
std::string GitHubClient::after_attempts(int attempts, milliseconds took) const {
  std::string after =
      "after " + std::to_string(attempts) + (attempts == 1 ? " attempt" : " attempts");
  if (attempts < m_options.max_attempts)
    after += " in " + seconds_text(took) + "; faultline waits at most " +
             seconds_text(m_options.deadline) + " for an answer to one request";
  return after;
}

Error GitHubClient::gave_up(const ApiRequest& request, const Error& error, int attempts,
                            std::chrono::steady_clock::time_point started) const {
  const std::string after = after_attempts(attempts, m_options.deadline - left(started));
  return infrastructure(
      m_redactor.apply(what_of(request) + ": " + error.message + " (" + after + ")"));
}

// A line every notice_every while an attempt waits: what for, and for how long at most.
void GitHubClient::on_waiting(milliseconds waited) {
  if (waited < m_next_notice || m_options.notice_every.count() <= 0) return;
  note("faultline: waiting for " + origin_of(m_options.api_url) + " to answer " + m_waiting_for +
       ": " + seconds_text(m_next_notice) + " so far; faultline gives up after " +
       seconds_text(m_options.deadline) + " in all");
  while (m_next_notice <= waited) m_next_notice += m_options.notice_every;
}

Expected<ApiResponse> GitHubClient::attempt(const ApiRequest& request, int n,
                                            std::chrono::steady_clock::time_point started) {
  const std::string url = url_for(request.path);
  if (origin_of(url) != origin_of(m_options.api_url))
    return fail(infrastructure(what_of(request) + ": refusing to send the token to " +
                               origin_of(url) + ", which is not " + origin_of(m_options.api_url)));
  HttpRequest http_call = http_request(request, url);
  http_call.timeout = std::max(left(started), milliseconds(1));
  m_waiting_for = request.method + " " + request.path + " (attempt " + std::to_string(n) + " of " +
                  std::to_string(m_options.max_attempts) + ")";
  m_next_notice = m_options.notice_every;
  FAULTLINE_TRY(HttpResponse http, m_http->perform(http_call));
  ApiResponse r;
  r.status = http.status;
  r.body = nlohmann::json::parse(http.body, nullptr, false);
  if (r.body.is_discarded()) r.body = nullptr;
  r.http = std::move(http);
  return r;
}

Expected<ApiResponse> GitHubClient::send(const ApiRequest& request) {
  std::lock_guard<std::mutex> serial(m_serial);
  const auto started = std::chrono::steady_clock::now();
  for (int n = 1;; ++n) {
    if (m_exhausted_until && *m_exhausted_until > m_options.now()) {
      auto left = std::chrono::duration_cast<milliseconds>(*m_exhausted_until - m_options.now()) +
                  milliseconds(1'000);
      if (auto s = wait(left, "GitHub's rate limit is used up (x-ratelimit-remaining: 0)", request);
          !s)
        return fail(s.error());
    }
    m_exhausted_until.reset();
    auto r = attempt(request, n, started);
    const bool last = n >= m_options.max_attempts;
    if (!r) {
      const milliseconds pause = backoff(n);
      if (last || left(started) <= pause) return fail(gave_up(request, r.error(), n, started));
      if (auto s = wait(pause, r.error().message, request); !s) return fail(s.error());
      continue;
    }
    if (primary_exhausted(*r))
      if (auto reset = integer_header(r->http, "x-ratelimit-reset"))
        m_exhausted_until = system_clock::time_point(seconds(*reset));
    std::string why;
    if (const milliseconds pause = backoff(n); r->status >= 500 && !last && left(started) > pause) {
      why = "GitHub answered " + std::to_string(r->status) + " to " + request.method + " " +
            request.path + " (attempt " + std::to_string(n) + " of " +
            std::to_string(m_options.max_attempts) + ")";
      if (auto s = wait(pause, why, request); !s) return fail(s.error());
      continue;
    }
    if (auto w = rate_limit_wait(*r, n, why); w && !last) {
      m_exhausted_until.reset();  // the wait below covers it
      if (auto s = wait(*w, why, request); !s) return fail(s.error());
      continue;
    }
    r->attempts = n;
    r->took = m_options.deadline - left(started);
    return r;
  }
}

Expected<nlohmann::json> GitHubClient::call(const ApiRequest& request) {
  FAULTLINE_TRY(ApiResponse r, send(request));
  if (!r.ok()) return fail(explain(r, request));
  return std::move(r.body);
}

Expected<std::vector<nlohmann::json>> GitHubClient::paginate(const ApiRequest& request) {
  std::vector<nlohmann::json> items;
  ApiRequest page = request;
  for (int pages = 0; !page.path.empty(); ++pages) {
    FAULTLINE_TRY(ApiResponse r, send(page));
    if (!r.ok()) return fail(explain(r, page));
    if (!r.body.is_array())
      return fail(infrastructure(what_of(page) + ": GitHub answered " + std::to_string(r.status) +
                                 " without a JSON list"));
    for (auto& item : r.body) items.push_back(std::move(item));
    page.path = next_link(r.http.header("link"));
  }
  return items;
}

Error GitHubClient::explain(const ApiResponse& r, const ApiRequest& request) const {
  std::string message = r.message();
  const std::string status = std::to_string(r.status) + (message.empty() ? "" : " " + message);
  const std::string token = "$" + m_options.token_source;
  std::string text;
  if (r.status == 401) {
    text = what_of(request) + ": GitHub rejected the token in " + token + " (" + status +
           "): it is wrong, expired or revoked";
  } else if (rate_limited(r)) {
    text = what_of(request) + ": GitHub's rate limit still refused " +
           after_attempts(r.attempts, r.took) + " (" + status + ")";
  } else if (r.status == 403) {
    text = what_of(request) + ": GitHub refused the token in " + token + " (" + status +
           "): it may not do this; a workflow needs `permissions: pull-requests: write, statuses: "
           "write`, and a pull "
           "request from a fork gets a read-only token";
  } else if (r.status == 404) {
    text = what_of(request) + ": GitHub found no such thing (" + status +
           "): check the repository and the number, and that the token in " + token +
           " can see the repository";
  } else if (r.status == 422) {
    const std::string details = validation_details(r.body);
    text = what_of(request) + ": GitHub rejected the request as invalid (" + status +
           (details.empty() ? "" : ": " + details) + ")";
  } else if (r.status >= 500) {
    text =
        what_of(request) + ": GitHub answered " + status + " " + after_attempts(r.attempts, r.took);
  } else {
    text = what_of(request) + ": GitHub answered " + status;
  }
  return infrastructure(m_redactor.apply(text));
}

}  // namespace faultline::ci
