// Axis attribution for a results.json, whoever wrote it (`run`, `bisect`):
// each signature gets `attribution`, the plain-words sentence of
// bisect/attribution.h over the cells that ran, with counts to check it by.
#pragma once

#include <nlohmann/json.hpp>

namespace faultline::cli {

// Sets `signatures[].attribution` from `axes` and `cells` (left unset where no
// simple explanation exists).
void add_attribution(nlohmann::json& results);

}  // namespace faultline::cli
