// End-to-end test of building ahead: `faultline bisect -j 2` builds the
// versions the search would probe next while a probe runs, so a later probe
// finds its build in the cache; the answer is the one `-j 1` gives.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// 32 commits of a small program; commit 20 brings a heap-use-after-free that
// every run takes. Each build sleeps half a second, so builds overlap probes.
const char* k_history = R"sh(set -e
git init -q lib && cd lib && git config user.email t@t && git config user.name t
for i in $(seq 1 32); do
  if [ $i -ge 20 ]; then use='p[1]'; else use=0; fi
  printf '/* commit %s */\n#include <stdlib.h>\nint main(void) { char* volatile p = malloc(8); free(p); return %s; }\n' "$i" "$use" > lib.c
  git add lib.c && git commit -qm "commit $i" && git tag c$i
done
)sh";

class BisectAheadTest : public e2e::ScratchTest {
 protected:
  BisectAheadTest() : ScratchTest("bisect-ahead") {
    sh(k_history);
    write("faultline.yaml",
          "version: 1\ncomponents:\n  lib:\n    versions: { git: { repo: lib, range: c1..c32 } }\n"
          "    source: { git: lib }\n"
          "    build: sleep 0.5 && $CC $SAN_CFLAGS -g -o {{ prefix }}/prog lib.c $SAN_LDFLAGS\n"
          "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/prog\" }\n");
  }
  std::string commit(const std::string& tag) {
    auto hash = runner::command_output({"git", "-C", (m_dir / "lib").string(), "rev-parse", tag});
    return hash ? hash->substr(0, 12) : "?";
  }
  // faultline bisect with `jobs`, from a fresh state directory; its answer.
  nlohmann::json bisect(const std::string& jobs, e2e::Outcome* outcome) {
    sh("rm -rf .faultline");
    *outcome = faultline({"bisect", "--axis", "lib", "-j", jobs, "--no-results"});
    EXPECT_EQ(outcome->status, 1) << outcome->out << outcome->err;
    return nlohmann::json::parse(e2e::read_text(m_dir / ".faultline/bisect-lib.json"), nullptr,
                                 false);
  }
};

TEST_F(BisectAheadTest, TwoJobsBuildTheNextProbesAheadAndAnswerTheSame) {
  e2e::Outcome one, two;
  const nlohmann::json serial = bisect("1", &one);
  const nlohmann::json ahead = bisect("2", &two);
  ASSERT_TRUE(serial.is_object() && ahead.is_object()) << one.err << two.err;
  for (const nlohmann::json* a : {&serial, &ahead}) {
    EXPECT_EQ((*a)["outcome"], "culprit");
    EXPECT_EQ((*a)["first_bad"], commit("c20"));
    EXPECT_EQ((*a)["last_good"], commit("c19"));
  }
  EXPECT_FALSE(serial.contains("built_ahead")) << "-j 1 builds nothing ahead";
  EXPECT_THAT(one.err, Not(HasSubstr("built ahead")));
  // A later probe used a build made ahead: it was in the cache when chosen.
  ASSERT_TRUE(ahead.contains("built_ahead")) << two.err;
  const int built = ahead["built_ahead"]["built"], used = ahead["built_ahead"]["used"];
  EXPECT_GE(used, 1) << two.err;
  EXPECT_GE(built, used);
  EXPECT_THAT(two.err, HasSubstr("; its build was made ahead\n"));
  EXPECT_THAT(two.err, HasSubstr("; built ahead: " + std::to_string(built) + ", used " +
                                 std::to_string(used)));
  std::cerr << "-j 1: " << one.seconds << " s; -j 2: " << two.seconds << " s, built ahead " << built
            << ", used " << used << "\n";
}

}  // namespace
}  // namespace faultline
