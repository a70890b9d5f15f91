// ci/http.h — one HTTP connection to an API over libcurl: a request in, the
// status, headers and body out. It reuses its connection (and HTTP/2 where the
// server offers it over TLS), applies connect, stall and total timeouts, and writes a
// verbose trace with every secret masked. Retries, rate limits and what GitHub's
// answers mean are ci/client.h's business.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <ostream>
#include <string>
#include <vector>

#include "base/expected.h"
#include "base/redact.h"

namespace faultline::ci {

struct HttpRequest {
  std::string method = "GET";        // GET, POST, PATCH, PUT, DELETE
  std::string url;                   // absolute
  std::vector<std::string> headers;  // "Name: value"
  std::string body;                  // sent when non-empty (or for POST/PATCH/PUT)
  // When non-zero and shorter than HttpOptions::total_timeout: this request's
  // total time (what is left of the caller's deadline).
  std::chrono::milliseconds timeout{0};
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string>
      headers;  // names lower-cased; a repeated header keeps the last
  std::string body;

  // The header's value, or "" when absent (`name` lower-case).
  std::string header(const std::string& name) const;
};

struct HttpOptions {
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds total_timeout{60'000};
  // A request that receives (and sends) nothing for this long is given up
  // (libcurl's low-speed limit of 1 byte/s): a server that accepts and never answers.
  std::chrono::milliseconds stall_timeout{15'000};
  // Called about once a second while a request waits, with the time since it
  // started (the caller says what it is waiting for, and how often).
  std::function<void(std::chrono::milliseconds waited)> waiting;
  std::string user_agent = "faultline";
  std::ostream* trace = nullptr;       // libcurl's verbose trace, redacted, when set
  const Redactor* redactor = nullptr;  // masks secrets in the trace and in errors
};

class HttpSession {
 public:
  explicit HttpSession(HttpOptions options);
  ~HttpSession();
  HttpSession(const HttpSession&) = delete;
  HttpSession& operator=(const HttpSession&) = delete;

  // An answer with any status; an Error (infrastructure) only when no answer came:
  // "cannot reach https://…/path: Couldn't connect to server (curl error 7)".
  Expected<HttpResponse> perform(const HttpRequest& request);

  const HttpOptions& options() const { return m_options; }

 private:
  std::string redacted(std::string_view text) const;

  HttpOptions m_options;
  void* m_curl = nullptr;  // CURL*, reused so its connection is kept alive
};

}  // namespace faultline::ci
