// The session `faultline repro` runs: one cell, once, in the foreground. Finds
// the cell (by id, hash or hash prefix, or by --only), builds what it needs
// through the build cache (runner/builds) and readies the stress loop's own run
// (runner::StressLoop::run_once), so the run is the one `faultline run` makes.
// Printing the command, the output and the crash is the caller's (cli/repro.cc).
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "base/redact.h"
#include "pipeline/matrix_input.h"
#include "pipeline/session.h"
#include "runner/stress.h"

namespace faultline::pipeline {

// The one cell whose id or hash is `name`, or whose hash starts with `name`
// (4 digits or more). None, or an ambiguous prefix: bad input naming `file`.
Expected<std::size_t> find_cell(const std::string& name, const matrix::CellTable& cells,
                                const std::string& file);

// The one cell every `--only AXIS=VALUE` picks; none or several: bad input.
Expected<std::size_t> cell_of_only(const std::vector<std::string>& only,
                                   const matrix::CellTable& cells);

struct ReproRequest {
  std::string file = k_default_matrix_file;
  std::string cell;  // id, hash or hash prefix; unused with `only`
  std::vector<std::string> only;
  std::string state_dir;  // --state-dir, else MATRIX_DIR/.faultline
  int run = 0;            // {{ run }}
  bool rebuild = false;
  bool keep_core = false;
};

// One cell, built, ready to run once.
struct Repro {
  std::size_t cell = 0;
  Places places;
  std::unique_ptr<runner::StressLoop> loop;
  runner::StressLoop::Invocation invocation;  // what run() executes
  Redactor redactor;  // the matrix's secrets and secret-looking variables: masks what is shown
};

// Finds the cell, builds it (progress on stderr), readies the run. Errors: bad
// input (no such cell; a command using a value the cell lacks) or
// infrastructure (the state folder, a failed build, a workload or sanitizer not
// usable here); interrupted() tells a build stopped by Ctrl-C.
Expected<Repro> prepare_repro(const ReproRequest& request, const MatrixInput& input);

// The run, its output passed to `sink` as it is read; stray children reaped after.
runner::RunRecord run_repro(Repro& repro, int run,
                            const std::function<void(int stream, std::string_view bytes)>& sink);

}  // namespace faultline::pipeline
