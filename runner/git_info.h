// What git says about one commit of a version history, for people reading a
// bisect's answer: its full hash, subject, author and date; and where a remote
// of the repository points. Runs the git CLI (argv, no shell) in the repository.
#pragma once

#include <string>

#include "base/expected.h"

namespace faultline::runner {

struct CommitInfo {
  std::string hash;     // 40 hex digits
  std::string subject;  // the first line of the message
  std::string author;   // "Name <email>"
  std::string date;     // the author date, strict ISO 8601: "2026-11-30T06:30:41+00:00"
};

// `rev` (a hash, abbreviated or not, a tag, a branch) in `repo_dir`; bad input
// when it is not a commit there, infrastructure when git cannot be run.
Expected<CommitInfo> git_commit_info(const std::string& repo_dir, const std::string& rev);

// The URL of `remote` (`git remote get-url`); bad input when there is no such remote.
Expected<std::string> git_remote_url(const std::string& repo_dir,
                                     const std::string& remote = "origin");

}  // namespace faultline::runner
