#include "runner/process_runner.h"

#include "base/text.h"

namespace faultline::runner {
namespace {

class RealProcesses final : public ProcessRunner {
 public:
  Expected<ProcessResult> run(const ProcessOptions& options) override {
    return run_process(options);
  }
};

}  // namespace

ProcessRunner& real_processes() {
  static RealProcesses real;
  return real;
}

Expected<std::string> command_output(ProcessRunner& runner, std::vector<std::string> argv,
                                     std::string working_directory, milliseconds timeout) {
  std::string shown = argv.empty() ? std::string() : argv[0];
  ProcessOptions options;
  options.argv = std::move(argv);
  options.working_directory = std::move(working_directory);
  options.timeout = timeout;
  FAULTLINE_TRY(ProcessResult result, runner.run(options));
  if (result.succeeded()) return result.stdout_capture.text();
  std::string message = "'" + shown + "' failed (" + result.describe() + ")";
  std::string err(trim(result.stderr_capture.text()));
  if (!err.empty()) message += ": " + err;
  return fail(infrastructure(message));
}

}  // namespace faultline::runner
