// End-to-end tests of what a hostile new user tried (FINDINGS.md): versions
// commands that print too much, escapes or take long; a mistyped flag before a
// --resume; a probe cache that cannot be used; a matrix named without its
// folder; a build whose compiler is missing. The real binary, real processes,
// a scratch directory per test (kept and named on failure).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using e2e::Outcome;
using e2e::read_text;
using ::testing::HasSubstr;

class HostileUserTest : public e2e::ScratchTest {
 protected:
  HostileUserTest() : ScratchTest("hostile-user") {}

  // A matrix of one component `a` whose versions come from `command` (line 3,
  // column 29 of the file, its opening quote), and one workload.
  void versions_from(const std::string& command) {
    write("faultline.yaml", "version: 1\ncomponents:\n  a: { versions: { command: \"" + command +
                                "\" }, inputs: [] }\nworkloads: { w: { run: \"true\" } }\n");
  }
};

// F1: output past the limit was cut to head + tail and parsed, so the cut's
// marker became versions, or a unique listing "printed twice".
TEST_F(HostileUserTest, VersionsCommandPrintingPastTheLimitIsRefusedNotParsedInPart) {
  versions_from("seq 1 2000000");  // 14.9 MB of unique versions
  Outcome o = faultline({"validate", "--no-probe"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "faultline.yaml:3:29: error: components.a.versions.command 'seq 1 2000000' failed: "
            "it printed more than 8 MiB; print only the versions\n");
}

// F2: docs/config.md: a version holding a control character is a validate error;
// only listed versions were checked, so an escape reached the terminal.
TEST_F(HostileUserTest, VersionsCommandPrintingAControlCharacterIsAnError) {
  versions_from("printf '1\\\\n\\\\033[2J\\\\n'");
  Outcome o = faultline({"validate", "--no-probe"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "faultline.yaml:3:29: error: components.a.versions.command 'printf '1\\n\\033[2J\\n'': "
            "version 2 of its output holds a control character (byte 0x1B); versions must be "
            "printable text\n");
  EXPECT_EQ(o.out, "");
}

// F3: a slow versions command (npm on a slow network) held validate silent for
// up to 120 s; now it is announced after 3 s and still read.
TEST_F(HostileUserTest, SlowVersionsCommandIsAnnouncedAndStillRead) {
  versions_from("sleep 4; echo 1.0; echo 1.1");
  Outcome o = faultline({"validate", "--no-probe"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.err, HasSubstr("faultline: waiting for the versions command 'sleep 4; echo 1.0; "
                               "echo 1.1' (it is given 120 s)\n"));
  EXPECT_THAT(o.out, HasSubstr("a: 2 from command 'sleep 4; echo 1.0; echo 1.1', 1.0 .. 1.1\n"));
}

// F4: a mistyped --budget opened a session before it was refused, and the next
// --resume continued that empty session instead of the user's killed run.
TEST_F(HostileUserTest, RefusedBudgetLeavesNoSessionForResumeToPick) {
  write("faultline.yaml",
        "version: 1\ncomponents: { a: { versions: [\"1\"], inputs: [] } }\n"
        "workloads: { w: { run: \"true\" } }\nstress: { runs: 2 }\n");
  ASSERT_EQ(faultline({"run"}).status, 0);
  Outcome bad = faultline({"run", "--budget", "10q"});
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err,
            "faultline run: --budget '10q' is neither a number of runs (500) nor a time (90s, "
            "10m, 1h)\n");
  EXPECT_EQ(db_int("SELECT count(*) FROM sessions"), 1);
  Outcome resumed = faultline({"run", "--resume"});
  EXPECT_EQ(resumed.status, 0) << resumed.err;
  EXPECT_THAT(resumed.err, HasSubstr("(2 resumed from the store)"));
}

// F5: the probe cache is a shortcut; one that cannot be created (here under a
// regular file; for another user, a folder it may not enter) made every
// sanitizer "not work here", or validate die with "internal error".
TEST_F(HostileUserTest, ProbeRunsUncachedWhenItsCacheCannotBeUsed) {
  write("faultline.yaml",
        "version: 1\ncomponents: { a: { versions: [\"1\"], inputs: [] } }\n"
        "workloads: { w: { run: \"true\" } }\n");
  write("not-a-folder", "x");
  e2e::Launch launch(
      m_dir, runner::environment_with({{"XDG_CACHE_HOME", (m_dir / "not-a-folder").string()}}));
  Outcome o = e2e::run_faultline({"validate"}, launch);
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("  toolchain  gcc builds and runs none (probed)\n"));
}

// F6: `faultline validate` in the matrix's folder named the matrix "faultline",
// so two matrices of one repository shared a PR comment and a status.
TEST_F(HostileUserTest, DefaultNameIsTheFolderAlsoForABareFileName) {
  write("faultline.yaml",
        "version: 1\ncomponents: { a: { versions: [\"1\"], inputs: [] } }\n"
        "workloads: { w: { run: \"true\" } }\n");
  Outcome o = faultline({"validate", "--no-probe", "faultline.yaml"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("  name       " + m_dir.filename().string() + "\n"));
  Outcome dotted = faultline({"validate", "--no-probe", "./faultline.yaml"});
  EXPECT_THAT(dotted.out, HasSubstr("  name       " + m_dir.filename().string() + "\n"));
}

// F7: a build whose compiler is missing said only "exit 127"; the reason was in
// the log alone.
TEST_F(HostileUserTest, FailedBuildLineCarriesTheLogsLastLine) {
  write("faultline.yaml",
        "version: 1\ncomponents: { a: { versions: [\"1\"], inputs: [], build: "
        "\"no-such-compiler-xyz -c x.c\" } }\nworkloads: { w: { run: \"true\" } }\n");
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 3);
  EXPECT_THAT(o.err, HasSubstr("build failed: a=1 sanitizer=none: the build command exit 127: "
                               "/bin/sh: 1: no-such-compiler-xyz: not found (log: "));
}

// A version whose build failed while the others ran: exit 0, "no crash in 3
// cells" and a green ✓, and SARIF said nothing of it. Now the matrix is
// incomplete: exit 3, and every format names the cell and the log's last line.
TEST_F(HostileUserTest, AFailedBuildAmongRunningCellsIsIncompleteInEveryReport) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  a:\n    versions: [\"1\", \"2\", \"3\"]\n    inputs: []\n"
        "    build: \"test {{ version }} != 2 || { echo 'x.c:3: error: boom' >&2; exit 1; }\"\n"
        "workloads: { w: { run: \"true\" } }\nstress: { runs: 2 }\n"
        "report: { formats: [md, junit, sarif, html, json] }\n");
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 3) << o.err;
  const std::string why = "the build command exit 1: x.c:3: error: boom";
  EXPECT_THAT(o.out, HasSubstr("  build-error a=2 sanitizer=none workload=w  — " + why + "\n"));
  EXPECT_THAT(o.out, HasSubstr("build failed  a=2 sanitizer=none: " + why + "\n"));
  const std::string verdict =
      "no crash in 2 of 3 cells (4 runs, 1 build error); 1 cell did not run, so the matrix is "
      "incomplete";
  EXPECT_THAT(o.out, HasSubstr("\n" + verdict + "\n"));
  const fs::path reports = m_dir / ".faultline/reports";
  const std::string md = read_text(reports / "report.md");
  EXPECT_THAT(md, HasSubstr("**⚠ " + verdict + "**\n"));
  EXPECT_THAT(md, HasSubstr("- `a=2 sanitizer=none`: " + why + "\n"));
  EXPECT_THAT(read_text(reports / "report.junit.xml"),
              HasSubstr("<testcase classname=\"w\" name=\"a=2 sanitizer=none workload=w\" "
                        "time=\"0.000\">\n      <error message=\"" +
                        why + "\" type=\"build-error\">"));
  const nlohmann::json sarif = nlohmann::json::parse(read_text(reports / "report.sarif"));
  EXPECT_EQ(sarif["runs"][0]["invocations"],
            nlohmann::json::parse(
                R"([{"executionSuccessful": false, "toolExecutionNotifications": [{"level": )"
                R"("error", "message": {"text": "cell a=2 sanitizer=none workload=w did not )"
                R"(run (build-error): )" +
                why + R"("}}]}])"));
  const std::string html = read_text(reports / "report.html");
  EXPECT_THAT(html, HasSubstr("<p class=\"verdict\">" + verdict + "</p>"));
  EXPECT_THAT(html, HasSubstr("<li>a=2 sanitizer=none workload=w — build-error: " + why + "</li>"));
  const nlohmann::json cell = nlohmann::json::parse(read_text(reports / "report.json"))["cells"][1];
  EXPECT_EQ(cell["verdict"], "build-error");
  EXPECT_EQ(cell["build_error"]["error"], why);
  Outcome outputs = faultline({"report", "--format", "github-outputs"});
  EXPECT_THAT(outputs.out, HasSubstr("verdict=error\n"));
}

// An output destination that cannot be written was found only after every
// build and run (exit 3); now before any work, exit 2, naming the flag or key.
TEST_F(HostileUserTest, UnwritableDestinationsAreRefusedBeforeAnyBuild) {
  const std::string matrix =
      "version: 1\ncomponents: { a: { versions: [\"1\"], inputs: [], build: \"touch built\" } }\n"
      "workloads: { w: { run: \"true\" } }\n";
  write("faultline.yaml", matrix);
  write("a-file", "x");
  Outcome state = faultline({"run", "--state-dir", "a-file"});
  EXPECT_EQ(state.status, 2);
  EXPECT_EQ(state.err, "faultline run: --state-dir a-file: cannot create the folder " +
                           (m_dir / "a-file").string() + ": Not a directory\n");
  Outcome out = faultline({"run", "--out", "/proc/version"});
  EXPECT_EQ(out.status, 2);
  EXPECT_EQ(out.err,
            "faultline run: --out /proc/version: cannot write in /proc: No such file or "
            "directory\n");
  write("faultline.yaml", matrix + "report: { formats: [md], dir: /proc/nope }\n");
  Outcome report = faultline({"run"});
  EXPECT_EQ(report.status, 2);
  EXPECT_EQ(report.err,
            "faultline run: faultline.yaml: report.dir '/proc/nope': cannot create the folder "
            "/proc/nope: No such file or directory\n");
  EXPECT_FALSE(fs::exists(m_dir / "built"));
  EXPECT_EQ(faultline({"run", "--report", "md"}).status, 2);  // --report asks for report.dir too
  EXPECT_FALSE(fs::exists(m_dir / "built"));
}

// The state folder and the store (--state-dir, --db) follow one rule in run,
// bisect and repro: checked before any build, exit 2 naming the flag. bisect
// said "cannot create /proc/nope" with exit 3, repro the same, and a --db
// whose folder cannot be written "cannot open: unable to open database file", 3.
TEST_F(HostileUserTest, StateFolderAndStoreAreCheckedAlikeByEveryCommand) {
  write("faultline.yaml",
        "version: 1\ncomponents: { a: { versions: [\"1\", \"2\"], inputs: [], build: \"touch "
        "built\" } }\nworkloads: { w: { run: \"true\" } }\n");
  const std::vector<std::pair<std::string, std::vector<std::string>>> commands = {
      {"run", {"run"}},
      {"bisect", {"bisect", "--axis", "a", "--only", "sanitizer=none"}},
      {"repro", {"repro", "--only", "a=1", "--only", "sanitizer=none"}}};
  for (const auto& [name, args] : commands) {
    auto with = [&, &args = args](std::vector<std::string> more) {
      std::vector<std::string> all = args;
      all.insert(all.end(), more.begin(), more.end());
      return faultline(all);
    };
    Outcome state = with({"--state-dir", "/proc/nope"});
    EXPECT_EQ(state.status, 2) << name;
    EXPECT_EQ(state.err, "faultline " + name +
                             ": --state-dir /proc/nope: cannot create the folder /proc/nope: No "
                             "such file or directory\n");
    if (name == "repro") continue;  // repro keeps no store
    Outcome db = with({"--db", "/proc/nope.db"});
    EXPECT_EQ(db.status, 2) << name;
    EXPECT_EQ(db.err, "faultline " + name +
                          ": --db /proc/nope.db: cannot write in /proc: No such file or "
                          "directory\n");
    Outcome folder = with({"--db", m_dir.string()});
    EXPECT_EQ(folder.status, 2) << name;
    EXPECT_EQ(folder.err, "faultline " + name + ": --db " + m_dir.string() +
                              ": is a folder; name a file for the results store\n");
  }
  EXPECT_FALSE(fs::exists(m_dir / "built"));
}

// A destination that fails anyway at the end (here the workload replaces the
// --out folder with a file) keeps what was recorded and says where it is.
TEST_F(HostileUserTest, AnOutputThatFailsAtTheEndSaysWhereTheRunsAreKept) {
  write("faultline.yaml",
        "version: 1\ncomponents: { a: { versions: [\"1\"], inputs: [] } }\n"
        "workloads: { w: { run: \"rm -rf " +
            (m_dir / "gone").string() + " && touch " + (m_dir / "gone").string() +
            "\" } }\nstress: { runs: 2 }\n");
  Outcome o = faultline({"run", "--out", "gone/r.json"});
  EXPECT_EQ(o.status, 3) << o.err;
  const std::string db = (m_dir / ".faultline/faultline.db").string();
  EXPECT_THAT(o.err,
              HasSubstr("faultline run: nothing is lost: every finished run is kept in " + db +
                        " (session 1); `faultline run --resume --out FILE` writes "
                        "results.json and the reports again without repeating a run\n"));
  EXPECT_EQ(db_int("SELECT count(*) FROM runs"), 2);
  Outcome again = faultline({"run", "--resume", "--out", "r.json"});
  EXPECT_EQ(again.status, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(read_text(m_dir / "r.json"))["totals"]["runs"], 2);
}

// `plan --shards 0` printed CLI11's "not in range 0.000000 to 1797693134862315…"
// (a double's maximum, 309 digits).
TEST_F(HostileUserTest, ZeroShardsIsRefusedWithAReadableRange) {
  write("faultline.yaml",
        "version: 1\ncomponents: { a: { versions: [\"1\"], inputs: [] } }\n"
        "workloads: { w: { run: \"true\" } }\n");
  Outcome o = faultline({"plan", "--shards", "0"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "--shards: Value 0 not in range 1 to 1000000\nRun with --help for more information.\n");
}

}  // namespace
}  // namespace faultline
