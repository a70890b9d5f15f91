#include "reporters/html.h"

#include <cstdio>
#include <map>
#include <sstream>

#include "reporters/grid.h"
#include "reporters/terminal.h"
#include "reporters/text.h"

namespace faultline::reporters {

using nlohmann::json;
using results::Results;

namespace {

constexpr const char* k_style = R"(
body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}
h1{font-size:1.4em}
table.grid{border-collapse:collapse}
table.grid th,table.grid td{border:1px solid #ccc;padding:4px 8px;text-align:center;white-space:nowrap}
table.grid td.cell{cursor:pointer;min-width:4em}
td.pass{background:#d4f4d4}
td.hang{background:#e2d4f4}
td.build-error{background:#f8e3a8}
td.skipped,td.none{background:#eee;color:#888}
td.selected{outline:3px solid #225;outline-offset:-3px}
td.step sup{color:#225;font-weight:bold;margin-left:2px}
#details pre{background:#f6f6f6;padding:8px;overflow:auto;max-height:30em}
.verdict{font-weight:bold}
)";

// The page's script: reads the embedded data and shows a cell's details with
// textContent only, so nothing from a workload is ever parsed as HTML.
constexpr const char* k_script = R"(
(function () {
  'use strict';
  var data = JSON.parse(document.getElementById('faultline-data').textContent);
  var details = document.getElementById('details');
  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }
  function show(td) {
    var old = document.querySelector('td.selected');
    if (old) old.classList.remove('selected');
    td.classList.add('selected');
    details.replaceChildren();
    var cells = data.grid[Number(td.dataset.g)] || [];
    details.appendChild(el('h2', td.title));
    cells.forEach(function (i) {
      var c = data.cells[i];
      var block = el('div'); block.className = 'cell-details';
      block.appendChild(el('h3', c.id));
      block.appendChild(el('p', c.verdict + ': ' + c.summary));
      c.signatures.forEach(function (s) {
        var sig = data.signatures[s.hash] || {text: s.hash, excerpt: ''};
        block.appendChild(el('h4', sig.text + ' (' + s.runs + ' of ' + c.runs + ' runs)'));
        if (sig.summary) block.appendChild(el('p', sig.summary));
        if (sig.excerpt) block.appendChild(el('pre', sig.excerpt));
      });
      if (c.repro) { block.appendChild(el('p', 'Reproduce:')); block.appendChild(el('pre', c.repro)); }
      details.appendChild(block);
    });
  }
  document.querySelectorAll('td.cell').forEach(function (td) {
    td.addEventListener('click', function () { show(td); history.replaceState(null, '', '#g=' + td.dataset.g); });
  });
  var m = /^#g=(\d+)$/.exec(location.hash);  // a link to one cell's details
  if (m) { var td = document.querySelector('td[data-g="' + m[1] + '"]'); if (td) show(td); }
})();
)";

// JSON that can sit inside a <script> element: no '<', '>' or '&' can end it.
std::string script_json(const json& j) {
  const std::string text = j.dump(-1, ' ', false, json::error_handler_t::replace);
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    if (c == '<')
      out += "\\u003c";
    else if (c == '>')
      out += "\\u003e";
    else if (c == '&')
      out += "\\u0026";
    else
      out += c;
  }
  return out;
}

std::string attr(const std::string& raw, std::size_t max_bytes = 500) {
  return xml_escape(clean_text(utf8_prefix(raw, max_bytes)));
}

// Red, darker with a higher crash rate.
std::string crash_colour(const GridCell& g) {
  const double rate = g.runs > 0 ? static_cast<double>(g.crashes) / g.runs : 1.0;
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "background:hsl(0,85%%,%d%%)",
                static_cast<int>(88 - 40 * rate));
  return buffer;
}

std::string hover(const Grid& grid, std::size_t r, std::size_t c) {
  const GridCell& g = grid.cell(r, c);
  std::string t = grid.row_axis + "=" + grid.rows[r];
  if (!grid.column_axis.empty()) t += " " + grid.column_axis + "=" + grid.columns[c];
  t += ": " + std::to_string(g.crashes) + " crashing of " + std::to_string(g.runs) + " runs in " +
       std::to_string(g.cells.size()) + (g.cells.size() == 1 ? " cell" : " cells");
  if (g.hangs) t += ", " + std::to_string(g.hangs) + " hung";
  if (g.build_errors) t += ", " + std::to_string(g.build_errors) + " build errors";
  return t;
}

// Bisect steps by grid position, numbered in the order they were tried.
std::map<std::pair<std::string, std::string>, int> bisect_steps(const Results& r,
                                                                const Grid& grid) {
  std::map<std::pair<std::string, std::string>, int> steps;
  // One search, or a list of them: the latest is numbered.
  if (!r.bisect || r.bisect->empty() || !r.bisect->back().steps) return steps;
  const auto value = [](const results::Values& v, const std::string& axis) {
    auto it = v.find(axis);
    return it == v.end() ? std::string() : it->second;
  };
  int n = 0;
  for (const auto& s : *r.bisect->back().steps) {
    ++n;
    const std::string column = grid.column_axis.empty() ? "" : value(s.values, grid.column_axis);
    steps.emplace(std::pair{value(s.values, grid.row_axis), column}, n);
  }
  return steps;
}

// The heat map table, and the grid cell → matrix cells index the script reads.
std::string heat_map(const Results& r, const Grid& grid, json& index) {
  const auto steps = bisect_steps(r, grid);
  std::ostringstream out;
  out << "<table class=\"grid\"><tr><th>" << attr(grid.row_axis)
      << (grid.column_axis.empty() ? "" : " \\ " + attr(grid.column_axis)) << "</th>";
  for (const auto& c : grid.columns)
    out << "<th>" << (grid.column_axis.empty() ? "result" : attr(c, 100)) << "</th>";
  out << "</tr>\n";
  for (std::size_t r_ = 0; r_ < grid.rows.size(); ++r_) {
    out << "<tr><th>" << attr(grid.rows[r_], 100) << "</th>";
    for (std::size_t c = 0; c < grid.columns.size(); ++c) {
      const GridCell& g = grid.cell(r_, c);
      const std::string verdict = g.verdict.empty() ? "none" : g.verdict;
      out << "<td class=\"cell " << verdict << "\" data-g=\"" << index.size() << "\" title=\""
          << attr(hover(grid, r_, c)) << "\""
          << (verdict == "crash" ? " style=\"" + crash_colour(g) + "\"" : "") << ">"
          << attr(grid_mark(g));
      auto step = steps.find({grid.rows[r_], grid.column_axis.empty() ? "" : grid.columns[c]});
      if (step != steps.end())
        out << "<sup title=\"bisect step " << step->second << "\">" << step->second << "</sup>";
      out << "</td>";
      index.push_back(g.cells);
    }
    out << "</tr>\n";
  }
  out << "</table>\n";
  return out.str();
}

// A grid of one column, one row per matrix cell, when there is no component axis.
Grid cell_list(const Results& r) {
  Grid grid;
  grid.row_axis = "cell";
  grid.columns.push_back("");
  for (std::size_t i = 0; i < r.cells.size(); ++i) {
    const results::Cell& c = r.cells[i];
    grid.rows.push_back(c.id);
    GridCell g;
    g.cells.push_back(i);
    g.runs = c.runs;
    g.crashes = c.crashes;
    g.hangs = c.hangs;
    g.verdict = c.verdict;
    grid.at.push_back(g);
  }
  return grid;
}

// What the page's script reads (its own keys, not results.json's).
json page_data(const Results& r, json grid_index) {
  json cells = json::array();
  for (const auto& c : r.cells)
    cells.push_back(
        {{"id", clean_text(utf8_prefix(c.id, 2'000))},
         {"verdict", c.verdict},
         {"summary", clean_text(utf8_prefix(not_run_reason(c).value_or(c.summary), 1'000))},
         {"runs", c.runs},
         {"signatures", c.signatures},
         {"repro", bounded_text(c.repro.value_or(""), {20, 2'000, 4'000})}});
  json sigs = json::object();
  for (const auto& s : r.signatures)
    sigs[s.hash] = {{"text", clean_text(utf8_prefix(s.text, 500))},
                    {"summary", clean_text(utf8_prefix(s.summary, 500))},
                    {"excerpt", bounded_text(s.excerpt, {80, 400, 8'000})}};
  return {{"cells", cells}, {"signatures", sigs}, {"grid", std::move(grid_index)}};
}

}  // namespace

namespace {

// The crash families, one item per bug: its manifestations and where it appears.
std::string families_list(const Results& r) {
  const std::string headline = families_headline(r);
  if (headline.empty()) return "";
  std::ostringstream out;
  out << "<section class=\"families\"><p><strong>" << attr(headline) << "</strong></p><ul>\n";
  for (const auto& f : r.families) {
    out << "<li><code>" << attr(f.hash) << "</code>: " << attr(f.summary);
    if (!f.attribution.value_or("").empty()) out << "<br>where: " << attr(*f.attribution);
    out << "</li>\n";
  }
  return out.str() + "</ul></section>\n";
}

// The cells that did not run and why (their build's error and last line), so a
// page never reads as passed when part of the matrix is missing.
std::string cells_not_run_list(const Results& r) {
  std::ostringstream out;
  std::size_t n = 0;
  for (const auto& c : r.cells) {
    if (!did_not_run(r, c)) continue;
    if (n++ == 0) out << "<section class=\"not-run\"><h2>Cells that did not run</h2><ul>\n";
    if (n > 100) continue;
    out << "<li>" << attr(c.id, 2'000) << " — " << attr(c.verdict) << ": "
        << attr(not_run_reason(c).value_or(""), 2'000) << "</li>\n";
  }
  if (n > 100) out << "<li>… and " << n - 100 << " more (all in results.json)</li>\n";
  return n ? out.str() + "</ul></section>\n" : "";
}

// The bisect answers, as the terminal report words them (interval ends, commits,
// costs), escaped; "" when there is none.
std::string bisect_answer(const Results& r) {
  const std::string text = render_bisect(r);
  if (text.empty()) return "";
  const std::size_t start = text.find_first_not_of('\n');
  return "<section class=\"bisect\"><h2>Bisect</h2><pre>" +
         xml_escape(clean_text(text.substr(start == std::string::npos ? 0 : start))) +
         "</pre></section>\n";
}

}  // namespace

std::string render_html(const Results& r) {
  auto grid = make_grid(r);
  if (!grid) grid = cell_list(r);
  json index = json::array();
  const std::string map = heat_map(r, *grid, index);
  const std::string title = "faultline: " + r.name;
  std::ostringstream out;
  out << "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
      << "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
         "'unsafe-inline'; "
         "script-src 'unsafe-inline'\">\n"
      << "<title>" << attr(title) << "</title><style>" << k_style << "</style></head>\n<body>\n"
      << "<h1>" << attr(title) << "</h1>\n<p class=\"verdict\">" << attr(one_line_verdict(r))
      << "</p>\n"
      << families_list(r) << cells_not_run_list(r) << map
      << "<p><small>Click a cell for its runs, signatures and report excerpts. Colour: green "
         "passed, red "
      << "crashed (darker: higher crash rate), purple hung, amber build error; numbers mark bisect "
         "steps.</small></p>\n"
      << bisect_answer(r) << "<section id=\"details\"></section>\n"
      << "<script type=\"application/json\" id=\"faultline-data\">"
      << script_json(page_data(r, index)) << "</script>\n<script>" << k_script
      << "</script>\n</body></html>\n";
  return out.str();
}

std::string render_html(const json& r) { return render_html(r.get<Results>()); }

}  // namespace faultline::reporters
