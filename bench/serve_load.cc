// Load on `faultline serve`'s webhook endpoint: a loopback client that sends
// RATE deliveries/s for SECONDS (open loop: each send is scheduled, not waited
// for), every other one with a wrong signature, each on its own connection as
// GitHub sends them. The bot's GitHub API is the GitHub fake (ci/testing); the
// queued jobs' clone URL does not exist, so each job fails fast after a real
// git fetch and posts an error status. Prints the counts, p50/p99 latency of the
// 401 and 202 paths, the jobs in the queue, and the bot's RSS (sampled, and VmHWM).
// Usage: serve_load FAULTLINE_BINARY [RATE] [SECONDS]
#include <httplib.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <sstream>
#include <thread>
#include <vector>

#include "ci/serve/job_queue.h"
#include "ci/serve/signature.h"
#include "ci/testing/github_fake.h"

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

constexpr const char* k_secret = "load-test-secret";
constexpr const char* k_token = "ghp_load_test_token_000000000";

long status_kb(pid_t pid, const std::string& field) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::stol(line.substr(field.size() + 1));
  return -1;
}

double percentile(std::vector<double> v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

std::string event(int i, const std::string& dir) {
  char sha[41];
  std::snprintf(sha, sizeof sha, "%040x", i);
  nlohmann::json pull = {
      {"number", 1 + i % 50},
      {"head", {{"sha", sha}, {"ref", "topic"}, {"repo", {{"full_name", "acme/widgets"}}}}},
      {"base", {{"repo", {{"full_name", "acme/widgets"}, {"clone_url", dir + "/missing.git"}}}}}};
  return nlohmann::json{{"action", "synchronize"},
                        {"repository", {{"full_name", "acme/widgets"}}},
                        {"pull_request", pull}}
      .dump();
}

pid_t spawn_bot(const std::string& faultline, const std::string& config, const std::string& log) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 2, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<std::string> env = {std::string("LOAD_SECRET=") + k_secret,
                                  std::string("LOAD_TOKEN=") + k_token,
                                  "PATH=" + std::string(getenv("PATH"))};
  std::vector<std::string> args = {faultline, "serve", "--config", config};
  std::vector<char*> argv, envp;
  for (auto& a : args) argv.push_back(a.data());
  for (auto& e : env) envp.push_back(e.data());
  argv.push_back(nullptr);
  envp.push_back(nullptr);
  pid_t pid = -1;
  if (posix_spawn(&pid, faultline.c_str(), &actions, nullptr, argv.data(), envp.data()) != 0)
    return -1;
  return pid;
}

int wait_for_port(const std::string& log) {
  static const std::regex listening(R"(listening on http://127\.0\.0\.1:(\d+)/webhook)");
  for (int i = 0; i < 300; ++i) {
    std::ifstream in(log);
    std::stringstream text;
    text << in.rdbuf();
    std::smatch m;
    std::string s = text.str();
    if (std::regex_search(s, m, listening)) return std::stoi(m[1]);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return 0;
}

struct Result {
  bool good = false;
  int status = 0;  // 0: no answer
  double ms = 0;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::cerr << "usage: serve_load FAULTLINE_BINARY [RATE] [SECONDS]\n";
    return 2;
  }
  const std::string faultline = fs::absolute(argv[1]).string();
  const int rate = argc > 2 ? std::atoi(argv[2]) : 500;
  const int seconds = argc > 3 ? std::atoi(argv[3]) : 10;
  char tmpl[] = "/tmp/faultline-serve-load-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  faultline::ci::testing::GitHubFake fake(k_token);
  for (int pr = 1; pr <= 50; ++pr) fake.add_pull("acme/widgets", pr, std::string(40, 'f'));
  std::ofstream(dir + "/bot.yaml")
      << "listen: 127.0.0.1:0\nsecret_env: LOAD_SECRET\ntoken_env: LOAD_TOKEN\n"
      << "api_url: " << fake.url() << "\nrepositories: [acme/widgets]\n"
      << "workdir: " << dir << "/jobs\ndb: " << dir << "/faultline.db\n";
  const pid_t bot = spawn_bot(faultline, dir + "/bot.yaml", dir + "/serve.log");
  const int port = wait_for_port(dir + "/serve.log");
  if (bot < 0 || port == 0) {
    std::cerr << "serve_load: the bot did not start; see " << dir << "/serve.log\n";
    return 3;
  }
  const long rss_idle = status_kb(bot, "VmRSS");

  const int total = rate * seconds;
  std::vector<Result> results(static_cast<std::size_t>(total));
  std::atomic<bool> sampling{true};
  long rss_max_sampled = 0;
  std::vector<long> rss_per_second;
  std::thread sampler([&] {
    int tick = 0;
    while (sampling) {
      long rss = status_kb(bot, "VmRSS");
      rss_max_sampled = std::max(rss_max_sampled, rss);
      if (++tick % 10 == 0) rss_per_second.push_back(rss);
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
  });
  const auto start = Clock::now();
  const auto interval = std::chrono::nanoseconds(1'000'000'000LL / rate);
  constexpr int k_senders = 32;
  std::vector<std::thread> senders;
  for (int s = 0; s < k_senders; ++s) {
    senders.emplace_back([&, s] {
      for (int i = s; i < total; i += k_senders) {
        std::this_thread::sleep_until(start + interval * i);
        const bool good = i % 2 == 0;
        const std::string body = event(i, dir);
        httplib::Headers headers = {
            {"X-GitHub-Event", "pull_request"},
            {"X-GitHub-Delivery", "load-" + std::to_string(i)},
            {"X-Hub-Signature-256", faultline::ci::serve::sign(good ? k_secret : "wrong", body)}};
        httplib::Client client("127.0.0.1", port);
        client.set_keep_alive(false);
        const auto t0 = Clock::now();
        auto r = client.Post("/webhook", headers, body, "application/json");
        results[static_cast<std::size_t>(i)] = {
            good, r ? r->status : 0,
            std::chrono::duration<double, std::milli>(Clock::now() - t0).count()};
      }
    });
  }
  for (auto& t : senders) t.join();
  const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  sampling = false;
  sampler.join();
  const long hwm = status_kb(bot, "VmHWM");
  kill(bot, SIGTERM);
  int status = 0;
  waitpid(bot, &status, 0);

  std::map<std::pair<bool, int>, int> counts;
  std::vector<double> bad_ms, good_ms;
  for (const auto& r : results) {
    ++counts[{r.good, r.status}];
    (r.good ? good_ms : bad_ms).push_back(r.ms);
  }
  auto queue = faultline::ci::serve::JobQueue::open(dir + "/faultline.db");
  std::set<std::string> deliveries;
  std::size_t rows = 0;
  if (queue)
    if (auto jobs = (*queue)->jobs()) {
      rows = jobs->size();
      for (const auto& j : *jobs) deliveries.insert(j.delivery);
    }
  std::printf("sent %d deliveries in %.2f s (%.0f/s), half with a wrong signature\n", total,
              elapsed, total / elapsed);
  for (const auto& [key, n] : counts)
    std::printf("  %s signature -> %s: %d\n", key.first ? "good" : "bad",
                key.second ? std::to_string(key.second).c_str() : "no answer", n);
  std::printf("401 path: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile(bad_ms, 0.5),
              percentile(bad_ms, 0.99), percentile(bad_ms, 1.0));
  std::printf("202 path: p50 %.2f ms, p99 %.2f ms, max %.2f ms\n", percentile(good_ms, 0.5),
              percentile(good_ms, 0.99), percentile(good_ms, 1.0));
  std::printf("jobs in the queue: %zu rows, %zu distinct deliveries (good deliveries sent: %d)\n",
              rows, deliveries.size(), (total + 1) / 2);
  std::printf("bot RSS: %ld kB idle, %ld kB max sampled (10 Hz), VmHWM %ld kB; per second:",
              rss_idle, rss_max_sampled, hwm);
  for (long r : rss_per_second) std::printf(" %ld", r);
  std::printf("\nbot exit status after SIGTERM: %d; scratch: %s\n",
              WIFEXITED(status) ? WEXITSTATUS(status) : -1, dir.c_str());
  return 0;
}
