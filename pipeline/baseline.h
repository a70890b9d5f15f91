// The baseline `faultline report --baseline REF` marks signatures against:
// a results.json, or a session recorded in the results store (store/).
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "base/expected.h"
#include "reporters/baseline.h"

namespace faultline::pipeline {

// REF is a stored session when it is a number (and no file of that name), read
// from `db` when given, else the store `results` names ("store": {"db": …}),
// else .faultline/faultline.db; otherwise REF is a results.json. Errors: a
// missing or malformed file, or no such session (bad input, naming `db`);
// an unreadable store (infrastructure).
Expected<reporters::Baseline> load_baseline(const std::string& ref, const std::string& db,
                                            const nlohmann::json& results);

}  // namespace faultline::pipeline
