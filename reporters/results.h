// reporters/results.h — results.json, the one record of a run that every
// report format is rendered from (schema: docs/results.md). Built from what the
// runner produced; `faultline report` re-renders a saved one.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/redact.h"
#include "bisect/families.h"
#include "matrix/config.h"
#include "matrix/expand.h"
#include "results/model.h"
#include "runner/builds.h"
#include "runner/stress.h"

namespace faultline::reporters {

inline constexpr const char* k_results_schema = results::k_schema;

struct RunInfo {
  std::string matrix_file;
  std::string started_at;  // ISO 8601, UTC
  std::string finished_at;
  bool interrupted = false;
  int runs = 0;
  int jobs = 0;
  std::string stop;
  std::string shard;  // "K/N" or ""
};

// `selected`: the cells this run was asked to run (shard, --only), in cell order.
results::Results results_model(const matrix::Config& config, const matrix::Expansion& expansion,
                               const std::vector<std::size_t>& selected,
                               const runner::StressLoop& loop,
                               const std::vector<runner::BuildOutcome>& builds,
                               const std::map<std::size_t, std::string>& repro_commands,
                               const RunInfo& info);
// The same as results.json.
nlohmann::json results_json(const matrix::Config& config, const matrix::Expansion& expansion,
                            const std::vector<std::size_t>& selected,
                            const runner::StressLoop& loop,
                            const std::vector<runner::BuildOutcome>& builds,
                            const std::map<std::size_t, std::string>& repro_commands,
                            const RunInfo& info);

// Recomputes every field that follows from cells[], builds[] and each
// signature's crash details: each signature's cells[] and runs (signatures no
// cell shows are dropped), their order (most cells, then most runs, then hash),
// the crash families (bisect/families.h) and each signature's `family`, the
// attribution of signatures and families (bisect/attribution.h), and totals. results_json ends with
// it, and `faultline merge` calls it on joined shards, so both agree exactly.
void derive_summary(results::Results& results);
// The same on a results.json: only `signatures`, `families` and `totals` are rewritten.
void derive_summary(nlohmann::json& results);

// A results.json signature entry as family grouping sees it (its `top_frame`;
// in a file from before that field, the first meaningful of its `frames`).
bisect::Manifestation manifestation_of(const results::Signature& signature);
bisect::Manifestation manifestation_of(const nlohmann::json& signature);

// For people: every "ROOT/" in every string (frames, locations, excerpts, repro
// commands) becomes relative to the repository root. results.json itself keeps
// absolute paths; renderers get a copy passed through this.
void make_paths_relative(nlohmann::json& results, const std::string& repo_root);

// Masks every secret value in the captured text of `results` — the fields that
// quote a workload's or a build's output or a command: cells[].repro and
// build_error.{error, command, log_tail}; signatures[].{text, location, summary,
// excerpt} and frames[].{function, file, module}; builds[].{command, error};
// bisect[].{summary, signature_text}; baseline.fixed[].text. Never keys, axis
// values, ids, hashes, verdicts or counts: whatever a secret's value, the
// verdicts, totals and exit status are those computed, and the file loads.
void mask_secrets(nlohmann::json& results, const Redactor& redactor);

}  // namespace faultline::reporters
