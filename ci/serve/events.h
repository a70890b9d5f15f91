// ci/serve/events.h — what a verified webhook delivery asks for: `pull_request`
// (opened, synchronize, reopened) becomes a job; an `issue_comment` on a pull
// request whose first line is `/faultline run` or `/faultline bisect` becomes a
// command that still needs the commenter's permission and the pull request's head
// (the server asks GitHub); everything else is ignored with a reason. Repositories
// outside the allow list and forks (unless allowed) are refused here.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "ci/serve/config.h"
#include "ci/serve/job_queue.h"

namespace faultline::ci::serve {

struct Decision {
  enum class Kind {
    queue,    // `job` is ready to queue
    command,  // `job` has repo, pr, command and reason; check `user`'s permission, fill in the head
    ignore,   // nothing to do (`why` says so); answered 200
    refuse,   // not allowed (`why` says so); answered 403
    invalid,  // the payload lacks what the event must carry (`why`); answered 400
  };
  Kind kind = Kind::ignore;
  Job job;
  std::string user;  // the commenter, for `command`
  std::string why;
};

// `event` is X-GitHub-Event; `payload` the parsed body.
Decision decide(const BotConfig& config, const std::string& event, const nlohmann::json& payload);

// The pull request fields of a `pull_request` payload or of GET /repos/{o}/{r}/pulls/{n}
// into `job` (sha, head_ref, clone URLs). `why` is set when a field is missing or the
// pull request comes from a fork the configuration does not allow.
bool read_pull(const BotConfig& config, const nlohmann::json& pull, Job& job, std::string& why,
               bool& refused);

}  // namespace faultline::ci::serve
