#include "runner/git_info.h"

#include <vector>

#include "base/text.h"
#include "runner/process.h"

namespace faultline::runner {

namespace {

// `text` split at NUL bytes.
std::vector<std::string> fields(const std::string& text) {
  std::vector<std::string> out(1);
  for (char c : text) {
    if (c == '\0')
      out.emplace_back();
    else
      out.back() += c;
  }
  return out;
}

}  // namespace

Expected<CommitInfo> git_commit_info(const std::string& repo_dir, const std::string& rev) {
  auto shown = command_output({"git", "-C", repo_dir, "show", "-s", "--no-notes",
                               "--format=%H%x00%an <%ae>%x00%aI%x00%s", "--end-of-options",
                               rev + "^{commit}", "--"});
  if (!shown) {
    auto top = command_output({"git", "-C", repo_dir, "rev-parse", "--git-dir"});
    if (!top) return fail(shown.error());
    return fail(bad_input("'" + rev + "' is not a commit in " + repo_dir));
  }
  const std::vector<std::string> f = fields(std::string(trim(*shown)));
  if (f.size() != 4 || f[0].size() != 40)
    return fail(infrastructure("git show " + rev + " in " + repo_dir +
                               " printed what faultline cannot read: " + *shown));
  return CommitInfo{f[0], f[3], f[1], f[2]};
}

Expected<std::string> git_remote_url(const std::string& repo_dir, const std::string& remote) {
  auto url = command_output({"git", "-C", repo_dir, "remote", "get-url", "--", remote});
  if (!url) return fail(bad_input("no remote '" + remote + "' in " + repo_dir));
  return std::string(trim(*url));
}

}  // namespace faultline::runner
