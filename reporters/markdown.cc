#include "reporters/markdown.h"

#include <algorithm>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <sstream>

#include "reporters/baseline.h"
#include "reporters/grid.h"
#include "reporters/terminal.h"

namespace faultline::reporters {

using nlohmann::json;
using results::Results;

namespace {

// Room kept for the closing notes whatever else is cut.
constexpr std::size_t k_reserve = 1'200;

std::string inline_text(const std::string& raw, std::size_t max_bytes = 300) {
  return md_inline(clean_text(utf8_prefix(raw, max_bytes))) + (raw.size() > max_bytes ? "…" : "");
}

std::string short_value(const std::string& raw) {
  return md_inline(clean_text(utf8_prefix(raw, 40))) + (raw.size() > 40 ? "…" : "");
}

std::string code(const std::string& raw, std::size_t max_bytes) {
  return md_code_span(clean_text(utf8_prefix(raw, max_bytes)));
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

std::string grid_section(const Results& r, const MarkdownOptions& o,
                         std::vector<std::string>& cuts) {
  auto grid = make_grid(r);
  if (!grid) return "";
  std::vector<std::string> others;
  for (const auto& a : r.axes)
    if (a.name != grid->row_axis && a.name != grid->column_axis && a.values.size() > 1)
      others.push_back(short_value(a.name));
  std::string legend = "✓ runs, none crashed · ✗ crashing runs/runs";
  if (!others.empty()) {
    legend += " · each cell sums over ";
    for (std::size_t i = 0; i < others.size(); ++i) legend += (i ? ", " : "") + others[i];
  }
  return grid_table(*grid, o, cuts) + "\n<sub>" + legend + "</sub>\n\n";
}

std::string frame_line(const results::Frame& f, std::size_t n) {
  std::string where = f.file;
  if (!where.empty() && f.line > 0) where += ":" + std::to_string(f.line);
  if (where.empty()) where = f.module;
  std::string line = std::to_string(n) + ". " + code(f.function, 200);
  if (!where.empty()) line += " at " + code(where, 300);
  return line + "\n";
}

std::string details(const std::string& summary, const std::string& body) {
  return "<details><summary>" + summary + "</summary>\n\n" + body + "\n</details>\n\n";
}

// A signature's heading, hash, location, summary and attribution.
std::string signature_head(const results::Signature& s, std::size_t n) {
  std::ostringstream out;
  const std::size_t cells = s.cells.size();
  out << "### " << n << ". " << inline_text(s.tool, 40) << " " << inline_text(s.kind, 80) << " — "
      << cells << (cells == 1 ? " cell, " : " cells, ") << s.runs
      << (s.runs == 1 ? " run" : " runs") << baseline_label(s) << "\n\n";
  out << code(s.hash, 40);
  if (!s.location.empty()) out << " at " << code(s.location, 300);
  if (!s.summary.empty()) out << "  \n" << inline_text(s.summary, 500);
  if (s.attribution)  // axis attribution, as `run` writes it
    out << "  \n**Where:** " << inline_text(*s.attribution, 500);
  out << "\n\n";
  return out.str();
}

// One signature's section; `full` = with excerpt and repro, else the short form.
std::string signature_section(const results::Signature& s, std::size_t n,
                              const results::Cell* first_cell, const MarkdownOptions& o,
                              bool full) {
  std::ostringstream out;
  out << signature_head(s, n);
  std::size_t k = 0;
  for (const auto& f : s.frames) {
    if (k >= o.max_frames) break;
    out << frame_line(f, ++k);
  }
  if (s.frames.size() > k)
    out << "\n<sub>" << s.frames.size() - k << " more frames in the excerpt</sub>\n";
  if (k > 0) out << "\n";
  if (first_cell) out << "First in " << code(first_cell->id, 400) << "\n";
  out << "\n";
  if (!full) return out.str();
  if (!s.excerpt.empty())
    out << details("Report excerpt", md_code_block(bounded_text(s.excerpt, o.excerpt)));
  if (first_cell && first_cell->repro) {
    Bounds b{20, 2'000, 4'000};
    out << details("Reproduce", md_code_block(bounded_text(*first_cell->repro, b), "sh"));
  }
  return out.str();
}

std::string values_text(const results::Values& values) {
  std::string text;
  for (const auto& [axis, value] : values) text += (text.empty() ? "" : " ") + axis + "=" + value;
  return code(text, 400);
}

// The searched axes' values only ("lib=6"): the fixed ones are in `base`.
std::string searched_values(const results::BisectAnswer& b, const results::Values& values) {
  if (!b.axes) return values_text(values);
  results::Values only;
  for (const auto& a : *b.axes)
    if (auto v = values.find(a); v != values.end()) only.insert(*v);
  return values_text(only.empty() ? values : only);
}

std::string bisect_title(const results::BisectAnswer& b) {
  const std::string status = b.status.value_or("");
  const bool fixed = b.direction == "fixed";
  if (b.minimal_pairs) return status == "found" ? "Minimal crashing pairs" : "2-D bisect";
  if (status == "found") return fixed ? "First fixed" : "First crashing";
  if (status == "range") return fixed ? "Fixed within a range" : "Crash appears within a range";
  if (status == "not-on-axis") return "Not on this axis";
  if (status == "noise") return "No culprit";
  if (status == "manifestation-changed") return "The manifestation changed";
  return "Bisect";
}

// Its steps as a table (at most 30 rows).
std::string bisect_steps(const results::BisectAnswer& b) {
  if (!b.steps || b.steps->empty()) return "";
  std::ostringstream out;
  out << "\n| step | cell | runs | crashes | verdict |\n|--:|---|--:|--:|---|\n";
  std::size_t n = 0;
  for (const auto& s : *b.steps) {
    if (++n > 30) break;
    out << "| " << n << " | " << searched_values(b, s.values) << " | " << s.runs << " | "
        << s.crashes << " | " << inline_text(s.verdict, 40) << " |\n";
  }
  if (b.steps->size() > 30)
    out << "\n<sub>" << b.steps->size() - 30 << " more steps in the results</sub>\n";
  return out.str();
}

// A compare link that is a plain https://github.com/… URL (no Markdown can ride in it).
bool plain_github_link(const std::string& url) {
  return url.rfind("https://github.com/", 0) == 0 && url.size() < 300 &&
         std::all_of(url.begin(), url.end(), [](char ch) {
           return std::isalnum(static_cast<unsigned char>(ch)) ||
                  (ch != '\0' && std::strchr("-._/:", ch));
         });
}

// "- commit `a01d03fb8b48` widget: … — Ada Lovelace \<ada@example.com\>, 2026-01-09T…"
// and "- compare: https://github.com/…" for an answer (or an interval's end) on git commits.
std::string bisect_commit_lines(const std::optional<results::BisectCommit>& commit,
                                const std::optional<std::string>& compare_url) {
  std::string out;
  if (const auto& c = commit)
    out += "- commit " + code(c->hash.substr(0, 12), 12) + " " + inline_text(c->subject, 200) +
           " — " + inline_text(c->author, 100) + ", " + inline_text(c->date, 40) + "\n";
  if (compare_url && plain_github_link(*compare_url)) out += "- compare: " + *compare_url + "\n";
  return out;
}

// One end of an interval: "- start: first crashing `lib=3`, last good `lib=2`", "- end: open
// (`lib` crashes to its newest version)" or "- start: not found (noise)"; then its commit.
std::string interval_end(const std::string& axis, const results::BisectInterval& i, bool start) {
  const results::BisectInterval::End e = start ? i.start() : i.end();
  std::string out = start ? "- start: " : "- end: ";
  if (e.first && e.last)
    out += std::string(e.first_words) + " " + code(axis + "=" + *e.first, 200) + ", " +
           e.last_words + " " + code(axis + "=" + *e.last, 200);
  else if (e.open)
    out += "open (" + code(axis, 100) + " crashes " + e.open_words + " version)";
  else if (e.outcome)
    out += "not found (" + inline_text(*e.outcome, 40) + ")";
  else
    return "";
  return out + "\n" + bisect_commit_lines(e.commit, e.compare_url);
}

// "- cost: 7 builds (12.5 s), 13 runs (9.8 s)": what the bisect spent probing.
std::string bisect_cost_line(const std::optional<results::BisectCosts>& costs) {
  if (!costs) return "";
  char text[128];
  std::snprintf(text, sizeof text, "- cost: %d build%s (%.1f s), %d run%s (%.1f s)\n",
                costs->builds, costs->builds == 1 ? "" : "s", costs->build_seconds, costs->runs,
                costs->runs == 1 ? "" : "s", costs->run_seconds);
  return text;
}

std::string bisect_one(const results::BisectAnswer& b) {
  std::ostringstream out;
  out << "**" << bisect_title(b) << "**";
  if (b.signature) out << " for " << code(*b.signature, 40);
  if (b.status) out << " (" << inline_text(*b.status, 40) << ")";
  if (!b.base.value_or("").empty()) out << " with " << code(*b.base, 300);
  out << "\n\n";
  if (b.summary) out << inline_text(*b.summary, 1'000) << "\n\n";
  for (const auto& [values, label] : {std::pair{&b.first_crashing, "first crashing"},
                                      {&b.last_passing, "last passing"},
                                      {&b.first_fixed, "first fixed"},
                                      {&b.last_crashing, "last crashing"}})
    if (*values && !b.interval)
      out << "- " << label << ": " << searched_values(b, **values) << "\n";
  if (b.interval) {
    const std::string axis = b.axes && !b.axes->empty() ? b.axes->front() : "";
    out << interval_end(axis, *b.interval, true) << interval_end(axis, *b.interval, false);
  } else {
    out << bisect_commit_lines(b.first_commit, b.compare_url);
  }
  out << bisect_cost_line(b.costs);
  std::size_t n = 0;
  for (const auto& p : b.minimal_pairs.value_or(std::vector<results::Values>{}))
    if (++n <= 30) out << "- minimal crashing pair: " << searched_values(b, p) << "\n";
  for (const auto& c : b.contradictions.value_or(std::vector<results::Contradiction>{}))
    out << "- contradiction: " << searched_values(b, c.crashing) << " crashed, "
        << searched_values(b, c.passing) << " passed\n";
  return out.str() + bisect_steps(b) + "\n";
}

std::string bisect_section(const Results& r) {
  if (!r.bisect) return "";
  std::string out = "## Bisect\n\n";
  for (const auto& b : *r.bisect) out += bisect_one(b);
  return out;
}

std::string attribution_section(const Results& r) {
  if (!r.attribution) return "";
  const results::AxisAttribution& a = *r.attribution;
  std::ostringstream out;
  out << "## Which axis\n\n";
  if (a.summary) out << "**" << inline_text(*a.summary, 1'000) << "**\n\n";
  if (a.axes) {
    out << "| axis | effect | evidence |\n|---|---|---|\n";
    for (const auto& x : *a.axes)
      out << "| " << inline_text(x.name, 60) << " | " << inline_text(x.effect, 40) << " | "
          << inline_text(x.detail, 400) << " |\n";
    out << "\n";
  }
  return out.str();
}

// The crash families lead the signatures: one line per bug, where it appears.
std::string families_section(const Results& r) {
  const std::string headline = families_headline(r);
  if (headline.empty()) return "";
  std::ostringstream out;
  out << "## Crash families\n\n**" << md_inline(clean_text(utf8_prefix(headline, 1'000)))
      << "**\n\n";
  std::size_t n = 0;
  for (const auto& f : r.families) {
    if (++n > 30) break;
    out << "- " << code(f.hash, 40) << ": " << inline_text(f.summary, 600);
    if (!f.attribution.value_or("").empty())
      out << "  \n  **Where:** " << inline_text(*f.attribution, 500);
    out << "\n";
  }
  if (r.families.size() > 30) out << "- … and " << r.families.size() - 30 << " more\n";
  return out.str() + "\n";
}

std::string build_errors(const Results& r) {
  std::ostringstream out;
  std::size_t n = 0;
  for (const auto& b : r.builds) {
    if (b.state != "failed") continue;
    if (n++ == 0) out << "## Build errors\n\n";
    if (n > 20) continue;
    out << "- " << code(b.id, 200) << ": " << inline_text(b.error.value_or(""), 400) << "\n";
  }
  if (n > 20) out << "- … and " << n - 20 << " more\n";
  return n ? out.str() + "\n" : "";
}

const results::Cell* first_cell_of(const Results& r, const results::Signature& s) {
  if (s.cells.empty()) return nullptr;
  for (const auto& c : r.cells)
    if (c.hash == s.cells[0]) return &c;
  return nullptr;
}

// The signatures, new ones first, each whole, or short, or left out, to fit `limit`.
std::string signatures_section(const Results& r, const MarkdownOptions& o, std::size_t used,
                               std::size_t limit, std::vector<std::string>& cuts) {
  std::string out;
  if (!r.signatures.empty()) out += "## Crash signatures\n\n";
  std::size_t shown = 0, shortened = 0;
  const std::vector<std::size_t> order = signatures_new_first(r);
  for (std::size_t n = 0; n < order.size(); ++n) {
    const results::Signature& s = r.signatures[order[n]];
    const results::Cell* first = first_cell_of(r, s);
    std::string part = signature_section(s, n + 1, first, o, true);
    if (used + out.size() + part.size() > limit) {
      part = signature_section(s, n + 1, first, o, false);
      ++shortened;
    }
    if (used + out.size() + part.size() > limit) break;
    out += part;
    ++shown;
  }
  if (shortened)
    cuts.push_back(std::to_string(shortened) + " signatures without their excerpt and repro");
  if (shown < r.signatures.size())
    cuts.push_back(std::to_string(r.signatures.size() - shown) + " of " +
                   std::to_string(r.signatures.size()) + " signatures");
  return out;
}

}  // namespace

std::string render_markdown(const Results& r, const MarkdownOptions& o) {
  std::vector<std::string> cuts;
  std::string out = "## faultline: " + inline_text(r.name, 200) + "\n\n";
  const char* mark = r.totals.crash > 0 ? "**✗ " : cells_not_run(r) > 0 ? "**⚠ " : "**✓ ";
  out += mark + md_inline(clean_text(one_line_verdict(r))) + "**\n\n";
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
  out += signatures_section(r, o, out.size(), limit, cuts);
  std::string errors = build_errors(r);
  if (out.size() + errors.size() <= limit)
    out += errors;
  else
    cuts.push_back("the build errors");
  if (!cuts.empty()) {
    out += "> [!NOTE]\n> Trimmed to fit a GitHub comment: left out ";
    for (std::size_t i = 0; i < cuts.size(); ++i) out += (i ? "; " : "") + md_inline(cuts[i]);
    out += ". The full report is in " + code(o.full_report, 300) + ".\n\n";
  }
  out += "<sub>faultline · " + inline_text(r.matrix_file, 200) + " · " +
         inline_text(r.finished_at, 40) + "</sub>\n";
  return out;
}

std::string render_markdown(const json& r, const MarkdownOptions& o) {
  return render_markdown(r.get<Results>(), o);
}

}  // namespace faultline::reporters
