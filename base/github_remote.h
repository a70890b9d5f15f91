// Which GitHub repository a git remote URL names, and the compare link between
// two commits there. Pure text: the URL comes from `git remote get-url` (runner/),
// in any form git accepts for github.com (https, http, ssh://, git://,
// git+ssh://, and the scp-like git@github.com:OWNER/REPO.git).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace faultline {

struct GithubRepo {
  std::string owner;  // "acme"
  std::string name;   // "widget" (without ".git")
};

// The repository `url` names when its host is github.com (or www.github.com);
// nullopt for another host, a URL with more path than OWNER/REPO, or a name
// GitHub would not accept. User names and tokens in the URL are dropped.
std::optional<GithubRepo> github_repo_of_remote(std::string_view url);

// "https://github.com/OWNER/REPO/compare/BASE...HEAD": the commits after BASE up to HEAD.
std::string github_compare_url(const GithubRepo& repo, std::string_view base,
                               std::string_view head);

}  // namespace faultline
