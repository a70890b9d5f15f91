#include "reporters/terminal.h"

#include <algorithm>
#include <iomanip>
#include <map>
#include <sstream>

#include "base/text.h"
#include "reporters/baseline.h"
#include "reporters/grid.h"
#include "reporters/text.h"

namespace faultline::reporters {

using nlohmann::json;

namespace {

std::string paint(const std::string& text, const char* code, bool color) {
  return color ? std::string("\033[") + code + "m" + text + "\033[0m" : text;
}

const char* verdict_color(const std::string& v) {
  if (v == "pass") return "32";
  if (v == "crash") return "31;1";
  if (v == "hang") return "35";
  if (v == "build-error") return "33";
  return "2";
}

// A string of the results as the terminal may show it (text.h: terminal_text).
std::string text_of(const json& object, const char* key, const char* fallback = "") {
  return terminal_text(object.value(key, fallback));
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// A grid square's text: crashing (or hung) cells of those two versions over all
// their cells, "." when none crashed, "-" when there are none.
std::string square_text(const json& cells, const GridCell& g) {
  if (g.cells.empty()) return "-";
  if (static_cast<std::size_t>(g.build_errors) == g.cells.size()) return "build-err";
  std::size_t failing = 0;
  for (std::size_t i : g.cells) {
    const std::string v = cells[i].value("verdict", "");
    failing += v == "crash" || v == "hang";
  }
  if (failing == 0) return ".";
  return std::to_string(failing) + "/" + std::to_string(g.cells.size());
}

}  // namespace

std::string render_grid(const json& r, bool color) {
  const std::optional<Grid> grid = make_grid(r);
  if (!grid || grid->column_axis.empty() || grid->rows.size() < 2 || grid->columns.size() < 2)
    return "";
  const json& cells = r["cells"];
  std::size_t width = grid->column_axis.size() + 2;
  for (const auto& g : grid->at) width = std::max(width, square_text(cells, g).size() + 2);
  for (const auto& v : grid->columns) width = std::max(width, v.size() + 2);
  std::size_t first = grid->row_axis.size() + 2;
  for (const auto& v : grid->rows) first = std::max(first, v.size() + 2);
  std::ostringstream out;
  out << pad("", first) << terminal_text(grid->column_axis)
      << "  (crashing cells / cells, over the other axes; . = none crashed)\n";
  out << pad(terminal_text(grid->row_axis), first);
  for (const auto& v : grid->columns) out << pad(terminal_text(v), width);
  out << "\n";
  for (std::size_t row = 0; row < grid->rows.size(); ++row) {
    out << pad(terminal_text(grid->rows[row]), first);
    for (std::size_t col = 0; col < grid->columns.size(); ++col) {
      const std::string text = square_text(cells, grid->cell(row, col));
      const char* code = text == "."           ? "32"
                         : text == "-"         ? "2"
                         : text == "build-err" ? "33"
                                               : "31;1";
      out << paint(text, code, color) << std::string(width - text.size(), ' ');
    }
    out << "\n";
  }
  return out.str();
}

std::string one_line_verdict(const json& r) {
  const json& t = r["totals"];
  std::ostringstream out;
  const std::size_t cells = t.value("cells", 0), crash = t.value("crash", 0),
                    sigs = t.value("signatures", 0);
  if (crash == 0)
    out << "no crash in " << cells << (cells == 1 ? " cell" : " cells");
  else if (const std::size_t bugs = r.value("families", json::array()).size();
           bugs > 0 && bugs < sigs)
    out << bugs << (bugs == 1 ? " bug (" : " bugs (") << sigs << " crash signatures) in " << crash
        << " of " << cells << " cells";
  else
    out << sigs << (sigs == 1 ? " crash signature in " : " crash signatures in ") << crash << " of "
        << cells << " cells";
  out << " (" << t.value("runs", 0) << " runs";
  if (t.value("hang", 0)) out << ", " << t.value("hang", 0) << " hung";
  if (t.value("build_error", 0)) out << ", " << t.value("build_error", 0) << " build errors";
  if (t.value("skipped", 0)) out << ", " << t.value("skipped", 0) << " skipped";
  out << ")";
  if (r.value("interrupted", false)) out << " — interrupted, partial";
  return out.str();
}

std::string families_headline(const json& r) {
  if (!r.contains("families") || !r["families"].is_array() || r["families"].empty()) return "";
  const std::size_t bugs = r["families"].size(), signatures = r["signatures"].size();
  std::string line = std::to_string(bugs) + (bugs == 1 ? " bug, " : " bugs, ");
  if (bugs == 1) return line + r["families"][0].value("summary", "");
  return line + std::to_string(signatures) +
         (signatures == 1 ? " manifestation" : " manifestations");
}

namespace {

// Each family in a line or two, with the axes that explain where it appears.
std::string render_families(const json& r, bool color) {
  const std::string headline = families_headline(r);
  if (headline.empty()) return "";
  std::ostringstream out;
  out << "\n" << paint(terminal_text(headline), "1", color) << "\n";
  for (const auto& f : r["families"]) {
    const std::size_t cells = f.value("cells", json::array()).size();
    out << "  bug " << text_of(f, "hash") << ": " << text_of(f, "summary") << " — " << cells
        << (cells == 1 ? " cell\n" : " cells\n");
    if (!f.value("attribution", "").empty())
      out << "    where: " << text_of(f, "attribution") << "\n";
  }
  return out.str();
}

// "lib=6 bind=3": the searched axes' values of a bisect answer.
std::string searched(const json& b, const json& values) {
  std::string text;
  if (!values.is_object()) return text;
  for (const auto& a : b.value("axes", json::array()))
    if (a.is_string() && values.contains(a.get<std::string>()) &&
        values[a.get<std::string>()].is_string())
      text += (text.empty() ? "" : " ") + terminal_text(a.get<std::string>()) + "=" +
              terminal_text(values[a.get<std::string>()].get<std::string>());
  return text;
}

}  // namespace

std::string render_bisect(const json& r) {
  if (!r.contains("bisect") || !r["bisect"].is_array() || r["bisect"].empty()) return "";
  std::ostringstream out;
  out << "\n";
  for (const auto& b : r["bisect"]) {
    if (!b.is_object()) continue;
    std::vector<std::string> axes;
    for (const auto& a : b.value("axes", json::array()))
      if (a.is_string()) axes.push_back(a.get<std::string>());
    out << "bisect " << join(axes, " × ") << (text_of(b, "direction") == "fixed" ? " (fixed)" : "")
        << " for " << text_of(b, "signature") << " with " << text_of(b, "base") << ": "
        << text_of(b, "status") << "\n";
    for (const char* key : {"first_crashing", "last_passing", "first_fixed", "last_crashing"})
      if (b.contains(key) && !b.contains("minimal_pairs")) {
        std::string label = key;
        std::replace(label.begin(), label.end(), '_', ' ');
        out << "  " << label << ": " << searched(b, b[key]) << "\n";
      }
    for (const auto& p : b.value("minimal_pairs", json::array()))
      out << "  minimal pair: " << searched(b, p) << "\n";
    if (!text_of(b, "summary").empty()) out << "  " << text_of(b, "summary") << "\n";
  }
  return out.str();
}

std::string render_terminal(const json& r, const TerminalOptions& options) {
  std::ostringstream out;
  const json& cells = r["cells"];
  std::size_t shown = 0;
  for (const auto& c : cells) {
    if (shown++ >= options.max_cells) {
      out << "  … and " << cells.size() - options.max_cells
          << " more cells (all in results.json)\n";
      break;
    }
    const std::string verdict = text_of(c, "verdict");
    out << "  " << paint(pad(verdict, 11), verdict_color(verdict), options.color) << " "
        << text_of(c, "id");
    if (verdict == "build-error")
      out << "  — " << text_of(c["build_error"], "error");
    else if (c.contains("skipped_reason"))
      out << "  — " << text_of(c, "skipped_reason");
    else
      out << "  — " << text_of(c, "summary");
    if (!c["signatures"].empty()) out << "  [" << c["signatures"][0].value("hash", "") << "]";
    out << "\n";
  }
  out << render_families(r, options.color);
  for (const auto& s : r["signatures"]) {
    // Its rate: the runs that showed it among all runs of the cells it appeared in.
    int cell_runs = 0;
    for (const auto& hash : s["cells"])
      for (const auto& c : cells)
        if (text_of(c, "hash") == hash.get<std::string>()) cell_runs += c.value("runs", 0);
    out << "\n"
        << paint("crash " + text_of(s, "hash"), "1", options.color) << "  " << text_of(s, "tool")
        << " " << text_of(s, "kind") << " — " << s["cells"].size()
        << (s["cells"].size() == 1 ? " cell, " : " cells, ") << s.value("runs", 0) << " of "
        << cell_runs << (cell_runs == 1 ? " run" : " runs") << " there"
        << (s.contains("baseline") ? "  [" + text_of(s, "baseline") + "]" : "") << "\n";
    if (!text_of(s, "summary").empty()) out << "  " << text_of(s, "summary") << "\n";
    if (!text_of(s, "attribution").empty())
      out << "  where:    " << text_of(s, "attribution") << "\n";
    std::size_t n = 0;
    for (const auto& f : s["frames"]) {
      if (n >= options.max_frames) break;
      std::string where = text_of(f, "file");
      if (!where.empty() && f.value("line", 0) > 0)
        where += ":" + std::to_string(f.value("line", 0));
      if (where.empty()) where = text_of(f, "module");
      out << "    #" << n++ << " " << text_of(f, "function", "?")
          << (where.empty() ? "" : "  " + where) << "\n";
    }
    // The first affected cell, and how to reproduce it.
    const std::string first = s["cells"].empty() ? "" : s["cells"][0].get<std::string>();
    for (const auto& c : cells)
      if (text_of(c, "hash") == first) {
        out << "  first in: " << text_of(c, "id") << "\n";
        if (c.contains("repro")) out << "  repro:    " << text_of(c, "repro") << "\n";
      }
  }
  if (std::string grid = render_grid(r, options.color); !grid.empty()) out << "\n" << grid;
  out << render_bisect(r);
  bool any_build_error = false;
  for (const auto& b : r["builds"])
    if (text_of(b, "state") == "failed") {
      if (!any_build_error) out << "\n";
      any_build_error = true;
      out << paint("build failed", "33", options.color) << "  " << text_of(b, "id") << ": "
          << text_of(b, "error") << "\n  log: " << text_of(b, "log") << "\n";
    }
  out << "\n" << one_line_verdict(r) << "\n";
  if (std::string line = baseline_line(r); !line.empty()) out << line << "\n";
  return out.str();
}

}  // namespace faultline::reporters
