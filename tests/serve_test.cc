// End-to-end tests of `faultline serve`: the real binary listening on 127.0.0.1,
// real HTTP deliveries signed (or not) as GitHub signs them, the GitHub fake
// (ci/testing) for the API side, and a local bare git repository as the pull
// request's remote. Each job really fetches and runs `faultline run`.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <mutex>
#include <regex>
#include <set>
#include <thread>

#include "ci/serve/job_queue.h"
#include "ci/serve/signature.h"
#include "ci/testing/github_fake.h"
#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using ci::serve::sign;
using ci::testing::GitHubFake;
using e2e::Outcome;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* k_secret = "webhook-secret-for-tests";
constexpr const char* k_token = "ghp_serve_test_token_0123456789";
constexpr const char* k_repo = "acme/widgets";
constexpr const char* k_context = "faultline/serve";

using e2e::eventually;
using std::chrono::seconds;

// `faultline serve` as a child process, its stderr collected.
class Bot {
 public:
  explicit Bot(const fs::path& config) {
    int fds[2];
    if (pipe(fds) != 0) throw std::runtime_error("pipe");
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 2);
    posix_spawn_file_actions_addclose(&actions, fds[0]);
    posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0);
    std::vector<std::string> env = runner::environment_with(
        {{"FAULTLINE_TEST_SECRET", k_secret}, {"FAULTLINE_TEST_TOKEN", k_token}});
    std::vector<std::string> args = {FAULTLINE_BINARY, "serve", "--config", config.string()};
    std::vector<char*> argv, envp;
    for (auto& a : args) argv.push_back(a.data());
    for (auto& e : env) envp.push_back(e.data());
    argv.push_back(nullptr);
    envp.push_back(nullptr);
    if (posix_spawn(&m_pid, FAULTLINE_BINARY, &actions, nullptr, argv.data(), envp.data()) != 0)
      throw std::runtime_error("posix_spawn");
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    m_reader = std::thread([this, fd = fds[0]] {
      char buf[4096];
      ssize_t n;
      while ((n = read(fd, buf, sizeof buf)) > 0) {
        std::lock_guard lock(m_mutex);
        m_err.append(buf, static_cast<std::size_t>(n));
      }
      close(fd);
    });
  }
  ~Bot() {
    if (m_pid > 0) {
      kill(m_pid, SIGKILL);
      waitpid(m_pid, nullptr, 0);
    }
    m_reader.join();
  }
  // The port it listens on, once it says so; 0 if it never does.
  int port() {
    static const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+)/webhook)");
    std::smatch m;
    eventually(
        [&] {
          std::string err = stderr_text();
          return std::regex_search(err, m, listening) || exited();
        },
        seconds(30));
    std::string err = stderr_text();
    return std::regex_search(err, m, listening) ? std::stoi(m[1]) : 0;
  }
  std::string stderr_text() {
    std::lock_guard lock(m_mutex);
    return m_err;
  }
  bool exited() {
    if (m_pid <= 0) return true;
    int status = 0;
    if (waitpid(m_pid, &status, WNOHANG) != m_pid) return false;
    m_status = status;
    m_pid = -1;
    return true;
  }
  // SIGTERM, then its exit status (-1 unless it exited on its own).
  int terminate() {
    kill(m_pid, SIGTERM);
    eventually([&] { return exited(); }, seconds(60));
    return WIFEXITED(m_status) ? WEXITSTATUS(m_status) : -1;
  }

 private:
  pid_t m_pid = -1;
  int m_status = 0;
  std::thread m_reader;
  std::mutex m_mutex;
  std::string m_err;
};

class Serve : public e2e::ScratchTest {
 protected:
  Serve() : ScratchTest("serve") {}
  void SetUp() override {
    sh("git init -q --bare remote.git && git init -q work && cd work && git config user.email t@t "
       "&& "
       "git config user.name t");
    m_fake.set_permission(k_repo, "alice", "write");
    m_fake.set_permission(k_repo, "bob", "read");
  }
  // The bot stops before the scratch directory goes (members before the base).
  void TearDown() override {
    if (HasFailure() && m_bot) std::cerr << "faultline serve said:\n" << m_bot->stderr_text();
  }
  // A commit on pull request `pr` whose matrix runs `workload`, pushed as GitHub
  // publishes it (the head branch and refs/pull/N/head); the fake's head follows it.
  std::string push(int pr, const std::string& workload) {
    return push_matrix(pr,
                       "version: 1\nname: widgets\ncomponents: { lib: { versions: [\"1\"] } }\n"
                       "sanitizers: [none]\nworkloads: { w: { run: \"" +
                           workload + "\" } }\nstress: { runs: 2 }\n");
  }
  std::string push_matrix(int pr, const std::string& matrix) {
    write("work/faultline.yaml", matrix);
    sh("cd work && git add faultline.yaml && git commit -q --allow-empty -m 'pr " +
       std::to_string(pr) + "' && git push -q -f ../remote.git HEAD:refs/heads/pr-" +
       std::to_string(pr) + " HEAD:refs/pull/" + std::to_string(pr) + "/head");
    auto sha =
        runner::command_output({"git", "-C", (m_dir / "work").string(), "rev-parse", "HEAD"});
    std::string head = sha ? std::string(sha->substr(0, 40)) : "";
    if (m_pulls.insert(pr).second)
      m_fake.add_pull(k_repo, pr, head);
    else
      m_fake.set_head(k_repo, pr, head);
    return head;
  }
  void start(const std::string& extra = "") {
    std::ofstream(m_dir / "bot.yaml")
        << "listen: 127.0.0.1:0\nsecret_env: FAULTLINE_TEST_SECRET\n"
        << "token_env: FAULTLINE_TEST_TOKEN\napi_url: " << m_fake.url() << "\n"
        << "repositories: [" << k_repo << "]\nmax_body_bytes: 65536\n"
        << "workdir: " << (m_dir / "jobs").string() << "\n"
        << "db: " << (m_dir / "state/faultline.db").string() << "\n"
        << extra;
    m_bot = std::make_unique<Bot>(m_dir / "bot.yaml");
    m_port = m_bot->port();
    ASSERT_NE(m_port, 0) << m_bot->stderr_text();
  }
  json pull_event(const std::string& action, int pr, const std::string& sha,
                  const std::string& head_repo = k_repo) {
    const std::string url = (m_dir / "remote.git").string();
    return {{"action", action},
            {"number", pr},
            {"repository", {{"full_name", k_repo}, {"clone_url", url}}},
            {"pull_request",
             {{"number", pr},
              {"head",
               {{"sha", sha},
                {"ref", "pr-" + std::to_string(pr)},
                {"repo", {{"full_name", head_repo}, {"clone_url", url}}}}},
              {"base", {{"ref", "main"}, {"repo", {{"full_name", k_repo}, {"clone_url", url}}}}}}}};
  }
  json comment_event(int pr, const std::string& user, const std::string& body) {
    return {{"action", "created"},
            {"repository", {{"full_name", k_repo}, {"clone_url", (m_dir / "remote.git").string()}}},
            {"issue", {{"number", pr}, {"pull_request", {{"url", "x"}}}}},
            {"comment", {{"body", body}, {"user", {{"login", user}}}}}};
  }
  // POSTs a delivery; `signature` "" sends none, "good" signs it with the secret.
  httplib::Result deliver(const std::string& event, const std::string& body,
                          const std::string& signature = "good", std::string delivery = "") {
    if (delivery.empty()) delivery = "delivery-" + std::to_string(++m_deliveries);
    httplib::Headers headers = {{"X-GitHub-Event", event}, {"X-GitHub-Delivery", delivery}};
    if (!signature.empty())
      headers.emplace("X-Hub-Signature-256",
                      signature == "good" ? sign(k_secret, body) : signature);
    httplib::Client client("127.0.0.1", m_port);
    client.set_read_timeout(30, 0);
    return client.Post("/webhook", headers, body, "application/json");
  }
  std::vector<std::string> states(const std::string& sha) {
    std::vector<std::string> out;
    for (const auto& s : m_fake.statuses(k_repo, sha))
      if (s.context == k_context) out.push_back(s.state);
    return out;
  }
  bool finished(const std::string& sha) {
    auto s = states(sha);
    return !s.empty() && s.back() != "pending";
  }
  std::vector<ci::serve::Job> jobs() {
    auto q = ci::serve::JobQueue::open((m_dir / "state/faultline.db").string());
    if (!q) return {};
    auto all = (*q)->jobs();
    return all ? *all : std::vector<ci::serve::Job>{};
  }

  // The jobs reach these states, in order (the final status goes out just before
  // the queue records the end).
  bool settled(const std::vector<std::string>& expected) {
    auto now = [&] {
      std::vector<std::string> out;
      for (const auto& job : jobs()) out.push_back(job.state);
      return out;
    };
    bool ok = eventually([&] { return now() == expected; }, seconds(30));
    if (!ok) ADD_FAILURE() << "job states: " << ::testing::PrintToString(now());
    return ok;
  }

  GitHubFake m_fake{k_token};
  std::unique_ptr<Bot> m_bot;
  int m_port = 0;
  int m_deliveries = 0;
  std::set<int> m_pulls;
};

TEST_F(Serve, ASignedPushIsRunAndReportedOnThePullRequest) {
  start("runs: 2\n");
  // The job's workload fails if it can see the bot's secret or token.
  const std::string sha = push_matrix(
      7,
      "version: 1\nname: widgets\ncomponents: { lib: { versions: [\"1\"] } }\nsanitizers: [none]\n"
      "workloads: { w: { run: 'test -z \"$FAULTLINE_TEST_TOKEN$FAULTLINE_TEST_SECRET\"' } }\n");
  auto r = deliver("pull_request", pull_event("synchronize", 7, sha).dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  EXPECT_THAT(r->body, HasSubstr("queued job 1 for acme/widgets#7 at " + sha.substr(0, 12)));
  ASSERT_TRUE(eventually([&] { return finished(sha); })) << m_bot->stderr_text();
  EXPECT_EQ(states(sha), (std::vector<std::string>{"pending", "success"}));
  auto comments = m_fake.comments(k_repo, 7);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_THAT(comments[0].body, HasSubstr("<!-- faultline:serve -->"));
  EXPECT_THAT(comments[0].body, HasSubstr("widgets"));
  EXPECT_TRUE(fs::exists(m_dir / "jobs/job-1/src/faultline.yaml")) << "the job's worktree";
  EXPECT_EQ(runner::command_output(
                {"git", "-C", (m_dir / "jobs/job-1/src").string(), "rev-parse", "HEAD"})
                .value()
                .substr(0, 40),
            sha);
  EXPECT_TRUE(settled({"done"}));
  EXPECT_THAT(m_bot->stderr_text(), ::testing::Not(HasSubstr(k_token)));
  EXPECT_THAT(m_bot->stderr_text(), ::testing::Not(HasSubstr(k_secret)));
}

TEST_F(Serve, ConfigurationProblemsExitTwoNamingThePlace) {
  const std::string config =
      write("bot.yaml", "secret_env: FAULTLINE_UNSET_SECRET_FOR_TEST\nrepositories: [a/b]\n");
  Outcome unset = faultline({"serve", "--config", config});
  EXPECT_EQ(unset.status, 2);
  EXPECT_EQ(unset.err, config +
                           ": error: the environment variable FAULTLINE_UNSET_SECRET_FOR_TEST "
                           "(named by 'secret_env') is not set\n");
  const std::string bad_config =
      write("bad.yaml", "secret_env: S\nrepositories: [a/b]\nlisten: 127.0.0.1:http\n");
  Outcome bad = faultline({"serve", "--config", bad_config});
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err, bad_config +
                         ":3:9: error: 'listen' must be HOST:PORT (e.g. 127.0.0.1:8080), not "
                         "'127.0.0.1:http'\n");
  Outcome help = faultline({"serve", "--help"});
  EXPECT_EQ(help.status, 0);
  EXPECT_THAT(help.out, HasSubstr("secret_env: FAULTLINE_WEBHOOK_SECRET"));
}

TEST_F(Serve, UnsignedAndWronglySignedDeliveriesAre401AndQueueNothing) {
  start();
  const std::string sha = push(7, "true");
  const std::string body = pull_event("opened", 7, sha).dump();
  auto unsigned_ = deliver("pull_request", body, "", "same-id");
  ASSERT_TRUE(unsigned_);
  EXPECT_EQ(unsigned_->status, 401);
  EXPECT_EQ(unsigned_->body, "missing X-Hub-Signature-256\n");
  for (const std::string& bad :
       {sign("another secret", body), sign(k_secret, body + " "), std::string("sha256=00"),
        "sha1=" + sign(k_secret, body).substr(7)}) {
    auto r = deliver("pull_request", body, bad, "same-id");
    ASSERT_TRUE(r);
    EXPECT_EQ(r->status, 401) << bad;
    EXPECT_EQ(r->body, "X-Hub-Signature-256 does not match\n");
  }
  // Not even JSON: refused on the signature before the body is looked at.
  auto garbage = deliver("pull_request", "{not json", "sha256=" + std::string(64, '0'));
  ASSERT_TRUE(garbage);
  EXPECT_EQ(garbage->status, 401);
  EXPECT_TRUE(jobs().empty());
  EXPECT_TRUE(states(sha).empty());
  // The refused deliveries left no trace: the same id, signed, is handled.
  auto good = deliver("pull_request", body, "good", "same-id");
  ASSERT_TRUE(good);
  EXPECT_EQ(good->status, 202) << good->body;
}

TEST_F(Serve, OversizedBodiesAreRefusedAndTheServerStaysUp) {
  start();
  const std::string body = "{\"padding\": \"" + std::string(100'000, 'x') + "\"}";
  auto r = deliver("pull_request", body);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 413);
  httplib::Client client("127.0.0.1", m_port);
  auto health = client.Get("/healthz");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(health->body, "ok\n");
  EXPECT_TRUE(jobs().empty());
}

TEST_F(Serve, AReplayedDeliveryIsIgnoredEvenAfterARestart) {
  start();
  const std::string sha = push(7, "true");
  const std::string body = pull_event("opened", 7, sha).dump();
  auto first = deliver("pull_request", body, "good", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->status, 202);
  auto again = deliver("pull_request", body, "good", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 200);
  EXPECT_EQ(again->body,
            "delivery 72d3162e-cc78-11e3-81ab-4c9367dc0958 was already handled; ignored\n");
  ASSERT_TRUE(eventually([&] { return finished(sha); })) << m_bot->stderr_text();
  EXPECT_EQ(m_bot->terminate(), 0);
  start();
  auto after_restart =
      deliver("pull_request", body, "good", "72d3162e-cc78-11e3-81ab-4c9367dc0958");
  ASSERT_TRUE(after_restart);
  EXPECT_EQ(after_restart->status, 200);
  EXPECT_EQ(jobs().size(), 1u);
}

TEST_F(Serve, CommandsComeOnlyFromUsersWithWritePermission) {
  start();
  const std::string sha = push(7, "true");
  auto denied = deliver("issue_comment", comment_event(7, "bob", "/faultline run").dump());
  ASSERT_TRUE(denied);
  EXPECT_EQ(denied->status, 403);
  EXPECT_EQ(denied->body,
            "bob has 'read' permission on acme/widgets; commands need write, maintain or admin\n");
  auto stranger = deliver("issue_comment", comment_event(7, "eve", "/faultline run").dump());
  ASSERT_TRUE(stranger);
  EXPECT_EQ(stranger->status, 403);
  EXPECT_TRUE(jobs().empty());
  auto allowed = deliver("issue_comment", comment_event(7, "alice", "/faultline run").dump());
  ASSERT_TRUE(allowed);
  EXPECT_EQ(allowed->status, 202) << allowed->body;
  ASSERT_TRUE(eventually([&] { return finished(sha); })) << m_bot->stderr_text();
  EXPECT_EQ(states(sha).back(), "success");
  bool asked = false;
  for (const auto& req : m_fake.requests())
    asked |= req.target == "/repos/acme/widgets/collaborators/alice/permission";
  EXPECT_TRUE(asked);
  ASSERT_EQ(jobs().size(), 1u);
  EXPECT_EQ(jobs()[0].reason, "/faultline run by alice");
}

TEST_F(Serve, ABisectCommandRunsThenBisectsAndCommentsTheFirstCrashingVersion) {
  start();
  const std::string sha = push_matrix(
      7,
      "version: 1\nname: widgets\ncomponents: { lib: { versions: [\"1\", \"2\", \"3\"] } }\n"
      "sanitizers: [none]\nworkloads: { w: { run: 'test \"$FAULTLINE_LIB\" = 1 || kill -SEGV $$' } "
      "}\n"
      "stress: { runs: 2 }\nbisect: { axes: [lib] }\n");
  auto r = deliver("issue_comment", comment_event(7, "alice", "/faultline bisect").dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202) << r->body;
  ASSERT_TRUE(eventually([&] { return finished(sha); })) << m_bot->stderr_text();
  EXPECT_EQ(states(sha), (std::vector<std::string>{"pending", "failure"}));
  auto comments = m_fake.comments(k_repo, 7);
  ASSERT_EQ(comments.size(), 1u);
  EXPECT_THAT(comments[0].body, HasSubstr("## Bisect"));
  EXPECT_THAT(comments[0].body, HasSubstr("- start: first crashing `lib=2`, last good `lib=1`\n"
                                          "- end: open (`lib` crashes to its newest version)\n"));
  EXPECT_TRUE(settled({"done"}));
}

TEST_F(Serve, OtherRepositoriesAndForksAreRefused) {
  start();
  const std::string sha = push(7, "true");
  json other = pull_event("opened", 7, sha);
  other["repository"]["full_name"] = "evil/widgets";
  auto r = deliver("pull_request", other.dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 403);
  EXPECT_EQ(r->body, "repository 'evil/widgets' is not in the bot's allow list\n");
  auto fork = deliver("pull_request", pull_event("opened", 7, sha, "mallory/widgets").dump());
  ASSERT_TRUE(fork);
  EXPECT_EQ(fork->status, 403);
  EXPECT_THAT(fork->body,
              HasSubstr("comes from the fork 'mallory/widgets' and allow_forks is false"));
  EXPECT_TRUE(jobs().empty());
}

TEST_F(Serve, ANewPushCancelsTheRunningJob) {
  start();
  const std::string slow = push(7, "sleep 60");
  ASSERT_EQ(deliver("pull_request", pull_event("opened", 7, slow).dump())->status, 202);
  ASSERT_TRUE(eventually([&] { return fs::exists(m_dir / "jobs/job-1/state"); }, seconds(60)))
      << m_bot->stderr_text();
  const std::string fast = push(7, "true");
  auto r = deliver("pull_request", pull_event("synchronize", 7, fast).dump());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 202);
  EXPECT_THAT(r->body, HasSubstr("cancelling running job 1"));
  ASSERT_TRUE(eventually([&] { return finished(fast); })) << m_bot->stderr_text();
  EXPECT_EQ(states(fast), (std::vector<std::string>{"pending", "success"}));
  EXPECT_EQ(states(slow), std::vector<std::string>{"pending"})
      << "the cancelled job posted no result";
  EXPECT_TRUE(settled({"cancelled", "done"}));
}

TEST_F(Serve, ARestartWithQueuedJobsLosesNone) {
  start("runs: 1\n");
  std::vector<std::string> shas = {push(1, "sleep 3"), push(2, "true"), push(3, "true")};
  for (int pr = 1; pr <= 3; ++pr)
    ASSERT_EQ(deliver("pull_request", pull_event("opened", pr, shas[pr - 1]).dump())->status, 202);
  ASSERT_TRUE(eventually([&] { return fs::exists(m_dir / "jobs/job-1/state"); }, seconds(60)))
      << m_bot->stderr_text();
  EXPECT_EQ(m_bot->terminate(), 0) << m_bot->stderr_text();
  EXPECT_THAT(m_bot->stderr_text(), HasSubstr("requeued job 1 (acme/widgets#1"));
  auto stopped = jobs();
  ASSERT_EQ(stopped.size(), 3u);
  for (const auto& job : stopped) EXPECT_EQ(job.state, "queued") << "job " << job.id;
  for (const auto& sha : shas) EXPECT_FALSE(finished(sha));
  start("runs: 1\n");
  for (const auto& sha : shas) {
    ASSERT_TRUE(eventually([&] { return finished(sha); })) << m_bot->stderr_text();
    EXPECT_EQ(states(sha), (std::vector<std::string>{"pending", "success"})) << sha;
  }
  EXPECT_TRUE(settled({"done", "done", "done"}));
}

}  // namespace
}  // namespace faultline
