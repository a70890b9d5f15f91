#include "pipeline/bisect_results.h"

#include <filesystem>
#include <fstream>
#include <map>
#include <set>

#include "base/files.h"
#include "base/text.h"
#include "base/time.h"
#include "reporters/results.h"
#include "results/model.h"

namespace faultline::pipeline {

namespace fs = std::filesystem;
using nlohmann::json;

std::optional<json> matching_results(const std::string& path, const BisectMatrix& in,
                                     std::string& why) {
  std::ifstream file(path);
  if (!file) return std::nullopt;
  json r = json::parse(file, nullptr, false);
  if (r.is_discarded() || !r.is_object() || !r.contains("cells") || !r["cells"].is_array()) {
    why = path + " is not a results.json; its runs are not used";
    return std::nullopt;
  }
  const auto& t = in.expansion.cells;
  bool same_axes = r.contains("axes") && r["axes"].is_array() && r["axes"].size() == t.product_axes;
  for (std::size_t a = 0; same_axes && a < t.product_axes; ++a)
    same_axes = r["axes"][a].value("name", "") == t.axes[a].name &&
                r["axes"][a].value("values", std::vector<std::string>{}) == t.axes[a].values;
  if (r.value("name", "") != in.config.name || !same_axes) {
    why = path + " records another matrix (or an older version of this one); its runs are not used";
    return std::nullopt;
  }
  if (!r.contains("families")) reporters::derive_summary(r);  // written before families
  return r;
}

namespace {

const json* find_cell(const json& results, const std::string& cell_hash) {
  for (const auto& c : results["cells"])
    if (c.is_object() && c.value("hash", "") == cell_hash) return &c;
  return nullptr;
}

}  // namespace

namespace {

const json* signature_entry(const json& results, const std::string& hash) {
  for (const auto& s : results["signatures"])
    if (s.value("hash", "") == hash) return &s;
  return nullptr;
}

}  // namespace

std::optional<bisect::Observation> observation_in(const json& results, const std::string& cell_hash,
                                                  const bisect::FamilyTarget& target,
                                                  bool any_crash) {
  const json* c = find_cell(results, cell_hash);
  if (!c || c->value("runs", 0) <= 0) return std::nullopt;
  bisect::Observation seen;
  seen.runs = c->value("runs", 0);
  const int crashes = c->value("crashes", 0) + (any_crash ? c->value("hangs", 0) : 0);
  if (any_crash) {
    seen.target = crashes;
  } else if (!target.signatures.empty() && c->contains("signatures")) {
    for (const auto& s : (*c)["signatures"]) {
      const json* entry = signature_entry(results, s.value("hash", ""));
      bisect::Manifestation m = entry ? reporters::manifestation_of(*entry)
                                      : bisect::Manifestation{s.value("hash", ""), "", ""};
      if (target.matches(m)) seen.target += s.value("runs", 0);
    }
  }
  seen.target = std::min(seen.target, seen.runs);
  seen.other = std::max(0, crashes - seen.target);
  return seen;
}

const json* most_frequent_family(const json& results, const std::string& cell_hash) {
  return most_frequent_family(results, std::vector<std::string>{cell_hash});
}

const json* most_frequent_family(const json& results, const std::vector<std::string>& cell_hashes) {
  if (!results.contains("families")) return nullptr;
  std::vector<const json*> cells;
  for (const auto& hash : cell_hashes)
    if (const json* c = find_cell(results, hash); c && c->contains("signatures"))
      cells.push_back(c);
  const json* best = nullptr;
  int most = 0;
  for (const auto& f : results["families"]) {
    const auto members = f.value("signatures", std::set<std::string>{});
    int runs = 0;
    for (const json* c : cells)
      for (const auto& s : (*c)["signatures"])
        if (members.count(s.value("hash", ""))) runs += s.value("runs", 0);
    if (runs > most) {
      most = runs;
      best = &f;
    }
  }
  return best;
}

const json* family_with(const json& results, const std::string& prefix, const json** signature) {
  if (!results.contains("families")) return nullptr;
  for (const auto& f : results["families"])
    for (const auto& hash : f.value("signatures", std::vector<std::string>{}))
      if (hash.rfind(prefix, 0) == 0) {
        if (signature) *signature = signature_entry(results, hash);
        return &f;
      }
  return nullptr;
}

bisect::FamilyTarget family_target(const json& results, const json& family) {
  bisect::FamilyTarget t;
  t.top_frame = family.value("top_frame", "");
  for (const auto& hash : family.value("signatures", std::vector<std::string>{})) {
    t.signatures.insert(hash);
    if (const json* s = signature_entry(results, hash)) {
      const bisect::Manifestation m = reporters::manifestation_of(*s);
      t.frameless = t.frameless || (m.top_frame.empty() && !bisect::stands_alone(m.tool));
    }
  }
  return t;
}

json cell_values(const matrix::CellTable& cells, std::size_t cell) {
  json v = json::object();
  for (std::size_t a = 0; a < cells.product_axes; ++a)
    if (const std::string* value = cells.value(cell, a)) v[cells.axes[a].name] = *value;
  return v;
}

namespace {

// The values at a position of the plane: the cell's, or (excluded there) the
// searched axes' values with the fixed ones.
json plane_values(const BisectMatrix& in, const Plane& plane, std::size_t row, std::size_t col) {
  const auto& t = in.expansion.cells;
  if (auto c = plane.at(row, col)) return cell_values(t, *c);
  json v = json::object();
  v[t.axes[plane.axes[0]].name] = t.axes[plane.axes[0]].values[row];
  if (plane.axes.size() > 1) v[t.axes[plane.axes[1]].name] = t.axes[plane.axes[1]].values[col];
  return v;
}

std::string verdict_of(const bisect::Observation& o) {
  if (o.unbuildable) return "build-error";
  if (o.target > 0) return "crash";
  return o.runs > 0 ? "pass" : "skipped";
}

json observation_json(const bisect::Observation& o) {
  return {{"runs", o.runs}, {"crashes", o.target}, {"other", o.other}, {"verdict", verdict_of(o)}};
}

// A step of the search: the observation, with `unknown` when any run's stack was lost.
json step_json(const bisect::Observation& o) {
  json j = observation_json(o);
  if (o.unknown > 0) j["unknown"] = o.unknown;
  return j;
}

json rate_json(const bisect::CrashRate& r) {
  return {{"estimate", r.estimate}, {"low", r.low},
          {"high", r.high},         {"target_runs", r.target},
          {"runs", r.runs},         {"words", bisect::describe_counts(r.target, r.runs)}};
}

std::string status_1d(bisect::Outcome o) {
  switch (o) {
    case bisect::Outcome::culprit:
      return "found";
    case bisect::Outcome::range:
      return "range";
    case bisect::Outcome::not_on_axis:
      return "not-on-axis";
    case bisect::Outcome::noise:
      return "noise";
    case bisect::Outcome::bad_end_passes:
      return "no-crash";
    case bisect::Outcome::manifestation_changed:
      return "manifestation-changed";
  }
  return "inconclusive";
}

}  // namespace

json section_1d(const BisectMatrix& in, const Bisect1D& b, const bisect::SearchReport& report) {
  const auto& t = in.expansion.cells;
  const std::string& axis = t.axes[b.plane.axes[0]].name;
  auto values_at = [&](std::size_t search_index) {
    return plane_values(in, b.plane, search_index + b.offset, 0);
  };
  auto versions_of = [&](const std::vector<std::size_t>& indices) {
    json list = json::array();
    for (std::size_t i : indices) list.push_back(b.versions[i]);
    return list;
  };
  json s = {{"signature", b.target},
            {"signature_text", b.target_text},
            {"family", b.family},
            {"axes", {axis}},
            {"base", b.plane.base},
            {"direction", b.fixed ? "fixed" : "regression"},
            {"status", status_1d(report.outcome)},
            {"summary", report.summary},
            {"confidence", report.posterior},
            {"confidence_goal", b.confidence},
            {"runs", report.runs},
            {"other_crashes", report.other_crashes},
            {"crash_rate", rate_json(report.rate)},
            {"unbuildable", versions_of(report.unbuildable)},
            {"contradicting", versions_of(report.contradicting)}};
  if (report.outcome == bisect::Outcome::culprit || report.outcome == bisect::Outcome::range) {
    s[b.fixed ? "first_fixed" : "first_crashing"] = values_at(report.first_bad);
    s[b.fixed ? "last_crashing" : "last_passing"] = values_at(report.last_good);
  }
  if (report.outcome == bisect::Outcome::manifestation_changed)
    s["manifestation_changed"] = {{"without_target", rate_json(report.without_target)},
                                  {"with_target", rate_json(report.with_target)}};
  if (report.outcome == bisect::Outcome::culprit)
    s["verification"] = {{"culprit", observation_json(report.verify_culprit)},
                         {"predecessor", observation_json(report.verify_predecessor)},
                         {"successor", observation_json(report.verify_successor)}};
  json steps = json::array();
  for (const auto& step : report.steps) {
    json j = step_json(step.seen);
    j["values"] = values_at(step.index);
    j["phase"] = bisect::phase_name(step.phase);
    j["leading"] = b.versions[step.leading];
    j["leading_posterior"] = step.leading_posterior;
    steps.push_back(std::move(j));
  }
  s["steps"] = std::move(steps);
  return s;
}

json section_2d(const BisectMatrix& in, const Bisect2D& b, const bisect::StaircaseReport& report) {
  const auto& t = in.expansion.cells;
  const std::string rows = t.axes[b.plane.axes[0]].name, cols = t.axes[b.plane.axes[1]].name;
  json pairs = json::array();
  std::vector<std::string> words;
  for (const auto& p : report.minimal_pairs) {
    pairs.push_back(plane_values(in, b.plane, p.row, p.col));
    words.push_back(rows + " " + t.axes[b.plane.axes[0]].values[p.row] + " with " + cols + " " +
                    t.axes[b.plane.axes[1]].values[p.col]);
  }
  json contradictions = json::array();
  for (const auto& c : report.contradictions)
    contradictions.push_back(
        {{"crashing", plane_values(in, b.plane, c.crashing.row, c.crashing.col)},
         {"passing", plane_values(in, b.plane, c.passing.row, c.passing.col)}});
  const std::size_t grid = b.plane.rows * b.plane.cols;
  std::string summary = report.minimal_pairs.empty()
                            ? "no probed pair of " + rows + " × " + cols + " showed the crash"
                            : "the crash first appears at " + join(words, "; ") +
                                  " (and every pair newer on both axes)";
  summary += ": " + std::to_string(report.probes) + " of " + std::to_string(grid) +
             " pairs probed, " + std::to_string(report.runs) + " runs";
  if (!report.contradictions.empty())
    summary +=
        "; " + std::to_string(report.contradictions.size()) +
        " probed pairs contradict the staircase (a newer pair passed where an older one crashed)";
  json first_col = json::object();
  for (std::size_t r = 0; r < report.first_crashing_col.size(); ++r) {
    const std::size_t c = report.first_crashing_col[r];
    first_col[t.axes[b.plane.axes[0]].values[r]] =
        c < b.plane.cols ? json(t.axes[b.plane.axes[1]].values[c]) : json();
  }
  json steps = json::array();
  for (const auto& p : report.probed) {
    json j = step_json(p.seen);
    j["values"] = plane_values(in, b.plane, p.cell.row, p.cell.col);
    steps.push_back(std::move(j));
  }
  json s = {{"signature", b.target},
            {"signature_text", b.target_text},
            {"family", b.family},
            {"axes", {rows, cols}},
            {"base", b.plane.base},
            {"direction", "regression"},
            {"status", report.minimal_pairs.empty() ? "no-crash" : "found"},
            {"summary", summary},
            {"minimal_pairs", pairs},
            {"first_crashing_by_row", first_col},
            {"contradictions", contradictions},
            {"probes", report.probes},
            {"grid_cells", grid},
            {"runs_per_pair", b.runs_per_cell},
            {"runs", report.runs},
            {"steps", steps}};
  if (!pairs.empty()) s["first_crashing"] = pairs[0];
  return s;
}

namespace {

bool same_search(const json& a, const json& b) {
  return a.value("axes", json::array()) == b.value("axes", json::array()) &&
         a.value("base", "") == b.value("base", "") &&
         a.value("direction", "") == b.value("direction", "");
}

// A results.json of the bisect's own runs: every probed cell, as `run` would record it.
json results_of_prober(const BisectMatrix& in, const CellProber& prober,
                       const std::string& matrix_file) {
  runner::StressLoop loop(in.config, in.expansion, runner::StressOptions{});
  std::set<std::size_t> cells;
  for (const auto& r : prober.records()) cells.insert(r.cell);
  for (std::size_t c : cells) loop.add_cell(c, {});
  for (const auto& r : prober.records()) loop.add_previous(r);
  std::vector<runner::BuildOutcome> builds = prober.builds();
  builds.resize(in.expansion.builds.size());
  reporters::RunInfo info{matrix_file, utc_timestamp(), utc_timestamp(), false, 0, 0, "bisect", ""};
  json results = reporters::results_json(in.config, in.expansion, {cells.begin(), cells.end()},
                                         loop, builds, {}, info);
  return results;
}

}  // namespace

Expected<std::string> record_bisect(const std::string& results_path, const BisectMatrix& in,
                                    const CellProber& prober, const std::string& matrix_file,
                                    json section) {
  std::string why, path = results_path;
  auto existing = matching_results(path, in, why);
  // Another matrix's results stay as they are; the bisect's go beside them.
  if (!existing && !why.empty())
    path = (fs::path(path).parent_path() / "bisect-results.json").string();
  json results = existing ? *existing : results_of_prober(in, prober, matrix_file);
  if (!results.contains("bisect") || !results["bisect"].is_array()) {
    json old = results.contains("bisect") && results["bisect"].is_object()
                   ? json::array({results["bisect"]})
                   : json::array();
    results["bisect"] = old;
  }
  if (!section.contains("costs")) {
    const CellProber::Costs c = prober.costs();
    section["costs"] = results::BisectCosts{c.builds, c.build_seconds, c.runs, c.run_seconds};
  }
  json& list = results["bisect"];
  for (auto it = list.begin(); it != list.end();)
    it = same_search(*it, section) ? list.erase(it) : it + 1;
  list.push_back(std::move(section));
  reporters::mask_secrets(results, Redactor::from_environment(in.config.secrets));
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (auto written = write_file_atomically(
          path, results.dump(2, ' ', false, json::error_handler_t::replace) + "\n");
      !written)
    return fail(written.error());
  return path;
}

}  // namespace faultline::pipeline
