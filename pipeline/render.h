// Rendering a results.json in one format, shared by `faultline report` and the
// report files `faultline run` writes (report.formats / --report); the one
// colour policy of both.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace faultline::pipeline {

struct RenderOptions {
  std::string format = "terminal";  // md, junit, sarif, html, json, terminal, github-outputs
  std::string repo_root;            // absolute
  std::string full_report;          // named when Markdown is trimmed
  bool color = false;
};

std::string render_report(const nlohmann::json& results, const RenderOptions& options);

// Whether text for file descriptor `fd` gets ANSI colours: when it is a
// terminal and NO_COLOR (no-color.org) is unset. The one colour policy of
// `run` and `report`.
bool wants_colour(int fd);

// The file name `run` writes a format to: report.md, report.junit.xml, …
std::string report_file_name(const std::string& format);

}  // namespace faultline::pipeline
