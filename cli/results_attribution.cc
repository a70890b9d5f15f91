#include "cli/results_attribution.h"

#include <algorithm>

#include "bisect/attribution.h"

namespace faultline::cli {

void add_attribution(nlohmann::json& results) {
  std::vector<bisect::AttributionAxis> axes;
  for (const auto& a : results["axes"]) {
    const std::string kind = a.value("kind", "");
    axes.push_back({a.value("name", ""), a["values"].get<std::vector<std::string>>(),
                    kind == "component" || kind == "param"});
  }
  for (auto& s : results["signatures"]) {
    bisect::AttributionInput input;
    input.signature = s.value("hash", "") + " (" + s.value("tool", "") + " " + s.value("kind", "") + ")";
    input.axes = axes;
    for (const auto& c : results["cells"]) {
      bisect::CellResult cell;
      for (const auto& a : axes)
        if (c["values"].contains(a.name)) cell.values[a.name] = c["values"][a.name].get<std::string>();
      // A run that crashed with another signature first (ASan stops at its first
      // report) could not show this one: it is not evidence of its absence.
      int other = 0;
      for (const auto& cs : c["signatures"]) {
        if (cs.value("hash", "") == s.value("hash", "")) cell.target = cs.value("runs", 0);
        else other += cs.value("runs", 0);
      }
      cell.runs = std::max(cell.target, c.value("runs", 0) - other);
      if (cell.values.size() == axes.size()) input.cells.push_back(std::move(cell));
    }
    auto a = bisect::attribute(input);
    if (a) s["attribution"] = a->text;
  }
}

}  // namespace faultline::cli
