#include "bisect/attribution.h"

#include <algorithm>
#include <set>

namespace faultline::bisect {

namespace {

// Cells as value positions per axis, with whether each shows the signature.
struct Table {
  std::vector<std::vector<std::size_t>> position;  // [cell][axis]
  std::vector<bool> shows;
};

struct Atom {
  std::size_t axis = 0;
  Comparison comparison = Comparison::equals;
  std::size_t value = 0;
  std::size_t upper = 0;  // with `between`
};

// Ranges inside an ordered axis ("0.8 ≤ binding ≤ 0.9") are tried on axes this
// short only: their number grows with the square of the axis, and pairs of
// candidates with its fourth power.
constexpr std::size_t k_max_range_axis = 16;

Expected<Table> tabulate(const AttributionInput& input) {
  Table table;
  for (std::size_t c = 0; c < input.cells.size(); ++c) {
    const CellResult& cell = input.cells[c];
    if (cell.runs <= 0) continue;
    std::vector<std::size_t> row;
    for (const AttributionAxis& axis : input.axes) {
      auto it = cell.values.find(axis.name);
      if (it == cell.values.end()) {
        return fail(bad_input("attribution: cell " + std::to_string(c) +
                              " has no value for axis '" + axis.name + "'"));
      }
      auto at = std::find(axis.values.begin(), axis.values.end(), it->second);
      if (at == axis.values.end()) {
        return fail(bad_input("attribution: cell " + std::to_string(c) + " has " + axis.name +
                              "='" + it->second + "', not one of the axis's values"));
      }
      row.push_back(std::size_t(at - axis.values.begin()));
    }
    table.position.push_back(std::move(row));
    table.shows.push_back(cell.target > 0);
  }
  return table;
}

bool holds(const Atom& atom, const std::vector<std::size_t>& row) {
  const std::size_t v = row[atom.axis];
  switch (atom.comparison) {
    case Comparison::at_least:
      return v >= atom.value;
    case Comparison::at_most:
      return v <= atom.value;
    case Comparison::equals:
      return v == atom.value;
    case Comparison::between:
      return v >= atom.value && v <= atom.upper;
  }
  return false;
}

// Thresholds first on ordered axes (they read as "from this version on"), then single values.
std::vector<Atom> atoms(const AttributionInput& input) {
  std::vector<Atom> out;
  for (std::size_t a = 0; a < input.axes.size(); ++a) {
    const std::size_t n = input.axes[a].values.size();
    if (!input.axes[a].ordered) continue;
    for (std::size_t v = 1; v < n; ++v) out.push_back({a, Comparison::at_least, v});
    for (std::size_t v = 0; v + 1 < n; ++v) out.push_back({a, Comparison::at_most, v});
  }
  for (std::size_t a = 0; a < input.axes.size(); ++a) {
    for (std::size_t v = 0; v < input.axes[a].values.size(); ++v)
      out.push_back({a, Comparison::equals, v});
  }
  // Then ranges that touch neither end (those are thresholds).
  for (std::size_t a = 0; a < input.axes.size(); ++a) {
    const std::size_t n = input.axes[a].values.size();
    if (!input.axes[a].ordered || n > k_max_range_axis) continue;
    for (std::size_t lo = 1; lo + 1 < n; ++lo)
      for (std::size_t hi = lo + 1; hi + 1 < n; ++hi)
        out.push_back({a, Comparison::between, lo, hi});
  }
  return out;
}

// How many cells a conjunction of atoms predicts right, and how many meet it.
int explained(const Table& table, const std::vector<Atom>& all, int* matching) {
  int right = 0;
  *matching = 0;
  for (std::size_t c = 0; c < table.shows.size(); ++c) {
    bool meets = true;
    for (const Atom& atom : all) meets = meets && holds(atom, table.position[c]);
    *matching += meets;
    right += meets == table.shows[c];
  }
  return right;
}

// The simplest exact explanation, or failing that the closest one.
std::vector<Atom> explain(const Table& table, const std::vector<Atom>& candidates, bool* exact) {
  const int cells = int(table.shows.size());
  std::vector<Atom> best;
  int best_right = -1, matching = 0;
  for (const Atom& a : candidates) {
    const int right = explained(table, {a}, &matching);
    if (right == cells) {
      *exact = true;
      return {a};
    }
    if (right > best_right) {
      best_right = right;
      best = {a};
    }
  }
  for (std::size_t i = 0; i < candidates.size(); ++i) {
    for (std::size_t j = i + 1; j < candidates.size(); ++j) {
      if (candidates[i].axis == candidates[j].axis) continue;
      const int right = explained(table, {candidates[i], candidates[j]}, &matching);
      if (right == cells) {
        *exact = true;
        return {candidates[i], candidates[j]};
      }
      if (right > best_right) {
        best_right = right;
        best = {candidates[i], candidates[j]};
      }
    }
  }
  *exact = false;
  return best;
}

std::string describe(const AttributionInput& input, const Condition& c) {
  if (c.comparison == Comparison::between) return c.value + " ≤ " + c.axis + " ≤ " + c.upper;
  const char* op = c.comparison == Comparison::at_least  ? " ≥ "
                   : c.comparison == Comparison::at_most ? " ≤ "
                                                         : " = ";
  return c.axis + op + c.value;
}

std::string join(const std::vector<std::string>& words, const std::string& last_sep,
                 const std::string& sep = ", ") {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i > 0) out += i + 1 == words.size() ? last_sep : sep;
    out += words[i];
  }
  return out;
}

// "5 library values × 2 threads values" over the matching cells, for the axes not in the
// conditions.
std::string spread(const AttributionInput& input, const Table& table,
                   const std::vector<Atom>& conds) {
  std::vector<std::string> parts;
  for (std::size_t a = 0; a < input.axes.size(); ++a) {
    bool used = false;
    for (const Atom& atom : conds) used = used || atom.axis == a;
    if (used) continue;
    std::set<std::size_t> seen;
    for (std::size_t c = 0; c < table.shows.size(); ++c) {
      bool meets = true;
      for (const Atom& atom : conds) meets = meets && holds(atom, table.position[c]);
      if (meets) seen.insert(table.position[c][a]);
    }
    if (seen.size() > 1)
      parts.push_back(std::to_string(seen.size()) + " " + input.axes[a].name + " values");
  }
  return join(parts, " × ", " × ");
}

// Axes with more than one value in the data that the explanation leaves out.
std::vector<std::string> irrelevant(const AttributionInput& input, const Table& table,
                                    const std::vector<Atom>& conds) {
  std::vector<std::string> out;
  for (std::size_t a = 0; a < input.axes.size(); ++a) {
    bool used = false;
    for (const Atom& atom : conds) used = used || atom.axis == a;
    std::set<std::size_t> seen;
    for (const std::vector<std::size_t>& row : table.position) seen.insert(row[a]);
    if (!used && seen.size() > 1) out.push_back(input.axes[a].name);
  }
  return out;
}

void write_text(const AttributionInput& input, const Table& table, const std::vector<Atom>& conds,
                Attribution* out) {
  std::vector<std::string> said;
  for (const Condition& c : out->conditions) said.push_back(describe(input, c));
  const std::string where = join(said, " and ");
  const std::string sig = input.signature.empty() ? "the signature" : input.signature;
  const std::string others = std::to_string(out->cells - out->matching);
  const std::string ignore = out->irrelevant_axes.empty()
                                 ? ""
                                 : "; " + join(out->irrelevant_axes, " and ") +
                                       (out->irrelevant_axes.size() == 1 ? " does" : " do") +
                                       " not matter";
  if (out->kind == ExplanationKind::everywhere || out->kind == ExplanationKind::nowhere) {
    out->text = sig +
                (out->kind == ExplanationKind::everywhere ? " appears in every cell ("
                                                          : " appears in no cell (") +
                std::to_string(out->cells) + " cells); no axis explains it";
    return;
  }
  const std::string detail = spread(input, table, conds);
  const std::string counts =
      std::to_string(out->showing) + " of " + std::to_string(out->matching) + " cells";
  if (out->kind == ExplanationKind::axes) {
    out->text = sig + " appears in every cell with " + where + " (" +
                (detail.empty() ? "" : detail + ": ") + counts + ") and in none of the other " +
                others + ignore + ".";
    return;
  }
  out->text = sig + ": no simple explanation; the closest, " + where + ", predicts " +
              std::to_string(out->explained) + " of " + std::to_string(out->cells) +
              " cells (it shows in " + std::to_string(out->showing) + " cells).";
}

}  // namespace

Expected<Attribution> attribute(const AttributionInput& input) {
  FAULTLINE_TRY(Table table, tabulate(input));
  Attribution out;
  out.cells = int(table.shows.size());
  out.showing = int(std::count(table.shows.begin(), table.shows.end(), true));
  std::vector<Atom> conds;
  if (out.showing == out.cells || out.showing == 0) {
    out.kind = out.showing == 0 ? ExplanationKind::nowhere : ExplanationKind::everywhere;
    out.matching = out.explained = out.cells;
  } else {
    bool exact = false;
    conds = explain(table, atoms(input), &exact);
    out.kind = exact ? ExplanationKind::axes : ExplanationKind::none;
    out.explained = explained(table, conds, &out.matching);
    for (const Atom& a : conds) {
      const auto& values = input.axes[a.axis].values;
      out.conditions.push_back({input.axes[a.axis].name, a.comparison, values[a.value],
                                a.comparison == Comparison::between ? values[a.upper] : ""});
    }
    if (exact) out.irrelevant_axes = irrelevant(input, table, conds);
  }
  write_text(input, table, conds, &out);
  return out;
}

}  // namespace faultline::bisect
