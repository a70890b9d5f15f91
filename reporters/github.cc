#include "reporters/github.h"

#include <filesystem>
#include <random>

#include "base/text.h"
#include "reporters/terminal.h"
#include "reporters/text.h"

namespace faultline::reporters {

using nlohmann::json;
using results::Results;

std::string workflow_data(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c == '%')
      out += "%25";
    else if (c == '\r')
      out += "%0D";
    else if (c == '\n')
      out += "%0A";
    else
      out += c;
  }
  return out;
}

std::string workflow_property(std::string_view text) {
  std::string out;
  for (char c : workflow_data(text)) {
    if (c == ':')
      out += "%3A";
    else if (c == ',')
      out += "%2C";
    else
      out += c;
  }
  return out;
}

namespace {

// The innermost frame whose file lies inside `root`, as (relative path, line).
std::optional<std::pair<std::string, int>> place_in(const std::vector<results::Frame>& frames,
                                                    const std::string& root) {
  namespace fs = std::filesystem;
  const fs::path base = fs::path(root).lexically_normal();
  for (const auto& f : frames) {
    if (f.file.empty() || f.line <= 0 || f.file[0] != '/') continue;
    const fs::path rel = fs::path(f.file).lexically_normal().lexically_relative(base);
    if (rel.empty() || *rel.begin() == "..") continue;
    return std::make_pair(rel.string(), f.line);
  }
  return std::nullopt;
}

}  // namespace

std::string github_annotations(const Results& r, const std::string& repo_root, std::size_t max) {
  std::string out;
  std::size_t n = 0;
  for (const auto& s : r.signatures) {
    if (n >= max) break;
    auto place = place_in(s.frames, repo_root);
    if (!place) continue;
    ++n;
    const std::string title = "faultline: " + s.tool + " " + s.kind;
    std::string message = clean_text(s.summary) + " — in " + std::to_string(s.cells.size()) +
                          " cells, " + std::to_string(s.runs) + " runs; signature " + s.hash;
    if (!s.attribution.value_or("").empty()) message += "\n" + clean_text(*s.attribution);
    out += "::error file=" + workflow_property(place->first) +
           ",line=" + std::to_string(place->second) + ",title=" + workflow_property(title) +
           "::" + workflow_data(message) + "\n";
  }
  return out;
}

std::string github_groups(const Results& r) {
  std::string out;
  for (const auto& s : r.signatures) {
    if (s.excerpt.empty()) continue;
    out += "::group::" +
           workflow_data("faultline: " + s.tool + " " + s.kind + " [" + s.hash + "], " +
                         std::to_string(s.cells.size()) + " cells") +
           "\n";
    out += without_workflow_commands(clean_text(s.excerpt));
    out += "::endgroup::\n";
  }
  return out;
}

std::string without_workflow_commands(const std::string& text) {
  std::random_device rd;
  const std::string token = hex16((static_cast<std::uint64_t>(rd()) << 32) ^ rd());
  return "::stop-commands::" + token + "\n" + text +
         (text.empty() || text.back() == '\n' ? "" : "\n") + "::" + token + "::\n";
}

std::string github_outputs(const Results& r) {
  const results::Totals& t = r.totals;
  const char* verdict = r.interrupted          ? "interrupted"
                        : t.crash + t.hang > 0 ? "crash"
                        : cells_not_run(r) > 0 ? "error"  // the matrix did not fully run
                                               : "pass";
  std::string out = std::string("verdict=") + verdict + "\n";
  for (const auto& [name, value] : {std::pair{"crashes", t.crash},
                                    {"hangs", t.hang},
                                    {"cells", t.cells},
                                    {"crashing_runs", t.crashing_runs},
                                    {"signatures", t.signatures}})
    out += std::string(name) + "=" + std::to_string(value) + "\n";
  return out;
}

std::string github_annotations(const json& r, const std::string& repo_root, std::size_t max) {
  return github_annotations(r.get<Results>(), repo_root, max);
}
std::string github_groups(const json& r) { return github_groups(r.get<Results>()); }
std::string github_outputs(const json& r) { return github_outputs(r.get<Results>()); }

}  // namespace faultline::reporters
