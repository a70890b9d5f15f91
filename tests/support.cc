#include "tests/support.h"

#include <thread>

#include "runner/process.h"

namespace faultline::e2e {

namespace {

Expected<runner::ProcessResult> spawn(std::vector<std::string> argv, const Launch& launch) {
  runner::ProcessOptions p;
  p.argv = std::move(argv);
  p.working_directory = launch.cwd.string();
  p.environment = launch.environment;
  p.timeout = launch.timeout;
  p.kill_grace = std::chrono::seconds(30);
  return runner::run_process(p);
}

Outcome outcome_of(const runner::ProcessResult& r) {
  return {r.exit_code.value_or(-1), r.stdout_capture.text(), r.stderr_capture.text(),
          std::chrono::duration<double>(r.wall).count()};
}

}  // namespace

Outcome run_program(std::vector<std::string> argv, const Launch& launch) {
  auto r = spawn(std::move(argv), launch);
  if (!r) return {-1, "", r.error().message + "\n"};
  return outcome_of(*r);
}

Outcome run_faultline(std::vector<std::string> args, const Launch& launch) {
  args.insert(args.begin(), FAULTLINE_BINARY);
  auto r = spawn(std::move(args), launch);
  EXPECT_TRUE(r) << (r ? "" : r.error().message);
  return r ? outcome_of(*r) : Outcome{};
}

bool eventually(const std::function<bool()>& done, std::chrono::milliseconds limit) {
  const auto until = std::chrono::steady_clock::now() + limit;
  while (std::chrono::steady_clock::now() < until) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

Outcome ScratchTest::faultline(std::vector<std::string> args, std::chrono::milliseconds timeout) {
  return run_faultline(std::move(args), {m_dir, std::nullopt, timeout});
}

void ScratchTest::sh(const std::string& command) {
  auto r = runner::run_command({"/bin/sh", "-c", command}, m_dir.string());
  ASSERT_TRUE(r && r->succeeded())
      << command << ": " << (r ? r->stderr_capture.text() : r.error().message);
}

nlohmann::json ScratchTest::results() const {
  return nlohmann::json::parse(read_text(m_dir / ".faultline/results.json"));
}

}  // namespace faultline::e2e
