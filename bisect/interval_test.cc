#include "bisect/interval.h"

#include <gtest/gtest.h>

#include "bisect/cost.h"
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

// The runs this search made that crashed with another signature, both ends'
// searches and the spread alike; the evidence's (3 here) are not its runs.
TEST(BisectInterval, CountsTheOtherCrashesOfItsOwnRuns) {
  SimulatedAxis axis(interval(64, 20, 45, 1.0), 7, 0.1);
  const std::vector<PriorObservation> evidence{{30, {10, 6, 3, false}}};
  IntervalReport r = must(bisect_interval(64, axis, {}, evidence));
  ASSERT_TRUE(r.start && r.end) << r.summary;
  EXPECT_GT(axis.other_runs(), 0);
  EXPECT_EQ(r.other_crashes, axis.other_runs());
  EXPECT_EQ(r.runs, axis.runs());
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

// With free builds the spread goes round by round across the axis (every
// version's first run, then each to 5, then each to 20); with a build that
// costs 60 runs, a built version reaches 5 runs before the next is built.
TEST(SpreadCosts, ExpensiveBuildsRerunBuiltVersionsBeforeBuildingNewOnes) {
  const std::vector<std::size_t> order = spread_order(64, 8);
  auto steps = [&](const ProbeCost& cost, int count) {
    std::vector<int> silent(64, 0);
    std::vector<std::pair<std::size_t, int>> taken;
    for (int i = 0; i < count; ++i) {
      auto step = next_spread_step(order, silent, 20, cost);
      if (!step) break;
      taken.emplace_back(step->version, step->goal);
      silent[step->version] = step->goal;
    }
    return taken;
  };
  using Steps = std::vector<std::pair<std::size_t, int>>;
  EXPECT_EQ(
      steps({0, 1}, 10),
      (Steps{
          {63, 1}, {0, 1}, {31, 1}, {15, 1}, {47, 1}, {7, 1}, {23, 1}, {39, 1}, {63, 5}, {0, 5}}));
  EXPECT_EQ(steps({60, 1}, 6), (Steps{{63, 1}, {63, 5}, {0, 1}, {0, 5}, {31, 1}, {31, 5}}));
  EXPECT_EQ(steps({60, 1}, 100).size(), 24u) << "8 versions, 3 rounds each: the stated power";
  EXPECT_FALSE(next_spread_step(order, std::vector<int>(64, 20), 20, {60, 1}));
}

struct SpreadTally {
  int found = 0, builds = 0;
  double seconds = 0;
};

// `trials` interval searches with no evidence for a 30% crash in versions
// 40..63 of 64 (the newest crashes, rarely), builds taking `build` seconds and
// runs 1 s, as measured (a build clock); the spread phase's builds and time.
SpreadTally flaky_spreads(double build, int trials) {
  SpreadTally t;
  for (int trial = 0; trial < trials; ++trial) {
    SimulatedAxis axis(interval(64, 40, 64, 0.3), 1000 + trial);
    TimedAxis timed(axis, build, 1);
    MeteredOracle metered(
        timed, [&] { return timed.now; }, [&] { return timed.building; });
    IntervalOptions options;
    options.find_start = options.find_end = false;  // the spread phase alone
    options.search.cost = [&] { return metered.cost(); };
    const IntervalReport r = must(bisect_interval(64, metered, options));
    t.found += r.crashes;
    t.builds += timed.builds();
    t.seconds += timed.now;
  }
  return t;
}

// Builds of 60 s against runs of 1 s: the spread reruns built versions before
// building new ones, so it builds fewer versions to meet the crash, and takes
// less time than building as if builds were free; it meets it every time.
TEST(SpreadCosts, ExpensiveBuildsBuildFewerVersionsToFindAFlakyCrash) {
  const int trials = 200;
  const SpreadTally cheap = flaky_spreads(0, trials), dear = flaky_spreads(60, trials);
  std::cerr << "spread, builds 0 s: " << double(cheap.builds) / trials
            << " builds; 60 s: " << double(dear.builds) / trials << " builds, "
            << dear.seconds / trials
            << " s (blind: " << (cheap.seconds + cheap.builds * 60.0) / trials << " s)\n";
  EXPECT_EQ(cheap.found, trials);
  EXPECT_EQ(dear.found, trials);
  EXPECT_LT(dear.builds * 3, cheap.builds * 2) << "at least a third fewer builds";
  EXPECT_LT(dear.seconds, cheap.seconds + cheap.builds * 60.0);
}

// Nothing crashes: expensive builds change the order, not the stated power:
// 8 versions, each 0 of 20 runs.
TEST(SpreadCosts, NoCrashStillReachesTheStatedPowerWithExpensiveBuilds) {
  SimulatedAxis axis(std::vector<double>(64, 0.0), 1);
  TimedAxis timed(axis, 60, 1);
  MeteredOracle metered(
      timed, [&] { return timed.now; }, [&] { return timed.building; });
  IntervalOptions options;
  options.search.cost = [&] { return metered.cost(); };
  const IntervalReport r = must(bisect_interval(64, metered, options));
  EXPECT_FALSE(r.crashes);
  EXPECT_EQ(r.runs, 160);
  EXPECT_EQ(timed.builds(), 8);
  EXPECT_EQ(r.spread.front().index, 63u);
  EXPECT_EQ(r.spread[1].index, 63u) << "the newest is rerun before the oldest is built";
}

}  // namespace
}  // namespace faultline::bisect
