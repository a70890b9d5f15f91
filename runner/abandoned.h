// runner/abandoned.h — workloads left running by a faultline that was killed with
// SIGKILL (or crashed): PR_SET_PDEATHSIG ends each run's own process with
// faultline, but not the processes it forked. Each run's cgroup (where one can be
// made) holds every process it started; and every run's environment carries
// FAULTLINE_RUN_TOKEN=<faultline pid>.<run number> (process.h, as subreaper), so
// the next faultline to start can find and kill those whose faultline is gone.
#pragma once

namespace faultline::runner {

// Sends SIGKILL to every process in a run cgroup of a faultline that no longer
// exists (runner/cgroup.h: faultline-<pid>/ beside this faultline's own; those
// cgroups are removed), then to every process of this user whose
// FAULTLINE_RUN_TOKEN names such a faultline; returns how many. Not found by the
// token: processes that cleared or replaced their environment, and those of other
// users (their /proc/PID/environ cannot be read). Linux /proc; 0 elsewhere.
int kill_abandoned_workloads();

}  // namespace faultline::runner
