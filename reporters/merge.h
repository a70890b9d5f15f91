// reporters/merge.h — joining the results.json files of `faultline run --shard
// K/N` into the one an unsharded run would have written: cells and builds in
// matrix order, every derived field recomputed by derive_summary (results.h).
// Refuses inputs that are not shards of one matrix. Reading the files and
// writing the output are the caller's business.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/expected.h"

namespace faultline::reporters {

struct ShardResults {
  std::string name;  // where it came from (a path), for messages
  nlohmann::json results;
};

struct MergeOptions {
  bool allow_partial = false;  // merge even when some shards of 1..N are missing
};

// Bad input (each message names the file and the field): not a shard, shards of
// different matrices (name, axes, matrix_fingerprint, options.runs, options.stop,
// N), the same shard twice, the same cell in two files, missing shards without
// allow_partial.
Expected<nlohmann::json> merge_results(std::vector<ShardResults> shards,
                                       const MergeOptions& options);

}  // namespace faultline::reporters
