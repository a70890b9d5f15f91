// End-to-end tests of `faultline repro` and of core-file stacks in `faultline
// run`: a real C program built by the matrix without a sanitizer, crashing with
// SIGSEGV and printing no stack; real cores read by real gdb. Assertions on the
// native stack need core files on this machine (core_pattern a file name, and
// gdb); without them those tests skip (exit 125) and say why.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "base/text.h"
#include "runner/core_stack.h"
#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

using e2e::Outcome;

// store_answer() is line 3; main's call of it is line 7.
const char* k_crash_c =
    "#include <stdio.h>\n#include <stdlib.h>\n"
    "__attribute__((noinline)) void store_answer(volatile int* p) { *p = 42; }\n"
    "int main(int argc, char** argv) {\n"
    "  int v = atoi(argv[1]);\n"
    "  printf(\"version %d\\n\", v); fflush(stdout);\n"
    "  if (v >= 2) store_answer(NULL);\n"
    "  return 0;\n}\n";

const char* k_matrix = R"(version: 1
components:
  lib:
    versions: ["1", "2"]
    build: $CC -O0 -g -o {{ prefix }}/crash crash.c
sanitizers: [none]
workloads:
  w: { run: "{{ prefix.lib }}/crash {{ lib }}", timeout: 20s }
stress: { runs: 2, stop: all }
)";

std::string cell_hash(const std::string& id) { return hex16(fnv1a64(id)).substr(0, 8); }

bool machine_writes_core_files() {
  auto pattern = runner::read_core_pattern();
  return pattern && runner::core_files(*pattern, "/").has_value() &&
         access("/usr/bin/gdb", X_OK) == 0;
}

class ReproTest : public e2e::ScratchTest {
 protected:
  ReproTest() : ScratchTest("repro") {}
  void SetUp() override {
    write("crash.c", k_crash_c);
    write("faultline.yaml", k_matrix);
  }
  // Files named core or core.* in the matrix folder: cores faultline left behind.
  std::vector<std::string> stray_cores() {
    std::vector<std::string> out;
    for (const auto& e : fs::directory_iterator(m_dir)) {
      std::string name = e.path().filename().string();
      if (name == "core" || name.rfind("core.", 0) == 0) out.push_back(name);
    }
    return out;
  }
};

const std::string k_crashing = "lib=2 sanitizer=none workload=w";
const std::string k_passing = "lib=1 sanitizer=none workload=w";

TEST_F(ReproTest, CrashingCellPrintsTheCommandStreamsTheOutputAndNamesTheCrash) {
  Outcome o = faultline({"repro", "--only", "lib=2"});
  EXPECT_EQ(o.status, 1) << o.err;
  const std::string prefix_dir = m_dir.string() + "/.faultline/builds/";
  EXPECT_THAT(o.out, HasSubstr("cell:    " + k_crashing + " (" + cell_hash(k_crashing) +
                               "), run 0\ncd " + m_dir.string() + "\n"));
  EXPECT_THAT(o.out, HasSubstr("\n" + prefix_dir));  // the command, with the build's prefix
  EXPECT_THAT(o.out, HasSubstr("export FAULTLINE_LIB=2\n"));
  EXPECT_THAT(o.out,
              HasSubstr("--- output ---\nversion 2\n--- end of output: signal 11, core dumped, "));
  if (!machine_writes_core_files())
    GTEST_SKIP() << "core_pattern pipes to a handler (or no gdb): no native stack";
  EXPECT_THAT(o.out, HasSubstr("crash:   signal SIGSEGV at crash.c:3\n"));
  EXPECT_THAT(o.out, HasSubstr("  #0 store_answer "));
  EXPECT_THAT(o.out, HasSubstr("crash.c:7\n"));  // main's call
  EXPECT_TRUE(stray_cores().empty());
}

TEST_F(ReproTest, RunRecordsTheNativeStackAndPointsReproAtTheCell) {
  // -j 1: with core_pattern "core", two runs crashing at once in one folder
  // overwrite each other's core (docs/sanitizers.md).
  Outcome o = faultline({"run", "-j", "1"});
  EXPECT_EQ(o.status, 1) << o.err;
  json r = results();
  std::string repro;
  for (const auto& c : r["cells"])
    if (c["id"] == k_crashing) repro = c.value("repro", "");
  EXPECT_EQ(repro,
            "faultline repro " + cell_hash(k_crashing) + " " + (m_dir / "faultline.yaml").string());
  // The terminal report names the file relative to the repository (the scratch folder).
  EXPECT_THAT(
      o.out, HasSubstr("repro:    faultline repro " + cell_hash(k_crashing) + " faultline.yaml\n"));
  if (!machine_writes_core_files())
    GTEST_SKIP() << "core_pattern pipes to a handler (or no gdb): no native stack";
  ASSERT_EQ(r["signatures"].size(), 1u) << r["signatures"].dump(2);
  const json& s = r["signatures"][0];
  EXPECT_EQ(s["tool"], "signal");
  EXPECT_EQ(s["kind"], "SIGSEGV");
  EXPECT_EQ(s["frames"][0]["function"], "store_answer");
  EXPECT_EQ(s["frames"][1]["function"], "main");
  EXPECT_EQ(s["location"], "crash.c:3");
  EXPECT_TRUE(stray_cores().empty());
  // repro runs the same run: the same signature.
  Outcome again = faultline({"repro", cell_hash(k_crashing).substr(0, 5)});
  EXPECT_EQ(again.status, 1) << again.err;
  EXPECT_THAT(again.out, HasSubstr("signature: " + s["hash"].get<std::string>() + "  "));
}

TEST_F(ReproTest, KeptCoreIsMovedBesideTheCellsWork) {
  if (!machine_writes_core_files())
    GTEST_SKIP() << "core_pattern pipes to a handler (or no gdb): no core file";
  Outcome o = faultline({"run", "--keep-cores", "--only", "lib=2", "--runs", "1"});
  EXPECT_EQ(o.status, 1) << o.err;
  const fs::path kept = m_dir / ".faultline/work" / cell_hash(k_crashing) / "core.0";
  auto notes = runner::read_core_notes(kept.string());
  ASSERT_TRUE(notes) << notes.error().message;
  EXPECT_EQ(notes->signal, 11);
  EXPECT_EQ(fs::path(notes->executable).filename(), "crash");
  EXPECT_TRUE(stray_cores().empty());
}

// What repro shows of a run is what `run` would report: secrets masked, control characters
// visible, a last line without a newline shown at the end.
TEST_F(ReproTest, OutputAndCrashAreMaskedAndCannotDriveTheTerminal) {
  write("faultline.yaml", R"Y(version: 1
secrets: [MY_REPRO_TOKEN]
components:
  lib: { versions: ["1"] }
workloads:
  w:
    run: |
      printf '\033]0;title\007\033[2J token=%s\n' "$MY_REPRO_TOKEN"
      head -c 150000 /dev/zero | tr '\0' a; printf '%s' "$MY_REPRO_TOKEN"; head -c 150000 /dev/zero | tr '\0' b; echo
      printf '==12==ERROR: AddressSanitizer: heap-use-after-free on address 0x602000000010 at pc 0x1 bp 0x2 sp 0x3\nREAD of size 4 at 0x602000000010 thread T0\n    #0 0x4005d4 in use_%s /src/a.c:3\n\nSUMMARY: AddressSanitizer: heap-use-after-free /src/a.c:3 in use_%s\n' "$MY_REPRO_TOKEN" "$MY_REPRO_TOKEN"
      printf 'partial \033[31m' >&2
      exit 1
)Y");
  const std::string secret = "s3cr3t-repro-value-42";
  setenv("MY_REPRO_TOKEN", secret.c_str(), 1);
  Outcome o = faultline({"repro", "--only", "lib=1"});
  unsetenv("MY_REPRO_TOKEN");
  EXPECT_EQ(o.status, 1) << o.out << o.err;
  EXPECT_THAT(o.out, HasSubstr("--- output ---\n\\x1b]0;title\\x07\\x1b[2J token=***\n"));
  EXPECT_THAT(o.out, HasSubstr("    #0 0x4005d4 in use_*** /src/a.c:3\n"));
  EXPECT_THAT(o.out, HasSubstr("crash:   asan heap-use-after-free"));
  EXPECT_THAT(o.out, HasSubstr("  summary:   SUMMARY: AddressSanitizer: heap-use-after-free "
                               "/src/a.c:3 in use_***\n"));
  EXPECT_THAT(o.out, HasSubstr("  asan heap-use-after-free: use_***\n"));  // the signature
  EXPECT_THAT(o.out, HasSubstr("  #0 use_*** /src/a.c:3\n"));
  EXPECT_THAT(o.err, HasSubstr("partial \\x1b[31m\n"));
  // A 300 kB line is shown in pieces, none cutting the secret.
  EXPECT_THAT(o.out,
              HasSubstr("\n" + std::string(150000, 'a') + "***" + std::string(150000, 'b') + "\n"));
  for (const std::string& text : {o.out, o.err}) {
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
    EXPECT_EQ(text.find('\x1b'), std::string::npos) << text;
    EXPECT_EQ(text.find('\x07'), std::string::npos) << text;
  }
}

TEST_F(ReproTest, PassingCellExitsZero) {
  Outcome o = faultline({"repro", cell_hash(k_passing), "faultline.yaml"});
  EXPECT_EQ(o.status, 0) << o.err;
  EXPECT_THAT(o.out, HasSubstr("--- output ---\nversion 1\n--- end of output: exit 0, "));
  EXPECT_THAT(o.out, HasSubstr("no crash in this run\n"));
}

TEST_F(ReproTest, UnknownCellIsBadInputWithASuggestion) {
  Outcome o = faultline({"repro", "lib=3 sanitizer=none workload=w"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "faultline repro: no cell 'lib=3 sanitizer=none workload=w' in faultline.yaml (did you "
            "mean '" +
                k_passing + "'?); `faultline plan faultline.yaml` lists the cells\n");
  Outcome several = faultline({"repro", "--only", "sanitizer=none"});
  EXPECT_EQ(several.status, 2);
  EXPECT_EQ(several.err, "faultline repro: --only sanitizer=none matches 2 cells (" + k_passing +
                             "; " + k_crashing + "; …); fix every axis to one value\n");
  Outcome none = faultline({"repro"});
  EXPECT_EQ(none.status, 2);
  EXPECT_EQ(none.err,
            "faultline repro: name the cell: its id, its hash (or a prefix of it), or --only "
            "AXIS=VALUE\n");
}

}  // namespace
}  // namespace faultline
