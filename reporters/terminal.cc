#include "reporters/terminal.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>
#include <map>
#include <sstream>

#include "base/text.h"
#include "reporters/baseline.h"
#include "reporters/grid.h"
#include "reporters/text.h"

namespace faultline::reporters {

using nlohmann::json;
using results::Results;

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
std::string text_of(const std::string& value) { return terminal_text(value); }
std::string text_of(const std::optional<std::string>& value) {
  return terminal_text(value.value_or(""));
}

std::string pad(std::string s, std::size_t width) {
  if (s.size() < width) s.append(width - s.size(), ' ');
  return s;
}

// A grid square's text: crashing (or hung) cells of those two versions over all
// their cells, "." when none crashed, "-" when there are none.
std::string square_text(const std::vector<results::Cell>& cells, const GridCell& g) {
  if (g.cells.empty()) return "-";
  if (static_cast<std::size_t>(g.build_errors) == g.cells.size()) return "build-err";
  std::size_t failing = 0;
  for (std::size_t i : g.cells)
    failing += cells[i].verdict == "crash" || cells[i].verdict == "hang";
  if (failing == 0) return ".";
  return std::to_string(failing) + "/" + std::to_string(g.cells.size());
}

}  // namespace

std::string render_grid(const Results& r, bool color) {
  const std::optional<Grid> grid = make_grid(r);
  if (!grid || grid->column_axis.empty() || grid->rows.size() < 2 || grid->columns.size() < 2)
    return "";
  const auto& cells = r.cells;
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

std::string one_line_verdict(const Results& r) {
  const results::Totals& t = r.totals;
  std::ostringstream out;
  const std::size_t cells = t.cells, crash = t.crash, sigs = t.signatures;
  const std::size_t not_run = cells_not_run(r);
  if (crash == 0 && not_run > 0)
    out << "no crash in " << cells - not_run << " of " << cells << " cells";
  else if (crash == 0)
    out << "no crash in " << cells << (cells == 1 ? " cell" : " cells");
  else if (const std::size_t bugs = r.families.size(); bugs > 0 && bugs < sigs)
    out << bugs << (bugs == 1 ? " bug (" : " bugs (") << sigs << " crash signatures) in " << crash
        << " of " << cells << " cells";
  else
    out << sigs << (sigs == 1 ? " crash signature in " : " crash signatures in ") << crash << " of "
        << cells << " cells";
  out << " (" << t.runs << " runs";
  if (t.hang) out << ", " << t.hang << " hung";
  if (t.build_error)
    out << ", " << t.build_error << (t.build_error == 1 ? " build error" : " build errors");
  if (t.skipped) out << ", " << t.skipped << " skipped";
  out << ")";
  if (not_run > 0)
    out << "; " << not_run << (not_run == 1 ? " cell" : " cells")
        << " did not run, so the matrix is incomplete";
  if (r.interrupted) out << " — interrupted, partial";
  return out.str();
}

std::size_t cells_not_run(const Results& r) {
  return static_cast<std::size_t>(r.totals.build_error) +
         (r.interrupted ? 0 : static_cast<std::size_t>(r.totals.skipped));
}

bool did_not_run(const Results& r, const results::Cell& c) {
  return c.verdict == "build-error" || (c.verdict == "skipped" && !r.interrupted);
}

std::optional<std::string> not_run_reason(const results::Cell& c) {
  if (c.verdict == "build-error")
    return c.build_error ? c.build_error->error : std::string("its build failed");
  if (c.verdict == "skipped") return c.skipped_reason.value_or("no run happened");
  return std::nullopt;
}

std::string families_headline(const Results& r) {
  if (r.families.empty()) return "";
  const std::size_t bugs = r.families.size(), signatures = r.signatures.size();
  std::string line = std::to_string(bugs) + (bugs == 1 ? " bug, " : " bugs, ");
  if (bugs == 1) return line + r.families[0].summary;
  return line + std::to_string(signatures) +
         (signatures == 1 ? " manifestation" : " manifestations");
}

namespace {

// Each family in a line or two, with the axes that explain where it appears.
std::string render_families(const Results& r, bool color) {
  const std::string headline = families_headline(r);
  if (headline.empty()) return "";
  std::ostringstream out;
  out << "\n" << paint(terminal_text(headline), "1", color) << "\n";
  for (const auto& f : r.families) {
    const std::size_t cells = f.cells.size();
    out << "  bug " << terminal_text(f.hash) << ": " << terminal_text(f.summary) << " — " << cells
        << (cells == 1 ? " cell\n" : " cells\n");
    if (!f.attribution.value_or("").empty())
      out << "    where: " << terminal_text(*f.attribution) << "\n";
  }
  return out.str();
}

// "lib=6 bind=3": the searched axes' values of a bisect answer.
std::string searched(const results::BisectAnswer& b, const results::Values& values) {
  std::string text;
  for (const auto& a : b.axes.value_or(std::vector<std::string>{}))
    if (auto v = values.find(a); v != values.end())
      text += (text.empty() ? "" : " ") + terminal_text(a) + "=" + terminal_text(v->second);
  return text;
}

// "commit a01d03fb8b48 "subject" by Name <email> on DATE" and "compare: URL",
// each line after `indent`.
std::string commit_lines(const std::optional<results::BisectCommit>& commit,
                         const std::optional<std::string>& compare_url, const std::string& indent) {
  std::string out;
  if (const auto& c = commit)
    out += indent + "commit " + text_of(c->hash.substr(0, 12)) + " \"" + text_of(c->subject) +
           "\" by " + text_of(c->author) + " on " + text_of(c->date) + "\n";
  if (!text_of(compare_url).empty()) out += indent + "compare: " + text_of(compare_url) + "\n";
  return out;
}

// One end of an interval: "  start: first crashing lib=3, last good lib=2", "  start: open
// (lib crashes from its oldest version)" or "  end: not found (noise)"; then its commit.
std::string interval_end(const std::string& axis, const results::BisectInterval& i, bool start) {
  const results::BisectInterval::End e = start ? i.start() : i.end();
  std::string out = start ? "  start: " : "  end: ";
  if (e.first && e.last)
    out += std::string(e.first_words) + " " + axis + "=" + text_of(e.first) + ", " + e.last_words +
           " " + axis + "=" + text_of(e.last);
  else if (e.open)
    out += "open (" + axis + " crashes " + e.open_words + " version)";
  else if (e.outcome)
    out += "not found (" + text_of(e.outcome) + ")";
  else
    return "";
  return out + "\n" + commit_lines(e.commit, e.compare_url, "    ");
}

// "  cost: 7 builds (12.5 s), 13 runs (9.8 s)": what the bisect spent probing.
std::string cost_line(const std::optional<results::BisectCosts>& costs) {
  if (!costs) return "";
  char text[128];
  std::snprintf(text, sizeof text, "  cost: %d build%s (%.1f s), %d run%s (%.1f s)\n",
                costs->builds, costs->builds == 1 ? "" : "s", costs->build_seconds, costs->runs,
                costs->runs == 1 ? "" : "s", costs->run_seconds);
  return text;
}

// The searched axis of a 1-D answer ("" when the entry names none).
std::string axis_of(const results::BisectAnswer& b) {
  return b.axes && !b.axes->empty() ? text_of(b.axes->front()) : "";
}

}  // namespace

std::string render_bisect(const Results& r) {
  if (!r.bisect || r.bisect->empty()) return "";
  std::ostringstream out;
  out << "\n";
  for (const auto& b : *r.bisect) {
    out << "bisect " << join(b.axes.value_or(std::vector<std::string>{}), " × ")
        << (text_of(b.direction) == "fixed" ? " (fixed)" : "") << " for " << text_of(b.signature)
        << " with " << text_of(b.base) << ": " << text_of(b.status) << "\n";
    for (const auto& [label, values] : {std::pair{"first crashing", &b.first_crashing},
                                        {"last passing", &b.last_passing},
                                        {"first fixed", &b.first_fixed},
                                        {"last crashing", &b.last_crashing}})
      if (*values && !b.minimal_pairs && !b.interval)
        out << "  " << label << ": " << searched(b, **values) << "\n";
    for (const auto& p : b.minimal_pairs.value_or(std::vector<results::Values>{}))
      out << "  minimal pair: " << searched(b, p) << "\n";
    if (b.interval)
      out << interval_end(axis_of(b), *b.interval, true)
          << interval_end(axis_of(b), *b.interval, false);
    else
      out << commit_lines(b.first_commit, b.compare_url, "  ");
    if (!text_of(b.summary).empty()) out << "  " << text_of(b.summary) << "\n";
    out << cost_line(b.costs);
  }
  return out.str();
}

namespace {

// A signature's block: kind, rate where it appeared, frames, the first cell and its repro.
std::string signature_block(const Results& r, const results::Signature& s,
                            const TerminalOptions& options) {
  std::ostringstream out;
  // Its rate: the runs that showed it among all runs of the cells it appeared in.
  int cell_runs = 0;
  for (const auto& hash : s.cells)
    for (const auto& c : r.cells)
      if (text_of(c.hash) == hash) cell_runs += c.runs;
  out << "\n"
      << paint("crash " + text_of(s.hash), "1", options.color) << "  " << text_of(s.tool) << " "
      << text_of(s.kind) << " — " << s.cells.size()
      << (s.cells.size() == 1 ? " cell, " : " cells, ") << s.runs << " of " << cell_runs
      << (cell_runs == 1 ? " run" : " runs") << " there"
      << (s.baseline ? "  [" + text_of(s.baseline) + "]" : "") << "\n";
  if (!text_of(s.summary).empty()) out << "  " << text_of(s.summary) << "\n";
  if (!text_of(s.attribution).empty()) out << "  where:    " << text_of(s.attribution) << "\n";
  std::size_t n = 0;
  for (const auto& f : s.frames) {
    if (n >= options.max_frames) break;
    std::string where = text_of(f.file);
    if (!where.empty() && f.line > 0) where += ":" + std::to_string(f.line);
    if (where.empty()) where = text_of(f.module);
    out << "    #" << n++ << " " << text_of(f.function) << (where.empty() ? "" : "  " + where)
        << "\n";
  }
  // The first affected cell, and how to reproduce it.
  const std::string first = s.cells.empty() ? "" : s.cells[0];
  for (const auto& c : r.cells)
    if (text_of(c.hash) == first) {
      out << "  first in: " << text_of(c.id) << "\n";
      if (c.repro) out << "  repro:    " << text_of(c.repro) << "\n";
    }
  return out.str();
}

}  // namespace

std::string render_terminal(const Results& r, const TerminalOptions& options) {
  std::ostringstream out;
  std::size_t shown = 0;
  for (const auto& c : r.cells) {
    if (shown++ >= options.max_cells) {
      out << "  … and " << r.cells.size() - options.max_cells
          << " more cells (all in results.json)\n";
      break;
    }
    const std::string verdict = text_of(c.verdict);
    out << "  " << paint(pad(verdict, 11), verdict_color(verdict), options.color) << " "
        << text_of(c.id);
    if (const auto why = not_run_reason(c))
      out << "  — " << text_of(*why);
    else
      out << "  — " << text_of(c.summary);
    if (!c.signatures.empty()) out << "  [" << c.signatures[0].hash << "]";
    out << "\n";
  }
  out << render_families(r, options.color);
  for (const auto& s : r.signatures) out << signature_block(r, s, options);
  if (std::string grid = render_grid(r, options.color); !grid.empty()) out << "\n" << grid;
  out << render_bisect(r);
  bool any_build_error = false;
  for (const auto& b : r.builds)
    if (text_of(b.state) == "failed") {
      if (!any_build_error) out << "\n";
      any_build_error = true;
      out << paint("build failed", "33", options.color) << "  " << text_of(b.id) << ": "
          << text_of(b.error) << "\n  log: " << text_of(b.log) << "\n";
    }
  out << "\n" << one_line_verdict(r) << "\n";
  if (std::string line = baseline_line(r); !line.empty()) out << line << "\n";
  return out.str();
}

std::string render_terminal(const json& r, const TerminalOptions& options) {
  return render_terminal(r.get<Results>(), options);
}
std::string render_grid(const json& r, bool color) { return render_grid(r.get<Results>(), color); }
std::string one_line_verdict(const json& r) { return one_line_verdict(r.get<Results>()); }
std::string families_headline(const json& r) { return families_headline(r.get<Results>()); }
std::string render_bisect(const json& r) { return render_bisect(r.get<Results>()); }

}  // namespace faultline::reporters
