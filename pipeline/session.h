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
  std::string db_path;     // the results store: `--db`, else STATE_DIR/faultline.db
};

// Creates the state folder and checks, before any work, that faultline can
// write in it (writable_folder) and can make the results store (`db_flag`, ""
// for the default): its folder made and writable, the path no folder. Bad input
// naming the flag, or the default folder and the flag that moves it:
//   "--state-dir /proc/x: cannot create the folder /proc/x: No such file or directory",
//   "the state folder (choose another with --state-dir): cannot write in /m/.faultline: …",
//   "--db /proc/x.db: cannot write in /proc: …", "--db /tmp: is a folder; name a file …".
Expected<Places> places_for(const std::string& matrix_file, const std::string& state_dir_flag,
                            const std::string& db_flag);

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
