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
using results::Results;

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
void mark_unfinished(results::Cell& cell, int planned) {
  if (cell.verdict != "pass" && cell.verdict != "skipped") return;
  const int runs = cell.runs;
  cell.verdict = "skipped";
  cell.skipped_reason = runs == 0 ? "interrupted before its first run"
                                  : "interrupted after " + std::to_string(runs) + " of " +
                                        std::to_string(planned) + (planned == 1 ? " run" : " runs");
}

results::Cell cell_of(const matrix::Expansion& e, std::size_t c, const runner::CellResult& r,
                      const std::string& repro) {
  results::Cell cell;
  for (std::size_t a = 0; a < e.cells.stride(); ++a)
    if (const std::string* v = e.cells.value(c, a)) cell.values[e.cells.axes[a].name] = *v;
  const runner::RateInterval rate = runner::crash_rate(r.crashes, r.runs);
  for (const auto& [hash, n] : r.signatures) cell.signatures.push_back({hash, n});
  cell.id = e.cells.id(c);
  cell.hash = e.cells.hash(c);
  cell.index = c;
  cell.verdict = runner::verdict_name(r.verdict());
  cell.runs = r.runs;
  cell.crashes = r.crashes;
  cell.hangs = r.hangs;
  cell.rate = {rate.estimate, rate.low, rate.high};
  cell.summary = runner::describe_rate(r.crashes, r.runs);
  cell.wall_seconds = r.wall_seconds;
  if (!repro.empty()) cell.repro = repro;
  if (!r.hung_stacks.empty()) cell.hung_stacks = r.hung_stacks;
  if (!r.build_error.empty())
    cell.build_error = results::BuildError{r.build_error, r.build_command, r.build_log};
  return cell;
}

results::Signature signature_of(const sanitizers::Crash& c) {
  results::Signature s;
  for (const auto& f : c.frames) s.frames.push_back({f.function, f.file, f.line, f.module});
  s.hash = c.signature.hash;
  s.text = c.signature.text;
  s.tool = c.tool;
  s.kind = c.kind;
  s.location = c.location;
  s.summary = c.summary;
  s.top_frame = bisect::top_frame(c);
  s.excerpt = c.excerpt;
  return s;
}

std::vector<bisect::AttributionAxis> attribution_axes(const Results& r) {
  std::vector<bisect::AttributionAxis> axes;
  for (const auto& a : r.axes)
    axes.push_back({a.name, a.values, a.kind == "component" || a.kind == "param"});
  return axes;
}

// Which axes explain where any of `members` (signature hashes) appears, in plain words.
std::string attribution_text(const Results& r, const std::vector<bisect::AttributionAxis>& axes,
                             const std::set<std::string>& members, const std::string& label) {
  bisect::AttributionInput input;
  input.signature = label;
  input.axes = axes;
  for (const auto& c : r.cells) {
    bisect::CellResult cell;
    for (const auto& a : axes)
      if (auto v = c.values.find(a.name); v != c.values.end()) cell.values[a.name] = v->second;
    // A run that crashed with another signature first (ASan stops at its first
    // report) could not show this one: it is not evidence of its absence.
    int other = 0;
    for (const auto& cs : c.signatures) (members.count(cs.hash) ? cell.target : other) += cs.runs;
    cell.target = std::min(cell.target, c.runs);
    cell.runs = std::max(cell.target, c.runs - other);
    if (cell.values.size() == axes.size()) input.cells.push_back(std::move(cell));
  }
  auto a = bisect::attribute(input);
  return a ? a->text : "";
}

std::optional<std::string> unless_empty(std::string text) {
  if (text.empty()) return std::nullopt;
  return text;
}

// For each signature and each family, which axes explain where it appears (bisect/attribution.h).
void add_attribution(Results& r) {
  const std::vector<bisect::AttributionAxis> axes = attribution_axes(r);
  for (auto& s : r.signatures)
    s.attribution = unless_empty(
        attribution_text(r, axes, {s.hash}, s.hash + " (" + s.tool + " " + s.kind + ")"));
  for (auto& f : r.families)
    f.attribution = unless_empty(
        attribution_text(r, axes, {f.signatures.begin(), f.signatures.end()}, "family " + f.hash));
}

// "asan heap-use-after-free in worker_main", "signal SIGSEGV": a manifestation in a few words.
std::string manifestation_text(const results::Signature& s) {
  const std::string top = s.top_frame.value_or("");
  return s.tool + " " + s.kind + (top.empty() ? "" : " in " + top);
}

results::Family family_of(const bisect::Family& f, Results& r) {
  std::map<std::string, results::Signature*> by_hash;
  for (auto& s : r.signatures) by_hash[s.hash] = &s;
  const std::set<std::string> members(f.signatures.begin(), f.signatures.end());
  results::Family family;
  for (const auto& c : r.cells) {
    int shown = 0;
    for (const auto& cs : c.signatures)
      if (members.count(cs.hash)) shown += cs.runs;
    if (shown == 0) continue;
    family.cells.push_back(c.hash);
    family.runs += std::min(shown, c.runs);
  }
  std::vector<std::string> parts;
  for (const auto& hash : f.signatures) {
    results::Signature& s = *by_hash.at(hash);
    s.family = f.signatures[0];
    parts.push_back(manifestation_text(s) + " (" + std::to_string(s.runs) +
                    (s.runs == 1 ? " run)" : " runs)"));
  }
  const std::size_t n = f.signatures.size();
  family.hash = f.signatures[0];
  family.text = by_hash.at(f.signatures[0])->text;
  family.signatures = f.signatures;
  family.top_frame = f.top_frame;
  family.summary =
      std::to_string(n) + (n == 1 ? " manifestation: " : " manifestations: ") + join(parts, ", ");
  return family;
}

// The signatures of one bug, grouped (bisect/families.h); each signature's `family`.
void add_families(Results& r) {
  std::vector<bisect::Manifestation> signatures;
  for (const auto& s : r.signatures) signatures.push_back(manifestation_of(s));
  std::vector<bisect::CellSignatures> cells;
  for (const auto& c : r.cells) {
    bisect::CellSignatures shown;
    for (const auto& cs : c.signatures) shown[cs.hash] += cs.runs;
    cells.push_back(std::move(shown));
  }
  std::vector<results::Family> families;
  for (const auto& f : bisect::group_families(signatures, cells))
    families.push_back(family_of(f, r));
  r.families = std::move(families);
}

// Each signature's cells[] and runs from cells[]; signatures no cell shows are
// dropped; most widespread first (more cells, then more runs, then by hash).
void derive_signatures(Results& r) {
  std::map<std::string, std::vector<std::string>> sig_cells;
  std::map<std::string, int> sig_runs;
  for (const auto& c : r.cells)
    for (const auto& s : c.signatures) {
      sig_cells[s.hash].push_back(c.hash);
      sig_runs[s.hash] += s.runs;
    }
  std::vector<results::Signature> signatures;
  for (auto& s : r.signatures) {
    if (!sig_cells.count(s.hash)) continue;
    s.cells = sig_cells[s.hash];
    s.runs = sig_runs[s.hash];
    signatures.push_back(std::move(s));
  }
  std::stable_sort(signatures.begin(), signatures.end(), [](const auto& a, const auto& b) {
    if (a.cells.size() != b.cells.size()) return a.cells.size() > b.cells.size();
    if (a.runs != b.runs) return a.runs > b.runs;
    return a.hash < b.hash;
  });
  r.signatures = std::move(signatures);
}

results::Totals totals_of(const Results& r) {
  results::Totals t;
  t.cells = static_cast<int>(r.cells.size());
  for (const auto& c : r.cells) {
    t.pass += c.verdict == "pass";
    t.crash += c.verdict == "crash";
    t.hang += c.verdict == "hang";
    t.build_error += c.verdict == "build-error";
    t.skipped += c.verdict == "skipped";
    t.runs += c.runs;
    t.crashing_runs += c.crashes;
  }
  for (const auto& b : r.builds) {
    if (b.state != "ok")
      ++t.builds_failed;
    else
      ++(b.cached ? t.builds_cached : t.builds_run);
  }
  t.signatures = static_cast<int>(r.signatures.size());
  t.families = static_cast<int>(r.families.size());
  return t;
}

std::vector<results::Build> builds_of(const matrix::Expansion& e,
                                      const std::vector<runner::BuildOutcome>& builds) {
  std::vector<results::Build> list;
  for (std::size_t b = 0; b < builds.size(); ++b) {
    const auto& o = builds[b];
    if (o.state == runner::BuildState::not_needed) continue;
    list.push_back({e.builds[b].id, b, std::string(build_state(o.state)), o.cached, o.seconds,
                    o.dir, o.log_path, o.command,
                    o.error.empty() ? std::nullopt : std::optional(o.error)});
  }
  return list;
}

}  // namespace

Results results_model(const matrix::Config& config, const matrix::Expansion& e,
                      const std::vector<std::size_t>& selected, const runner::StressLoop& loop,
                      const std::vector<runner::BuildOutcome>& builds,
                      const std::map<std::size_t, std::string>& repro, const RunInfo& info) {
  Results r;
  for (std::size_t a = 0; a < e.cells.product_axes; ++a)
    r.axes.push_back({e.cells.axes[a].name, std::string(axis_kind(e.cells.axes[a].kind)),
                      e.cells.axes[a].values});
  std::set<std::string> shown;
  for (std::size_t c : selected) {
    const runner::CellResult& result = loop.results().at(c);
    auto it = repro.find(c);
    r.cells.push_back(cell_of(e, c, result, it == repro.end() ? "" : it->second));
    if (info.interrupted && loop.wants_more(c)) mark_unfinished(r.cells.back(), info.runs);
    for (const auto& [hash, n] : result.signatures) shown.insert(hash);
  }
  for (const auto& [hash, crash] : loop.signatures())
    if (shown.count(hash)) r.signatures.push_back(signature_of(crash));
  r.builds = builds_of(e, builds);
  r.name = config.name;
  r.matrix_file = info.matrix_file;
  r.started_at = info.started_at;
  r.finished_at = info.finished_at;
  r.interrupted = info.interrupted;
  r.options = {info.runs, info.jobs, info.stop,
               info.shard.empty() ? std::nullopt : std::optional(info.shard)};
  derive_summary(r);
  return r;
}

json results_json(const matrix::Config& config, const matrix::Expansion& e,
                  const std::vector<std::size_t>& selected, const runner::StressLoop& loop,
                  const std::vector<runner::BuildOutcome>& builds,
                  const std::map<std::size_t, std::string>& repro, const RunInfo& info) {
  return results_model(config, e, selected, loop, builds, repro, info);
}

void derive_summary(Results& r) {
  derive_signatures(r);
  add_families(r);
  add_attribution(r);
  r.totals = totals_of(r);
}

void derive_summary(json& results) {
  Results r = results.get<Results>();
  derive_summary(r);
  results["signatures"] = r.signatures;
  results["families"] = r.families;
  results["totals"] = r.totals;
}

bisect::Manifestation manifestation_of(const results::Signature& signature) {
  bisect::Manifestation m{signature.hash, signature.tool, ""};
  if (signature.top_frame) {
    m.top_frame = *signature.top_frame;
    return m;
  }
  sanitizers::Crash crash;  // a results.json from before `top_frame`: from its frames
  for (const auto& f : signature.frames)
    crash.frames.push_back({f.function, f.file, f.line, f.module, 0, ""});
  m.top_frame = bisect::top_frame(crash);
  return m;
}

bisect::Manifestation manifestation_of(const json& signature) {
  return manifestation_of(signature.get<results::Signature>());
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
