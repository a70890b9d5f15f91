// ci/serve/checkout.h — a job's clean worktree: a new git repository in a fresh
// directory, the pull request's head fetched into it (refs/pull/N/head from the
// base repository as GitHub publishes it, else the head branch from the head
// repository) and the job's exact commit checked out, detached. Spawning is
// runner/'s; which commit to test is the job's.
#pragma once

#include <atomic>
#include <string>

#include "base/expected.h"
#include "ci/serve/job_queue.h"

namespace faultline::ci::serve {

// Checks out `job.sha` into `dir` (which must not exist yet). Infrastructure errors
// name the git command and its stderr; a set `cancel` stops git at once.
Status checkout_head(const Job& job, const std::string& dir, const std::atomic<bool>* cancel);

}  // namespace faultline::ci::serve
