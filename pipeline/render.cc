#include "pipeline/render.h"

#include <unistd.h>

#include <cstdlib>

#include "reporters/github.h"
#include "reporters/html.h"
#include "reporters/junit.h"
#include "reporters/markdown.h"
#include "reporters/results.h"
#include "reporters/sarif.h"
#include "reporters/terminal.h"

namespace faultline::pipeline {

bool wants_colour(int fd) { return isatty(fd) != 0 && std::getenv("NO_COLOR") == nullptr; }

std::string report_file_name(const std::string& format) {
  if (format == "junit") return "report.junit.xml";
  if (format == "sarif") return "report.sarif";
  if (format == "terminal") return "report.txt";
  return "report." + format;
}

std::string render_report(const nlohmann::json& results, const RenderOptions& options) {
  // For people, paths relative to the repository; SARIF relativises on its own,
  // and json stays as saved.
  nlohmann::json shown = results;
  if (options.format != "sarif" && options.format != "json")
    reporters::make_paths_relative(shown, options.repo_root);
  if (options.format == "md") {
    reporters::MarkdownOptions o;
    o.full_report = options.full_report;
    return reporters::render_markdown(shown, o);
  }
  if (options.format == "junit") return reporters::render_junit(shown);
  if (options.format == "html") return reporters::render_html(shown);
  if (options.format == "sarif") {
    reporters::SarifOptions o;
    o.repo_root = options.repo_root;
    return reporters::render_sarif(results, o);
  }
  if (options.format == "github-outputs") return reporters::github_outputs(results);
  if (options.format == "json")
    return results.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
  reporters::TerminalOptions o;
  o.color = options.color;
  return reporters::render_terminal(shown, o);
}

}  // namespace faultline::pipeline
