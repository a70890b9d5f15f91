#include "ci/serve/checkout.h"

#include "base/text.h"
#include "runner/process.h"

namespace faultline::ci::serve {

namespace {

constexpr std::chrono::milliseconds k_git_timeout{600'000};

struct Git {
  std::string dir;
  const std::atomic<bool>* cancel;

  Expected<runner::ProcessResult> operator()(std::vector<std::string> args) const {
    runner::ProcessOptions o;
    o.argv = {"git", "-C", dir};
    o.argv.insert(o.argv.end(), args.begin(), args.end());
    // No prompt for credentials: a fetch that needs them fails instead of hanging.
    o.environment =
        runner::environment_with({{"GIT_TERMINAL_PROMPT", "0"}, {"GIT_ASKPASS", "true"}});
    o.timeout = k_git_timeout;
    o.cancel = cancel;
    return runner::run_process(o);
  }
};

Error git_failed(const std::vector<std::string>& args, const runner::ProcessResult& r) {
  return infrastructure("git " + join(args, " ") + " " + r.describe() + ": " +
                        std::string(trim(r.stderr_capture.text())));
}

Status run_git(const Git& git, std::vector<std::string> args) {
  FAULTLINE_TRY(auto r, git(args));
  if (r.cancelled) return fail(infrastructure("cancelled"));
  if (!r.succeeded()) return fail(git_failed(args, r));
  return Ok{};
}

}  // namespace

Status checkout_head(const Job& job, const std::string& dir, const std::atomic<bool>* cancel) {
  FAULTLINE_TRY(auto made, runner::run_command({"git", "init", "-q", dir}));
  if (!made.succeeded()) return fail(git_failed({"init", "-q", dir}, made));
  Git git{dir, cancel};
  const std::string pull_ref = "+refs/pull/" + std::to_string(job.pr) + "/head:refs/faultline/head";
  auto from_base = run_git(git, {"fetch", "-q", "--no-tags", job.clone_url, pull_ref});
  if (!from_base) {
    if (cancel && *cancel) return from_base;
    if (job.head_ref.empty()) return from_base;
    auto from_head = run_git(git, {"fetch", "-q", "--no-tags", job.head_clone_url,
                                   "+refs/heads/" + job.head_ref + ":refs/faultline/head"});
    if (!from_head)
      return fail(infrastructure("cannot fetch pull request #" + std::to_string(job.pr) + ": " +
                                 from_base.error().message + "; then " +
                                 from_head.error().message));
  }
  if (auto has = run_git(git, {"cat-file", "-e", job.sha + "^{commit}"}); !has)
    return fail(infrastructure("commit " + job.sha +
                               " is not in what was fetched for pull request #" +
                               std::to_string(job.pr) + " (the branch moved on?)"));
  return run_git(git, {"-c", "advice.detachedHead=false", "checkout", "-q", "--detach", job.sha});
}

}  // namespace faultline::ci::serve
