// Where faultline posts, from GitHub Actions' environment and the event payload,
// with flags overriding each; errors name the flag or variable.
#include "ci/context.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>

namespace faultline::ci {
namespace {

const std::string k_head = "2222222222222222222222222222222222222222";
const std::string k_merge = "3333333333333333333333333333333333333333";

class ContextTest : public ::testing::Test {
 protected:
  Environment env() {
    return [this](const char* name) -> const char* {
      auto it = vars.find(name);
      return it == vars.end() ? nullptr : it->second.c_str();
    };
  }
  std::string event_file(const std::string& text) {
    char tmpl[] = "/tmp/faultline-event-XXXXXX";
    int fd = mkstemp(tmpl);
    close(fd);
    std::ofstream(tmpl) << text;
    files.push_back(tmpl);
    return tmpl;
  }
  ~ContextTest() override {
    for (const auto& f : files) std::filesystem::remove(f);
  }
  std::map<std::string, std::string> vars;
  std::vector<std::string> files;
};

TEST_F(ContextTest, APullRequestEventGivesThePullRequestAndItsHeadNotTheMergeCommit) {
  vars = {
      {"GITHUB_REPOSITORY", "octo/gate"},
      {"GITHUB_SHA", k_merge},
      {"GITHUB_EVENT_PATH",
       event_file(
           R"({"action":"synchronize","number":12,"pull_request":{"number":12,"head":{"sha":")" +
           k_head + R"("}}})")},
      {"GITHUB_SERVER_URL", "https://github.com"},
      {"GITHUB_RUN_ID", "4242"}};
  auto t = resolve_target({}, env());
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->api_url, "https://api.github.com");
  EXPECT_EQ(t->repo, "octo/gate");
  EXPECT_EQ(t->pr, 12);
  EXPECT_EQ(t->sha, k_head);
  EXPECT_EQ(t->target_url, "https://github.com/octo/gate/actions/runs/4242");
}

TEST_F(ContextTest, APushPostsOnlyAStatusOnGithubSha) {
  vars = {{"GITHUB_REPOSITORY", "octo/gate"},
          {"GITHUB_SHA", k_merge},
          {"GITHUB_EVENT_PATH", event_file(R"({"ref":"refs/heads/main"})")}};
  auto t = resolve_target({}, env());
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_FALSE(t->pr);
  EXPECT_EQ(t->sha, k_merge);
  EXPECT_EQ(t->target_url, "");
}

TEST_F(ContextTest, FlagsOverrideTheEnvironmentAndEnterpriseUrlsWork) {
  vars = {{"GITHUB_REPOSITORY", "octo/gate"},
          {"GITHUB_SHA", k_merge},
          {"GITHUB_API_URL", "https://ghe.example.com/api/v3/"}};
  TargetOverrides o;
  o.repo = "other/repo";
  o.pr = 5;
  auto t = resolve_target(o, env());
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_EQ(t->api_url, "https://ghe.example.com/api/v3");
  EXPECT_EQ(t->repo, "other/repo");
  EXPECT_EQ(t->pr, 5);
  EXPECT_EQ(t->sha, "") << "with --pr and no --sha, the pull request's head is used";
}

TEST_F(ContextTest, MissingOrWrongValuesNameTheFlagAndVariable) {
  auto t = resolve_target({}, env());
  ASSERT_FALSE(t);
  EXPECT_EQ(t.error().message, "no repository: give --repo OWNER/NAME or set GITHUB_REPOSITORY");
  vars = {{"GITHUB_REPOSITORY", "gate"}};
  EXPECT_EQ(resolve_target({}, env()).error().message,
            "--repo / GITHUB_REPOSITORY 'gate' is not OWNER/NAME");
  vars = {{"GITHUB_REPOSITORY", "o/r"}};
  EXPECT_EQ(resolve_target({}, env()).error().message,
            "no commit: give --sha or --pr, or set GITHUB_SHA");
  vars = {{"GITHUB_REPOSITORY", "o/r"}, {"GITHUB_SHA", "abc"}};
  EXPECT_EQ(resolve_target({}, env()).error().message,
            "--sha / GITHUB_SHA 'abc' is not a full commit id (40 hex digits)");
  vars = {{"GITHUB_REPOSITORY", "o/r"}, {"GITHUB_EVENT_PATH", event_file("{nope")}};
  EXPECT_EQ(resolve_target({}, env()).error().message,
            "GITHUB_EVENT_PATH=" + files.back() + ": the event payload is not JSON");
  for (const auto& e : {resolve_target({}, env())}) EXPECT_EQ(e.error().kind, ErrorKind::bad_input);
}

}  // namespace
}  // namespace faultline::ci
