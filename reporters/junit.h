// reporters/junit.h — results.json as JUnit XML for CI test-result viewers: a
// test suite per workload, a test case per cell (classname = workload, name =
// cell id), failures carrying the crash signature and report excerpt. The text
// is always well-formed XML 1.0, whatever bytes the workload printed.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reporters/text.h"
#include "results/model.h"

namespace faultline::reporters {

struct JunitOptions {
  Bounds excerpt{80, 400, 16'000};  // per signature, in a failure's text
  std::size_t max_signatures = 5;   // per failing cell
};

std::string render_junit(const results::Results& results, const JunitOptions& options = {});
// The same, of a results.json (converted with results/model.h).
std::string render_junit(const nlohmann::json& results, const JunitOptions& options = {});

}  // namespace faultline::reporters
