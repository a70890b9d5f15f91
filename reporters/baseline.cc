#include "reporters/baseline.h"

#include <map>
#include <set>
#include <sstream>

#include "reporters/text.h"

namespace faultline::reporters {

using nlohmann::json;

namespace {

const char* const k_new = "new";
const char* const k_still = "still present";

bool has_baseline(const json& r) { return r.contains("baseline") && r["baseline"].is_object(); }

std::string md_signature(const std::string& hash, const std::string& tool,
                         const std::string& kind) {
  return md_code_span(clean_text(utf8_prefix(hash, 40))) + " " +
         md_inline(clean_text(utf8_prefix(tool + " " + kind, 200)));
}

std::string plural(std::size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

}  // namespace

Baseline baseline_from_results(const json& r, const std::string& source) {
  Baseline b{source, {}};
  for (const auto& s : r.value("signatures", json::array()))
    b.signatures.push_back({s.value("hash", ""), s.value("text", ""), s.value("tool", ""),
                            s.value("kind", ""), s.value("runs", 0)});
  return b;
}

void mark_against_baseline(json& r, const Baseline& baseline) {
  std::map<std::string, const BaselineSignature*> before;
  for (const auto& s : baseline.signatures) before.emplace(s.hash, &s);
  json fresh = json::array(), still = json::array(), fixed = json::array();
  std::set<std::string> now;
  for (auto& s : r["signatures"]) {
    const std::string hash = s.value("hash", "");
    now.insert(hash);
    const bool known = before.count(hash) > 0;
    s["baseline"] = known ? k_still : k_new;
    (known ? still : fresh).push_back(hash);
  }
  for (const auto& s : baseline.signatures)
    if (!now.count(s.hash))
      fixed.push_back({{"hash", s.hash},
                       {"text", s.text},
                       {"tool", s.tool},
                       {"kind", s.kind},
                       {"runs", s.runs}});
  r["baseline"] = {
      {"source", baseline.source}, {"new", fresh}, {"still_present", still}, {"fixed", fixed}};
}

std::vector<std::size_t> signatures_new_first(const json& r) {
  std::vector<std::size_t> order, later;
  const json& sigs = r["signatures"];
  for (std::size_t i = 0; i < sigs.size(); ++i)
    (sigs[i].value("baseline", "") == k_new ? order : later).push_back(i);
  order.insert(order.end(), later.begin(), later.end());
  return order;
}

std::string baseline_line(const json& r) {
  if (!has_baseline(r)) return "";
  const json& b = r["baseline"];
  return "against " + b.value("source", "the baseline") + ": " +
         plural(b["new"].size(), "new signature", "new signatures") + ", " +
         std::to_string(b["still_present"].size()) + " still present, " +
         std::to_string(b["fixed"].size()) + " fixed";
}

std::string baseline_markdown(const json& r) {
  if (!has_baseline(r)) return "";
  const json& b = r["baseline"];
  std::ostringstream out;
  const std::string source = md_inline(clean_text(utf8_prefix(b.value("source", ""), 300)));
  if (b["new"].empty())
    out << "**No new crash signature** against " << source << ".\n\n";
  else
    out << "**🆕 " << plural(b["new"].size(), "new crash signature", "new crash signatures")
        << "** against " << source << ":\n\n";
  std::size_t listed = 0;
  for (const auto& s : r["signatures"]) {
    if (s.value("baseline", "") != k_new) continue;
    if (++listed > 20) break;
    out << "- " << md_signature(s.value("hash", ""), s.value("tool", ""), s.value("kind", ""))
        << " — " << plural(s["cells"].size(), "cell", "cells") << ", "
        << plural(s.value("runs", 0), "run", "runs") << "\n";
  }
  if (listed > 20) out << "- … and " << b["new"].size() - 20 << " more below\n";
  if (listed) out << "\n";
  out << "Still present: " << b["still_present"].size() << " · Fixed: " << b["fixed"].size();
  std::size_t n = 0;
  for (const auto& f : b["fixed"]) {
    if (n++ >= 10) break;
    out << (n == 1 ? " (" : ", ")
        << md_signature(f.value("hash", ""), f.value("tool", ""), f.value("kind", ""));
  }
  if (n > 10) out << ", …";
  if (n) out << ")";
  out << "\n\n";
  return out.str();
}

std::string baseline_label(const json& s) {
  const std::string mark = s.value("baseline", "");
  if (mark == k_new) return " · 🆕 **new**";
  if (mark == k_still) return " · still present";
  return "";
}

}  // namespace faultline::reporters
