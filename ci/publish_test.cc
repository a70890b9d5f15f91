// The sticky comment and the commit status against the GitHub fake: exactly one
// comment per name, found on any page, updated in place, racing jobs resolved to
// the oldest; statuses on the head; a newer push wins; a read-only token writes
// the job summary instead; never a 422 for size.
#include "ci/publish.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "ci/testing/github_fake.h"

namespace faultline::ci {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* k_token = "ghs_publishTOKEN0123456789abcdefABCDEFxyz";
const std::string k_sha = "4444444444444444444444444444444444444444";
const std::string k_newer = "5555555555555555555555555555555555555555";

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

class PublishTest : public ::testing::Test {
 protected:
  PublishTest() : fake(k_token) {
    fake.add_pull("o/r", 7, k_sha);
    ClientOptions o;
    o.api_url = fake.url();
    o.token = k_token;
    o.sleep = [](std::chrono::milliseconds) {};
    client = std::make_unique<GitHubClient>(o);
  }

  Publisher publisher(std::optional<int> pr = 7, std::string summary = "") {
    Target t{fake.url(), "o/r", pr, k_sha, "https://github.com/o/r/actions/runs/9"};
    return Publisher(*client, t, PublishOptions{"gate", std::move(summary), false, &log});
  }

  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    for (const auto& r : fake.requests()) out.push_back(r.method + " " + r.target);
    return out;
  }

  testing::GitHubFake fake;
  std::unique_ptr<GitHubClient> client;
  std::ostringstream log;
  const CommitStatus failure{"failure", "2 of 4 cells failed, 1 crash signature; 80 runs"};
};

TEST_F(PublishTest, CreatesTheStickyCommentOnceAmong250ThenUpdatesItInPlace) {
  for (int i = 0; i < 250; ++i) fake.add_comment("o/r", 7, "review comment " + std::to_string(i));
  auto first = publisher().results(failure, "## first report\n");
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->comment_action, "created");
  const std::string list = "GET /repos/o/r/issues/7/comments?per_page=100";
  EXPECT_THAT(calls(),
              ElementsAre("GET /repos/o/r/pulls/7", list, list + "&page=2", list + "&page=3",
                          "POST /repos/o/r/issues/7/comments", list, list + "&page=2",
                          list + "&page=3", "POST /repos/o/r/statuses/" + k_sha));
  const auto requests = fake.requests();
  EXPECT_EQ(requests[4].json(), json({{"body", "<!-- faultline:gate -->\n## first report\n"}}));
  EXPECT_EQ(requests[8].json(),
            json({{"state", "failure"},
                  {"description", "2 of 4 cells failed, 1 crash signature; 80 runs"},
                  {"context", "faultline/gate"},
                  {"target_url", "https://github.com/o/r/actions/runs/9"}}));

  fake.clear_requests();
  auto second = publisher().results(failure, "## second report\n");
  ASSERT_TRUE(second) << second.error().message;
  EXPECT_EQ(second->comment_action, "updated");
  EXPECT_EQ(second->comment_id, first->comment_id);
  EXPECT_THAT(calls(),
              ElementsAre("GET /repos/o/r/pulls/7", list, list + "&page=2", list + "&page=3",
                          "PATCH /repos/o/r/issues/comments/" + std::to_string(first->comment_id),
                          "POST /repos/o/r/statuses/" + k_sha));
  auto comments = fake.comments("o/r", 7);
  ASSERT_EQ(comments.size(), 251u);
  EXPECT_EQ(comments.back().id, first->comment_id);
  EXPECT_EQ(comments.back().body, "<!-- faultline:gate -->\n## second report\n");

  fake.clear_requests();
  auto third = publisher().results(failure, "## second report\n");
  ASSERT_TRUE(third);
  EXPECT_EQ(third->comment_action, "unchanged");
  for (const auto& c : calls()) EXPECT_THAT(c, ::testing::Not(::testing::StartsWith("PATCH")));
  EXPECT_EQ(fake.statuses("o/r", k_sha).size(), 3u);
}

TEST_F(PublishTest, FindsItsCommentOnALaterPageAndIgnoresOtherNamesAndQuotes) {
  for (int i = 0; i < 150; ++i) fake.add_comment("o/r", 7, "noise " + std::to_string(i));
  fake.add_comment("o/r", 7, "> <!-- faultline:gate -->\n> quoted by a reviewer");
  fake.add_comment("o/r", 7, "<!-- faultline:other -->\nanother matrix");
  const long long mine =
      fake.add_comment("o/r", 7, "<!-- faultline:gate -->\nold", "github-actions[bot]");
  for (int i = 0; i < 60; ++i) fake.add_comment("o/r", 7, "more " + std::to_string(i));
  auto out = publisher().results(failure, "new");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(out->comment_action, "updated");
  EXPECT_EQ(out->comment_id, mine);
  auto comments = fake.comments("o/r", 7);
  EXPECT_EQ(comments.size(), 213u);
  EXPECT_EQ(comments[152].body, "<!-- faultline:gate -->\nnew");
  EXPECT_EQ(comments[150].body, "> <!-- faultline:gate -->\n> quoted by a reviewer");
}

TEST_F(PublishTest, TwoJobsAtOnceLeaveOneCommentTheOldest_OtherJobFirst) {
  bool raced = false;
  long long other = 0;
  fake.before_each([&](const testing::RecordedRequest& r) {
    if (r.method == "POST" && r.target == "/repos/o/r/issues/7/comments" && !raced) {
      raced = true;  // the other job created its comment after our listing, before our create
      other = fake.add_comment("o/r", 7, "<!-- faultline:gate -->\nfrom the other job",
                               "github-actions[bot]");
    }
  });
  auto out = publisher().results(failure, "from this job");
  ASSERT_TRUE(out) << out.error().message;
  auto comments = fake.comments("o/r", 7);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0].id, other);
  EXPECT_EQ(comments[0].body, "<!-- faultline:gate -->\nfrom this job");
  EXPECT_EQ(out->comment_id, other);
  EXPECT_THAT(log.str(), HasSubstr("deleted duplicate comment"));
}

TEST_F(PublishTest, TwoJobsAtOnceLeaveOneCommentTheOldest_ThisJobFirst) {
  bool raced = false;
  fake.after_each([&](const testing::RecordedRequest& r) {
    if (r.method == "POST" && r.target == "/repos/o/r/issues/7/comments" && !raced) {
      raced = true;  // the other job created its comment just after ours
      fake.add_comment("o/r", 7, "<!-- faultline:gate -->\nfrom the other job",
                       "github-actions[bot]");
    }
  });
  auto out = publisher().results(failure, "from this job");
  ASSERT_TRUE(out) << out.error().message;
  auto comments = fake.comments("o/r", 7);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_EQ(comments[0].id, out->comment_id);
  EXPECT_EQ(comments[0].body, "<!-- faultline:gate -->\nfrom this job");
}

TEST_F(PublishTest, ANewerPushWinsTheCommentIsLeftAloneAndSaysSo) {
  fake.add_comment("o/r", 7, "<!-- faultline:gate -->\nfrom the newer run");
  fake.set_head("o/r", 7, k_newer);
  auto out = publisher().results(failure, "stale results");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->stale);
  EXPECT_EQ(out->warning,
            "pull request #7 in o/r has moved on to 5555555 since 4444444 was tested; the newer "
            "push wins, so faultline "
            "leaves its comment alone (the status goes to 4444444 only)");
  EXPECT_THAT(calls(), ElementsAre("GET /repos/o/r/pulls/7", "POST /repos/o/r/statuses/" + k_sha));
  EXPECT_EQ(fake.comments("o/r", 7)[0].body, "<!-- faultline:gate -->\nfrom the newer run");
}

TEST_F(PublishTest, AReadOnlyTokenWritesTheJobSummaryInstead) {
  fake.deny_writes(true);
  char tmpl[] = "/tmp/faultline-summary-XXXXXX";
  close(mkstemp(tmpl));
  auto out = publisher(7, tmpl).results(failure, "## the report\n");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_TRUE(out->denied);
  EXPECT_EQ(out->warning,
            "GitHub refused to let the token write to pull request #7 in o/r (403 Resource not "
            "accessible by integration; a pull request from a fork gets a read-only token); the "
            "report is in the job summary instead");
  EXPECT_EQ(slurp(tmpl), "## the report\n\n");
  EXPECT_TRUE(fake.comments("o/r", 7).empty());
  // The caller says the warning once; the publisher's log does not repeat it.
  EXPECT_THAT(log.str(), Not(HasSubstr("refused")));
  std::filesystem::remove(tmpl);
}

TEST_F(PublishTest, APushGetsOnlyTheStatus) {
  auto out =
      publisher(std::nullopt).results({"success", "no crash in 4 cells; 80 runs"}, "ignored");
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_THAT(calls(), ElementsAre("POST /repos/o/r/statuses/" + k_sha));
  auto statuses = fake.statuses("o/r", k_sha);
  ASSERT_EQ(statuses.size(), 1u);
  EXPECT_EQ(statuses[0].state, "success");
  EXPECT_EQ(statuses[0].context, "faultline/gate");
}

TEST_F(PublishTest, PendingThenTheFinalStatus) {
  ASSERT_TRUE(publisher().pending(12));
  ASSERT_TRUE(publisher().results(failure, "r"));
  auto statuses = fake.statuses("o/r", k_sha);
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].state, "pending");
  EXPECT_EQ(statuses[0].description, "running 12 cells");
  EXPECT_EQ(statuses[1].state, "failure");
  EXPECT_EQ(statuses[1].target_url, "https://github.com/o/r/actions/runs/9");
}

TEST_F(PublishTest, AnUnknownPullRequestIsAnError) {
  Target t{fake.url(), "o/r", 99, k_sha, ""};
  auto out = Publisher(*client, t, {"gate", "", false, &log}).results(failure, "r");
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().message,
            "reading pull request #99 in o/r: GitHub found no such thing (404 Not Found): check "
            "the repository and the "
            "number, and that the token in $GITHUB_TOKEN can see the repository");
  EXPECT_TRUE(fake.statuses("o/r", k_sha).empty());
}

TEST_F(PublishTest, AnOversizedReportIsCutNeverRefused) {
  std::string huge;
  while (huge.size() < 80'000) huge += "ünïcödé line of a very long crash report\n";
  auto out = publisher().results(failure, huge);
  ASSERT_TRUE(out) << out.error().message;
  auto comments = fake.comments("o/r", 7);
  ASSERT_EQ(comments.size(), 1u);
  const std::string& body = comments[0].body;
  std::size_t chars = 0;
  for (unsigned char c : body) chars += (c & 0xC0) != 0x80;
  EXPECT_LE(chars, k_max_comment_chars);
  EXPECT_GT(chars, k_max_comment_chars - 100);
  EXPECT_THAT(body, ::testing::EndsWith("… (cut at GitHub's limit of 65,536 characters)\n"));
}

TEST(StatusFor, CountsFromTheTotals) {
  EXPECT_EQ(
      status_for(
          json::parse(
              R"({"totals":{"cells":4,"crash":2,"hang":0,"runs":80,"signatures":1,"build_error":0}})"))
          .description,
      "2 of 4 cells failed, 1 crash signature; 80 runs");
  EXPECT_EQ(status_for(json::parse(
                           R"({"totals":{"cells":4,"crash":0,"hang":1,"runs":80,"signatures":0}})"))
                .description,
            "1 of 4 cells failed, 1 hang; 80 runs");
  auto ok = status_for(
      json::parse(R"({"totals":{"cells":4,"crash":0,"hang":0,"runs":80,"build_error":1}})"));
  EXPECT_EQ(ok.state, "error");
  EXPECT_EQ(ok.description,
            "1 of 4 cells did not run (build failed); no crash in the rest; 80 runs");
  auto broken = status_for(json::parse(R"({"totals":{"cells":2,"build_error":2,"runs":0}})"));
  EXPECT_EQ(broken.state, "error");
  EXPECT_EQ(broken.description, "no cell could run: every build failed; 0 runs");
  auto stopped = status_for(json::parse(R"({"interrupted":true,"totals":{"cells":2,"runs":7}})"));
  EXPECT_EQ(stopped.state, "error");
  EXPECT_EQ(stopped.description, "interrupted; no crash so far; 7 runs");
}

TEST(Marker, NamesThatCannotBeAMarkerAreBadInput) {
  EXPECT_EQ(marker("gate-ffi"), "<!-- faultline:gate-ffi -->");
  EXPECT_TRUE(check_name("gate ffi/asan"));
  EXPECT_FALSE(check_name(""));
  EXPECT_EQ(check_name("a-->b").error().message,
            "name 'a-->b' cannot be a comment marker: at most 100 characters, without '--', '<', "
            "'>' or a line break");
}

}  // namespace
}  // namespace faultline::ci
