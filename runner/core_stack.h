// runner/core_stack.h — native stacks for crashes that print none. Owns: where
// this machine writes core files (/proc/sys/kernel/core_pattern, core_uses_pid),
// which core a run left behind (read from the ELF core's own notes: the process
// group and session of the process that dumped, its executable), gdb's backtrace
// of that core (bounded in time), and deleting or keeping the core. Leaves to
// others: raising the core limit of a run (ProcessOptions::core_dumps), and what
// the stack means (sanitizers/ turns frames into a signature).
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "sanitizers/crash.h"

namespace faultline::runner {

// How the kernel names core files (core(5)).
struct CorePattern {
  std::string pattern;    // /proc/sys/kernel/core_pattern without its newline
  bool uses_pid = false;  // core_uses_pid: ".PID" is appended when the pattern has no %p
  // "|/usr/share/apport/apport …": cores go to a handler; none lands in a file.
  bool piped() const { return !pattern.empty() && pattern[0] == '|'; }
};

// Reads core_pattern and core_uses_pid from `proc_dir` (tests pass their own).
// Infrastructure error when core_pattern cannot be read.
Expected<CorePattern> read_core_pattern(const std::string& proc_dir = "/proc/sys/kernel");

// Where a process whose working directory is `working_directory` leaves its core:
// a directory and an fnmatch(3) glob of file names (each %-specifier becomes "*").
struct CoreFiles {
  std::string directory;
  std::string glob;
};
// nullopt when no file faultline could find: a piped or empty pattern, or
// %-specifiers in the directory part ("/var/crash/%e/core").
std::optional<CoreFiles> core_files(const CorePattern& pattern,
                                    const std::string& working_directory);

// What an ELF core file says about the process that dumped it (NT_PRSTATUS,
// NT_PRPSINFO, NT_AUXV, NT_FILE; the layouts of <sys/procfs.h> and the kernel's
// fs/binfmt_elf.c). 64-bit cores of this machine's byte order only.
struct CoreNotes {
  pid_t pid = 0;  // the process (not the thread that faulted)
  pid_t process_group = 0;
  pid_t session = 0;
  int signal = 0;          // the signal that killed it (pr_cursig)
  std::string command;     // pr_psargs: the command line, at most 80 bytes
  std::string executable;  // the file mapped at the entry point (AT_ENTRY); "" if unknown
};
// Bad input when `path` is not a readable 64-bit ELF core.
Expected<CoreNotes> read_core_notes(const std::string& path);

// The frames of gdb's `bt` between the lines "faultline-bt-begin" and
// "faultline-bt-end" (how core_stack() asks for it): the crashing thread's
// stack, innermost first.
std::vector<sanitizers::Frame> parse_gdb_backtrace(std::string_view gdb_output);

struct CoreStackOptions {
  bool keep = false;    // keep the core (moved to keep_as when set) instead of deleting it
  std::string keep_as;  // where a kept core goes; "" leaves it where it landed
  std::chrono::milliseconds gdb_timeout{30'000};  // gdb is killed after this
  std::string gdb = "gdb";  // the debugger: a path or a name looked up in PATH
  bool read_stack = true;   // false: only claim (delete or keep) the core; gdb does not run
};

struct CoreStack {
  CoreNotes notes;
  std::vector<sanitizers::Frame> frames;  // the crashing thread, innermost first
  std::string backtrace;                  // gdb's output: that thread's stack, then every thread's
  std::string kept_core;                  // the core's path when kept, else ""
  std::string problem;  // why there are no frames (gdb failed or timed out), else ""
};

// The core that a run left behind: a file in `where` written at or after
// `started` (seconds since the epoch) by a process of `process_group` (the
// run's group, or its session). gdb reads it with the executable named in its
// notes; the core is deleted unless options.keep. nullopt: no such core.
// Safe to call from many threads; claiming a core is serialised so two runs
// sharing a directory never take each other's.
std::optional<CoreStack> take_core_stack(const CoreFiles& where, pid_t process_group,
                                         double started, const CoreStackOptions& options);

// What `faultline validate` says of this machine's cores: a warning (text
// starting "warning: ") when crashes cannot get a native stack, else a note.
std::string core_stack_note(const CorePattern& pattern, bool have_gdb);

// Whether `jobs` runs at once, each in the matrix folder, would share one core file:
// core_pattern names a file (not a pipe) without %p or %P, core_uses_pid is off, and jobs >= 2.
bool shares_core_file(const CorePattern& pattern, int jobs);

// Why a failed run's stack is missing, as Crash::stack_lost keeps it.
inline constexpr std::string_view k_core_shared = "core file shared by parallel runs";

// What became of one failed run's core, for stack_lost_reason.
struct CoreOutcome {
  bool shared_file = false;   // shares_core_file() held for the loop that ran it
  std::optional<int> signal;  // the signal that killed the run's own process, if one did
  bool core_dumped = false;   // the kernel said it dumped core (WCOREDUMP)
  bool claimed = false;       // take_core_stack found a core of the run's process group
};
// k_core_shared when the run's core was written and then lost to another run's
// (the file is shared, the run died of a signal and dumped core, yet no core of
// its process group was found); "" otherwise: a run that dumped no core, or whose
// core was found, has not lost its stack to a parallel run.
std::string_view stack_lost_reason(const CoreOutcome& core);

// A warning (text starting "warning: ") when `jobs` runs at once would share one core file:
// core_pattern names a file without %p or %P, core_uses_pid is off, and jobs ≥ 2. Runs work in
// the matrix folder, so two crashing together overwrite one core. `jobs_from` says where the
// number came from ("-j 2", "stress.parallel: 4", "stress.parallel: auto, 2 cores").
std::optional<std::string> parallel_core_warning(const CorePattern& pattern, int jobs,
                                                 const std::string& jobs_from);

}  // namespace faultline::runner
