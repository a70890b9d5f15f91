// Reading the matrix file for any subcommand: load, check, expand, and print
// every problem as FILE:LINE:COL on stderr. Git ranges and tags are listed with
// the git CLI; a versions command runs with /bin/sh.
#pragma once

#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/expected.h"
#include "matrix/config.h"
#include "matrix/expand.h"

namespace faultline::pipeline {

inline constexpr const char* k_default_matrix_file = "faultline.yaml";

struct MatrixInput {
  matrix::Config config;
  matrix::Expansion expansion;
};

// nullopt after printing the errors (the caller exits 2). Warnings
// (secret_warnings) are printed as `FILE: warning: …` and do not stop it.
std::optional<MatrixInput> read_matrix(const std::string& file, std::size_t max_cells);

// One sentence per secret (Redactor::secret_variables of the matrix's
// `secrets:` and the secret-looking environment) that cannot be masked safely:
// a value shorter than Redactor::k_min_length, or equal to the matrix's name or
// to an axis name or value.
std::vector<std::string> secret_warnings(const MatrixInput& in);

// The commits of `range` ("A..B") in `repo_dir`, oldest first, A included, as
// 12-digit abbreviated hashes; with `first_parent`, the first-parent line only.
Expected<std::vector<std::string>> list_git_range(const std::string& repo_dir,
                                                  const std::string& range, bool first_parent);

// The tags of `repo_dir` matching the glob `pattern` (`git tag --list PATTERN`).
Expected<std::vector<std::string>> list_git_tags(const std::string& repo_dir,
                                                 const std::string& pattern);

// A versions command ends within this, and prints at most k_versions_output_limit
// bytes (npm's longest version lists are a few hundred KiB). After
// k_versions_command_notice faultline says on stderr that it is waiting for it.
inline constexpr std::chrono::milliseconds k_versions_command_timeout{120'000};
inline constexpr std::size_t k_versions_output_limit = std::size_t{8} << 20;  // 8 MiB
inline constexpr std::chrono::milliseconds k_versions_command_notice{3'000};

// `/bin/sh -c COMMAND` in `dir`: its stdout, or an error with its exit and stderr;
// an error too when it runs past the timeout or prints more than the limit (its
// output is never cut and parsed in part).
Expected<std::string> run_versions_command(const std::string& command, const std::string& dir);

// `--only AXIS=VALUE` filters: per product axis, the values wanted (the same
// axis given twice means either value). Unknown axes (with "did you mean") and
// values are bad input.
using OnlyFilter = std::map<std::size_t, std::set<std::string>>;
Expected<OnlyFilter> parse_only(const std::vector<std::string>& only,
                                const matrix::CellTable& cells);

// "K/N" with 1 <= K <= N; nullopt on anything else.
std::optional<std::pair<std::uint32_t, std::uint32_t>> parse_shard(const std::string& text);

}  // namespace faultline::pipeline
