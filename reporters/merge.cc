#include "reporters/merge.h"

#include <algorithm>
#include <map>
#include <set>

#include "reporters/load.h"
#include "reporters/results.h"

namespace faultline::reporters {

using nlohmann::json;

namespace {

struct Shard {
  std::uint32_t k = 0;
  std::uint32_t n = 0;
  const ShardResults* source = nullptr;
  results::Results results;  // source->results, typed
};

// "K/N" with 1 <= K <= N.
bool parse_k_of_n(const std::string& text, std::uint32_t& k, std::uint32_t& n) {
  const auto slash = text.find('/');
  if (slash == std::string::npos || slash == 0 || slash + 1 == text.size()) return false;
  const std::string ks = text.substr(0, slash), ns = text.substr(slash + 1);
  const auto digits = [](const std::string& s) {
    return s.size() <= 6 &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  if (!digits(ks) || !digits(ns)) return false;
  k = static_cast<std::uint32_t>(std::stoul(ks));
  n = static_cast<std::uint32_t>(std::stoul(ns));
  return k >= 1 && k <= n;
}

std::string shard_name(std::uint32_t k, std::uint32_t n) {
  return std::to_string(k) + "/" + std::to_string(n);
}

// The JSON shape the model cannot see: a schema string, and each cell's index
// present (a missing one would read as 0).
Status check_raw(const ShardResults& s) {
  const json& r = s.results;
  if (!r.is_object() || !r.contains("schema") || r["schema"] != k_results_schema)
    return fail(bad_input(s.name + ": not a results.json of schema '" + k_results_schema + "'"));
  if (r.contains("cells") && r["cells"].is_array())
    for (const auto& c : r["cells"])
      if (!c.contains("index") || !c["index"].is_number_unsigned())
        return fail(bad_input(s.name + ": cell " +
                              (c.contains("id") && c["id"].is_string() ? c["id"].get<std::string>()
                                                                       : std::string("?")) +
                              " has no index (written by an older "
                              "faultline?); rerun the shard to merge it"));
  return Ok{};
}

Expected<Shard> read_shard(const ShardResults& s) {
  if (Status raw = check_raw(s); !raw) return fail(raw.error());
  Shard out;
  out.source = &s;
  FAULTLINE_TRY(out.results, to_model(s.results, s.name));
  const std::optional<std::string>& shard = out.results.options.shard;
  if (!shard)
    return fail(
        bad_input(s.name +
                  ": options.shard is null: not the results of `faultline run --shard K/N`, "
                  "so there is nothing to merge it with"));
  if (!parse_k_of_n(*shard, out.k, out.n))
    return fail(bad_input(s.name + ": options.shard '" + *shard + "' is not K/N"));
  if (!out.results.matrix_fingerprint)
    return fail(
        bad_input(s.name +
                  ": no matrix_fingerprint (written by an older faultline?); rerun the shard "
                  "to merge it"));
  return out;
}

std::string describe(const json& j) {
  std::string text = j.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

// Every input must come from the same matrix run the same way as the first.
Status check_same_matrix(const Shard& first, const Shard& other) {
  const results::Results& a = first.results;
  const results::Results& b = other.results;
  const auto mismatch = [&](const std::string& field, const json& x, const json& y) {
    return fail(bad_input(other.source->name + ": " + field + " " + describe(y) + " differs from " +
                          describe(x) + " in " + first.source->name +
                          ": not shards of one matrix run"));
  };
  if (other.n != first.n)
    return mismatch("options.shard (of N)", json(shard_name(first.k, first.n)),
                    json(shard_name(other.k, other.n)));
  if (a.name != b.name) return mismatch("name", a.name, b.name);
  if (a.matrix_fingerprint != b.matrix_fingerprint)
    return mismatch("matrix_fingerprint (a hash of the matrix file)", *a.matrix_fingerprint,
                    *b.matrix_fingerprint);
  if (a.axes != b.axes) return mismatch("axes", a.axes, b.axes);
  if (a.options.runs != b.options.runs)
    return mismatch("options.runs", a.options.runs, b.options.runs);
  if (a.options.stop != b.options.stop)
    return mismatch("options.stop", a.options.stop, b.options.stop);
  return Ok{};
}

// Shards in K order; refuses the same K twice and the same cell in two files.
Expected<std::vector<Shard>> read_shards(const std::vector<ShardResults>& inputs) {
  std::vector<Shard> shards;
  for (const auto& input : inputs) {
    FAULTLINE_TRY(Shard s, read_shard(input));
    if (Status same = shards.empty() ? Status(Ok{}) : check_same_matrix(shards.front(), s); !same)
      return fail(same.error());
    shards.push_back(std::move(s));
  }
  std::stable_sort(shards.begin(), shards.end(),
                   [](const Shard& a, const Shard& b) { return a.k < b.k; });
  for (std::size_t i = 1; i < shards.size(); ++i)
    if (shards[i].k == shards[i - 1].k)
      return fail(bad_input(shards[i - 1].source->name + " and " + shards[i].source->name +
                            " are both shard " + shard_name(shards[i].k, shards[i].n) +
                            "; merge each shard once"));
  std::map<std::string, const Shard*> cell_owner;
  for (const auto& s : shards)
    for (const auto& c : s.results.cells) {
      auto [it, fresh] = cell_owner.emplace(c.hash, &s);
      if (!fresh)
        return fail(bad_input("cell " + c.id + " (" + it->first + ") is in both " +
                              it->second->source->name + " and " + s.source->name +
                              "; each cell must come from one shard"));
    }
  return shards;
}

// Every input's cells, in matrix order.
std::vector<results::Cell> merged_cells(const std::vector<Shard>& shards) {
  std::vector<results::Cell> cells;
  for (const auto& s : shards)
    cells.insert(cells.end(), s.results.cells.begin(), s.results.cells.end());
  std::stable_sort(cells.begin(), cells.end(),
                   [](const auto& a, const auto& b) { return a.index < b.index; });
  return cells;
}

// Each build once, in matrix order; built (not cached) if any shard built it,
// as one run building it once would say.
std::vector<results::Build> merged_builds(const std::vector<Shard>& shards) {
  std::map<std::string, results::Build> by_id;
  for (const auto& s : shards)
    for (const auto& b : s.results.builds) {
      auto [it, fresh] = by_id.emplace(b.id, b);
      if (!fresh && it->second.cached && !b.cached) it->second = b;
    }
  std::vector<results::Build> builds;
  for (auto& [id, b] : by_id) builds.push_back(std::move(b));
  std::stable_sort(builds.begin(), builds.end(),
                   [](const auto& a, const auto& b) { return a.index < b.index; });
  return builds;
}

// Each signature's details from the shard holding the earliest cell that showed
// it: the same instance an unsharded run keeps (runner::StressLoop::signatures).
std::vector<results::Signature> merged_signatures(const std::vector<Shard>& shards) {
  std::map<std::string, std::pair<std::size_t, const results::Signature*>> earliest;
  for (const auto& s : shards) {
    std::map<std::string, const results::Signature*> details;
    for (const auto& sig : s.results.signatures) details[sig.hash] = &sig;
    for (const auto& c : s.results.cells)
      for (const auto& cs : c.signatures) {
        auto d = details.find(cs.hash);
        if (d == details.end()) continue;
        auto it = earliest.find(cs.hash);
        if (it == earliest.end() || c.index < it->second.first)
          earliest[cs.hash] = {c.index, d->second};
      }
  }
  std::vector<results::Signature> signatures;
  for (const auto& [hash, chosen] : earliest) signatures.push_back(*chosen.second);
  return signatures;
}

results::Results merged_header(const std::vector<Shard>& shards,
                               const std::vector<std::uint32_t>& missing) {
  results::Results r = shards.front().results;
  std::vector<std::string> names;
  for (const auto& s : shards) {
    const results::Results& x = s.results;
    r.started_at = std::min(r.started_at, x.started_at);
    r.finished_at = std::max(r.finished_at, x.finished_at);
    r.interrupted = r.interrupted || x.interrupted;
    r.options.jobs = std::max(r.options.jobs, x.options.jobs);
    names.push_back(shard_name(s.k, s.n));
  }
  r.options.shard.reset();
  r.store.reset();  // each shard's own results store, on its own machine
  // Answers of `faultline bisect` recorded in any shard's file are kept, each once.
  std::vector<results::BisectAnswer> bisect;
  for (const auto& s : shards)
    for (const auto& entry : s.results.bisect.value_or(std::vector<results::BisectAnswer>{}))
      if (std::find(bisect.begin(), bisect.end(), entry) == bisect.end()) bisect.push_back(entry);
  r.bisect = bisect.empty() ? std::nullopt : std::optional(std::move(bisect));
  r.merged = results::Merged{names, shards.front().n, missing, !missing.empty()};
  return r;
}

}  // namespace

Expected<json> merge_results(std::vector<ShardResults> inputs, const MergeOptions& options) {
  if (inputs.empty()) return fail(bad_input("no results.json to merge"));
  FAULTLINE_TRY(const std::vector<Shard> shards, read_shards(inputs));
  const std::uint32_t n = shards.front().n;
  std::vector<std::uint32_t> missing;
  std::set<std::uint32_t> present;
  for (const auto& s : shards) present.insert(s.k);
  for (std::uint32_t k = 1; k <= n; ++k)
    if (!present.count(k)) missing.push_back(k);
  if (!missing.empty() && !options.allow_partial) {
    std::string list;
    for (auto k : missing) list += (list.empty() ? "" : ", ") + shard_name(k, n);
    return fail(bad_input(std::string(missing.size() == 1 ? "shard " : "shards ") + list +
                          (missing.size() == 1 ? " is" : " are") + " missing (" +
                          std::to_string(shards.size()) + " of " + std::to_string(n) +
                          " given); merge every shard, or pass --allow-partial"));
  }
  results::Results r = merged_header(shards, missing);
  r.cells = merged_cells(shards);
  r.builds = merged_builds(shards);
  r.signatures = merged_signatures(shards);
  derive_summary(r);
  return json(r);
}

}  // namespace faultline::reporters
