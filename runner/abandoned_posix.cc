#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>

#include "runner/abandoned.h"
#include "runner/cgroup.h"
#include "runner/fd.h"

namespace faultline::runner {
namespace {

constexpr std::string_view k_token = "FAULTLINE_RUN_TOKEN=";

// The faultline pid in `pid`'s run token, or 0 when it has none (or it cannot be read).
pid_t token_owner(const std::string& pid) {
  UniqueFd fd(open(("/proc/" + pid + "/environ").c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return 0;
  std::string text(1, '\0');
  char buf[16384];
  ssize_t n;
  while (text.size() < (1u << 22) &&
         ((n = read(fd.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0) text.append(buf, static_cast<std::size_t>(n));
  std::size_t at = text.find(std::string(1, '\0') + std::string(k_token));
  if (at == std::string::npos) return 0;
  return static_cast<pid_t>(std::strtol(text.c_str() + at + 1 + k_token.size(), nullptr, 10));
}

bool exists(pid_t pid) { return ::kill(pid, 0) == 0 || errno == EPERM; }

}  // namespace

int kill_abandoned_workloads() {
  int killed = kill_abandoned_cgroups();
  DIR* dir = opendir("/proc");
  if (!dir) return killed;
  std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, closedir);
  while (dirent* entry = readdir(dir)) {
    std::string name = entry->d_name;
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    pid_t owner = token_owner(name);
    if (owner <= 0 || owner == getpid() || exists(owner)) continue;
    if (::kill(static_cast<pid_t>(std::stol(name)), SIGKILL) == 0) ++killed;
  }
  return killed;
}

}  // namespace faultline::runner
