// runner/process_runner.h — the seam between what to run and how a process runs
// (ninja's CommandRunner): the stress loop and the build cache hand each command
// to a ProcessRunner and get back how it ended. Owns: the interface and the real
// runner over run_process(). Leaves to others: the process code itself
// (process.h) and scripted results for tests (fake_process_runner.h).
#pragma once

#include <string>
#include <vector>

#include "base/expected.h"
#include "runner/process.h"

namespace faultline::runner {

class ProcessRunner {
 public:
  virtual ~ProcessRunner() = default;
  // Starts options.argv and returns when it has ended (exit status or signal,
  // captured output, duration: ProcessResult), honouring timeout and cancel as
  // run_process() does. Called from many threads at once. Fails only when the
  // command could not be started.
  virtual Expected<ProcessResult> run(const ProcessOptions& options) = 0;
};

// The real processes: run_process(). Stateless, shared by every caller.
ProcessRunner& real_processes();

// `runner` if set, else real_processes(): how optional runner fields are read.
inline ProcessRunner& processes_or_real(ProcessRunner* runner) {
  return runner ? *runner : real_processes();
}

// command_output() (process.h) with the command run by `runner`.
Expected<std::string> command_output(ProcessRunner& runner, std::vector<std::string> argv,
                                     std::string working_directory = {},
                                     milliseconds timeout = k_default_command_timeout);

}  // namespace faultline::runner
