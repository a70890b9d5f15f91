#include "bisect/interval.h"

#include <gtest/gtest.h>

#include "bisect/simulated_oracle.h"

namespace faultline::bisect {
namespace {

IntervalReport must(Expected<IntervalReport> r) {
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : IntervalReport{};
}

// Rate p at versions start..end-1, 0 elsewhere.
std::vector<double> interval(std::size_t n, std::size_t start, std::size_t end, double p) {
  std::vector<double> rate(n, 0);
  for (std::size_t v = start; v < end; ++v) rate[v] = p;
  return rate;
}

TEST(SpreadOrder, NewestOldestThenMiddles) {
  EXPECT_EQ(spread_order(64, 8), (std::vector<std::size_t>{63, 0, 31, 15, 47, 7, 23, 39}));
  EXPECT_EQ(spread_order(3, 8), (std::vector<std::size_t>{2, 0, 1}));
  EXPECT_EQ(spread_order(2, 8), (std::vector<std::size_t>{1, 0}));
}

// The case: introduced at k, fixed at m < newest, no hints, no evidence.
TEST(BisectInterval, NewestAlreadyFixedNoHintsFindsBothEnds) {
  for (auto [k, m] : {std::pair<std::size_t, std::size_t>{20, 45}, {5, 30}, {33, 60}}) {
    SimulatedAxis axis(interval(64, k, m, 1.0), 1);
    IntervalReport r = must(bisect_interval(64, axis));
    ASSERT_TRUE(r.crashes) << r.summary;
    ASSERT_TRUE(r.start && r.end) << r.summary;
    EXPECT_EQ(r.start->outcome, Outcome::culprit) << r.summary;
    EXPECT_EQ(r.start->first_bad, k);
    EXPECT_EQ(r.start->last_good, k - 1);
    EXPECT_EQ(r.end->outcome, Outcome::culprit) << r.summary;
    EXPECT_EQ(r.end->first_bad, m) << "first fixed";
    EXPECT_EQ(r.end->last_good, m - 1) << "last crashing";
    EXPECT_FALSE(r.start_open);
    EXPECT_FALSE(r.end_open);
    EXPECT_EQ(r.runs, axis.runs());
    EXPECT_LE(r.runs, 60) << "k " << k << " m " << m << ": " << r.summary;
  }
}

TEST(BisectInterval, FlakyIntervalFromEvidence) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    SimulatedAxis axis(interval(64, 12, 40, 0.4), seed);
    const std::vector<PriorObservation> evidence{{25, {10, 4, 0, false}}, {63, {10, 0, 0, false}}};
    IntervalReport r = must(bisect_interval(64, axis, {}, evidence));
    ASSERT_TRUE(r.start && r.end) << r.summary;
    EXPECT_TRUE(r.spread.empty()) << "a crashing version was known";
    EXPECT_EQ(r.oldest_crash, 25u);
    EXPECT_EQ(r.start->first_bad, 12u) << "seed " << seed << ": " << r.summary;
    EXPECT_EQ(r.end->first_bad, 40u) << "seed " << seed << ": " << r.summary;
    EXPECT_LE(r.runs, 1500) << r.summary;
  }
}

TEST(BisectInterval, OpenStartAndSummary) {
  SimulatedAxis axis(interval(16, 0, 9, 1.0), 3);
  IntervalOptions options;
  for (int v = 0; v < 16; ++v) options.search.names.push_back("v" + std::to_string(v));
  IntervalReport r = must(bisect_interval(16, axis, options, {{4, {1, 1, 0, false}}}));
  EXPECT_TRUE(r.start_open) << r.summary;
  EXPECT_FALSE(r.end_open);
  ASSERT_TRUE(r.end);
  EXPECT_EQ(r.end->first_bad, 9u);
  EXPECT_EQ(
      r.summary,
      "the target crashes from the oldest version, v0 (start open) to v8 (first fixed v9) (12 "
      "runs)");
}

TEST(BisectInterval, OpenEndKeepsTheRegressionAnswer) {
  SimulatedAxis axis(SimulatedAxis::step(32, 17, 1.0), 1);
  IntervalReport r = must(bisect_interval(32, axis, {}, {{31, {1, 1, 0, false}}}));
  EXPECT_TRUE(r.end_open);
  EXPECT_FALSE(r.end);
  ASSERT_TRUE(r.start);
  EXPECT_EQ(r.start->outcome, Outcome::culprit);
  EXPECT_EQ(r.start->first_bad, 17u);
}

TEST(BisectInterval, FixedAloneSearchesOnlyTheEnd) {
  SimulatedAxis axis(interval(32, 4, 21, 1.0), 1);
  IntervalOptions options;
  options.find_start = false;
  IntervalReport r = must(bisect_interval(32, axis, options, {{10, {1, 1, 0, false}}}));
  EXPECT_FALSE(r.start);
  ASSERT_TRUE(r.end);
  EXPECT_EQ(r.end->first_bad, 21u);
  EXPECT_EQ(r.end->last_good, 20u);
}

TEST(BisectInterval, NoCrashAnywhereIsBoundedAndSaysSo) {
  SimulatedAxis axis(std::vector<double>(64, 0.0), 1);
  IntervalReport r = must(bisect_interval(64, axis));
  EXPECT_FALSE(r.crashes);
  EXPECT_EQ(r.runs, 8 * 20);
  EXPECT_EQ(r.runs, axis.runs());
  EXPECT_EQ(r.summary,
            "no version crashed: 8 versions spread across the axis (#63, #0, #31, #15, #47, #7, "
            "#23, #39), each 0 of 20 runs; crash rate < 14% at 95% (160 runs)");
}

}  // namespace
}  // namespace faultline::bisect
