#include "bisect/search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "bisect/simulated_oracle.h"

namespace faultline::bisect {
namespace {

SearchReport must(Expected<SearchReport> r) {
  EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
  return r ? *r : SearchReport{};
}

TEST(Bisect1D, DeterministicCrashCostsAboutLog2N) {
  for (std::size_t first_bad : {1, 2, 17, 37, 62, 63}) {
    SimulatedAxis axis(SimulatedAxis::step(64, first_bad, 1.0), 1);
    SearchReport r = must(bisect_1d(64, axis));
    EXPECT_EQ(r.outcome, Outcome::culprit) << r.summary;
    EXPECT_EQ(r.first_bad, first_bad);
    EXPECT_EQ(r.last_good, first_bad - 1);
    EXPECT_GE(r.posterior, 0.99);
    EXPECT_LE(r.runs, 24) << "first bad " << first_bad;
    EXPECT_EQ(r.runs, axis.runs());
    EXPECT_EQ(r.verify_culprit.target, 1);
    EXPECT_EQ(r.verify_predecessor.target, 0);
    EXPECT_DOUBLE_EQ(r.rate.estimate, 1.0);
  }
}

TEST(Bisect1D, FindsFlakyCrashesWithUnknownRate) {
  for (double p : {0.5, 0.2, 0.05}) {
    for (std::uint64_t seed = 1; seed <= 4; ++seed) {
      const std::size_t first_bad = 5 + seed * 11;
      SimulatedAxis axis(SimulatedAxis::step(64, first_bad, p), seed);
      SearchReport r = must(bisect_1d(64, axis));
      EXPECT_EQ(r.outcome, Outcome::culprit) << "p " << p << " seed " << seed << ": " << r.summary;
      EXPECT_EQ(r.first_bad, first_bad) << "p " << p << " seed " << seed;
      EXPECT_GE(r.posterior, 0.99);
      EXPECT_GT(r.model_rate, p / 3);
      EXPECT_LT(r.model_rate, p * 3);
    }
  }
}

// The versions each probe's oracle call asked for, in order.
class Recorded : public Oracle {
 public:
  explicit Recorded(Oracle& inner) : m_inner(inner) {}
  Expected<Observation> observe(std::size_t index, int runs, bool stop_at_first) override {
    asked.push_back(index);
    return m_inner.observe(index, runs, stop_at_first);
  }
  std::vector<std::size_t> asked;

 private:
  Oracle& m_inner;
};

// What SearchOptions::prefetch was told, call by call.
struct PrefetchLog {
  std::vector<std::pair<std::size_t, std::vector<std::size_t>>> calls;
  SearchOptions options() {
    SearchOptions o;
    o.prefetch = [this](std::size_t probe, const std::vector<std::size_t>& next) {
      calls.emplace_back(probe, next);
    };
    return o;
  }
};

// A deterministic crash: before each search probe the search names the next
// version it will build under either outcome, and it is right every time: each
// new version probed after a search probe was named before it. It names no
// version already built, a few at most per probe, and probes exactly as
// without the hint (a hint only).
TEST(Prefetch, NamesTheNextNewVersionUnderEitherOutcome) {
  for (std::size_t first_bad : {1, 2, 17, 37, 62, 63}) {
    SimulatedAxis plain_axis(SimulatedAxis::step(64, first_bad, 1.0), 1);
    const SearchReport plain = must(bisect_1d(64, plain_axis));
    SimulatedAxis axis(SimulatedAxis::step(64, first_bad, 1.0), 1);
    Recorded recorded(axis);
    PrefetchLog log;
    const SearchReport r = must(bisect_1d(64, recorded, log.options()));
    EXPECT_EQ(r.first_bad, plain.first_bad);
    EXPECT_EQ(r.runs, plain.runs);
    ASSERT_EQ(r.steps.size(), plain.steps.size());
    for (std::size_t i = 0; i < r.steps.size(); ++i)
      EXPECT_EQ(r.steps[i].index, plain.steps[i].index) << "step " << i;
    ASSERT_FALSE(log.calls.empty());
    std::set<std::size_t> built;
    std::size_t call = 0, predicted = 0, new_after_probe = 0;
    for (std::size_t i = 0; i < recorded.asked.size(); ++i) {
      const std::size_t v = recorded.asked[i];
      if (call < log.calls.size() && log.calls[call].first == v) {
        const std::vector<std::size_t>& next = log.calls[call++].second;
        EXPECT_LE(next.size(), 4u);
        for (std::size_t w : next) EXPECT_FALSE(built.count(w) || w == v) << w << " is built";
        built.insert(v);
        if (i + 1 < recorded.asked.size() && !built.count(recorded.asked[i + 1])) {
          ++new_after_probe;
          const std::size_t w = recorded.asked[i + 1];
          predicted += std::find(next.begin(), next.end(), w) != next.end();
        }
      }
      built.insert(v);
    }
    EXPECT_EQ(call, log.calls.size()) << "every call names the probe that follows it";
    EXPECT_GE(new_after_probe, 4u) << "first bad " << first_bad;
    EXPECT_EQ(predicted, new_after_probe) << "first bad " << first_bad;
  }
}

// A flaky crash: the hint does not change one probe either.
TEST(Prefetch, IsAHintOnlyForFlakyCrashesToo) {
  SimulatedAxis plain_axis(SimulatedAxis::step(64, 37, 0.3), 5);
  const SearchReport plain = must(bisect_1d(64, plain_axis));
  SimulatedAxis axis(SimulatedAxis::step(64, 37, 0.3), 5);
  PrefetchLog log;
  const SearchReport r = must(bisect_1d(64, axis, log.options()));
  EXPECT_EQ(r.first_bad, 37u) << r.summary;
  EXPECT_EQ(r.runs, plain.runs);
  EXPECT_EQ(r.steps.size(), plain.steps.size());
  EXPECT_GE(log.calls.size(), 6u);
}

TEST(Bisect1D, StepLogShowsEveryObservation) {
  SimulatedAxis axis(SimulatedAxis::step(16, 9, 1.0), 1);
  SearchReport r = must(bisect_1d(16, axis));
  int runs = 0;
  for (const Step& s : r.steps) runs += s.seen.runs;
  EXPECT_EQ(runs, r.runs);
  EXPECT_EQ(r.steps.front().phase, Phase::bad_end);
  EXPECT_EQ(r.steps.front().index, 15u);
  // The verification reruns the culprit (9) and its predecessor (8); the
  // successor's spot-check is skipped when the search already saw it crash.
  std::vector<std::size_t> verified;
  for (const Step& s : r.steps)
    if (s.phase == Phase::verify) verified.push_back(s.index);
  ASSERT_GE(verified.size(), 2u);
  EXPECT_EQ(verified[0], 9u);
  EXPECT_EQ(verified[1], 8u);
  EXPECT_EQ(r.steps.back().leading, 9u);
}

TEST(Bisect1D, UnrelatedCrashesDoNotMisleadIt) {
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    SimulatedAxis axis(SimulatedAxis::step(64, 23, 0.5), seed, 0.1);
    SearchReport r = must(bisect_1d(64, axis));
    EXPECT_EQ(r.outcome, Outcome::culprit) << r.summary;
    EXPECT_EQ(r.first_bad, 23u);
    EXPECT_GT(r.other_crashes, 0);
  }
}

// The same bug on both sides of version `change`, at rate `p`: before it (or,
// `fixed`, from it on) every crash has another signature than the target's.
class ManifestationSwap : public Oracle {
 public:
  ManifestationSwap(std::size_t change, double p, bool fixed, std::uint64_t seed)
      : m_change(change), m_p(p), m_fixed(fixed), m_rng(seed) {}
  Expected<Observation> observe(std::size_t index, int runs, bool stop_at_first) override {
    Observation seen;
    const bool target_side = (index >= m_change) != m_fixed;
    std::uniform_real_distribution<double> u(0, 1);
    for (int r = 0; r < runs; ++r) {
      ++seen.runs;
      if (u(m_rng) >= m_p) continue;
      if (!target_side) {
        ++seen.other;
        continue;
      }
      ++seen.target;
      if (stop_at_first) break;
    }
    return seen;
  }

 private:
  std::size_t m_change;
  double m_p;
  bool m_fixed;
  std::mt19937_64 m_rng;
};

TEST(Bisect1D, ATargetThatStopsWhileOtherCrashesGoOnAtItsRateIsAChangedManifestationNotAFix) {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    ManifestationSwap axis(6, 0.6, /*fixed=*/true, seed);
    SearchOptions options;
    options.fixed = true;
    options.names = {"v0", "v1", "v2", "v3", "v4", "v5", "v6", "v7"};
    SearchReport r = must(bisect_1d(8, axis, options));
    EXPECT_EQ(r.outcome, Outcome::manifestation_changed) << r.summary;
    EXPECT_EQ(outcome_name(r.outcome), "manifestation-changed");
    EXPECT_EQ(r.first_bad, 6u);
    EXPECT_GT(r.without_target.target, 0);
    EXPECT_EQ(
        r.summary.rfind(
            "the manifestation changed: the target stops at v6, but v6 still crashes with other "
            "signatures at the same rate (",
            0),
        0u)
        << r.summary;
    EXPECT_NE(r.summary.find(" crashing at v5); not a fix ("), std::string::npos) << r.summary;
  }
}

// 1% of runs everywhere crash with an unrelated signature and the target is
// rare (5%): a stray unrelated crash at the last good version is noise, not the
// bug in another guise (before this check, half of these searches said so).
TEST(Bisect1D, UnrelatedCrashesEverywhereAreNotAChangedManifestation) {
  std::mt19937_64 pick(7);
  int culprits = 0;
  for (int trial = 0; trial < 40; ++trial) {
    const std::size_t first_bad = std::uniform_int_distribution<std::size_t>(1, 63)(pick);
    SimulatedAxis axis(SimulatedAxis::step(64, first_bad, 0.05), pick(), 0.01);
    SearchReport r = must(bisect_1d(64, axis));
    EXPECT_NE(r.outcome, Outcome::manifestation_changed) << r.summary;
    culprits += r.outcome == Outcome::culprit && r.first_bad == first_bad;
  }
  EXPECT_GE(culprits, 39);
}

TEST(Bisect1D, ATargetThatAppearsWhereOtherCrashesWereIsAChangedManifestationNotACulprit) {
  ManifestationSwap axis(3, 1.0, /*fixed=*/false, 7);
  SearchReport r = must(bisect_1d(8, axis));
  EXPECT_EQ(r.outcome, Outcome::manifestation_changed) << r.summary;
  EXPECT_EQ(r.first_bad, 3u);
  EXPECT_NE(r.summary.find("#2 already crashes with other signatures at the same rate"),
            std::string::npos)
      << r.summary;
  EXPECT_NE(r.summary.find("not a culprit"), std::string::npos) << r.summary;
}

TEST(Bisect1D, GoesAroundUnbuildableVersions) {
  SimulatedAxis axis(SimulatedAxis::step(64, 40, 1.0), 1, 0, {10, 11, 12, 30, 50});
  SearchReport r = must(bisect_1d(64, axis));
  EXPECT_EQ(r.outcome, Outcome::culprit) << r.summary;
  EXPECT_EQ(r.first_bad, 40u);
}

TEST(Bisect1D, UnbuildableVersionsAtTheChangeLeaveARange) {
  // 30 and 31 never build; the change is at 31, so 30, 31 or 32 could be first.
  SimulatedAxis axis(SimulatedAxis::step(64, 31, 0.5), 3, 0, {30, 31});
  SearchReport r = must(bisect_1d(64, axis));
  EXPECT_EQ(r.outcome, Outcome::range) << r.summary;
  EXPECT_EQ(r.last_good, 29u);
  EXPECT_EQ(r.first_bad, 32u);
  EXPECT_GE(r.posterior, 0.99);
  EXPECT_EQ(r.unbuildable, (std::vector<std::size_t>{30, 31}));
}

TEST(Bisect1D, GoodEndCrashingMeansNotOnThisAxis) {
  SimulatedAxis axis(std::vector<double>(32, 0.9), 7);
  SearchReport r = must(bisect_1d(32, axis));
  EXPECT_EQ(r.outcome, Outcome::not_on_axis) << r.summary;
  EXPECT_EQ(r.summary, "the good end crashes too: the cause is not on this axis (" +
                           std::to_string(r.runs) + " runs)");
  // It says so only after seeing the good end itself crash.
  int good_end_crashes = 0;
  for (const Step& s : r.steps)
    if (s.index == 0) good_end_crashes += s.seen.target;
  EXPECT_GT(good_end_crashes, 0);
  EXPECT_LE(r.runs, 12);
}

TEST(Bisect1D, TheSameRateEverywhereIsNeverACulprit) {
  for (std::uint64_t seed = 1; seed <= 6; ++seed) {
    SimulatedAxis axis(std::vector<double>(32, 0.3), seed);
    SearchReport r = must(bisect_1d(32, axis));
    EXPECT_TRUE(r.outcome == Outcome::not_on_axis || r.outcome == Outcome::noise)
        << "seed " << seed << ": " << r.summary;
  }
}

TEST(Bisect1D, BadEndThatNeverCrashes) {
  SimulatedAxis axis(std::vector<double>(32, 0.0), 7);
  SearchOptions options;
  options.max_end_runs = 50;
  SearchReport r = must(bisect_1d(32, axis, options));
  EXPECT_EQ(r.outcome, Outcome::bad_end_passes);
  EXPECT_EQ(r.runs, 50);
}

TEST(Bisect1D, NonMonotoneTrapIsNotNamedACulprit) {
  // The target crashes at odd versions only: no single change explains it.
  std::vector<double> rate(64, 0);
  for (std::size_t v = 1; v < 64; v += 2) rate[v] = 0.6;
  for (std::uint64_t seed = 1; seed <= 4; ++seed) {
    SimulatedAxis axis(rate, seed);
    SearchReport r = must(bisect_1d(64, axis));
    EXPECT_EQ(r.outcome, Outcome::noise) << "seed " << seed << ": " << r.summary;
    EXPECT_FALSE(r.contradicting.empty());
  }
}

TEST(Bisect1D, FixModeFindsWhereTheCrashStops) {
  for (double p : {1.0, 0.3}) {
    SimulatedAxis axis(SimulatedAxis::step(48, 20, p, /*fixed=*/true), 5);
    SearchOptions options;
    options.fixed = true;
    SearchReport r = must(bisect_1d(48, axis, options));
    EXPECT_EQ(r.outcome, Outcome::culprit) << r.summary;
    EXPECT_EQ(r.first_bad, 20u);           // first fixed
    EXPECT_EQ(r.last_good, 19u);           // last crashing
    EXPECT_EQ(r.steps.front().index, 0u);  // the crashing end is checked first
  }
}

TEST(Bisect1D, BudgetLeavesAnHonestRange) {
  SimulatedAxis axis(SimulatedAxis::step(256, 100, 0.05), 11);
  SearchOptions options;
  options.max_runs = 150;
  SearchReport r = must(bisect_1d(256, axis, options));
  EXPECT_EQ(r.outcome, Outcome::range) << r.summary;
  EXPECT_LE(r.runs, 150);
  EXPECT_LT(r.last_good, 100u);
  EXPECT_GE(r.first_bad, 100u);
}

// An Oracle that fails after a number of calls, as if faultline were killed.
class Interrupted : public Oracle {
 public:
  Interrupted(Oracle& inner, int calls) : m_inner(inner), m_left(calls) {}
  Expected<Observation> observe(std::size_t i, int runs, bool stop) override {
    if (m_left-- <= 0) return fail(infrastructure("interrupted"));
    return m_inner.observe(i, runs, stop);
  }

 private:
  Oracle& m_inner;
  int m_left;
};

TEST(Bisect1D, ResumesFromRecordedObservationsWithoutRepeating) {
  SimulatedAxis whole_axis(SimulatedAxis::step(128, 77, 0.3), 9);
  SearchReport whole = must(bisect_1d(128, whole_axis));

  SimulatedAxis axis(SimulatedAxis::step(128, 77, 0.3), 9);
  std::vector<PriorObservation> saved;
  ObservationSink sink = [&saved](std::size_t i, const Observation& o) { saved.push_back({i, o}); };
  Interrupted dying(axis, 6);
  EXPECT_FALSE(bisect_1d(128, dying, {}, {}, sink).has_value());
  ASSERT_EQ(saved.size(), 6u);

  SearchReport resumed = must(bisect_1d(128, axis, {}, saved, sink));
  EXPECT_EQ(resumed.first_bad, whole.first_bad);
  EXPECT_EQ(resumed.posterior, whole.posterior);
  EXPECT_EQ(resumed.runs, whole.runs);
  EXPECT_EQ(axis.runs(), whole_axis.runs());  // the same runs, none repeated
  EXPECT_EQ(resumed.steps.size(), whole.steps.size());
}

TEST(Bisect1D, UsesEarlierRunResultsAsEvidence) {
  // `faultline run` already ran both ends 20 times: no end check is needed.
  SimulatedAxis axis(SimulatedAxis::step(32, 12, 1.0), 1);
  std::vector<PriorObservation> run_results = {{0, {20, 0, 0, false}}, {31, {20, 20, 0, false}}};
  SearchReport r = must(bisect_1d(32, axis, {}, run_results));
  EXPECT_EQ(r.first_bad, 12u);
  EXPECT_EQ(r.steps[0].phase, Phase::prior);
  EXPECT_EQ(r.steps[1].phase, Phase::prior);
  EXPECT_EQ(r.steps[2].phase, Phase::search);
  EXPECT_EQ(r.runs, axis.runs());
}

TEST(Bisect1D, RejectsAnAxisOfOne) {
  SimulatedAxis axis({1.0}, 1);
  Expected<SearchReport> r = bisect_1d(1, axis);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "bisect: an axis needs at least two versions, got 1");
}

}  // namespace
}  // namespace faultline::bisect

namespace faultline::bisect {
namespace {

TEST(DescribeCounts, CountsWithTheirInterval) {
  EXPECT_EQ(describe_counts(7, 7), "7 of 7 runs; ≥ 65% at 95%");
  EXPECT_EQ(describe_counts(0, 30), "0 of 30 runs; < 10% at 95%");
  EXPECT_EQ(describe_counts(3, 20), "3 of 20 runs; 5%–36% at 95%");
  EXPECT_EQ(describe_counts(0, 0), "0 of 0 runs");
}

TEST(Bisect1D, FixedStepLogLeadsWithTheFirstFixedVersion) {
  SimulatedAxis axis(SimulatedAxis::step(16, 9, 1.0, /*fixed=*/true), 1);
  SearchOptions options;
  options.fixed = true;
  auto r = bisect_1d(16, axis, options);
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->first_bad, 9u) << r->summary;
  EXPECT_EQ(r->steps.back().leading, 9u) << "the step log names the first fixed version";
}

}  // namespace
}  // namespace faultline::bisect
