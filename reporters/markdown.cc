#include "reporters/markdown.h"

#include <map>
#include <sstream>

#include "reporters/baseline.h"
#include "reporters/grid.h"
#include "reporters/terminal.h"

namespace faultline::reporters {

using nlohmann::json;

namespace {

// Room kept for the closing notes whatever else is cut.
constexpr std::size_t k_reserve = 1'200;

std::string inline_text(const json& j, const char* key, std::size_t max_bytes = 300) {
  const std::string raw = j.value(key, "");
  return md_inline(clean_text(utf8_prefix(raw, max_bytes))) + (raw.size() > max_bytes ? "…" : "");
}

std::string short_value(const std::string& raw) {
  return md_inline(clean_text(utf8_prefix(raw, 40))) + (raw.size() > 40 ? "…" : "");
}

std::string grid_table(const Grid& g, const MarkdownOptions& o, std::vector<std::string>& cuts) {
  const std::size_t rows = std::min(g.rows.size(), o.max_grid_rows);
  const std::size_t columns = std::min(g.columns.size(), o.max_grid_columns);
  std::ostringstream out;
  out << "| " << short_value(g.row_axis)
      << (g.column_axis.empty() ? "" : " \\\\ " + short_value(g.column_axis));
  for (std::size_t c = 0; c < columns; ++c)
    out << " | " << (g.column_axis.empty() ? "result" : short_value(g.columns[c]));
  out << " |\n|---";
  for (std::size_t c = 0; c < columns; ++c) out << "|:-:";
  out << "|\n";
  for (std::size_t r = 0; r < rows; ++r) {
    out << "| **" << short_value(g.rows[r]) << "**";
    for (std::size_t c = 0; c < columns; ++c) out << " | " << grid_mark(g.cell(r, c));
    out << " |\n";
  }
  if (rows < g.rows.size() || columns < g.columns.size())
    cuts.push_back("the grid shows " + std::to_string(rows) + " of " +
                   std::to_string(g.rows.size()) + " rows and " + std::to_string(columns) + " of " +
                   std::to_string(g.columns.size()) + " columns");
  return out.str();
}

std::string grid_section(const json& r, const MarkdownOptions& o, std::vector<std::string>& cuts) {
  auto grid = make_grid(r);
  if (!grid) return "";
  std::vector<std::string> others;
  for (const auto& a : r["axes"]) {
    const std::string name = a.value("name", "");
    if (name != grid->row_axis && name != grid->column_axis &&
        a.value("values", json::array()).size() > 1)
      others.push_back(short_value(name));
  }
  std::string legend = "✓ runs, none crashed · ✗ crashing runs/runs";
  if (!others.empty()) {
    legend += " · each cell sums over ";
    for (std::size_t i = 0; i < others.size(); ++i) legend += (i ? ", " : "") + others[i];
  }
  return grid_table(*grid, o, cuts) + "\n<sub>" + legend + "</sub>\n\n";
}

std::string frame_line(const json& f, std::size_t n) {
  std::string where = f.value("file", "");
  if (!where.empty() && f.value("line", 0) > 0) where += ":" + std::to_string(f.value("line", 0));
  if (where.empty()) where = f.value("module", "");
  std::string line = std::to_string(n) + ". " +
                     md_code_span(clean_text(utf8_prefix(f.value("function", "?"), 200)));
  if (!where.empty()) line += " at " + md_code_span(clean_text(utf8_prefix(where, 300)));
  return line + "\n";
}

std::string details(const std::string& summary, const std::string& body) {
  return "<details><summary>" + summary + "</summary>\n\n" + body + "\n</details>\n\n";
}

// One signature's section; `full` = with excerpt and repro, else the short form.
std::string signature_section(const json& s, std::size_t n, const json* first_cell,
                              const MarkdownOptions& o, bool full) {
  std::ostringstream out;
  const std::size_t cells = s["cells"].size();
  const int runs = s.value("runs", 0);
  out << "### " << n << ". " << inline_text(s, "tool", 40) << " " << inline_text(s, "kind", 80)
      << " — " << cells << (cells == 1 ? " cell, " : " cells, ") << runs
      << (runs == 1 ? " run" : " runs") << baseline_label(s) << "\n\n";
  out << md_code_span(clean_text(utf8_prefix(s.value("hash", ""), 40)));
  if (!s.value("location", "").empty())
    out << " at " << md_code_span(clean_text(utf8_prefix(s.value("location", ""), 300)));
  if (!s.value("summary", "").empty()) out << "  \n" << inline_text(s, "summary", 500);
  if (s.contains("attribution") &&
      s["attribution"].is_string())  // axis attribution, as `run` writes it
    out << "  \n**Where:** " << inline_text(s, "attribution", 500);
  out << "\n\n";
  std::size_t k = 0;
  for (const auto& f : s["frames"]) {
    if (k >= o.max_frames) break;
    out << frame_line(f, ++k);
  }
  if (s["frames"].size() > k)
    out << "\n<sub>" << s["frames"].size() - k << " more frames in the excerpt</sub>\n";
  if (k > 0) out << "\n";
  if (first_cell)
    out << "First in " << md_code_span(clean_text(utf8_prefix((*first_cell).value("id", ""), 400)))
        << "\n";
  out << "\n";
  if (!full) return out.str();
  if (!s.value("excerpt", "").empty())
    out << details("Report excerpt",
                   md_code_block(bounded_text(s.value("excerpt", ""), o.excerpt)));
  if (first_cell && first_cell->contains("repro")) {
    Bounds b{20, 2'000, 4'000};
    out << details("Reproduce",
                   md_code_block(bounded_text((*first_cell).value("repro", ""), b), "sh"));
  }
  return out.str();
}

std::string values_text(const json& values) {
  std::string text;
  if (!values.is_object())
    return md_inline(
        clean_text(utf8_prefix(values.dump(-1, ' ', false, json::error_handler_t::replace), 300)));
  for (const auto& item : values.items()) {
    if (!text.empty()) text += " ";
    const std::string v =
        item.value().is_string() ? item.value().get<std::string>() : item.value().dump();
    text += item.key() + "=" + v;
  }
  return md_code_span(clean_text(utf8_prefix(text, 400)));
}

// The searched axes' values only ("lib=6"): the fixed ones are in `base`.
std::string searched_values(const json& b, const json& values) {
  if (!values.is_object() || !b.contains("axes") || !b["axes"].is_array())
    return values_text(values);
  json only = json::object();
  for (const auto& a : b["axes"])
    if (a.is_string() && values.contains(a.get<std::string>()))
      only[a.get<std::string>()] = values[a.get<std::string>()];
  return values_text(only.empty() ? values : only);
}

std::string bisect_title(const json& b) {
  const std::string status = b.value("status", "");
  const bool fixed = b.value("direction", "") == "fixed";
  if (b.contains("minimal_pairs"))
    return status == "found" ? "Minimal crashing pairs" : "2-D bisect";
  if (status == "found") return fixed ? "First fixed" : "First crashing";
  if (status == "range") return fixed ? "Fixed within a range" : "Crash appears within a range";
  if (status == "not-on-axis") return "Not on this axis";
  if (status == "noise") return "No culprit";
  if (status == "manifestation-changed") return "The manifestation changed";
  return "Bisect";
}

std::string bisect_one(const json& b) {
  std::ostringstream out;
  out << "**" << bisect_title(b) << "**";
  if (b.contains("signature"))
    out << " for " << md_code_span(clean_text(utf8_prefix(b.value("signature", ""), 40)));
  if (b.contains("status")) out << " (" << inline_text(b, "status", 40) << ")";
  if (b.contains("base") && !b.value("base", "").empty())
    out << " with " << md_code_span(clean_text(utf8_prefix(b.value("base", ""), 300)));
  out << "\n\n";
  if (b.contains("summary")) out << inline_text(b, "summary", 1'000) << "\n\n";
  for (const auto& [key, label] : {std::pair{"first_crashing", "first crashing"},
                                   {"last_passing", "last passing"},
                                   {"first_fixed", "first fixed"},
                                   {"last_crashing", "last crashing"}})
    if (b.contains(key)) out << "- " << label << ": " << searched_values(b, b[key]) << "\n";
  if (b.contains("minimal_pairs") && b["minimal_pairs"].is_array()) {
    std::size_t n = 0;
    for (const auto& p : b["minimal_pairs"])
      if (++n <= 30) out << "- minimal crashing pair: " << searched_values(b, p) << "\n";
  }
  if (b.contains("contradictions") && b["contradictions"].is_array())
    for (const auto& c : b["contradictions"])
      if (c.is_object())
        out << "- contradiction: " << searched_values(b, c.value("crashing", json::object()))
            << " crashed, " << searched_values(b, c.value("passing", json::object()))
            << " passed\n";
  if (b.contains("steps") && b["steps"].is_array() && !b["steps"].empty()) {
    out << "\n| step | cell | runs | crashes | verdict |\n|--:|---|--:|--:|---|\n";
    std::size_t n = 0;
    for (const auto& s : b["steps"]) {
      if (++n > 30) break;
      if (!s.is_object()) continue;
      out << "| " << n << " | " << searched_values(b, s.value("values", json::object())) << " | "
          << s.value("runs", 0) << " | " << s.value("crashes", 0) << " | "
          << inline_text(s, "verdict", 40) << " |\n";
    }
    if (b["steps"].size() > 30)
      out << "\n<sub>" << b["steps"].size() - 30 << " more steps in the results</sub>\n";
  }
  return out.str() + "\n";
}

std::string bisect_section(const json& r) {
  if (!r.contains("bisect") || r["bisect"].is_null()) return "";
  std::string out = "## Bisect\n\n";
  if (r["bisect"].is_array()) {
    for (const auto& b : r["bisect"])
      if (b.is_object()) out += bisect_one(b);
  } else if (r["bisect"].is_object()) {
    out += bisect_one(r["bisect"]);
  }
  return out;
}

std::string attribution_section(const json& r) {
  if (!r.contains("attribution") || !r["attribution"].is_object()) return "";
  const json& a = r["attribution"];
  std::ostringstream out;
  out << "## Which axis\n\n";
  if (a.contains("summary")) out << "**" << inline_text(a, "summary", 1'000) << "**\n\n";
  if (a.contains("axes") && a["axes"].is_array()) {
    out << "| axis | effect | evidence |\n|---|---|---|\n";
    for (const auto& x : a["axes"])
      if (x.is_object())
        out << "| " << inline_text(x, "name", 60) << " | " << inline_text(x, "effect", 40) << " | "
            << inline_text(x, "detail", 400) << " |\n";
    out << "\n";
  }
  return out.str();
}

// The crash families lead the signatures: one line per bug, where it appears.
std::string families_section(const json& r) {
  const std::string headline = families_headline(r);
  if (headline.empty()) return "";
  std::ostringstream out;
  out << "## Crash families\n\n**" << md_inline(clean_text(utf8_prefix(headline, 1'000)))
      << "**\n\n";
  std::size_t n = 0;
  for (const auto& f : r["families"]) {
    if (++n > 30) break;
    out << "- " << md_code_span(clean_text(utf8_prefix(f.value("hash", ""), 40))) << ": "
        << inline_text(f, "summary", 600);
    if (!f.value("attribution", "").empty())
      out << "  \n  **Where:** " << inline_text(f, "attribution", 500);
    out << "\n";
  }
  if (r["families"].size() > 30) out << "- … and " << r["families"].size() - 30 << " more\n";
  return out.str() + "\n";
}

std::string build_errors(const json& r) {
  std::ostringstream out;
  std::size_t n = 0;
  for (const auto& b : r["builds"]) {
    if (b.value("state", "") != "failed") continue;
    if (n++ == 0) out << "## Build errors\n\n";
    if (n > 20) continue;
    out << "- " << md_code_span(clean_text(utf8_prefix(b.value("id", ""), 200))) << ": "
        << inline_text(b, "error", 400) << "\n";
  }
  if (n > 20) out << "- … and " << n - 20 << " more\n";
  return n ? out.str() + "\n" : "";
}

std::map<std::string, const json*> cells_by_hash(const json& r) {
  std::map<std::string, const json*> index;
  for (const auto& c : r["cells"]) index.emplace(c.value("hash", ""), &c);
  return index;
}

}  // namespace

std::string render_markdown(const json& r, const MarkdownOptions& o) {
  std::vector<std::string> cuts;
  std::string out = "## faultline: " + inline_text(r, "name", 200) + "\n\n";
  const bool crashed = r["totals"].value("crash", 0) > 0;
  out += std::string(crashed ? "**✗ " : "**✓ ") + md_inline(clean_text(one_line_verdict(r))) +
         "**\n\n";
  out += baseline_markdown(r);  // with a baseline, the new signatures lead
  const std::size_t limit = o.max_bytes > k_reserve ? o.max_bytes - k_reserve : 0;
  // Parts in order of importance; each goes in whole if it fits.
  for (const std::string& part :
       {families_section(r), grid_section(r, o, cuts), bisect_section(r), attribution_section(r)}) {
    if (out.size() + part.size() <= limit)
      out += part;
    else if (!part.empty())
      cuts.push_back("a section of " + std::to_string(part.size()) + " bytes");
  }
  const json& sigs = r["signatures"];
  if (!sigs.empty()) out += "## Crash signatures\n\n";
  const auto cells = cells_by_hash(r);
  std::size_t shown = 0, shortened = 0;
  const std::vector<std::size_t> order = signatures_new_first(r);
  for (std::size_t n = 0; n < order.size(); ++n) {
    const std::size_t i = order[n];
    const json* first = nullptr;
    if (!sigs[i]["cells"].empty() && sigs[i]["cells"][0].is_string()) {
      auto it = cells.find(sigs[i]["cells"][0].get<std::string>());
      if (it != cells.end()) first = it->second;
    }
    std::string part = signature_section(sigs[i], n + 1, first, o, true);
    if (out.size() + part.size() > limit) {
      part = signature_section(sigs[i], n + 1, first, o, false);
      ++shortened;
    }
    if (out.size() + part.size() > limit) break;
    out += part;
    ++shown;
  }
  if (shortened)
    cuts.push_back(std::to_string(shortened) + " signatures without their excerpt and repro");
  if (shown < sigs.size())
    cuts.push_back(std::to_string(sigs.size() - shown) + " of " + std::to_string(sigs.size()) +
                   " signatures");
  std::string errors = build_errors(r);
  if (out.size() + errors.size() <= limit)
    out += errors;
  else
    cuts.push_back("the build errors");
  if (!cuts.empty()) {
    out += "> [!NOTE]\n> Trimmed to fit a GitHub comment: left out ";
    for (std::size_t i = 0; i < cuts.size(); ++i) out += (i ? "; " : "") + md_inline(cuts[i]);
    out += ". The full report is in " + md_code_span(clean_text(utf8_prefix(o.full_report, 300))) +
           ".\n\n";
  }
  out += "<sub>faultline · " + inline_text(r, "matrix_file", 200) + " · " +
         inline_text(r, "finished_at", 40) + "</sub>\n";
  return out;
}

}  // namespace faultline::reporters
