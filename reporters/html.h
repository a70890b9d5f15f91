// reporters/html.h — one self-contained HTML page of a results.json: the grid as
// a heat map (colour by verdict and crash rate, counts on hover), a click on a
// cell shows its runs, signatures and report excerpts, and the bisect steps are
// marked on the grid. No network resources; crash output only ever reaches the
// page as escaped text.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "results/model.h"

namespace faultline::reporters {

std::string render_html(const results::Results& results);
// The same, of a results.json (converted with results/model.h).
std::string render_html(const nlohmann::json& results);

}  // namespace faultline::reporters
