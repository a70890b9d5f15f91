// Tests of runner/process.h against real processes: the helper programs in
// runner/testdata/. Each test works in its own scratch directory, left behind
// and printed when the test fails.
#include "runner/process.h"

#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/testing/scratch_dir.h"

namespace faultline::runner {
namespace {

using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// Orphans must come back to us to be reaped: the mode faultline runs in.
const bool k_subreaper = become_subreaper().has_value();

class RunnerProcessTest : public testing::ScratchTest {
 protected:
  RunnerProcessTest() : ScratchTest("runner") {}

  ProcessResult run(std::vector<std::string> argv, milliseconds timeout = milliseconds(20'000)) {
    ProcessOptions options;
    options.argv = std::move(argv);
    options.timeout = timeout;
    return must(run_process(options));
  }

  static ProcessResult must(Expected<ProcessResult> result) {
    EXPECT_TRUE(result.has_value()) << result.error().message;
    return result ? std::move(result).value() : ProcessResult{};
  }

  // Pids written by fork_orphans into the scratch directory.
  std::vector<pid_t> written_pids() {
    std::vector<pid_t> pids;
    for (int n = 1; n <= 5; ++n) {
      std::ifstream in(m_dir.string() + "/pid." + std::to_string(n));
      pid_t pid = 0;
      if (in >> pid) pids.push_back(pid);
    }
    return pids;
  }

  // Processes whose command line mentions the scratch directory.
  std::vector<pid_t> processes_mentioning_scratch() {
    std::vector<pid_t> out;
    DIR* dir = opendir("/proc");
    if (!dir) return out;
    while (dirent* entry = readdir(dir)) {
      pid_t pid = std::atoi(entry->d_name);
      if (pid <= 0) continue;
      std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
      std::stringstream text;
      text << in.rdbuf();
      if (text.str().find(m_dir.string()) != std::string::npos) out.push_back(pid);
    }
    closedir(dir);
    return out;
  }

  void expect_all_gone(const std::vector<pid_t>& pids) {
    for (pid_t pid : pids) {
      errno = 0;
      EXPECT_EQ(kill(pid, 0), -1) << "pid " << pid << " is still there";
      EXPECT_EQ(errno, ESRCH) << "pid " << pid;
    }
    EXPECT_THAT(processes_mentioning_scratch(), ::testing::IsEmpty());
  }
};

TEST_F(RunnerProcessTest, ExitCodeAndStreamsAreKeptApart) {
  ProcessResult r = run({RUNNER_TESTDATA_EXIT3});
  EXPECT_EQ(r.exit_code, 3);
  EXPECT_FALSE(r.signal);
  EXPECT_FALSE(r.timed_out);
  EXPECT_FALSE(r.succeeded());
  EXPECT_EQ(r.stdout_capture.text(), "out\n");
  EXPECT_EQ(r.stderr_capture.text(), "err\n");
  EXPECT_EQ(r.stdout_capture.total_bytes(), 4u);
  EXPECT_EQ(r.stderr_capture.total_bytes(), 4u);
  EXPECT_EQ(r.interleaved.total_bytes(), 8u);
  EXPECT_EQ(r.describe(), "exit 3");
  EXPECT_GT(r.peak_rss_bytes, 0);
  EXPECT_GT(r.wall.count(), 0);
}

TEST_F(RunnerProcessTest, SegfaultIsASignalNotAnExitCode) {
  ProcessResult r = run({RUNNER_TESTDATA_SEGV});
  EXPECT_FALSE(r.exit_code);
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_EQ(r.stderr_capture.text(), "about to crash\n");
  EXPECT_THAT(r.describe(), StartsWith("signal 11 (SIGSEGV)"));
}

TEST_F(RunnerProcessTest, CoreDumpIsReported) {
  std::ifstream pattern_file("/proc/sys/kernel/core_pattern");
  std::string pattern;
  std::getline(pattern_file, pattern);
  if (pattern.empty()) GTEST_SKIP() << "no core_pattern";
  ProcessOptions options;
  options.argv = {RUNNER_TESTDATA_SEGV, "core"};
  options.working_directory = m_dir.string();
  ProcessResult r = must(run_process(options));
  EXPECT_EQ(r.signal, SIGSEGV);
  EXPECT_TRUE(r.core_dumped);
  EXPECT_EQ(r.describe(), "signal 11 (SIGSEGV), core dumped");
}

// The soft and hard "Max core file size" of /proc/self/limits as the program
// itself printed them ("unlimited" or bytes).
std::pair<std::string, std::string> core_limits(const std::string& limits) {
  std::istringstream in(limits);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("Max core file size", 0) != 0) continue;
    std::istringstream fields(line.substr(std::strlen("Max core file size")));
    std::string soft, hard;
    fields >> soft >> hard;
    return {soft, hard};
  }
  return {};
}

std::string shown_limit(rlim_t limit) {
  return limit == RLIM_INFINITY ? "unlimited" : std::to_string(limit);
}

TEST_F(RunnerProcessTest, CoreDumpsRaiseTheProgramsSoftCoreLimitToTheHardOneWithoutAShell) {
  rlimit own{};
  ASSERT_EQ(getrlimit(RLIMIT_CORE, &own), 0);
  ProcessOptions options;
  options.argv = {"cat", "/proc/self/limits"};  // cat reads its own limits: no shell between
  options.core_dumps = true;
  ProcessResult raised = must(run_process(options));
  EXPECT_EQ(core_limits(raised.stdout_capture.text()),
            std::make_pair(shown_limit(own.rlim_max), shown_limit(own.rlim_max)));
  options.core_dumps = false;
  ProcessResult plain = must(run_process(options));
  EXPECT_EQ(core_limits(plain.stdout_capture.text()),
            std::make_pair(shown_limit(own.rlim_cur), shown_limit(own.rlim_max)));
  rlimit after{};
  ASSERT_EQ(getrlimit(RLIMIT_CORE, &after), 0);
  EXPECT_EQ(after.rlim_cur, own.rlim_cur);  // faultline's own limit is unchanged
}

TEST_F(RunnerProcessTest, AbortIsSigabrtWithItsMessage) {
  ProcessResult r = run({RUNNER_TESTDATA_ABORT});
  EXPECT_EQ(r.signal, SIGABRT);
  EXPECT_FALSE(r.exit_code);
  EXPECT_EQ(r.stderr_capture.text(), "about to abort\n");
}

TEST_F(RunnerProcessTest, StderrOnly) {
  ProcessResult r = run({RUNNER_TESTDATA_STDERR_ONLY});
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.describe(), "exit 0");
  EXPECT_EQ(r.stdout_capture.total_bytes(), 0u);
  EXPECT_EQ(r.stderr_capture.text(), "only stderr\n");
  EXPECT_EQ(r.interleaved.text(), "only stderr\n");
}

TEST_F(RunnerProcessTest, InterleavedCopyFollowsArrivalOrder) {
  ProcessResult r = run({RUNNER_TESTDATA_INTERLEAVE});
  EXPECT_TRUE(r.succeeded());
  std::string expected_out, expected_err, expected_all;
  for (int i = 0; i < 6; ++i) {
    expected_out += "out " + std::to_string(i) + "\n";
    expected_err += "err " + std::to_string(i) + "\n";
    expected_all += "out " + std::to_string(i) + "\nerr " + std::to_string(i) + "\n";
  }
  EXPECT_EQ(r.stdout_capture.text(), expected_out);
  EXPECT_EQ(r.stderr_capture.text(), expected_err);
  EXPECT_EQ(r.interleaved.text(), expected_all);
}

TEST_F(RunnerProcessTest, EnvironmentAndWorkingDirectory) {
  ProcessOptions options;
  options.argv = {"sh", "-c", "pwd; echo \"$FAULTLINE_TEST_VALUE\"; echo \"${HOME-unset}\""};
  options.environment =
      environment_with({{"FAULTLINE_TEST_VALUE", "a b 'c'"}, {"HOME", std::nullopt}});
  options.working_directory = m_dir.string();
  ProcessResult r = must(run_process(options));
  EXPECT_TRUE(r.succeeded()) << r.describe() << r.stderr_capture.text();
  char real[PATH_MAX];
  ASSERT_NE(realpath(m_dir.c_str(), real), nullptr);
  EXPECT_EQ(r.stdout_capture.text(), std::string(real) + "\na b 'c'\nunset\n");
}

TEST_F(RunnerProcessTest, StdinIsDevNull) {
  ProcessResult r = run({"cat"});
  EXPECT_TRUE(r.succeeded());
  EXPECT_EQ(r.stdout_capture.total_bytes(), 0u);
}

TEST_F(RunnerProcessTest, EnvironmentWithReplacesRemovesAndAppends) {
  std::vector<std::string> env =
      environment_with({{"B", "new"}, {"C", std::nullopt}, {"Z", "z"}, {"A2", "a2"}},
                       {"A=1", "B=2", "C=3", "D=4=4"});
  EXPECT_EQ(env, (std::vector<std::string>{"A=1", "B=new", "D=4=4", "A2=a2", "Z=z"}));
}

TEST_F(RunnerProcessTest, NoSuchProgramIsAClearError) {
  ProcessOptions options;
  options.argv = {"faultline-no-such-program", "x"};
  options.environment = std::vector<std::string>{"PATH=/nonexistent:/also/not"};
  auto r = run_process(options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message,
            "cannot run 'faultline-no-such-program': no such program in PATH "
            "(/nonexistent:/also/not)");

  options.argv = {"/nonexistent/prog"};
  r = run_process(options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot run '/nonexistent/prog': no such file");
}

TEST_F(RunnerProcessTest, NotExecutableIsAClearError) {
  std::string path = m_dir.string() + "/script";
  std::ofstream(path) << "#!/bin/sh\necho hi\n";
  ProcessOptions options;
  options.argv = {path};
  auto r = run_process(options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot run '" + path + "': permission denied (not executable?)");

  options.argv = {"script"};
  options.environment = std::vector<std::string>{"PATH=" + m_dir.string()};
  r = run_process(options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot run 'script': " + path + " is not executable");
}

TEST_F(RunnerProcessTest, BadWorkingDirectoryIsAClearError) {
  ProcessOptions options;
  options.argv = {RUNNER_TESTDATA_EXIT3};
  options.working_directory = m_dir.string() + "/missing";
  auto r = run_process(options);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "cannot use working directory '" + options.working_directory +
                                   "': No such file or directory");
}

TEST_F(RunnerProcessTest, PathLookupUsesTheChildsEnvironment) {
  std::string dir = std::string(RUNNER_TESTDATA_EXIT3);
  dir = dir.substr(0, dir.rfind('/'));
  ProcessOptions options;
  options.argv = {"runner_testdata_exit3"};
  options.environment = std::vector<std::string>{"PATH=/nonexistent:" + dir};
  ProcessResult r = must(run_process(options));
  EXPECT_EQ(r.exit_code, 3);
}

TEST_F(RunnerProcessTest, TimeoutSendsSigtermToTheGroup) {
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = run({RUNNER_TESTDATA_SLEEP_FOREVER}, milliseconds(200));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_FALSE(r.exit_code);
  EXPECT_EQ(r.stdout_capture.text(), "sleeping\n");
  EXPECT_THAT(r.describe(), StartsWith("timed out after 0.2"));
  EXPECT_THAT(r.describe(), EndsWith("; signal 15 (SIGTERM)"));
  EXPECT_LT(took, std::chrono::seconds(2));
}

TEST_F(RunnerProcessTest, TimeoutEscalatesToSigkillAfterTheGrace) {
  ProcessOptions options;
  options.argv = {RUNNER_TESTDATA_IGNORE_TERM};
  options.timeout = milliseconds(200);
  options.kill_grace = milliseconds(300);
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = must(run_process(options));
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_EQ(r.stdout_capture.text(), "ignoring SIGTERM\n");
  EXPECT_GE(took, milliseconds(500));
  EXPECT_LT(took, std::chrono::seconds(3));
}

TEST_F(RunnerProcessTest, ChildThatClosedItsOutputStillTimesOut) {
  ProcessResult r = run({RUNNER_TESTDATA_CLOSE_STDOUT}, milliseconds(300));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_EQ(r.stdout_capture.text(), "bye\n");
}

TEST_F(RunnerProcessTest, GrandchildrenHoldingThePipesDoNotHangTheRun) {
  ASSERT_TRUE(k_subreaper);
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = run({RUNNER_TESTDATA_FORK_ORPHANS, m_dir.string()});
  auto took = std::chrono::steady_clock::now() - start;
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_FALSE(r.timed_out);
  EXPECT_THAT(r.stdout_capture.text(), HasSubstr("forked\n"));
  EXPECT_LT(took, std::chrono::seconds(3));
  std::vector<pid_t> pids = written_pids();
  EXPECT_EQ(pids.size(), 5u);
  expect_all_gone(pids);
}

TEST_F(RunnerProcessTest, TimeoutLeavesNoDescendantBehind) {
  ASSERT_TRUE(k_subreaper);
  ProcessOptions options;
  options.argv = {RUNNER_TESTDATA_FORK_ORPHANS, m_dir.string(), "hang"};
  options.timeout = milliseconds(500);
  options.kill_grace = milliseconds(200);
  ProcessResult r = must(run_process(options));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGTERM);
  std::vector<pid_t> pids = written_pids();
  EXPECT_EQ(pids.size(), 5u);
  expect_all_gone(pids);
  EXPECT_EQ(reap_stray_children(), 0);
}

TEST_F(RunnerProcessTest, CancellationKillsPromptly) {
  std::atomic<bool> cancel{false};
  ProcessOptions options;
  options.argv = {RUNNER_TESTDATA_SLEEP_FOREVER, m_dir.string() + "/pid.1"};
  options.cancel = &cancel;
  std::thread canceller([&] {
    std::this_thread::sleep_for(milliseconds(200));
    cancel = true;
  });
  auto start = std::chrono::steady_clock::now();
  ProcessResult r = must(run_process(options));
  auto took = std::chrono::steady_clock::now() - start;
  canceller.join();
  EXPECT_TRUE(r.cancelled);
  EXPECT_FALSE(r.timed_out);
  EXPECT_EQ(r.signal, SIGKILL);
  EXPECT_THAT(r.describe(), StartsWith("cancelled; signal 9 (SIGKILL)"));
  EXPECT_LT(took, milliseconds(1000));
  expect_all_gone(written_pids());
}

std::int64_t peak_rss_kib() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind("VmHWM:", 0) == 0) return std::atoll(line.c_str() + 6);
  return -1;
}

TEST_F(RunnerProcessTest, GigabyteOfOutputCostsBoundedMemory) {
  const std::uint64_t size = std::uint64_t{1} << 30;
  std::int64_t before = peak_rss_kib();
  ProcessResult r = run({RUNNER_TESTDATA_PRINT_BYTES, "1G"}, milliseconds(60'000));
  std::int64_t after = peak_rss_kib();
  EXPECT_TRUE(r.succeeded()) << r.describe();
  EXPECT_EQ(r.stdout_capture.total_bytes(), size);
  EXPECT_TRUE(r.stdout_capture.truncated());
  EXPECT_THAT(r.stdout_capture.head(), StartsWith("BEGIN\nxxx"));
  EXPECT_THAT(r.stdout_capture.tail(), EndsWith("xxx\nEND\n"));
  EXPECT_EQ(r.stdout_capture.head().size(), k_default_capture_bytes);
  EXPECT_EQ(r.stdout_capture.tail().size(), k_default_capture_bytes);
  std::string marker =
      "\n[... " + std::to_string(size - 2 * k_default_capture_bytes) + " bytes omitted ...]\n";
  EXPECT_THAT(r.stdout_capture.text(), HasSubstr(marker));
  EXPECT_EQ(r.interleaved.total_bytes(), size);
  EXPECT_EQ(r.stderr_capture.total_bytes(), 0u);
  ASSERT_GT(before, 0);
  EXPECT_LT(after - before, 48 * 1024) << "peak RSS grew by " << (after - before) << " KiB";
}

TEST_F(RunnerProcessTest, CaptureLimitsAreConfigurable) {
  ProcessOptions options;
  options.argv = {RUNNER_TESTDATA_PRINT_BYTES, "100", "stderr"};
  options.capture = {10, 6};
  ProcessResult r = must(run_process(options));
  EXPECT_EQ(r.stderr_capture.total_bytes(), 100u);
  EXPECT_EQ(r.stderr_capture.text(), "BEGIN\nxxxx\n[... 84 bytes omitted ...]\nx\nEND\n");
  EXPECT_EQ(r.interleaved.text(), r.stderr_capture.text());
}

TEST_F(RunnerProcessTest, ConcurrentRunsFromManyThreads) {
  constexpr int k_threads = 4;
  constexpr int k_runs = 25;
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < k_threads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < k_runs; ++i) {
        ProcessOptions options;
        options.argv = {RUNNER_TESTDATA_EXIT3};
        auto r = run_process(options);
        if (r && r->exit_code == 3 && r->stdout_capture.text() == "out\n" &&
            r->stderr_capture.text() == "err\n")
          ++good;
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_EQ(good.load(), k_threads * k_runs);
}

TEST_F(RunnerProcessTest, RunCommandAndCommandOutput) {
  auto out = command_output({"echo", "hello"});
  ASSERT_TRUE(out) << out.error().message;
  EXPECT_EQ(*out, "hello\n");
  auto bad = command_output({"sh", "-c", "echo oops >&2; exit 4"});
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().message, "'sh' failed (exit 4): oops");
  EXPECT_EQ(bad.error().kind, ErrorKind::infrastructure);
}

TEST_F(RunnerProcessTest, StacksOfAHungProcessOnTimeout) {
  if (access("/usr/bin/gdb", X_OK) != 0) GTEST_SKIP() << "no gdb";
  ProcessOptions options;
  options.argv = {RUNNER_TESTDATA_SLEEP_FOREVER};
  options.timeout = milliseconds(300);
  options.stacks_on_timeout = true;
  options.stacks_timeout = milliseconds(20'000);
  ProcessResult r = must(run_process(options));
  EXPECT_TRUE(r.timed_out);
  EXPECT_EQ(r.signal, SIGTERM);
  EXPECT_THAT(r.hung_stacks, HasSubstr("#0"));
  EXPECT_THAT(r.hung_stacks, HasSubstr("main"));
}

}  // namespace
}  // namespace faultline::runner
