#include "sanitizers/parser.h"

#include <string>

#include "sanitizers/frame.h"
#include "sanitizers/kinds.h"
#include "sanitizers/line_prefix.h"
#include "sanitizers/profile.h"
#include "sanitizers/report.h"
#include "sanitizers/scanner.h"

namespace faultline::sanitizers {

namespace {

// A follow-up report this close after another one is the same event told twice
// (glibc's message, then Go's SIGABRT trace; ASan's report, then the shell's
// "Aborted").
constexpr std::size_t k_followup_bytes = 4096;

struct Found {
  Crash crash;
  std::size_t begin = 0;
  std::size_t end = 0;
};

// The part of the first line's prefix that the report's next line carries too:
// "web-1  | tests/test_io.py ...." is a compose prefix, then pytest's progress
// glued to the report; only "web-1  | " comes back on the lines after.
std::string_view fit_prefix(std::string_view prefix, std::string_view next) {
  for (std::size_t end = prefix.size(); end > 0; --end) {
    if (end < prefix.size() && !may_end_prefix(prefix, end)) continue;
    if (LinePrefix(prefix.substr(0, end)).match(next)) return prefix.substr(0, end);
  }
  return prefix;
}

// Reads the report opened by the header at `begin`; returns where scanning resumes.
std::size_t read_report(std::string_view text, std::size_t begin, std::size_t after_header,
                        Header header, std::vector<Found>& out) {
  std::size_t unused = 0;
  std::string_view first = line_at(text, begin, &unused);
  std::string_view second = after_header < text.size() ? line_at(text, after_header, &unused) : "";
  LinePrefix prefix(fit_prefix(first.substr(0, header.prefix), second));
  ReportReader reader(std::move(header), first);
  std::size_t pos = after_header;
  bool cut = true;
  while (pos < text.size()) {
    std::size_t next = 0;
    std::string_view line = line_at(text, pos, &next);
    if (is_gap_line(line)) {
      pos = next;
      break;
    }
    if (auto n = prefix.empty() ? std::nullopt : prefix.match(line)) line.remove_prefix(*n);
    auto step = reader.feed(line);
    if (step == ReportReader::Step::done_before) {
      cut = false;
      break;
    }
    pos = next;
    if (step == ReportReader::Step::done) {
      cut = false;
      break;
    }
  }
  for (auto& crash : reader.finish(cut)) out.push_back({std::move(crash), begin, pos});
  return pos;
}

// The line before `begin`, or "" at the start.
std::string_view previous_line(std::string_view text, std::size_t begin) {
  if (begin == 0) return {};
  std::size_t end = begin - 1;  // the '\n' that ends it
  std::size_t nl = end == 0 ? std::string_view::npos : text.rfind('\n', end - 1);
  std::size_t start = nl == std::string_view::npos ? 0 : nl + 1;
  return text.substr(start, end - start);
}

// A weak headline ("panic: ", "Aborted") after a prefix counts only when a
// neighbour line carries the same prefix: then the prefix is a log tool's, not
// the words of a sentence that mentions a panic.
bool prefix_repeats(std::string_view text, std::size_t begin, std::size_t next,
                    std::string_view prefix) {
  LinePrefix shape(prefix);
  std::size_t unused = 0;
  std::string_view after = next < text.size() ? line_at(text, next, &unused) : std::string_view();
  return shape.match(previous_line(text, begin)).has_value() || shape.match(after).has_value();
}

bool is_abort_followup(const Crash& c) { return c.kind == "SIGABRT" || c.kind == "ABRT"; }

bool is_followup(const Crash& prev, const Crash& cur) {
  if (cur.tool == "signal" && prev.tool != "signal") return true;
  bool aborting = prev.tool == "glibc" || prev.tool == "c++" || prev.tool == "rust";
  return aborting && is_abort_followup(cur);
}

std::vector<Crash> merge_followups(std::vector<Found> found) {
  std::vector<Crash> out;
  std::size_t prev_end = 0;
  for (auto& f : found) {
    bool close = !out.empty() && f.begin >= prev_end && f.begin - prev_end <= k_followup_bytes;
    if (close && is_followup(out.back(), f.crash)) {
      if (out.back().frames.empty()) out.back().frames = std::move(f.crash.frames);
      out.back().excerpt += f.crash.excerpt;
    } else {
      out.push_back(std::move(f.crash));
    }
    prev_end = f.end;
  }
  return out;
}

std::optional<std::string> tool_for(int code, const ParseOptions& options) {
  if (!options.exit_codes) {
    auto tool = tool_for_exit_code(code);
    return tool ? std::optional<std::string>(*tool) : std::nullopt;
  }
  auto it = options.exit_codes->find(code);
  return it == options.exit_codes->end() ? std::nullopt : std::optional<std::string>(it->second);
}

std::optional<Crash> crash_from_status(const RunStatus& status, const ParseOptions& options) {
  Crash c;
  if (status.signal) {
    auto name = fatal_signal_name(*status.signal);
    if (!name) return std::nullopt;
    c.tool = "signal";
    c.kind = *name;
    c.summary = "killed by " + *name + " with no report in the output";
  } else if (status.exit_code) {
    int code = *status.exit_code;
    if (auto tool = tool_for(code, options)) {
      c.tool = *tool;
      c.kind = "report-not-found";
      c.summary =
          "exit code " + std::to_string(code) + " (" + c.tool + ") but no report in the output";
    } else if (auto name = code > 128 ? fatal_signal_name(code - 128) : std::nullopt) {
      c.tool = "signal";
      c.kind = *name;
      c.summary =
          "exit code " + std::to_string(code) + " (128+" + *name + ") with no report in the output";
    } else {
      return std::nullopt;
    }
  } else {
    return std::nullopt;
  }
  return c;
}

}  // namespace

void finalize(Crash& crash, const ParseOptions& options) {
  symbolize(crash, options.symbolizer);
  std::size_t top = first_meaningful(crash.frames, options.signature);
  for (std::size_t i = top; i < crash.frames.size(); ++i) {
    const Frame& f = crash.frames[i];
    if (f.file.empty() || f.line == 0) continue;
    crash.location = std::string(basename(f.file)) + ":" + std::to_string(f.line);
    break;
  }
  crash.signature = make_signature(crash, options.signature);
}

std::vector<Crash> parse_output(std::string_view text, const RunStatus& status,
                                const ParseOptions& options) {
  std::vector<Found> found;
  std::size_t pos = 0;
  while ((pos = find_anchor_line(text, pos)) < text.size()) {
    std::size_t next = 0;
    std::string_view line = line_at(text, pos, &next);
    auto header = locate_header(line);
    bool doubtful = header && header->prefix > 0 && !header->strong &&
                    !prefix_repeats(text, pos, next, line.substr(0, header->prefix));
    if (!header || header->format == Format::gap || doubtful) {
      pos = next;
      continue;
    }
    pos = read_report(text, pos, next, std::move(*header), found);
  }
  std::vector<Crash> crashes = merge_followups(std::move(found));
  if (crashes.empty() && options.use_exit_status) {
    if (auto c = crash_from_status(status, options)) crashes.push_back(std::move(*c));
  }
  for (auto& c : crashes) finalize(c, options);
  return crashes;
}

}  // namespace faultline::sanitizers
