// End-to-end test of a 2-D bisect on the bundled example (examples/ffi-race):
// gatebind 0.8 and 0.9 double-free under every libgate in the gates workload,
// and 0.10 fixes it, so the newest pair passes while 16 pairs crash. From an
// earlier run's results, `faultline bisect --axes binding,library` (and plain
// `faultline bisect`, which follows the matrix's bisect.axes) bounds the
// crashing region, topping up the newest pair's runs to --runs-per-pair first.
// Real builds of libgate and gatebind under ASan, real stress runs.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support.h"

namespace faultline::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string k_matrix =
    std::string(FAULTLINE_SOURCE_DIR) + "/examples/ffi-race/faultline.yaml";

class BisectPlaneTest : public ScratchTest {
 protected:
  BisectPlaneTest() : ScratchTest("bisect-plane") {}
  // faultline COMMAND on the example, its state (builds, store, results.json) in the scratch
  // directory, every axis but binding and library fixed.
  Outcome example(const std::string& command, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {command,  k_matrix,         "--state-dir", state(),
                                     "--only", "sanitizer=asan", "--only",      "workload=gates",
                                     "--only", "threads=8"};
    argv.insert(argv.end(), args.begin(), args.end());
    return faultline(argv, std::chrono::minutes(20));
  }
  std::string state() const { return (m_dir / "state").string(); }
  json read_json(const std::string& name) const {
    return json::parse(read_text(m_dir / "state" / name), nullptr, false);
  }
};

TEST_F(BisectPlaneTest, TheBundledExampleBoundsTheCrashingRegionFromTheRunsEvidence) {
  // 40 pairs, 4 runs each unless one crashes: the newest pair (0.10 × 1.7) passes in 4.
  const Outcome run =
      example("run", {"--runs", "4", "--stop", "first-crash", "--out", state() + "/results.json"});
  ASSERT_EQ(run.status, 1) << run.out << run.err;
  ASSERT_EQ(read_json("results.json")["totals"]["crash"], 16) << run.out;

  const Outcome o = example("bisect", {"--axes", "binding,library"});
  ASSERT_EQ(o.status, 1) << o.out << o.err;
  EXPECT_THAT(o.err, HasSubstr("bisect: the newest pair binding=0.10 library=1.7 was silent in 4 "
                               "runs of the earlier run; 6 more settle whether the crash was "
                               "fixed on the way\n  binding=0.10 library=1.7: target in 0 of 6 "
                               "runs"))
      << o.err;
  EXPECT_THAT(o.out, HasSubstr("\nthe crashing region from the earlier run's results: 16 crashing "
                               "cells within binding 0.8–0.9 (first crashing 0.8, first fixed "
                               "0.10) × library 1.0–1.7 (from the oldest, to the newest)\n"
                               "  binding=0.6: no crash (0 of 8 cells with runs, 32 runs)\n"
                               "  binding=0.7: no crash (0 of 8 cells with runs, 32 runs)\n"
                               "  binding=0.8: crashes from library=1.0 to library=1.7 (8 of 8 "
                               "cells with runs)\n"
                               "  binding=0.9: crashes from library=1.0 to library=1.7 (8 of 8 "
                               "cells with runs)\n"
                               "  binding=0.10: no crash (0 of 8 cells with runs, 38 runs)\n"))
      << o.out;
  EXPECT_EQ(o.out.find("nothing to bisect"), std::string::npos) << o.out;

  const json b = read_json("results.json")["bisect"][0];
  EXPECT_EQ(b["status"], "region");
  EXPECT_EQ(b["axes"], json::array({"binding", "library"}));
  EXPECT_EQ(b["base"], "sanitizer=asan workload=gates threads=8");
  EXPECT_EQ(b["signature_text"], "asan double-free: gate_free_string > release > acquire_frame");
  EXPECT_EQ(b["region"]["cells"], 16);
  EXPECT_EQ(b["region"]["binding"], json::array({"0.8", "0.9"}));
  EXPECT_EQ(b["region"]["library"], json::array({"1.0", "1.7"}));
  EXPECT_EQ(b["runs"], 6);
  // Every build was the run's (cached); the 6 runs were the newest pair's.
  EXPECT_EQ(b["costs"]["builds"], 0);
  EXPECT_EQ(b["costs"]["runs"], 6);

  // Plain `faultline bisect` searches the matrix's bisect.axes, binding × library, the same way.
  const Outcome plain = example("bisect", {});
  ASSERT_EQ(plain.status, 1) << plain.out << plain.err;
  EXPECT_THAT(plain.out, HasSubstr("bisect binding × library (sanitizer=asan workload=gates "
                                   "threads=8), target "));
  EXPECT_THAT(plain.out, HasSubstr("16 crashing cells within binding 0.8–0.9 (first crashing "
                                   "0.8, first fixed 0.10) × library 1.0–1.7"));
  const json results = read_json("results.json");
  ASSERT_EQ(results["bisect"].size(), 1u) << results["bisect"].dump(1);
  EXPECT_EQ(results["bisect"][0]["region"], b["region"]);
  EXPECT_EQ(read_json("bisect-binding-library.json")["region"], b["region"]);
}

}  // namespace
}  // namespace faultline::e2e
