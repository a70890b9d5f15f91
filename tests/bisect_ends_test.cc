// End-to-end tests of the ends a user states to `faultline bisect` (--good,
// --bad, --bad with --fixed) against what the runs show, on a generated git
// history: a contradicted end is bad input (exit 2), named with its runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "tests/support.h"

namespace faultline {
namespace {

using ::testing::EndsWith;

// 12 commits of a small program; commit 4 brings a heap-use-after-free that
// every run takes, commit 9 removes it. Versions are the commits c1..c12.
const char* k_history = R"sh(set -e
git init -q lib && cd lib && git config user.email t@t && git config user.name t
for i in $(seq 1 12); do
  if [ $i -ge 4 ] && [ $i -lt 9 ]; then use='p[1]'; else use=0; fi
  printf '/* commit %s */\n#include <stdlib.h>\nint main(void) { char* volatile p = malloc(8); free(p); return %s; }\n' "$i" "$use" > lib.c
  git add lib.c && git commit -qm "commit $i" && git tag c$i
done
)sh";

class BisectEndsTest : public e2e::ScratchTest {
 protected:
  BisectEndsTest() : ScratchTest("bisect-ends") {
    sh(k_history);
    write("faultline.yaml",
          "version: 1\ncomponents:\n  lib:\n    versions: { git: { repo: lib, range: c1..c12 } }\n"
          "    source: { git: lib }\n"
          "    build: $CC $SAN_CFLAGS -g -o {{ prefix }}/prog lib.c $SAN_LDFLAGS\n"
          "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/prog\" }\n");
  }
  // The version name of tag `tag`: the commit's first 12 hex digits.
  std::string commit(const std::string& tag) { return e2e::commit_version(m_dir / "lib", tag); }
  void earlier_run(int runs) {
    const e2e::Outcome run = faultline({"run", "--runs", std::to_string(runs), "--stop", "all"});
    ASSERT_EQ(run.status, 1) << run.out << run.err;
  }
};

// The earlier run shows c11 silent in 3 runs while c4..c8 crash in every run:
// --bad c11 is refused before any run.
TEST_F(BisectEndsTest, ABadEndTheEvidenceShowsPassingIsBadInput) {
  earlier_run(3);
  const std::string c11 = commit("c11");
  const e2e::Outcome o = faultline({"bisect", "--axis", "lib", "--bad", c11});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_THAT(o.err,
              EndsWith("faultline bisect: --bad " + c11 + " contradicts the evidence: lib=" + c11 +
                       " crashed with the target in 0 of 3 runs; < 63% at 95% (earlier "
                       "runs), where lib=" +
                       commit("c4") + "–" + commit("c8") +
                       " crashed in 15 of 15 runs; ≥ 80% at 95%; choose a --bad that "
                       "crashes, or leave --bad out to find the interval\n"));
}

// One earlier run per commit cannot exclude the rate (0 of 1 against 5 of 5):
// the bad-end check runs c11 until it can (4 runs in all), not 400, then refuses.
TEST_F(BisectEndsTest, ABadEndTheSearchShowsPassingIsBadInputWithinAStatedPower) {
  earlier_run(1);
  const std::string c11 = commit("c11");
  const e2e::Outcome o = faultline({"bisect", "--axis", "lib", "--bad", c11});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_THAT(o.err,
              EndsWith("faultline bisect: --bad " + c11 + " contradicts the evidence: lib=" + c11 +
                       " crashed with the target in 0 of 4 runs; < 53% at 95% (earlier "
                       "runs and this search), where lib=" +
                       commit("c4") + "–" + commit("c8") +
                       " crashed in 5 of 5 runs; ≥ 57% at 95%; choose a --bad that "
                       "crashes, or leave --bad out to find the interval\n"));
}

// --fixed's crashing end (--bad) predates the bug: refused as well.
TEST_F(BisectEndsTest, AFixedSearchsCrashingEndThatPassesIsBadInput) {
  earlier_run(3);
  const std::string c2 = commit("c2");
  const e2e::Outcome o = faultline({"bisect", "--axis", "lib", "--fixed", "--bad", c2});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_THAT(o.err,
              EndsWith("faultline bisect: --bad " + c2 + " contradicts the evidence: lib=" + c2 +
                       " crashed with the target in 0 of 3 runs; < 63% at 95% (earlier "
                       "runs), where lib=" +
                       commit("c4") + "–" + commit("c8") +
                       " crashed in 15 of 15 runs; ≥ 80% at 95%; choose a --bad that "
                       "crashes, or leave --bad out to find the interval\n"));
}

// No earlier run: --good c5 (the bug came at c4) crashes when the search
// probes it, and the search stops there instead of searching through it.
TEST_F(BisectEndsTest, AGoodEndThatCrashesDuringTheSearchStopsIt) {
  const std::string c5 = commit("c5");
  const e2e::Outcome o =
      faultline({"bisect", "--axis", "lib", "--good", c5, "--bad", commit("c8")});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_THAT(o.err,
              EndsWith("faultline bisect: --good " + c5 + " crashed during the search: lib=" + c5 +
                       " showed the target in 1 of 1 run; ≥ 21% at 95%; choose a --good "
                       "that does not crash, or leave --good out to find the interval\n"));
  EXPECT_EQ(o.out, "");
}

}  // namespace
}  // namespace faultline
