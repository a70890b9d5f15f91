// reporters/grid.h — the matrix as a grid for people: the first component axis
// as rows, the second as columns, each grid cell aggregating every matrix cell
// with those two versions (over sanitizers, workloads, parameters). Markdown
// and HTML draw it; how to draw it is theirs.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "results/model.h"

namespace faultline::reporters {

struct GridCell {
  std::vector<std::size_t> cells;  // indexes into Results::cells
  int runs = 0;
  int crashes = 0;
  int hangs = 0;
  int build_errors = 0;  // matrix cells with verdict build-error
  int skipped = 0;
  // The most telling verdict of its cells: crash, hang, build-error, pass, skipped;
  // "" when no matrix cell has these versions (excluded, or not in this shard).
  std::string verdict;
};

struct Grid {
  std::string row_axis;              // first component axis
  std::string column_axis;           // second component axis; "" when there is one
  std::vector<std::string> rows;     // its values, in axis order
  std::vector<std::string> columns;  // its values; one "" column when there is none
  std::vector<GridCell> at;          // rows.size() × columns.size(), row-major

  const GridCell& cell(std::size_t r, std::size_t c) const { return at[r * columns.size() + c]; }
};

// The grid of `results`, or nullopt when it has no component axis.
std::optional<Grid> make_grid(const results::Results& results);

// A short mark for a grid cell, e.g. "✗ 3/20", "✓ 20", "hang 1/20", "build error", "–".
std::string grid_mark(const GridCell& cell);

}  // namespace faultline::reporters
