// The exit statuses every faultline command uses (DESIGN.md, "Command line").
#pragma once

#include "base/expected.h"

namespace faultline {

enum ExitStatus : int {
  k_exit_ok = 0,              // no crash
  k_exit_crashes = 1,         // crashes found
  k_exit_bad_input = 2,       // config or usage
  k_exit_infrastructure = 3,  // a cell could not run (its build failed), the network, the disk
  k_exit_interrupted = 130,   // SIGINT
};

inline int exit_status_for(const Error& e) {
  return e.kind == ErrorKind::bad_input ? k_exit_bad_input : k_exit_infrastructure;
}

}  // namespace faultline
