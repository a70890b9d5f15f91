// `faultline serve --config bot.yaml`: the PR status bot. Reads the configuration
// and the two secrets it names, opens the job queue, starts the workers and the
// webhook server, and on SIGTERM or SIGINT stops both (running jobs requeued).
#include <signal.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <thread>

#include "base/exit_status.h"
#include "base/redact.h"
#include "ci/serve/config.h"
#include "ci/serve/job_queue.h"
#include "ci/serve/rest.h"
#include "ci/serve/server.h"
#include "ci/serve/worker.h"
#include "cli/command.h"
#include "runner/process.h"

namespace faultline::cli {

namespace {

namespace fs = std::filesystem;
using namespace faultline::ci::serve;

constexpr const char* k_example = R"(
Example bot.yaml (docs/bot.md has every setting and the security model):
  listen: 127.0.0.1:8080            # put a TLS proxy in front of it
  secret_env: FAULTLINE_WEBHOOK_SECRET   # the NAME of the variable, never the secret
  token_env: GITHUB_TOKEN
  repositories: [acme/widgets]
  matrix: faultline.yaml            # inside the pull request's repository
  runs: 20
  allow_forks: false                # forks' code is not run unless set (see docs/bot.md)

  FAULTLINE_WEBHOOK_SECRET=... GITHUB_TOKEN=... faultline serve --config bot.yaml
)";

// The value of the variable `name` that `key` names; a bad_input Error if unset.
Expected<std::string> secret_from(const BotConfig& cfg, const std::string& key,
                                  const std::string& name) {
  const char* value = std::getenv(name.c_str());
  if (!value || !*value)
    return fail(bad_input(cfg.file + ": error: the environment variable " + name + " (named by '" +
                          key + "') is not set"));
  return std::string(value);
}

Status make_places(const BotConfig& cfg) {
  std::error_code ec;
  for (const fs::path& dir : {fs::path(cfg.workdir), fs::absolute(cfg.db).parent_path()}) {
    fs::create_directories(dir, ec);
    if (ec) return fail(infrastructure("cannot create " + dir.string() + ": " + ec.message()));
  }
  return Ok{};
}

// SIGTERM and SIGINT go to a thread that stops the server; the workers then stop too.
// `which` is read by the serving thread while this one may write it: atomic (TSan).
std::thread watch_signals(WebhookServer& server, std::atomic<int>& which) {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  sigaddset(&set, SIGUSR1);  // sent by serve() itself when the server ends on its own
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
  return std::thread([&server, &which, set] {
    int sig = 0;
    sigwait(&set, &sig);
    which = sig;
    server.stop();
  });
}

int report(const Error& e) {
  std::cerr << e.message << (e.message.empty() || e.message.back() != '\n' ? "\n" : "");
  return exit_status_for(e);
}

int serve(const std::string& config_file) {
  auto cfg = load_config(config_file);
  if (!cfg) return report(cfg.error());
  auto secret = secret_from(*cfg, "secret_env", cfg->secret_env);
  if (!secret) return report(secret.error());
  auto token = secret_from(*cfg, "token_env", cfg->token_env);
  if (!token) return report(token.error());
  Redactor redactor = Redactor::from_environment({cfg->secret_env, cfg->token_env});
  if (auto s = make_places(*cfg); !s) return report(s.error());
  auto queue = JobQueue::open(cfg->db);
  if (!queue) return report(queue.error());
  auto requeued = (*queue)->requeue_running();
  if (!requeued) return report(requeued.error());
  (void)runner::become_subreaper();

  ci::ClientOptions client;
  client.api_url = cfg->api_url;
  client.token = *token;
  client.token_source = cfg->token_env;
  client.log = &std::cerr;
  RestPoster github(client, cfg->name, &std::cerr);
  WorkerOptions options = worker_options(*cfg);
  options.log = &std::cerr;
  options.redactor = &redactor;
  Workers workers(**queue, github, options);
  WebhookServer server(*cfg, *secret, **queue, github, workers, redactor, &std::cerr);
  auto port = server.bind();
  if (!port) return report(port.error());

  std::atomic<int> signal_number{0};
  std::thread signals = watch_signals(server, signal_number);
  workers.start();
  std::cerr << "faultline serve: listening on http://" << cfg->host << ":" << *port << "/webhook ("
            << *requeued << " running jobs requeued from the last run)" << std::endl;
  server.listen();
  if (signal_number.load() == 0)
    kill(getpid(), SIGUSR1);  // the listener ended on its own: release the signal thread
  signals.join();
  std::cerr << "faultline serve: stopping (signal " << signal_number.load()
            << "); running jobs go back to the queue" << std::endl;
  workers.stop();
  return k_exit_ok;
}

}  // namespace

void add_serve_command(CLI::App& app, Action& action) {
  auto* cmd = app.add_subcommand("serve",
                                 "the PR status bot: GitHub webhooks in, runs and PR comments out");
  cmd->footer(k_example);
  auto config = std::make_shared<std::string>();
  cmd->add_option("--config", *config, "the bot's configuration file (YAML)")->required();
  cmd->callback([&action, config] { action = [config] { return serve(*config); }; });
}

}  // namespace faultline::cli
