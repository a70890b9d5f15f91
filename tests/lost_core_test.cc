// End-to-end test of a crash whose core another run replaced. On a machine whose
// core_pattern gives every process the same file ("core", core_uses_pid 0), two
// runs crashing together in the matrix folder share it: the kernel unlinks the
// first run's core and writes the second's. The first run's crash has no stack;
// faultline marks it "stack lost: core file shared by parallel runs", keeps the
// mark in the store, and bisect counts that run as unknown, neither the target
// nor another crash. Skips (exit 125) where the loss cannot happen: cores piped
// to a handler, a core file per process, no gdb, or core dumps that cannot be
// raised (`ulimit -Hc` 0).
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <string>

#include "runner/core_stack.h"
#include "tests/support.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

// Version 1 passes. From version 2 every run writes NULL, two at once so that
// one loses its core: the first to create big.lock fills 256 MiB (its core takes
// a while to write) and waits (up to 2 s) for a partner; the partner says it is
// there (waiter.ready), waits for the core file to appear and crashes at once,
// so its small core replaces the big one while that is still being written.
// No sanitizer: the signal is all the output says.
const char* k_lost_c = R"c(#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
__attribute__((noinline)) void store_answer(volatile int* p) { *p = 42; }
static void wait_for(const char* file) {
  for (int i = 0; i < 4000 && access(file, F_OK) != 0; ++i) usleep(500);
}
int main(int argc, char** argv) {
  if (atoi(argv[1]) < 2) return 0;
  int big = open("big.lock", O_CREAT | O_EXCL | O_WRONLY, 0644);
  if (big >= 0) {
    size_t n = (size_t)256 << 20;
    char* fill = malloc(n);
    memset(fill, 1, n);
    wait_for("waiter.ready");
    unlink("big.lock");
  } else {
    close(creat("waiter.ready", 0644));
    wait_for("core");
    unlink("waiter.ready");
  }
  store_answer(NULL);
  return 0;
}
)c";

const char* k_matrix = R"(version: 1
components:
  lib:
    versions: ["1", "2"]
    build: $CC -O0 -g -o {{ prefix }}/lost lost.c
sanitizers: [none]
workloads:
  w: { run: "{{ prefix.lib }}/lost {{ lib }} {{ run.index }}", timeout: 60s }
stress: { runs: 2, stop: all }
)";

// Why this machine cannot lose a core to a parallel run, or "" when it can.
std::string why_no_shared_core() {
  auto pattern = runner::read_core_pattern();
  if (!pattern) return "core_pattern cannot be read";
  if (pattern->piped()) return "core_pattern pipes cores to a handler: no core file to share";
  if (!runner::shares_core_file(*pattern, 2))
    return "core_pattern '" + pattern->pattern + "' gives each process its own core file";
  if (access("/usr/bin/gdb", X_OK) != 0) return "no gdb: faultline reads no core";
  rlimit core{};
  if (getrlimit(RLIMIT_CORE, &core) != 0 || core.rlim_max == 0)
    return "core dumps are disabled (ulimit -Hc 0)";
  return "";
}

class LostCoreTest : public e2e::ScratchTest {
 protected:
  LostCoreTest() : ScratchTest("lost-core") {}
  void SetUp() override {
    if (const std::string why = why_no_shared_core(); !why.empty()) GTEST_SKIP() << why;
    write("lost.c", k_lost_c);
    write("faultline.yaml", k_matrix);
  }
};

TEST_F(LostCoreTest, RunMarksTheCrashWhoseCoreTheOtherRunReplaced) {
  e2e::Outcome o = faultline({"run", "-j", "2", "--only", "lib=2"});
  EXPECT_EQ(o.status, 1) << o.out << o.err;
  const nlohmann::json r = results();
  ASSERT_EQ(r["signatures"].size(), 2u) << r["signatures"].dump(2);
  // The big run's crash, frameless and marked; its partner's, from its core.
  for (const nlohmann::json& s : r["signatures"]) {
    if (s["text"] == "signal SIGSEGV") {
      EXPECT_EQ(s["summary"],
                "killed by SIGSEGV with no report in the output; stack lost: core file shared by "
                "parallel runs");
    } else {
      EXPECT_EQ(s["text"], "signal SIGSEGV: store_answer > main");
    }
  }
  EXPECT_EQ(db_text("SELECT count(*) || ' crashes, lost: ' || group_concat(stack_lost, '') FROM "
                    "crashes"),
            "2 crashes, lost: core file shared by parallel runs");
  EXPECT_THAT(o.out, HasSubstr("stack lost: core file shared by parallel runs"));
}

TEST_F(LostCoreTest, BisectCountsTheRunWhoseStackWasLostAsUnknown) {
  e2e::Outcome o = faultline({"bisect", "--axis", "lib", "-j", "2", "--no-results"});
  EXPECT_EQ(o.status, 1) << o.out << o.err;
  // The spread probe runs lib=2 once (alone: its core is found); the verification
  // runs two at once, and the big one loses its core to the other.
  EXPECT_THAT(o.err, HasSubstr("  verify lib=2: target in "));
  EXPECT_THAT(o.err, HasSubstr(", 1 unknown (stack lost: core file shared by parallel runs); "
                               "leading first crashing lib=2"));
  EXPECT_EQ(db_text("SELECT sum(unknown) || ' unknown, ' || sum(other) || ' other' FROM "
                    "bisect_observations"),
            "1 unknown, 0 other");
  const nlohmann::json answer = bisect_answer("lib");
  EXPECT_EQ(answer["first_bad"], "2");
  EXPECT_EQ(answer["outcome"], "culprit");
  // The search's runs are its evidence; the costs count the unknown run too.
  EXPECT_EQ(answer["runs"].get<int>() + 1, answer["costs"]["runs"].get<int>()) << answer.dump(2);
  EXPECT_EQ(answer["other_crashes"], 0) << answer.dump(2);
  // results.json's steps say where the unknown run was: lib=2's verification,
  // and no other step has the field.
  const nlohmann::json r = results();
  ASSERT_EQ(r["bisect"].size(), 1u) << r["bisect"].dump(2);
  int with_unknown = 0;
  for (const nlohmann::json& step : r["bisect"][0]["steps"]) {
    if (!step.contains("unknown")) continue;
    ++with_unknown;
    EXPECT_EQ(step["unknown"], 1) << step.dump();
    EXPECT_EQ(step["phase"], "verify") << step.dump();
    EXPECT_EQ(step["values"]["lib"], "2") << step.dump();
  }
  EXPECT_EQ(with_unknown, 1) << r["bisect"][0]["steps"].dump(2);
  EXPECT_EQ(r["bisect"][0]["other_crashes"], 0);
}

}  // namespace
}  // namespace faultline
