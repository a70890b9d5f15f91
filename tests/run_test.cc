// End-to-end tests of `faultline run`: real compilers, real sanitizer runtimes,
// real processes, in a scratch directory per test (kept and named on failure).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::Not;

using e2e::Outcome;

class RunTest : public e2e::ScratchTest {
 protected:
  RunTest() : ScratchTest("run") {}
  void SetUp() override { write("bug.c", e2e::k_bug_c); }
  // `faultline run -j 2` on 4 cells × 10 runs of 0.2 s, interrupted by a real
  // SIGINT (Ctrl-C) 1.5 s in.
  Outcome interrupted_run() {
    write("faultline.yaml",
          "version: 1\ncomponents:\n  lib: { versions: [\"1\", \"2\", \"3\", \"4\"] }\n"
          "workloads: { w: { run: \"sleep 0.2\" } }\nstress: { runs: 10, stop: all }\n");
    return e2e::run_program({"/bin/sh", "-c",
                             std::string(FAULTLINE_BINARY) +
                                 " run -j 2 & pid=$!; sleep 1.5; kill -INT $pid; wait $pid"},
                            {m_dir, std::nullopt, std::chrono::minutes(2)});
  }
  int lines(const std::string& name) {
    std::string t = read(m_dir / name);
    return static_cast<int>(std::count(t.begin(), t.end(), '\n'));
  }
};

const char* k_matrix = R"(version: 1
components:
  lib:
    versions: ["1", "2", "3"]
    build: echo built >> builds.count && $CC $SAN_CFLAGS -O1 -g -o {{ prefix }}/bug bug.c $SAN_LDFLAGS
    inputs: [bug.c]
sanitizers: [none, asan]
workloads:
  w: { run: "{{ prefix.lib }}/bug {{ lib }}", timeout: 10s }
stress: { runs: 4, stop: all }
)";

TEST_F(RunTest, FindsTheCrashingVersionsAndNamesTheBug) {
  write("faultline.yaml", k_matrix);
  Outcome o = faultline({"run", "-j", "2"});
  EXPECT_EQ(o.status, 1) << o.err;
  json r = results();
  EXPECT_EQ(r["schema"], "faultline.results/1");
  ASSERT_EQ(r["cells"].size(), 6u);
  std::map<std::string, std::string> verdicts;
  for (const auto& c : r["cells"]) verdicts[c["id"]] = c["verdict"];
  EXPECT_EQ(verdicts["lib=1 sanitizer=asan workload=w"], "pass");
  EXPECT_EQ(verdicts["lib=2 sanitizer=none workload=w"], "pass");
  EXPECT_EQ(verdicts["lib=3 sanitizer=asan workload=w"], "crash");
  for (const auto& c : r["cells"])
    if (c["id"] == "lib=1 sanitizer=none workload=w") {
      EXPECT_EQ(c["runs"], 4);
      EXPECT_EQ(c["summary"], "0 of 4 runs; crash rate < 53% at 95%");
    }
  bool found = false;
  for (const auto& s : r["signatures"])
    if (s["tool"] == "asan") {
      found = true;
      EXPECT_EQ(s["kind"], "heap-use-after-free");
      EXPECT_EQ(s["frames"][0]["function"], "main");
    }
  EXPECT_TRUE(found) << r["signatures"].dump(2);
  EXPECT_THAT(o.out, HasSubstr("asan heap-use-after-free"));
  EXPECT_THAT(o.out, HasSubstr("repro:"));
  // Paths for people are relative to the repository (here: the working directory).
  EXPECT_THAT(o.out, HasSubstr("#0 main  bug.c:5\n"));
  EXPECT_EQ(o.out.find(m_dir.string() + "/bug.c"), std::string::npos);
}

TEST_F(RunTest, OnGithubActionsAnnotatesFencesOutputAndWritesTheStepSummary) {
  write("faultline.yaml", k_matrix);
  Outcome o = e2e::run_faultline(
      {"run", "--only", "sanitizer=asan"},
      {m_dir,
       runner::environment_with({{"GITHUB_ACTIONS", "true"},
                                 {"GITHUB_STEP_SUMMARY", (m_dir / "summary.md").string()}})});
  EXPECT_EQ(o.status, 1);
  const std::string out = o.out;
  // bug.c line 5 is the use after free; the scratch folder is the repository root.
  EXPECT_THAT(out,
              HasSubstr("::error file=bug.c,line=5,title=faultline%3A asan heap-use-after-free::"));
  EXPECT_EQ(out.rfind("::stop-commands::", 0), 0u) << out;
  EXPECT_THAT(out, HasSubstr("::group::faultline: asan heap-use-after-free ["));
  EXPECT_THAT(out, HasSubstr("::endgroup::"));
  EXPECT_THAT(read(m_dir / "summary.md"), HasSubstr("heap-use-after-free"));
}

TEST_F(RunTest, SecretsNeverReachTheJournalTheResultsOrTheTerminal) {
  write("faultline.yaml",
        "version: 1\nsecrets: [MY_DEPLOY_KEY]\ncomponents:\n  lib: { versions: [\"1\"] }\n"
        "workloads: { w: { run: \"echo leaking $MY_DEPLOY_KEY $GITHUB_TOKEN; exit 3\" } }\n"
        "stress: { runs: 2, stop: all }\n");
  Outcome o = e2e::run_faultline(
      {"run"}, {m_dir, runner::environment_with({{"MY_DEPLOY_KEY", "deploy-key-9f8e7d"},
                                                 {"GITHUB_TOKEN", "ghp_0123456789abcdef"},
                                                 {"GITHUB_ACTIONS", "true"}})});
  EXPECT_EQ(o.status, 1);
  const std::string out = o.out;
  const std::string journal =
      read(m_dir / ".faultline/faultline.db") + read(m_dir / ".faultline/faultline.db-wal");
  EXPECT_EQ(db_int("SELECT count(*) FROM runs"), 2);
  const std::string results_text = read(m_dir / ".faultline/results.json");
  EXPECT_THAT(results_text, HasSubstr("leaking *** ***"));
  for (const std::string* text : {&journal, &results_text}) {
    EXPECT_EQ(text->find("deploy-key-9f8e7d"), std::string::npos) << *text;
    EXPECT_EQ(text->find("ghp_0123456789abcdef"), std::string::npos) << *text;
  }
  // On GitHub the values are masked for the runner's log first, then never printed again.
  EXPECT_THAT(out, HasSubstr("::add-mask::deploy-key-9f8e7d\n"));
  const std::string after = out.substr(out.find("::stop-commands::"));
  EXPECT_EQ(after.find("deploy-key-9f8e7d"), std::string::npos);
  EXPECT_EQ(after.find("ghp_0123456789abcdef"), std::string::npos);
}

// Secrets are masked in captured text only: a secret equal to a verdict, a key
// or a workload's name changes no verdict, no exit status, no key and no name.
TEST_F(RunTest, ASecretEqualToAVerdictAKeyOrANameBendsNoResult) {
  write("faultline.yaml",
        "version: 1\nname: masking\nsecrets: [S1, S2, S3]\ncomponents:\n  lib: { versions: [\"1\"] "
        "}\n"
        "workloads: { deploy-gate: { run: \"echo runs crash deploy-gate $S1; exit 3\" } }\n"
        "stress: { runs: 2, stop: all }\n");
  Outcome o = e2e::run_faultline(
      {"run"},
      {m_dir, runner::environment_with({{"S1", "crash"}, {"S2", "runs"}, {"S3", "deploy-gate"}})});
  EXPECT_EQ(o.status, 1) << o.err;  // crashes found: exit 1 stays exit 1
  EXPECT_THAT(o.err,
              HasSubstr("faultline.yaml: warning: secret S3 cannot be masked safely: its value is "
                        "also a name or value "
                        "in the matrix, which stays readable in ids and verdicts but is masked in "
                        "captured text\n"));
  json results = json::parse(read(m_dir / ".faultline/results.json"));  // loads: no key was masked
  ASSERT_EQ(results["cells"].size(), 1u);
  const json& cell = results["cells"][0];
  EXPECT_EQ(cell["verdict"], "crash");
  EXPECT_EQ(cell["runs"], 2);
  EXPECT_EQ(cell["id"], "lib=1 sanitizer=none workload=deploy-gate");
  EXPECT_EQ(cell["values"]["workload"], "deploy-gate");
  EXPECT_EQ(results["totals"]["crash"], 1);
  EXPECT_EQ(results["totals"]["runs"], 2);
  ASSERT_EQ(results["signatures"].size(), 1u);
  EXPECT_EQ(results["signatures"][0]["tool"], "exit");
  EXPECT_EQ(results["signatures"][0]["kind"], "nonzero-exit");
  EXPECT_EQ(results["axes"][2]["name"], "workload");
  EXPECT_EQ(results["axes"][2]["values"][0], "deploy-gate");
  // The captured text is masked: the output excerpt and the repro command.
  EXPECT_THAT(results["signatures"][0]["excerpt"].get<std::string>(), HasSubstr("*** *** *** ***"));
  EXPECT_THAT(cell["repro"].get<std::string>(), Not(HasSubstr("deploy-gate")));
  // report re-reads it and agrees.
  Outcome report = faultline({"report", "--format", "json", ".faultline/results.json"});
  EXPECT_EQ(report.status, 0) << report.err;
}

TEST_F(RunTest, AShortSecretIsNamedAsUnmaskableAndBuildLogsAreMasked) {
  write("faultline.yaml",
        "version: 1\nsecrets: [PIN]\ncomponents:\n  lib:\n    versions: [\"1\"]\n"
        "    build: echo building with $DEPLOY_ACCESS_KEY and $AWS_SECRET_KEY\n"
        "workloads: { w: { run: \"true\" } }\nstress: { runs: 1 }\n");
  Outcome o = e2e::run_faultline(
      {"run"}, {m_dir, runner::environment_with({{"PIN", "123"},
                                                 {"DEPLOY_ACCESS_KEY", "AKIAEXAMPLE0001"},
                                                 {"AWS_SECRET_KEY", "wJalrEXAMPLEKEY"}})});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("faultline.yaml: warning: secret PIN cannot be "
                               "masked safely: its value is shorter than 4 "
                               "characters, so it is left unmasked\n"));
  const json results = json::parse(read(m_dir / ".faultline/results.json"));
  const std::string log = read(results["builds"][0]["log"].get<std::string>());
  EXPECT_THAT(log, HasSubstr("building with *** and ***\n"));
  EXPECT_EQ(log.find("AKIAEXAMPLE0001"), std::string::npos) << log;
  EXPECT_EQ(log.find("wJalrEXAMPLEKEY"), std::string::npos) << log;
}

// Two components from files beside the matrix: app depends on lib. An edit to a
// file rebuilds exactly the builds that read it (and those built on them).
TEST_F(RunTest, AnEditedSourceFileRebuildsExactlyTheBuildsThatReadIt) {
  fs::create_directories(m_dir / "app");
  write("lib.c", "int lib_value(void) { return 1; }\n");
  write("app/app.c", "int lib_value(void);\nint main(void) { return lib_value() - 1; }\n");
  write("notes.txt", "not an input\n");
  write("faultline.yaml", R"(version: 1
components:
  lib:
    versions: ["1", "2"]
    build: echo lib >> .faultline/built.log && $CC -c -o {{ prefix }}/lib.o lib.c
    inputs: [lib.c]
  app:
    versions: ["1"]
    depends: [lib]
    build: echo app >> .faultline/built.log && $CC -o {{ prefix }}/app app/app.c {{ prefix.lib }}/lib.o
    inputs: ["app/**/*.c"]
  tool:
    versions: ["1"]
    build: echo tool >> .faultline/built.log
sanitizers: [none]
workloads: { w: { run: "{{ prefix.app }}/app" } }
stress: { runs: 1 }
)");
  auto builds = [&] {
    Outcome o = faultline({"run"});
    EXPECT_EQ(o.status, 0) << o.err;
    const std::string err = o.err;
    const std::size_t at = err.find("builds: ", err.find("builds: ") + 1);
    return at == std::string::npos ? err : err.substr(at, err.find('\n', at) - at);
  };
  // tool names no inputs: every file of the folder is its input (not the state folder, where
  // the builds log themselves), so every edit below rebuilds it too.
  EXPECT_EQ(builds(), "builds: 5 built, 0 cached, 0 failed");  // lib ×2, app ×2 (one per lib), tool
  EXPECT_EQ(builds(), "builds: 0 built, 5 cached, 0 failed");
  write("app/app.c",
        "int lib_value(void);\nint main(void) { return lib_value() - 1; }  // edited\n");
  EXPECT_EQ(builds(), "builds: 3 built, 2 cached, 0 failed");  // app over each lib, tool
  write("lib.c", "int lib_value(void) { return 1; }  // edited\n");
  EXPECT_EQ(builds(),
            "builds: 5 built, 0 cached, 0 failed");  // lib ×2, the app builds on them, tool
  write("notes.txt", "still not an input of lib or app\n");
  EXPECT_EQ(builds(), "builds: 1 built, 4 cached, 0 failed");  // tool only
  EXPECT_EQ(builds(), "builds: 0 built, 5 cached, 0 failed");
  EXPECT_EQ(lines(".faultline/built.log"), 14);
}

TEST_F(RunTest, AnInputsGlobThatMatchesNothingFailsItsBuildsByName) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: [\"1\"]\n    build: \"true\"\n"
        "    inputs: [src/**]\nworkloads: { w: { run: \"true\" } }\nstress: { runs: 1 }\n");
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 3) << o.err;
  EXPECT_THAT(
      o.err,
      HasSubstr(
          "build failed: lib=1 sanitizer=none: cannot read its inputs: inputs: 'src/**' matches no "
          "file in " +
          m_dir.string()));
}

TEST_F(RunTest, Exit23IsAsanOnlyInACellWithAsan) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\"] }\nsanitizers: [none, asan]\n"
        "workloads: { w: { run: \"exit 23\" } }\nstress: { runs: 1 }\n");
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 1) << o.err;
  std::map<std::string, std::string> tool_of;  // cell id → tool and kind of its signature
  const json r = results();
  for (const auto& c : r["cells"])
    for (const auto& sig : r["signatures"])
      if (sig["hash"] == c["signatures"][0]["hash"])
        tool_of[c["id"]] = sig["tool"].get<std::string>() + " " + sig["kind"].get<std::string>();
  EXPECT_EQ(tool_of["lib=1 sanitizer=none workload=w"], "exit nonzero-exit");
  EXPECT_EQ(tool_of["lib=1 sanitizer=asan workload=w"], "asan report-not-found");
}

TEST_F(RunTest, WritesTheReportsTheMatrixAsksForOrThoseOfReport) {
  write("faultline.yaml",
        std::string(k_matrix) + "report: { formats: [terminal, md, junit], dir: out }\n");
  Outcome o = faultline({"run", "--only", "lib=1"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("report: " + (m_dir / "out/report.md").string()));
  EXPECT_THAT(read(m_dir / "out/report.md"), HasSubstr("no crash in 2 cells"));
  EXPECT_THAT(read(m_dir / "out/report.junit.xml"), HasSubstr("<testsuites"));
  faultline({"run", "--only", "lib=1", "--report", "sarif", "--report", "html"});
  EXPECT_THAT(read(m_dir / "out/report.sarif"), HasSubstr("\"version\": \"2.1.0\""));
  EXPECT_THAT(read(m_dir / "out/report.html"), HasSubstr("<html"));
}

TEST_F(RunTest, ASecondRunBuildsNothingAndAChangeRebuildsOnlyWhatItTouches) {
  write("faultline.yaml", k_matrix);
  faultline({"run"});
  EXPECT_EQ(lines("builds.count"), 6);
  Outcome again = faultline({"run"});
  EXPECT_THAT(again.err, HasSubstr("builds: 0 built, 6 cached, 0 failed"));
  EXPECT_EQ(lines("builds.count"), 6);
  // A changed flag reaches only the asan builds.
  std::string changed = k_matrix;
  changed.replace(changed.find("[none, asan]"), 12, "[none, { name: asan, cflags: -DEXTRA }]");
  write("faultline.yaml", changed);
  Outcome third = faultline({"run"});
  EXPECT_THAT(third.err, HasSubstr("builds: 3 built, 3 cached, 0 failed"));
  EXPECT_EQ(lines("builds.count"), 9);
  faultline({"run", "--rebuild", "--only", "sanitizer=none"});
  EXPECT_EQ(lines("builds.count"), 12);
}

TEST_F(RunTest, AFailedBuildMarksItsCellsAndTheRestRun) {
  write("faultline.yaml", R"(version: 1
components:
  lib:
    versions: ["1", "2"]
    build: "test {{ version }} != 2 || { echo 'bug.c:1: error: no such thing' >&2; exit 1; }; $CC -o {{ prefix }}/bug bug.c"
workloads:
  w: { run: "{{ prefix.lib }}/bug {{ lib }}" }
stress: { runs: 2 }
)");
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 3) << o.err;  // the matrix did not fully run
  json r = results();
  EXPECT_EQ(r["cells"][0]["verdict"], "pass");
  EXPECT_EQ(r["cells"][1]["verdict"], "build-error");
  EXPECT_EQ(r["cells"][1]["build_error"]["error"],
            "the build command exit 1: bug.c:1: error: no such thing");
  EXPECT_THAT(r["cells"][1]["build_error"]["log_tail"].get<std::string>(),
              HasSubstr("bug.c:1: error: no such thing"));
  EXPECT_THAT(o.err, HasSubstr("build failed: lib=2 sanitizer=none: the build command exit 1"));
}

TEST_F(RunTest, WhenNoCellCanRunTheExitStatusIsThree) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\"], build: \"exit 7\" }\n"
        "workloads: { w: { run: \"true\" } }\n");
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 3) << o.err;
}

TEST_F(RunTest, AHangIsItsOwnVerdictAndCostsOnlyItsTimeout) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1\"] }\n"
        "workloads: { w: { run: \"sleep 60\", timeout: 1s } }\nstress: { runs: 2 }\n");
  Outcome o = faultline({"run", "-j", "1"});
  EXPECT_EQ(o.status, 1);
  EXPECT_LT(o.seconds, 20);
  json r = results();
  EXPECT_EQ(r["cells"][0]["verdict"], "hang");
  EXPECT_EQ(r["cells"][0]["hangs"], 1);
}

TEST_F(RunTest, HostileVersionsReachTheWorkloadAsInertWords) {
  write("faultline.yaml", R"yaml(version: 1
components:
  lib: { versions: ["1.0; touch pwned1", "$(touch pwned2)", "`touch pwned3`"] }
workloads:
  w: { run: "printf '%s' {{ lib }} > {{ workdir }}/v; test \"$FAULTLINE_LIB\" = {{ lib }}" }
stress: { runs: 1 }
)yaml");
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 0) << o.out << o.err;
  for (const char* f : {"pwned1", "pwned2", "pwned3"}) EXPECT_FALSE(fs::exists(m_dir / f)) << f;
  json r = results();
  std::set<std::string> seen;
  for (const auto& c : r["cells"])
    seen.insert(read(m_dir / ".faultline/work" / c["hash"].get<std::string>() / "v"));
  EXPECT_EQ(seen,
            (std::set<std::string>{"1.0; touch pwned1", "$(touch pwned2)", "`touch pwned3`"}));
}

TEST_F(RunTest, OnlyAndShardSelectCells) {
  write("faultline.yaml", k_matrix);
  faultline({"run", "--only", "lib=1", "--only", "lib=2", "--only", "sanitizer=none"});
  EXPECT_EQ(results()["cells"].size(), 2u);
  faultline({"run", "--shard", "2/3", "--out", "r.json"});
  EXPECT_EQ(json::parse(read(m_dir / "r.json"))["cells"].size(), 2u);
  Outcome bad = faultline({"run", "--only", "sanitiser=asan"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err,
            "faultline run: --only names unknown axis 'sanitiser' (did you mean 'sanitizer'?); the "
            "axes are "
            "lib, sanitizer, workload\n");
}

TEST_F(RunTest, InterruptKeepsFinishedRunsAndResumeRepeatsNone) {
  Outcome first = interrupted_run();
  EXPECT_EQ(first.status, 130) << first.err;
  EXPECT_THAT(first.out, HasSubstr("interrupted, partial"));
  EXPECT_THAT(first.err, HasSubstr("continue with `faultline run --resume`"));
  const std::int64_t recorded = db_int("SELECT count(*) FROM runs");
  EXPECT_GT(recorded, 2);
  EXPECT_LT(recorded, 40);
  EXPECT_EQ(db_int("SELECT interrupted FROM sessions"), 1);
  Outcome second = faultline({"run", "-j", "2", "--resume"});
  EXPECT_EQ(second.status, 0) << second.err;
  EXPECT_THAT(second.err, HasSubstr("(" + std::to_string(recorded) + " resumed from the store)"));
  // One session, continued: every (cell, run) once.
  EXPECT_EQ(db_int("SELECT count(*) FROM sessions"), 1);
  EXPECT_EQ(db_int("SELECT count(*) FROM runs"), 40);
  EXPECT_EQ(db_int("SELECT count(*) FROM (SELECT DISTINCT cell_hash, idx FROM runs)"), 40);
  const json final_results = results();
  for (const auto& c : final_results["cells"]) EXPECT_EQ(c["runs"], 10);
}

// An interrupted run is partial in every format, and no unfinished cell passes.
TEST_F(RunTest, AnInterruptedRunSaysSoInEveryFormatAndPassesNoUnfinishedCell) {
  EXPECT_EQ(interrupted_run().status, 130);
  const json r = results();
  EXPECT_EQ(r["interrupted"], true);
  int unfinished = 0;
  for (const auto& c : r["cells"]) {
    const int runs = c["runs"];
    if (runs == 10) continue;
    ++unfinished;
    EXPECT_EQ(c["verdict"], "skipped") << c["id"];
    EXPECT_EQ(c["skipped_reason"],
              runs == 0 ? std::string("interrupted before its first run")
                        : "interrupted after " + std::to_string(runs) + " of 10 runs");
  }
  EXPECT_GT(unfinished, 0);
  EXPECT_EQ(r["totals"]["pass"], 4 - unfinished);
  for (const char* format : {"terminal", "md", "html"})
    EXPECT_THAT(faultline({"report", "--format", format}).out, HasSubstr("— interrupted, partial"))
        << format;
  EXPECT_EQ(faultline({"report", "--format", "junit", "-o", "r.xml"}).status, 0);
  const std::string xml = read(m_dir / "r.xml");
  EXPECT_THAT(
      xml,
      HasSubstr(
          "<property name=\"interrupted\" value=\"true: the run was interrupted; cells it did not "
          "finish are skipped, not passed\"/>"));
  std::size_t skipped = 0;
  for (auto at = xml.find("<skipped message=\"interrupted "); at != std::string::npos;
       at = xml.find("<skipped message=\"interrupted ", at + 1))
    ++skipped;
  EXPECT_EQ(skipped, static_cast<std::size_t>(unfinished)) << xml;
  const std::string schema = std::string(FAULTLINE_SOURCE_DIR) + "/tests/reporters/junit.xsd";
  if (fs::exists("/usr/bin/xmllint")) {
    EXPECT_EQ(e2e::run_program(
                  {"/usr/bin/xmllint", "--noout", "--schema", schema, (m_dir / "r.xml").string()})
                  .status,
              0);
  }
  const json sarif = json::parse(faultline({"report", "--format", "sarif"}).out);
  EXPECT_EQ(sarif["runs"][0]["invocations"][0]["executionSuccessful"], false);
  EXPECT_EQ(sarif["runs"][0]["properties"]["interrupted"], true);
}

}  // namespace
}  // namespace faultline
