// Tests of runner/cgroup.h with real processes: a daemon that leaves its run's
// session and clears its environment (so neither the process group nor the run
// token finds it) still dies with the run; the cgroups of a dead faultline are
// cleared by the next one. Skipped where no cgroup v2 is usable. Each test works
// in its own scratch directory, left behind and printed when the test fails.
#include "runner/cgroup.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/testing/scratch_dir.h"
#include "runner/abandoned.h"
#include "runner/process.h"

namespace faultline::runner {
namespace {

namespace fs = std::filesystem;

const bool k_subreaper = become_subreaper().has_value();

// 'R', 'S', … while it runs; 'Z' once dead and not yet reaped; 0 when gone.
char state_of(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  const std::size_t close = stat.rfind(')');
  return close == std::string::npos || close + 2 >= stat.size() ? 0 : stat[close + 2];
}

bool dies_within(pid_t pid, std::chrono::milliseconds limit) {
  const auto give_up = std::chrono::steady_clock::now() + limit;
  while (state_of(pid) != 0 && state_of(pid) != 'Z') {
    if (std::chrono::steady_clock::now() >= give_up) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

class CgroupTest : public testing::ScratchTest {
 protected:
  CgroupTest() : ScratchTest("cgroup") {}
  void SetUp() override {
    if (!RunCgroup::create()) GTEST_SKIP() << "no usable cgroup v2 here: " << containment_note();
  }
};

TEST_F(CgroupTest, TheNoteNamesTheCgroupInUse) {
  EXPECT_THAT(
      containment_note(),
      ::testing::MatchesRegex("cgroup v2 per run \\(.*/faultline-" + std::to_string(getpid()) +
                              "/run-<n>\\): every descendant ends with its run"));
}

TEST_F(CgroupTest, ADaemonThatLeftTheSessionAndClearedItsEnvironmentDiesWithTheRun) {
  const std::string pid_file = (m_dir / "daemon.pid").string();
  ProcessOptions options;
  // A double fork: the subshell exits, the daemon is orphaned, in a session of its
  // own (setsid) and without FAULTLINE_RUN_TOKEN (env -i). The run waits for its pid.
  options.argv = {"/bin/sh", "-c",
                  "(env -i /usr/bin/setsid /bin/sh -c 'echo $$ > \"$0\"; exec sleep 300' \"$1\" "
                  "</dev/null >/dev/null 2>&1 &); "
                  "while [ ! -s \"$1\" ]; do sleep 0.01; done",
                  "sh", pid_file};
  options.timeout = std::chrono::milliseconds(20'000);
  auto result = run_process(options);
  ASSERT_TRUE(result.has_value()) << result.error().message;
  EXPECT_EQ(result->exit_code, 0);
  std::ifstream in(pid_file);
  pid_t daemon = 0;
  ASSERT_TRUE(in >> daemon) << "the daemon wrote no pid";
  const bool died = dies_within(daemon, std::chrono::milliseconds(2000));
  if (!died) (void)::kill(daemon, SIGKILL);
  EXPECT_TRUE(died) << "sleep 300 (pid " << daemon << ") outlived its run";
  if (k_subreaper) {
    EXPECT_EQ(state_of(daemon), 0) << "faultline reaps it too";
  }
  EXPECT_EQ(reap_stray_children(), 0);
}

// A process that moves itself into `cgroup_dir` and sleeps; its pid once it is in.
pid_t sleeper_in(const std::string& cgroup_dir) {
  const std::string procs = cgroup_dir + "/cgroup.procs";
  pid_t sleeper = fork();
  if (sleeper == 0) {
    std::ofstream(procs) << "0";
    execl("/usr/bin/sleep", "sleep", "300", static_cast<char*>(nullptr));
    _exit(127);
  }
  for (int tries = 0; tries < 2000 && state_of(sleeper) != 0; ++tries) {
    std::ifstream in(procs);
    pid_t member = 0;
    if (in >> member && member == sleeper) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return sleeper;
}

int wait_status(pid_t pid) {
  int status = 0;
  EXPECT_EQ(waitpid(pid, &status, 0), pid);
  return status;
}

TEST_F(CgroupTest, RemovingARunsCgroupKillsAndRemovesTheCgroupsUnderIt) {
  // A faultline run as a workload makes its own cgroups inside the run's.
  auto run = RunCgroup::create();
  ASSERT_TRUE(run);
  const std::string path = run->path();
  ASSERT_TRUE(fs::create_directories(path + "/faultline-1/run-1"));
  pid_t sleeper = sleeper_in(path + "/faultline-1/run-1");
  int status = 0;
  // Reaped as soon as it dies, as its parent would: a zombie keeps its cgroup busy.
  std::thread reaper([&] { status = wait_status(sleeper); });
  run->remove();
  reaper.join();
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  EXPECT_FALSE(fs::exists(path));
}

TEST_F(CgroupTest, TheNextFaultlineKillsWhatADeadOnesCgroupsStillHold) {
  auto probe = RunCgroup::create();
  ASSERT_TRUE(probe);
  const fs::path parent = fs::path(probe->path()).parent_path().parent_path();
  pid_t gone = fork();  // a pid that names no live faultline
  if (gone == 0) _exit(0);
  ASSERT_EQ(waitpid(gone, nullptr, 0), gone);
  const fs::path abandoned = parent / ("faultline-" + std::to_string(gone));
  ASSERT_TRUE(fs::create_directories(abandoned / "run-1"));
  pid_t sleeper = sleeper_in((abandoned / "run-1").string());
  EXPECT_EQ(kill_abandoned_workloads(), 1);
  const int status = wait_status(sleeper);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) << "status " << status;
  EXPECT_FALSE(fs::exists(abandoned));
}

}  // namespace
}  // namespace faultline::runner
