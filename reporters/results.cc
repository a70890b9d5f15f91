#include "reporters/results.h"

#include <functional>
#include <set>

#include "runner/verdict.h"

namespace faultline::reporters {

using nlohmann::json;

namespace {

std::string_view axis_kind(matrix::AxisKind k) {
  switch (k) {
    case matrix::AxisKind::component: return "component";
    case matrix::AxisKind::sanitizer: return "sanitizer";
    case matrix::AxisKind::workload: return "workload";
    case matrix::AxisKind::param: return "param";
    case matrix::AxisKind::extra: return "extra";
  }
  return "";
}

std::string_view build_state(runner::BuildState s) {
  switch (s) {
    case runner::BuildState::ok: return "ok";
    case runner::BuildState::failed: return "failed";
    case runner::BuildState::dependency_failed: return "dependency-failed";
    case runner::BuildState::not_needed: return "not-needed";
  }
  return "";
}

json cell_json(const matrix::Expansion& e, std::size_t c, const runner::CellResult& r, const std::string& repro) {
  json values = json::object();
  for (std::size_t a = 0; a < e.cells.stride(); ++a)
    if (const std::string* v = e.cells.value(c, a)) values[e.cells.axes[a].name] = *v;
  runner::RateInterval rate = runner::crash_rate(r.crashes, r.runs);
  json sigs = json::array();
  for (const auto& [hash, n] : r.signatures) sigs.push_back({{"hash", hash}, {"runs", n}});
  json j = {{"id", e.cells.id(c)}, {"hash", e.cells.hash(c)}, {"values", values},
            {"verdict", runner::verdict_name(r.verdict())}, {"runs", r.runs}, {"crashes", r.crashes},
            {"hangs", r.hangs}, {"rate", {{"estimate", rate.estimate}, {"low", rate.low}, {"high", rate.high}}},
            {"summary", runner::describe_rate(r.crashes, r.runs)}, {"signatures", sigs},
            {"wall_seconds", r.wall_seconds}};
  if (!repro.empty()) j["repro"] = repro;
  if (!r.hung_stacks.empty()) j["hung_stacks"] = r.hung_stacks;
  if (!r.build_error.empty())
    j["build_error"] = {{"error", r.build_error}, {"command", r.build_command}, {"log_tail", r.build_log}};
  return j;
}

json signature_json(const sanitizers::Crash& c, const std::vector<std::string>& cells, int runs) {
  json frames = json::array();
  for (const auto& f : c.frames)
    frames.push_back({{"function", f.function}, {"file", f.file}, {"line", f.line}, {"module", f.module}});
  return {{"hash", c.signature.hash}, {"text", c.signature.text}, {"tool", c.tool}, {"kind", c.kind},
          {"location", c.location}, {"summary", c.summary}, {"frames", frames}, {"excerpt", c.excerpt},
          {"cells", cells}, {"runs", runs}};
}

}  // namespace

json results_json(const matrix::Config& config, const matrix::Expansion& e, const std::vector<std::size_t>& selected,
                  const runner::StressLoop& loop, const std::vector<runner::BuildOutcome>& builds,
                  const std::map<std::size_t, std::string>& repro, const RunInfo& info) {
  json axes = json::array();
  for (std::size_t a = 0; a < e.cells.product_axes; ++a)
    axes.push_back({{"name", e.cells.axes[a].name}, {"kind", axis_kind(e.cells.axes[a].kind)},
                    {"values", e.cells.axes[a].values}});
  json cells = json::array();
  std::map<std::string, std::vector<std::string>> sig_cells;
  std::map<std::string, int> sig_runs;
  std::map<std::string, int> verdicts;
  int total_runs = 0, crashing_runs = 0;
  for (std::size_t c : selected) {
    const runner::CellResult& r = loop.results().at(c);
    auto it = repro.find(c);
    cells.push_back(cell_json(e, c, r, it == repro.end() ? "" : it->second));
    ++verdicts[std::string(runner::verdict_name(r.verdict()))];
    total_runs += r.runs;
    crashing_runs += r.crashes;
    for (const auto& [hash, n] : r.signatures) {
      sig_cells[hash].push_back(e.cells.hash(c));
      sig_runs[hash] += n;
    }
  }
  json signatures = json::array();
  for (const auto& [hash, crash] : loop.signatures())
    if (sig_cells.count(hash)) signatures.push_back(signature_json(crash, sig_cells[hash], sig_runs[hash]));
  std::sort(signatures.begin(), signatures.end(),
            [](const json& a, const json& b) { return a["cells"].size() > b["cells"].size(); });
  json build_list = json::array();
  int built = 0, cached = 0, failed = 0;
  for (std::size_t b = 0; b < builds.size(); ++b) {
    const auto& o = builds[b];
    if (o.state == runner::BuildState::not_needed) continue;
    if (o.state == runner::BuildState::ok) (o.cached ? cached : built)++;
    else ++failed;
    json j = {{"id", e.builds[b].id}, {"state", build_state(o.state)}, {"cached", o.cached},
              {"seconds", o.seconds}, {"dir", o.dir}, {"log", o.log_path}, {"command", o.command}};
    if (!o.error.empty()) j["error"] = o.error;
    build_list.push_back(j);
  }
  return {{"schema", k_results_schema},
          {"name", config.name},
          {"matrix_file", info.matrix_file},
          {"started_at", info.started_at},
          {"finished_at", info.finished_at},
          {"interrupted", info.interrupted},
          {"options", {{"runs", info.runs}, {"jobs", info.jobs}, {"stop", info.stop},
                       {"shard", info.shard.empty() ? json() : json(info.shard)}}},
          {"axes", axes},
          {"cells", cells},
          {"signatures", signatures},
          {"builds", build_list},
          {"totals", {{"cells", selected.size()}, {"pass", verdicts["pass"]}, {"crash", verdicts["crash"]},
                      {"hang", verdicts["hang"]}, {"build_error", verdicts["build-error"]},
                      {"skipped", verdicts["skipped"]}, {"runs", total_runs}, {"crashing_runs", crashing_runs},
                      {"signatures", signatures.size()}, {"builds_run", built}, {"builds_cached", cached},
                      {"builds_failed", failed}}}};
}

namespace {

// Applies `change` to every string value of `j`, and to object keys when `keys`.
void transform_strings(json& j, const std::function<std::string(const std::string&)>& change, bool keys) {
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
  transform_strings(j, [&](const std::string& s) {
    std::string text = s;
    for (std::size_t pos = text.find(prefix); pos != std::string::npos; pos = text.find(prefix, pos))
      text.erase(pos, prefix.size());
    return text;
  }, false);
}

void redact(json& j, const Redactor& redactor) {
  if (redactor.empty()) return;
  transform_strings(j, [&](const std::string& s) { return redactor.apply(s); }, true);
}

}  // namespace faultline::reporters
