// runner/process.h — runs one command as a child process and says how it ended.
// Owns: spawning from an argv vector in a new session (its own process group, no
// controlling terminal, stdin from /dev/null, killed by the kernel if faultline dies),
// bounded capture of stdout, stderr and their interleaving, timeouts (SIGTERM, grace,
// SIGKILL to the group), cancellation, killing and reaping every descendant it can
// reach (a cgroup v2 per run where one can be made: runner/cgroup.h), and the run's
// resource usage. Leaves to others: what to run (build cache,
// stress loop), how many at once (callers run one per thread), what the output means.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "runner/capture.h"

namespace faultline::runner {

using std::chrono::milliseconds;
using std::chrono::nanoseconds;

inline constexpr milliseconds k_default_kill_grace{5000};
inline constexpr milliseconds k_default_command_timeout{120'000};

struct ProcessOptions {
  // argv[0] is a path (relative paths resolve against working_directory), or a bare
  // name looked up in the PATH of `environment` (faultline's PATH when unset).
  std::vector<std::string> argv;
  // The child's whole environment as NAME=VALUE; nullopt inherits faultline's.
  // environment_with() builds one from faultline's own with changes.
  std::optional<std::vector<std::string>> environment;
  std::string working_directory;  // empty: faultline's current directory

  milliseconds timeout{0};  // 0: none. On expiry: stacks (optional), SIGTERM, grace, SIGKILL
  milliseconds kill_grace = k_default_kill_grace;  // between SIGTERM and SIGKILL
  // Once the child has exited, how long to keep reading output that descendants
  // still holding its pipes write, before the group is killed.
  milliseconds drain_after_exit{200};
  CaptureLimits capture;  // applies to stdout, stderr and the interleaved copy alike

  // On timeout, before any signal, attach gdb to the child and record every
  // thread's backtrace in ProcessResult::hung_stacks (bounded by stacks_timeout).
  bool stacks_on_timeout = false;
  milliseconds stacks_timeout{30'000};

  // Raise the soft core-file limit (RLIMIT_CORE) to the hard limit for the child
  // and its descendants, so a crash leaves a core (runner/core_stack.h reads it).
  // Set by setrlimit() in the child before exec; faultline's own limit is unchanged.
  bool core_dumps = false;

  // Called with each chunk of output as it is read (stream 1 stdout, 2 stderr),
  // on the calling thread, before it is captured: for showing a run live.
  std::function<void(int stream, std::string_view bytes)> on_output;

  // When it becomes true (e.g. from a SIGINT handler), the group is killed at once
  // and the result has cancelled = true. Checked at least every 50 ms.
  const std::atomic<bool>* cancel = nullptr;
};

struct ProcessResult {
  pid_t pid = -1;
  // Exactly one of exit_code and signal is set: how the child itself ended.
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool core_dumped = false;
  bool timed_out = false;  // faultline ended it because the timeout expired
  bool cancelled = false;  // faultline ended it because `cancel` was set

  nanoseconds wall{0};      // from spawn until the child exited
  nanoseconds user_cpu{0};  // the child's and its reaped descendants' (wait4)
  nanoseconds system_cpu{0};
  std::int64_t peak_rss_bytes = 0;  // largest resident set of the child or a reaped descendant

  Capture stdout_capture;
  Capture stderr_capture;
  Capture interleaved;      // stdout and stderr in the order faultline read them
  std::string hung_stacks;  // gdb's "thread apply all bt" on timeout, when asked for

  // Exited with status 0, on its own.
  bool succeeded() const { return exit_code == 0 && !timed_out && !cancelled; }
  // "exit 3", "signal 11 (SIGSEGV), core dumped", "timed out after 2.000 s; signal 15 (SIGTERM)".
  std::string describe() const;
};

// Runs argv to completion (or timeout, or cancellation) on the calling thread.
// Safe to call from many threads at once; each call runs its own poll loop.
// The first call sets SIGPIPE to SIG_IGN in faultline (children get the default).
// Fails only when the command could not be started: no such program, not
// executable, bad working directory, out of descriptors or processes. Everything
// the command itself does, crashing included, is in the ProcessResult.
Expected<ProcessResult> run_process(const ProcessOptions& options);

// For short helper commands (git, compilers, gdb): inherits the environment, a
// default timeout, the usual 1 MiB bounds.
Expected<ProcessResult> run_command(std::vector<std::string> argv,
                                    std::string working_directory = {},
                                    milliseconds timeout = k_default_command_timeout);

// run_command(), then the command's stdout if it succeeded; otherwise an
// infrastructure Error naming the command, how it ended and its stderr.
Expected<std::string> command_output(std::vector<std::string> argv,
                                     std::string working_directory = {},
                                     milliseconds timeout = k_default_command_timeout);

// faultline's own environment as NAME=VALUE strings.
std::vector<std::string> current_environment();

// `base` (faultline's environment by default) with changes: a value sets or
// replaces NAME, nullopt removes it. Order of `base` is kept; new names follow, sorted.
std::vector<std::string> environment_with(
    const std::map<std::string, std::optional<std::string>>& changes,
    std::vector<std::string> base = current_environment());

// Makes faultline a child subreaper (Linux PR_SET_CHILD_SUBREAPER): descendants
// orphaned by a run's exit are re-parented to faultline instead of init, so
// run_process() can kill and reap them. With it, after each run:
//  - every process still in the run's process group is killed and reaped;
//  - descendants that left the group (setsid/setpgid) but kept the environment
//    variable FAULTLINE_RUN_TOKEN that each run gets are killed and reaped too.
// Not covered, with or without it, unless the run has a cgroup (runner/cgroup.h:
// then every process in it is killed, and as subreaper reaped): descendants that
// left the group and cleared or replaced their environment; and any descendant of
// a still running command whose parent is alive (handled when that run ends).
// Without it only the group is killed (SIGKILL), and reaping is left to init.
// Call once, early, before starting threads. Process-wide; cannot be undone here.
Status become_subreaper();
bool is_subreaper();

// Kills and reaps every child of faultline that run_process() is not running:
// orphans nobody could attribute. For shutdown, or between batches.
// Returns how many it found.
int reap_stray_children();

}  // namespace faultline::runner
