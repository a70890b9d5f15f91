// The REST client against the GitHub fake (a real HTTP server on 127.0.0.1):
// GitHub's headers, retries with backoff on 5xx and network errors, both rate
// limits, pagination, one sentence per refusal, and the token in no message or
// trace. Sleeps are recorded, not slept.
#include "ci/client.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sstream>

#include "ci/testing/github_fake.h"

namespace faultline::ci {
namespace {

using std::chrono::milliseconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* k_token = "ghs_fakeTOKENvalue0123456789abcdefABCDEF";
constexpr const char* k_sha = "1111111111111111111111111111111111111111";

class ClientTest : public ::testing::Test {
 protected:
  ClientTest() : fake(k_token) { fake.add_pull("o/r", 7, k_sha); }

  GitHubClient client(const std::string& token = k_token,
                      milliseconds deadline = milliseconds(60'000)) {
    ClientOptions o;
    o.api_url = fake.url();
    o.token = token;
    o.deadline = deadline;
    o.sleep = [this](milliseconds d) { sleeps.push_back(d); };
    o.log = &log;
    return GitHubClient(o);
  }

  testing::GitHubFake fake;
  std::vector<milliseconds> sleeps;
  std::ostringstream log;
};

const ApiRequest k_get_pull{"GET", "/repos/o/r/pulls/7", std::nullopt,
                            "reading pull request #7 in o/r"};

TEST_F(ClientTest, SendsGitHubsHeadersAndABearerToken) {
  auto c = client();
  auto pull = c.call(k_get_pull);
  ASSERT_TRUE(pull) << pull.error().message;
  EXPECT_EQ((*pull)["head"]["sha"], k_sha);
  auto requests = fake.requests();
  ASSERT_EQ(requests.size(), 1u);
  const auto& r = requests[0];
  EXPECT_EQ(r.method, "GET");
  EXPECT_EQ(r.target, "/repos/o/r/pulls/7");
  EXPECT_EQ(r.header("accept"), "application/vnd.github+json");
  EXPECT_EQ(r.header("x-github-api-version"), "2022-11-28");
  EXPECT_EQ(r.header("authorization"), std::string("Bearer ") + k_token);
  EXPECT_THAT(r.header("user-agent"), ::testing::StartsWith("faultline/"));
  EXPECT_EQ(r.header("content-type"), "");
  EXPECT_EQ(r.body, "");
}

TEST_F(ClientTest, SendsJsonBodies) {
  auto c = client();
  auto created = c.call(
      {"POST", "/repos/o/r/issues/7/comments", nlohmann::json{{"body", "hello"}}, "commenting"});
  ASSERT_TRUE(created) << created.error().message;
  EXPECT_EQ((*created)["body"], "hello");
  const auto r = fake.requests().at(0);
  EXPECT_EQ(r.header("content-type"), "application/json");
  EXPECT_EQ(r.body, R"({"body":"hello"})");
}

TEST_F(ClientTest, RetriesA502AfterABackoffWithJitter) {
  fake.fail_next(1, 502);
  auto c = client();
  auto pull = c.call(k_get_pull);
  ASSERT_TRUE(pull) << pull.error().message;
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_GE(sleeps[0], milliseconds(1000));
  EXPECT_LE(sleeps[0], milliseconds(1500));
  EXPECT_EQ(fake.requests().size(), 2u);
  EXPECT_THAT(log.str(),
              HasSubstr("GitHub answered 502 to GET /repos/o/r/pulls/7 (attempt 1 of 5)"));
}

TEST_F(ClientTest, GivesUpOn5xxAfterFiveAttemptsWithDoublingWaits) {
  fake.fail_next(5, 503);
  auto c = client();
  auto pull = c.call(k_get_pull);
  ASSERT_FALSE(pull);
  EXPECT_EQ(pull.error().kind, ErrorKind::infrastructure);
  EXPECT_EQ(pull.error().message,
            "reading pull request #7 in o/r: GitHub answered 503 after 5 attempts");
  ASSERT_EQ(sleeps.size(), 4u);
  for (std::size_t i = 0; i < sleeps.size(); ++i) {
    EXPECT_GE(sleeps[i], milliseconds(1000 << i));
    EXPECT_LE(sleeps[i], milliseconds(1500 << i));
  }
}

// The deadline leaves no time for the backoff after the first 503 (1–1.5 s):
// the message counts the one attempt made, not the five allowed.
TEST_F(ClientTest, A5xxCutShortByTheDeadlineCountsTheAttemptsMade) {
  fake.fail_next(5, 503);
  auto c = client(k_token, milliseconds(900));
  auto pull = c.call(k_get_pull);
  ASSERT_FALSE(pull);
  EXPECT_EQ(fake.requests().size(), 1u);
  EXPECT_TRUE(sleeps.empty());
  EXPECT_THAT(pull.error().message,
              ::testing::MatchesRegex(
                  "reading pull request #7 in o/r: GitHub answered 503 after 1 attempt in "
                  "[0-9.]+ s; faultline waits at most 0.9 s for an answer to one request"));
}

TEST_F(ClientTest, HonoursRetryAfterOfASecondaryRateLimit) {
  fake.secondary_rate_limit_next(1, 1);
  auto c = client();
  ASSERT_TRUE(c.call(k_get_pull));
  EXPECT_THAT(sleeps, ElementsAre(milliseconds(1000)));
  EXPECT_THAT(log.str(),
              HasSubstr("GitHub's secondary rate limit (403, Retry-After: 1); waiting 1.0 s"));
}

TEST_F(ClientTest, WaitsForThePrimaryRateLimitsReset) {
  const auto now = std::chrono::system_clock::now();
  const long long reset =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() + 5;
  fake.primary_rate_limit_next(1, reset);
  ClientOptions o;
  o.api_url = fake.url();
  o.token = k_token;
  o.sleep = [this](milliseconds d) { sleeps.push_back(d); };
  o.now = [now] { return now; };
  GitHubClient c(o);
  ASSERT_TRUE(c.call(k_get_pull));
  ASSERT_EQ(sleeps.size(), 1u);
  EXPECT_GE(sleeps[0], milliseconds(5000));
  EXPECT_LE(sleeps[0], milliseconds(7000));
}

TEST_F(ClientTest, ARateLimitLongerThanItWaitsIsOneSentence) {
  fake.secondary_rate_limit_next(1, 600);
  auto c = client();
  auto pull = c.call(k_get_pull);
  ASSERT_FALSE(pull);
  EXPECT_THAT(
      pull.error().message,
      ::testing::StartsWith(
          "reading pull request #7 in o/r: GitHub asks to wait 600.0 s (GitHub's secondary rate "
          "limit "
          "(403, Retry-After: 600)), longer than faultline waits (120.0 s); try again after "));
  EXPECT_TRUE(sleeps.empty());
}

TEST_F(ClientTest, ABadTokenIsOneSentenceWithoutTheToken) {
  const std::string wrong = "ghp_wrongTOKEN0000000000000000000000000000";
  auto c = client(wrong);
  auto pull = c.call(k_get_pull);
  ASSERT_FALSE(pull);
  EXPECT_EQ(pull.error().message,
            "reading pull request #7 in o/r: GitHub rejected the token in $GITHUB_TOKEN (401 Bad "
            "credentials): it is "
            "wrong, expired or revoked");
  EXPECT_TRUE(sleeps.empty()) << "a 401 is not retried";
}

TEST_F(ClientTest, AnUnknownPullRequestIsOneSentence) {
  auto c = client();
  auto pull =
      c.call({"GET", "/repos/o/r/pulls/99", std::nullopt, "reading pull request #99 in o/r"});
  ASSERT_FALSE(pull);
  EXPECT_EQ(pull.error().message,
            "reading pull request #99 in o/r: GitHub found no such thing (404 Not Found): check "
            "the repository and the "
            "number, and that the token in $GITHUB_TOKEN can see the repository");
}

TEST_F(ClientTest, AnOversizedCommentIsA422WithGitHubsReason) {
  auto c = client();
  auto created = c.call({"POST", "/repos/o/r/issues/7/comments",
                         nlohmann::json{{"body", std::string(65'537, 'x')}},
                         "commenting on pull request #7 in o/r"});
  ASSERT_FALSE(created);
  EXPECT_EQ(created.error().message,
            "commenting on pull request #7 in o/r: GitHub rejected the request as invalid (422 "
            "Validation Failed: Body is "
            "too long (maximum is 65536 characters))");
}

TEST_F(ClientTest, AForbiddenWriteNamesThePermissionsNeeded) {
  fake.deny_writes(true);
  auto c = client();
  ApiRequest post{"POST", "/repos/o/r/issues/7/comments", nlohmann::json{{"body", "x"}},
                  "commenting on pull request #7 in o/r"};
  auto r = c.send(post);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_FALSE(is_rate_limited(*r));
  EXPECT_EQ(c.explain(*r, post).message,
            "commenting on pull request #7 in o/r: GitHub refused the token in $GITHUB_TOKEN (403 "
            "Resource not accessible "
            "by integration): it may not do this; a workflow needs `permissions: pull-requests: "
            "write, statuses: write`, "
            "and a pull request from a fork gets a read-only token");
}

TEST_F(ClientTest, PaginatesThirtyAPageThroughLinkHeaders) {
  for (int i = 0; i < 250; ++i) fake.add_comment("o/r", 7, "comment " + std::to_string(i));
  auto c = client();
  auto all = c.paginate({"GET", "/repos/o/r/issues/7/comments", std::nullopt, "listing"});
  ASSERT_TRUE(all) << all.error().message;
  ASSERT_EQ(all->size(), 250u);
  EXPECT_EQ((*all)[0]["body"], "comment 0");
  EXPECT_EQ((*all)[249]["body"], "comment 249");
  std::vector<std::string> targets;
  for (const auto& r : fake.requests()) targets.push_back(r.target);
  ASSERT_EQ(targets.size(), 9u);  // ceil(250 / 30)
  EXPECT_EQ(targets[0], "/repos/o/r/issues/7/comments");
  for (int page = 2; page <= 9; ++page)
    EXPECT_EQ(targets[page - 1],
              "/repos/o/r/issues/7/comments?per_page=30&page=" + std::to_string(page));
}

TEST(NextLink, ReadsGitHubsLinkHeader) {
  EXPECT_EQ(
      next_link(
          R"(<https://api.github.com/repositories/1/issues?page=2>; rel="next", <https://api.github.com/repositories/1/issues?page=5>; rel="last")"),
      "https://api.github.com/repositories/1/issues?page=2");
  EXPECT_EQ(next_link(R"(<https://x/a?page=1>; rel="prev", <https://x/a?page=3>; rel="next")"),
            "https://x/a?page=3");
  EXPECT_EQ(next_link(R"(<https://x/a?page=1>; rel="first", <https://x/a?page=4>; rel="prev")"),
            "");
  EXPECT_EQ(next_link(""), "");
}

TEST_F(ClientTest, NeverSendsTheTokenToAnotherHost) {
  auto c = client();
  auto r = c.call({"GET", "http://192.0.2.1/steal", std::nullopt, "following a link"});
  ASSERT_FALSE(r);
  EXPECT_THAT(r.error().message, HasSubstr("refusing to send the token to http://192.0.2.1"));
  EXPECT_TRUE(fake.requests().empty());
}

// A port that refuses connections: bound, never listened on.
int closed_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  socklen_t len = sizeof a;
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  static std::vector<int> held;  // open (bound, not listening) for the test's life
  held.push_back(fd);
  return ntohs(a.sin_port);
}

TEST_F(ClientTest, RetriesNetworkErrorsThenSaysWhereItCouldNotReach) {
  const std::string base = "http://127.0.0.1:" + std::to_string(closed_port());
  ClientOptions o;
  o.api_url = base;
  o.token = k_token;
  o.sleep = [this](milliseconds d) { sleeps.push_back(d); };
  GitHubClient c(o);
  auto r = c.call(k_get_pull);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "reading pull request #7 in o/r: cannot reach " + base +
                "/repos/o/r/pulls/7: Couldn't connect to server (curl error 7) (after 5 attempts)");
  EXPECT_EQ(sleeps.size(), 4u);
}

TEST_F(ClientTest, TheVerboseTraceMasksTheToken) {
  std::ostringstream trace;
  ClientOptions o;
  o.api_url = fake.url();
  o.token = k_token;
  o.trace = &trace;
  o.log = &log;
  o.sleep = [](milliseconds) {};
  fake.fail_next(1, 502);
  GitHubClient c(o);
  ASSERT_TRUE(c.call({"POST", "/repos/o/r/issues/7/comments",
                      nlohmann::json{{"body", std::string("echo ") + k_token}}, "commenting"}));
  EXPECT_THAT(trace.str(), HasSubstr("> Authorization: Bearer ***"));
  EXPECT_THAT(trace.str(), HasSubstr("> POST /repos/o/r/issues/7/comments"));
  EXPECT_THAT(trace.str(), HasSubstr("< HTTP/1.1 201"));
  EXPECT_THAT(trace.str(), Not(HasSubstr(k_token)));
  EXPECT_THAT(log.str(), Not(HasSubstr(k_token)));
}

TEST_F(ClientTest, ReusesItsConnection) {
  std::ostringstream trace;
  ClientOptions o;
  o.api_url = fake.url();
  o.token = k_token;
  o.trace = &trace;
  GitHubClient c(o);
  ASSERT_TRUE(c.call(k_get_pull));
  ASSERT_TRUE(c.call(k_get_pull));
  EXPECT_THAT(trace.str(), HasSubstr("Re-using existing connection"));
}

}  // namespace
}  // namespace faultline::ci
