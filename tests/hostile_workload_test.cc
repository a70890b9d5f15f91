// End-to-end tests of what a hostile workload may do to `faultline run`: bury a
// crash report in the middle of a long log, print terminal escapes, kill
// faultline, open /dev/tty. The real binary, real processes, a scratch
// directory per test (kept and named on failure).
#include <gtest/gtest.h>
#include <pty.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <nlohmann/json.hpp>

#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

using std::chrono::seconds;

using e2e::Outcome;
using e2e::read_text;

// True once `pid` has exited (gone, or a zombie nobody has reaped yet).
bool gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::string stat = read_text("/proc/" + std::to_string(pid) + "/stat");
  std::size_t close = stat.rfind(')');
  return close == std::string::npos || (close + 2 < stat.size() && stat[close + 2] == 'Z');
}

bool gone_within(pid_t pid, std::chrono::milliseconds limit) {
  return e2e::eventually([&] { return gone(pid); }, limit);
}

class HostileWorkloadTest : public e2e::ScratchTest {
 protected:
  HostileWorkloadTest() : ScratchTest("hostile") {}
  void TearDown() override {
    if (m_workload > 0 && !gone(m_workload)) ::kill(m_workload, SIGKILL);
  }
  void matrix(const std::string& run) {
    write("faultline.yaml",
          "version: 1\ncomponents:\n  none: { versions: [\"1\"] }\nworkloads:\n  w: { run: \"" +
              run + "\", timeout: 10m }\nstress: { runs: 1 }\n");
  }

  // faultline run, to completion; its exit status and stdout.
  std::pair<int, std::string> run_to_end() {
    Outcome o = faultline({"run"});
    return {o.status, o.out};
  }

  // faultline run in the background (in its own process group when `group`).
  pid_t start(bool group = false) {
    return e2e::start_faultline({"run"}, m_dir, m_dir / "out.txt", m_dir / "err.txt", group);
  }

  // The pid the workload wrote to workload.pid, once it has (0 after 30 s).
  pid_t workload_pid() {
    std::string text;
    const bool written = e2e::eventually(
        [&] {
          text = read(m_dir / "workload.pid");
          return !text.empty() && text.back() == '\n';
        },
        seconds(30));
    return written ? m_workload = std::stoi(text) : 0;
  }

  // How faultline ended: the signal that killed it, or -1.
  static int killed_by(pid_t pid) {
    int status = 0;
    while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFSIGNALED(status) ? WTERMSIG(status) : -1;
  }

  pid_t m_workload = 0;
};

// ---- Every report in the output is seen ----

TEST_F(HostileWorkloadTest, AReportInTheMiddleOfALongLogOfAPassingHarnessIsACrash) {
  std::string report = read_text(std::string(FIXTURES) + "/asan_uaf_clang14.txt");
  ASSERT_FALSE(report.empty());
  write("report.txt", report);
  // 2 × 3,000,000 lines (66 MB) around the report; the harness exits 0.
  matrix(
      "yes worker-ok | head -n 3000000; cat report.txt; yes worker-ok | head -n 3000000; exit 0");
  auto [status, out] = run_to_end();
  EXPECT_EQ(status, 1) << out;
  nlohmann::json results = this->results();
  ASSERT_EQ(results["signatures"].size(), 1u) << out;
  EXPECT_EQ(results["signatures"][0]["tool"], "asan");
  EXPECT_EQ(results["signatures"][0]["kind"], "heap-use-after-free");
  EXPECT_EQ(results["signatures"][0]["frames"][0]["function"], "bug_heap_use_after_free()");
}

TEST_F(HostileWorkloadTest, TriageOfAnEndlessStreamCostsBoundedMemory) {
#if defined(__SANITIZE_ADDRESS__)
  // An ASan build's peak RSS is the sanitizer's (shadow memory, allocator caches:
  // 238 MiB measured with an 8 MiB quarantine), not faultline's; the default
  // build checks the bound.
  GTEST_SKIP() << "peak RSS under ASan measures the sanitizer, not faultline";
#endif
  runner::ProcessOptions p;
  p.argv = {"/bin/sh", "-c", "head -c 1073741824 /dev/zero | " FAULTLINE_BINARY " triage -"};
  p.timeout = std::chrono::minutes(5);
  // Under the asan preset, ASan's quarantine keeps up to 256 MiB of freed memory
  // (quarantine_size_mb's 64-bit default): the sanitizer's memory, not faultline's.
  // A small quarantine measures faultline's own; builds without ASan ignore it.
  const char* asan = std::getenv("ASAN_OPTIONS");
  p.environment = runner::environment_with(
      {{"ASAN_OPTIONS",
        std::string(asan ? asan : "") + (asan && *asan ? ":" : "") + "quarantine_size_mb=8"}});
  auto r = runner::run_process(p);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->exit_code, 0) << r->interleaved.text();
  EXPECT_EQ(r->stdout_capture.text(), "0 crashes found\n");
  EXPECT_LT(r->peak_rss_bytes, 100 << 20);  // 16 MiB head, 1 MiB tail, their copy: not the 1 GiB
}

// ---- Output cannot drive the terminal ----

TEST_F(HostileWorkloadTest, EscapesInTheOutputAreShownNotObeyed) {
  matrix("printf 'x.c:1:2: runtime error: \\\\033[2J\\\\033]0;pwned\\\\007 boom\\\\n'; exit 1");
  auto [status, out] = run_to_end();
  EXPECT_EQ(status, 1) << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
  EXPECT_NE(out.find("runtime error: \\x1b[2J\\x1b]0;pwned\\x07 boom"), std::string::npos) << out;
  Outcome report = faultline({"report", "--format", "terminal", ".faultline/results.json"});
  EXPECT_EQ(report.out.find('\x1b'), std::string::npos) << report.out;
  EXPECT_NE(report.out.find("\\x1b]0;pwned\\x07 boom"), std::string::npos);
}

// ---- Nothing outlives faultline ----

TEST_F(HostileWorkloadTest, AWorkloadDiesWhenFaultlineIsKilled) {
  matrix("echo $$ > workload.pid; exec sleep 1000");
  pid_t faultline = start();
  pid_t workload = workload_pid();
  ASSERT_GT(workload, 0) << read(m_dir / "err.txt");
  ASSERT_EQ(::kill(faultline, SIGKILL), 0);
  EXPECT_EQ(killed_by(faultline), SIGKILL);
  EXPECT_TRUE(gone_within(workload, seconds(5)));
}

TEST_F(HostileWorkloadTest, AWorkloadDiesWhenFaultlinesProcessGroupIsKilled) {
  matrix("echo $$ > workload.pid; exec sleep 1000");
  pid_t faultline = start(/*group=*/true);
  pid_t workload = workload_pid();
  ASSERT_GT(workload, 0) << read(m_dir / "err.txt");
  ASSERT_EQ(::kill(-faultline, SIGKILL), 0);
  EXPECT_EQ(killed_by(faultline), SIGKILL);
  EXPECT_TRUE(gone_within(workload, seconds(5)));
}

TEST_F(HostileWorkloadTest, AWorkloadThatKillsFaultlineDiesWithIt) {
  matrix("echo $$ > workload.pid; kill -9 $PPID; exec sleep 1000");
  pid_t faultline = start();
  EXPECT_EQ(killed_by(faultline), SIGKILL);
  pid_t workload = workload_pid();
  ASSERT_GT(workload, 0) << read(m_dir / "err.txt");
  EXPECT_TRUE(gone_within(workload, seconds(5)));
}

TEST_F(HostileWorkloadTest, AWorkloadCannotOpenTheTerminal) {
  matrix(
      "if (echo hi > /dev/tty) 2>/dev/null; then echo reached > tty.txt; else echo refused > "
      "tty.txt; fi");
  int master = -1;
  pid_t faultline = forkpty(&master, nullptr, nullptr, nullptr);
  ASSERT_GE(faultline, 0);
  if (faultline == 0) {
    if (chdir(m_dir.c_str()) == 0)
      execl(FAULTLINE_BINARY, FAULTLINE_BINARY, "run", static_cast<char*>(nullptr));
    _exit(127);
  }
  char buf[4096];
  while (::read(master, buf, sizeof buf) > 0 || errno == EINTR) {
  }
  close(master);
  EXPECT_EQ(killed_by(faultline), -1);
  EXPECT_EQ(read(m_dir / "tty.txt"), "refused\n");
}

TEST_F(HostileWorkloadTest, TheNextFaultlineKillsWhatAKilledOneLeftBehind) {
  // The command forks a grandchild, which PR_SET_PDEATHSIG does not cover.
  matrix("sleep 1000 & echo $! > workload.pid; wait");
  pid_t faultline = start();
  pid_t grandchild = workload_pid();
  ASSERT_GT(grandchild, 0) << read(m_dir / "err.txt");
  ASSERT_EQ(::kill(faultline, SIGKILL), 0);
  EXPECT_EQ(killed_by(faultline), SIGKILL);
  EXPECT_FALSE(gone_within(grandchild, std::chrono::milliseconds(500)));
  matrix("true");
  Outcome next = e2e::run_faultline({"run"}, {m_dir, std::nullopt, std::chrono::minutes(2)});
  EXPECT_EQ(next.status, 0) << next.out << next.err;
  EXPECT_NE(
      next.err.find("faultline: killed 1 process left running by a faultline that was killed\n"),
      std::string::npos)
      << next.err;
  EXPECT_TRUE(gone_within(grandchild, seconds(5)));
}

}  // namespace
}  // namespace faultline
