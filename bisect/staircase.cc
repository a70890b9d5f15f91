#include "bisect/staircase.h"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

namespace faultline::bisect {

namespace {

// Answers no probe: the first cell asked of it is the search's next probe.
class NextProbe : public Oracle2D {
 public:
  std::optional<Cell> asked;
  Expected<Observation> observe(std::size_t row, std::size_t col, int, bool) override {
    asked = Cell{row, col};
    return fail(infrastructure("the next probe is found"));
  }
};

// Divide and conquer over rows: the first crashing column is non-increasing in
// the row, so the middle row's answer bounds the rows above and below it.
class Staircase {
 public:
  Staircase(std::size_t rows, std::size_t cols, Oracle2D& oracle, const StaircaseOptions& options)
      : m_rows(rows), m_cols(cols), m_oracle(oracle), m_options(options) {
    m_report.first_crashing_col.assign(rows, cols);
  }

  Expected<StaircaseReport> run();

 private:
  Expected<bool> crashes(std::size_t row, std::size_t col);
  Status solve(std::size_t row_lo, std::size_t row_hi, std::size_t col_lo, std::size_t col_hi);
  Expected<std::size_t> first_crash(std::size_t row, std::size_t lo, std::size_t hi);
  Status check_bounds(std::size_t row, std::size_t found, std::size_t lo, std::size_t hi);
  void find_corners();
  Cell witness(Cell cell, bool crashed) const;
  void prefetch(Cell probe) const;
  std::optional<Cell> next_probe(Cell probe, bool crashed) const;

  std::size_t m_rows, m_cols;
  Oracle2D& m_oracle;
  StaircaseOptions m_options;
  StaircaseReport m_report;
  std::map<std::pair<std::size_t, std::size_t>, bool> m_verdict;  // probed cells
};

Expected<bool> Staircase::crashes(std::size_t row, std::size_t col) {
  auto known = m_verdict.find({row, col});
  if (known != m_verdict.end()) return known->second;
  prefetch({row, col});
  FAULTLINE_TRY(Observation seen, m_oracle.observe(row, col, m_options.runs_per_cell, true));
  m_report.probed.push_back({{row, col}, seen});
  ++m_report.probes;
  m_report.runs += seen.runs;
  const bool crashed = seen.target > 0;  // an unbuildable cell counts as passing
  m_verdict[{row, col}] = crashed;
  return crashed;
}

// The cell the search would probe after `probe`, were it to crash (or pass):
// the search run again over the verdicts so far and that one, up to the first
// cell they do not answer. nullopt when they answer every probe (the search ends).
std::optional<Cell> Staircase::next_probe(Cell probe, bool crashed) const {
  NextProbe oracle;
  StaircaseOptions options = m_options;
  options.prefetch = nullptr;
  Staircase what_if(m_rows, m_cols, oracle, options);
  what_if.m_verdict = m_verdict;
  what_if.m_verdict[{probe.row, probe.col}] = crashed;
  (void)what_if.run();
  return oracle.asked;
}

// Tells the caller's prefetch the probe and the next after a crash, then after a pass.
void Staircase::prefetch(Cell probe) const {
  if (!m_options.prefetch) return;
  std::vector<Cell> next;
  for (const bool crashed : {true, false})
    if (const auto cell = next_probe(probe, crashed))
      if (std::find(next.begin(), next.end(), *cell) == next.end()) next.push_back(*cell);
  m_options.prefetch(probe, next);
}

// First crashing column of `row` in [lo, hi), or hi when none crashes there.
Expected<std::size_t> Staircase::first_crash(std::size_t row, std::size_t lo, std::size_t hi) {
  while (lo < hi) {
    const std::size_t mid = lo + (hi - lo) / 2;
    FAULTLINE_TRY(bool crashed, crashes(row, mid));
    if (crashed)
      hi = mid;
    else
      lo = mid + 1;
  }
  return lo;
}

// A probed cell with verdict `crashed` on the far side of `cell`: dominating it
// (row and column >=) for a pass, dominated by it for a crash.
Cell Staircase::witness(Cell cell, bool crashed) const {
  for (const auto& entry : m_verdict) {
    const Cell other{entry.first.first, entry.first.second};
    const bool dominates = other.row >= cell.row && other.col >= cell.col;
    const bool dominated = other.row <= cell.row && other.col <= cell.col;
    if (entry.second == crashed && !(other == cell) && (crashed ? dominated : dominates))
      return other;
  }
  return cell;
}

// Where a row's answer sits on a bound that monotonicity supplied, probe the
// implied cell beyond it: a disagreement is a contradiction.
Status Staircase::check_bounds(std::size_t row, std::size_t found, std::size_t lo, std::size_t hi) {
  if (found == lo && lo > 0) {
    FAULTLINE_TRY(bool crashed, crashes(row, lo - 1));  // implied to pass
    if (crashed) m_report.contradictions.push_back({{row, lo - 1}, witness({row, lo - 1}, false)});
  }
  if (found == hi && hi < m_cols) {
    FAULTLINE_TRY(bool crashed, crashes(row, hi));  // implied to crash
    if (!crashed) m_report.contradictions.push_back({witness({row, hi}, true), {row, hi}});
  }
  return Ok{};
}

Status Staircase::solve(std::size_t row_lo, std::size_t row_hi, std::size_t col_lo,
                        std::size_t col_hi) {
  if (row_lo >= row_hi) return Ok{};
  const std::size_t mid = row_lo + (row_hi - row_lo) / 2;
  FAULTLINE_TRY(std::size_t found, first_crash(mid, col_lo, col_hi));
  m_report.first_crashing_col[mid] = found;
  FAULTLINE_TRY(Ok below, solve(row_lo, mid, found, col_hi));
  FAULTLINE_TRY(Ok above, solve(mid + 1, row_hi, col_lo, found));
  (void)below;
  (void)above;
  return Ok{};
}

void Staircase::find_corners() {
  for (std::size_t row = 0; row < m_rows; ++row) {
    const std::size_t col = m_report.first_crashing_col[row];
    if (col < m_cols && (row == 0 || m_report.first_crashing_col[row - 1] > col)) {
      m_report.minimal_pairs.push_back({row, col});
    }
  }
}

Expected<StaircaseReport> Staircase::run() {
  FAULTLINE_TRY(Ok solved, solve(0, m_rows, 0, m_cols));
  (void)solved;
  // Check monotonicity where the search leaned on it: each row's neighbours.
  for (std::size_t row = 0; row < m_rows; ++row) {
    const std::size_t found = m_report.first_crashing_col[row];
    const std::size_t hi = row > 0 ? m_report.first_crashing_col[row - 1] : m_cols;
    const std::size_t lo = row + 1 < m_rows ? m_report.first_crashing_col[row + 1] : 0;
    FAULTLINE_TRY(Ok checked, check_bounds(row, found, lo, hi));
    (void)checked;
  }
  find_corners();
  return m_report;
}

}  // namespace

Expected<StaircaseReport> bisect_2d(std::size_t rows, std::size_t cols, Oracle2D& oracle,
                                    const StaircaseOptions& options) {
  if (rows == 0 || cols == 0)
    return fail(bad_input("bisect: a 2-D search needs two non-empty axes"));
  if (options.runs_per_cell < 1) return fail(bad_input("bisect: runs_per_cell must be at least 1"));
  Staircase staircase(rows, cols, oracle, options);
  return staircase.run();
}

}  // namespace faultline::bisect
