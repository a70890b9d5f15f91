// Forwarding header: reading the matrix moved to pipeline/matrix_input.h. Kept so
// code not yet moved (cli/bisect*.cc) compiles; new code includes pipeline/.
#pragma once

#include "pipeline/matrix_input.h"

namespace faultline::cli {
using pipeline::k_default_matrix_file;
using pipeline::list_git_range;
using pipeline::list_git_tags;
using pipeline::MatrixInput;
using pipeline::OnlyFilter;
using pipeline::parse_only;
using pipeline::parse_shard;
using pipeline::read_matrix;
using pipeline::run_versions_command;
using pipeline::secret_warnings;
}  // namespace faultline::cli
