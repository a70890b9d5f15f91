// ci/client.h — faultline's GitHub REST client: JSON requests with GitHub's
// headers (Bearer token, API version, media type), retries with exponential
// backoff and jitter on network errors and 5xx within a deadline per request
// (a line on the log every few seconds an answer is awaited), waits that honour GitHub's
// primary and secondary rate limits, pagination through `Link` headers, and one
// clear sentence for each refusal (401/403/404/422). The token is masked in every
// message and trace. One request at a time per client: calls are serial.
// What to post (sticky comment, commit status) is ci/publish.h's business.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <ostream>
#include <random>
#include <string>
#include <vector>

#include "base/expected.h"
#include "base/redact.h"
#include "ci/http.h"

namespace faultline::ci {

using std::chrono::milliseconds;

struct ClientOptions {
  std::string api_url = "https://api.github.com";  // GitHub Enterprise Server: https://HOST/api/v3
  std::string token;
  std::string token_source = "GITHUB_TOKEN";  // named in messages, never the value
  std::string user_agent = "faultline/0.1.0 (+https://github.com/faultline)";
  std::string api_version = "2022-11-28";
  milliseconds connect_timeout{10'000};
  milliseconds total_timeout{30'000};  // one attempt
  milliseconds stall_timeout{15'000};  // one attempt that receives nothing for this long fails
  // A request that gets no answer is given up after this long, its attempts and
  // the waits between them together (rate-limit waits have max_wait instead).
  milliseconds deadline{60'000};
  milliseconds notice_every{5'000};   // a line on `log` while an attempt waits this long, and again
  int max_attempts = 5;               // per request, counting the first
  milliseconds first_backoff{1'000};  // doubled after each failed attempt, plus up to 50% jitter
  milliseconds max_wait{120'000};     // longest single wait; a longer Retry-After or reset fails
  std::function<void(milliseconds)> sleep;                     // default: sleep this thread
  std::function<std::chrono::system_clock::time_point()> now;  // default: the system clock
  std::ostream* log = nullptr;    // one line per wait or retry, redacted
  std::ostream* trace = nullptr;  // libcurl's verbose trace, redacted
};

struct ApiRequest {
  std::string method = "GET";
  std::string path;  // "/repos/o/r/…" under api_url, or an absolute URL under it
  std::optional<nlohmann::json> body;
  std::string what;  // for messages: "listing the comments of pull request #7 in o/r"
};

struct ApiResponse {
  long status = 0;
  HttpResponse http;
  nlohmann::json body;   // null when the body is empty or not JSON
  int attempts = 1;      // requests sent to get this answer, counting the first
  milliseconds took{0};  // from the first attempt to this answer, waits included

  bool ok() const { return status >= 200 && status < 300; }
  std::string message() const;  // GitHub's "message" field, or ""
};

class GitHubClient {
 public:
  explicit GitHubClient(ClientOptions options);

  // GitHub's answer after retrying 5xx, network errors and rate limits; any other
  // status is returned as it is. An Error (infrastructure) when no usable answer came.
  Expected<ApiResponse> send(const ApiRequest& request);

  // send() for a 2xx, else the refusal as one sentence (explain()).
  Expected<nlohmann::json> call(const ApiRequest& request);

  // Every element of every page of a list, following `Link: <…>; rel="next"`.
  Expected<std::vector<nlohmann::json>> paginate(const ApiRequest& request);

  // One sentence for a refusal: place (request.what), GitHub's status and message,
  // and what to do. ErrorKind::infrastructure.
  Error explain(const ApiResponse& response, const ApiRequest& request) const;

  const Redactor& redactor() const { return m_redactor; }
  const ClientOptions& options() const { return m_options; }

 private:
  std::string url_for(const std::string& path) const;
  HttpRequest http_request(const ApiRequest& request, const std::string& url) const;
  std::optional<milliseconds> rate_limit_wait(const ApiResponse& r, int attempt,
                                              std::string& why) const;
  milliseconds backoff(int attempt);
  Expected<ApiResponse> attempt(const ApiRequest& request, int n,
                                std::chrono::steady_clock::time_point started);
  milliseconds left(std::chrono::steady_clock::time_point started) const;
  std::string after_attempts(int attempts, milliseconds took) const;
  Error gave_up(const ApiRequest& request, const Error& error, int attempts,
                std::chrono::steady_clock::time_point started) const;
  void on_waiting(milliseconds waited);
  void note(const std::string& line) const;
  Status wait(milliseconds how_long, const std::string& why, const ApiRequest& request);

  ClientOptions m_options;
  Redactor m_redactor;
  std::unique_ptr<HttpSession> m_http;
  std::mutex m_serial;  // one request at a time
  std::mt19937 m_jitter;
  std::optional<std::chrono::system_clock::time_point>
      m_exhausted_until;          // x-ratelimit-remaining: 0
  std::string m_waiting_for;      // the attempt in flight: "GET /repos/… (attempt 1 of 5)"
  milliseconds m_next_notice{0};  // when on_waiting next writes a line
};

// A 403 or 429 that is GitHub's primary or secondary rate limit (not a refusal).
bool is_rate_limited(const ApiResponse& response);

// `Link` header → the URL with rel="next", or "" (RFC 8288, as GitHub writes it).
std::string next_link(const std::string& link_header);

}  // namespace faultline::ci
