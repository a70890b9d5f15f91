#include "bisect/cost.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
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

// A version built ahead (or earlier, or found in the cache) costs no build: its
// probe is runs alone, and the builds measured are the other version's.
TEST(MeteredOracle, AVersionAlreadyBuiltCountsNoBuild) {
  for (const bool told : {false, true}) {
    ScriptedAxis axis({{0, 2}, {60, 1}});  // version 3: built ahead; version 5: a 60 s build
    MeteredOracle metered(
        axis, [&] { return axis.now; }, [&] { return axis.building; });
    if (told) metered.set_built([](std::size_t v) { return v == 3; });
    ASSERT_TRUE(metered.observe(3, 1, false));
    ASSERT_TRUE(metered.observe(5, 1, false));
    EXPECT_EQ(metered.builds(), told ? 1 : 2);
    EXPECT_DOUBLE_EQ(metered.build_seconds(), told ? 60 : 30);
    EXPECT_DOUBLE_EQ(metered.run_seconds(), 1.5);
  }
}

// The versions a deterministic search over 17 versions probes, in order, with
// builds of 100 s and runs of 1 s, `built` telling which need no build.
std::vector<std::size_t> probes_with(std::function<bool(std::size_t)> built,
                                     std::vector<std::vector<std::size_t>>* prefetched) {
  SimulatedAxis axis(SimulatedAxis::step(17, 11, 1.0), 7);
  SearchOptions options;
  options.cost = [] { return ProbeCost{100, 1}; };
  options.built = std::move(built);
  options.prefetch = [&](std::size_t, const std::vector<std::size_t>& next) {
    prefetched->push_back(next);
  };
  auto r = bisect_1d(17, axis, options);
  EXPECT_TRUE(r && r->outcome == Outcome::culprit && r->first_bad == 11);
  std::vector<std::size_t> probes;
  if (r)
    for (const Step& s : r->steps)
      if (s.phase == Phase::search) probes.push_back(s.index);
  return probes;
}

// Builds of 100 runs' time make the search probe versions already built; one
// told built (made ahead) is priced so, and is never named to build ahead.
TEST(CostAwareSearch, AVersionBuiltAheadCostsNoBuild) {
  std::vector<std::vector<std::size_t>> blind_next, told_next;
  const auto blind = probes_with({}, &blind_next);
  const auto told = probes_with([](std::size_t v) { return v == 12; }, &told_next);
  // Blind to version 12's build, the search reruns built versions (7, then 9, 10)
  // rather than build; told, it probes 12 first, at no build.
  EXPECT_EQ(blind, (std::vector<std::size_t>{7, 7, 7, 7, 16, 11, 9, 9, 9, 9, 10, 10}));
  EXPECT_EQ(told,
            (std::vector<std::size_t>{12, 5, 5, 5, 5, 5, 8, 8, 8, 8, 10, 10, 10, 10, 12, 11}));
  for (const auto& next : told_next) EXPECT_EQ(std::count(next.begin(), next.end(), 12u), 0);
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
