// bisect/attribution.h — which axes explain a crash signature, in plain words
// with counts: "appears in every cell with binding ≥ 0.8 (40 of 40 cells) and
// in none of the other 20; library and threads do not matter". Owns only the
// reasoning over cell results; where they come from (a run, a bisect, the
// store) is the caller's business.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "base/expected.h"

namespace faultline::bisect {

// One axis: its name and its values, oldest/lowest first. An unordered axis
// (say `sanitizer`) is only ever explained by a single value.
struct AttributionAxis {
  std::string name;
  std::vector<std::string> values;
  bool ordered = true;
};

// One cell's results for the signature: its value on every axis (axis name →
// value, each value one of that axis's values), its runs and how many showed
// the signature. A cell with no runs is ignored; so the caller should leave out
// runs that another crash ended first (they could not have shown this one).
struct CellResult {
  std::map<std::string, std::string> values;
  int runs = 0;
  int target = 0;
};

struct AttributionInput {
  std::string signature;  // as the reader knows it, e.g. "S1 (tsan data-race in pool_acquire)"
  std::vector<AttributionAxis> axes;
  std::vector<CellResult> cells;
};

enum class Comparison { at_least, at_most, equals, between };

struct Condition {
  std::string axis;
  Comparison comparison = Comparison::equals;
  std::string value;
  std::string upper;  // with `between`: value ≤ axis ≤ upper
};

enum class ExplanationKind {
  everywhere,  // every cell shows it: no axis explains it
  nowhere,     // no cell shows it
  axes,        // exactly the cells meeting `conditions` (one, or two joined by "and")
  none,        // no simple explanation; `conditions` is the closest one
};

struct Attribution {
  ExplanationKind kind = ExplanationKind::none;
  std::vector<Condition> conditions;
  std::vector<std::string> irrelevant_axes;  // varied, yet the signature does not depend on them
  int cells = 0;                             // cells with runs
  int showing = 0;                           // cells showing the signature
  int matching = 0;                          // cells meeting the conditions
  int explained = 0;  // cells whose showing/not showing the conditions predict
  std::string text;   // the plain-words sentence
};

// Bad input when a cell names an unknown axis or value, or misses an axis.
Expected<Attribution> attribute(const AttributionInput& input);

}  // namespace faultline::bisect
