#include "reporters/sarif.h"

#include <cctype>
#include <filesystem>
#include <map>
#include <optional>

#include "reporters/terminal.h"
#include "reporters/text.h"

namespace faultline::reporters {

using nlohmann::json;
using results::Cell;
using results::Results;
using results::Signature;
namespace fs = std::filesystem;

namespace {

constexpr const char* k_schema = "https://json.schemastore.org/sarif-2.1.0.json";
constexpr const char* k_root = "SRCROOT";

std::string text(const std::string& raw, std::size_t max_bytes = 2'000) {
  return clean_text(utf8_prefix(raw, max_bytes));
}

// `file` relative to the repository root, or "" when it lies outside it.
std::string in_repo(const std::string& file, const std::string& root) {
  if (file.empty()) return "";
  fs::path p = fs::path(file).lexically_normal();
  if (p.is_absolute()) {
    if (root.empty()) return "";
    p = p.lexically_relative(fs::path(root).lexically_normal());
  }
  const std::string rel = p.generic_string();
  if (rel.empty() || rel == "." || rel.rfind("..", 0) == 0 || p.is_absolute()) return "";
  return rel;
}

json physical(const std::string& rel, int line) {
  json p = {{"artifactLocation", {{"uri", uri_path(clean_text(rel))}, {"uriBaseId", k_root}}}};
  if (line > 0) p["region"] = {{"startLine", line}};
  return p;
}

// "HeapUseAfterFree" from "heap-use-after-free": a rule's name.
std::string camel(const std::string& kind) {
  std::string out;
  bool upper = true;
  for (char c : kind) {
    if (!std::isalnum(static_cast<unsigned char>(c))) {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out.empty() ? "Crash" : out;
}

json rule(const Signature& s) {
  const std::string tool = text(s.tool, 100), kind = text(s.kind, 200);
  return {{"id", tool + "/" + kind},
          {"name", camel(kind)},
          {"shortDescription", {{"text", tool + ": " + kind}}},
          {"fullDescription", {{"text", "A workload run crashed with " + tool + " " + kind + "."}}},
          {"defaultConfiguration", {{"level", "error"}}},
          {"properties", {{"tags", {"crash", tool}}}}};
}

std::string frame_text(const results::Frame& f) {
  std::string t = text(f.function, 300);
  std::string where = f.file;
  if (where.empty()) where = f.module;
  if (!where.empty()) {
    t += " (" + text(fs::path(where).filename().string(), 200);
    if (f.line > 0) t += ":" + std::to_string(f.line);
    t += ")";
  }
  return t;
}

json code_flow(const std::vector<results::Frame>& frames, const SarifOptions& o) {
  json steps = json::array();
  // Outermost first, so the flow reads as the path execution took to the crash.
  const std::size_t n = std::min(frames.size(), o.max_flow_frames);
  for (std::size_t i = n; i-- > 0;) {
    const results::Frame& f = frames[i];
    json location = {{"message", {{"text", frame_text(f)}}}};
    const std::string rel = in_repo(f.file, o.repo_root);
    if (!rel.empty()) location["physicalLocation"] = physical(rel, f.line);
    steps.push_back({{"location", location}, {"nestingLevel", n - 1 - i}});
  }
  return json::array({{{"message", {{"text", "the stack of the crash, outermost frame first"}}},
                       {"threadFlows", json::array({{{"locations", steps}}})}}});
}

// The crash's place: the innermost frame inside the repository, else the matrix file.
json location(const Signature& s, const Results& r, const SarifOptions& o) {
  for (const auto& f : s.frames) {
    const std::string rel = in_repo(f.file, o.repo_root);
    if (!rel.empty()) return physical(rel, f.line);
  }
  std::string matrix = in_repo(r.matrix_file, o.repo_root);
  if (matrix.empty()) matrix = "faultline.yaml";
  return physical(matrix, 1);
}

std::string message(const Signature& s, const Cell* first) {
  const std::size_t cells = s.cells.size();
  std::string m = text(s.text, 1'000) + " — in " + std::to_string(cells) +
                  (cells == 1 ? " cell, " : " cells, ") + std::to_string(s.runs) + " runs.";
  if (!s.summary.empty()) m += " " + text(s.summary, 1'000);
  if (first) m += " First in: " + text(first->id, 1'000) + ".";
  return m;
}

// One result: the signature as a SARIF result under rule `rule_id` (index `rule`).
json result_of(const Signature& s, const Results& r,
               const std::map<std::string, const Cell*>& cells, const std::string& rule_id,
               std::size_t rule, const SarifOptions& o) {
  const Cell* first = nullptr;
  if (!s.cells.empty())
    if (auto c = cells.find(s.cells[0]); c != cells.end()) first = c->second;
  json cell_ids = json::array();
  for (const auto& h : s.cells)
    if (auto c = cells.find(h); c != cells.end() && cell_ids.size() < 100)
      cell_ids.push_back(text(c->second->id, 1'000));
  json result = {{"ruleId", rule_id},
                 {"ruleIndex", rule},
                 {"level", "error"},
                 {"message", {{"text", message(s, first)}}},
                 {"locations", json::array({{{"physicalLocation", location(s, r, o)}}})},
                 {"partialFingerprints", {{"faultlineSignature/v1", text(s.hash, 64)}}},
                 {"properties",
                  {{"signature", text(s.hash, 64)},
                   {"runs", s.runs},
                   {"cells", cell_ids},
                   {"excerpt", bounded_text(s.excerpt, {60, 300, 4'000})}}}};
  if (!s.frames.empty()) result["codeFlows"] = code_flow(s.frames, o);
  if (first && first->repro) result["properties"]["repro"] = text(*first->repro, 4'000);
  return result;
}

// SARIF 2.1.0 §3.20: an invocation that did not finish or did not run every
// cell, and why: one notification per cell that did not run (up to 100), and
// one for an interrupted run; nullopt when the whole matrix ran.
std::optional<json> unsuccessful_invocation(const Results& r) {
  json notes = json::array();
  if (r.interrupted)
    notes.push_back({{"level", "warning"},
                     {"message",
                      {{"text",
                        "the run was interrupted: it is partial, and the cells it did not finish "
                        "are skipped, not passed"}}}});
  for (const auto& c : r.cells) {
    if (!did_not_run(r, c) || notes.size() >= 100) continue;
    notes.push_back({{"level", "error"},
                     {"message",
                      {{"text", "cell " + text(c.id, 1'000) + " did not run (" + c.verdict +
                                    "): " + text(not_run_reason(c).value_or(""), 1'000)}}}});
  }
  if (notes.empty()) return std::nullopt;
  return json{{"executionSuccessful", false}, {"toolExecutionNotifications", notes}};
}

}  // namespace

json sarif_json(const Results& r, const SarifOptions& o) {
  std::map<std::string, const Cell*> cells;
  for (const auto& c : r.cells) cells.emplace(c.hash, &c);
  json rules = json::array(), results = json::array();
  std::map<std::string, std::size_t> rule_index;
  std::size_t bytes = 0, left_out = 0;
  for (const auto& s : r.signatures) {
    if (results.size() >= o.max_results || bytes >= o.max_bytes) {
      ++left_out;
      continue;
    }
    const std::string id = text(s.tool, 100) + "/" + text(s.kind, 200);
    auto [it, added] = rule_index.try_emplace(id, rules.size());
    if (added) rules.push_back(rule(s));
    json result = result_of(s, r, cells, id, it->second, o);
    bytes += result.dump(-1, ' ', false, json::error_handler_t::replace).size();
    results.push_back(std::move(result));
  }
  json run = {
      {"tool",
       {{"driver", {{"name", "faultline"}, {"version", o.tool_version}, {"rules", rules}}}}},
      {"automationDetails", {{"id", "faultline/" + text(r.name, 200) + "/"}}},
      {"originalUriBaseIds", {{k_root, {{"description", {{"text", "the repository root"}}}}}}},
      {"results", results},
      {"properties", {{"matrix", text(r.name, 200)}, {"signaturesLeftOut", left_out}}}};
  if (auto invocation = unsuccessful_invocation(r)) {
    run["invocations"] = json::array({*invocation});
    if (r.interrupted) run["properties"]["interrupted"] = true;
  }
  return {{"$schema", k_schema}, {"version", "2.1.0"}, {"runs", json::array({run})}};
}

std::string render_sarif(const Results& r, const SarifOptions& o) {
  return sarif_json(r, o).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

json sarif_json(const json& r, const SarifOptions& o) { return sarif_json(r.get<Results>(), o); }

std::string render_sarif(const json& r, const SarifOptions& o) {
  return render_sarif(r.get<Results>(), o);
}

}  // namespace faultline::reporters
