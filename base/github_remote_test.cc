#include "base/github_remote.h"

#include <gtest/gtest.h>

namespace faultline {
namespace {

std::string owner_repo(std::string_view url) {
  auto repo = github_repo_of_remote(url);
  return repo ? repo->owner + "/" + repo->name : "(none)";
}

TEST(GithubRemote, EveryFormGitAcceptsForGithubNamesTheRepository) {
  EXPECT_EQ(owner_repo("https://github.com/acme/widget.git"), "acme/widget");
  EXPECT_EQ(owner_repo("https://github.com/acme/widget"), "acme/widget");
  EXPECT_EQ(owner_repo("https://github.com/acme/widget/"), "acme/widget");
  EXPECT_EQ(owner_repo("http://www.github.com/acme/widget.git\n"), "acme/widget");
  EXPECT_EQ(owner_repo("https://x-access-token:ghp_secret@github.com/acme/widget.git"),
            "acme/widget");
  EXPECT_EQ(owner_repo("ssh://git@github.com/acme/widget.git"), "acme/widget");
  EXPECT_EQ(owner_repo("ssh://git@github.com:22/acme/widget.git"), "acme/widget");
  EXPECT_EQ(owner_repo("git+ssh://git@GitHub.com/acme/widget.git"), "acme/widget");
  EXPECT_EQ(owner_repo("git://github.com/acme/widget.git"), "acme/widget");
  EXPECT_EQ(owner_repo("git@github.com:acme/widget.git"), "acme/widget");
  EXPECT_EQ(owner_repo("github.com:acme/widget"), "acme/widget");
  EXPECT_EQ(owner_repo("git@github.com:acme/widget.js.git"), "acme/widget.js");
}

TEST(GithubRemote, OtherHostsPathsAndNamesAreNotGithubRepositories) {
  EXPECT_EQ(owner_repo("https://gitlab.com/acme/widget.git"), "(none)");
  EXPECT_EQ(owner_repo("git@gitlab.com:acme/widget.git"), "(none)");
  EXPECT_EQ(owner_repo("https://github.com.evil.example/acme/widget"), "(none)");
  EXPECT_EQ(owner_repo("https://github.com/acme"), "(none)");
  EXPECT_EQ(owner_repo("https://github.com/acme/widget/tree/main"), "(none)");
  EXPECT_EQ(owner_repo("https://github.com/acme/.git"), "(none)");
  EXPECT_EQ(owner_repo("https://github.com/ac me/widget"), "(none)");
  EXPECT_EQ(owner_repo("/srv/git/widget.git"), "(none)");
  EXPECT_EQ(owner_repo("../widget"), "(none)");
  EXPECT_EQ(owner_repo("file:///srv/github.com/acme/widget"), "(none)");
  EXPECT_EQ(owner_repo(""), "(none)");
}

TEST(GithubRemote, CompareLinkRunsFromTheOlderCommitToTheNewer) {
  EXPECT_EQ(github_compare_url({"acme", "widget"}, "0123456789ab", "fedcba987654"),
            "https://github.com/acme/widget/compare/0123456789ab...fedcba987654");
}

}  // namespace
}  // namespace faultline
