#include "ci/serve/events.h"

#include <gtest/gtest.h>

namespace faultline::ci::serve {
namespace {

using nlohmann::json;

BotConfig config() {
  BotConfig c;
  c.secret_env = "S";
  c.repositories = {"acme/widgets"};
  return c;
}

json pull_request(const std::string& action, const std::string& head_repo = "acme/widgets") {
  return {{"action", action},
          {"repository", {{"full_name", "acme/widgets"}, {"clone_url", "/srv/widgets.git"}}},
          {"pull_request",
           {{"number", 7},
            {"head",
             {{"sha", std::string(40, 'a')},
              {"ref", "topic"},
              {"repo", {{"full_name", head_repo}, {"clone_url", "/srv/" + head_repo + ".git"}}}}},
            {"base",
             {{"ref", "main"},
              {"repo", {{"full_name", "acme/widgets"}, {"clone_url", "/srv/widgets.git"}}}}}}}};
}

json comment(const std::string& body, bool on_pull = true) {
  json issue = {{"number", 7}};
  if (on_pull)
    issue["pull_request"] = {{"url", "https://api.github.com/repos/acme/widgets/pulls/7"}};
  return {{"action", "created"},
          {"repository", {{"full_name", "acme/widgets"}}},
          {"issue", issue},
          {"comment", {{"body", body}, {"user", {{"login", "alice"}}}}}};
}

TEST(Events, PushesToAPullRequestQueueItsHead) {
  for (const char* action : {"opened", "synchronize", "reopened"}) {
    Decision d = decide(config(), "pull_request", pull_request(action));
    ASSERT_EQ(d.kind, Decision::Kind::queue) << action << ": " << d.why;
    EXPECT_EQ(d.job.repo, "acme/widgets");
    EXPECT_EQ(d.job.pr, 7);
    EXPECT_EQ(d.job.sha, std::string(40, 'a'));
    EXPECT_EQ(d.job.head_ref, "topic");
    EXPECT_EQ(d.job.clone_url, "/srv/widgets.git");
    EXPECT_EQ(d.job.reason, std::string("pull_request ") + action);
  }
}

TEST(Events, OtherActionsAndEventsAreIgnored) {
  EXPECT_EQ(decide(config(), "pull_request", pull_request("closed")).kind, Decision::Kind::ignore);
  EXPECT_EQ(decide(config(), "push", pull_request("opened")).kind, Decision::Kind::ignore);
  EXPECT_EQ(decide(config(), "ping", json::object()).why, "pong");
}

TEST(Events, RepositoriesOutsideTheAllowListAreRefused) {
  json p = pull_request("opened");
  p["repository"]["full_name"] = "evil/widgets";
  Decision d = decide(config(), "pull_request", p);
  EXPECT_EQ(d.kind, Decision::Kind::refuse);
  EXPECT_EQ(d.why, "repository 'evil/widgets' is not in the bot's allow list");
}

TEST(Events, ForksRunOnlyWhenAllowed) {
  Decision d = decide(config(), "pull_request", pull_request("opened", "mallory/widgets"));
  EXPECT_EQ(d.kind, Decision::Kind::refuse);
  EXPECT_EQ(d.why,
            "pull request #7 comes from the fork 'mallory/widgets' and allow_forks is false: the "
            "bot does "
            "not run code from forks");
  BotConfig allowing = config();
  allowing.allow_forks = true;
  Decision allowed = decide(allowing, "pull_request", pull_request("opened", "mallory/widgets"));
  ASSERT_EQ(allowed.kind, Decision::Kind::queue) << allowed.why;
  EXPECT_EQ(allowed.job.head_clone_url, "/srv/mallory/widgets.git");
}

TEST(Events, MalformedHeadsAreInvalid) {
  json p = pull_request("opened");
  p["pull_request"]["head"]["sha"] = "--upload-pack=touch /tmp/x";
  EXPECT_EQ(decide(config(), "pull_request", p).kind, Decision::Kind::invalid);
  json q = pull_request("opened");
  q["pull_request"]["base"]["repo"]["clone_url"] = "--upload-pack=touch /tmp/x";
  EXPECT_EQ(decide(config(), "pull_request", q).kind, Decision::Kind::invalid);
  json r = pull_request("opened");
  r["pull_request"].erase("number");
  EXPECT_EQ(decide(config(), "pull_request", r).kind, Decision::Kind::invalid);
}

TEST(Events, CommentCommandsNeedAPermissionCheck) {
  Decision d = decide(config(), "issue_comment", comment("/faultline bisect\nplease"));
  ASSERT_EQ(d.kind, Decision::Kind::command) << d.why;
  EXPECT_EQ(d.job.command, "bisect");
  EXPECT_EQ(d.job.pr, 7);
  EXPECT_EQ(d.user, "alice");
  EXPECT_EQ(d.job.reason, "/faultline bisect by alice");
  EXPECT_EQ(decide(config(), "issue_comment", comment("  /faultline run")).job.command, "run");
}

TEST(Events, OtherCommentsAreIgnored) {
  EXPECT_EQ(decide(config(), "issue_comment", comment("looks good")).kind, Decision::Kind::ignore);
  EXPECT_EQ(decide(config(), "issue_comment", comment("/faultline deploy")).kind,
            Decision::Kind::ignore);
  EXPECT_EQ(decide(config(), "issue_comment", comment("please /faultline run")).kind,
            Decision::Kind::ignore);
  EXPECT_EQ(decide(config(), "issue_comment", comment("/faultline run", false)).kind,
            Decision::Kind::ignore);
  json edited = comment("/faultline run");
  edited["action"] = "edited";
  EXPECT_EQ(decide(config(), "issue_comment", edited).kind, Decision::Kind::ignore);
}

}  // namespace
}  // namespace faultline::ci::serve
