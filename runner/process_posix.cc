// POSIX implementation of runner/process.h. The shape follows ninja's
// src/subprocess-posix.cc: a child in a fresh session (its own process group, no
// controlling terminal) with a clean signal state, pipes read through poll(). The
// child is started with vfork() (no page-table copy, as glibc's posix_spawn) so it
// can ask to die with faultline (PR_SET_PDEATHSIG). Linux extras, each with a fallback:
// pidfd (child exit as a pollable event), F_SETPIPE_SZ (fewer wakeups for chatty
// children), PR_SET_CHILD_SUBREAPER and /proc/self/task/*/children (orphan reaping).
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <span>
#include <sstream>
#include <string_view>
#include <thread>

#include "base/text.h"
#include "runner/cgroup.h"
#include "runner/fd.h"
#include "runner/process.h"
#include "runner/process_runner.h"

extern char** environ;

namespace faultline::runner {
namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t k_read_chunk = 256 * 1024;
constexpr int k_pipe_bytes = 1 << 20;
constexpr milliseconds k_cancel_poll{50};
constexpr milliseconds k_exit_poll_without_pidfd{10};
constexpr milliseconds k_group_cleanup_limit{2000};
constexpr std::string_view k_token_name = "FAULTLINE_RUN_TOKEN";

std::atomic<bool> g_subreaper{false};
std::atomic<std::uint64_t> g_run_counter{0};

// The children run_process() is running. Spawning holds the lock shared, so that
// reap_stray_children() (exclusive) never mistakes a just-spawned child for a stray.
std::shared_mutex g_spawn_lock;
std::mutex g_running_lock;
std::set<pid_t> g_running;

std::string errno_text(int error) { return std::strerror(error); }

Error system_error(std::string_view what, int error) {
  return infrastructure(std::string(what) + ": " + errno_text(error));
}

void ignore_sigpipe_once() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction action {};
    action.sa_handler = SIG_IGN;
    sigemptyset(&action.sa_mask);
    sigaction(SIGPIPE, &action, nullptr);  // cannot fail for SIGPIPE with SIG_IGN
  });
}

nanoseconds to_ns(const timeval& tv) {
  return std::chrono::seconds(tv.tv_sec) + std::chrono::microseconds(tv.tv_usec);
}

// ---- Environment and program lookup ----

std::optional<std::string> lookup(const std::vector<std::string>& env, std::string_view name) {
  for (const std::string& entry : env) {
    if (entry.size() > name.size() && entry.compare(0, name.size(), name) == 0 &&
        entry[name.size()] == '=')
      return entry.substr(name.size() + 1);
  }
  return std::nullopt;
}

// argv[0] as a path for posix_spawn: unchanged when it holds a '/', else the first
// executable regular file of that name in PATH.
Expected<std::string> resolve_program(const ProcessOptions& options) {
  const std::string& name = options.argv[0];
  if (name.find('/') != std::string::npos) return name;
  std::optional<std::string> path =
      options.environment
          ? lookup(*options.environment, "PATH")
          : (getenv("PATH") ? std::optional<std::string>(getenv("PATH")) : std::nullopt);
  if (!path) path = "/usr/local/bin:/usr/bin:/bin";
  std::optional<std::string> not_executable;
  std::string_view rest = *path;
  while (true) {
    std::size_t colon = rest.find(':');
    std::string dir(rest.substr(0, colon));
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    struct stat st {};
    if (stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode)) {
      if (access(candidate.c_str(), X_OK) == 0) return candidate;
      if (!not_executable) not_executable = candidate;
    }
    if (colon == std::string_view::npos) break;
    rest.remove_prefix(colon + 1);
  }
  if (not_executable)
    return fail(
        infrastructure("cannot run '" + name + "': " + *not_executable + " is not executable"));
  return fail(infrastructure("cannot run '" + name + "': no such program in PATH (" + *path + ")"));
}

Status check_working_directory(const std::string& dir) {
  if (dir.empty()) return Ok{};
  struct stat st {};
  if (stat(dir.c_str(), &st) != 0)
    return fail(infrastructure("cannot use working directory '" + dir + "': " + errno_text(errno)));
  if (!S_ISDIR(st.st_mode))
    return fail(infrastructure("cannot use working directory '" + dir + "': not a directory"));
  return Ok{};
}

Error spawn_error(const ProcessOptions& options, const std::string& program, int error) {
  std::string what = "cannot run '" + options.argv[0] + "'";
  if (program != options.argv[0]) what += " (" + program + ")";
  switch (error) {
    case ENOENT:
      return infrastructure(what + ": no such file");
    case EACCES:
      return infrastructure(what + ": permission denied (not executable?)");
    case ENOEXEC:
      return infrastructure(what + ": not an executable format");
    default:
      break;
  }
  if (!options.working_directory.empty()) what += " in '" + options.working_directory + "'";
  return system_error(what, error);
}

// ---- Spawning ----

struct Pipe {
  UniqueFd read;
  UniqueFd write;
};

Expected<Pipe> make_pipe() {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return fail(system_error("pipe2", errno));
  Pipe p{UniqueFd(fds[0]), UniqueFd(fds[1])};
  // Best effort: a larger pipe means fewer wakeups when the child writes a lot.
  (void)fcntl(p.read.get(), F_SETPIPE_SZ, k_pipe_bytes);
  int flags = fcntl(p.read.get(), F_GETFL);
  if (flags < 0 || fcntl(p.read.get(), F_SETFL, flags | O_NONBLOCK) != 0)
    return fail(system_error("fcntl(O_NONBLOCK)", errno));
  return p;
}

// What the child does between vfork() and exec, prepared beforehand: the child
// may only make system calls (it shares faultline's memory until it execs).
struct ChildPlan {
  const char* program = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* working_directory = nullptr;  // nullptr: faultline's
  int out_fd = -1;
  int err_fd = -1;
  pid_t parent = -1;
  int cgroup_procs = -1;        // the run's cgroup.procs: the child moves itself in; -1: none
  bool set_core_limit = false;  // ProcessOptions::core_dumps
  rlimit core_limit{};          // soft raised to the hard limit, read before the fork
  int notes_fd = -1;  // write end of a close-on-exec pipe carrying the child's ChildNotes:
                      // vfork shares memory, but a fork (TSan's vfork interceptor forks)
                      // does not, so the pipe is their only way to the parent
};

// What the child tells the parent through ChildPlan::notes_fd, one record of two
// ints (kind, errno) per write (atomic: under PIPE_BUF), read until the pipe closes
// at exec or exit.
enum class ChildNote : int {
  cgroup_refused = 1,  // the move into the run's cgroup failed; the child goes on without it
  failed = 2,          // a step before exec (or exec) failed; the child exits 127
};
struct ChildNotes {
  int cgroup_error = 0;  // errno of the refused cgroup move; 0 when it moved (or had none)
  int error = 0;         // errno of the step that failed; 0 when exec succeeded
};

void note_to_parent(const ChildPlan& plan, ChildNote note, int error) {
  const int record[2] = {static_cast<int>(note), error};
  (void)!write(plan.notes_fd, record, sizeof record);
}

// The child side: die with faultline (SIGKILL when the spawning thread ends, and
// at once if faultline is already gone), a new session with no controlling
// terminal (so /dev/tty cannot be opened), stdin from /dev/null, default signals.
[[noreturn]] void fail_child(const ChildPlan& plan, int error) {
  note_to_parent(plan, ChildNote::failed, error);
  _exit(127);
}

[[noreturn]] void become_workload(const ChildPlan& plan) {
  if (prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0) != 0) fail_child(plan, errno);
  if (getppid() != plan.parent) _exit(127);  // faultline died before PDEATHSIG was set
  if (plan.cgroup_procs >= 0 && write(plan.cgroup_procs, "0", 1) != 1)  // "0": the writer
    note_to_parent(plan, ChildNote::cgroup_refused, errno != 0 ? errno : EIO);
  if (setsid() < 0) fail_child(plan, errno);
  if (plan.set_core_limit && setrlimit(RLIMIT_CORE, &plan.core_limit) != 0) fail_child(plan, errno);
  struct sigaction action {};
  action.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; ++sig)
    if (sig != SIGKILL && sig != SIGSTOP) (void)sigaction(sig, &action, nullptr);
  sigset_t none;
  sigemptyset(&none);
  (void)sigprocmask(SIG_SETMASK, &none, nullptr);
  int in = open("/dev/null", O_RDONLY);
  if (in < 0 || dup2(in, 0) < 0 || dup2(plan.out_fd, 1) < 0 || dup2(plan.err_fd, 2) < 0)
    fail_child(plan, errno);
  if (in > 2) close(in);
  if (plan.working_directory && chdir(plan.working_directory) != 0) fail_child(plan, errno);
  execve(plan.program, plan.argv, plan.envp);
  fail_child(plan, errno);
}

// The child's notes, read until the pipe closes (at exec, or at the child's exit).
ChildNotes read_child_notes(int fd) {
  ChildNotes notes;
  int record[2];
  std::size_t have = 0;
  for (;;) {
    ssize_t n = read(fd, reinterpret_cast<char*>(record) + have, sizeof record - have);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return notes;
    have += static_cast<std::size_t>(n);
    if (have < sizeof record) continue;
    have = 0;
    if (record[0] == static_cast<int>(ChildNote::cgroup_refused)) notes.cgroup_error = record[1];
    if (record[0] == static_cast<int>(ChildNote::failed)) notes.error = record[1];
  }
}

// vfork() with every signal blocked, so no faultline handler runs in the child.
// Returns the child's pid and its notes, or -errno when it could not start.
pid_t start_child(ChildPlan& plan, ChildNotes& notes) {
  int notes_pipe[2];
  if (pipe2(notes_pipe, O_CLOEXEC) != 0) return -errno;
  plan.notes_fd = notes_pipe[1];
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  plan.parent = getpid();
  pid_t pid = vfork();
  if (pid == 0) become_workload(plan);
  int vfork_error = errno;
  pthread_sigmask(SIG_SETMASK, &old, nullptr);
  close(notes_pipe[1]);
  if (pid >= 0) notes = read_child_notes(notes_pipe[0]);
  close(notes_pipe[0]);
  if (pid < 0) return -vfork_error;
  if (notes.error == 0) return pid;
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  return -notes.error;
}

std::vector<char*> c_strings(const std::vector<std::string>& strings) {
  std::vector<char*> out;
  out.reserve(strings.size() + 1);
  for (const std::string& s : strings) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

struct Child {
  pid_t pid = -1;
  UniqueFd out;
  UniqueFd err;
  UniqueFd pidfd;  // invalid when the kernel has no pidfd_open
  std::string token;
  std::optional<RunCgroup> cgroup;  // the run's cgroup, holding the child and its descendants
};

UniqueFd open_pidfd(pid_t pid) {
#ifdef SYS_pidfd_open
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd >= 0) {
    (void)fcntl(static_cast<int>(fd), F_SETFD, FD_CLOEXEC);
    return UniqueFd(static_cast<int>(fd));
  }
#endif
  return UniqueFd();
}

Expected<Child> spawn(const ProcessOptions& options) {
  if (options.argv.empty()) return fail(bad_input("cannot run an empty command"));
  FAULTLINE_TRY(Ok checked, check_working_directory(options.working_directory));
  (void)checked;
  FAULTLINE_TRY(std::string program, resolve_program(options));
  FAULTLINE_TRY(Pipe out, make_pipe());
  FAULTLINE_TRY(Pipe err, make_pipe());

  Child child;
  std::vector<std::string> env_copy;
  const std::vector<std::string>* env = options.environment ? &*options.environment : nullptr;
  if (g_subreaper.load()) {
    child.token = std::to_string(getpid()) + "." + std::to_string(++g_run_counter);
    env_copy = env ? *env : current_environment();
    env_copy.push_back(std::string(k_token_name) + "=" + child.token);
    env = &env_copy;
  }
  std::vector<char*> argv = c_strings(options.argv);
  std::vector<char*> envp;
  if (env) envp = c_strings(*env);

  ChildPlan plan;
  plan.program = program.c_str();
  plan.argv = argv.data();
  plan.envp = env ? envp.data() : environ;
  plan.working_directory =
      options.working_directory.empty() ? nullptr : options.working_directory.c_str();
  plan.out_fd = out.write.get();
  plan.err_fd = err.write.get();
  if (options.core_dumps && getrlimit(RLIMIT_CORE, &plan.core_limit) == 0) {
    plan.core_limit.rlim_cur = plan.core_limit.rlim_max;
    plan.set_core_limit = true;
  }

  child.cgroup = RunCgroup::create();
  plan.cgroup_procs = child.cgroup ? child.cgroup->procs_fd() : -1;

  std::shared_lock spawning(g_spawn_lock);
  ChildNotes notes;
  child.pid = start_child(plan, notes);
  if (child.pid < 0) return fail(spawn_error(options, program, -child.pid));
  if (notes.cgroup_error != 0) {  // not delegated to us after all: the fallback from now on
    disable_cgroups();
    child.cgroup.reset();
  }
  {
    std::lock_guard lock(g_running_lock);
    g_running.insert(child.pid);
  }
  spawning.unlock();
  child.out = std::move(out.read);
  child.err = std::move(err.read);
  child.pidfd = open_pidfd(child.pid);
  return child;
}

// ---- Descendants ----

void kill_group(pid_t pgid, int sig) {
  // ESRCH: the group is already empty. Nothing else can fail for our own group.
  (void)::kill(-pgid, sig);
}

bool group_exists(pid_t pgid) { return ::kill(-pgid, 0) == 0 || errno == EPERM; }

std::vector<pid_t> children_of_faultline() {
  std::vector<pid_t> out;
  DIR* dir = opendir("/proc/self/task");
  if (!dir) return out;
  std::unique_ptr<DIR, int (*)(DIR*)> closer(dir, closedir);
  while (dirent* entry = readdir(dir)) {
    if (entry->d_name[0] == '.') continue;
    std::string path = std::string("/proc/self/task/") + entry->d_name + "/children";
    UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
    if (!fd) continue;
    std::string text;
    char buf[4096];
    ssize_t n;
    while ((n = read(fd.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR))
      if (n > 0) text.append(buf, static_cast<std::size_t>(n));
    std::istringstream in(text);
    pid_t pid;
    while (in >> pid) out.push_back(pid);
  }
  return out;
}

bool has_token(pid_t pid, const std::string& token) {
  if (token.empty()) return false;
  std::string path = "/proc/" + std::to_string(pid) + "/environ";
  UniqueFd fd(open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (!fd) return false;
  std::string text(1, '\0');
  char buf[16384];
  ssize_t n;
  while (text.size() < (1u << 22) &&
         ((n = read(fd.get(), buf, sizeof buf)) > 0 || (n < 0 && errno == EINTR)))
    if (n > 0) text.append(buf, static_cast<std::size_t>(n));
  std::string needle = std::string(1, '\0') + std::string(k_token_name) + "=" + token + '\0';
  return text.find(needle) != std::string::npos;
}

bool is_running_child(pid_t pid) {
  std::lock_guard lock(g_running_lock);
  return g_running.count(pid) != 0;
}

void kill_and_reap(pid_t pid) {
  (void)::kill(pid, SIGKILL);
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

// Kills and reaps faultline's children (orphans adopted as subreaper) that belong to
// this run: still in its group, or carrying its token. Returns how many.
int reap_orphans_of(pid_t pgid, const std::string& token) {
  int found = 0;
  for (pid_t pid : children_of_faultline()) {
    if (is_running_child(pid)) continue;
    if (getpgid(pid) != pgid && !has_token(pid, token)) continue;
    kill_and_reap(pid);
    ++found;
  }
  return found;
}

// After the child is reaped: SIGKILL whatever is left of its group and, as
// subreaper, reap it and the escaped descendants carrying the run's token.
void clean_up_descendants(pid_t pgid, const std::string& token) {
  kill_group(pgid, SIGKILL);
  if (!g_subreaper.load()) return;
  const Clock::time_point give_up = Clock::now() + k_group_cleanup_limit;
  while (true) {
    int found = reap_orphans_of(pgid, token);
    if (found == 0 && !group_exists(pgid)) return;
    if (Clock::now() >= give_up) return;
    kill_group(pgid, SIGKILL);
    if (found == 0) std::this_thread::sleep_for(milliseconds(1));
  }
}

// ---- The poll loop ----

class RunningProcess {
 public:
  RunningProcess(const ProcessOptions& options, Child child)
      : m_options(options), m_child(std::move(child)), m_output(options.capture) {
    m_result.pid = m_child.pid;
    if (options.timeout.count() > 0) m_deadline = m_start + options.timeout;
  }

  ProcessResult run() {
    while (!m_exited) step();
    m_result.wall = Clock::now() - m_start;
    drain_for(m_options.drain_after_exit);
    // Descendants still holding the pipes: the group, and (as subreaper) escaped
    // ones with the run's token. The child itself stays a zombie until reap().
    kill_group(m_child.pid, SIGKILL);
    kill_cgroup();
    if (g_subreaper.load() && (m_child.out || m_child.err))
      reap_orphans_of(m_child.pid, m_child.token);
    drain_for(m_options.drain_after_exit);
    m_child.out.reset();
    m_child.err.reset();
    reap();
    clean_up_descendants(m_child.pid, m_child.token);
    reap_cgroup_members();
    m_output.finish(m_result.stdout_capture, m_result.stderr_capture, m_result.interleaved);
    return std::move(m_result);
  }

 private:
  // SIGKILL to every process of the run's cgroup, remembering who they were.
  void kill_cgroup() {
    if (!m_child.cgroup) return;
    for (pid_t pid : m_child.cgroup->pids()) m_cgroup_members.insert(pid);
    m_child.cgroup->kill();
  }

  // Once the cgroup is empty, reaps its members that came to faultline as orphans
  // (subreaper): they left the group and the token, but not the cgroup.
  void reap_cgroup_members() {
    if (!m_child.cgroup) return;
    if (!m_child.cgroup->wait_empty(milliseconds(0))) {
      kill_cgroup();  // anything forked since the first kill
      m_child.cgroup->wait_empty(k_group_cleanup_limit);
    }
    if (!g_subreaper.load()) return;
    for (pid_t pid : children_of_faultline())
      if (m_cgroup_members.count(pid) && !is_running_child(pid)) kill_and_reap(pid);
  }

  // One poll() round: read output, notice exit, act on the deadline and cancellation.
  void step() {
    pollfd fds[3];
    int count = add_pipes(fds);
    int pidfd_index = -1;
    if (m_child.pidfd) {
      pidfd_index = count;
      fds[count++] = {m_child.pidfd.get(), POLLIN, 0};
    }
    int rc = poll(fds, static_cast<nfds_t>(count), wait_ms());
    if (rc < 0 && errno != EINTR) {
      m_poll_failed = true;  // cannot happen with valid fds; fall back to sleeping
      std::this_thread::sleep_for(k_exit_poll_without_pidfd);
    }
    if (rc > 0) read_ready(fds, pidfd_index < 0 ? count : pidfd_index);
    if (pidfd_index >= 0 && rc > 0 && fds[pidfd_index].revents != 0) m_exited = true;
    if (!m_child.pidfd || m_poll_failed) m_exited = m_exited || has_exited();
    if (!m_exited) enforce_limits();
  }

  int add_pipes(pollfd* fds) {
    int count = 0;
    if (m_child.out) fds[count++] = {m_child.out.get(), POLLIN, 0};
    if (m_child.err) fds[count++] = {m_child.err.get(), POLLIN, 0};
    return count;
  }

  int wait_ms() const {
    milliseconds wait = milliseconds::max();
    if (!m_child.pidfd || m_poll_failed) wait = k_exit_poll_without_pidfd;
    if (m_options.cancel) wait = std::min(wait, k_cancel_poll);
    Clock::time_point now = Clock::now();
    auto until = [&](Clock::time_point t) {
      return std::max(milliseconds(0), std::chrono::ceil<milliseconds>(t - now));
    };
    if (m_deadline) wait = std::min(wait, until(*m_deadline));
    if (m_kill_at) wait = std::min(wait, until(*m_kill_at));
    return wait == milliseconds::max()
               ? -1
               : static_cast<int>(std::min<long long>(wait.count(), 1 << 30));
  }

  void read_ready(const pollfd* fds, int pipe_count) {
    for (int i = 0; i < pipe_count; ++i) {
      if (fds[i].revents == 0) continue;
      UniqueFd& fd = fds[i].fd == m_child.out.get() ? m_child.out : m_child.err;
      read_available(fd);
    }
  }

  // Reads until the pipe is empty (EAGAIN) or closed (EOF: the fd is closed here),
  // straight into the stream's capture where it can (OutputCaptures::space).
  void read_available(UniqueFd& fd) {
    const int stream = &fd == &m_child.out ? 1 : 2;
    while (fd) {
      std::span<char> into = m_output.space(stream, k_read_chunk);
      ssize_t n = read(fd.get(), into.data(), into.size());
      if (n < 0 && errno == EINTR) continue;
      if (n < 0 && errno == EAGAIN) return;
      if (n <= 0) {  // EOF, or an error that ends this stream just the same
        fd.reset();
        return;
      }
      std::string_view bytes = m_output.commit(stream, static_cast<std::size_t>(n));
      if (m_options.on_output) m_options.on_output(stream, bytes);
      if (static_cast<std::size_t>(n) < into.size()) return;  // likely empty now
    }
  }

  // After exit: read what is left until both pipes reach EOF or `limit` passes.
  void drain_for(milliseconds limit) {
    const Clock::time_point until = Clock::now() + limit;
    while (m_child.out || m_child.err) {
      pollfd fds[2];
      int count = add_pipes(fds);
      auto left = std::chrono::ceil<milliseconds>(until - Clock::now());
      if (left.count() < 0) return;
      int rc = poll(fds, static_cast<nfds_t>(count), static_cast<int>(left.count()));
      if (rc < 0 && errno != EINTR) return;
      if (rc == 0) return;
      if (rc > 0) read_ready(fds, count);
    }
  }

  bool has_exited() const {
    siginfo_t info{};
    while (true) {
      int rc = waitid(P_PID, static_cast<id_t>(m_child.pid), &info, WEXITED | WNOHANG | WNOWAIT);
      if (rc == 0) return info.si_pid == m_child.pid;
      if (errno != EINTR) return true;  // ECHILD: nothing to wait for; treat as gone
    }
  }

  void enforce_limits() {
    Clock::time_point now = Clock::now();
    if (m_options.cancel && m_options.cancel->load() && !m_result.cancelled) {
      m_result.cancelled = true;
      kill_group(m_child.pid, SIGKILL);
      kill_cgroup();
    }
    if (m_deadline && now >= *m_deadline && !m_result.timed_out && !m_result.cancelled) {
      m_result.timed_out = true;
      if (m_options.stacks_on_timeout) record_stacks();
      kill_group(m_child.pid, SIGTERM);
      m_kill_at = Clock::now() + m_options.kill_grace;
    }
    if (m_kill_at && now >= *m_kill_at) {
      kill_group(m_child.pid, SIGKILL);
      kill_cgroup();
      m_kill_at.reset();
    }
  }

  void record_stacks() {
    ProcessOptions gdb_options;
    gdb_options.argv = {
        "gdb", "-batch", "-nx", "-p", std::to_string(m_child.pid), "-ex", "thread apply all bt"};
    gdb_options.timeout = m_options.stacks_timeout;
    gdb_options.kill_grace = milliseconds(1000);
    gdb_options.cancel = m_options.cancel;
    auto gdb = run_process(gdb_options);
    if (!gdb) {
      m_result.hung_stacks = "(no stacks: " + gdb.error().message + ")";
      return;
    }
    m_result.hung_stacks = gdb->interleaved.text();
    if (!gdb->succeeded()) m_result.hung_stacks += "\n(gdb: " + gdb->describe() + ")\n";
  }

  void reap() {
    int status = 0;
    rusage usage{};
    pid_t rc;
    while ((rc = wait4(m_child.pid, &status, 0, &usage)) < 0 && errno == EINTR) {
    }
    {
      std::lock_guard lock(g_running_lock);
      g_running.erase(m_child.pid);
    }
    if (rc != m_child.pid) {  // ECHILD: someone else reaped it (SIGCHLD ignored?)
      m_result.exit_code.reset();
      return;
    }
    if (WIFEXITED(status)) m_result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) {
      m_result.signal = WTERMSIG(status);
      m_result.core_dumped = WCOREDUMP(status);
    }
    m_result.user_cpu = to_ns(usage.ru_utime);
    m_result.system_cpu = to_ns(usage.ru_stime);
    m_result.peak_rss_bytes = static_cast<std::int64_t>(usage.ru_maxrss) * 1024;
  }

  const ProcessOptions& m_options;
  Child m_child;
  OutputCaptures m_output;  // moved into m_result's captures when the run ends
  ProcessResult m_result;
  Clock::time_point m_start = Clock::now();
  std::optional<Clock::time_point> m_deadline;
  std::optional<Clock::time_point> m_kill_at;
  bool m_exited = false;
  bool m_poll_failed = false;
  std::set<pid_t> m_cgroup_members;  // every process seen in the run's cgroup when it was killed
};

std::string signal_name(int sig) {
  const char* abbrev = sigabbrev_np(sig);
  return abbrev ? std::string("SIG") + abbrev : "signal " + std::to_string(sig);
}

}  // namespace

std::string ProcessResult::describe() const {
  std::string out;
  if (timed_out) {
    char seconds[32];
    snprintf(seconds, sizeof seconds, "%.3f", std::chrono::duration<double>(wall).count());
    out = std::string("timed out after ") + seconds + " s; ";
  } else if (cancelled) {
    out = "cancelled; ";
  }
  if (exit_code) out += "exit " + std::to_string(*exit_code);
  if (signal)
    out += "signal " + std::to_string(*signal) + " (" + signal_name(*signal) + ")" +
           (core_dumped ? ", core dumped" : "");
  if (!exit_code && !signal) out += "status unknown";
  return out;
}

Expected<ProcessResult> run_process(const ProcessOptions& options) {
  ignore_sigpipe_once();
  FAULTLINE_TRY(Child child, spawn(options));
  RunningProcess running(options, std::move(child));
  return running.run();
}

Expected<ProcessResult> run_command(std::vector<std::string> argv, std::string working_directory,
                                    milliseconds timeout) {
  ProcessOptions options;
  options.argv = std::move(argv);
  options.working_directory = std::move(working_directory);
  options.timeout = timeout;
  return run_process(options);
}

Expected<std::string> command_output(std::vector<std::string> argv, std::string working_directory,
                                     milliseconds timeout) {
  return command_output(real_processes(), std::move(argv), std::move(working_directory), timeout);
}

std::vector<std::string> current_environment() {
  std::vector<std::string> out;
  for (char** entry = environ; entry && *entry; ++entry) out.emplace_back(*entry);
  return out;
}

std::vector<std::string> environment_with(
    const std::map<std::string, std::optional<std::string>>& changes,
    std::vector<std::string> base) {
  std::vector<std::string> out;
  out.reserve(base.size() + changes.size());
  std::set<std::string> seen;
  for (std::string& entry : base) {
    std::string name = entry.substr(0, entry.find('='));
    auto change = changes.find(name);
    if (change == changes.end()) {
      out.push_back(std::move(entry));
    } else if (change->second && seen.insert(name).second) {
      out.push_back(name + "=" + *change->second);
    }
  }
  for (const auto& [name, value] : changes)
    if (value && !seen.count(name)) out.push_back(name + "=" + *value);
  return out;
}

Status become_subreaper() {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0)
    return fail(system_error("prctl(PR_SET_CHILD_SUBREAPER)", errno));
  g_subreaper.store(true);
  return Ok{};
}

bool is_subreaper() { return g_subreaper.load(); }

int reap_stray_children() {
  std::unique_lock no_spawning(g_spawn_lock);
  int found = 0;
  for (pid_t pid : children_of_faultline()) {
    if (is_running_child(pid)) continue;
    kill_and_reap(pid);
    ++found;
  }
  return found;
}

}  // namespace faultline::runner
