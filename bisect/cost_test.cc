#include "bisect/cost.h"

#include <gtest/gtest.h>

#include <random>

#include "bisect/simulated_oracle.h"

namespace faultline::bisect {
namespace {

TEST(MeteredOracle, SplitsProbeTimeIntoBuildsAndRuns) {
  SimulatedAxis axis(std::vector<double>(8, 0.0), 1);
  TimedAxis timed(axis, 60, 1);
  MeteredOracle metered(timed, [&] { return timed.now; });
  ASSERT_TRUE(metered.observe(3, 2, false));
  // No version probed twice yet: a run looks as costly as the cheapest probe, a build free.
  EXPECT_DOUBLE_EQ(metered.run_seconds(), 31);
  EXPECT_DOUBLE_EQ(metered.build_seconds(), 0);
  ASSERT_TRUE(metered.observe(3, 4, false));
  ASSERT_TRUE(metered.observe(5, 1, false));
  EXPECT_DOUBLE_EQ(metered.run_seconds(), 1);
  EXPECT_DOUBLE_EQ(metered.build_seconds(), 60);
  EXPECT_EQ(metered.builds(), 2);
  EXPECT_EQ(metered.runs(), 7);
  EXPECT_DOUBLE_EQ(metered.seconds(), 127);
  EXPECT_EQ(describe_costs(metered),
            "2 versions built (60.0 s each), 7 runs (1.0 s each): 127.0 s probing");
}

// Probes whose builds and runs take what a script says: per probe, the build's
// seconds and the runs' seconds; `building` counts the build seconds.
class ScriptedAxis : public Oracle {
 public:
  explicit ScriptedAxis(std::vector<std::pair<double, double>> script)
      : m_script(std::move(script)) {}
  Expected<Observation> observe(std::size_t, int runs, bool) override {
    const auto [build, run] = m_script[m_next++];
    now += build + run;
    building += build;
    return Observation{runs, 0, 0, false};
  }
  double now = 0, building = 0;

 private:
  std::vector<std::pair<double, double>> m_script;
  std::size_t m_next = 0;
};

// A build clock splits a probe's time as the builds measured it, though a
// crashing run costs more than a passing one (crash analysis): builds of 0.2 s,
// then one run of 2 s and one of 0.1 s.
TEST(MeteredOracle, ABuildClockSplitsWhatTheBuildsMeasured) {
  ScriptedAxis axis({{0.2, 2}, {0.2, 0.1}});
  MeteredOracle metered(
      axis, [&] { return axis.now; }, [&] { return axis.building; });
  ASSERT_TRUE(metered.observe(3, 1, false));
  ASSERT_TRUE(metered.observe(4, 1, false));
  EXPECT_NEAR(metered.build_seconds(), 0.2, 1e-9);
  EXPECT_NEAR(metered.run_seconds(), 1.05, 1e-9);
}

struct Tally {
  int correct = 0, builds = 0, runs = 0;
  double seconds = 0;
};

// `trials` flaky searches (p = 0.3, 64 versions) on an axis whose builds take
// `build` seconds and runs 1 s, the search seeing the costs as measured.
Tally flaky_searches(double build, int trials) {
  Tally t;
  std::mt19937_64 pick(64);
  for (int trial = 0; trial < trials; ++trial) {
    const std::size_t first_bad = std::uniform_int_distribution<std::size_t>(1, 63)(pick);
    SimulatedAxis axis(SimulatedAxis::step(64, first_bad, 0.3), pick());
    TimedAxis timed(axis, build, 1);
    MeteredOracle metered(timed, [&] { return timed.now; });
    SearchOptions options;
    options.cost = [&] { return metered.cost(); };
    auto r = bisect_1d(64, metered, options);
    EXPECT_TRUE(r) << (r ? "" : r.error().message);
    if (!r) continue;
    t.correct += r->outcome == Outcome::culprit && r->first_bad == first_bad;
    t.builds += metered.builds();
    t.runs += metered.runs();
    t.seconds += timed.now;
  }
  return t;
}

// Builds of 60 s against runs of 1 s: the search reruns built versions before
// building new ones, so it builds fewer versions and takes less time, at the
// same accuracy; with free builds it is the most-informative-run search.
TEST(CostAwareSearch, ExpensiveBuildsBuildFewerVersionsAtTheSameAccuracy) {
  const int trials = 1000;
  const Tally free_builds = flaky_searches(0, trials);
  const Tally costly = flaky_searches(60, trials);
  std::cerr << "build 0 s: " << free_builds.correct << "/" << trials << " right, "
            << double(free_builds.builds) / trials << " builds, "
            << double(free_builds.runs) / trials << " runs\nbuild 60 s: " << costly.correct << "/"
            << trials << " right, " << double(costly.builds) / trials << " builds, "
            << double(costly.runs) / trials << " runs, " << costly.seconds / trials
            << " s (blind to costs: " << (free_builds.builds * 60.0 + free_builds.runs) / trials
            << " s)\n";
  EXPECT_GE(costly.correct, free_builds.correct - trials / 100);
  EXPECT_GE(costly.correct, trials * 98 / 100);
  EXPECT_LT(costly.builds, free_builds.builds);
  EXPECT_LT(costly.seconds, free_builds.builds * 60.0 + free_builds.runs);
}

}  // namespace
}  // namespace faultline::bisect
