#include "reporters/baseline.h"

#include <map>
#include <set>
#include <sstream>

#include "reporters/text.h"

namespace faultline::reporters {

using nlohmann::json;
using results::Results;

namespace {

const char* const k_new = "new";
const char* const k_still = "still present";

std::string md_signature(const std::string& hash, const std::string& tool,
                         const std::string& kind) {
  return md_code_span(clean_text(utf8_prefix(hash, 40))) + " " +
         md_inline(clean_text(utf8_prefix(tool + " " + kind, 200)));
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Baseline baseline_from_results(const Results& r, const std::string& source) {
  Baseline b{source, {}};
  for (const auto& s : r.signatures)
    b.signatures.push_back({s.hash, s.text, s.tool, s.kind, s.runs});
  return b;
}

Baseline baseline_from_results(const json& r, const std::string& source) {
  return baseline_from_results(r.get<Results>(), source);
}

void mark_against_baseline(Results& r, const Baseline& baseline) {
  std::map<std::string, const BaselineSignature*> before;
  for (const auto& s : baseline.signatures) before.emplace(s.hash, &s);
  results::Baseline marked{baseline.source, {}, {}, {}};
  std::set<std::string> now;
  for (auto& s : r.signatures) {
    now.insert(s.hash);
    const bool known = before.count(s.hash) > 0;
    s.baseline = known ? k_still : k_new;
    (known ? marked.still_present : marked.new_signatures).push_back(s.hash);
  }
  for (const auto& s : baseline.signatures)
    if (!now.count(s.hash)) marked.fixed.push_back({s.hash, s.text, s.tool, s.kind, s.runs});
  r.baseline = std::move(marked);
}

void mark_against_baseline(json& r, const Baseline& baseline) {
  Results typed = r.get<Results>();
  mark_against_baseline(typed, baseline);
  r["signatures"] = typed.signatures;
  r["baseline"] = *typed.baseline;
}

std::vector<std::size_t> signatures_new_first(const Results& r) {
  std::vector<std::size_t> order, later;
  for (std::size_t i = 0; i < r.signatures.size(); ++i)
    (r.signatures[i].baseline == k_new ? order : later).push_back(i);
  order.insert(order.end(), later.begin(), later.end());
  return order;
}

std::string baseline_line(const Results& r) {
  if (!r.baseline) return "";
  const results::Baseline& b = *r.baseline;
  return "against " + b.source + ": " +
         plural(b.new_signatures.size(), "new signature", "new signatures") + ", " +
         std::to_string(b.still_present.size()) + " still present, " +
         std::to_string(b.fixed.size()) + " fixed";
}

namespace {

// "- `hash` tool kind — 2 cells, 5 runs" for each new signature (at most 20).
std::string new_signatures(const Results& r) {
  std::ostringstream out;
  std::size_t listed = 0;
  for (const auto& s : r.signatures) {
    if (s.baseline != k_new) continue;
    if (++listed > 20) break;
    out << "- " << md_signature(s.hash, s.tool, s.kind) << " — "
        << plural(s.cells.size(), "cell", "cells") << ", " << plural(s.runs, "run", "runs") << "\n";
  }
  if (listed > 20) out << "- … and " << r.baseline->new_signatures.size() - 20 << " more below\n";
  if (listed) out << "\n";
  return out.str();
}

}  // namespace

std::string baseline_markdown(const Results& r) {
  if (!r.baseline) return "";
  const results::Baseline& b = *r.baseline;
  std::ostringstream out;
  const std::string source = md_inline(clean_text(utf8_prefix(b.source, 300)));
  if (b.new_signatures.empty())
    out << "**No new crash signature** against " << source << ".\n\n";
  else
    out << "**🆕 " << plural(b.new_signatures.size(), "new crash signature", "new crash signatures")
        << "** against " << source << ":\n\n";
  out << new_signatures(r);
  out << "Still present: " << b.still_present.size() << " · Fixed: " << b.fixed.size();
  std::size_t n = 0;
  for (const auto& f : b.fixed) {
    if (n++ >= 10) break;
    out << (n == 1 ? " (" : ", ") << md_signature(f.hash, f.tool, f.kind);
  }
  if (n > 10) out << ", …";
  if (n) out << ")";
  out << "\n\n";
  return out.str();
}

std::string baseline_label(const results::Signature& s) {
  const std::string mark = s.baseline.value_or("");
  if (mark == k_new) return " · 🆕 **new**";
  if (mark == k_still) return " · still present";
  return "";
}

}  // namespace faultline::reporters
