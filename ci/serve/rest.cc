#include "ci/serve/rest.h"

#include "ci/publish.h"

namespace faultline::ci::serve {

namespace {

// A path segment: GitHub logins are letters, digits and '-', apps end in "[bot]".
std::string segment(const std::string& text) {
  static constexpr char k_hex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += k_hex[c >> 4];
      out += k_hex[c & 15];
    }
  }
  return out;
}

std::string cut(const std::string& text, std::size_t max) {
  if (text.size() <= max) return text;
  std::size_t end = max - 3;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80)
    --end;  // a UTF-8 boundary
  return text.substr(0, end) + "...";
}

}  // namespace

RestPoster::RestPoster(ClientOptions options, std::string name, std::ostream* log)
    : m_client(std::move(options)), m_name(std::move(name)), m_log(log) {}

Expected<std::string> RestPoster::permission(const std::string& repo, const std::string& user) {
  ApiRequest r{"GET", "/repos/" + repo + "/collaborators/" + segment(user) + "/permission",
               std::nullopt, "checking " + user + "'s permission on " + repo};
  FAULTLINE_TRY(auto response, m_client.send(r));
  if (response.status == 404) return std::string("none");  // not a collaborator
  if (!response.ok()) return fail(m_client.explain(response, r));
  if (!response.body.contains("permission") || !response.body["permission"].is_string())
    return fail(infrastructure("GitHub's answer to " + r.what + " has no 'permission'"));
  return response.body["permission"].get<std::string>();
}

Expected<nlohmann::json> RestPoster::pull(const std::string& repo, int pr) {
  return m_client.call({"GET", "/repos/" + repo + "/pulls/" + std::to_string(pr), std::nullopt,
                        "reading pull request #" + std::to_string(pr) + " in " + repo});
}

Status RestPoster::status(const Job& job, const std::string& state,
                          const std::string& description) {
  nlohmann::json body = {{"state", state},
                         {"description", cut(description, k_max_description_chars)},
                         {"context", "faultline/" + m_name}};
  auto r = m_client.call(
      {"POST", "/repos/" + job.repo + "/statuses/" + job.sha, body,
       "setting the " + state + " status of " + job.sha.substr(0, 12) + " in " + job.repo});
  if (!r) return fail(r.error());
  return Ok{};
}

Status RestPoster::pending(const Job& job) {
  return status(job, "pending", "faultline queued " + job.command + " (" + job.reason + ")");
}

Status RestPoster::error(const Job& job, const std::string& description) {
  return status(job, "error", description);
}

Status RestPoster::results(const Job& job, const nlohmann::json& results,
                           const std::string& markdown) {
  Target target{m_client.options().api_url, job.repo, job.pr, job.sha, ""};
  PublishOptions options;
  options.name = m_name;
  options.log = m_log;
  Publisher publisher(m_client, target, options);
  auto published = publisher.results(status_for(results), markdown);
  if (!published) return fail(published.error());
  if (m_log && !published->warning.empty())
    *m_log << m_client.redactor().apply("faultline: warning: " + published->warning) << "\n";
  return Ok{};
}

}  // namespace faultline::ci::serve
