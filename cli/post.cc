// `faultline post [RESULTS]`: the sticky pull-request comment and the commit
// status `faultline/NAME` from a saved results.json, and the same for
// `run --post`. Wiring only: ci/ publishes, reporters/ renders.
#include "cli/post.h"

#include <unistd.h>

#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>

#include "base/exit_status.h"
#include "base/redact.h"
#include "base/time.h"
#include "ci/client.h"
#include "ci/context.h"
#include "ci/publish.h"
#include "cli/command.h"
#include "pipeline/session.h"
#include "reporters/github.h"
#include "reporters/load.h"
#include "reporters/markdown.h"
#include "reporters/results.h"

namespace faultline::cli {

namespace {

struct PostFlags {
  std::string file = ".faultline/results.json";
  std::string name;
  ci::TargetOverrides target;
  int pr = 0;
  std::string token_env = "GITHUB_TOKEN";
  std::string full_report;
  bool strict = false;
  bool dry_run = false;
  bool verbose = false;
  bool summary_written = false;  // run --post: the Markdown is already in the job summary
};

std::string env_or_empty(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

bool on_github_actions() { return env_or_empty("GITHUB_ACTIONS") == "true"; }

std::string comment_markdown(nlohmann::json results, const std::string& name,
                             const std::string& repo_root, const std::string& full_report) {
  reporters::make_paths_relative(results, repo_root);
  reporters::MarkdownOptions o;
  o.max_bytes = ci::markdown_budget(name);
  o.full_report = full_report;
  return reporters::render_markdown(results, o);
}

// Said once: on GitHub Actions as a workflow warning (a line of the log and an
// annotation), elsewhere on stderr.
void warn(const std::string& sentence) {
  if (on_github_actions())
    std::cout << "::warning::" << reporters::workflow_data(sentence) << "\n" << std::flush;
  else
    std::cerr << "faultline post: warning: " << sentence << "\n";
}

// $FAULTLINE_GITHUB_TIMEOUT (a duration: "60s", "2m"): how long one request may go
// unanswered, its retries included (default 60 s); no attempt waits longer for a
// connection, and an answer that stalls for a third of it fails that attempt.
// Anything else is bad input naming it.
Status apply_timeout(ci::ClientOptions& o) {
  const std::string text = env_or_empty("FAULTLINE_GITHUB_TIMEOUT");
  if (text.empty()) return Ok{};
  const std::optional<double> ms = parse_duration_ms(text);
  if (!ms || *ms < 1'000 || *ms > 3'600'000)
    return fail(bad_input("$FAULTLINE_GITHUB_TIMEOUT '" + text +
                          "' is not a time from 1s to 1h (e.g. 60s, 2m)"));
  o.deadline = std::chrono::milliseconds(static_cast<long long>(*ms));
  o.connect_timeout = std::min(o.connect_timeout, o.deadline);
  o.stall_timeout = std::min(o.stall_timeout, o.deadline / 3);  // room for a retry or two
  o.notice_every = std::min(o.notice_every, o.stall_timeout / 2);
  return Ok{};
}

// The client for the token in $flags.token_env; bad_input when it is unset.
Expected<std::unique_ptr<ci::GitHubClient>> make_client(const PostFlags& flags,
                                                        const std::string& api_url) {
  const std::string token = env_or_empty(flags.token_env.c_str());
  if (token.empty())
    return fail(bad_input("$" + flags.token_env +
                          " is not set: give the job a token (`env: GITHUB_TOKEN: ${{ "
                          "secrets.GITHUB_TOKEN }}`), or use --dry-run"));
  ci::ClientOptions o;
  o.api_url = api_url;
  o.token = token;
  o.token_source = flags.token_env;
  o.log = &std::cerr;
  if (auto set = apply_timeout(o); !set) return fail(set.error());
  if (flags.verbose) o.trace = &std::cerr;
  return std::make_unique<ci::GitHubClient>(o);
}

struct Prepared {
  ci::Target target;
  std::unique_ptr<ci::GitHubClient> client;
};

Expected<Prepared> prepare(const PostFlags& flags) {
  ci::TargetOverrides overrides = flags.target;
  if (flags.pr > 0) overrides.pr = flags.pr;
  FAULTLINE_TRY(ci::Target target, ci::resolve_target(overrides));
  FAULTLINE_TRY(auto client, make_client(flags, target.api_url));
  return Prepared{std::move(target), std::move(client)};
}

// Exit status and messages for what was published.
int report_outcome(const ci::Published& out, bool strict) {
  if (!out.warning.empty()) warn(out.warning);
  if (!out.comment_url.empty() && !out.comment_action.empty())
    std::cout << "comment: " << out.comment_action << " " << out.comment_url << "\n";
  if (out.status_set) std::cout << "status: set on " << out.sha << "\n";
  if ((out.denied || out.stale) && strict) return k_exit_infrastructure;
  return k_exit_ok;
}

void print_dry_run(const ci::CommitStatus& status, const std::string& name,
                   const std::string& markdown) {
  std::cout << "status: faultline/" << name << " " << status.state << ": " << status.description
            << "\n"
            << "comment:\n"
            << ci::comment_body(name, markdown) << "\n";
}

int run_post(const PostFlags& flags) {
  auto results = reporters::load_results(flags.file);
  if (!results) {
    std::cerr << "faultline post: " << results.error().message << "\n";
    return k_exit_bad_input;
  }
  Redactor redactor = Redactor::from_environment();
  redactor.add(env_or_empty(flags.token_env.c_str()));
  reporters::mask_secrets(*results, redactor);
  const std::string name = !flags.name.empty() ? flags.name : results->value("name", "");
  if (auto ok = ci::check_name(name); !ok) {
    std::cerr << "faultline post: " << ok.error().message << "\n";
    return k_exit_bad_input;
  }
  const std::string markdown =
      comment_markdown(*results, name, pipeline::default_repo_root(),
                       flags.full_report.empty() ? flags.file : flags.full_report);
  const ci::CommitStatus status = ci::status_for(*results);
  if (flags.dry_run) return print_dry_run(status, name, markdown), k_exit_ok;
  auto prepared = prepare(flags);
  if (!prepared) {
    std::cerr << "faultline post: " << redactor.apply(prepared.error().message) << "\n";
    return exit_status_for(prepared.error());
  }
  ci::PublishOptions options{name, env_or_empty("GITHUB_STEP_SUMMARY"), flags.summary_written,
                             &std::cerr};
  ci::Publisher publisher(*prepared->client, prepared->target, options);
  auto out = publisher.results(status, markdown);
  if (!out) {
    std::cerr << "faultline post: " << redactor.apply(out.error().message) << "\n";
    return exit_status_for(out.error());
  }
  return report_outcome(*out, flags.strict);
}

}  // namespace

void post_run_started(const std::string& name, std::size_t cells) {
  PostFlags flags;
  if (auto ok = ci::check_name(name); !ok) return warn(ok.error().message);
  auto prepared = prepare(flags);
  if (!prepared) return warn("not posting: " + prepared.error().message);
  ci::Publisher publisher(*prepared->client, prepared->target, {name, "", false, &std::cerr});
  auto out = publisher.pending(cells);
  if (!out) return warn(out.error().message);
  if (!out->warning.empty()) warn(out->warning);
}

void post_run_finished(const nlohmann::json& results, const std::string& repo_root,
                       const std::string& full_report, bool summary_written) {
  const std::string name = results.value("name", "");
  if (auto ok = ci::check_name(name); !ok) return warn(ok.error().message);
  auto prepared = prepare(PostFlags{});
  if (!prepared) return warn("not posting: " + prepared.error().message);
  const std::string markdown = comment_markdown(results, name, repo_root, full_report);
  ci::PublishOptions options{name, env_or_empty("GITHUB_STEP_SUMMARY"), summary_written,
                             &std::cerr};
  ci::Publisher publisher(*prepared->client, prepared->target, options);
  auto out = publisher.results(ci::status_for(results), markdown);
  if (!out) return warn(out.error().message);
  report_outcome(*out, false);
}

void add_post_command(CLI::App& app, Action& action) {
  auto flags = std::make_shared<PostFlags>();
  CLI::App* cmd = app.add_subcommand(
      "post", "Post a results.json to the pull request: a sticky comment and a commit status");
  cmd->footer(
      "On GitHub Actions everything comes from the environment: GITHUB_API_URL, "
      "GITHUB_REPOSITORY,\n"
      "GITHUB_EVENT_PATH (pull_request / pull_request_target: the PR and its head commit), "
      "GITHUB_SHA,\n"
      "and the token in $GITHUB_TOKEN (never a flag). The comment is found by its hidden marker\n"
      "<!-- faultline:NAME --> and updated in place; the status is faultline/NAME. When GitHub\n"
      "refuses the token (a pull request from a fork), faultline warns and writes the report to\n"
      "$GITHUB_STEP_SUMMARY instead. Exit status: 0 posted (or warned), 2 bad input, 3 GitHub or\n"
      "the network failed (or, with --strict, GitHub refused to write or the PR moved on).\n\n"
      "Examples:\n"
      "  faultline post .faultline/results.json\n"
      "  GITHUB_TOKEN=$(gh auth token) faultline post --repo octo/gate --pr 12\n"
      "  faultline post --dry-run");
  cmd->add_option("results", flags->file, "the results.json to post")->capture_default_str();
  cmd->add_option("--name", flags->name, "marker and status context (default: the matrix name)");
  cmd->add_option("--repo", flags->target.repo, "OWNER/NAME (default: $GITHUB_REPOSITORY)");
  cmd->add_option("--pr", flags->pr, "pull request number (default: from $GITHUB_EVENT_PATH)")
      ->check(CLI::Range(1, 1'000'000'000));
  cmd->add_option("--sha", flags->target.sha,
                  "commit for the status (default: the PR's head, else $GITHUB_SHA)");
  cmd->add_option("--api-url", flags->target.api_url,
                  "REST API base URL (default: $GITHUB_API_URL, else https://api.github.com)");
  cmd->add_option("--target-url", flags->target.target_url,
                  "link of the status (default: "
                  "$GITHUB_SERVER_URL/$GITHUB_REPOSITORY/actions/runs/$GITHUB_RUN_ID)");
  cmd->add_option("--token-env", flags->token_env, "the environment variable holding the token")
      ->capture_default_str();
  cmd->add_option("--full-report", flags->full_report,
                  "where readers find the untrimmed report (default: RESULTS)");
  cmd->add_flag("--strict", flags->strict,
                "fail (exit 3) when GitHub refuses to write or the PR has a newer head");
  cmd->add_flag("--dry-run", flags->dry_run, "print the status and comment; send nothing");
  cmd->add_flag("--verbose,-v", flags->verbose,
                "trace every HTTP exchange on stderr (token masked)");
  cmd->callback([flags, &action] { action = [flags] { return run_post(*flags); }; });
}

}  // namespace faultline::cli
