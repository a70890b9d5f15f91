#include "reporters/results.h"

#include <algorithm>
#include <functional>
#include <set>

#include "base/text.h"
#include "bisect/attribution.h"
#include "bisect/families.h"
#include "runner/verdict.h"

namespace faultline::reporters {

using nlohmann::json;

namespace {

std::string_view axis_kind(matrix::AxisKind k) {
  switch (k) {
    case matrix::AxisKind::component:
      return "component";
    case matrix::AxisKind::sanitizer:
      return "sanitizer";
    case matrix::AxisKind::workload:
      return "workload";
    case matrix::AxisKind::param:
      return "param";
    case matrix::AxisKind::extra:
      return "extra";
  }
  return "";
}

std::string_view build_state(runner::BuildState s) {
  switch (s) {
    case runner::BuildState::ok:
      return "ok";
    case runner::BuildState::failed:
      return "failed";
    case runner::BuildState::dependency_failed:
      return "dependency-failed";
    case runner::BuildState::not_needed:
      return "not-needed";
  }
  return "";
}

// The verdict of a cell an interrupted run left unfinished: its runs so far
// cannot make a pass, so it is skipped with the reason (crashes stand).
void mark_unfinished(json& cell, int planned) {
  const std::string verdict = cell["verdict"];
  if (verdict != "pass" && verdict != "skipped") return;
  const int runs = cell["runs"];
  cell["verdict"] = "skipped";
  cell["skipped_reason"] = runs == 0
                               ? "interrupted before its first run"
                               : "interrupted after " + std::to_string(runs) + " of " +
                                     std::to_string(planned) + (planned == 1 ? " run" : " runs");
}

json cell_json(const matrix::Expansion& e, std::size_t c, const runner::CellResult& r,
               const std::string& repro) {
  json values = json::object();
  for (std::size_t a = 0; a < e.cells.stride(); ++a)
    if (const std::string* v = e.cells.value(c, a)) values[e.cells.axes[a].name] = *v;
  runner::RateInterval rate = runner::crash_rate(r.crashes, r.runs);
  json sigs = json::array();
  for (const auto& [hash, n] : r.signatures) sigs.push_back({{"hash", hash}, {"runs", n}});
  json j = {{"id", e.cells.id(c)},
            {"hash", e.cells.hash(c)},
            {"index", c},
            {"values", values},
            {"verdict", runner::verdict_name(r.verdict())},
            {"runs", r.runs},
            {"crashes", r.crashes},
            {"hangs", r.hangs},
            {"rate", {{"estimate", rate.estimate}, {"low", rate.low}, {"high", rate.high}}},
            {"summary", runner::describe_rate(r.crashes, r.runs)},
            {"signatures", sigs},
            {"wall_seconds", r.wall_seconds}};
  if (!repro.empty()) j["repro"] = repro;
  if (!r.hung_stacks.empty()) j["hung_stacks"] = r.hung_stacks;
  if (!r.build_error.empty())
    j["build_error"] = {
        {"error", r.build_error}, {"command", r.build_command}, {"log_tail", r.build_log}};
  return j;
}

json signature_json(const sanitizers::Crash& c) {
  json frames = json::array();
  for (const auto& f : c.frames)
    frames.push_back(
        {{"function", f.function}, {"file", f.file}, {"line", f.line}, {"module", f.module}});
  return {{"hash", c.signature.hash},
          {"text", c.signature.text},
          {"tool", c.tool},
          {"kind", c.kind},
          {"location", c.location},
          {"summary", c.summary},
          {"top_frame", bisect::top_frame(c)},
          {"frames", frames},
          {"excerpt", c.excerpt}};
}

std::vector<bisect::AttributionAxis> attribution_axes(const json& results) {
  std::vector<bisect::AttributionAxis> axes;
  for (const auto& a : results["axes"]) {
    const std::string kind = a.value("kind", "");
    axes.push_back({a.value("name", ""), a["values"].get<std::vector<std::string>>(),
                    kind == "component" || kind == "param"});
  }
  return axes;
}

// Which axes explain where any of `members` (signature hashes) appears, in plain words.
std::string attribution_text(const json& results, const std::vector<bisect::AttributionAxis>& axes,
                             const std::set<std::string>& members, const std::string& label) {
  bisect::AttributionInput input;
  input.signature = label;
  input.axes = axes;
  for (const auto& c : results["cells"]) {
    bisect::CellResult cell;
    for (const auto& a : axes)
      if (c["values"].contains(a.name))
        cell.values[a.name] = c["values"][a.name].get<std::string>();
    // A run that crashed with another signature first (ASan stops at its first
    // report) could not show this one: it is not evidence of its absence.
    int other = 0;
    for (const auto& cs : c["signatures"]) {
      if (members.count(cs.value("hash", "")))
        cell.target += cs.value("runs", 0);
      else
        other += cs.value("runs", 0);
    }
    cell.target = std::min(cell.target, c.value("runs", 0));
    cell.runs = std::max(cell.target, c.value("runs", 0) - other);
    if (cell.values.size() == axes.size()) input.cells.push_back(std::move(cell));
  }
  auto a = bisect::attribute(input);
  return a ? a->text : "";
}

// For each signature and each family, which axes explain where it appears (bisect/attribution.h).
void add_attribution(json& results) {
  const std::vector<bisect::AttributionAxis> axes = attribution_axes(results);
  for (auto& s : results["signatures"]) {
    s.erase("attribution");
    const std::string label =
        s.value("hash", "") + " (" + s.value("tool", "") + " " + s.value("kind", "") + ")";
    if (std::string text = attribution_text(results, axes, {s.value("hash", "")}, label);
        !text.empty())
      s["attribution"] = text;
  }
  for (auto& f : results["families"]) {
    f.erase("attribution");
    const auto members = f["signatures"].get<std::set<std::string>>();
    if (std::string text =
            attribution_text(results, axes, members, "family " + f.value("hash", ""));
        !text.empty())
      f["attribution"] = text;
  }
}

// "asan heap-use-after-free in worker_main", "signal SIGSEGV": a manifestation in a few words.
std::string manifestation_text(const json& s) {
  const std::string top = s.value("top_frame", "");
  return s.value("tool", "") + " " + s.value("kind", "") + (top.empty() ? "" : " in " + top);
}

json family_json(const bisect::Family& f, json& results) {
  std::map<std::string, json*> by_hash;
  for (auto& s : results["signatures"]) by_hash[s.value("hash", "")] = &s;
  const std::set<std::string> members(f.signatures.begin(), f.signatures.end());
  json cells = json::array();
  int runs = 0;
  for (const auto& c : results["cells"]) {
    int shown = 0;
    for (const auto& cs : c["signatures"])
      if (members.count(cs.value("hash", ""))) shown += cs.value("runs", 0);
    if (shown == 0) continue;
    cells.push_back(c.value("hash", ""));
    runs += std::min(shown, c.value("runs", 0));
  }
  std::vector<std::string> parts;
  for (const auto& hash : f.signatures) {
    json& s = *by_hash.at(hash);
    s["family"] = f.signatures[0];
    const int n = s.value("runs", 0);
    parts.push_back(manifestation_text(s) + " (" + std::to_string(n) +
                    (n == 1 ? " run)" : " runs)"));
  }
  const std::size_t n = f.signatures.size();
  return {{"hash", f.signatures[0]},
          {"text", by_hash.at(f.signatures[0])->value("text", "")},
          {"signatures", f.signatures},
          {"top_frame", f.top_frame},
          {"cells", cells},
          {"runs", runs},
          {"summary", std::to_string(n) + (n == 1 ? " manifestation: " : " manifestations: ") +
                          join(parts, ", ")}};
}

// The signatures of one bug, grouped (bisect/families.h); each signature's `family`.
void add_families(json& results) {
  std::vector<bisect::Manifestation> signatures;
  for (const auto& s : results["signatures"]) signatures.push_back(manifestation_of(s));
  std::vector<bisect::CellSignatures> cells;
  for (const auto& c : results["cells"]) {
    bisect::CellSignatures shown;
    for (const auto& cs : c["signatures"]) shown[cs.value("hash", "")] += cs.value("runs", 0);
    cells.push_back(std::move(shown));
  }
  json families = json::array();
  for (const auto& f : bisect::group_families(signatures, cells))
    families.push_back(family_json(f, results));
  results["families"] = std::move(families);
}

// Each signature's cells[] and runs from cells[]; signatures no cell shows are
// dropped; most widespread first (more cells, then more runs, then by hash).
void derive_signatures(json& results) {
  std::map<std::string, std::vector<std::string>> sig_cells;
  std::map<std::string, int> sig_runs;
  for (const auto& c : results["cells"])
    for (const auto& s : c["signatures"]) {
      sig_cells[s["hash"].get<std::string>()].push_back(c["hash"].get<std::string>());
      sig_runs[s["hash"].get<std::string>()] += s["runs"].get<int>();
    }
  json signatures = json::array();
  for (auto& s : results["signatures"]) {
    const std::string hash = s["hash"];
    if (!sig_cells.count(hash)) continue;
    s["cells"] = sig_cells[hash];
    s["runs"] = sig_runs[hash];
    signatures.push_back(std::move(s));
  }
  std::stable_sort(signatures.begin(), signatures.end(), [](const json& a, const json& b) {
    if (a["cells"].size() != b["cells"].size()) return a["cells"].size() > b["cells"].size();
    if (a["runs"] != b["runs"]) return a["runs"].get<int>() > b["runs"].get<int>();
    return a["hash"].get<std::string>() < b["hash"].get<std::string>();
  });
  results["signatures"] = std::move(signatures);
}

json totals_json(const json& results) {
  std::map<std::string, int> verdicts;
  int total_runs = 0, crashing_runs = 0;
  for (const auto& c : results["cells"]) {
    ++verdicts[c["verdict"].get<std::string>()];
    total_runs += c["runs"].get<int>();
    crashing_runs += c["crashes"].get<int>();
  }
  int built = 0, cached = 0, failed = 0;
  for (const auto& b : results["builds"]) {
    if (b["state"] != "ok")
      ++failed;
    else
      (b.value("cached", false) ? cached : built)++;
  }
  return {{"cells", results["cells"].size()},
          {"pass", verdicts["pass"]},
          {"crash", verdicts["crash"]},
          {"hang", verdicts["hang"]},
          {"build_error", verdicts["build-error"]},
          {"skipped", verdicts["skipped"]},
          {"runs", total_runs},
          {"crashing_runs", crashing_runs},
          {"signatures", results["signatures"].size()},
          {"families", results["families"].size()},
          {"builds_run", built},
          {"builds_cached", cached},
          {"builds_failed", failed}};
}

}  // namespace

json results_json(const matrix::Config& config, const matrix::Expansion& e,
                  const std::vector<std::size_t>& selected, const runner::StressLoop& loop,
                  const std::vector<runner::BuildOutcome>& builds,
                  const std::map<std::size_t, std::string>& repro, const RunInfo& info) {
  json axes = json::array();
  for (std::size_t a = 0; a < e.cells.product_axes; ++a)
    axes.push_back({{"name", e.cells.axes[a].name},
                    {"kind", axis_kind(e.cells.axes[a].kind)},
                    {"values", e.cells.axes[a].values}});
  json cells = json::array();
  std::set<std::string> shown;
  for (std::size_t c : selected) {
    const runner::CellResult& r = loop.results().at(c);
    auto it = repro.find(c);
    cells.push_back(cell_json(e, c, r, it == repro.end() ? "" : it->second));
    if (info.interrupted && loop.wants_more(c)) mark_unfinished(cells.back(), info.runs);
    for (const auto& [hash, n] : r.signatures) shown.insert(hash);
  }
  json signatures = json::array();
  for (const auto& [hash, crash] : loop.signatures())
    if (shown.count(hash)) signatures.push_back(signature_json(crash));
  json build_list = json::array();
  for (std::size_t b = 0; b < builds.size(); ++b) {
    const auto& o = builds[b];
    if (o.state == runner::BuildState::not_needed) continue;
    json j = {{"id", e.builds[b].id}, {"index", b},           {"state", build_state(o.state)},
              {"cached", o.cached},   {"seconds", o.seconds}, {"dir", o.dir},
              {"log", o.log_path},    {"command", o.command}};
    if (!o.error.empty()) j["error"] = o.error;
    build_list.push_back(j);
  }
  json results = {{"schema", k_results_schema},
                  {"name", config.name},
                  {"matrix_file", info.matrix_file},
                  {"started_at", info.started_at},
                  {"finished_at", info.finished_at},
                  {"interrupted", info.interrupted},
                  {"options",
                   {{"runs", info.runs},
                    {"jobs", info.jobs},
                    {"stop", info.stop},
                    {"shard", info.shard.empty() ? json() : json(info.shard)}}},
                  {"axes", axes},
                  {"cells", cells},
                  {"signatures", signatures},
                  {"builds", build_list}};
  derive_summary(results);
  return results;
}

void derive_summary(json& results) {
  derive_signatures(results);
  add_families(results);
  add_attribution(results);
  results["totals"] = totals_json(results);
}

bisect::Manifestation manifestation_of(const json& signature) {
  bisect::Manifestation m{signature.value("hash", ""), signature.value("tool", ""), ""};
  if (signature.contains("top_frame") && signature["top_frame"].is_string()) {
    m.top_frame = signature["top_frame"].get<std::string>();
    return m;
  }
  sanitizers::Crash crash;  // a results.json from before `top_frame`: from its frames
  for (const auto& f : signature.value("frames", json::array()))
    crash.frames.push_back({f.value("function", ""), f.value("file", ""), f.value("line", 0),
                            f.value("module", ""), 0, ""});
  m.top_frame = bisect::top_frame(crash);
  return m;
}

namespace {

// Applies `change` to every string value of `j`, and to object keys when `keys`.
void transform_strings(json& j, const std::function<std::string(const std::string&)>& change,
                       bool keys) {
  if (j.is_string()) {
    j = change(j.get_ref<const std::string&>());
  } else if (j.is_array() || (j.is_object() && !keys)) {
    for (auto& item : j) transform_strings(item, change, keys);
  } else if (j.is_object()) {
    json changed = json::object();
    for (auto& [key, value] : j.items()) {
      transform_strings(value, change, keys);
      changed[change(key)] = std::move(value);
    }
    j = std::move(changed);
  }
}

}  // namespace

void make_paths_relative(json& j, const std::string& repo_root) {
  if (repo_root.empty() || repo_root == "/") return;
  const std::string prefix = repo_root.back() == '/' ? repo_root : repo_root + "/";
  transform_strings(
      j,
      [&](const std::string& s) {
        std::string text = s;
        for (std::size_t pos = text.find(prefix); pos != std::string::npos;
             pos = text.find(prefix, pos))
          text.erase(pos, prefix.size());
        return text;
      },
      false);
}

namespace {

void mask_fields(json& object, const Redactor& redactor,
                 std::initializer_list<const char*> fields) {
  if (!object.is_object()) return;
  for (const char* field : fields) {
    auto it = object.find(field);
    if (it != object.end() && it->is_string())
      *it = redactor.apply(it->get_ref<const std::string&>());
  }
}

void mask_each(json& list, const Redactor& redactor, std::initializer_list<const char*> fields) {
  if (!list.is_array()) return;
  for (auto& item : list) mask_fields(item, redactor, fields);
}

}  // namespace

void mask_secrets(json& j, const Redactor& redactor) {
  if (redactor.empty() || !j.is_object()) return;
  if (auto cells = j.find("cells"); cells != j.end() && cells->is_array())
    for (auto& cell : *cells) {
      mask_fields(cell, redactor, {"repro"});
      if (auto b = cell.find("build_error"); b != cell.end())
        mask_fields(*b, redactor, {"error", "command", "log_tail"});
    }
  if (auto sigs = j.find("signatures"); sigs != j.end() && sigs->is_array())
    for (auto& sig : *sigs) {
      mask_fields(sig, redactor, {"text", "location", "summary", "excerpt"});
      if (auto frames = sig.find("frames"); frames != sig.end())
        mask_each(*frames, redactor, {"function", "file", "module"});
    }
  if (auto builds = j.find("builds"); builds != j.end())
    mask_each(*builds, redactor, {"command", "error"});
  if (auto bisect = j.find("bisect"); bisect != j.end())
    mask_each(*bisect, redactor, {"summary", "signature_text"});
  if (auto base = j.find("baseline"); base != j.end() && base->is_object())
    if (auto fixed = base->find("fixed"); fixed != base->end())
      mask_each(*fixed, redactor, {"text"});
}

}  // namespace faultline::reporters
