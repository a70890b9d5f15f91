// Tests of runner/core_stack.h: core_pattern as the kernel reads it, and real
// cores from a real crash (runner/testdata/crash_in_thread.c) read by real gdb.
// Tests that need a core skip (exit 125) when this machine pipes cores to a
// handler or has no gdb. Each test works in its own scratch directory.
#include "runner/core_stack.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>

#include "base/testing/scratch_dir.h"
#include "runner/process.h"

namespace faultline::runner {
namespace {

namespace fs = std::filesystem;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;

const bool k_subreaper = become_subreaper().has_value();

double now_seconds() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

class CoreStackTest : public testing::ScratchTest {
 protected:
  CoreStackTest() : ScratchTest("core") {}

  // Skips unless this machine writes cores to files and has gdb.
  std::optional<CoreFiles> where_or_skip(const std::string& cwd) {
    auto pattern = read_core_pattern();
    if (!pattern) return std::nullopt;
    auto where = core_files(*pattern, cwd);
    if (!where || access("/usr/bin/gdb", X_OK) != 0) return std::nullopt;
    return where;
  }

  // Runs argv with the core limit raised, in the scratch directory.
  ProcessResult crash(std::vector<std::string> argv) {
    ProcessOptions options;
    options.argv = std::move(argv);
    options.working_directory = m_dir.string();
    options.core_dumps = true;
    options.timeout = std::chrono::milliseconds(20'000);
    auto result = run_process(options);
    EXPECT_TRUE(result.has_value()) << (result ? "" : result.error().message);
    return result ? std::move(*result) : ProcessResult{};
  }

  std::vector<std::string> files() {
    std::vector<std::string> out;
    for (const auto& entry : fs::directory_iterator(m_dir))
      out.push_back(entry.path().filename().string());
    return out;
  }
};

// clang-format off
#define SKIP_WITHOUT_CORE_FILES(where) \
  if (!(where)) GTEST_SKIP() << "core_pattern pipes to a handler (or no gdb): no core file to read"
// clang-format on

TEST_F(CoreStackTest, PatternWithoutDirectoryLandsInTheWorkingDirectory) {
  auto where = core_files({"core", false}, "/work/m");
  ASSERT_TRUE(where);
  EXPECT_EQ(where->directory, "/work/m");
  EXPECT_EQ(where->glob, "core");
}

TEST_F(CoreStackTest, CoreUsesPidAppendsThePidUnlessThePatternHasOne) {
  EXPECT_EQ(core_files({"core", true}, "/w")->glob, "core.*");
  EXPECT_EQ(core_files({"core.%p", true}, "/w")->glob, "core.*");
  EXPECT_EQ(core_files({"core.%e.%p.%t", false}, "/w")->glob, "core.*.*.*");
}

TEST_F(CoreStackTest, AbsoluteDirectoryAndEscapedGlobCharacters) {
  auto where = core_files({"/var/crash/core[%e]*%%.%s", false}, "/w");
  ASSERT_TRUE(where);
  EXPECT_EQ(where->directory, "/var/crash");
  EXPECT_EQ(where->glob, "core\\[*]\\*%.*");
  EXPECT_EQ(core_files({"cores/core.%p", false}, "/w")->directory, "/w/cores");
}

TEST_F(CoreStackTest, PipedPatternOrSpecifiersInTheDirectoryGiveNoFiles) {
  CorePattern apport{"|/usr/share/apport/apport -p%p -s%s -c%c", false};
  EXPECT_TRUE(apport.piped());
  EXPECT_FALSE(core_files(apport, "/w"));
  EXPECT_FALSE(core_files({"/var/crash/%e/core", false}, "/w"));
  EXPECT_FALSE(core_files({"", false}, "/w"));
}

TEST_F(CoreStackTest, ValidateWarnsOnceWhereCoresCannotBeRead) {
  EXPECT_EQ(core_stack_note({"|/usr/share/apport/apport -p%p", false}, true),
            "warning: core_pattern '|/usr/share/apport/apport -p%p' pipes core files to a handler; "
            "crashes that "
            "print no stack keep the signal alone");
  EXPECT_EQ(core_stack_note({"/cores/%e/core", false}, true),
            "warning: faultline cannot find core files by core_pattern '/cores/%e/core'; crashes "
            "that print no stack "
            "keep the signal alone");
  EXPECT_EQ(core_stack_note({"core", false}, false),
            "warning: gdb not found; crashes that print no stack keep the signal alone");
  EXPECT_EQ(core_stack_note({"core.%p", true}, true),
            "crashes that print no stack get their core's stack (core_pattern 'core.%p', gdb)");
}

TEST_F(CoreStackTest, ValidateWarnsWhenParallelRunsWouldShareOneCoreFile) {
  EXPECT_EQ(parallel_core_warning({"core", false}, 2, "-j 2"),
            "warning: core_pattern 'core' gives every process the same core file (no %p or %P, "
            "core_uses_pid 0) and 2 runs go at once (-j 2): two runs crashing together in the "
            "matrix folder overwrite each other's core, so a crash may get another run's stack or "
            "none; add %p to core_pattern (sysctl kernel.core_pattern=core.%p), set "
            "kernel.core_uses_pid=1, or run with -j 1");
  EXPECT_TRUE(parallel_core_warning({"/var/cores/core.%e", false}, 4, "stress.parallel: 4"));
  EXPECT_EQ(parallel_core_warning({"core", false}, 1, "-j 1"), std::nullopt);
  EXPECT_EQ(parallel_core_warning({"core", true}, 8, "-j 8"), std::nullopt);  // core.PID
  EXPECT_EQ(parallel_core_warning({"core.%p", false}, 8, "-j 8"), std::nullopt);
  EXPECT_EQ(parallel_core_warning({"/tmp/core-%e-%P", false}, 8, "-j 8"), std::nullopt);
  EXPECT_EQ(parallel_core_warning({"|/usr/share/apport/apport -p%p", false}, 8, "-j 8"),
            std::nullopt);  // no file: core_stack_note warns instead
}

// A crash's stack is lost to a parallel run only when everything says its core was
// written and then replaced: a shared file, a signal, WCOREDUMP, and no core found.
TEST_F(CoreStackTest, AStackIsLostOnlyWhenASharedCoreWasDumpedAndNotFound) {
  EXPECT_TRUE(shares_core_file({"core", false}, 2));
  EXPECT_FALSE(shares_core_file({"core", false}, 1));
  EXPECT_FALSE(shares_core_file({"core", true}, 2));
  EXPECT_FALSE(shares_core_file({"core.%p", false}, 2));
  EXPECT_FALSE(shares_core_file({"|/usr/share/apport/apport -p%p", false}, 2));
  const CoreOutcome lost{true, SIGSEGV, true, false};
  EXPECT_EQ(stack_lost_reason(lost), "core file shared by parallel runs");
  EXPECT_EQ(stack_lost_reason({true, SIGABRT, true, false}), k_core_shared);
  EXPECT_EQ(stack_lost_reason({false, SIGSEGV, true, false}), "");      // -j 1, or core.%p
  EXPECT_EQ(stack_lost_reason({true, std::nullopt, true, false}), "");  // exit 139 from a shell
  EXPECT_EQ(stack_lost_reason({true, SIGSEGV, false, false}), "");      // no core was dumped
  EXPECT_EQ(stack_lost_reason({true, SIGSEGV, true, true}), "");        // its core was found
}

TEST_F(CoreStackTest, ReadsCorePatternAndCoreUsesPid) {
  write("core_pattern", "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h\n");
  write("core_uses_pid", "1\n");
  auto pattern = read_core_pattern(m_dir.string());
  ASSERT_TRUE(pattern) << pattern.error().message;
  EXPECT_EQ(pattern->pattern, "|/usr/lib/systemd/systemd-coredump %P %u %g %s %t %c %h");
  EXPECT_TRUE(pattern->uses_pid);
  EXPECT_TRUE(pattern->piped());
  auto missing = read_core_pattern(m_dir.string() + "/none");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().message,
            "cannot read " + m_dir.string() + "/none/core_pattern: No such file or directory");
}

TEST_F(CoreStackTest, NotACoreFileIsBadInput) {
  write("core", "not an ELF file at all, just text that is long enough for a header..........");
  auto notes = read_core_notes(m_dir.string() + "/core");
  ASSERT_FALSE(notes);
  EXPECT_EQ(notes.error().message, m_dir.string() + "/core: not a core file (no ELF header)");
  auto exe = read_core_notes(CRASH_IN_THREAD);
  ASSERT_FALSE(exe);
  EXPECT_THAT(exe.error().message, HasSubstr("not a core file (ELF type 3, not ET_CORE)"));
}

TEST_F(CoreStackTest, ParsesTheCrashingThreadBetweenTheMarkers) {
  const std::string gdb =
      "Program terminated with signal SIGSEGV, Segmentation fault.\n"
      "#0  0x0000558cd9099155 in crash_here (p=0x0) at crash.c:3\n"
      "faultline-bt-begin\n"
      "#0  0x0000558cd9099155 in crash_here (p=0x0) at crash.c:3\n"
      "#1  0x0000558cd9099176 in worker (a=0x0) at crash.c:4\n"
      "warning: Unexpected size of section `.reg-xstate/10119' in core file.\n"
      "#2  0x00007ff852d4a1f5 in start_thread (arg=<optimized out>) at "
      "./nptl/pthread_create.c:442\n"
      "faultline-bt-end\n"
      "Thread 2 (Thread 0x7ff852cbe740 (LWP 10118)):\n"
      "#0  __futex_abstimed_wait_common64 (private=128) at ./nptl/futex-internal.c:57\n";
  auto frames = parse_gdb_backtrace(gdb);
  ASSERT_EQ(frames.size(), 3u);
  EXPECT_EQ(frames[0].function, "crash_here");
  EXPECT_EQ(frames[0].file, "crash.c");
  EXPECT_EQ(frames[0].line, 3);
  EXPECT_EQ(frames[1].function, "worker");
  EXPECT_EQ(frames[2].function, "start_thread");
  EXPECT_TRUE(parse_gdb_backtrace("#0 0x1 in f () at a.c:1\n").empty());
}

TEST_F(CoreStackTest, RealCrashGivesTheCrashingThreadsStackAndTheCoreIsDeleted) {
  auto where = where_or_skip(m_dir.string());
  SKIP_WITHOUT_CORE_FILES(where);
  const double started = now_seconds();
  ProcessResult run = crash({CRASH_IN_THREAD});
  ASSERT_EQ(run.signal, SIGSEGV);
  EXPECT_TRUE(run.core_dumped);
  auto stack = take_core_stack(*where, run.pid, started, {});
  ASSERT_TRUE(stack);
  EXPECT_EQ(stack->problem, "");
  EXPECT_EQ(stack->notes.signal, SIGSEGV);
  EXPECT_EQ(stack->notes.process_group, run.pid);
  EXPECT_EQ(stack->notes.executable, fs::canonical(CRASH_IN_THREAD).string());
  ASSERT_GE(stack->frames.size(), 2u);
  EXPECT_EQ(stack->frames[0].function, "crash_here");
  EXPECT_THAT(stack->frames[0].file, EndsWith("runner/testdata/crash_in_thread.c"));
  EXPECT_EQ(stack->frames[0].line, 9);
  EXPECT_EQ(stack->frames[1].function, "worker");
  EXPECT_EQ(stack->frames[1].line, 13);
  EXPECT_THAT(stack->backtrace, HasSubstr("Thread 2"));  // every thread follows the crashing one
  EXPECT_EQ(stack->kept_core, "");
  EXPECT_TRUE(files().empty());
}

TEST_F(CoreStackTest, CrashInAChildOfTheShellNamesTheChildsExecutable) {
  auto where = where_or_skip(m_dir.string());
  SKIP_WITHOUT_CORE_FILES(where);
  const double started = now_seconds();
  ProcessResult run = crash({"/bin/sh", "-c", std::string(CRASH_IN_THREAD) + "; exit 7"});
  ASSERT_EQ(run.exit_code, 7);  // the shell survived its child
  auto stack = take_core_stack(*where, run.pid, started, {});
  ASSERT_TRUE(stack);
  EXPECT_NE(stack->notes.pid, run.pid);
  EXPECT_EQ(stack->notes.executable, fs::canonical(CRASH_IN_THREAD).string());
  EXPECT_EQ(stack->notes.command, CRASH_IN_THREAD);
  ASSERT_FALSE(stack->frames.empty());
  EXPECT_EQ(stack->frames[0].function, "crash_here");
}

TEST_F(CoreStackTest, AnotherRunsCoreIsLeftAloneAndAKeptCoreIsMoved) {
  auto where = where_or_skip(m_dir.string());
  SKIP_WITHOUT_CORE_FILES(where);
  const double started = now_seconds();
  ProcessResult run = crash({CRASH_IN_THREAD});
  EXPECT_FALSE(take_core_stack(*where, run.pid + 100000, started, {}));
  EXPECT_FALSE(take_core_stack(*where, run.pid, started + 3600, {}));  // older than the run
  ASSERT_EQ(files().size(), 1u);
  CoreStackOptions keep;
  keep.keep = true;
  keep.keep_as = m_dir.string() + "/kept.core";
  auto stack = take_core_stack(*where, run.pid, started, keep);
  ASSERT_TRUE(stack);
  EXPECT_EQ(stack->kept_core, m_dir.string() + "/kept.core");
  EXPECT_EQ(files(), std::vector<std::string>{"kept.core"});
  auto notes = read_core_notes(stack->kept_core);
  ASSERT_TRUE(notes) << notes.error().message;
  EXPECT_EQ(notes->pid, run.pid);
}

TEST_F(CoreStackTest, GdbOverrunningItsTimeIsKilledAndSaidSo) {
  auto where = where_or_skip(m_dir.string());
  SKIP_WITHOUT_CORE_FILES(where);
  const double started = now_seconds();
  ProcessResult run = crash({CRASH_IN_THREAD});
  CoreStackOptions quick;
  quick.gdb_timeout = std::chrono::milliseconds(1);
  auto begin = std::chrono::steady_clock::now();
  auto stack = take_core_stack(*where, run.pid, started, quick);
  ASSERT_TRUE(stack);
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
  EXPECT_THAT(stack->problem, StartsWith("gdb timed out after "));
  EXPECT_TRUE(stack->frames.empty());
  EXPECT_TRUE(files().empty());
}

}  // namespace
}  // namespace faultline::runner
