// The leading candidate and probes left of a 2-D bisect's progress, over
// staircases whose probes are known.
#include "pipeline/bisect_plane_lead.h"

#include <gtest/gtest.h>

namespace faultline::pipeline {
namespace {

bisect::Observation crash(int target, int runs) { return {runs, target, 0, false}; }
bisect::Observation pass(int runs) { return {runs, 0, 0, false}; }

// One row of four columns: the staircase is a 1-D bisect (columns 2, then 1 or 3).
TEST(PlaneLead, BeforeAnyProbeThereIsNoCornerAndTheReplaysGiveTheProbesLeft) {
  const PlaneLead lead = plane_lead(1, 4, {}, 10);
  EXPECT_FALSE(lead.corner);
  EXPECT_EQ(lead.posterior, 0);
  // Unprobed cells crashing: columns 2, 1, 0 (3 probes); passing: 2, 3 (2 probes).
  EXPECT_EQ(lead.probes_left, 3u);
}

TEST(PlaneLead, ACrashWithAnUnprobedPredecessorLeadsAtOneHalf) {
  const PlaneLead lead = plane_lead(1, 4, {{{0, 2}, crash(1, 1)}}, 10);
  ASSERT_TRUE(lead.corner);
  EXPECT_EQ(lead.corner->row, 0u);
  EXPECT_EQ(lead.corner->col, 2u);
  EXPECT_DOUBLE_EQ(lead.posterior, 0.5);
  EXPECT_EQ(lead.probes_left, 2u);  // column 1, then column 0 if it crashes: 1.5, rounded up
}

TEST(PlaneLead, ADeterministicCrashBesideTenSilentRunsIsCertain) {
  const PlaneLead lead = plane_lead(1, 4, {{{0, 2}, crash(1, 1)}, {{0, 1}, pass(10)}}, 10);
  ASSERT_TRUE(lead.corner);
  EXPECT_EQ(lead.corner->col, 2u);
  EXPECT_DOUBLE_EQ(lead.posterior, 1.0);
  EXPECT_EQ(lead.probes_left, 0u);
}

// 1 of 4 runs crashed: rate 0.25, so ten silent runs miss a crash with 0.75^10.
TEST(PlaneLead, AFlakyCrashLeadsWithThePosteriorOfItsPredecessorsSilence) {
  const PlaneLead lead = plane_lead(1, 4, {{{0, 2}, crash(1, 4)}, {{0, 1}, pass(10)}}, 10);
  EXPECT_NEAR(lead.posterior, 1 / (1 + 0.056313514709472656), 1e-12);
}

// Two rows: (1, 1) crashed, (0, 1) passed and covers (0, 0), so the corner (1, 1)
// waits on (1, 0) alone; the lower crash (1, 1) leads, not (1, 2) which dominates it.
TEST(PlaneLead, TheCornerIsTheMinimalCrashOfTheLowestRowAndAPassCoversItsPredecessors) {
  const PlaneProbes probed = {{{1, 1}, crash(1, 1)}, {{1, 2}, crash(1, 1)}, {{0, 1}, pass(10)}};
  const PlaneLead lead = plane_lead(2, 3, probed, 10);
  ASSERT_TRUE(lead.corner);
  EXPECT_EQ(lead.corner->row, 1u);
  EXPECT_EQ(lead.corner->col, 1u);
  EXPECT_DOUBLE_EQ(lead.posterior, 1.0 * 0.5);  // (0, 1) passed; (1, 0) unprobed
}

}  // namespace
}  // namespace faultline::pipeline
