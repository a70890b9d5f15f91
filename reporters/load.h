// reporters/load.h — reading a saved results.json back for `faultline report`:
// parse it, check its schema string and the shape every renderer relies on, and
// say where it is wrong. Rendering is left to the format modules.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/expected.h"
#include "results/model.h"

namespace faultline::reporters {

// `text` as a results document; `name` (a path) places the error messages:
// "r.json: cells[3].verdict: expected a string".
Expected<nlohmann::json> parse_results(const std::string& text, const std::string& name);

// The file at `path` read and parsed with parse_results.
Expected<nlohmann::json> load_results(const std::string& path);

// The same, as the typed model (results/model.h): a field of the wrong type
// that the shape check above does not cover is refused as "NAME: FIELD ERROR".
Expected<results::Results> parse(const std::string& text, const std::string& name);
Expected<results::Results> load(const std::string& path);

// A parsed results.json as the typed model, or the bad-input error naming `name`.
Expected<results::Results> to_model(const nlohmann::json& results, const std::string& name);

}  // namespace faultline::reporters
