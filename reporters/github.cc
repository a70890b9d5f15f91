#include "reporters/github.h"

#include <filesystem>
#include <random>

#include "base/text.h"
#include "reporters/text.h"

namespace faultline::reporters {

using nlohmann::json;

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
std::optional<std::pair<std::string, int>> place_in(const json& frames, const std::string& root) {
  namespace fs = std::filesystem;
  const fs::path base = fs::path(root).lexically_normal();
  for (const auto& f : frames) {
    const std::string file = f.value("file", "");
    const int line = f.value("line", 0);
    if (file.empty() || line <= 0 || file[0] != '/') continue;
    const fs::path rel = fs::path(file).lexically_normal().lexically_relative(base);
    if (rel.empty() || *rel.begin() == "..") continue;
    return std::make_pair(rel.string(), line);
  }
  return std::nullopt;
}

}  // namespace

std::string github_annotations(const json& results, const std::string& repo_root, std::size_t max) {
  std::string out;
  std::size_t n = 0;
  for (const auto& s : results["signatures"]) {
    if (n >= max) break;
    auto place = place_in(s["frames"], repo_root);
    if (!place) continue;
    ++n;
    const std::string title = "faultline: " + s.value("tool", "") + " " + s.value("kind", "");
    std::string message =
        clean_text(s.value("summary", "")) + " — in " + std::to_string(s["cells"].size()) +
        " cells, " + std::to_string(s.value("runs", 0)) + " runs; signature " + s.value("hash", "");
    if (!s.value("attribution", "").empty())
      message += "\n" + clean_text(s.value("attribution", ""));
    out += "::error file=" + workflow_property(place->first) +
           ",line=" + std::to_string(place->second) + ",title=" + workflow_property(title) +
           "::" + workflow_data(message) + "\n";
  }
  return out;
}

std::string github_groups(const json& results) {
  std::string out;
  for (const auto& s : results["signatures"]) {
    const std::string excerpt = s.value("excerpt", "");
    if (excerpt.empty()) continue;
    out +=
        "::group::" +
        workflow_data("faultline: " + s.value("tool", "") + " " + s.value("kind", "") + " [" +
                      s.value("hash", "") + "], " + std::to_string(s["cells"].size()) + " cells") +
        "\n";
    out += without_workflow_commands(clean_text(excerpt));
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

std::string github_outputs(const nlohmann::json& results) {
  const nlohmann::json& t = results.at("totals");
  const int cells = t.value("cells", 0), crashes = t.value("crash", 0), hangs = t.value("hang", 0);
  const char* verdict = results.value("interrupted", false)               ? "interrupted"
                        : cells > 0 && t.value("build_error", 0) == cells ? "error"
                        : crashes + hangs > 0                             ? "crash"
                                                                          : "pass";
  std::string out = std::string("verdict=") + verdict + "\n";
  for (const auto& [name, key] : {std::pair{"crashes", "crash"},
                                  {"hangs", "hang"},
                                  {"cells", "cells"},
                                  {"crashing_runs", "crashing_runs"},
                                  {"signatures", "signatures"}})
    out += std::string(name) + "=" + std::to_string(t.value(key, 0)) + "\n";
  return out;
}

}  // namespace faultline::reporters
