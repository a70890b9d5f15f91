// End-to-end tests of `faultline validate` and `faultline plan`: the real
// binary, real files, a real git repository.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "runner/cgroup.h"
#include "runner/core_stack.h"
#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;

const std::string k_example =
    std::string(FAULTLINE_SOURCE_DIR) + "/examples/ffi-race/faultline.yaml";

using e2e::Outcome;

int pipeline_jobs() { return static_cast<int>(std::max(1u, std::thread::hardware_concurrency())); }

// Each test in its own scratch directory, where faultline runs.
class CliTest : public e2e::ScratchTest {
 protected:
  CliTest() : ScratchTest("cli") {}
};
class Validate : public CliTest {};
class Usage : public CliTest {};
class Plan : public CliTest {};
class Triage : public CliTest {};

TEST_F(Validate, SummarisesTheExample) {
  Outcome o = faultline({"validate", k_example});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr(": valid\n"));
  EXPECT_THAT(o.out,
              HasSubstr("axes       library 8, binding 5, sanitizer 4, workload 2, threads 2"));
  // 8 × 5 × 4 × (2 + 2) = 640; tsan × binding 0.6 removes 8 × 4 = 32.
  EXPECT_THAT(o.out,
              HasSubstr("cells      608 (640 combinations, 32 excluded, 0 added by include)"));
  EXPECT_THAT(o.out, HasSubstr("builds     "));
  EXPECT_THAT(o.out, HasSubstr("runs end   "));
  // stress.parallel is auto: on a machine whose cores share one file, that is the only warning.
  const auto pattern = runner::read_core_pattern();
  const auto shared =
      pattern ? runner::parallel_core_warning(*pattern, pipeline_jobs(), "") : std::nullopt;
  if (shared) {
    EXPECT_THAT(o.err, ::testing::StartsWith("warning: core_pattern '"));
  } else {
    EXPECT_EQ(o.err, "");
  }
}

class Containment : public CliTest {};

// validate names the guarantee that ends a run's processes here, and warns when runs in
// parallel would overwrite one core file (this machine's core_pattern decides which holds).
TEST_F(Containment, ValidateSaysWhatEndsARunAndWhenParallelRunsShareACore) {
  const std::string file = write("faultline.yaml",
                                 "version: 1\ncomponents: { lib: { versions: [\"1\"] } }\n"
                                 "workloads: { w: { run: \"true\" } }\nstress: { parallel: 1 }\n");
  Outcome one = faultline({"validate", "--no-probe", file});
  EXPECT_EQ(one.status, 0) << one.err;
  const std::string note = runner::containment_note();
  if (note.rfind("cgroup v2 per run (", 0) == 0)
    EXPECT_THAT(one.out, ::testing::ContainsRegex(
                             "\n  runs end   cgroup v2 per run \\(/[^ ]*/faultline-[0-9]+/"
                             "run-<n>\\): every descendant ends with its run\n"));
  else
    EXPECT_THAT(one.out, HasSubstr("\n  runs end   " + note + "\n"));
  const auto pattern = runner::read_core_pattern();
  if (!pattern || pattern->piped() || !runner::core_files(*pattern, "/"))
    GTEST_SKIP() << "core_pattern is piped or unreadable here: no core files to share";
  EXPECT_EQ(one.err, "");  // parallel: 1
  Outcome two = faultline({"validate", "--no-probe", "-j", "2", file});
  EXPECT_EQ(two.status, 0);
  const bool per_process = pattern->uses_pid || pattern->pattern.find("%p") != std::string::npos ||
                           pattern->pattern.find("%P") != std::string::npos;
  if (per_process) {
    EXPECT_EQ(two.err, "") << "core_pattern '" << pattern->pattern << "' names a file per process";
    return;
  }
  EXPECT_EQ(two.err,
            "warning: core_pattern '" + pattern->pattern +
                "' gives every process the same core file (no %p or %P, core_uses_pid 0) and 2 "
                "runs go at once (-j 2): two runs crashing together in the matrix folder overwrite "
                "each other's core, so a crash may get another run's stack or none; add %p to "
                "core_pattern (sysctl kernel.core_pattern=core.%p), set kernel.core_uses_pid=1, or "
                "run with -j 1\n");
}

TEST_F(Validate, ReportsEveryErrorWithItsPlaceAndExitsTwo) {
  const std::string dir = std::string(FAULTLINE_SOURCE_DIR) + "/matrix/testdata/bad";
  Outcome o = e2e::run_faultline({"validate", "unknown-template-variable.yaml"}, {dir});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.out, "");
  EXPECT_EQ(o.err, e2e::read_text(dir + "/unknown-template-variable.expected"));
}

TEST_F(Validate, AMissingFileIsBadInput) {
  Outcome o = faultline({"validate", "/nonexistent/faultline.yaml"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "/nonexistent/faultline.yaml: error: cannot read the matrix file: No such file or "
            "directory\n");
}

TEST_F(Usage, EveryCommandHasHelpWithAnExample) {
  for (std::string command : {"validate", "plan", "triage"}) {
    Outcome o = faultline({command, "--help"});
    EXPECT_EQ(o.status, 0) << command;
    EXPECT_THAT(o.out, HasSubstr("xample")) << command;
  }
  Outcome bad = faultline({"frobnicate"});
  EXPECT_EQ(bad.status, 2);
  Outcome none = faultline({});
  EXPECT_EQ(none.status, 2);
}

TEST_F(Plan, ListsCellsAsATableAndAsJson) {
  Outcome table = faultline({"plan", k_example});
  EXPECT_EQ(table.status, 0) << table.err;
  EXPECT_THAT(table.out,
              HasSubstr("library=1.0 binding=0.6 sanitizer=none workload=gates threads=1\n"));
  EXPECT_THAT(table.out, HasSubstr("608 cells, "));
  Outcome json = faultline({"plan", "--format", "json", k_example});
  auto doc = nlohmann::json::parse(json.out);
  ASSERT_EQ(doc["cells"].size(), 608u);
  EXPECT_EQ(doc["cells"][0]["values"]["library"], "1.0");
  EXPECT_EQ(doc["cells"][0]["hash"].get<std::string>().size(), 8u);
}

TEST_F(Plan, ShardsFormAGithubMatrixAndCoverEveryCellOnce) {
  Outcome o = faultline({"plan", "--shards", "4", k_example});
  ASSERT_EQ(o.status, 0) << o.err;
  auto doc = nlohmann::json::parse(o.out);
  ASSERT_EQ(doc["include"].size(), 4u);
  std::size_t total = 0;
  std::set<std::string> ids;
  for (int k = 1; k <= 4; ++k) {
    EXPECT_EQ(doc["include"][k - 1]["shard"], std::to_string(k) + "/4");
    total += doc["include"][k - 1]["cells"].get<std::size_t>();
    auto cells = nlohmann::json::parse(
        faultline({"plan", "--format", "json", "--shard", std::to_string(k) + "/4", k_example})
            .out);
    for (const auto& c : cells["cells"]) EXPECT_TRUE(ids.insert(c["id"]).second) << c["id"];
  }
  EXPECT_EQ(total, 608u);
  EXPECT_EQ(ids.size(), 608u);
}

TEST_F(Plan, RefusesMoreShardsThanGithubRunsAndBadShardSyntax) {
  Outcome many = faultline({"plan", "--shards", "300", k_example});
  EXPECT_EQ(many.status, 2);
  EXPECT_THAT(many.err, HasSubstr("a matrix generates at most 256 jobs per workflow run"));
  Outcome bad = faultline({"plan", "--shard", "5/4", k_example});
  EXPECT_EQ(bad.status, 2);
  EXPECT_EQ(bad.err, "faultline plan: --shard '5/4' is not K/N with 1 <= K <= N (e.g. 2/4)\n");
}

TEST_F(Plan, MaxCellsLimitsTheMatrix) {
  Outcome o = faultline({"plan", "--max-cells", "100", k_example});
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.err, HasSubstr("expands to 608 cells, more than the limit of 100"));
}

TEST_F(Triage, NamesEachCrashInALogAndExitsOne) {
  const std::string fixtures = std::string(FAULTLINE_SOURCE_DIR) + "/sanitizers/testdata/fixtures/";
  Outcome o = faultline({"triage", "--json", fixtures + "tsan_race_gcc12.txt"});
  EXPECT_EQ(o.status, 1) << o.err;
  auto doc = nlohmann::json::parse(o.out);
  ASSERT_TRUE(doc.is_object() || doc.is_array()) << o.out;
  const auto& crashes = doc.is_array() ? doc : doc["crashes"];
  ASSERT_GE(crashes.size(), 1u) << o.out;
  EXPECT_EQ(crashes[0]["tool"], "tsan");
  EXPECT_EQ(crashes[0]["kind"], "data-race");
}

// A report as pasted from docker compose: every line carries "api-1     | ".
TEST_F(Triage, ReadsAPrefixedReportAsPasted) {
  Outcome o = faultline({"triage", std::string(FAULTLINE_SOURCE_DIR) +
                                       "/sanitizers/testdata/pasted/compose_prefixed_asan.log"});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.out, HasSubstr("crash 1: asan heap-use-after-free (READ of size 8)\n"
                               "  at session.c:211\n"
                               "  #0 session_touch  session.c:211\n"
                               "  #1 handle_request  server.c:98\n"
                               "  #2 worker_loop  server.c:164\n"));
  EXPECT_THAT(o.out,
              HasSubstr("  signature: ed9380ec1a8c  asan heap-use-after-free: session_touch > "
                        "handle_request > worker_loop\n\n1 crash found\n"));
}

TEST_F(Triage, CleanOutputIsExitZeroAndAMissingFileIsTwo) {
  Outcome clean = faultline({"triage", std::string(FAULTLINE_SOURCE_DIR) + "/README.md"});
  EXPECT_EQ(clean.status, 0) << clean.out;
  Outcome missing = faultline({"triage", "/nonexistent.log"});
  EXPECT_EQ(missing.status, 2);
  EXPECT_THAT(missing.err, HasSubstr("/nonexistent.log"));
}

// A secret-looking variable's value in a log is masked in both of triage's outputs, in every
// captured text (frames, location, summary, excerpt, signature text); the tool, the kind and
// the signature's hash are those of the unmasked report.
TEST_F(Triage, MasksSecretsInTextAndJsonAlikeAndKeepsTheVerdict) {
  const std::string secret = "s3cr3t-Tok3n-value";
  const std::string log = write(
      "ci.log",
      "==7==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000014 at pc 0x1 bp "
      "0x2 sp 0x3\nREAD of size 4 at 0x602000000014 thread T0\n"
      "    #0 0x1 in use_" +
          secret + "() /src/" + secret +
          "/a.c:29:12\n"
          "    #1 0x2 in main /src/main.c:5:3\n\n"
          "SUMMARY: AddressSanitizer: heap-use-after-free /src/" +
          secret + "/a.c:29:12 in use_" + secret + "()\n");
  const std::vector<std::string> env = {"PATH=/usr/bin:/bin", "DEPLOY_TOKEN=" + secret};
  const auto triage = [&](std::vector<std::string> args, std::vector<std::string> environment) {
    args.insert(args.begin(), "triage");
    return e2e::run_faultline(args, e2e::Launch(m_dir, environment));
  };
  const Outcome json_out = triage({"--json", log}, env);
  const Outcome text_out = triage({log}, env);
  const Outcome plain = triage({"--json", log}, {"PATH=/usr/bin:/bin"});
  for (const Outcome* o : {&json_out, &text_out}) {
    EXPECT_EQ(o->status, 1) << o->err;
    EXPECT_EQ(o->out.find(secret), std::string::npos) << o->out;
  }
  ASSERT_NE(plain.out.find(secret), std::string::npos) << plain.out;
  const auto masked = nlohmann::json::parse(json_out.out)["crashes"].at(0);
  const auto found = nlohmann::json::parse(plain.out)["crashes"].at(0);
  EXPECT_EQ(masked["tool"], "asan");
  EXPECT_EQ(masked["kind"], "heap-use-after-free");
  EXPECT_EQ(masked["signature"]["hash"], found["signature"]["hash"]);
  EXPECT_EQ(masked["frames"][0]["function"], "use_***()");
  EXPECT_EQ(masked["frames"][0]["file"], "/src/***/a.c");
  EXPECT_EQ(masked["location"], "a.c:29");
  EXPECT_EQ(masked["signature"]["text"], "asan heap-use-after-free: use_*** > main");
  EXPECT_THAT(text_out.out, HasSubstr("  #0 use_***  a.c:29\n"));
}

class Probe : public CliTest {};

TEST_F(Probe, ASanitizerThatCannotBuildHereIsNamedWithExitThree) {
  const std::string file = write("faultline.yaml",
                                 "version: 1\ncomponents: { lib: { versions: [\"1\"] } }\n"
                                 "sanitizers: [none, { name: weird, cflags: -fsanitize=nonsense "
                                 "}]\nworkloads: { w: { run: x } }\n");
  Outcome o = faultline({"validate", file});
  EXPECT_EQ(o.status, 3);
  EXPECT_THAT(o.err,
              HasSubstr(file + ":3:20: error: sanitizer 'weird' does not work with gcc: 'gcc "
                               "-fsanitize=nonsense' cannot build a program: "));
  EXPECT_THAT(o.out, HasSubstr("toolchain  gcc builds and runs none (probed)"));
  Outcome skipped = faultline({"validate", "--no-probe", file});
  EXPECT_EQ(skipped.status, 0);
}

class GitRange : public CliTest {};

TEST_F(GitRange, VersionsAreTheCommitsOfTheRangeOldestFirst) {
  sh("git init -q lib && cd lib && git config user.email t@t && git config user.name t && "
     "for i in 0 1 2 3 4; do echo $i > f && git add f && git commit -qm c$i && git tag v1.$i; "
     "done");
  write("faultline.yaml",
        "version: 1\ncomponents:\n  library: { versions: { git: { repo: lib, range: v1.1..v1.3 } } "
        "}\n"
        "workloads: { w: { run: \"echo {{ library }}\" } }\n");
  Outcome o = faultline({"plan", "--format", "json", (m_dir / "faultline.yaml").string()});
  ASSERT_EQ(o.status, 0) << o.err;
  auto doc = nlohmann::json::parse(o.out);
  ASSERT_EQ(doc["cells"].size(), 3u);
  auto rev = runner::command_output(
      {"git", "-C", (m_dir / "lib").string(), "rev-parse", "v1.1", "v1.2", "v1.3"});
  ASSERT_TRUE(rev);
  std::istringstream revs(*rev);
  for (int i = 0; i < 3; ++i) {
    std::string sha;
    revs >> sha;
    EXPECT_EQ(doc["cells"][i]["values"]["library"], sha.substr(0, 12));
  }
}

TEST_F(GitRange, ARangeThatDoesNotResolveIsAnErrorAtItsPlace) {
  sh("git init -q lib && cd lib && git config user.email t@t && git config user.name t && "
     "echo 1 > f && git add f && git commit -qm one && git tag v1.0");
  const std::string file = write("faultline.yaml",
                                 "version: 1\ncomponents:\n  library:\n    versions: { git: { "
                                 "repo: lib, range: v1.0..v9.9 } }\n"
                                 "workloads: { w: { run: x } }\n");
  Outcome o = faultline({"validate", file});
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(
      o.err,
      HasSubstr(file +
                ":4:42: error: git range 'v1.0..v9.9' in components.library.versions.git does not "
                "resolve in 'lib': 'v9.9' is not a commit there\n"));
}

class Include : public CliTest {};

// An extra named like an axis (cxx beside cc) is valid, and reaches each cell.
TEST_F(Include, AnExtraBesideACloseAxisIsAcceptedAndReachesItsCells) {
  const std::string file = write("faultline.yaml",
                                 "version: 1\ncomponents: { lib: { versions: [\"1.0\"] } }\n"
                                 "workloads:\n  w: { run: \"make CC={{ cc }} CXX={{ cxx }}\", "
                                 "params: { cc: [gcc, clang] } }\n"
                                 "matrix:\n  include:\n    - { cc: gcc, cxx: g++ }\n"
                                 "    - { cc: clang, cxx: clang++ }\n");
  Outcome o = faultline({"plan", "--format", "json", file});
  ASSERT_EQ(o.status, 0) << o.err;
  EXPECT_EQ(o.err, "");
  auto doc = nlohmann::json::parse(o.out);
  ASSERT_EQ(doc["cells"].size(), 2u) << o.out;
  EXPECT_EQ(doc["cells"][0]["values"]["cxx"], "g++") << o.out;
  EXPECT_EQ(doc["cells"][1]["values"]["cxx"], "clang++") << o.out;
}

// An include-only list collapses into one cell, as GitHub does for a matrix
// with axes; validate says so at the entry's line, and still accepts the file.
TEST_F(Include, AnEntryWithNoEffectIsAWarningAtItsLine) {
  const std::string file = write("faultline.yaml",
                                 "version: 1\ncomponents: { lib: { versions: [\"1.0\"] } }\n"
                                 "workloads: { deploy: { run: \"deploy {{ site }}\" } }\n"
                                 "matrix:\n  include:\n    - { site: production }\n"
                                 "    - { site: staging }\n"
                                 "stress: { parallel: 1 }\n");  // no core_pattern warning
  Outcome o = faultline({"validate", "--no-probe", file});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("cells      1 (1 combinations, 0 excluded, 0 added by include)"));
  EXPECT_EQ(o.err,
            file +
                ":6:7: warning: matrix.include[0] has no effect: in the 1 cell it applies "
                "to, every value it adds is replaced by matrix.include[1] (7:7); an entry whose "
                "keys are no axes applies to every cell (GitHub makes a job of each include entry "
                "only in a matrix without axes, and a faultline matrix always has the sanitizer "
                "and workload axes): to get a cell per value, make 'site' a parameter of the "
                "workload\n");
}

}  // namespace
}  // namespace faultline
