// Linux implementation of runner/cgroup.h, over the cgroup v2 interface files
// (Documentation/admin-guide/cgroup-v2.rst): cgroup.procs, cgroup.kill,
// cgroup.freeze, cgroup.events.
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <mutex>
#include <sstream>
#include <thread>

#include "runner/cgroup.h"

namespace faultline::runner {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds k_empty_limit{2000};
constexpr std::string_view k_prefix = "faultline-";

// This process's cgroup v2 path ("0::/user.slice/…" in /proc/self/cgroup).
std::optional<std::string> own_cgroup_path() {
  std::ifstream in("/proc/self/cgroup");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("0::", 0) == 0) return line.substr(3);
  return std::nullopt;
}

// Where cgroup2 is mounted and the cgroup its mount shows as "/" (mountinfo's root).
std::optional<std::pair<std::string, std::string>> cgroup2_mount() {
  std::ifstream in("/proc/self/mountinfo");
  std::string line;
  while (std::getline(in, line)) {
    const std::size_t dash = line.find(" - ");
    if (dash == std::string::npos || line.compare(dash + 3, 8, "cgroup2 ") != 0) continue;
    std::istringstream fields(line.substr(0, dash));
    std::string id, parent, device, root, mount_point;
    fields >> id >> parent >> device >> root >> mount_point;
    return std::make_pair(mount_point, root);
  }
  return std::nullopt;
}

// faultline's own cgroup directory, or why there is none usable.
std::string own_cgroup_dir(std::string& reason) {
  auto mount = cgroup2_mount();
  auto path = own_cgroup_path();
  if (!mount || !path) {
    reason = "no cgroup v2 mounted";
    return "";
  }
  const auto& [mount_point, root] = *mount;
  std::string relative = *path;
  if (root != "/" && relative.rfind(root, 0) == 0) relative.erase(0, root.size());
  std::string dir = mount_point + (relative == "/" ? "" : relative);
  if (access(dir.c_str(), W_OK) != 0) {
    reason = "faultline's cgroup " + dir + " is not writable (" + std::strerror(errno) + ")";
    return "";
  }
  return dir;
}

// faultline's faultline-<pid>/ directory: made once, removed at exit.
struct Home {
  std::string dir;     // "" when cgroups are not used
  std::string reason;  // why not
  std::atomic<bool> disabled{false};
  std::atomic<unsigned> runs{0};
  // Emptied run cgroups, kept for the next runs: making and removing one per run
  // costs more than the run of a small program (docs/benchmarks.md).
  std::mutex idle_lock;
  std::vector<std::string> idle;
  ~Home() {
    for (const std::string& run : idle) (void)rmdir(run.c_str());
    if (!dir.empty()) (void)rmdir(dir.c_str());
  }
};

Home& home() {
  static Home h;
  static std::once_flag once;
  std::call_once(once, [] {
    std::string parent = own_cgroup_dir(h.reason);
    if (parent.empty()) return;
    std::string dir = parent + "/" + std::string(k_prefix) + std::to_string(getpid());
    if (mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
      h.reason = "cannot create " + dir + " (" + std::strerror(errno) + ")";
      return;
    }
    h.dir = dir;
  });
  return h;
}

bool write_file(const std::string& path, std::string_view text) {
  UniqueFd fd(open(path.c_str(), O_WRONLY | O_CLOEXEC));
  if (!fd) return false;
  ssize_t n;
  while ((n = write(fd.get(), text.data(), text.size())) < 0 && errno == EINTR) {
  }
  return n == static_cast<ssize_t>(text.size());
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::vector<pid_t> pids_in(const std::string& dir) {
  std::istringstream in(read_file(dir + "/cgroup.procs"));
  std::vector<pid_t> out;
  pid_t pid;
  while (in >> pid) out.push_back(pid);
  return out;
}

void kill_cgroup(const std::string& dir) {
  if (write_file(dir + "/cgroup.kill", "1")) return;
  // Before Linux 5.14: frozen processes cannot fork while each is killed.
  (void)write_file(dir + "/cgroup.freeze", "1");
  for (pid_t pid : pids_in(dir)) (void)::kill(pid, SIGKILL);
  (void)write_file(dir + "/cgroup.freeze", "0");
}

bool populated(const std::string& dir) {
  return read_file(dir + "/cgroup.events").find("populated 1") != std::string::npos;
}

bool wait_until_empty(const std::string& dir, milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (populated(dir)) {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(milliseconds(1));
  }
  return true;
}

std::vector<std::string> subdirectories(const std::string& dir, std::string_view prefix) {
  std::vector<std::string> out;
  DIR* d = opendir(dir.c_str());
  if (!d) return out;
  std::unique_ptr<DIR, int (*)(DIR*)> closer(d, closedir);
  while (dirent* entry = readdir(d))
    if (entry->d_type == DT_DIR && entry->d_name[0] != '.' &&
        std::string_view(entry->d_name).rfind(prefix, 0) == 0)
      out.push_back(dir + "/" + entry->d_name);
  return out;
}

// Kills, waits for and removes one cgroup and those under it (a faultline run by
// a workload makes its own there); returns how many processes they held.
int remove_cgroup(const std::string& dir) {
  int held = static_cast<int>(pids_in(dir).size());
  if (populated(dir)) {
    kill_cgroup(dir);  // cgroup.kill reaches the cgroups under it too
    wait_until_empty(dir, k_empty_limit);
  }
  for (const std::string& child : subdirectories(dir, "")) held += remove_cgroup(child);
  for (int tries = 0; rmdir(dir.c_str()) != 0 && errno == EBUSY && tries < 100; ++tries)
    std::this_thread::sleep_for(milliseconds(1));
  return held;
}

}  // namespace

std::optional<RunCgroup> RunCgroup::create() {
  Home& h = home();
  if (h.dir.empty() || h.disabled.load()) return std::nullopt;
  std::string path;
  {
    std::lock_guard lock(h.idle_lock);
    if (!h.idle.empty()) {
      path = std::move(h.idle.back());
      h.idle.pop_back();
    }
  }
  if (path.empty()) {
    path = h.dir + "/run-" + std::to_string(++h.runs);
    if (mkdir(path.c_str(), 0755) != 0) return std::nullopt;
  }
  UniqueFd procs(open((path + "/cgroup.procs").c_str(), O_WRONLY | O_CLOEXEC));
  if (!procs) {
    (void)rmdir(path.c_str());
    return std::nullopt;
  }
  return RunCgroup(std::move(path), std::move(procs));
}

RunCgroup::RunCgroup(RunCgroup&& other) noexcept
    : m_path(std::exchange(other.m_path, std::string())), m_procs(std::move(other.m_procs)) {}

RunCgroup& RunCgroup::operator=(RunCgroup&& other) noexcept {
  if (this == &other) return *this;
  remove();
  m_path = std::exchange(other.m_path, std::string());
  m_procs = std::move(other.m_procs);
  return *this;
}

void RunCgroup::remove() {
  if (m_path.empty()) return;
  m_procs.reset();
  std::string path = std::exchange(m_path, std::string());
  if (populated(path)) {
    kill_cgroup(path);
    wait_until_empty(path, k_empty_limit);
  }
  if (!populated(path) && subdirectories(path, "").empty()) {  // as new: for the next run
    Home& h = home();
    std::lock_guard lock(h.idle_lock);
    h.idle.push_back(std::move(path));
    return;
  }
  (void)remove_cgroup(path);
}

std::vector<pid_t> RunCgroup::pids() const { return pids_in(m_path); }

void RunCgroup::kill() const { kill_cgroup(m_path); }

bool RunCgroup::wait_empty(milliseconds limit) const { return wait_until_empty(m_path, limit); }

void disable_cgroups() { home().disabled.store(true); }

std::string containment_note() {
  const Home& h = home();
  const std::string fallback =
      "process group per run, PR_SET_PDEATHSIG, FAULTLINE_RUN_TOKEN for escaped descendants";
  if (!h.dir.empty() && !h.disabled.load())
    return "cgroup v2 per run (" + h.dir + "/run-<n>): every descendant ends with its run";
  if (h.disabled.load()) return "no cgroup (a run could not join " + h.dir + "); " + fallback;
  return "no cgroup (" + h.reason + "); " + fallback;
}

int kill_abandoned_cgroups() {
  std::string reason;
  const std::string parent = own_cgroup_dir(reason);
  if (parent.empty()) return 0;
  int killed = 0;
  for (const std::string& dir : subdirectories(parent, k_prefix)) {
    const pid_t owner = static_cast<pid_t>(
        std::strtol(dir.c_str() + parent.size() + 1 + k_prefix.size(), nullptr, 10));
    if (owner <= 0 || owner == getpid() || ::kill(owner, 0) == 0 || errno == EPERM) continue;
    for (const std::string& run : subdirectories(dir, "run-")) killed += remove_cgroup(run);
    (void)rmdir(dir.c_str());
  }
  return killed;
}

}  // namespace faultline::runner
