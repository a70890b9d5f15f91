#include "bisect/families.h"

#include <algorithm>
#include <cmath>
#include <optional>

#include "sanitizers/signature.h"

namespace faultline::bisect {

namespace {

// Joining needs a Bayes factor (one shared share against a share per cell) of at least this.
const double k_min_log_bayes_factor = std::log(0.1);

struct Group {
  std::vector<std::size_t> members;  // indices into the signatures
  std::string top_frame;
  bool exit = false;
  std::map<std::size_t, int> runs;  // cell index → runs showing a member
};

double log_beta(double a, double b) { return std::lgamma(a) + std::lgamma(b) - std::lgamma(a + b); }

// log of P(counts | one share for every cell) / P(counts | a share per cell),
// each share uniform a priori; only cells where either group crashed count.
double log_bayes_factor(const Group& a, const Group& b) {
  std::map<std::size_t, std::pair<int, int>> counts;
  for (const auto& [cell, n] : a.runs) counts[cell].first = n;
  for (const auto& [cell, n] : b.runs) counts[cell].second = n;
  double per_cell = 0;
  int total_a = 0, total_b = 0;
  for (const auto& [cell, n] : counts) {
    per_cell += log_beta(1 + n.first, 1 + n.second);
    total_a += n.first;
    total_b += n.second;
  }
  return log_beta(1 + total_a, 1 + total_b) - per_cell;
}

bool together(const Group& a, const Group& b) {
  return std::any_of(a.runs.begin(), a.runs.end(),
                     [&](const auto& c) { return b.runs.count(c.first) > 0; });
}

bool joinable(const Group& a, const Group& b) {
  if (a.exit || b.exit) return false;
  if (!a.top_frame.empty() && !b.top_frame.empty()) return a.top_frame == b.top_frame;
  if (a.top_frame.empty() != b.top_frame.empty()) return together(a, b);
  return true;
}

std::vector<Group> singletons(const std::vector<Manifestation>& signatures,
                              const std::vector<CellSignatures>& cells) {
  std::vector<Group> groups;
  std::map<std::string, std::size_t> index;
  for (std::size_t i = 0; i < signatures.size(); ++i) {
    index.emplace(signatures[i].hash, i);
    groups.push_back({{i}, signatures[i].top_frame, stands_alone(signatures[i].tool), {}});
  }
  for (std::size_t c = 0; c < cells.size(); ++c)
    for (const auto& [hash, runs] : cells[c])
      if (auto it = index.find(hash); it != index.end() && runs > 0)
        groups[it->second].runs[c] += runs;
  return groups;
}

// The joinable pair with the largest Bayes factor, when it is large enough.
std::optional<std::pair<std::size_t, std::size_t>> best_pair(const std::vector<Group>& groups) {
  std::optional<std::pair<std::size_t, std::size_t>> best;
  double best_score = k_min_log_bayes_factor;
  for (std::size_t i = 0; i < groups.size(); ++i)
    for (std::size_t j = i + 1; j < groups.size(); ++j) {
      if (!joinable(groups[i], groups[j])) continue;
      const double score = log_bayes_factor(groups[i], groups[j]);
      if (score >= best_score && (!best || score > best_score)) {
        best_score = score;
        best = {i, j};
      }
    }
  return best;
}

void join(Group& into, Group& from) {
  into.members.insert(into.members.end(), from.members.begin(), from.members.end());
  if (into.top_frame.empty()) into.top_frame = from.top_frame;
  for (const auto& [cell, n] : from.runs) into.runs[cell] += n;
}

Family family_of(const Group& g, const std::vector<Manifestation>& signatures,
                 const std::vector<int>& runs) {
  std::vector<std::size_t> order = g.members;
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    const bool framed_a = !signatures[a].top_frame.empty(),
               framed_b = !signatures[b].top_frame.empty();
    if (framed_a != framed_b) return framed_a;
    if (runs[a] != runs[b]) return runs[a] > runs[b];
    return signatures[a].hash < signatures[b].hash;
  });
  Family f;
  for (std::size_t i : order) f.signatures.push_back(signatures[i].hash);
  f.top_frame = g.top_frame;
  return f;
}

}  // namespace

std::vector<Family> group_families(const std::vector<Manifestation>& signatures,
                                   const std::vector<CellSignatures>& cells) {
  std::vector<Group> groups = singletons(signatures, cells);
  std::vector<int> runs;
  for (const Group& g : groups) {
    int n = 0;
    for (const auto& [cell, k] : g.runs) n += k;
    runs.push_back(n);
  }
  while (auto pair = best_pair(groups)) {
    join(groups[pair->first], groups[pair->second]);
    groups.erase(groups.begin() + static_cast<std::ptrdiff_t>(pair->second));
  }
  // In the order of each family's first signature in the input.
  for (Group& g : groups) std::sort(g.members.begin(), g.members.end());
  std::sort(groups.begin(), groups.end(),
            [](const Group& a, const Group& b) { return a.members[0] < b.members[0]; });
  std::vector<Family> families;
  for (const Group& g : groups) families.push_back(family_of(g, signatures, runs));
  return families;
}

bool stands_alone(const std::string& tool) { return tool == "exit" || tool == "faultline"; }

std::string top_frame(const sanitizers::Crash& crash) {
  sanitizers::SignatureOptions options;
  options.frame_count = 1;
  const std::vector<std::string> keys = sanitizers::meaningful_frames(crash.frames, options);
  return keys.empty() ? "" : keys[0];
}

bool FamilyTarget::matches(const Manifestation& m) const {
  for (const std::string& s : signatures)
    if (m.hash.rfind(s, 0) == 0) return true;
  if (exact || stands_alone(m.tool)) return false;
  if (!top_frame.empty() && m.top_frame == top_frame) return true;
  return frameless && m.top_frame.empty();
}

bool FamilyTarget::matches(const sanitizers::Crash& crash) const {
  return matches(Manifestation{crash.signature.hash, crash.tool, bisect::top_frame(crash)});
}

}  // namespace faultline::bisect
