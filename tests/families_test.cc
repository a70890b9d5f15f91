// End-to-end tests of crash families with the real binary: a release-build bug that dies of
// SIGSEGV in one run, SIGILL in the next and SIGABRT in a third is one bug. `faultline run`
// shows one family of three manifestations, and `faultline bisect --fixed` follows the family,
// not one of its signals, to the version that fixed it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "tests/support.h"

namespace faultline {
namespace {

using e2e::Outcome;
using nlohmann::json;
using ::testing::HasSubstr;

// Versions up to 3 die of a signal on every run, which one drawn from the run's number
// ($FAULTLINE_RUN_INDEX) and the version; from version 4 on they pass.
const char* k_workload = R"(. "$1/version.sh"
if [ "$V" -le 3 ]; then
  case $(( (FAULTLINE_RUN_INDEX * 7 + V) % 3 )) in
    0) kill -SEGV $$ ;;
    1) kill -ILL $$ ;;
    2) kill -ABRT $$ ;;
  esac
fi
echo ok
)";

const char* k_matrix = R"(version: 1
name: signals
components:
  lib:
    versions: ["1", "2", "3", "4", "5"]
    build: printf 'V=%s\n' {{ version }} > {{ prefix }}/version.sh && cp crash.sh {{ prefix }}/crash.sh
sanitizers: [none]
workloads:
  w: { run: "sh {{ prefix.lib }}/crash.sh {{ prefix.lib }}", timeout: 20s }
stress: { runs: 6, stop: all }
bisect: { axes: [lib], confidence: 0.99 }
)";

class FamiliesTest : public e2e::ScratchTest {
 protected:
  FamiliesTest() : ScratchTest("families") {
    write("crash.sh", k_workload);
    write("faultline.yaml", k_matrix);
  }
};

// The hash of the signature whose kind is `kind` ("" when none).
std::string hash_of(const json& results, const std::string& kind) {
  for (const auto& s : results["signatures"])
    if (s["kind"] == kind) return s["hash"];
  return "";
}

TEST_F(FamiliesTest, RunShowsOneBugWithThreeManifestations) {
  Outcome run = faultline({"run"});
  ASSERT_EQ(run.status, 1) << run.out << run.err;
  json r = results();
  ASSERT_EQ(r["signatures"].size(), 3u) << r["signatures"].dump(1);
  ASSERT_EQ(r["families"].size(), 1u) << r["families"].dump(1);
  const json& family = r["families"][0];
  const std::set<std::string> members = family["signatures"].get<std::set<std::string>>();
  EXPECT_EQ(members, (std::set<std::string>{hash_of(r, "SIGSEGV"), hash_of(r, "SIGILL"),
                                            hash_of(r, "SIGABRT")}));
  EXPECT_EQ(family["top_frame"], "");
  EXPECT_EQ(family["runs"], 18);  // every run of versions 1 to 3
  EXPECT_EQ(family["cells"].size(), 3u);
  for (const auto& s : r["signatures"]) {
    EXPECT_EQ(s["family"], family["hash"]);
    EXPECT_EQ(s["runs"], 6);
  }
  EXPECT_EQ(r["totals"]["families"], 1);
  EXPECT_THAT(family["attribution"].get<std::string>(),
              HasSubstr("appears in every cell with lib ≤ 3"));
  // The terminal leads with the family.
  EXPECT_THAT(run.out, HasSubstr("\n1 bug, 3 manifestations: signal SIG"));
  EXPECT_THAT(run.out, HasSubstr("1 bug (3 crash signatures) in 3 of 5 cells (30 runs)"));
  EXPECT_THAT(run.out, HasSubstr("  bug " + family["hash"].get<std::string>() +
                                 ": 3 manifestations: signal SIG"));
  EXPECT_THAT(
      run.out,
      HasSubstr(
          "    where: family " + family["hash"].get<std::string>() +
          " appears in every cell with lib ≤ 3 (3 of 3 cells) and in none of the other 2.\n"));

  Outcome md = faultline({"report", "--format", "md"});
  EXPECT_EQ(md.status, 0) << md.err;
  EXPECT_THAT(md.out, HasSubstr("## Crash families\n\n**1 bug, 3 manifestations: signal SIG"));
}

TEST_F(FamiliesTest, BisectFollowsTheFamilyToTheFirstFixedVersion) {
  ASSERT_EQ(faultline({"run"}).status, 1);
  Outcome fixed = faultline({"bisect", "--fixed", "--no-results"});
  EXPECT_EQ(fixed.status, 1) << fixed.out << fixed.err;
  EXPECT_THAT(fixed.err,
              HasSubstr("every frame-less crash (a signal alone, a one-line runtime panic)"));
  EXPECT_THAT(fixed.out, HasSubstr("first fixed: lib=4; last crashing: lib=3"));
  json a = bisect_answer("lib");
  EXPECT_EQ(a["outcome"], "culprit") << a.dump();
  EXPECT_EQ(a["first_bad"], "4");
  EXPECT_EQ(a["family"]["frameless"], true);
  EXPECT_GE(a["posterior"].get<double>(), 0.99);
  // Every run of a crashing version counted as the target, whichever signal it died of.
  json r = results();
  ASSERT_EQ(r["bisect"].size(), 1u);
  EXPECT_EQ(r["bisect"][0]["other_crashes"], 0) << r["bisect"][0].dump();
  EXPECT_EQ(r["bisect"][0]["crash_rate"]["estimate"], 1.0);
}

TEST_F(FamiliesTest, ASignatureWithoutFramesIsWidenedToItsFamilyAndSaysSo) {
  ASSERT_EQ(faultline({"run"}).status, 1);
  const std::string ill = hash_of(results(), "SIGILL");
  ASSERT_FALSE(ill.empty());
  Outcome fixed = faultline({"bisect", "--fixed", "--signature", ill});
  EXPECT_EQ(fixed.status, 1) << fixed.out << fixed.err;
  EXPECT_THAT(fixed.out, HasSubstr("target widened: " + ill +
                                   " has no frames, so its family is the target\n"));
  EXPECT_THAT(fixed.out, HasSubstr("first fixed: lib=4; last crashing: lib=3"));
  json a = bisect_answer("lib");
  EXPECT_EQ(a["family"]["widened"], true);
  EXPECT_EQ(a["family"]["signatures"].size(), 3u);
  EXPECT_EQ(a["first_bad"], "4");
}

}  // namespace
}  // namespace faultline
