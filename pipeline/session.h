// What the long-running subcommands (run, bisect) share: Ctrl-C handling that
// lets them stop cleanly and keep what they recorded, where their state lives,
// and how many jobs to use by default.
#pragma once

#include <atomic>
#include <string>

#include "base/expected.h"
#include "store/store.h"

namespace faultline::pipeline {

// Set once SIGINT or SIGTERM arrives, after catch_interrupts().
std::atomic<bool>& interrupted();

// Routes SIGINT and SIGTERM to interrupted(), and makes faultline the subreaper
// of the workloads it starts (runner/process.h), so none outlives it.
void catch_interrupts();

struct Places {
  std::string matrix_dir;  // absolute folder of the matrix file: where commands run
  std::string state_dir;   // builds, journals, results: `--state-dir`, else MATRIX_DIR/.faultline
};

// Creates the state folder; an empty state_dir when it cannot be created (the
// caller reports `error` and exits 3).
Places places_for(const std::string& matrix_file, const std::string& state_dir_flag,
                  std::string& error);

int default_jobs();  // the number of cores

// This process as the claimant of a session in the store (pid, start time, host).
store::Claimant this_process();
// Whether a recorded claimant still runs: on this host, its pid lives and
// started when it did; a claimant on another host is taken to be alive.
bool claimant_alive(const store::Claimant& claimant);
// "process 4242 on HOST (since 2026-11-22T00:12:19.123Z)".
std::string describe(const store::Claimant& claimant);

// Checks that `path` (an --out or -o file) may be replaced by a file: it is
// absent or a regular file. A FIFO, socket, device, folder or symlink is bad
// input naming it and what it is, so writing never turns it into a plain file.
Status replaceable_output(const std::string& flag, const std::string& path);

// Checks that faultline can write files in the folder `dir` (created, with its
// parents, when missing) before any work: a file made and removed there. Bad
// input led by `what` (the flag or key and its value), with the system's reason:
// "--state-dir f: cannot create the folder /w/f: File exists",
// "--out /proc/v: cannot write in /proc: No such file or directory".
Status writable_folder(const std::string& what, const std::string& dir);

// Where the repository starts: the nearest folder above the working directory
// holding a .git entry, else the working directory. Report paths are relative to it.
std::string default_repo_root();

}  // namespace faultline::pipeline
