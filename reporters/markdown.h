// reporters/markdown.h — the pull-request comment: a one-line verdict, the grid
// as a table, a section per crash signature (excerpt and repro folded in
// <details>), the bisect result and axis attribution when results.json has them.
// Always within GitHub's comment limit; crash output can neither break the
// Markdown nor inject HTML. Posting it is ci/'s business.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "reporters/text.h"
#include "results/model.h"

namespace faultline::reporters {

struct MarkdownOptions {
  // GitHub rejects a comment over 65,536 characters; a byte is at most one character.
  std::size_t max_bytes = 65'536;
  // Where the untrimmed report is, named in every note about a cut.
  std::string full_report = ".faultline/results.json";
  std::size_t max_grid_rows = 40;
  std::size_t max_grid_columns = 12;
  std::size_t max_frames = 8;
  Bounds excerpt{40, 300, 6'000};
};

std::string render_markdown(const results::Results& results, const MarkdownOptions& options = {});
// The same, of a results.json (converted with results/model.h).
std::string render_markdown(const nlohmann::json& results, const MarkdownOptions& options = {});

}  // namespace faultline::reporters
