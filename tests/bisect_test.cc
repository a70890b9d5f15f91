// End-to-end tests of `faultline bisect`: real builds of a small program whose
// bug appears at a known version, real runs under a real sanitizer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

using e2e::Outcome;
using nlohmann::json;
using ::testing::HasSubstr;

// Version V of the program: from BAD_FROM up to (not including) FIXED_AT it has
// a heap-use-after-free, taken in PERCENT of runs; version BROKEN does not build.
// The bug both programs plant: a heap-use-after-free that ASan reports.
#define K_USE_AFTER_FREE \
  "#define USE_AFTER_FREE { char* volatile p = malloc(16); free(p); return p[3]; }\n"

const char* k_program = K_USE_AFTER_FREE R"(#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifndef V
#error V
#endif
int main(void) {
  srand((unsigned)(time(NULL) ^ getpid() ^ clock()));
  if (V >= BAD_FROM && V < FIXED_AT && rand() % 100 < PERCENT) USE_AFTER_FREE;
  puts("ok");
  return 0;
}
)";

class BisectTest : public e2e::ScratchTest {
 protected:
  BisectTest() : ScratchTest("bisect") { write("prog.c", k_program); }
  // `first` runs before each build (a shell command, "" none).
  void matrix(int bad_from, int fixed_at, int percent, int broken = 0,
              const std::string& first = "") {
    write(
        "faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: [\"1\", \"2\", \"3\", \"4\", \"5\", "
        "\"6\", \"7\", \"8\", \"9\", \"10\"]\n"
        "    build: \"" +
            (first.empty() ? "" : first + " && ") +
            "test {{ version }} != " + std::to_string(broken) +
            " && $CC $SAN_CFLAGS -O1 -g -DV={{ version }} -DBAD_FROM=" + std::to_string(bad_from) +
            " -DFIXED_AT=" + std::to_string(fixed_at) + " -DPERCENT=" + std::to_string(percent) +
            " -o {{ prefix }}/prog prog.c $SAN_LDFLAGS\"\n"
            "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/prog\" }\n");
  }
  // Two axes: DIR/pair.c built with -DV=L for each lib version L (LIB_VERSIONS, a
  // YAML list's items), run with each bind version 1–6 as its argument; `more`
  // is appended to the matrix.
  void pair_matrix(const std::string& lib_versions, const std::string& more = "") {
    write(
        "faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: [" + lib_versions +
            "]\n"
            "    build: \"$CC $SAN_CFLAGS -O1 -g -DV={{ version }} -o {{ prefix }}/pair pair.c "
            "$SAN_LDFLAGS\"\n"
            "  bind:\n    versions: [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\"]\n"
            "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/pair {{ bind }}\" }\n" +
            more);
  }
  // A bisect builds and runs many cells: up to 10 minutes each.
  Outcome faultline(std::vector<std::string> args) {
    return ScratchTest::faultline(std::move(args), std::chrono::minutes(10));
  }
  // Observations the results store holds for the bisect sessions of `key` (an
  // axis, or ROWS-COLUMNS); -1 when it cannot be read.
  std::int64_t observations(const std::string& key) const {
    return db_int(
        "SELECT count(*) FROM bisect_observations o JOIN bisect_sessions s "
        "ON s.session_id = o.session_id WHERE s.key = '" +
        key + "'");
  }
  json answer() const { return bisect_answer("lib"); }
};

TEST_F(BisectTest, FindsTheFirstCrashingVersionOfADeterministicBug) {
  matrix(6, 100, 100);
  Outcome o = faultline({"bisect", "--axis", "lib"});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.out, HasSubstr("first crashing: lib=6; last good: lib=5"));
  json a = answer();
  EXPECT_EQ(a["outcome"], "culprit");
  EXPECT_EQ(a["first_bad"], "6");
  EXPECT_GE(a["posterior"].get<double>(), 0.99);
  EXPECT_LT(a["runs"].get<int>(), 60);
}

TEST_F(BisectTest, FindsWhereACrashStopsWithFixed) {
  matrix(2, 8, 100);
  Outcome o = faultline({"bisect", "--axis", "lib", "--fixed", "--bad", "3"});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.out, HasSubstr("first fixed: lib=8; last crashing: lib=7"));
}

TEST_F(BisectTest, AFlakyBugIsStillFoundAtTheConfiguredConfidence) {
  matrix(4, 100, 30);
  Outcome o = faultline({"bisect", "--axis", "lib", "--confidence", "0.99"});
  EXPECT_EQ(o.status, 1) << o.err;
  json a = answer();
  EXPECT_EQ(a["first_bad"], "4") << o.out << o.err;
}

TEST_F(BisectTest, AVersionThatDoesNotBuildIsSkippedAndTheAmbiguityIsStated) {
  matrix(7, 100, 100, 6);  // 6 does not build, 7 is the first crashing: the change is at 6 or 7
  Outcome o = faultline({"bisect", "--axis", "lib"});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.err, HasSubstr("lib=6: does not build; skipped"));
  json a = answer();
  EXPECT_EQ(a["outcome"], "range") << o.out;
  EXPECT_EQ(a["last_good"], "5");
  EXPECT_EQ(a["first_bad"], "7");
}

TEST_F(BisectTest, ResumeRepeatsNoRun) {
  matrix(6, 100, 100);
  faultline({"bisect", "--axis", "lib"});
  const std::int64_t before = observations("lib");
  EXPECT_GT(before, 2);
  Outcome again = faultline({"bisect", "--axis", "lib", "--resume"});
  EXPECT_EQ(again.status, 1) << again.err;
  EXPECT_THAT(again.out, HasSubstr("first crashing: lib=6"));
  EXPECT_THAT(again.err, HasSubstr("bisect: resuming with " + std::to_string(before) +
                                   " recorded observations"));
  EXPECT_EQ(observations("lib"), before);
}

// The search weighs builds against runs as it measured them, and a build made
// ahead as free: both depend on timing. A resumed session decides with what its
// session chose with (kept with each probe, the header's "choices"), so it asks
// what it asked and repeats no run, although its builds cost nothing now (all
// cached, and the sleep gone). Here the first session's builds take 0.5 s each
// against runs of milliseconds, so it reruns built versions of a flaky crash
// before building new ones; without the choices the replay took builds as free,
// asked another version at its first cost-weighed probe, and ran new probes.
TEST_F(BisectTest, AResumeDecidesWithWhatItsSessionChoseWith) {
  const std::filesystem::path sleep_file =
      m_dir.parent_path() / (m_dir.filename().string() + "-sleep");
  std::ofstream(sleep_file) << "0.5";
  matrix(6, 100, 40, 0, "sleep $(cat " + sleep_file.string() + ")");
  Outcome first = faultline({"bisect", "--axis", "lib"});
  ASSERT_EQ(first.status, 1) << first.err;
  const std::int64_t before = observations("lib");
  std::ofstream(sleep_file) << "0";
  Outcome again = faultline({"bisect", "--axis", "lib", "--resume"});
  EXPECT_EQ(again.status, 1) << again.err;
  EXPECT_EQ(observations("lib"), before) << first.err << "\n----\n" << again.err;
  EXPECT_EQ(answer()["first_bad"], "6");
  std::filesystem::remove(sleep_file);
}

TEST_F(BisectTest, TheAnswerIsAddedToResultsJsonAndReportRendersIt) {
  matrix(6, 100, 100);
  Outcome o = faultline({"bisect", "--axis", "lib"});
  ASSERT_EQ(o.status, 1) << o.err;
  json r = results();
  ASSERT_TRUE(r["bisect"].is_array());
  ASSERT_EQ(r["bisect"].size(), 1u);
  const json& b = r["bisect"][0];
  EXPECT_EQ(b["status"], "found");
  EXPECT_EQ(b["axes"], json::array({"lib"}));
  EXPECT_EQ(b["first_crashing"]["lib"], "6");
  EXPECT_EQ(b["last_passing"]["lib"], "5");
  EXPECT_GE(b["confidence"].get<double>(), 0.99);
  EXPECT_EQ(b["verification"]["culprit"]["verdict"], "crash");
  EXPECT_EQ(b["verification"]["predecessor"]["verdict"], "pass");
  ASSERT_FALSE(b["steps"].empty());
  // The cells the bisect probed are recorded as a run would record them.
  int probed_runs = 0;
  for (const auto& c : r["cells"]) probed_runs += c["runs"].get<int>();
  EXPECT_EQ(probed_runs, b["runs"].get<int>());
  EXPECT_EQ(r["signatures"].size(), 1u);
  EXPECT_EQ(r["signatures"][0]["hash"], b["signature"]);
  // Attribution works on a bisect's cells as on a run's.
  EXPECT_THAT(r["signatures"][0].value("attribution", ""), HasSubstr("lib ≥ 6"))
      << r["signatures"][0].dump();

  // A second search of the same line replaces its entry rather than adding one.
  faultline({"bisect", "--axis", "lib", "--no-results"});
  EXPECT_EQ(results()["bisect"].size(), 1u);

  Outcome md = faultline({"report", "--format", "md", ".faultline/results.json"});
  EXPECT_EQ(md.status, 0) << md.err;
  EXPECT_THAT(md.out, HasSubstr("## Bisect"));
  EXPECT_THAT(md.out, HasSubstr("`lib=6`"));
}

TEST_F(BisectTest, AnEarlierRunIsTakenAsEvidenceAndKeepsItsCells) {
  matrix(6, 100, 100);
  Outcome fresh = faultline({"bisect", "--axis", "lib", "--no-results"});
  ASSERT_EQ(fresh.status, 1) << fresh.err;
  const int fresh_runs = answer()["runs"].get<int>();
  std::filesystem::remove_all(m_dir / ".faultline/results.json");

  Outcome run = faultline({"run", "--runs", "4", "--stop", "all"});
  ASSERT_EQ(run.status, 1) << run.err;
  Outcome o = faultline({"bisect", "--axis", "lib"});
  ASSERT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.err, HasSubstr("runs of the earlier run taken as evidence"));
  EXPECT_THAT(o.out, HasSubstr("first crashing: lib=6; last good: lib=5"));
  EXPECT_LT(answer()["runs"].get<int>(), fresh_runs) << o.err;
  json r = results();
  EXPECT_EQ(r["cells"].size(), 10u);  // the run's cells, untouched
  EXPECT_EQ(r["bisect"][0]["first_crashing"]["lib"], "6");
}

TEST_F(BisectTest, ResultsOfAnotherMatrixAreLeftAloneAndNamedAsSuch) {
  matrix(6, 100, 100);
  std::filesystem::create_directories(m_dir / ".faultline");
  write(".faultline/results.json", R"({"name": "other", "axes": [], "cells": []})");
  Outcome o = faultline({"bisect", "--axis", "lib"});
  ASSERT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.err, HasSubstr("records another matrix"));
  EXPECT_EQ(results()["name"], "other");
  EXPECT_EQ(json::parse(read(
                m_dir / ".faultline/bisect-results.json"))["bisect"][0]["first_crashing"]["lib"],
            "6");
}

// Two axes: lib L with bind B crashes when L + B >= 9 (a staircase).
TEST_F(BisectTest, TwoAxesFindTheMinimalCrashingPairsWithFewerProbesThanTheGrid) {
  write("pair.c", K_USE_AFTER_FREE R"(#include <stdio.h>
#include <stdlib.h>
int main(int argc, char** argv) {
  if (V + atoi(argv[1]) >= 9) USE_AFTER_FREE;
  puts("ok");
  return 0;
}
)");
  pair_matrix(R"("1", "2", "3", "4", "5", "6")");
  Outcome o = faultline({"bisect", "--axes", "lib,bind", "--runs-per-pair", "2"});
  ASSERT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.out, HasSubstr("lib=2: no crash"));
  EXPECT_THAT(o.out, HasSubstr("lib=3: crashes from bind=6"));
  EXPECT_THAT(o.out, HasSubstr("lib=6: crashes from bind=3"));
  json b = results()["bisect"][0];
  EXPECT_EQ(b["axes"], json::array({"lib", "bind"}));
  json pairs = json::array();
  for (int l = 3; l <= 6; ++l)
    pairs.push_back({{"lib", std::to_string(l)},
                     {"bind", std::to_string(9 - l)},
                     {"sanitizer", "asan"},
                     {"workload", "w"}});
  EXPECT_EQ(b["minimal_pairs"], pairs);
  EXPECT_TRUE(b["contradictions"].empty());
  EXPECT_LT(b["probes"].get<int>(), 36);

  // Resumed, the search replays its journal and runs nothing new.
  const std::int64_t before = observations("lib-bind");
  EXPECT_GT(before, 2);
  Outcome again = faultline({"bisect", "--axes", "lib,bind", "--runs-per-pair", "2", "--resume"});
  EXPECT_EQ(again.status, 1) << again.err;
  EXPECT_THAT(again.out, HasSubstr("lib=3: crashes from bind=6"));
  EXPECT_EQ(observations("lib-bind"), before);
}

// The crash came with bind 3 and went with bind 5, under every lib: the newest
// pair passes, so plain `faultline bisect` (bisect.axes: [bind, lib]) bounds the
// crashing region from the earlier run's results instead of "nothing to bisect".
TEST_F(BisectTest, TwoAxesBoundTheCrashingRegionFromTheEvidence) {
  write("pair.c", K_USE_AFTER_FREE R"(#include <stdio.h>
#include <stdlib.h>
int main(int argc, char** argv) {
  int bind = atoi(argv[1]);
  if (bind >= 3 && bind < 5) USE_AFTER_FREE;
  puts("ok");
  return 0;
}
)");
  pair_matrix(R"("1", "2", "3")", "bisect: { axes: [bind, lib] }\n");
  Outcome run = faultline({"run", "--runs", "10", "--stop", "all"});
  ASSERT_EQ(run.status, 1) << run.err;
  Outcome o = faultline({"bisect"});
  ASSERT_EQ(o.status, 1) << o.out << o.err;
  EXPECT_THAT(o.out, HasSubstr("the crashing region from the earlier run's results: 6 crashing "
                               "cells within bind 3–4 (first crashing 3, first fixed 5) × lib "
                               "1–3 (from the oldest, to the newest)"));
  EXPECT_THAT(o.out, HasSubstr("bind=3: crashes from lib=1 to lib=3 (3 of 3 cells with runs)"));
  EXPECT_THAT(o.out, HasSubstr("bind=6: no crash (0 of 3 cells with runs, 30 runs)"));
  json b = results()["bisect"][0];
  EXPECT_EQ(b["status"], "region");
  EXPECT_EQ(b["region"]["cells"], 6);
  EXPECT_EQ(b["region"]["bind"], json::array({"3", "4"}));
  EXPECT_EQ(b["region"]["lib"], json::array({"1", "3"}));
}

TEST_F(BisectTest, AGoodEndThatCrashesInTheEvidenceIsBadInput) {
  matrix(3, 100, 100);
  Outcome run = faultline({"run", "--runs", "2", "--stop", "all"});
  ASSERT_EQ(run.status, 1) << run.err;
  Outcome o = faultline({"bisect", "--axis", "lib", "--good", "4"});
  EXPECT_EQ(o.status, 2) << o.out << o.err;
  EXPECT_THAT(o.err, HasSubstr("faultline bisect: --good 4 contradicts the evidence: lib=4 "
                               "crashed with the target in 2 of 2 runs; ≥ 34% at 95% (earlier "
                               "runs)"));
}

TEST_F(BisectTest, ARangeWhereNothingBuildsIsAnInfrastructureFailure) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: [\"1\", \"2\", \"3\"]\n"
        "    build: \"echo compiler says no >&2; exit 1\"\n"
        "sanitizers: [asan]\nworkloads:\n  w: { run: \"true\" }\n");
  Outcome o = faultline({"bisect", "--axis", "lib"});
  EXPECT_EQ(o.status, 3) << o.out << o.err;
  EXPECT_THAT(o.err,
              HasSubstr("faultline bisect: no version of lib that was tried builds (3 tried)"));
  EXPECT_THAT(o.err, HasSubstr("compiler says no"));
}

TEST_F(BisectTest, TwoAxesRefuseOneAxisFlags) {
  matrix(6, 100, 100);
  Outcome o = faultline({"bisect", "--axes", "lib"});
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.err, HasSubstr("--axes takes two component axes"));
}

TEST_F(BisectTest, AnAxisThatIsNotAComponentIsBadInput) {
  matrix(6, 100, 100);
  Outcome o = faultline({"bisect", "--axis", "sanitizer"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "faultline bisect: 'sanitizer' is not a component axis; bisect searches component "
            "versions\n");
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

// Bisects over a git history the test makes in DIR/lib with tags c1, c2, …
class GitHistory : public BisectTest {
 protected:
  // A history of N commits whose commit K introduces a heap-use-after-free and
  // commit M fixes it (M > N: never fixed); the matrix lists the range.
  void make_history(int commits, int introduced, int fixed) {
    const std::string script = R"sh(set -e
git init -q lib && cd lib && git config user.email t@t && git config user.name t
for i in $(seq 1 $N); do
  if [ $i -ge $K ] && [ $i -lt $M ]; then use='p[1]'; else use=0; fi
  printf '/* commit %s */\n#include <stdlib.h>\nint main(void) { char* volatile p = malloc(8); free(p); return %s; }\n' "$i" "$use" > lib.c
  git add lib.c && git commit -qm "commit $i" && git tag c$i
done
)sh";
    sh("N=" + std::to_string(commits) + " K=" + std::to_string(introduced) +
       " M=" + std::to_string(fixed) + "\n" + script);
    write("faultline.yaml",
          "version: 1\ncomponents:\n  lib:\n    versions: { git: { repo: lib, range: c1..c" +
              std::to_string(commits) +
              " } }\n"
              "    source: { git: lib }\n"
              "    build: $CC $SAN_CFLAGS -g -o {{ prefix }}/prog lib.c $SAN_LDFLAGS\n"
              "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/prog\" }\n");
  }
  // The version name of tag `tag` in DIR/lib.
  std::string commit(const std::string& tag) const {
    return e2e::commit_version(m_dir / "lib", tag);
  }
};

// A git history of 30 commits of a small library: commit 17 introduces a
// heap-use-after-free, commit 22 does not build. Versions come from the range,
// sources are checked out per commit with `git archive`, and bisect finds 17.
TEST_F(GitHistory, BisectFindsTheCommitThatIntroducedTheBug) {
  ASSERT_NO_FATAL_FAILURE(sh(R"sh(set -e
git init -q lib && cd lib && git config user.email t@t && git config user.name t
for i in $(seq 1 30); do
  if [ $i -ge 17 ]; then bug=1; else bug=0; fi
  if [ $i -eq 22 ]; then broken='#error broken commit'; else broken=''; fi
  printf '/* commit %s */\n#include <stdlib.h>\n%s\nint main(void) { char* volatile p = malloc(8); free(p); return %s; }\n' \
    "$i" "$broken" "$( [ $bug = 1 ] && echo 'p[1]' || echo 0 )" > lib.c
  git add lib.c && git commit -qm "commit $i" && git tag c$i
done
)sh"));
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: { git: { repo: lib, range: c1..c30 } }\n"
        "    source: { git: lib }\n"
        "    build: $CC $SAN_CFLAGS -g -o {{ prefix }}/prog lib.c $SAN_LDFLAGS\n"
        "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/prog\" }\n");
  const std::string c17 = commit("c17");
  ASSERT_NE(c17, "?");
  Outcome o = faultline({"bisect", "--axis", "lib"});
  EXPECT_EQ(o.status, 1) << o.err;
  json a = answer();
  EXPECT_EQ(a["outcome"], "culprit") << o.out << o.err;
  EXPECT_EQ(a["first_bad"], c17);
  // The user's checkout is untouched: still at c30, clean.
  auto status =
      runner::command_output({"git", "-C", (m_dir / "lib").string(), "status", "--porcelain"});
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, "");
}

// The issue's case: the bug came in at commit 20 and went at 45; the newest
// commit (64) is fixed, there are no hints and no earlier run. Both ends are
// named, spread probes included, within a bounded number of runs.
TEST_F(GitHistory, NewestAlreadyFixedNoHintsFindsBothEnds) {
  ASSERT_NO_FATAL_FAILURE(make_history(64, 20, 45));
  Outcome o = faultline({"bisect", "--axis", "lib"});
  EXPECT_EQ(o.status, 1) << o.err;
  json a = answer();
  EXPECT_EQ(a["interval"]["first_crashing"], commit("c20")) << o.out << o.err;
  EXPECT_EQ(a["interval"]["last_good"], commit("c19"));
  EXPECT_EQ(a["interval"]["last_crashing"], commit("c44"));
  EXPECT_EQ(a["interval"]["first_fixed"], commit("c45"));
  EXPECT_EQ(a["interval"]["start_open"], false);
  EXPECT_EQ(a["interval"]["end_open"], false);
  EXPECT_THAT(o.out, HasSubstr("first fixed: lib=" + commit("c45")));
  EXPECT_LE(a["runs"].get<int>(), 60) << o.out;
  std::cerr << "interval case: " << a["runs"] << " runs\n";
}

// --fixed alone: the end of the interval that holds the crash the spread
// probes meet, not the oldest commit taken as the crashing end (it predates the bug).
TEST_F(GitHistory, FixedAloneFindsTheEndOfTheInterval) {
  ASSERT_NO_FATAL_FAILURE(make_history(16, 5, 12));
  Outcome o = faultline({"bisect", "--axis", "lib", "--fixed"});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.out, HasSubstr("first fixed: lib=" + commit("c12") +
                               "; last crashing: lib=" + commit("c11")))
      << o.out << o.err;
  EXPECT_EQ(answer()["interval"].value("first_crashing", ""), "");
}

// A deterministic crash over 64 commits (introduced at 37, never fixed):
// about what `git bisect run` costs (6 builds, 6 runs).
TEST_F(GitHistory, DeterministicCrashCostsAboutWhatGitBisectCosts) {
  ASSERT_NO_FATAL_FAILURE(make_history(64, 37, 1000));
  Outcome o = faultline({"bisect", "--axis", "lib"});
  EXPECT_EQ(o.status, 1) << o.err;
  json a = answer();
  EXPECT_EQ(a["first_bad"], commit("c37")) << o.out << o.err;
  EXPECT_EQ(a["interval"]["end_open"], true);
  const json r = results();
  std::cerr << "deterministic 64: " << a["runs"] << " runs, " << r["cells"].size()
            << " cells built\n";
  EXPECT_LE(a["runs"].get<int>(), 14) << o.out;
  EXPECT_LE(r["cells"].size(), 6u + 2u) << "git bisect builds 6 of 64 commits";
}

}  // namespace
}  // namespace faultline
