// End-to-end tests of `faultline bisect`: real builds of a small program whose
// bug appears at a known version, real runs under a real sanitizer.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "runner/process.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using nlohmann::json;

// Version V of the program: from BAD_FROM up to (not including) FIXED_AT it has
// a heap-use-after-free, taken in PERCENT of runs; version BROKEN does not build.
const char* k_program = R"(#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#ifndef V
#error V
#endif
int main(void) {
  srand((unsigned)(time(NULL) ^ getpid() ^ clock()));
  if (V >= BAD_FROM && V < FIXED_AT && rand() % 100 < PERCENT) {
    char* volatile p = malloc(16);
    free(p);
    return p[3];
  }
  puts("ok");
  return 0;
}
)";

class BisectTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/faultline-bisect-XXXXXX";
    m_dir = mkdtemp(tmpl);
    std::ofstream(m_dir / "prog.c") << k_program;
  }
  void TearDown() override {
    if (HasFailure()) std::cerr << "scratch directory kept: " << m_dir << "\n";
    else fs::remove_all(m_dir);
  }
  void matrix(int bad_from, int fixed_at, int percent, int broken = 0) {
    std::ofstream(m_dir / "faultline.yaml")
        << "version: 1\ncomponents:\n  lib:\n    versions: [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\", \"7\", \"8\", \"9\", \"10\"]\n"
        << "    build: \"test {{ version }} != " << broken << " && $CC $SAN_CFLAGS -O1 -g -DV={{ version }} -DBAD_FROM="
        << bad_from << " -DFIXED_AT=" << fixed_at << " -DPERCENT=" << percent
        << " -o {{ prefix }}/prog prog.c $SAN_LDFLAGS\"\n"
        << "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/prog\" }\n";
  }
  struct Outcome {
    int status = -1;
    std::string out, err;
  };
  Outcome faultline(std::vector<std::string> args) {
    args.insert(args.begin(), FAULTLINE_BINARY);
    auto r = runner::run_command(args, m_dir.string(), std::chrono::minutes(10));
    EXPECT_TRUE(r);
    if (!r) return {};
    return {r->exit_code.value_or(-1), r->stdout_capture.text(), r->stderr_capture.text()};
  }
  json answer() {
    std::ifstream in(m_dir / ".faultline/bisect-lib.json");
    std::stringstream s;
    s << in.rdbuf();
    return json::parse(s.str());
  }
  fs::path m_dir;
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
  std::ifstream before(m_dir / ".faultline/bisect-lib.jsonl");
  const auto lines_before = std::count(std::istreambuf_iterator<char>(before), {}, '\n');
  Outcome again = faultline({"bisect", "--axis", "lib", "--resume"});
  EXPECT_EQ(again.status, 1) << again.err;
  EXPECT_THAT(again.out, HasSubstr("first crashing: lib=6"));
  std::ifstream after(m_dir / ".faultline/bisect-lib.jsonl");
  EXPECT_EQ(std::count(std::istreambuf_iterator<char>(after), {}, '\n'), lines_before);
}

TEST_F(BisectTest, AnAxisThatIsNotAComponentIsBadInput) {
  matrix(6, 100, 100);
  Outcome o = faultline({"bisect", "--axis", "sanitizer"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err, "faultline bisect: 'sanitizer' is not a component axis; bisect searches component versions\n");
}

}  // namespace
}  // namespace faultline

namespace faultline {
namespace {

// A git history of 30 commits of a small library: commit 17 introduces a
// heap-use-after-free, commit 22 does not build. Versions come from the range,
// sources are checked out per commit with `git archive`, and bisect finds 17.
class GitHistory : public BisectTest {};

TEST_F(GitHistory, BisectFindsTheCommitThatIntroducedTheBug) {
  const std::string script = R"sh(set -e
git init -q lib && cd lib && git config user.email t@t && git config user.name t
for i in $(seq 1 30); do
  if [ $i -ge 17 ]; then bug=1; else bug=0; fi
  if [ $i -eq 22 ]; then broken='#error broken commit'; else broken=''; fi
  printf '/* commit %s */\n#include <stdlib.h>\n%s\nint main(void) { char* volatile p = malloc(8); free(p); return %s; }\n' \
    "$i" "$broken" "$( [ $bug = 1 ] && echo 'p[1]' || echo 0 )" > lib.c
  git add lib.c && git commit -qm "commit $i" && git tag c$i
done
)sh";
  auto made = runner::run_command({"/bin/sh", "-c", script}, m_dir.string());
  ASSERT_TRUE(made && made->succeeded()) << (made ? made->stderr_capture.text() : made.error().message);
  std::ofstream(m_dir / "faultline.yaml")
      << "version: 1\ncomponents:\n  lib:\n    versions: { git: { repo: lib, range: c1..c30 } }\n"
         "    source: { git: lib }\n"
         "    build: $CC $SAN_CFLAGS -g -o {{ prefix }}/prog lib.c $SAN_LDFLAGS\n"
         "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/prog\" }\n";
  auto c17 = runner::command_output({"git", "-C", (m_dir / "lib").string(), "rev-parse", "c17"});
  ASSERT_TRUE(c17);
  Outcome o = faultline({"bisect", "--axis", "lib"});
  EXPECT_EQ(o.status, 1) << o.err;
  json a = answer();
  EXPECT_EQ(a["outcome"], "culprit") << o.out << o.err;
  EXPECT_EQ(a["first_bad"], c17->substr(0, 12));
  // The user's checkout is untouched: still at c30, clean.
  auto status = runner::command_output({"git", "-C", (m_dir / "lib").string(), "status", "--porcelain"});
  ASSERT_TRUE(status);
  EXPECT_EQ(*status, "");
}

}  // namespace
}  // namespace faultline
