// `faultline post` and `faultline run --post`, the real binary against the GitHub
// fake on 127.0.0.1: the exact requests, one sticky comment updated in place, the
// statuses, retries through a 502 and a secondary rate limit (real 1 s waits), one
// sentence and exit 3 for a bad token or an unknown PR, a fork's read-only token,
// an oversized report, and the token in no output at all.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <iomanip>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "ci/testing/github_fake.h"
#include "reporters/load.h"
#include "reporters/markdown.h"
#include "tests/support.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using ci::testing::GitHubFake;
using ci::testing::RecordedRequest;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr const char* k_token = "ghs_e2eSECRETtoken0123456789abcdefABCDEF";
const std::string k_sha = "6666666666666666666666666666666666666666";
const fs::path k_results = fs::path(FAULTLINE_SOURCE_DIR) / "tests/reporters/results.json";

using e2e::Outcome;
using e2e::read_text;

class PostTest : public e2e::ScratchTest {
 protected:
  PostTest() : ScratchTest("post"), fake(k_token) {
    fake.add_pull("o/r", 7, k_sha);
    event = write("event.json",
                  json{{"pull_request", {{"number", 7}, {"head", {{"sha", k_sha}}}}}}.dump());
    env = {{"GITHUB_TOKEN", k_token},
           {"GITHUB_API_URL", fake.url()},
           {"GITHUB_REPOSITORY", "o/r"},
           {"GITHUB_EVENT_PATH", event.string()},
           {"GITHUB_SHA", std::string(40, 'f')},
           {"GITHUB_SERVER_URL", "https://github.com"},
           {"GITHUB_RUN_ID", "77"}};
  }
  // Runs faultline with only PATH, HOME and `env`; every output is checked for the token.
  Outcome faultline(std::vector<std::string> args) {
    std::vector<std::string> base = {"PATH=" + std::string(std::getenv("PATH")),
                                     "HOME=" + m_dir.string()};
    for (const char* keep : {"ASAN_OPTIONS", "UBSAN_OPTIONS"})
      if (const char* v = std::getenv(keep)) base.push_back(std::string(keep) + "=" + v);
    for (const auto& [k, v] : env) base.push_back(k + "=" + v);
    Outcome o = e2e::run_faultline(std::move(args), {m_dir, base, std::chrono::seconds(120)});
    EXPECT_THAT(o.out + o.err, Not(HasSubstr(k_token)))
        << "the token leaked into faultline's output";
    return o;
  }

  std::vector<std::string> calls() const {
    std::vector<std::string> out;
    for (const auto& r : fake.requests()) out.push_back(r.method + " " + r.target);
    return out;
  }

  GitHubFake fake;
  fs::path event;
  std::map<std::string, std::string> env;
};

void expect_github_headers(const RecordedRequest& r) {
  SCOPED_TRACE(r.method + " " + r.target);
  EXPECT_EQ(r.header("accept"), "application/vnd.github+json");
  EXPECT_EQ(r.header("x-github-api-version"), "2022-11-28");
  EXPECT_THAT(r.header("authorization"), ::testing::StartsWith("Bearer "));
  EXPECT_THAT(r.header("user-agent"), ::testing::StartsWith("faultline/0.1.0"));
  EXPECT_EQ(r.header("content-type"),
            r.method == "GET" || r.method == "DELETE" ? "" : "application/json");
}

const std::string k_list = "GET /repos/o/r/issues/7/comments?per_page=100";

TEST_F(PostTest, PostsOneStickyCommentAndAStatusThenUpdatesItInPlace) {
  for (int i = 0; i < 250; ++i) fake.add_comment("o/r", 7, "comment " + std::to_string(i));
  Outcome o = faultline({"post", k_results.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(calls(),
              ElementsAre("GET /repos/o/r/pulls/7", k_list, k_list + "&page=2", k_list + "&page=3",
                          "POST /repos/o/r/issues/7/comments", k_list, k_list + "&page=2",
                          k_list + "&page=3", "POST /repos/o/r/statuses/" + k_sha));
  const auto requests = fake.requests();
  for (const auto& r : requests) expect_github_headers(r);
  for (std::size_t i : {0, 1, 2, 3, 5, 6, 7}) EXPECT_EQ(requests[i].body, "");
  // The body: the marker line, then the Markdown report trimmed to fit beside it.
  reporters::MarkdownOptions md;
  md.max_bytes = 65'536 - std::string("<!-- faultline:gate-demo -->\n").size();
  md.full_report = k_results.string();
  const std::string expected_body =
      "<!-- faultline:gate-demo -->\n" +
      reporters::render_markdown(json::parse(read_text(k_results)), md);
  EXPECT_EQ(requests[4].json(), json({{"body", expected_body}}));
  EXPECT_THAT(expected_body, HasSubstr("4 crash signatures in 4 of 12 cells (48 runs)"));
  EXPECT_EQ(requests[8].json(),
            json({{"state", "failure"},
                  {"description", "4 of 12 cells failed, 4 crash signatures; 48 runs"},
                  {"context", "faultline/gate-demo"},
                  {"target_url", "https://github.com/o/r/actions/runs/77"}}));
  auto comments = fake.comments("o/r", 7);
  ASSERT_EQ(comments.size(), 251u);
  const long long id = comments.back().id;
  EXPECT_THAT(o.out, HasSubstr("comment: created https://github.com/o/r/pull/7#issuecomment-" +
                               std::to_string(id)));

  // The next run of the same matrix edits that comment.
  json next = json::parse(read_text(k_results));
  next["totals"]["runs"] = 96;
  for (auto& c : next["cells"]) c["runs"] = 8;
  write("next.json", next.dump());
  fake.clear_requests();
  o = faultline({"post", "next.json"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(calls(),
              ElementsAre("GET /repos/o/r/pulls/7", k_list, k_list + "&page=2", k_list + "&page=3",
                          "PATCH /repos/o/r/issues/comments/" + std::to_string(id),
                          "POST /repos/o/r/statuses/" + k_sha));
  comments = fake.comments("o/r", 7);
  ASSERT_EQ(comments.size(), 251u);
  EXPECT_EQ(comments.back().id, id);
  EXPECT_THAT(comments.back().body, HasSubstr("(96 runs)"));
  EXPECT_THAT(o.out, HasSubstr("comment: updated https://github.com/o/r/pull/7#issuecomment-" +
                               std::to_string(id)));
  EXPECT_EQ(fake.statuses("o/r", k_sha).size(), 2u);
}

TEST_F(PostTest, WaitsThroughA502AndASecondaryRateLimit) {
  fake.fail_next(1, 502);
  fake.secondary_rate_limit_next(1, 1);
  Outcome o = faultline({"post", k_results.string()});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("GitHub answered 502 to GET /repos/o/r/pulls/7 (attempt 1 of 5)"));
  EXPECT_THAT(o.err,
              HasSubstr("GitHub's secondary rate limit (403, Retry-After: 1); waiting 1.0 s"));
  auto c = calls();
  ASSERT_GE(c.size(), 3u);
  EXPECT_THAT(
      std::vector<std::string>(c.begin(), c.begin() + 3),
      ElementsAre("GET /repos/o/r/pulls/7", "GET /repos/o/r/pulls/7", "GET /repos/o/r/pulls/7"));
  EXPECT_EQ(fake.comments("o/r", 7).size(), 1u);
  EXPECT_EQ(fake.statuses("o/r", k_sha).size(), 1u);
}

TEST_F(PostTest, ABadTokenIsOneSentenceAndExit3) {
  env["GITHUB_TOKEN"] = "ghp_notTheRightToken000000000000000000000";
  Outcome o = faultline({"post", k_results.string()});
  EXPECT_EQ(o.status, 3);
  EXPECT_EQ(o.err,
            "faultline post: reading pull request #7 in o/r: GitHub rejected the token in "
            "$GITHUB_TOKEN (401 Bad "
            "credentials): it is wrong, expired or revoked\n");
  EXPECT_THAT(o.err, Not(HasSubstr("ghp_notTheRightToken")));
}

TEST_F(PostTest, AnUnknownPullRequestIsOneSentenceAndExit3) {
  Outcome o = faultline({"post", k_results.string(), "--pr", "99"});
  EXPECT_EQ(o.status, 3);
  EXPECT_EQ(
      o.err,
      "faultline post: reading pull request #99 in o/r: GitHub found no such thing (404 Not "
      "Found): check the "
      "repository and the number, and that the token in $GITHUB_TOKEN can see the repository\n");
  EXPECT_TRUE(fake.statuses("o/r", k_sha).empty());
}

std::size_t occurrences(const std::string& text, const std::string& part) {
  std::size_t n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + 1)) ++n;
  return n;
}

const std::string k_fork_warning =
    "GitHub refused to let the token write to pull request #7 in o/r (403 Resource not "
    "accessible by integration; a pull request from a fork gets a read-only token); the report "
    "is in the job summary instead";

// The warning is said once: on GitHub Actions as a workflow warning (the log's line and the
// annotation); it was printed three times (the refusal, the publisher's note, post's warning).
TEST_F(PostTest, AForkPullRequestWarnsOnceAndWritesTheJobSummaryUnlessStrict) {
  fake.deny_writes(true);
  env["GITHUB_STEP_SUMMARY"] = (m_dir / "summary.md").string();
  env["GITHUB_ACTIONS"] = "true";
  Outcome o = faultline({"post", k_results.string()});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("::warning::" + k_fork_warning + "\n"));
  EXPECT_EQ(occurrences(o.out + o.err, "a pull request from a fork"), 1u) << o.out << o.err;
  EXPECT_EQ(occurrences(o.out + o.err, "GitHub refused"), 1u);
  EXPECT_THAT(read_text(m_dir / "summary.md"),
              HasSubstr("4 crash signatures in 4 of 12 cells (48 runs)"));
  EXPECT_TRUE(fake.comments("o/r", 7).empty());
  o = faultline({"post", k_results.string(), "--strict"});
  EXPECT_EQ(o.status, 3);
}

// Outside GitHub Actions the one warning is a line on stderr.
TEST_F(PostTest, AForkPullRequestWarningIsOneLineOnStderrOutsideActions) {
  fake.deny_writes(true);
  env["GITHUB_STEP_SUMMARY"] = (m_dir / "summary.md").string();
  Outcome o = faultline({"post", k_results.string()});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("faultline post: warning: " + k_fork_warning + "\n"));
  EXPECT_EQ(occurrences(o.out + o.err, "a pull request from a fork"), 1u) << o.out << o.err;
}

// A server that accepts and never answers took ~170 s (5 attempts × 30 s); now a
// request is given up within $FAULTLINE_GITHUB_TIMEOUT (default 60 s), an
// attempt that receives nothing for a third of it fails, and lines say what
// faultline waits for. Here 6 s: attempts of 2 s, a notice after 1 s of each.
TEST_F(PostTest, AServerThatNeverAnswersIsGivenUpWithinTheTimeoutAndSaysSo) {
  ci::testing::SilentServer silent;
  env["GITHUB_API_URL"] = silent.url();
  env["FAULTLINE_GITHUB_TIMEOUT"] = "6s";
  Outcome o = faultline({"post", k_results.string()});
  EXPECT_EQ(o.status, 3);
  EXPECT_LT(o.seconds, 8.5);
  EXPECT_THAT(o.err, HasSubstr("faultline: waiting for " + silent.url() +
                               " to answer GET /repos/o/r/pulls/7 (attempt 1 of 5): 1.0 s so "
                               "far; faultline gives up after 6.0 s in all\n"));
  EXPECT_THAT(o.err, HasSubstr("faultline post: reading pull request #7 in o/r: cannot reach " +
                               silent.url() +
                               "/repos/o/r/pulls/7: Operation too slow. Less than 1 bytes/sec "
                               "transferred the last 2 seconds (curl error 28) (after "));
  EXPECT_THAT(o.err, HasSubstr("; faultline waits at most 6.0 s for an answer to one request)\n"));
}

TEST_F(PostTest, AMalformedGitHubTimeoutIsBadInputNamingIt) {
  env["FAULTLINE_GITHUB_TIMEOUT"] = "soon";
  Outcome o = faultline({"post", k_results.string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "faultline post: $FAULTLINE_GITHUB_TIMEOUT 'soon' is not a time from 1s to 1h (e.g. "
            "60s, 2m)\n");
}

TEST_F(PostTest, AReportOverGitHubsLimitIsTrimmedNeverRefused) {
  json r = json::parse(read_text(k_results));
  json many = r["signatures"];  // the cells' own, then 400 more
  for (int i = 0; i < 400; ++i) {
    json s = r["signatures"][i % r["signatures"].size()];
    s["hash"] =
        (std::ostringstream() << std::hex << std::setw(12) << std::setfill('0') << (0xabc000 + i))
            .str();
    s["text"] = "asan heap-use-after-free: worker_" + std::to_string(i) + " > gate_call > main";
    many.push_back(s);
  }
  r["signatures"] = many;
  write("big.json", r.dump());
  Outcome o = faultline({"post", (m_dir / "big.json").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  auto comments = fake.comments("o/r", 7);
  ASSERT_EQ(comments.size(), 1u);
  std::size_t chars = 0;
  for (unsigned char c : comments[0].body) chars += (c & 0xC0) != 0x80;
  EXPECT_LE(chars, 65'536u);
  EXPECT_GT(chars, 50'000u);
}

TEST_F(PostTest, BadInputExits2) {
  Outcome o = faultline({"post", "missing.json"});
  EXPECT_EQ(o.status, 2);
  env.erase("GITHUB_TOKEN");
  o = faultline({"post", k_results.string()});
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.err, HasSubstr("faultline post: $GITHUB_TOKEN is not set"));
  env["GITHUB_TOKEN"] = k_token;
  o = faultline({"post", k_results.string(), "--sha", "xyz"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "faultline post: --sha / GITHUB_SHA 'xyz' is not a full commit id (40 hex digits)\n");
  o = faultline({"post", k_results.string(), "--name", "a-->b"});
  EXPECT_EQ(o.status, 2);
  EXPECT_TRUE(fake.requests().empty());
}

TEST_F(PostTest, DryRunSendsNothing) {
  env.erase("GITHUB_TOKEN");
  Outcome o = faultline({"post", k_results.string(), "--dry-run"});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("status: faultline/gate-demo failure: 4 of 12 cells failed, 4 crash "
                               "signatures; 48 runs"));
  EXPECT_THAT(o.out, HasSubstr("<!-- faultline:gate-demo -->"));
  EXPECT_TRUE(fake.requests().empty());
}

// Every way out — success, retries, refusals, a fork, --verbose traces — and a
// crash excerpt that printed the token: no output, summary, comment or status has it.
TEST_F(PostTest, TheTokenIsInNoOutputCommentOrStatus) {
  json r = json::parse(read_text(k_results));
  r["signatures"][0]["excerpt"] =
      std::string("the workload printed its environment: GITHUB_TOKEN=") + k_token + "\n";
  write("leaky.json", r.dump());
  env["GITHUB_STEP_SUMMARY"] = (m_dir / "summary.md").string();
  std::vector<Outcome> outcomes;
  fake.fail_next(1, 502);
  outcomes.push_back(faultline({"post", "leaky.json", "--verbose"}));
  fake.deny_writes(true);
  outcomes.push_back(faultline({"post", "leaky.json", "--verbose"}));
  fake.deny_writes(false);
  outcomes.push_back(faultline({"post", "leaky.json", "--verbose", "--pr", "99"}));
  outcomes.push_back(faultline({"post", "leaky.json", "--dry-run"}));
  std::string everything = read_text(m_dir / "summary.md");
  for (const auto& o : outcomes) everything += o.out + o.err;
  for (const auto& c : fake.comments("o/r", 7)) everything += c.body;
  for (const auto& s : fake.statuses("o/r", k_sha)) everything += s.description + s.target_url;
  EXPECT_THAT(everything, HasSubstr("> Authorization: Bearer ***")) << "the trace was written";
  EXPECT_THAT(everything, HasSubstr("GITHUB_TOKEN=***"));
  EXPECT_THAT(everything, Not(HasSubstr(k_token)));
  EXPECT_EQ(outcomes[0].status, 0);
  EXPECT_EQ(outcomes[2].status, 3);
}

TEST_F(PostTest, RunPostSetsPendingAtTheStartThenCommentsAndSetsTheFinalStatus) {
  write("faultline.yaml", R"(version: 1
name: tiny
components:
  lib:
    versions: ["1"]
    build: "true"
workloads:
  w: { run: "true" }
stress: { runs: 2 }
)");
  Outcome o = faultline({"run", "--post", "faultline.yaml"});
  ASSERT_EQ(o.status, 0) << o.err;
  auto statuses = fake.statuses("o/r", k_sha);
  ASSERT_EQ(statuses.size(), 2u);
  EXPECT_EQ(statuses[0].state, "pending");
  EXPECT_EQ(statuses[0].description, "running 1 cell");
  EXPECT_EQ(statuses[0].context, "faultline/tiny");
  EXPECT_EQ(statuses[1].state, "success");
  EXPECT_EQ(statuses[1].description, "no crash in 1 cell; 2 runs");
  auto comments = fake.comments("o/r", 7);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_THAT(comments[0].body, ::testing::StartsWith("<!-- faultline:tiny -->\n"));
}

}  // namespace
}  // namespace faultline
