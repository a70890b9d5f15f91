// What a bisect takes from and gives to results.json: the evidence an earlier
// `faultline run` already paid for (so the search adds runs only where needed),
// and the bisect section (docs/results.md, "bisect") that the reporters render,
// recorded beside the run's cells or, with no run yet, with the bisect's own.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"
#include "bisect/search.h"
#include "bisect/staircase.h"
#include "pipeline/bisect_cells.h"

namespace faultline::pipeline {

// results.json at `path` when it exists and records this matrix (same name and
// axes); nullopt otherwise, with the reason in `why` when there was a file.
std::optional<nlohmann::json> matching_results(const std::string& path, const BisectMatrix& in,
                                               std::string& why);

// A cell's runs in `results` as an observation of `target` (with `any_crash`,
// every crash counts); nullopt when the cell has no runs there.
std::optional<bisect::Observation> observation_in(const nlohmann::json& results,
                                                  const std::string& cell_hash,
                                                  const bisect::FamilyTarget& target,
                                                  bool any_crash);

// The family (an entry of `families`) most runs of the cell showed in `results`; null when none.
const nlohmann::json* most_frequent_family(const nlohmann::json& results,
                                           const std::string& cell_hash);

// The family (an entry of `families`) most runs of the cells `cell_hashes` showed; null when none.
const nlohmann::json* most_frequent_family(const nlohmann::json& results,
                                           const std::vector<std::string>& cell_hashes);

// The family with the signature `prefix` starts (an entry of `families`), and that signature; null
// when none.
const nlohmann::json* family_with(const nlohmann::json& results, const std::string& prefix,
                                  const nlohmann::json** signature = nullptr);

// A bisect target of the whole family: its signatures, its top frame, and
// frame-less crashes when it has a frame-less member.
bisect::FamilyTarget family_target(const nlohmann::json& results, const nlohmann::json& family);

// Axis → value of every product axis of `cell`.
nlohmann::json cell_values(const matrix::CellTable& cells, std::size_t cell);

struct Bisect1D {
  const Plane& plane;
  std::vector<std::string> versions;  // the searched span, in search order's index
  std::size_t offset = 0;             // search index 0 is version `offset` of the axis
  bool fixed = false;
  std::string target, target_text;
  double confidence = 0.99;
  nlohmann::json family;  // the target family: {signatures, top_frame, frameless, exact, widened}
};

nlohmann::json section_1d(const BisectMatrix& in, const Bisect1D& b,
                          const bisect::SearchReport& report);

struct Bisect2D {
  const Plane& plane;
  std::string target, target_text;
  int runs_per_cell = 10;
  nlohmann::json family;
};

nlohmann::json section_2d(const BisectMatrix& in, const Bisect2D& b,
                          const bisect::StaircaseReport& report);

// Records `section` in the `bisect` array of results.json at `path` (replacing
// an earlier one for the same axes, fixed values and direction), with the
// prober's measured `costs` (docs/results.md) unless it has them, and returns the
// path written. With no results.json there, writes one of the prober's runs and
// builds; when it records another matrix, leaves it alone and writes
// bisect-results.json beside it.
Expected<std::string> record_bisect(const std::string& path, const BisectMatrix& in,
                                    const CellProber& prober, const std::string& matrix_file,
                                    nlohmann::json section);

}  // namespace faultline::pipeline
