// Reading the matrix file for any subcommand: load, check, expand, and print
// every problem as FILE:LINE:COL on stderr. Git ranges are listed with the git CLI.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/expected.h"
#include "matrix/config.h"
#include "matrix/expand.h"

namespace faultline::cli {

inline constexpr const char* k_default_matrix_file = "faultline.yaml";

struct MatrixInput {
  matrix::Config config;
  matrix::Expansion expansion;
};

// nullopt after printing the errors (the caller exits 2).
std::optional<MatrixInput> read_matrix(const std::string& file, std::size_t max_cells);

// The commits of `range` ("A..B") in `repo_dir`, oldest first, A included, as
// 12-digit abbreviated hashes.
Expected<std::vector<std::string>> list_git_range(const std::string& repo_dir, const std::string& range);

// "K/N" with 1 <= K <= N; nullopt on anything else.
std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_shard(const std::string& text);

}  // namespace faultline::cli
