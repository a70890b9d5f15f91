// runner/abandoned.h — workloads left running by a faultline that was killed with
// SIGKILL (or crashed): PR_SET_PDEATHSIG ends each run's own process with
// faultline, but not the processes it forked. Every run's environment carries
// FAULTLINE_RUN_TOKEN=<faultline pid>.<run number> (process.h, as subreaper), so
// the next faultline to start can find and kill those whose faultline is gone.
#pragma once

namespace faultline::runner {

// Sends SIGKILL to every process of this user whose FAULTLINE_RUN_TOKEN names a
// faultline process that no longer exists; returns how many. Not found: processes
// that cleared or replaced their environment, and those of other users (their
// /proc/PID/environ cannot be read). Linux /proc; 0 elsewhere.
int kill_abandoned_workloads();

}  // namespace faultline::runner
