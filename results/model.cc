#include "results/model.h"

#include <string_view>

namespace faultline::results {

using nlohmann::json;

namespace {

// `key` of `j` into `out` when present and not null; else `out` keeps its default.
template <class T>
void read(const json& j, const char* key, T& out) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) it->get_to(out);
}

template <class T>
void read(const json& j, const char* key, std::optional<T>& out) {
  if (auto it = j.find(key); it != j.end() && !it->is_null()) out = it->get<T>();
}

template <class T>
void write(json& j, const char* key, const std::optional<T>& value) {
  if (value) j[key] = *value;
}

// The keys of `j` not among `known`, for writing back what this faultline does not model.
json unknown_keys(const json& j, const std::vector<std::string_view>& known) {
  json extra = json::object();
  for (const auto& [key, value] : j.items()) {
    bool listed = false;
    for (std::string_view k : known) listed = listed || k == key;
    if (!listed) extra[key] = value;
  }
  return extra;
}

}  // namespace

void to_json(json& j, const Options& x) {
  j = {{"runs", x.runs},
       {"jobs", x.jobs},
       {"stop", x.stop},
       {"shard", x.shard ? json(*x.shard) : json()}};
}

void from_json(const json& j, Options& x) {
  read(j, "runs", x.runs);
  read(j, "jobs", x.jobs);
  read(j, "stop", x.stop);
  read(j, "shard", x.shard);
}

void to_json(json& j, const Cell& x) {
  j = {{"id", x.id},
       {"hash", x.hash},
       {"index", x.index},
       {"values", x.values},
       {"verdict", x.verdict},
       {"runs", x.runs},
       {"crashes", x.crashes},
       {"hangs", x.hangs},
       {"rate", x.rate},
       {"summary", x.summary},
       {"signatures", x.signatures},
       {"wall_seconds", x.wall_seconds}};
  write(j, "skipped_reason", x.skipped_reason);
  write(j, "repro", x.repro);
  write(j, "hung_stacks", x.hung_stacks);
  write(j, "build_error", x.build_error);
}

void from_json(const json& j, Cell& x) {
  read(j, "id", x.id);
  read(j, "hash", x.hash);
  read(j, "index", x.index);
  read(j, "values", x.values);
  read(j, "verdict", x.verdict);
  read(j, "skipped_reason", x.skipped_reason);
  read(j, "runs", x.runs);
  read(j, "crashes", x.crashes);
  read(j, "hangs", x.hangs);
  read(j, "rate", x.rate);
  read(j, "summary", x.summary);
  read(j, "signatures", x.signatures);
  read(j, "wall_seconds", x.wall_seconds);
  read(j, "repro", x.repro);
  read(j, "hung_stacks", x.hung_stacks);
  read(j, "build_error", x.build_error);
}

void to_json(json& j, const Signature& x) {
  j = {{"hash", x.hash},     {"text", x.text},         {"tool", x.tool},
       {"kind", x.kind},     {"location", x.location}, {"summary", x.summary},
       {"frames", x.frames}, {"excerpt", x.excerpt},   {"cells", x.cells},
       {"runs", x.runs}};
  write(j, "top_frame", x.top_frame);
  write(j, "attribution", x.attribution);
  write(j, "family", x.family);
  write(j, "baseline", x.baseline);
  write(j, "attribution", x.attribution);
}

void from_json(const json& j, Signature& x) {
  read(j, "hash", x.hash);
  read(j, "text", x.text);
  read(j, "tool", x.tool);
  read(j, "kind", x.kind);
  read(j, "location", x.location);
  read(j, "summary", x.summary);
  read(j, "top_frame", x.top_frame);
  read(j, "frames", x.frames);
  read(j, "excerpt", x.excerpt);
  read(j, "cells", x.cells);
  read(j, "runs", x.runs);
  read(j, "attribution", x.attribution);
  read(j, "family", x.family);
  read(j, "baseline", x.baseline);
}

void to_json(json& j, const Family& x) {
  j = {{"hash", x.hash},           {"text", x.text},   {"signatures", x.signatures},
       {"top_frame", x.top_frame}, {"cells", x.cells}, {"runs", x.runs},
       {"summary", x.summary}};
  write(j, "attribution", x.attribution);
}

void from_json(const json& j, Family& x) {
  read(j, "hash", x.hash);
  read(j, "text", x.text);
  read(j, "signatures", x.signatures);
  read(j, "top_frame", x.top_frame);
  read(j, "cells", x.cells);
  read(j, "runs", x.runs);
  read(j, "summary", x.summary);
  read(j, "attribution", x.attribution);
}

void to_json(json& j, const Build& x) {
  j = {{"id", x.id},           {"index", x.index}, {"state", x.state}, {"cached", x.cached},
       {"seconds", x.seconds}, {"dir", x.dir},     {"log", x.log},     {"command", x.command}};
  write(j, "error", x.error);
}

void from_json(const json& j, Build& x) {
  read(j, "id", x.id);
  read(j, "index", x.index);
  read(j, "state", x.state);
  read(j, "cached", x.cached);
  read(j, "seconds", x.seconds);
  read(j, "dir", x.dir);
  read(j, "log", x.log);
  read(j, "command", x.command);
  read(j, "error", x.error);
}

void to_json(json& j, const Baseline& x) {
  j = {{"source", x.source},
       {"new", x.new_signatures},
       {"still_present", x.still_present},
       {"fixed", x.fixed}};
}

void from_json(const json& j, Baseline& x) {
  read(j, "source", x.source);
  read(j, "new", x.new_signatures);
  read(j, "still_present", x.still_present);
  read(j, "fixed", x.fixed);
}

void to_json(json& j, const BisectRate& x) {
  j = {{"estimate", x.estimate},
       {"low", x.low},
       {"high", x.high},
       {"target_runs", x.target_runs},
       {"runs", x.runs}};
  write(j, "words", x.words);
}

void from_json(const json& j, BisectRate& x) {
  read(j, "estimate", x.estimate);
  read(j, "low", x.low);
  read(j, "high", x.high);
  read(j, "target_runs", x.target_runs);
  read(j, "runs", x.runs);
  read(j, "words", x.words);
}

void to_json(json& j, const BisectStep& x) {
  j = {{"values", x.values},
       {"runs", x.runs},
       {"crashes", x.crashes},
       {"other", x.other},
       {"verdict", x.verdict}};
  write(j, "phase", x.phase);
  write(j, "leading", x.leading);
  write(j, "leading_posterior", x.leading_posterior);
  write(j, "unknown", x.unknown);
}

void from_json(const json& j, BisectStep& x) {
  read(j, "values", x.values);
  read(j, "phase", x.phase);
  read(j, "runs", x.runs);
  read(j, "crashes", x.crashes);
  read(j, "other", x.other);
  read(j, "verdict", x.verdict);
  read(j, "leading", x.leading);
  read(j, "leading_posterior", x.leading_posterior);
  read(j, "unknown", x.unknown);
}

namespace {

const std::vector<std::string_view> k_interval_keys = {"start_open",
                                                       "end_open",
                                                       "first_crashing",
                                                       "last_good",
                                                       "last_crashing",
                                                       "first_fixed",
                                                       "start_outcome",
                                                       "end_outcome",
                                                       "spread",
                                                       "summary",
                                                       "first_crashing_commit",
                                                       "first_fixed_commit",
                                                       "start_compare_url",
                                                       "end_compare_url"};

}  // namespace

void to_json(json& j, const BisectInterval& x) {
  j = x.extra.is_object() ? x.extra : json::object();
  j.update({{"start_open", x.start_open},
            {"end_open", x.end_open},
            {"spread", x.spread},
            {"summary", x.summary}});
  write(j, "first_crashing", x.first_crashing);
  write(j, "last_good", x.last_good);
  write(j, "last_crashing", x.last_crashing);
  write(j, "first_fixed", x.first_fixed);
  write(j, "start_outcome", x.start_outcome);
  write(j, "end_outcome", x.end_outcome);
  write(j, "first_crashing_commit", x.first_crashing_commit);
  write(j, "start_compare_url", x.start_compare_url);
  write(j, "first_fixed_commit", x.first_fixed_commit);
  write(j, "end_compare_url", x.end_compare_url);
}

void from_json(const json& j, BisectInterval& x) {
  read(j, "start_open", x.start_open);
  read(j, "end_open", x.end_open);
  read(j, "first_crashing", x.first_crashing);
  read(j, "last_good", x.last_good);
  read(j, "last_crashing", x.last_crashing);
  read(j, "first_fixed", x.first_fixed);
  read(j, "start_outcome", x.start_outcome);
  read(j, "end_outcome", x.end_outcome);
  read(j, "spread", x.spread);
  read(j, "summary", x.summary);
  read(j, "first_crashing_commit", x.first_crashing_commit);
  read(j, "start_compare_url", x.start_compare_url);
  read(j, "first_fixed_commit", x.first_fixed_commit);
  read(j, "end_compare_url", x.end_compare_url);
  x.extra = unknown_keys(j, k_interval_keys);
}

namespace {

// first_crashing_by_row: row value → first crashing column value, null when none.
json rows_json(const std::map<std::string, std::optional<std::string>>& rows) {
  json j = json::object();
  for (const auto& [row, column] : rows) j[row] = column ? json(*column) : json();
  return j;
}

std::map<std::string, std::optional<std::string>> rows_of(const json& j) {
  std::map<std::string, std::optional<std::string>> rows;
  for (const auto& [row, column] : j.items())
    rows[row] = column.is_null() ? std::nullopt : std::optional(column.get<std::string>());
  return rows;
}

const std::vector<std::string_view> k_bisect_keys = {"signature",      "signature_text",
                                                     "family",         "axes",
                                                     "base",           "direction",
                                                     "status",         "summary",
                                                     "first_crashing", "last_passing",
                                                     "first_fixed",    "last_crashing",
                                                     "confidence",     "confidence_goal",
                                                     "crash_rate",     "runs",
                                                     "other_crashes",  "verification",
                                                     "unbuildable",    "contradicting",
                                                     "steps",          "manifestation_changed",
                                                     "minimal_pairs",  "first_crashing_by_row",
                                                     "contradictions", "probes",
                                                     "grid_cells",     "runs_per_pair",
                                                     "interval",       "region",
                                                     "first_commit",   "compare_url",
                                                     "costs"};

}  // namespace

void to_json(json& j, const BisectAnswer& x) {
  j = x.extra.is_object() ? x.extra : json::object();
  write(j, "signature", x.signature);
  write(j, "signature_text", x.signature_text);
  write(j, "family", x.family);
  write(j, "axes", x.axes);
  write(j, "base", x.base);
  write(j, "direction", x.direction);
  write(j, "status", x.status);
  write(j, "summary", x.summary);
  write(j, "first_crashing", x.first_crashing);
  write(j, "last_passing", x.last_passing);
  write(j, "first_fixed", x.first_fixed);
  write(j, "last_crashing", x.last_crashing);
  write(j, "confidence", x.confidence);
  write(j, "confidence_goal", x.confidence_goal);
  write(j, "crash_rate", x.crash_rate);
  write(j, "runs", x.runs);
  write(j, "other_crashes", x.other_crashes);
  write(j, "verification", x.verification);
  write(j, "unbuildable", x.unbuildable);
  write(j, "contradicting", x.contradicting);
  write(j, "steps", x.steps);
  write(j, "manifestation_changed", x.manifestation_changed);
  write(j, "first_commit", x.first_commit);
  write(j, "compare_url", x.compare_url);
  write(j, "interval", x.interval);
  write(j, "costs", x.costs);
  write(j, "region", x.region);
  write(j, "minimal_pairs", x.minimal_pairs);
  if (x.first_crashing_by_row) j["first_crashing_by_row"] = rows_json(*x.first_crashing_by_row);
  write(j, "contradictions", x.contradictions);
  write(j, "probes", x.probes);
  write(j, "grid_cells", x.grid_cells);
  write(j, "runs_per_pair", x.runs_per_pair);
}

void from_json(const json& j, BisectAnswer& x) {
  read(j, "signature", x.signature);
  read(j, "signature_text", x.signature_text);
  read(j, "family", x.family);
  read(j, "axes", x.axes);
  read(j, "base", x.base);
  read(j, "direction", x.direction);
  read(j, "status", x.status);
  read(j, "summary", x.summary);
  read(j, "first_crashing", x.first_crashing);
  read(j, "last_passing", x.last_passing);
  read(j, "first_fixed", x.first_fixed);
  read(j, "last_crashing", x.last_crashing);
  read(j, "confidence", x.confidence);
  read(j, "confidence_goal", x.confidence_goal);
  read(j, "crash_rate", x.crash_rate);
  read(j, "runs", x.runs);
  read(j, "other_crashes", x.other_crashes);
  read(j, "verification", x.verification);
  read(j, "unbuildable", x.unbuildable);
  read(j, "contradicting", x.contradicting);
  read(j, "steps", x.steps);
  read(j, "manifestation_changed", x.manifestation_changed);
  read(j, "first_commit", x.first_commit);
  read(j, "compare_url", x.compare_url);
  read(j, "interval", x.interval);
  read(j, "costs", x.costs);
  read(j, "region", x.region);
  read(j, "minimal_pairs", x.minimal_pairs);
  if (auto it = j.find("first_crashing_by_row"); it != j.end() && it->is_object())
    x.first_crashing_by_row = rows_of(*it);
  read(j, "contradictions", x.contradictions);
  read(j, "probes", x.probes);
  read(j, "grid_cells", x.grid_cells);
  read(j, "runs_per_pair", x.runs_per_pair);
  x.extra = unknown_keys(j, k_bisect_keys);
}

void to_json(json& j, const AxisAttribution& x) {
  j = json::object();
  write(j, "signature", x.signature);
  write(j, "axis", x.axis);
  write(j, "summary", x.summary);
  write(j, "axes", x.axes);
}

void from_json(const json& j, AxisAttribution& x) {
  read(j, "signature", x.signature);
  read(j, "axis", x.axis);
  read(j, "summary", x.summary);
  read(j, "axes", x.axes);
}

void to_json(json& j, const Results& x) {
  j = x.extra.is_object() ? x.extra : json::object();
  j.update({{"schema", x.schema},
            {"name", x.name},
            {"matrix_file", x.matrix_file},
            {"started_at", x.started_at},
            {"finished_at", x.finished_at},
            {"interrupted", x.interrupted},
            {"options", x.options},
            {"axes", x.axes},
            {"cells", x.cells},
            {"signatures", x.signatures},
            {"families", x.families},
            {"builds", x.builds},
            {"totals", x.totals}});
  write(j, "matrix_fingerprint", x.matrix_fingerprint);
  write(j, "merged", x.merged);
  write(j, "store", x.store);
  write(j, "bisect", x.bisect);
  write(j, "baseline", x.baseline);
  write(j, "attribution", x.attribution);
}

namespace {

const std::vector<std::string_view> k_results_keys = {
    "schema",     "name",        "matrix_file", "matrix_fingerprint",
    "started_at", "finished_at", "interrupted", "options",
    "axes",       "cells",       "signatures",  "families",
    "builds",     "totals",      "merged",      "store",
    "bisect",     "baseline",    "attribution"};

// `bisect`: a list of answers; a file of an early version held one object.
std::optional<std::vector<BisectAnswer>> bisect_of(const json& j) {
  auto it = j.find("bisect");
  if (it == j.end() || it->is_null()) return std::nullopt;
  std::vector<BisectAnswer> answers;
  for (const auto& entry : it->is_array() ? *it : json::array({*it}))
    if (entry.is_object()) answers.push_back(entry.get<BisectAnswer>());
  return answers;
}

}  // namespace

void from_json(const json& j, Results& x) {
  read(j, "schema", x.schema);
  read(j, "name", x.name);
  read(j, "matrix_file", x.matrix_file);
  read(j, "matrix_fingerprint", x.matrix_fingerprint);
  read(j, "started_at", x.started_at);
  read(j, "finished_at", x.finished_at);
  read(j, "interrupted", x.interrupted);
  read(j, "options", x.options);
  read(j, "axes", x.axes);
  read(j, "cells", x.cells);
  read(j, "signatures", x.signatures);
  read(j, "families", x.families);
  read(j, "builds", x.builds);
  read(j, "totals", x.totals);
  read(j, "merged", x.merged);
  read(j, "store", x.store);
  x.bisect = bisect_of(j);
  read(j, "baseline", x.baseline);
  if (auto it = j.find("attribution"); it != j.end() && it->is_object())
    x.attribution = it->get<AxisAttribution>();
  x.extra = unknown_keys(j, k_results_keys);
}

}  // namespace faultline::results
