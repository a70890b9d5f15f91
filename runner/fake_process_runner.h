// runner/fake_process_runner.h — a ProcessRunner for tests (ninja's
// FakeCommandRunner): no process starts; each command gets the result a script
// gives it, and every call is recorded with how many were in flight. Owns: the
// script's shape, the record of calls, in-flight counting. Leaves to others:
// what the commands mean (the tests' scripts decide per command, cell or run).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "runner/process_runner.h"

namespace faultline::runner {

// What the fake was asked: the parts of ProcessOptions a test asserts on.
struct FakeCall {
  std::vector<std::string> argv;
  std::map<std::string, std::string> environment;  // the child's NAME → VALUE ({} when inherited)
  std::string working_directory;
  milliseconds timeout{0};
  bool core_dumps = false;
  // The value of `name` in environment, "" when unset ("FAULTLINE_RUN_INDEX" names the run).
  std::string env(std::string_view name) const;
};

// How a scripted command ends. The default: exit 0, no output, 1 ms.
struct FakeProcess {
  std::optional<int> exit_code = 0;  // set one of exit_code and signal
  std::optional<int> signal;
  bool core_dumped = false;
  std::string stdout_text;
  std::string stderr_text;  // reaches the interleaved copy after stdout_text
  nanoseconds wall = std::chrono::milliseconds(1);  // reported, not waited for
  // Ends as a timeout at once: timed_out, SIGTERM, wall = the call's timeout.
  bool time_out = false;
  // Blocks until the call's `cancel` flag is set, then ends cancelled by SIGKILL
  // (as the real runner on Ctrl-C). A call without a cancel flag ends at once so.
  bool wait_for_cancel = false;
  // Set: run() fails with this infrastructure error (the command could not start).
  std::optional<std::string> spawn_error;
};

class FakeProcessRunner final : public ProcessRunner {
 public:
  using Script = std::function<FakeProcess(const FakeCall&)>;
  // An unset script ends every command with the default FakeProcess.
  explicit FakeProcessRunner(Script script = {}) : m_script(std::move(script)) {}

  Expected<ProcessResult> run(const ProcessOptions& options) override;

  // Every call so far, in the order they started.
  std::vector<FakeCall> calls() const;
  // The most calls that were in run() at one time.
  int max_in_flight() const;
  // The first `calls` calls each wait (at most `limit`) until that many are in
  // flight together, so a test of -j N can see N overlap whatever the timing.
  void rendezvous(int calls, milliseconds limit = milliseconds(10'000));

 private:
  void enter(const FakeCall& call);
  void leave();

  Script m_script;
  mutable std::mutex m_mutex;
  std::condition_variable m_changed;
  std::vector<FakeCall> m_calls;
  int m_in_flight = 0;
  int m_max_in_flight = 0;
  int m_rendezvous = 0;
  bool m_rendezvous_met = false;
  milliseconds m_rendezvous_limit{0};
};

}  // namespace faultline::runner
