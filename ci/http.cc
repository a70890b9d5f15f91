#include "ci/http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <mutex>
#include <sstream>

namespace faultline::ci {

namespace {

constexpr std::size_t k_trace_body_bytes = 2'000;  // of each body shown in a verbose trace

void global_init() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

struct Transfer {
  HttpResponse response;
  const HttpOptions* options = nullptr;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
};

// libcurl's progress callback: tells options->waiting how long the request has waited.
int on_progress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t) {
  const auto* transfer = static_cast<const Transfer*>(user);
  if (transfer->options->waiting)
    transfer->options->waiting(std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - transfer->started));
  return 0;
}

long milliseconds_of(std::chrono::milliseconds d) { return static_cast<long>(d.count()); }

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<Transfer*>(user)->response.body.append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto& response = static_cast<Transfer*>(user)->response;
  std::string_view line(data, size * count);
  if (line.rfind("HTTP/", 0) == 0)
    response.headers.clear();  // a new response (redirect, 100 Continue)
  if (auto colon = line.find(':'); colon != std::string_view::npos)
    response.headers[lower(trim(line.substr(0, colon)))] = trim(line.substr(colon + 1));
  return size * count;
}

// Any "Authorization:" header line keeps only its scheme in the trace.
std::string mask_authorization(std::string text) {
  std::size_t at = 0;
  while ((at = lower(text).find("authorization:", at)) != std::string::npos) {
    std::size_t value = at + 14;
    while (value < text.size() && text[value] == ' ') ++value;
    std::size_t end = text.find_first_of("\r\n", value);
    if (end == std::string::npos) end = text.size();
    std::size_t space = text.find(' ', value);
    std::size_t keep = space != std::string::npos && space < end ? space + 1 : value;
    text.replace(keep, end - keep, std::string(Redactor::k_mask));
    at = keep;
  }
  return text;
}

int on_debug(CURL*, curl_infotype type, char* data, std::size_t size, void* user) {
  const auto* options = static_cast<const HttpOptions*>(user);
  const char* prefix = nullptr;
  std::string text(data, size);
  switch (type) {
    case CURLINFO_TEXT:
      prefix = "* ";
      break;
    case CURLINFO_HEADER_OUT:
      prefix = "> ";
      text = mask_authorization(text);
      break;
    case CURLINFO_HEADER_IN:
      prefix = "< ";
      break;
    case CURLINFO_DATA_OUT:
      prefix = ">> ";
      break;
    case CURLINFO_DATA_IN:
      prefix = "<< ";
      break;
    default:
      return 0;  // TLS data: binary
  }
  if ((type == CURLINFO_DATA_OUT || type == CURLINFO_DATA_IN) && text.size() > k_trace_body_bytes)
    text = text.substr(0, k_trace_body_bytes) + "… (" + std::to_string(size) + " bytes)\n";
  if (options->redactor) text = options->redactor->apply(text);
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    *options->trace << prefix << line << "\n";
  }
  return 0;
}

}  // namespace

std::string HttpResponse::header(const std::string& name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

HttpSession::HttpSession(HttpOptions options) : m_options(std::move(options)) {
  global_init();
  m_curl = curl_easy_init();
}

HttpSession::~HttpSession() { curl_easy_cleanup(static_cast<CURL*>(m_curl)); }

std::string HttpSession::redacted(std::string_view text) const {
  return m_options.redactor ? m_options.redactor->apply(text) : std::string(text);
}

Expected<HttpResponse> HttpSession::perform(const HttpRequest& request) {
  CURL* curl = static_cast<CURL*>(m_curl);
  if (!curl) return fail(infrastructure("cannot start libcurl (curl_easy_init failed)"));
  curl_easy_reset(curl);  // keeps the connection cache: the next request reuses the connection
  Transfer transfer;
  curl_slist* headers = nullptr;
  for (const auto& h : request.headers) headers = curl_slist_append(headers, h.c_str());
  headers = curl_slist_append(headers, "Expect:");  // no 100-continue round trip for large bodies
  curl_easy_setopt(curl, CURLOPT_URL, request.url.c_str());
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, m_options.user_agent.c_str());
  const std::chrono::milliseconds total = request.timeout.count() > 0
                                              ? std::min(request.timeout, m_options.total_timeout)
                                              : m_options.total_timeout;
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS,
                   milliseconds_of(std::min(m_options.connect_timeout, total)));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, milliseconds_of(total));
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);  // bytes per second, for ...
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME,        // ... this many whole seconds
                   std::max(1L, milliseconds_of(m_options.stall_timeout) / 1000));
  transfer.options = &m_options;
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, on_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  char error_text[CURL_ERROR_SIZE] = {};
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error_text);
  curl_easy_setopt(curl, CURLOPT_HTTP_VERSION, CURL_HTTP_VERSION_2TLS);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_ACCEPT_ENCODING, "");  // whatever libcurl can decode
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  if (request.method == "GET") {
    curl_easy_setopt(curl, CURLOPT_HTTPGET, 1L);
  } else {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    if (request.method != "DELETE" || !request.body.empty()) {
      curl_easy_setopt(curl, CURLOPT_POSTFIELDS, request.body.data());
      curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                       static_cast<curl_off_t>(request.body.size()));
    }
  }
  if (m_options.trace) {
    curl_easy_setopt(curl, CURLOPT_VERBOSE, 1L);
    curl_easy_setopt(curl, CURLOPT_DEBUGFUNCTION, on_debug);
    curl_easy_setopt(curl, CURLOPT_DEBUGDATA, &m_options);
  }
  CURLcode code = curl_easy_perform(curl);
  curl_slist_free_all(headers);
  if (code != CURLE_OK) {
    // A timeout says which one ("Operation too slow. Less than 1 bytes/sec …").
    const std::string why =
        code == CURLE_OPERATION_TIMEDOUT && error_text[0] ? error_text : curl_easy_strerror(code);
    return fail(infrastructure(redacted("cannot reach " + request.url + ": " + why +
                                        " (curl error " + std::to_string(code) + ")")));
  }
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  return std::move(transfer.response);
}

}  // namespace faultline::ci
