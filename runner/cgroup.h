// runner/cgroup.h — one cgroup v2 per run, where faultline may make one: every
// process of the run (daemons that left its session and cleared its environment
// included) is in it, and killing the cgroup ends them all. Owns: finding a
// writable cgroup v2 directory (faultline's own cgroup, from /proc/self/cgroup and
// /proc/self/mountinfo), faultline's faultline-<pid>/ under it, a run-<n>/ per run,
// killing (cgroup.kill; else freeze, SIGKILL each, thaw), removing, and clearing
// what a SIGKILLed faultline left. Leaves to others: spawning (process_posix.cc
// moves the child in before exec) and the fallback without cgroups (process groups,
// PR_SET_PDEATHSIG, run tokens: process.h, abandoned.h). Linux only.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "runner/fd.h"

namespace faultline::runner {

class RunCgroup {
 public:
  // An empty cgroup for one run: DIR/faultline-<pid>/run-<n>, with its cgroup.procs
  // open for the child to move itself into. nullopt when this machine or user has
  // no usable cgroup v2 (not mounted, not writable, disabled after a failure).
  static std::optional<RunCgroup> create();

  RunCgroup(RunCgroup&& other) noexcept;
  RunCgroup& operator=(RunCgroup&& other) noexcept;  // removes this one first
  ~RunCgroup() { remove(); }                         // see remove()

  // Kills what is left and waits (at most 2 s) until it is empty; then keeps it
  // for a later run (removed when faultline exits), or removes it and the cgroups
  // made under it.
  void remove();

  // cgroup.procs, open for writing: a process writing "0" to it joins the cgroup.
  int procs_fd() const { return m_procs.get(); }
  const std::string& path() const { return m_path; }
  // Every process in it now (cgroup.procs).
  std::vector<pid_t> pids() const;
  // SIGKILL to every process in it, at once (cgroup.kill, Linux 5.14+; before
  // that: freeze, SIGKILL each listed process, thaw).
  void kill() const;
  // Waits until no process is left in it (cgroup.events "populated 0").
  bool wait_empty(std::chrono::milliseconds limit) const;

 private:
  RunCgroup(std::string path, UniqueFd procs)
      : m_path(std::move(path)), m_procs(std::move(procs)) {}
  std::string m_path;  // "" once moved from
  UniqueFd m_procs;
};

// After a child failed to join its cgroup (permissions, delegation): no run gets
// one from now on; the fallback holds.
void disable_cgroups();

// "cgroup v2 (<dir>/faultline-<pid>/run-<n> per run)" or why not, plus the
// fallback in use: for `faultline validate` and verbose output.
std::string containment_note();

// Kills every process in, and removes, the faultline-<pid>/ cgroups beside this
// faultline's own whose faultline no longer exists; returns how many processes.
int kill_abandoned_cgroups();

}  // namespace faultline::runner
