// reporters/terminal.h — the terminal report of a results.json: one line per
// cell with its verdict and run count, the crash families (one line per bug,
// with where it appears), then one block per crash signature
// (kind, top frames, cells affected, the command that reproduces it).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "results/model.h"

namespace faultline::reporters {

struct TerminalOptions {
  bool color = false;           // ANSI colours (a TTY without NO_COLOR)
  std::size_t max_cells = 200;  // cells listed before "… and N more"
  std::size_t max_frames = 5;   // frames per signature
};

std::string render_terminal(const results::Results& results, const TerminalOptions& options = {});
// The same, of a results.json (converted with results/model.h; throws
// nlohmann::json::exception on a field of the wrong type).
std::string render_terminal(const nlohmann::json& results, const TerminalOptions& options = {});

// The matrix as a grid (reporters/grid.h: the first component's versions as
// rows, the second's as columns, as in Markdown and HTML); each square counts
// crashing cells over every other axis. Empty unless both have two or more versions.
std::string render_grid(const results::Results& results, bool color = false);
std::string render_grid(const nlohmann::json& results, bool color = false);

// The one-line verdict: "2 crash signatures in 14 of 48 cells (90 runs, 3 build
// errors); 3 cells did not run, so the matrix is incomplete".
std::string one_line_verdict(const results::Results& results);
std::string one_line_verdict(const nlohmann::json& results);

// The cells that did not run: build errors, and skipped cells unless the run was
// interrupted (then "interrupted, partial" says so). Non-zero: `run` exits 3.
std::size_t cells_not_run(const results::Results& results);
// Whether `cell` is one of those cells_not_run counts.
bool did_not_run(const results::Results& results, const results::Cell& cell);
// Why `cell` did not run: its build error ("the build command exit 1: x.c:3:
// error: …") or the reason it was skipped; nullopt for a cell that ran.
std::optional<std::string> not_run_reason(const results::Cell& cell);

// The crash families lead: "1 bug, 3 manifestations: signal SIGSEGV (6 runs), …"
// with one family; "2 bugs, 5 manifestations" with several ("" when none).
std::string families_headline(const results::Results& results);
std::string families_headline(const nlohmann::json& results);

// The `bisect` section: per search, its answer in a few lines ("" when none).
std::string render_bisect(const results::Results& results);
std::string render_bisect(const nlohmann::json& results);

}  // namespace faultline::reporters
