#include "bisect/staircase.h"

#include <gtest/gtest.h>

#include <random>
#include <set>

namespace faultline::bisect {
namespace {

// A grid whose cell (i, j) crashes with rate p when j >= edge[i] (edge non-increasing).
class SimulatedGrid : public Oracle2D {
 public:
  SimulatedGrid(std::vector<std::size_t> edge, double p, std::uint64_t seed)
      : m_edge(std::move(edge)), m_p(p), m_rng(seed) {}
  std::set<std::pair<std::size_t, std::size_t>> flipped;  // cells whose verdict is inverted

  Expected<Observation> observe(std::size_t i, std::size_t j, int runs, bool stop) override {
    bool bad = j >= m_edge[i];
    if (flipped.count({i, j})) bad = !bad;
    Observation seen;
    std::uniform_real_distribution<double> u(0, 1);
    while (seen.runs < runs) {
      ++seen.runs;
      if (bad && u(m_rng) < m_p) {
        ++seen.target;
        if (stop) break;
      }
    }
    ++m_probes[{i, j}];
    return seen;
  }
  int cells_probed() const { return int(m_probes.size()); }

 private:
  std::vector<std::size_t> m_edge;
  double m_p;
  std::mt19937_64 m_rng;
  std::map<std::pair<std::size_t, std::size_t>, int> m_probes;
};

std::vector<std::size_t> random_staircase(std::size_t rows, std::size_t cols, std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<std::size_t> edge(rows);
  std::size_t col = cols;
  for (std::size_t i = 0; i < rows; ++i) {
    col = std::uniform_int_distribution<std::size_t>(0, col)(rng) / 2 + col / 2;
    edge[i] = col;
  }
  return edge;
}

TEST(Bisect2D, FindsARandomStaircaseWithFewProbes) {
  for (std::uint64_t seed = 1; seed <= 5; ++seed) {
    const std::vector<std::size_t> edge = random_staircase(32, 32, seed);
    SimulatedGrid grid(edge, 1.0, seed);
    StaircaseReport r = *bisect_2d(32, 32, grid);
    EXPECT_EQ(r.first_crashing_col, edge);
    EXPECT_TRUE(r.contradictions.empty());
    EXPECT_EQ(r.probes, grid.cells_probed());
    EXPECT_LT(r.probes, 300) << "seed " << seed;
  }
}

TEST(Bisect2D, MinimalPairsAreTheCorners) {
  // rows 0..3: edges 5, 5, 2, 0 → corners (0,5), (2,2), (3,0).
  SimulatedGrid grid({5, 5, 2, 0}, 1.0, 1);
  StaircaseReport r = *bisect_2d(4, 8, grid);
  EXPECT_EQ(r.minimal_pairs, (std::vector<Cell>{{0, 5}, {2, 2}, {3, 0}}));
}

TEST(Bisect2D, RowsThatNeverCrash) {
  SimulatedGrid grid({8, 8, 8, 3}, 1.0, 1);
  StaircaseReport r = *bisect_2d(4, 8, grid);
  EXPECT_EQ(r.first_crashing_col, (std::vector<std::size_t>{8, 8, 8, 3}));
  EXPECT_EQ(r.minimal_pairs, (std::vector<Cell>{{3, 3}}));
}

TEST(Bisect2D, FlakyCellsAtHalfRate) {
  const std::vector<std::size_t> edge = random_staircase(16, 16, 3);
  SimulatedGrid grid(edge, 0.5, 3);
  StaircaseOptions options;
  options.runs_per_cell = 12;
  StaircaseReport r = *bisect_2d(16, 16, grid, options);
  EXPECT_EQ(r.first_crashing_col, edge);
}

TEST(Bisect2D, ReportsACellThatContradictsMonotonicity) {
  // Rows 0..7, edges all 4; cell (2, 3) crashes although (3, 3), which follows
  // it on both axes, passes.
  SimulatedGrid grid(std::vector<std::size_t>(8, 4), 1.0, 1);
  grid.flipped.insert({2, 3});
  StaircaseReport r = *bisect_2d(8, 8, grid);
  ASSERT_EQ(r.contradictions.size(), 1u);
  EXPECT_EQ(r.contradictions[0].crashing, (Cell{2, 3}));
  EXPECT_GE(r.contradictions[0].passing.row, 2u);
  EXPECT_GE(r.contradictions[0].passing.col, 3u);
}

// Rows 0..2 of 4 columns, edges 4, 2, 1: the probes are (1,2) crash, (1,1)
// pass, (0,3) pass, (2,1) crash, (2,0) pass. Before each, prefetch hears the
// probe and the next after a crash, then after a pass: after (2,1) passing, the
// monotonicity check would probe (2,2); after (2,0) either way the search ends.
TEST(Bisect2D, PrefetchIsToldTheNextProbeOfEitherOutcome) {
  SimulatedGrid grid({4, 2, 1}, 1.0, 1);
  std::vector<std::pair<Cell, std::vector<Cell>>> told;
  StaircaseOptions options;
  options.runs_per_cell = 3;
  options.prefetch = [&](Cell probe, const std::vector<Cell>& next) {
    told.emplace_back(probe, next);
  };
  StaircaseReport r = *bisect_2d(3, 4, grid, options);
  EXPECT_EQ(r.first_crashing_col, (std::vector<std::size_t>{4, 2, 1}));
  const std::vector<std::pair<Cell, std::vector<Cell>>> expected = {{{1, 2}, {{1, 1}, {1, 3}}},
                                                                    {{1, 1}, {{1, 0}, {0, 3}}},
                                                                    {{0, 3}, {{0, 2}, {2, 1}}},
                                                                    {{2, 1}, {{2, 0}, {2, 2}}},
                                                                    {{2, 0}, {}}};
  ASSERT_EQ(told.size(), expected.size());
  for (std::size_t i = 0; i < told.size(); ++i) {
    EXPECT_EQ(told[i].first, expected[i].first) << "call " << i;
    EXPECT_EQ(told[i].second, expected[i].second) << "call " << i;
  }
  ASSERT_EQ(r.probed.size(), told.size());
  for (std::size_t i = 0; i < told.size(); ++i) EXPECT_EQ(r.probed[i].cell, told[i].first);
}

TEST(Bisect2D, RejectsAnEmptyAxis) {
  SimulatedGrid grid({}, 1.0, 1);
  Expected<StaircaseReport> r = bisect_2d(0, 8, grid);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "bisect: a 2-D search needs two non-empty axes");
}

}  // namespace
}  // namespace faultline::bisect
