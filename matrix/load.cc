#include "matrix/load.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "base/files.h"
#include "base/text.h"
#include "base/time.h"
#include "matrix/semver.h"
#include "matrix/template.h"

namespace faultline::matrix {

namespace {

Mark mark_of(const YAML::Node& node) {
  const YAML::Mark m = node.Mark();
  if (m.line < 0) return {};
  return {m.line + 1, m.column + 1, static_cast<std::size_t>(std::max(m.pos, 0))};
}

std::string kind_of(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Null:
      return "nothing (null)";
    case YAML::NodeType::Scalar:
      return "a scalar '" + node.Scalar() + "'";
    case YAML::NodeType::Sequence:
      return "a list";
    case YAML::NodeType::Map:
      return "a mapping";
    default:
      return "undefined";
  }
}

std::string q(std::string_view s) { return "'" + std::string(s) + "'"; }

// The first control character (C0 or DEL) in `value`, if any.
std::optional<unsigned char> control_character(std::string_view value) {
  for (unsigned char c : value)
    if (c < 0x20 || c == 0x7f) return c;
  return std::nullopt;
}

// The name of the folder holding `file`, also when `file` names none or a
// relative one (`faultline.yaml`, `./f.yaml`, `../f.yaml`); "" for `/f.yaml`.
std::string folder_name(const std::string& file) {
  std::error_code ec;
  const std::filesystem::path path = std::filesystem::absolute(file, ec);
  return ec ? "" : path.lexically_normal().parent_path().filename().string();
}

std::string hex_byte(unsigned char c) {
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", c);
  return hex;
}

std::string suggestion(std::string_view word, const std::vector<std::string>& candidates) {
  auto best = did_you_mean(word, candidates);
  return best ? " (did you mean " + q(*best) + "?)" : "";
}

// A did-you-mean for a value that is not one of `values`; one that differs only
// in letter case is named as such, since GitHub's runner would take it as equal.
std::string value_suggestion(std::string_view value, const std::vector<std::string>& values) {
  for (const auto& v : values)
    if (equal_ignoring_case(v, value))
      return " (values are compared as exact text, letter case included: did you mean " + q(v) +
             "?)";
  return suggestion(value, values);
}

// The matrix's durations (base/time.h's grammar; a bare number is seconds),
// from 1 ms to 7 days.
bool parse_duration_ms(std::string_view text, std::int64_t& out) {
  const std::optional<double> ms = faultline::parse_duration_ms(text);
  if (!ms || !(*ms >= 1) || *ms > 7 * 24 * 3'600'000.0) return false;
  out = static_cast<std::int64_t>(std::llround(*ms));
  return true;
}

const std::vector<std::string> k_top_keys = {"version",    "name",   "compiler",  "components",
                                             "sanitizers", "matrix", "workloads", "stress",
                                             "bisect",     "report", "secrets"};
const std::vector<std::string> k_component_keys = {"versions", "source",  "build",
                                                   "env",      "depends", "inputs"};
const std::vector<std::string> k_sanitizer_keys = {
    "name", "extends", "cflags", "cxxflags", "ldflags", "goflags", "rustflags", "env", "wrapper"};
const std::vector<std::string> k_workload_keys = {"run", "params", "timeout", "env"};
const std::vector<std::string> k_stress_keys = {"runs", "parallel", "stop", "keep_cores"};
const std::vector<std::string> k_bisect_keys = {"axes", "confidence"};
const std::vector<std::string> k_report_keys = {"formats", "dir"};
const std::vector<std::string> k_report_formats = {"terminal", "json",  "md",
                                                   "junit",    "sarif", "html"};
const std::vector<std::string> k_reserved_axes = {"sanitizer", "workload", "prefix",  "san",
                                                  "cell",      "run",      "version", "component",
                                                  "source",    "compiler"};

class Loader {
 public:
  Loader(std::string_view text, const std::string& file, const LoadOptions& options)
      : m_text(text), m_file(file), m_options(options) {}

  LoadResult load();

 private:
  // Structure checks; each reports its own errors and says whether to go on.
  bool expect_map(const YAML::Node& node, const std::string& path);
  bool expect_sequence(const YAML::Node& node, const std::string& path);
  std::optional<std::string> scalar(const YAML::Node& node, const std::string& path);
  std::optional<long long> integer(const YAML::Node& node, const std::string& path, long long min,
                                   long long max);
  void check_keys(const YAML::Node& map, const std::string& path,
                  const std::vector<std::string>& allowed);
  std::vector<std::string> scalar_list(const YAML::Node& node, const std::string& path,
                                       bool allow_single);
  EnvList env_map(const YAML::Node& node, const std::string& path);
  bool printable(const YAML::Node& node, const std::string& path, std::string_view value);

  bool precheck();
  Mark second_document_mark(const YAML::Node& second) const;
  void read_top(const YAML::Node& root);
  void read_components(const YAML::Node& node);
  void read_component(const std::string& name, const YAML::Node& node, Component& out);
  void read_versions(const YAML::Node& node, const std::string& path, Component& out);
  void read_versions_source(const YAML::Node& node, const std::string& path, Component& out);
  void read_git_range(const YAML::Node& git, const std::string& path, Component& out);
  void read_git_tags(const YAML::Node& git, const std::string& path, Component& out);
  void read_command_versions(const YAML::Node& node, const std::string& path, Component& out);
  void keep_in_range(const YAML::Node& node, const std::string& path, Component& out);
  void read_sanitizers(const YAML::Node& node);
  void read_sanitizer(const YAML::Node& node, const std::string& path);
  void read_matrix(const YAML::Node& node);
  void read_rules(const YAML::Node& node, const std::string& path, std::vector<RuleEntry>& out);
  void read_workloads(const YAML::Node& node);
  void read_stress(const YAML::Node& node);
  void read_bisect(const YAML::Node& node);
  void read_report(const YAML::Node& node);

  // Cross-checks once every section is read.
  void check_depends();
  void read_inputs(const YAML::Node& node, const std::string& path, Component& out);
  void check_axes();
  void check_variable_names();
  void check_rules(const std::vector<RuleEntry>& rules, const std::string& what);
  void check_templates();
  std::vector<Text> check_template(const Text& command, const std::string& path,
                                   const std::vector<std::string>& known);
  Mark mark_in_file(const Text& command, std::size_t offset, std::string_view needle) const;
  std::vector<std::string> values_of(const std::string& name, const std::string& path) const;
  void check_option_values(const Template::Placeholder& p, const std::string& path, Mark at);

  void error(Mark mark, std::string message) { m_diagnostics.error(mark, std::move(message)); }

  std::string_view m_text;
  std::string m_file;
  const LoadOptions& m_options;
  Config m_config;
  Diagnostics m_diagnostics;
};

bool Loader::expect_map(const YAML::Node& node, const std::string& path) {
  if (node.IsMap()) return true;
  error(mark_of(node), path + " must be a mapping of keys to values, not " + kind_of(node));
  return false;
}

bool Loader::expect_sequence(const YAML::Node& node, const std::string& path) {
  if (node.IsSequence()) return true;
  error(mark_of(node), path + " must be a list, not " + kind_of(node));
  return false;
}

std::optional<std::string> Loader::scalar(const YAML::Node& node, const std::string& path) {
  if (node.IsScalar()) return node.Scalar();
  error(mark_of(node), path + " must be a single value, not " + kind_of(node));
  return std::nullopt;
}

std::optional<long long> Loader::integer(const YAML::Node& node, const std::string& path,
                                         long long min, long long max) {
  auto text = scalar(node, path);
  if (!text) return std::nullopt;
  long long value = 0;
  std::size_t used = 0;
  try {
    value = std::stoll(*text, &used);
  } catch (...) {
    used = 0;
  }
  if (used != text->size() || used == 0) {
    error(mark_of(node), path + " must be a whole number, not " + q(*text));
    return std::nullopt;
  }
  if (value < min || value > max) {
    error(mark_of(node), path + " must be between " + std::to_string(min) + " and " +
                             std::to_string(max) + ", not " + *text);
    return std::nullopt;
  }
  return value;
}

void Loader::check_keys(const YAML::Node& map, const std::string& path,
                        const std::vector<std::string>& allowed) {
  std::map<std::string, Mark> seen;
  for (auto it = map.begin(); it != map.end(); ++it) {
    if (!it->first.IsScalar()) {
      error(mark_of(it->first),
            "a key in " + path + " must be a plain name, not " + kind_of(it->first));
      continue;
    }
    const std::string key = it->first.Scalar();
    Mark mark = mark_of(it->first);
    auto [pos, inserted] = seen.emplace(key, mark);
    if (!inserted) {
      error(mark, "duplicate key " + q(key) + " in " + path + " (first given at line " +
                      std::to_string(pos->second.line) + ")");
    }
    if (!allowed.empty() && std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      error(mark, "unknown key " + q(key) + " in " + path + suggestion(key, allowed));
    }
  }
}

std::vector<std::string> Loader::scalar_list(const YAML::Node& node, const std::string& path,
                                             bool allow_single) {
  std::vector<std::string> out;
  if (allow_single && node.IsScalar()) {
    out.push_back(node.Scalar());
    return out;
  }
  if (!expect_sequence(node, path)) return out;
  for (std::size_t i = 0; i < node.size(); ++i) {
    if (auto v = scalar(node[i], path + "[" + std::to_string(i) + "]")) out.push_back(*v);
  }
  return out;
}

// Axis values reach commands as environment variables, which cannot hold NUL;
// no value may hold a control character.
bool Loader::printable(const YAML::Node& node, const std::string& path, std::string_view value) {
  const auto c = control_character(value);
  if (!c) return true;
  error(mark_of(node),
        path + " holds a control character (byte " + hex_byte(*c) +
            "); versions, parameter values and include values must be printable text");
  return false;
}

EnvList Loader::env_map(const YAML::Node& node, const std::string& path) {
  EnvList out;
  if (!expect_map(node, path)) return out;
  check_keys(node, path, {});
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    const std::string key = it->first.Scalar();
    bool name_ok = !key.empty() && !std::isdigit(static_cast<unsigned char>(key[0])) &&
                   std::all_of(key.begin(), key.end(),
                               [](unsigned char c) { return std::isalnum(c) || c == '_'; });
    if (!name_ok)
      error(mark_of(it->first), "environment variable name " + q(key) + " in " + path +
                                    " must be letters, digits and '_', not starting with a digit");
    auto v = scalar(it->second, path + "." + key);
    if (v && v->find('\0') != std::string::npos)
      error(mark_of(it->second),
            path + "." + key + " holds a NUL byte, which no environment variable can hold");
    else if (v)
      out.emplace_back(key, Text{*v, mark_of(it->second)});
  }
  return out;
}

// Problems yaml-cpp reports badly or not at all: bytes that are not UTF-8, tabs
// used for indentation, an empty file.
bool Loader::precheck() {
  if (auto bad = first_invalid_utf8(m_text)) {
    LineCol lc = line_col_at(m_text, *bad);
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(m_text[*bad]));
    error({lc.line, lc.column, *bad}, std::string("the file is not valid UTF-8: byte ") + hex +
                                          " cannot start or continue a character here");
    return false;
  }
  bool ok = true;
  std::size_t line_start = 0;
  int line = 1;
  while (line_start < m_text.size()) {
    std::size_t end = m_text.find('\n', line_start);
    if (end == std::string_view::npos) end = m_text.size();
    std::size_t i = line_start;
    while (i < end && m_text[i] == ' ') ++i;
    if (i < end && m_text[i] == '\t') {
      error({line, static_cast<int>(i - line_start) + 1, i},
            "tab character in indentation; YAML indents with spaces only");
      ok = false;
    }
    line_start = end + 1;
    ++line;
  }
  if (trim(m_text).empty()) {
    error({1, 1, 0},
          "the file is empty; a matrix needs at least 'version', 'components' and 'workloads'");
    ok = false;
  }
  return ok;
}

// The '---' line that opens the second document: the last one before its
// content, or the first after the first document's content.
Mark Loader::second_document_mark(const YAML::Node& second) const {
  std::size_t content =
      second.Mark().pos >= 0 ? static_cast<std::size_t>(second.Mark().pos) : m_text.size();
  std::size_t found = std::string_view::npos;
  for (std::size_t at = 0; at < m_text.size(); at = m_text.find('\n', at) + 1) {
    if (m_text.compare(at, 3, "---") == 0 && at > 0 && at <= content) found = at;
    if (m_text.find('\n', at) == std::string_view::npos) break;
  }
  if (found == std::string_view::npos) return mark_of(second);
  LineCol lc = line_col_at(m_text, found);
  return {lc.line, lc.column, found};
}

LoadResult Loader::load() {
  m_config.file = m_file;
  if (precheck()) {
    try {
      std::vector<YAML::Node> documents = YAML::LoadAll(std::string(m_text));
      if (documents.size() > 1) {
        error(second_document_mark(documents[1]),
              "a second YAML document starts here; a matrix file is one document (remove this "
              "'---' and what follows, "
              "or merge it into the first)");
        return {std::move(m_config), std::move(m_diagnostics)};
      }
      YAML::Node root = documents.empty() ? YAML::Node() : documents[0];
      if (expect_map(root, "the file")) read_top(root);
    } catch (const YAML::Exception& e) {
      Mark mark{e.mark.line + 1, e.mark.column + 1,
                static_cast<std::size_t>(std::max(e.mark.pos, 0))};
      std::string msg = e.msg;
      // yaml-cpp 0.7 reports its nesting-depth guard with this text.
      if (msg == "bad file") msg = "the document nests too deeply";
      error(mark, "invalid YAML: " + msg);
    }
  }
  if (m_diagnostics.empty()) {
    check_depends();
    check_axes();
    check_rules(m_config.exclude, "matrix.exclude");
    check_rules(m_config.include, "matrix.include");
    check_templates();
  }
  return {std::move(m_config), std::move(m_diagnostics)};
}

void Loader::read_top(const YAML::Node& root) {
  check_keys(root, "the top level", k_top_keys);
  if (!root["version"]) {
    error({1, 1, 0}, "missing key 'version' at the top level (write 'version: 1')");
  } else if (auto v = integer(root["version"], "version", 1, 1000)) {
    if (*v != 1)
      error(mark_of(root["version"]),
            "version " + std::to_string(*v) + " is not supported; this faultline reads version 1");
  }
  if (root["name"]) {
    if (auto v = scalar(root["name"], "name")) m_config.name = *v;
  } else {
    m_config.name = folder_name(m_file);
    if (m_config.name.empty()) m_config.name = "faultline";
  }
  if (root["compiler"]) {
    if (auto v = scalar(root["compiler"], "compiler")) {
      if (auto c = sanitizers::parse_compiler(*v))
        m_config.compiler = *c;
      else
        error(mark_of(root["compiler"]), "unknown compiler " + q(*v) + " (use 'gcc' or 'clang')");
    }
  }
  if (root["components"])
    read_components(root["components"]);
  else
    error({1, 1, 0},
          "missing key 'components': a matrix needs at least one component with versions");
  if (root["sanitizers"])
    read_sanitizers(root["sanitizers"]);
  else
    m_config.sanitizers.push_back({"none", {}, std::nullopt, {}, true});
  if (root["matrix"]) read_matrix(root["matrix"]);
  if (root["workloads"])
    read_workloads(root["workloads"]);
  else
    error({1, 1, 0}, "missing key 'workloads': a matrix needs at least one workload to run");
  if (root["stress"]) read_stress(root["stress"]);
  if (root["bisect"]) read_bisect(root["bisect"]);
  if (root["report"]) read_report(root["report"]);
  if (root["secrets"]) {
    for (const auto& name : scalar_list(root["secrets"], "secrets", true)) {
      bool ok = !name.empty() && !std::isdigit(static_cast<unsigned char>(name[0])) &&
                std::all_of(name.begin(), name.end(),
                            [](unsigned char c) { return std::isalnum(c) || c == '_'; });
      if (!ok)
        error(mark_of(root["secrets"]),
              "secrets names environment variables; " + q(name) + " is not a variable name");
      else
        m_config.secrets.push_back(name);
    }
  }
}

void Loader::read_components(const YAML::Node& node) {
  if (!expect_map(node, "components")) return;
  check_keys(node, "components", {});
  if (node.size() == 0)
    error(mark_of(node), "components is empty: a matrix needs at least one component");
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    Component c;
    c.name = it->first.Scalar();
    c.mark = mark_of(it->first);
    if (std::find(k_reserved_axes.begin(), k_reserved_axes.end(), c.name) !=
        k_reserved_axes.end()) {
      error(c.mark, "component name " + q(c.name) +
                        " is reserved (it names a built-in axis or template variable)");
    }
    read_component(c.name, it->second, c);
    if (!m_config.component(c.name)) m_config.components.push_back(std::move(c));
  }
}

void Loader::read_component(const std::string& name, const YAML::Node& node, Component& out) {
  const std::string path = "components." + name;
  if (!expect_map(node, path)) return;
  check_keys(node, path, k_component_keys);
  if (node["versions"])
    read_versions(node["versions"], path + ".versions", out);
  else
    error(mark_of(node), "missing key 'versions' in " + path + ": list the versions, oldest first");
  if (node["source"]) {
    const std::string spath = path + ".source";
    if (expect_map(node["source"], spath)) {
      check_keys(node["source"], spath, {"git"});
      if (node["source"]["git"]) {
        if (auto v = scalar(node["source"]["git"], spath + ".git")) out.source_git = *v;
      } else {
        error(mark_of(node["source"]),
              "missing key 'git' in " + spath + " (write source: { git: PATH })");
      }
    }
  }
  if (node["build"]) {
    if (auto v = scalar(node["build"], path + ".build")) out.build = {*v, mark_of(node["build"])};
  }
  if (node["env"]) out.env = env_map(node["env"], path + ".env");
  if (node["depends"]) {
    const YAML::Node d = node["depends"];
    if (d.IsScalar())
      out.depends.push_back({d.Scalar(), mark_of(d)});
    else if (expect_sequence(d, path + ".depends"))
      for (std::size_t i = 0; i < d.size(); ++i)
        if (auto v = scalar(d[i], path + ".depends[" + std::to_string(i) + "]"))
          out.depends.push_back({*v, mark_of(d[i])});
  }
  if (node["inputs"]) read_inputs(node["inputs"], path + ".inputs", out);
}

// inputs: globs relative to the matrix file's folder (`*`, `?`, `[…]` within a
// name, `**` for any depth); never absolute, never through `..`.
void Loader::read_inputs(const YAML::Node& node, const std::string& path, Component& out) {
  out.inputs_given = true;
  const bool single = node.IsScalar();
  if (!single && !expect_sequence(node, path)) return;
  for (std::size_t i = 0; i < (single ? 1 : node.size()); ++i) {
    const YAML::Node item = single ? node : node[i];
    const std::string where = single ? path : path + "[" + std::to_string(i) + "]";
    auto v = scalar(item, where);
    if (!v) continue;
    const std::string p = *v;
    if (p.empty() || p.front() == '/' || p == ".." || p.rfind("../", 0) == 0 ||
        p.find("/../") != std::string::npos ||
        (p.size() >= 3 && p.compare(p.size() - 3, 3, "/..") == 0))
      error(mark_of(item),
            where + ": " + q(p) +
                " is not a path inside the matrix file's folder (write e.g. src/** or build.sh)");
    else
      out.inputs.push_back({p, mark_of(item)});
  }
}

// versions: { git: { repo, range | tags, first-parent }, command, range }.
void Loader::read_versions_source(const YAML::Node& node, const std::string& path, Component& out) {
  check_keys(node, path, {"git", "command", "range"});
  if (node["git"] && node["command"]) {
    error(mark_of(node["command"]), path + " takes one source: 'git' or 'command', not both");
    return;
  }
  bool semver_source = node["command"].IsDefined();
  if (node["command"]) {
    read_command_versions(node, path, out);
  } else if (node["git"] && expect_map(node["git"], path + ".git")) {
    const YAML::Node git = node["git"];
    semver_source = git["tags"].IsDefined() && !git["range"];
    if (semver_source)
      read_git_tags(git, path + ".git", out);
    else
      read_git_range(git, path + ".git", out);
    if (node["range"] && !semver_source)
      error(mark_of(node["range"]),
            path + ".range filters semantic versions; a git commit range has none (use git.tags)");
  } else if (!node["git"]) {
    error(mark_of(node), path +
                             " must be a list, { git: { repo: PATH, range: A..B } }, { git: { "
                             "repo: PATH, tags: GLOB } }"
                             " or { command: COMMAND }");
    return;
  }
  if (node["range"] && semver_source && !out.versions.empty()) keep_in_range(node, path, out);
}

void Loader::read_git_range(const YAML::Node& git, const std::string& path, Component& out) {
  check_keys(git, path, {"repo", "range", "tags", "first-parent"});
  if (git["tags"]) error(mark_of(git["tags"]), path + " takes 'range' or 'tags', not both");
  auto repo = git["repo"] ? scalar(git["repo"], path + ".repo") : std::nullopt;
  auto range = git["range"] ? scalar(git["range"], path + ".range") : std::nullopt;
  if (!git["repo"]) error(mark_of(git), "missing key 'repo' in " + path);
  if (!git["range"])
    error(mark_of(git), "missing key 'range' or 'tags' in " + path +
                            " (e.g. range: v1.0..v1.3, or tags: \"v1.*\")");
  bool first_parent = true;
  if (git["first-parent"]) {
    auto text = scalar(git["first-parent"], path + ".first-parent");
    if (text && *text != "true" && *text != "false")
      error(mark_of(git["first-parent"]),
            path + ".first-parent must be true or false, not " + q(*text));
    first_parent = text != "false";
  }
  if (!repo || !range) return;
  out.versions_git = GitRange{*repo, *range};
  out.versions_from =
      "git range " + q(*range) + (first_parent ? "" : " (every parent)") + " in " + q(*repo);
  if (!m_options.list_git_range) {
    error(mark_of(git["range"]), path + ": git ranges cannot be listed here");
    return;
  }
  std::filesystem::path dir = std::filesystem::path(m_file).parent_path() / *repo;
  auto listed = m_options.list_git_range(dir.lexically_normal().string(), *range, first_parent);
  if (!listed) {
    error(mark_of(git["range"]), "git range " + q(*range) + " in " + path +
                                     " does not resolve in " + q(*repo) + ": " +
                                     listed.error().message);
    return;
  }
  if (listed->empty())
    error(mark_of(git["range"]), "git range " + q(*range) + " in " + path + " has no commits");
  out.versions = std::move(*listed);
}

void Loader::read_git_tags(const YAML::Node& git, const std::string& path, Component& out) {
  check_keys(git, path, {"repo", "tags"});
  auto repo = git["repo"] ? scalar(git["repo"], path + ".repo") : std::nullopt;
  auto pattern = scalar(git["tags"], path + ".tags");
  if (!git["repo"]) error(mark_of(git), "missing key 'repo' in " + path);
  if (!repo || !pattern) return;
  out.versions_from = "git tags " + q(*pattern) + " in " + q(*repo);
  const Mark at = mark_of(git["tags"]);
  if (!m_options.list_git_tags) return error(at, path + ": git tags cannot be listed here");
  std::filesystem::path dir = std::filesystem::path(m_file).parent_path() / *repo;
  auto listed = m_options.list_git_tags(dir.lexically_normal().string(), *pattern);
  if (!listed)
    return error(
        at, "cannot list the tags of " + q(*repo) + " for " + path + ": " + listed.error().message);
  if (listed->empty())
    return error(at, "no tag in " + q(*repo) + " matches " + q(*pattern) + " (" + path + ".tags)");
  auto sorted = sort_by_semver(std::move(*listed));
  if (!sorted)
    return error(at, "tag " + sorted.error().message + "; " + path +
                         ".tags orders tags by semantic version: narrow " + q(*pattern) +
                         " to those tags");
  out.versions = std::move(*sorted);
}

void Loader::read_command_versions(const YAML::Node& node, const std::string& path,
                                   Component& out) {
  auto command = scalar(node["command"], path + ".command");
  if (!command) return;
  const Mark at = mark_of(node["command"]);
  out.versions_from = "command " + q(*command);
  if (!m_options.run_versions_command) return error(at, path + ".command cannot be run here");
  auto printed = m_options.run_versions_command(
      *command, std::filesystem::path(m_file).parent_path().string());
  if (!printed)
    return error(at, path + ".command " + q(*command) + " failed: " + printed.error().message);
  auto versions = parse_version_listing(*printed);
  if (!versions)
    return error(at, path + ".command " + q(*command) + ": " + versions.error().message);
  if (versions->empty())
    return error(at, path + ".command " + q(*command) + " printed no versions");
  for (std::size_t i = 0; i < versions->size(); ++i)
    if (auto c = control_character((*versions)[i]))
      return error(at, path + ".command " + q(*command) + ": version " + std::to_string(i + 1) +
                           " of its output holds a control character (byte " + hex_byte(*c) +
                           "); versions must be printable text");
  out.versions = std::move(*versions);
}

// versions.range: only the versions (semantic ones) that satisfy it, order kept.
void Loader::keep_in_range(const YAML::Node& node, const std::string& path, Component& out) {
  auto text = scalar(node["range"], path + ".range");
  if (!text) return;
  auto range = parse_semver_range(*text);
  if (!range)
    return error(mark_of(node["range"]),
                 path + ".range " + q(*text) + ": " + range.error().message);
  const std::size_t listed = out.versions.size();
  out.versions = keep_satisfying(out.versions, *range);
  out.versions_from += ", range " + q(*text);
  if (out.versions.empty())
    error(mark_of(node["range"]), "none of the " + std::to_string(listed) + " versions from " +
                                      path + " satisfies range " + q(*text));
}

void Loader::read_versions(const YAML::Node& node, const std::string& path, Component& out) {
  if (node.IsMap()) {
    read_versions_source(node, path, out);
    return;
  }
  out.versions_from = "the list";
  if (!expect_sequence(node, path)) return;
  if (node.size() == 0) {
    error(mark_of(node), path + " is empty: give at least one version");
    return;
  }
  std::map<std::string, Mark> seen;
  for (std::size_t i = 0; i < node.size(); ++i) {
    auto v = scalar(node[i], path + "[" + std::to_string(i) + "]");
    if (!v) continue;
    if (v->empty()) {
      error(mark_of(node[i]), "empty version in " + path);
      continue;
    }
    if (!printable(node[i], path + "[" + std::to_string(i) + "]", *v)) continue;
    auto [pos, inserted] = seen.emplace(*v, mark_of(node[i]));
    if (!inserted) {
      error(mark_of(node[i]), "duplicate version " + q(*v) + " in " + path +
                                  " (first given at line " + std::to_string(pos->second.line) +
                                  ")");
      continue;
    }
    out.versions.push_back(*v);
  }
}

void Loader::read_sanitizers(const YAML::Node& node) {
  if (node.IsScalar()) {
    read_sanitizer(node, "sanitizers");
    return;
  }
  if (!expect_sequence(node, "sanitizers")) return;
  if (node.size() == 0)
    error(mark_of(node), "sanitizers is empty: list at least one (e.g. [none, asan])");
  for (std::size_t i = 0; i < node.size(); ++i)
    read_sanitizer(node[i], "sanitizers[" + std::to_string(i) + "]");
}

void Loader::read_sanitizer(const YAML::Node& node, const std::string& path) {
  SanitizerSpec spec;
  spec.mark = mark_of(node);
  if (node.IsScalar()) {
    spec.name = node.Scalar();
    if (!sanitizers::is_builtin(spec.name)) {
      error(spec.mark, "unknown sanitizer " + q(spec.name) +
                           suggestion(spec.name, sanitizers::builtin_names()) +
                           "; a custom one is written { name: NAME, extends: asan, … }");
      return;
    }
  } else {
    if (!expect_map(node, path)) return;
    check_keys(node, path, k_sanitizer_keys);
    if (!node["name"]) {
      error(spec.mark, "missing key 'name' in " + path);
      return;
    }
    auto name = scalar(node["name"], path + ".name");
    if (!name) return;
    spec.name = *name;
    if (node["extends"]) {
      if (auto base = scalar(node["extends"], path + ".extends")) {
        if (!sanitizers::is_builtin(*base))
          error(mark_of(node["extends"]), "unknown sanitizer " + q(*base) + " in " + path +
                                              ".extends" +
                                              suggestion(*base, sanitizers::builtin_names()));
        spec.extends = *base;
      }
    }
    auto& f = spec.fields;
    f.name = spec.name;
    if (node["cflags"]) f.cflags = scalar_list(node["cflags"], path + ".cflags", true);
    if (node["cxxflags"]) f.cxxflags = scalar_list(node["cxxflags"], path + ".cxxflags", true);
    if (node["ldflags"]) f.ldflags = scalar_list(node["ldflags"], path + ".ldflags", true);
    if (node["goflags"]) f.goflags = scalar_list(node["goflags"], path + ".goflags", true);
    if (node["rustflags"]) f.rustflags = scalar_list(node["rustflags"], path + ".rustflags", true);
    if (node["wrapper"]) f.wrapper = scalar_list(node["wrapper"], path + ".wrapper", true);
    if (node["env"])
      for (auto& [k, v] : env_map(node["env"], path + ".env")) f.env.emplace_back(k, v.value);
    bool builtin_override = sanitizers::is_builtin(spec.name);
    if (builtin_override && spec.extends && *spec.extends != spec.name)
      error(mark_of(node["extends"]),
            "built-in sanitizer " + q(spec.name) +
                " cannot extend another; give the custom profile its own name");
    if (!builtin_override && !spec.extends && f.cflags.empty() && f.cxxflags.empty() &&
        f.ldflags.empty() && f.goflags.empty() && f.rustflags.empty() && f.wrapper.empty() &&
        f.env.empty()) {
      error(spec.mark, "unknown sanitizer " + q(spec.name) +
                           suggestion(spec.name, sanitizers::builtin_names()) +
                           ": a custom profile needs 'extends' or its own flags, env or wrapper");
    }
  }
  spec.builtin = sanitizers::is_builtin(spec.name);
  if (m_config.sanitizer(spec.name)) {
    error(spec.mark, "sanitizer " + q(spec.name) + " is listed twice");
    return;
  }
  m_config.sanitizers.push_back(std::move(spec));
}

void Loader::read_matrix(const YAML::Node& node) {
  if (!expect_map(node, "matrix")) return;
  check_keys(node, "matrix", {"include", "exclude"});
  if (node["include"]) read_rules(node["include"], "matrix.include", m_config.include);
  if (node["exclude"]) read_rules(node["exclude"], "matrix.exclude", m_config.exclude);
}

void Loader::read_rules(const YAML::Node& node, const std::string& path,
                        std::vector<RuleEntry>& out) {
  if (!expect_sequence(node, path)) return;
  for (std::size_t i = 0; i < node.size(); ++i) {
    const std::string entry_path = path + "[" + std::to_string(i) + "]";
    const YAML::Node entry = node[i];
    if (!expect_map(entry, entry_path)) continue;
    check_keys(entry, entry_path, {});
    RuleEntry rule;
    rule.mark = mark_of(entry);
    for (auto it = entry.begin(); it != entry.end(); ++it) {
      if (!it->first.IsScalar()) continue;
      if (it->second.IsMap() || it->second.IsSequence()) {
        error(mark_of(it->second), entry_path + "." + it->first.Scalar() +
                                       " must be a single value, not " + kind_of(it->second) +
                                       " (GitHub allows objects and lists here; in faultline "
                                       "each value is one environment variable and part of a "
                                       "cell id)");
        continue;
      }
      if (auto v = scalar(it->second, entry_path + "." + it->first.Scalar());
          v && printable(it->second, entry_path + "." + it->first.Scalar(), *v)) {
        rule.values.emplace_back(it->first.Scalar(), *v);
        rule.key_marks.push_back(mark_of(it->first));
      }
    }
    if (rule.values.empty()) error(rule.mark, entry_path + " is empty");
    out.push_back(std::move(rule));
  }
}

void Loader::read_workloads(const YAML::Node& node) {
  if (!expect_map(node, "workloads")) return;
  check_keys(node, "workloads", {});
  if (node.size() == 0)
    error(mark_of(node), "workloads is empty: give at least one workload with a 'run' command");
  for (auto it = node.begin(); it != node.end(); ++it) {
    if (!it->first.IsScalar()) continue;
    Workload w;
    w.name = it->first.Scalar();
    w.mark = mark_of(it->first);
    const std::string path = "workloads." + w.name;
    const YAML::Node body = it->second;
    if (!expect_map(body, path)) continue;
    check_keys(body, path, k_workload_keys);
    if (body["run"]) {
      if (auto v = scalar(body["run"], path + ".run")) w.run = {*v, mark_of(body["run"])};
      if (w.run.mark.line && trim(w.run.value).empty())
        error(w.run.mark, path + ".run is blank: give the command that runs one stress iteration");
    } else {
      error(w.mark,
            "missing key 'run' in " + path + ": the command that runs one stress iteration");
    }
    if (body["params"] && expect_map(body["params"], path + ".params")) {
      check_keys(body["params"], path + ".params", {});
      for (auto p = body["params"].begin(); p != body["params"].end(); ++p) {
        if (!p->first.IsScalar()) continue;
        Param param{p->first.Scalar(), mark_of(p->first), {}};
        const std::string ppath = path + ".params." + param.name;
        param.values = scalar_list(p->second, ppath, true);
        for (std::size_t i = 0; i < param.values.size(); ++i)
          printable(p->second.IsSequence() ? p->second[i] : p->second,
                    p->second.IsSequence() ? ppath + "[" + std::to_string(i) + "]" : ppath,
                    param.values[i]);
        if (param.values.empty() && p->second.IsSequence())
          error(mark_of(p->second), ppath + " is empty: give at least one value");
        std::set<std::string> seen;
        for (const auto& v : param.values)
          if (!seen.insert(v).second)
            error(mark_of(p->second), "duplicate value " + q(v) + " in " + ppath);
        w.params.push_back(std::move(param));
      }
    }
    if (body["timeout"]) {
      if (auto v = scalar(body["timeout"], path + ".timeout");
          v && !parse_duration_ms(*v, w.timeout_ms))
        error(mark_of(body["timeout"]),
              path + ".timeout " + q(*v) + " is not a duration (write 30s, 500ms, 5m or 1h)");
    }
    if (body["env"]) w.env = env_map(body["env"], path + ".env");
    if (!m_config.workload(w.name)) m_config.workloads.push_back(std::move(w));
  }
}

void Loader::read_stress(const YAML::Node& node) {
  if (!expect_map(node, "stress")) return;
  check_keys(node, "stress", k_stress_keys);
  if (node["runs"])
    if (auto v = integer(node["runs"], "stress.runs", 1, 10'000'000))
      m_config.stress.runs = static_cast<int>(*v);
  if (node["parallel"]) {
    if (node["parallel"].IsScalar() && node["parallel"].Scalar() == "auto")
      m_config.stress.parallel = 0;
    else if (auto v = integer(node["parallel"], "stress.parallel", 1, 4096))
      m_config.stress.parallel = static_cast<int>(*v);
  }
  if (node["stop"]) {
    if (auto v = scalar(node["stop"], "stress.stop")) {
      if (*v == "first-crash")
        m_config.stress.stop = StopPolicy::first_crash;
      else if (*v == "all")
        m_config.stress.stop = StopPolicy::all;
      else if (*v == "confidence")
        m_config.stress.stop = StopPolicy::confidence;
      else
        error(mark_of(node["stop"]), "unknown stress.stop " + q(*v) +
                                         suggestion(*v, {"first-crash", "all", "confidence"}) +
                                         "; use first-crash, all or confidence");
    }
  }
  if (node["keep_cores"]) {
    if (auto v = scalar(node["keep_cores"], "stress.keep_cores")) {
      if (*v == "true" || *v == "false")
        m_config.stress.keep_cores = *v == "true";
      else
        error(mark_of(node["keep_cores"]), "stress.keep_cores must be true or false, not " + q(*v));
    }
  }
}

void Loader::read_bisect(const YAML::Node& node) {
  if (!expect_map(node, "bisect")) return;
  check_keys(node, "bisect", k_bisect_keys);
  if (node["axes"]) {
    const YAML::Node axes = node["axes"];
    if (axes.IsScalar())
      m_config.bisect.axes.push_back({axes.Scalar(), mark_of(axes)});
    else if (expect_sequence(axes, "bisect.axes"))
      for (std::size_t i = 0; i < axes.size(); ++i)
        if (auto v = scalar(axes[i], "bisect.axes[" + std::to_string(i) + "]"))
          m_config.bisect.axes.push_back({*v, mark_of(axes[i])});
    if (m_config.bisect.axes.size() > 2) error(mark_of(axes), "bisect.axes names at most two axes");
  }
  if (node["confidence"]) {
    if (auto v = scalar(node["confidence"], "bisect.confidence")) {
      char* end = nullptr;
      double c = std::strtod(v->c_str(), &end);
      if (end == v->c_str() || *end != '\0' || !(c >= 0.5 && c < 1.0))
        error(mark_of(node["confidence"]),
              "bisect.confidence must be a number from 0.5 up to (not including) 1, not " + q(*v));
      else
        m_config.bisect.confidence = c;
    }
  }
}

void Loader::read_report(const YAML::Node& node) {
  if (!expect_map(node, "report")) return;
  check_keys(node, "report", k_report_keys);
  if (node["formats"]) {
    auto formats = scalar_list(node["formats"], "report.formats", true);
    for (const auto& f : formats)
      if (std::find(k_report_formats.begin(), k_report_formats.end(), f) == k_report_formats.end())
        error(mark_of(node["formats"]), "unknown report format " + q(f) +
                                            suggestion(f, k_report_formats) + "; use " +
                                            join(k_report_formats, ", "));
    m_config.report.formats = formats;
  }
  if (node["dir"])
    if (auto v = scalar(node["dir"], "report.dir")) m_config.report.dir = *v;
}

void Loader::check_depends() {
  std::vector<std::string> names;
  for (const auto& c : m_config.components) names.push_back(c.name);
  for (const auto& c : m_config.components)
    for (const auto& d : c.depends) {
      if (!m_config.component(d.value))
        error(d.mark, "components." + c.name + ".depends names unknown component " + q(d.value) +
                          suggestion(d.value, names));
      else if (d.value == c.name)
        error(d.mark, "components." + c.name + " depends on itself");
    }
  // Cycle: depth-first search with colours.
  std::map<std::string, int> colour;
  std::vector<std::string> stack;
  std::function<bool(const Component&)> visit = [&](const Component& c) {
    colour[c.name] = 1;
    stack.push_back(c.name);
    for (const auto& d : c.depends) {
      const Component* next = m_config.component(d.value);
      if (!next || next == &c) continue;
      if (colour[next->name] == 1) {
        auto from = std::find(stack.begin(), stack.end(), next->name);
        std::vector<std::string> cycle(from, stack.end());
        cycle.push_back(next->name);
        error(d.mark, "depends cycle: " + join(cycle, " -> "));
        return false;
      }
      if (colour[next->name] == 0 && !visit(*next)) return false;
    }
    colour[c.name] = 2;
    stack.pop_back();
    return true;
  };
  for (const auto& c : m_config.components)
    if (colour[c.name] == 0 && !visit(c)) break;
}

bool is_identifier(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  return std::all_of(name.begin(), name.end(),
                     [](unsigned char c) { return std::isalnum(c) || c == '_' || c == '-'; });
}

// Every name the file gives a variable (components, parameters, include keys),
// with what it is called in messages and where it was written.
struct NamedVariable {
  std::string name;
  std::string what;
  Mark mark;
};

std::vector<NamedVariable> named_variables(const Config& config) {
  std::vector<NamedVariable> out;
  for (const auto& c : config.components) {
    out.push_back({c.name, "component " + q(c.name), c.mark});
    out.push_back({"prefix." + c.name, "{{ prefix." + c.name + " }}", c.mark});
  }
  for (const auto& w : config.workloads)
    for (const auto& p : w.params)
      out.push_back({p.name, "parameter " + q(p.name) + " of workload " + q(w.name), p.mark});
  for (const auto& rule : config.include)
    for (std::size_t i = 0; i < rule.values.size(); ++i)
      out.push_back(
          {rule.values[i].first, "include key " + q(rule.values[i].first), rule.key_marks[i]});
  return out;
}

// Names become {{ name }} and FAULTLINE_NAME: they must be identifiers, and no
// two may export the same environment variable (`a-b` and `a_b` would).
void Loader::check_variable_names() {
  std::map<std::string, std::pair<std::string, std::string>> taken;  // env -> (name, what)
  for (const char* builtin :
       {"sanitizer",   "workload",    "compiler",     "cell",      "cell.id",    "cell.hash",
        "run.index",   "workdir",     "version",      "component", "prefix",     "source",
        "jobs",        "san.name",    "san.cc",       "san.cxx",   "san.cflags", "san.cxxflags",
        "san.ldflags", "san.goflags", "san.rustflags"})
    taken.emplace(environment_name(builtin),
                  std::make_pair(builtin, "the built-in {{ " + std::string(builtin) + " }}"));
  for (const auto& v : named_variables(m_config)) {
    const bool prefix = v.name.rfind("prefix.", 0) == 0;
    if (prefix && !is_identifier(std::string_view(v.name).substr(7)))
      continue;  // its component is reported
    if (!prefix && !is_identifier(v.name)) {
      error(v.mark,
            v.what +
                " must be a name of letters, digits, '_' and '-', starting with a letter or '_' "
                "(it becomes {{ " +
                v.name + " }} and an environment variable)");
      continue;
    }
    const std::string env = environment_name(v.name);
    auto [it, fresh] = taken.emplace(env, std::make_pair(v.name, v.what));
    const bool both_prefixes =
        prefix && it->second.first.rfind("prefix.", 0) == 0;  // their components collide
    if (!fresh && it->second.first != v.name && !both_prefixes)
      error(v.mark,
            v.what + " exports " + env + ", as " + it->second.second +
                " does; give it a name that differs in more than letter case and punctuation");
  }
}

void Loader::check_axes() {
  check_variable_names();
  for (const auto& w : m_config.workloads)
    for (const auto& p : w.params) {
      if (m_config.component(p.name) || std::find(k_reserved_axes.begin(), k_reserved_axes.end(),
                                                  p.name) != k_reserved_axes.end())
        error(p.mark, "parameter " + q(p.name) + " of workload " + q(w.name) +
                          " has the name of a component or built-in axis; rename it");
    }
  if (m_config.compiler == sanitizers::Compiler::gcc)
    for (const auto& s : m_config.sanitizers)
      if (s.name == "msan" || s.extends == "msan")
        error(s.mark,
              "sanitizer " + q(s.name) +
                  " needs clang (MemorySanitizer has no gcc support); set 'compiler: clang'");
  for (const auto& a : m_config.bisect.axes) {
    const Component* c = m_config.component(a.value);
    std::vector<std::string> names;
    for (const auto& comp : m_config.components) names.push_back(comp.name);
    if (!c)
      error(a.mark, "bisect.axes names " + q(a.value) + ", which is not a component" +
                        suggestion(a.value, names) + "; bisect searches ordered version axes");
  }
}

void Loader::check_rules(const std::vector<RuleEntry>& rules, const std::string& what) {
  std::vector<std::string> axes;
  for (const auto& c : m_config.components) axes.push_back(c.name);
  axes.push_back("sanitizer");
  axes.push_back("workload");
  for (const auto& w : m_config.workloads)
    for (const auto& p : w.params)
      if (std::find(axes.begin(), axes.end(), p.name) == axes.end()) axes.push_back(p.name);
  const bool is_exclude = what == "matrix.exclude";
  for (const auto& rule : rules) {
    for (std::size_t i = 0; i < rule.values.size(); ++i) {
      const auto& [key, value] = rule.values[i];
      const Mark mark = rule.key_marks[i];
      bool is_axis = std::find(axes.begin(), axes.end(), key) != axes.end();
      if (!is_axis) {
        // An include key that is no axis adds a variable (GitHub semantics; a likely
        // misspelling is warned about by expand(), which knows whether it has any use);
        // exclude can only name axes, as on GitHub.
        if (is_exclude)
          error(mark, what + " names unknown axis " + q(key) + suggestion(key, axes) +
                          "; the axes are " + join(axes, ", "));
        continue;
      }
      std::vector<std::string> values;
      if (const Component* c = m_config.component(key))
        values = c->versions;
      else if (key == "sanitizer")
        for (const auto& s : m_config.sanitizers) values.push_back(s.name);
      else if (key == "workload")
        for (const auto& w : m_config.workloads) values.push_back(w.name);
      else if (is_exclude) {
        for (const auto& w : m_config.workloads)
          for (const auto& p : w.params)
            if (p.name == key) values.insert(values.end(), p.values.begin(), p.values.end());
      } else {
        continue;  // include may introduce a new parameter value
      }
      if (std::find(values.begin(), values.end(), value) == values.end())
        error(mark, what + ": " + q(value) + " is not a value of axis " + q(key) +
                        value_suggestion(value, values) + " (values: " + join(values, ", ") + ")");
    }
  }
}

// The place in the file of `needle` at byte `offset` of the command's value:
// its n-th occurrence there is taken to be the n-th in the file after the key.
Mark Loader::mark_in_file(const Text& command, std::size_t offset, std::string_view needle) const {
  std::size_t nth = 0;
  for (std::size_t at = command.value.find(needle); at != std::string::npos && at < offset;
       at = command.value.find(needle, at + 1))
    ++nth;
  std::size_t found = m_text.find(needle, command.mark.pos);
  for (; nth > 0 && found != std::string_view::npos; --nth) found = m_text.find(needle, found + 1);
  if (command.mark.line == 0 || found == std::string_view::npos) return command.mark;
  LineCol lc = line_col_at(m_text, found);
  return {lc.line, lc.column, found};
}

// The values {{ name }} may take in the command at `path` (components.C.build or
// workloads.W.run): a component's versions ({{ version }} in its build, {{ C }}), a parameter's
// values, an include rule's values.
std::vector<std::string> Loader::values_of(const std::string& name, const std::string& path) const {
  std::string component = name;
  if (name == "version" && path.rfind("components.", 0) == 0)
    component = path.substr(11, path.rfind('.') - 11);
  if (const Component* c = m_config.component(component)) return c->versions;
  std::vector<std::string> out;
  for (const auto& w : m_config.workloads)
    for (const auto& param : w.params)
      if (param.name == name) out.insert(out.end(), param.values.begin(), param.values.end());
  for (const auto& rule : m_config.include)
    for (const auto& [key, value] : rule.values)
      if (key == name) out.push_back(value);
  return out;
}

// A value starting with '-' where a program still reads its options would be one of them, and
// some give the program code (sed -e…, python3 -c…, env -S…, make --eval=…).
void Loader::check_option_values(const Template::Placeholder& p, const std::string& path, Mark at) {
  if (p.option_reader.empty()) return;
  for (const auto& value : values_of(p.name, path))
    if (!value.empty() && value[0] == '-')
      return error(at, path + ": '{{ " + p.name + " }}' starts a word where " + p.option_reader +
                           " reads its options, and its value '" + value +
                           "' begins with '-', so " + p.option_reader +
                           " would take it for an option, and an option such as -e, -c, -S or "
                           "--eval gives a program code to run; put -- before it, or fixed text "
                           "(./{{ " +
                           p.name + " }})");
}

std::vector<Text> Loader::check_template(const Text& command, const std::string& path,
                                         const std::vector<std::string>& known) {
  std::vector<Text> uses;
  auto parsed = Template::parse(command.value);
  if (auto* e = std::get_if<Template::ParseError>(&parsed)) {
    const std::size_t close = command.value.find("}}", e->offset);
    const std::string_view raw =
        close == std::string::npos
            ? std::string_view("{{")
            : std::string_view(command.value).substr(e->offset, close + 2 - e->offset);
    error(mark_in_file(command, e->offset, raw), path + ": " + e->message);
    return uses;
  }
  for (const auto& p : std::get<Template>(parsed).placeholders()) {
    std::string_view raw = std::string_view(command.value).substr(p.offset, p.length);
    uses.push_back({p.name, mark_in_file(command, p.offset, raw)});
    if (std::find(known.begin(), known.end(), p.name) != known.end()) {
      check_option_values(p, path, uses.back().mark);
      continue;
    }
    std::string hint = suggestion(p.name, known);
    if (p.name == "source" && path.rfind("components.", 0) == 0)
      hint = " (a build has {{ source }} only when its component has 'source: { git: … }')";
    std::string_view comp =
        p.name.rfind("prefix.", 0) == 0 ? std::string_view(p.name).substr(7) : p.name;
    if (hint.empty() && path.rfind("components.", 0) == 0 && m_config.component(comp))
      hint = " (add " + q(comp) + " to " + path.substr(0, path.size() - 6) + ".depends to use it)";
    error(uses.back().mark, "unknown template variable " + q(p.name) + " in " + path + hint);
  }
  return uses;
}

void Loader::check_templates() {
  for (const auto& c : m_config.components)
    if (!c.build.value.empty())
      check_template(c.build, "components." + c.name + ".build", build_variables(m_config, c));
  std::vector<std::string> extras;
  for (const auto& rule : m_config.include)
    for (const auto& [k, v] : rule.values) extras.push_back(k);
  const auto known = run_variables(m_config, extras);
  for (auto& w : m_config.workloads)
    w.run_placeholders = check_template(w.run, "workloads." + w.name + ".run", known);
}

const std::vector<std::string> k_san_fields = {"san.cc",        "san.cxx",     "san.cflags",
                                               "san.cxxflags",  "san.ldflags", "san.goflags",
                                               "san.rustflags", "san.name"};

}  // namespace

std::vector<std::string> build_variables(const Config& config, const Component& component) {
  std::vector<std::string> vars = {"version",   "component", "prefix",
                                   "sanitizer", "compiler",  "jobs"};
  if (component.source_git) vars.push_back("source");
  vars.insert(vars.end(), k_san_fields.begin(), k_san_fields.end());
  vars.push_back("prefix." + component.name);
  vars.push_back(component.name);
  for (const auto& d : component.depends) {
    vars.push_back("prefix." + d.value);
    vars.push_back(d.value);
  }
  return vars;
}

std::vector<std::string> run_variables(const Config& config,
                                       const std::vector<std::string>& extras) {
  std::vector<std::string> vars = {"sanitizer", "workload",  "compiler", "cell.id",
                                   "cell.hash", "run.index", "workdir"};
  vars.insert(vars.end(), k_san_fields.begin(), k_san_fields.end());
  for (const auto& c : config.components) {
    vars.push_back(c.name);
    vars.push_back("prefix." + c.name);
  }
  for (const auto& w : config.workloads)
    for (const auto& p : w.params) vars.push_back(p.name);
  vars.insert(vars.end(), extras.begin(), extras.end());
  return vars;
}

LoadResult load_text(std::string_view text, const std::string& file, const LoadOptions& options) {
  return Loader(text, file, options).load();
}

LoadResult load_file(const std::string& file, const LoadOptions& options) {
  Expected<std::string> text = read_file(file);
  if (!text) {
    LoadResult result;
    result.config.file = file;
    result.diagnostics.error({}, "cannot read the matrix file: " + text.error().message);
    return result;
  }
  return load_text(*text, file, options);
}

}  // namespace faultline::matrix
