#include "reporters/grid.h"

#include <map>

namespace faultline::reporters {

using results::Results;

namespace {

int verdict_rank(const std::string& v) {
  if (v == "crash") return 5;
  if (v == "hang") return 4;
  if (v == "build-error") return 3;
  if (v == "pass") return 2;
  if (v == "skipped") return 1;
  return 0;
}

std::map<std::string, std::size_t> positions(const std::vector<std::string>& values) {
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < values.size(); ++i) index.emplace(values[i], i);
  return index;
}

void add(GridCell& g, const results::Cell& cell, std::size_t index) {
  g.cells.push_back(index);
  g.runs += cell.runs;
  g.crashes += cell.crashes;
  g.hangs += cell.hangs;
  const std::string& verdict = cell.verdict;
  if (verdict == "build-error") ++g.build_errors;
  if (verdict == "skipped") ++g.skipped;
  if (verdict_rank(verdict) > verdict_rank(g.verdict)) g.verdict = verdict;
}

}  // namespace

std::optional<Grid> make_grid(const Results& r) {
  std::vector<const results::Axis*> components;
  for (const auto& axis : r.axes)
    if (axis.kind == "component") components.push_back(&axis);
  if (components.empty()) return std::nullopt;
  Grid grid;
  grid.row_axis = components[0]->name;
  grid.rows = components[0]->values;
  if (components.size() > 1) {
    grid.column_axis = components[1]->name;
    grid.columns = components[1]->values;
  }
  if (grid.columns.empty()) grid.columns.push_back("");
  grid.at.resize(grid.rows.size() * grid.columns.size());
  const auto row_index = positions(grid.rows), column_index = positions(grid.columns);
  const auto value = [](const results::Cell& cell, const std::string& axis) {
    auto it = cell.values.find(axis);
    return it == cell.values.end() ? std::string() : it->second;
  };
  for (std::size_t i = 0; i < r.cells.size(); ++i) {
    auto row = row_index.find(value(r.cells[i], grid.row_axis));
    auto c = grid.column_axis.empty() ? column_index.find("")
                                      : column_index.find(value(r.cells[i], grid.column_axis));
    if (row == row_index.end() || c == column_index.end()) continue;
    add(grid.at[row->second * grid.columns.size() + c->second], r.cells[i], i);
  }
  return grid;
}

std::string grid_mark(const GridCell& g) {
  const auto of = [&](int n) { return std::to_string(n) + "/" + std::to_string(g.runs); };
  if (g.verdict == "crash") return "✗ " + of(g.crashes);
  if (g.verdict == "hang") return "hang " + of(g.hangs);
  if (g.verdict == "build-error") return "build error";
  if (g.verdict == "pass") return "✓ " + std::to_string(g.runs);
  if (g.verdict == "skipped") return "skipped";
  return "–";
}

}  // namespace faultline::reporters
