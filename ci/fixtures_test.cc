// The client against GitHub's real answers: scenarios recorded by @octokit/fixtures
// (npm, installed by scripts/install-test-tools.sh into build/npm) replayed on
// 127.0.0.1 — commit statuses, pagination through real Link headers, and a real
// 422 validation error. Skipped when the package is absent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "ci/client.h"
#include "ci/testing/fixture_replay.h"

namespace faultline::ci {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const fs::path k_scenarios = fs::path(FAULTLINE_SOURCE_DIR) /
                             "build/npm/node_modules/@octokit/fixtures/scenarios/api.github.com";

json scenario(const std::string& name) {
  std::ifstream in(k_scenarios / name / "normalized-fixture.json");
  return json::parse(in);
}

class FixturesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!fs::exists(k_scenarios))
      GTEST_SKIP() << k_scenarios << " absent: run scripts/install-test-tools.sh";
  }
  GitHubClient client(const std::string& url) {
    ClientOptions o;
    o.api_url = url;
    o.token = "0000000000000000000000000000000000000001";
    o.sleep = [](std::chrono::milliseconds) { FAIL() << "a recorded exchange needs no retry"; };
    return GitHubClient(o);
  }
};

TEST_F(FixturesTest, CreateStatusAndListThem) {
  const json recorded = scenario("create-status");
  testing::FixtureReplay replay(recorded);
  auto c = client(replay.url());
  const std::string repo = "/repos/octokit-fixture-org/create-status";
  const std::string sha = "0000000000000000000000000000000000000001";
  for (int i = 0; i < 2; ++i) {
    const json body = recorded[i]["body"];
    auto created = c.call({"POST", repo + "/statuses/" + sha, body, "setting a status"});
    ASSERT_TRUE(created) << created.error().message;
    EXPECT_EQ((*created)["state"], body["state"]);
    EXPECT_EQ((*created)["context"], body["context"]);
    EXPECT_TRUE((*created)["id"].is_number_integer());
  }
  auto listed =
      c.paginate({"GET", repo + "/commits/" + sha + "/statuses", std::nullopt, "listing statuses"});
  ASSERT_TRUE(listed) << listed.error().message;
  EXPECT_EQ(listed->size(), recorded[2]["response"].size());
  auto combined =
      c.call({"GET", repo + "/commits/" + sha + "/status", std::nullopt, "the combined status"});
  ASSERT_TRUE(combined) << combined.error().message;
  EXPECT_EQ((*combined)["state"], recorded[3]["response"]["state"]);
  EXPECT_THAT(replay.mismatches(), ::testing::IsEmpty());
  EXPECT_EQ(replay.served(), recorded.size());
  EXPECT_EQ(replay.request_bodies()[0], recorded[0]["body"])
      << "the client sends the JSON GitHub recorded";
}

TEST_F(FixturesTest, PaginatesThroughGitHubsRealLinkHeaders) {
  const json recorded = scenario("paginate-issues");
  testing::FixtureReplay replay(recorded);
  auto c = client(replay.url());
  auto issues = c.paginate({"GET", "/repos/octokit-fixture-org/paginate-issues/issues?per_page=3",
                            std::nullopt, "listing issues"});
  ASSERT_TRUE(issues) << issues.error().message;
  std::vector<json> expected;
  for (const auto& page : recorded)
    for (const auto& issue : page["response"]) expected.push_back(issue["number"]);
  ASSERT_EQ(issues->size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) EXPECT_EQ((*issues)[i]["number"], expected[i]);
  EXPECT_THAT(replay.mismatches(), ::testing::IsEmpty());
  EXPECT_EQ(replay.served(), recorded.size());
}

TEST_F(FixturesTest, AReal422IsOneSentenceWithGitHubsDetails) {
  const json recorded = scenario("errors");
  testing::FixtureReplay replay(recorded);
  auto c = client(replay.url());
  auto label = c.call({"POST", "/repos/octokit-fixture-org/errors/labels", recorded[0]["body"],
                       "creating label foo"});
  ASSERT_FALSE(label);
  EXPECT_EQ(label.error().message,
            "creating label foo: GitHub rejected the request as invalid (422 Validation Failed: "
            "Label.color invalid)");
  EXPECT_THAT(replay.mismatches(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace faultline::ci
