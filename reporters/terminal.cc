#include "reporters/terminal.h"

#include <iomanip>
#include <map>
#include <sstream>

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

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// Counts of one grid square: the cells with these two versions, over every other axis.
struct Square {
  int cells = 0, crashing = 0, hung = 0, broken = 0;
};

std::string square_text(const Square& q) {
  if (q.cells == 0) return "-";
  if (q.broken == q.cells) return "build-err";
  if (q.crashing + q.hung == 0) return ".";
  return std::to_string(q.crashing + q.hung) + "/" + std::to_string(q.cells);
}

}  // namespace

std::string render_grid(const json& r, bool color) {
  std::vector<const json*> versions;
  for (const auto& a : r["axes"])
    if (a.value("kind", "") == "component" && a["values"].size() > 1) versions.push_back(&a);
  if (versions.size() < 2) return "";
  const json& rows = *versions[0];
  const json& cols = *versions[1];
  const std::string rname = rows.value("name", ""), cname = cols.value("name", "");
  std::map<std::pair<std::string, std::string>, Square> grid;
  for (const auto& c : r["cells"]) {
    if (!c["values"].contains(rname) || !c["values"].contains(cname)) continue;
    Square& q = grid[{c["values"][rname].get<std::string>(), c["values"][cname].get<std::string>()}];
    ++q.cells;
    const std::string v = c.value("verdict", "");
    q.crashing += v == "crash";
    q.hung += v == "hang";
    q.broken += v == "build-error";
  }
  std::size_t width = cname.size() + 2;
  for (const auto& [key, q] : grid) width = std::max(width, square_text(q).size() + 2);
  for (const auto& v : cols["values"]) width = std::max(width, v.get<std::string>().size() + 2);
  std::size_t first = rname.size() + 2;
  for (const auto& v : rows["values"]) first = std::max(first, v.get<std::string>().size() + 2);
  std::ostringstream out;
  out << pad("", first) << cname << "  (crashing cells / cells, over the other axes; . = none crashed)\n";
  out << pad(rname, first);
  for (const auto& v : cols["values"]) out << pad(v.get<std::string>(), width);
  out << "\n";
  for (const auto& rv : rows["values"]) {
    out << pad(rv.get<std::string>(), first);
    for (const auto& cv : cols["values"]) {
      const Square q = grid[{rv.get<std::string>(), cv.get<std::string>()}];
      const std::string text = square_text(q);
      const char* code = text == "." ? "32" : text == "-" ? "2" : text == "build-err" ? "33" : "31;1";
      out << paint(text, code, color) << std::string(width - text.size(), ' ');
    }
    out << "\n";
  }
  return out.str();
}

std::string one_line_verdict(const json& r) {
  const json& t = r["totals"];
  std::ostringstream out;
  const std::size_t cells = t.value("cells", 0), crash = t.value("crash", 0), sigs = t.value("signatures", 0);
  if (crash == 0) out << "no crash in " << cells << (cells == 1 ? " cell" : " cells");
  else out << sigs << (sigs == 1 ? " crash signature in " : " crash signatures in ") << crash << " of " << cells << " cells";
  out << " (" << t.value("runs", 0) << " runs";
  if (t.value("hang", 0)) out << ", " << t.value("hang", 0) << " hung";
  if (t.value("build_error", 0)) out << ", " << t.value("build_error", 0) << " build errors";
  if (t.value("skipped", 0)) out << ", " << t.value("skipped", 0) << " skipped";
  out << ")";
  if (r.value("interrupted", false)) out << " — interrupted, partial";
  return out.str();
}

std::string render_terminal(const json& r, const TerminalOptions& options) {
  std::ostringstream out;
  const json& cells = r["cells"];
  std::size_t shown = 0;
  for (const auto& c : cells) {
    if (shown++ >= options.max_cells) {
      out << "  … and " << cells.size() - options.max_cells << " more cells (all in results.json)\n";
      break;
    }
    const std::string verdict = c.value("verdict", "");
    out << "  " << paint(pad(verdict, 11), verdict_color(verdict), options.color) << " " << c.value("id", "");
    if (verdict == "build-error") out << "  — " << c["build_error"].value("error", "");
    else out << "  — " << c.value("summary", "");
    if (!c["signatures"].empty()) out << "  [" << c["signatures"][0].value("hash", "") << "]";
    out << "\n";
  }
  for (const auto& s : r["signatures"]) {
    // Its rate: the runs that showed it among all runs of the cells it appeared in.
    int cell_runs = 0;
    for (const auto& hash : s["cells"])
      for (const auto& c : cells)
        if (c.value("hash", "") == hash.get<std::string>()) cell_runs += c.value("runs", 0);
    out << "\n" << paint("crash " + s.value("hash", ""), "1", options.color) << "  " << s.value("tool", "") << " "
        << s.value("kind", "") << " — " << s["cells"].size() << (s["cells"].size() == 1 ? " cell, " : " cells, ")
        << s.value("runs", 0) << " of " << cell_runs << (cell_runs == 1 ? " run" : " runs") << " there\n";
    if (!s.value("summary", "").empty()) out << "  " << s.value("summary", "") << "\n";
    if (!s.value("attribution", "").empty()) out << "  where:    " << s.value("attribution", "") << "\n";
    std::size_t n = 0;
    for (const auto& f : s["frames"]) {
      if (n >= options.max_frames) break;
      std::string where = f.value("file", "");
      if (!where.empty() && f.value("line", 0) > 0) where += ":" + std::to_string(f.value("line", 0));
      if (where.empty()) where = f.value("module", "");
      out << "    #" << n++ << " " << f.value("function", "?") << (where.empty() ? "" : "  " + where) << "\n";
    }
    // The first affected cell, and how to reproduce it.
    const std::string first = s["cells"].empty() ? "" : s["cells"][0].get<std::string>();
    for (const auto& c : cells)
      if (c.value("hash", "") == first) {
        out << "  first in: " << c.value("id", "") << "\n";
        if (c.contains("repro")) out << "  repro:    " << c.value("repro", "") << "\n";
      }
  }
  if (std::string grid = render_grid(r, options.color); !grid.empty()) out << "\n" << grid;
  bool any_build_error = false;
  for (const auto& b : r["builds"])
    if (b.value("state", "") == "failed") {
      if (!any_build_error) out << "\n";
      any_build_error = true;
      out << paint("build failed", "33", options.color) << "  " << b.value("id", "") << ": " << b.value("error", "")
          << "\n  log: " << b.value("log", "") << "\n";
    }
  out << "\n" << one_line_verdict(r) << "\n";
  return out.str();
}

}  // namespace faultline::reporters
