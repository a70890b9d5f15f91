// reporters/sarif.h — results.json as SARIF 2.1.0 for code-scanning viewers
// (GitHub code scanning): a result per crash signature, a rule per crash kind,
// the crash's place from its frames relative to the repository root, the whole
// stack as a code flow; within GitHub's upload limits. Uploading is ci/'s job.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "results/model.h"

namespace faultline::reporters {

struct SarifOptions {
  std::string repo_root;               // absolute; frames outside it get no file location
  std::size_t max_results = 25'000;    // GitHub: at most 25,000 results per run
  std::size_t max_bytes = 40'000'000;  // uncompressed budget, well under 10 MB gzipped
  std::size_t max_flow_frames = 64;    // code-flow steps per result
  std::string tool_version = "0.1.0";
};

nlohmann::json sarif_json(const results::Results& results, const SarifOptions& options);
nlohmann::json sarif_json(const nlohmann::json& results, const SarifOptions& options);

// sarif_json as text (invalid UTF-8 already replaced).
std::string render_sarif(const results::Results& results, const SarifOptions& options);
std::string render_sarif(const nlohmann::json& results, const SarifOptions& options);

}  // namespace faultline::reporters
