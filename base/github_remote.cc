#include "base/github_remote.h"

#include <algorithm>
#include <cctype>

namespace faultline {

namespace {

bool equals_ignoring_case(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

bool is_github_host(std::string_view host) {
  return equals_ignoring_case(host, "github.com") || equals_ignoring_case(host, "www.github.com");
}

// Owner: letters, digits and '-'; repository: letters, digits, '-', '_', '.' (not "." or "..").
bool good_name(std::string_view s, bool repository) {
  if (s.empty() || s == "." || s == "..") return false;
  return std::all_of(s.begin(), s.end(), [&](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
           (repository && (c == '_' || c == '.'));
  });
}

// "OWNER/REPO", "OWNER/REPO.git", "OWNER/REPO/" as the path after the host.
std::optional<GithubRepo> repo_of_path(std::string_view path) {
  while (!path.empty() && path.front() == '/') path.remove_prefix(1);
  if (!path.empty() && path.back() == '/') path.remove_suffix(1);
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::string_view owner = path.substr(0, slash), name = path.substr(slash + 1);
  if (name.size() >= 4 && name.substr(name.size() - 4) == ".git") name.remove_suffix(4);
  if (!good_name(owner, false) || !good_name(name, true)) return std::nullopt;
  return GithubRepo{std::string(owner), std::string(name)};
}

// The host of "[user[:password]@]host[:port]".
std::string_view host_of(std::string_view authority) {
  if (const std::size_t at = authority.rfind('@'); at != std::string_view::npos)
    authority.remove_prefix(at + 1);
  return authority.substr(0, authority.find(':'));
}

}  // namespace

std::optional<GithubRepo> github_repo_of_remote(std::string_view url) {
  while (!url.empty() && std::isspace(static_cast<unsigned char>(url.back()))) url.remove_suffix(1);
  if (const std::size_t scheme = url.find("://"); scheme != std::string_view::npos) {
    const std::string_view rest = url.substr(scheme + 3);
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos || !is_github_host(host_of(rest.substr(0, slash))))
      return std::nullopt;
    return repo_of_path(rest.substr(slash));
  }
  // scp-like: [user@]host:path, with no slash before the colon.
  const std::size_t colon = url.find(':');
  if (colon == std::string_view::npos || url.substr(0, colon).find('/') != std::string_view::npos)
    return std::nullopt;
  if (!is_github_host(host_of(url.substr(0, colon)))) return std::nullopt;
  return repo_of_path(url.substr(colon + 1));
}

std::string github_compare_url(const GithubRepo& repo, std::string_view base,
                               std::string_view head) {
  return "https://github.com/" + repo.owner + "/" + repo.name + "/compare/" + std::string(base) +
         "..." + std::string(head);
}

}  // namespace faultline
