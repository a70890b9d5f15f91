#include "reporters/merge.h"

#include <algorithm>
#include <map>
#include <set>

#include "reporters/results.h"

namespace faultline::reporters {

using nlohmann::json;

namespace {

struct Shard {
  std::uint32_t k = 0;
  std::uint32_t n = 0;
  const ShardResults* source = nullptr;
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

Expected<Shard> read_shard(const ShardResults& s) {
  const json& r = s.results;
  if (!r.is_object() || r.value("schema", "") != k_results_schema)
    return fail(bad_input(s.name + ": not a results.json of schema '" + k_results_schema + "'"));
  const json* shard =
      r.contains("options") && r["options"].is_object() && r["options"].contains("shard")
          ? &r["options"]["shard"]
          : nullptr;
  if (!shard || !shard->is_string())
    return fail(
        bad_input(s.name +
                  ": options.shard is null: not the results of `faultline run --shard K/N`, "
                  "so there is nothing to merge it with"));
  Shard out;
  out.source = &s;
  if (!parse_k_of_n(shard->get<std::string>(), out.k, out.n))
    return fail(
        bad_input(s.name + ": options.shard '" + shard->get<std::string>() + "' is not K/N"));
  if (!r.contains("matrix_fingerprint") || !r["matrix_fingerprint"].is_string())
    return fail(
        bad_input(s.name +
                  ": no matrix_fingerprint (written by an older faultline?); rerun the shard "
                  "to merge it"));
  for (const auto& c : r["cells"])
    if (!c.contains("index") || !c["index"].is_number_unsigned())
      return fail(bad_input(s.name + ": cell " + c.value("id", "?") +
                            " has no index (written by an older "
                            "faultline?); rerun the shard to merge it"));
  return out;
}

std::string describe(const json& j) {
  std::string text = j.dump();
  return text.size() > 80 ? text.substr(0, 77) + "..." : text;
}

// Every input must come from the same matrix run the same way as the first.
Status check_same_matrix(const Shard& first, const Shard& other) {
  const json& a = first.source->results;
  const json& b = other.source->results;
  const auto mismatch = [&](const std::string& field, const json& x, const json& y) {
    return fail(bad_input(other.source->name + ": " + field + " " + describe(y) + " differs from " +
                          describe(x) + " in " + first.source->name +
                          ": not shards of one matrix run"));
  };
  if (other.n != first.n)
    return mismatch("options.shard (of N)", json(shard_name(first.k, first.n)),
                    json(shard_name(other.k, other.n)));
  if (a["name"] != b["name"]) return mismatch("name", a["name"], b["name"]);
  if (a["matrix_fingerprint"] != b["matrix_fingerprint"])
    return mismatch("matrix_fingerprint (a hash of the matrix file)", a["matrix_fingerprint"],
                    b["matrix_fingerprint"]);
  if (a["axes"] != b["axes"]) return mismatch("axes", a["axes"], b["axes"]);
  for (const char* option : {"runs", "stop"})
    if (a["options"].value(option, json()) != b["options"].value(option, json()))
      return mismatch(std::string("options.") + option, a["options"].value(option, json()),
                      b["options"].value(option, json()));
  return Ok{};
}

// Shards in K order; refuses the same K twice and the same cell in two files.
Expected<std::vector<Shard>> read_shards(const std::vector<ShardResults>& inputs) {
  std::vector<Shard> shards;
  for (const auto& input : inputs) {
    FAULTLINE_TRY(Shard s, read_shard(input));
    if (Status same = shards.empty() ? Status(Ok{}) : check_same_matrix(shards.front(), s); !same)
      return fail(same.error());
    shards.push_back(s);
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
    for (const auto& c : s.source->results["cells"]) {
      auto [it, fresh] = cell_owner.emplace(c["hash"].get<std::string>(), &s);
      if (!fresh)
        return fail(bad_input("cell " + c.value("id", "") + " (" + it->first + ") is in both " +
                              it->second->source->name + " and " + s.source->name +
                              "; each cell must come from one shard"));
    }
  return shards;
}

// Every input's cells, in matrix order.
json merged_cells(const std::vector<Shard>& shards) {
  json cells = json::array();
  for (const auto& s : shards)
    for (const auto& c : s.source->results["cells"]) cells.push_back(c);
  std::stable_sort(cells.begin(), cells.end(), [](const json& a, const json& b) {
    return a["index"].get<std::size_t>() < b["index"].get<std::size_t>();
  });
  return cells;
}

// Each build once, in matrix order; built (not cached) if any shard built it,
// as one run building it once would say.
json merged_builds(const std::vector<Shard>& shards) {
  std::map<std::string, json> by_id;
  for (const auto& s : shards)
    for (const auto& b : s.source->results["builds"]) {
      auto [it, fresh] = by_id.emplace(b.value("id", ""), b);
      if (!fresh && it->second.value("cached", false) && !b.value("cached", false)) it->second = b;
    }
  json builds = json::array();
  for (auto& [id, b] : by_id) builds.push_back(std::move(b));
  std::stable_sort(builds.begin(), builds.end(), [](const json& a, const json& b) {
    return a.value("index", std::size_t{0}) < b.value("index", std::size_t{0});
  });
  return builds;
}

// Each signature's details from the shard holding the earliest cell that showed
// it: the same instance an unsharded run keeps (runner::StressLoop::signatures).
json merged_signatures(const std::vector<Shard>& shards) {
  std::map<std::string, std::pair<std::size_t, const json*>> earliest;
  for (const auto& s : shards) {
    std::map<std::string, const json*> details;
    for (const auto& sig : s.source->results["signatures"]) details[sig.value("hash", "")] = &sig;
    for (const auto& c : s.source->results["cells"])
      for (const auto& cs : c["signatures"]) {
        const std::string hash = cs.value("hash", "");
        auto d = details.find(hash);
        if (d == details.end()) continue;
        const std::size_t index = c["index"].get<std::size_t>();
        auto it = earliest.find(hash);
        if (it == earliest.end() || index < it->second.first) earliest[hash] = {index, d->second};
      }
  }
  json signatures = json::array();
  for (const auto& [hash, chosen] : earliest) signatures.push_back(*chosen.second);
  return signatures;
}

json merged_header(const std::vector<Shard>& shards, const std::vector<std::uint32_t>& missing) {
  json r = shards.front().source->results;
  std::string started = r.value("started_at", ""), finished = r.value("finished_at", "");
  bool interrupted = false;
  int jobs = 0;
  json names = json::array();
  for (const auto& s : shards) {
    const json& x = s.source->results;
    started = std::min(started, x.value("started_at", started));
    finished = std::max(finished, x.value("finished_at", finished));
    interrupted = interrupted || x.value("interrupted", false);
    jobs = std::max(jobs, x["options"].value("jobs", 0));
    names.push_back(shard_name(s.k, s.n));
  }
  r["started_at"] = started;
  r["finished_at"] = finished;
  r["interrupted"] = interrupted;
  r["options"]["jobs"] = jobs;
  r["options"]["shard"] = nullptr;
  r.erase("store");  // each shard's own results store, on its own machine
  // Answers of `faultline bisect` recorded in any shard's file are kept, each once.
  json bisect = json::array();
  for (const auto& s : shards) {
    const json& b = s.source->results.value("bisect", json::array());
    for (const auto& entry : b.is_array() ? b : json::array({b}))
      if (std::find(bisect.begin(), bisect.end(), entry) == bisect.end()) bisect.push_back(entry);
  }
  if (bisect.empty())
    r.erase("bisect");
  else
    r["bisect"] = bisect;
  r["merged"] = {{"shards", names},
                 {"of", shards.front().n},
                 {"missing", missing},
                 {"partial", !missing.empty()}};
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
  json r = merged_header(shards, missing);
  r["cells"] = merged_cells(shards);
  r["builds"] = merged_builds(shards);
  r["signatures"] = merged_signatures(shards);
  derive_summary(r);
  return r;
}

}  // namespace faultline::reporters
