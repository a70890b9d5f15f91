// reporters/baseline.h — new versus known crashes. Marks each signature of a
// results.json against a baseline (another results.json, e.g. from the base
// branch, or a stored session the caller read from the store) as new or still
// present, lists those of the baseline that are gone as fixed, and gives the
// words the terminal and the Markdown comment lead with. Fetching is the caller's.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "results/model.h"

namespace faultline::reporters {

struct BaselineSignature {
  std::string hash, text, tool, kind;
  int runs = 0;
};

struct Baseline {
  std::string source;  // for people: "results-main.json", "session 12 of .faultline/faultline.db"
  std::vector<BaselineSignature> signatures;
};

Baseline baseline_from_results(const results::Results& results, const std::string& source);
Baseline baseline_from_results(const nlohmann::json& results, const std::string& source);

// Adds `signatures[].baseline` ("new" or "still present") and a top-level
// `baseline` {source, new[], still_present[], fixed[]} (schema: docs/results.md).
void mark_against_baseline(results::Results& results, const Baseline& baseline);
// The same on a results.json: only `signatures[].baseline` and `baseline` change.
void mark_against_baseline(nlohmann::json& results, const Baseline& baseline);

// Indices of results.signatures, new ones first (each group in its order).
std::vector<std::size_t> signatures_new_first(const results::Results& results);

// "against session 12 (faultline.db): 1 new, 2 still present, 1 fixed"; "" without a baseline.
std::string baseline_line(const results::Results& results);

// The Markdown lead: the new signatures by name, then what is still present
// and what was fixed; "" without a baseline.
std::string baseline_markdown(const results::Results& results);

// " · new" / " · still present" for a signature's heading; "" without a mark.
std::string baseline_label(const results::Signature& signature);

}  // namespace faultline::reporters
