#include "runner/git_info.h"

#include <gtest/gtest.h>

#include "base/testing/scratch_dir.h"
#include "runner/process.h"

namespace faultline::runner {
namespace {

class GitInfo : public testing::ScratchTest {
 protected:
  GitInfo() : ScratchTest("git-info") {}
  void SetUp() override {
    auto made = run_command(
        {"/bin/sh", "-c",
         "git init -q repo && cd repo && git config user.name 'Ada Lovelace' && "
         "git config user.email ada@example.com && "
         "GIT_AUTHOR_DATE='2026-01-02T03:04:05+01:00' git commit -q --allow-empty "
         "-m 'widget: free the buffer once' -m 'The body is not the subject.' && git tag v1"},
        m_dir.string());
    ASSERT_TRUE(made && made->succeeded());
  }
  std::string repo() const { return (m_dir / "repo").string(); }
};

TEST_F(GitInfo, ACommitByTagHasItsFullHashSubjectAuthorAndDate) {
  auto hash = command_output({"git", "-C", repo(), "rev-parse", "HEAD"});
  ASSERT_TRUE(hash);
  auto info = git_commit_info(repo(), "v1");
  ASSERT_TRUE(info) << info.error().message;
  EXPECT_EQ(info->hash + "\n", *hash);
  EXPECT_EQ(info->subject, "widget: free the buffer once");
  EXPECT_EQ(info->author, "Ada Lovelace <ada@example.com>");
  EXPECT_EQ(info->date, "2026-01-02T03:04:05+01:00");
  auto abbreviated = git_commit_info(repo(), hash->substr(0, 12));
  ASSERT_TRUE(abbreviated);
  EXPECT_EQ(abbreviated->hash, info->hash);
}

TEST_F(GitInfo, AnUnknownRevisionOrRemoteIsBadInputNamingIt) {
  auto info = git_commit_info(repo(), "--nope");
  ASSERT_FALSE(info);
  EXPECT_EQ(info.error().kind, ErrorKind::bad_input);
  EXPECT_EQ(info.error().message, "'--nope' is not a commit in " + repo());
  auto url = git_remote_url(repo());
  ASSERT_FALSE(url);
  EXPECT_EQ(url.error().message, "no remote 'origin' in " + repo());
  ASSERT_TRUE(command_output(
      {"git", "-C", repo(), "remote", "add", "origin", "git@github.com:acme/widget.git"}));
  auto added = git_remote_url(repo());
  ASSERT_TRUE(added);
  EXPECT_EQ(*added, "git@github.com:acme/widget.git");
}

}  // namespace
}  // namespace faultline::runner
