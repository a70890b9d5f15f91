#include "sanitizers/report.h"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdlib>
#include <utility>

#include "base/text.h"
#include "sanitizers/frame.h"
#include "sanitizers/kinds.h"
#include "sanitizers/runtime_reports.h"

namespace faultline::sanitizers {

namespace {

constexpr std::size_t k_max_frames = 64;
constexpr std::size_t k_max_excerpt_lines = 120;
constexpr int k_idle_limit = 64;
constexpr int k_ubsan_idle_limit = 8;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }
bool ends_with(std::string_view s, std::string_view p) {
  return s.size() >= p.size() && s.substr(s.size() - p.size()) == p;
}
bool contains(std::string_view s, std::string_view p) {
  return s.find(p) != std::string_view::npos;
}

Header make_header(Format format, std::string tool, std::string kind, std::string_view summary) {
  Header h;
  h.format = format;
  h.crash.tool = std::move(tool);
  h.crash.kind = std::move(kind);
  h.crash.summary = std::string(summary);
  return h;
}

// "Address" in "...ERROR: AddressSanitizer: ...": the letters before "Sanitizer".
std::string_view sanitizer_name_before(std::string_view s, std::size_t pos) {
  std::size_t begin = pos;
  while (begin > 0 && std::isalpha(static_cast<unsigned char>(s[begin - 1]))) --begin;
  return s.substr(begin, pos - begin);
}

// Where the report starts in `before`, the text before "ERROR: "/"SUMMARY: ":
// at its "==1234==", else where it ends ("api-1  | ==17==ERROR: …" → 8).
std::size_t report_start(std::string_view before) {
  if (ends_with(before, "==")) {
    std::size_t open = before.rfind("==", before.size() - 3);
    if (open != std::string_view::npos) return open;
  }
  return before.size();
}

std::optional<Header> classify_sanitizer(std::string_view s) {
  std::size_t pos = s.find("Sanitizer: ");
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view name = sanitizer_name_before(s, pos);
  auto tool = tool_for_sanitizer(name);
  if (!tool) return std::nullopt;
  std::size_t name_at = pos - name.size();
  std::string_view rest = s.substr(pos + 11);
  std::string_view before = s.substr(0, name_at);
  std::optional<Header> h;
  if (ends_with(before, "SUMMARY: ")) {
    bool leak = contains(rest, " leaked in ");
    h = make_header(Format::summary, leak ? "lsan" : std::string(*tool),
                    leak ? "memory-leak" : sanitizer_kind(rest), s.substr(before.size() - 9));
    if (*tool == "ubsan")
      h->crash.kind = ubsan_kind_for_error_type(h->crash.kind).value_or("undefined");
    before.remove_suffix(9);
  } else if (ends_with(before, "ERROR: ") || ends_with(before, "WARNING: ")) {
    bool leaks = starts_with(rest, "detected memory leaks");
    h = make_header(leaks ? Format::leaks : Format::sanitizer, leaks ? "lsan" : std::string(*tool),
                    leaks ? "memory-leak" : sanitizer_kind(rest), s.substr(name_at));
    before.remove_suffix(ends_with(before, "ERROR: ") ? 7 : 9);
  } else {
    return std::nullopt;
  }
  h->strong = true;
  h->prefix = report_start(before);
  return h;
}

std::optional<Header> classify_ubsan(std::string_view s) {
  std::size_t pos = s.find(": runtime error: ");
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view where = s.substr(0, pos);
  std::size_t colon = where.rfind(':');
  if (colon == std::string_view::npos || colon + 1 == where.size() ||
      where.find_first_not_of("0123456789", colon + 1) != std::string_view::npos)
    return std::nullopt;
  auto fl = split_file_line(where.substr(0, colon));  // drop the column
  if (!fl) return std::nullopt;
  std::size_t space = where.rfind(' ');
  std::size_t start = space == std::string_view::npos ? 0 : space + 1;
  Header h = make_header(Format::ubsan, "ubsan", ubsan_kind(s.substr(pos + 17)), s.substr(start));
  h.crash.location = std::string(basename(fl->file)) + ":" + std::to_string(fl->line);
  h.strong = true;
  h.prefix = start;
  return h;
}

bool is_signal_word(std::string_view s) {
  std::size_t i = 3;
  while (i < s.size() && std::isupper(static_cast<unsigned char>(s[i]))) ++i;
  return starts_with(s, "SIG") && i > 3 && s.substr(i, 2) == ": ";
}

std::optional<Header> classify_go(std::string_view s) {
  if (starts_with(s, "panic: "))
    return make_header(Format::go, "go", go_panic_kind(s.substr(7)), s);
  if (starts_with(s, "fatal error: "))
    return make_header(Format::go, "go", slug_without_parentheses(s.substr(13)), s);
  if (starts_with(s, "WARNING: DATA RACE")) {
    Header h = make_header(Format::go_race, "go", "data-race", s);
    h.strong = true;
    return h;
  }
  if (is_signal_word(s))
    return make_header(Format::go, "go", std::string(s.substr(0, s.find(':'))), s);
  return std::nullopt;
}

std::optional<Header> classify_rust(std::string_view s) {
  if (!starts_with(s, "thread '")) return std::nullopt;
  // "thread 'main' panicked at", or since Rust 1.91 "thread 'main' (1234) panicked at".
  std::size_t pos = s.find(" panicked at ");
  if (pos == std::string_view::npos) return std::nullopt;
  std::string_view at = s.substr(pos + 13);
  if (starts_with(at, "'")) {  // old format: 'message', src/main.rs:4:5
    std::size_t comma = at.rfind("', ");
    at = comma == std::string_view::npos ? std::string_view() : at.substr(comma + 3);
  }
  if (ends_with(at, ":")) at.remove_suffix(1);
  Header h = make_header(Format::rust, "rust", "panic", s);
  h.strong = true;
  if (auto colon = at.rfind(':'); colon != std::string_view::npos) {
    if (auto fl = split_file_line(at.substr(0, colon)))
      h.crash.location = std::string(basename(fl->file)) + ":" + std::to_string(fl->line);
  }
  return h;
}

// "panic(main thread): Segmentation fault at address 0x8"; older Bun printed
// "panic: Segmentation fault at address 0x38", which is not Go's "panic: ".
std::optional<Header> classify_bun(std::string_view s) {
  std::string_view message;
  if (starts_with(s, "panic(")) {
    std::size_t pos = s.find("): ");
    if (pos == std::string_view::npos) return std::nullopt;
    message = s.substr(pos + 3);
  } else if (starts_with(s, "panic: ") && contains(s, " at address 0x") &&
             !signal_kind_for_description(s.substr(7)).empty()) {
    message = s.substr(7);
  } else {
    return std::nullopt;
  }
  Header h = make_header(Format::one_line, "bun", signal_kind_for_description(message), s);
  if (h.crash.kind.empty()) {
    h.crash.kind = "panic";
    h.crash.detail = std::string(message);
  }
  return h;
}

std::optional<Header> classify_terminate(std::string_view s) {
  if (!starts_with(s, "terminate called ")) return std::nullopt;
  std::string_view rest = s.substr(17);
  Header h = make_header(Format::terminate, "c++", "terminate", s);
  if (starts_with(rest, "after throwing an instance of '")) {
    h.crash.kind = "uncaught-exception";
    std::string_view type = rest.substr(31);
    h.crash.detail = std::string(type.substr(0, type.find('\'')));
  } else if (starts_with(rest, "recursively")) {
    h.crash.kind = "terminate-recursive";
  }
  return h;
}

std::optional<Header> classify_glibc(std::string_view s) {
  if (starts_with(s, "*** stack smashing detected ***"))
    return make_header(Format::one_line, "glibc", "stack-smashing", s);
  if (starts_with(s, "*** buffer overflow detected ***"))
    return make_header(Format::one_line, "glibc", "fortify-buffer-overflow", s);
  std::string_view message = s;
  if (starts_with(s, "*** Error in `")) {  // glibc < 2.26: *** Error in `./a': msg: 0x… ***
    std::size_t pos = s.find("': ");
    if (pos == std::string_view::npos) return std::nullopt;
    message = s.substr(pos + 3);
    message = message.substr(0, message.rfind(": 0x"));
  }
  auto kind = glibc_kind(message);
  if (!kind) return std::nullopt;
  Header h = make_header(Format::one_line, "glibc", *kind, s);
  h.crash.detail = std::string(trim(message));
  return h;
}

std::optional<Header> classify_gdb(std::string_view s) {
  std::size_t pos = s.find("received signal SIG");
  if (pos == std::string_view::npos || !(starts_with(s, "Program ") || starts_with(s, "Thread ")))
    return std::nullopt;
  std::string_view sig = s.substr(pos + 16);
  sig = sig.substr(0, sig.find_first_of(", "));
  return make_header(Format::gdb, "signal", std::string(sig), s);
}

std::optional<Header> classify_shell_signal(std::string_view s) {
  auto found = find_signal_description(s);
  if (!found) return std::nullopt;
  auto [pos, kind] = *found;
  std::string_view after = trim(s.substr(pos));
  std::string_view before = trim(s.substr(0, pos));
  bool alone = before.empty();
  bool bash_job = !before.empty() && std::isdigit(static_cast<unsigned char>(before.back())) &&
                  contains(before, "line ");
  bool core = ends_with(after, "(core dumped)") || contains(after, "(core dumped) ");
  if (!alone && !bash_job) return std::nullopt;
  if (alone && !core && after.size() > 30) return std::nullopt;
  return make_header(Format::one_line, "signal", kind, s);
}

}  // namespace

bool is_gap_line(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  return starts_with(s, "[... ") && ends_with(s, " bytes omitted ...]");
}

std::optional<Header> classify_line(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (s.empty()) return std::nullopt;
  if (is_gap_line(s)) return make_header(Format::gap, "", "", s);
  for (auto classify : {classify_sanitizer, classify_ubsan, classify_bun, classify_go,
                        classify_rust, classify_terminate, classify_python, classify_node,
                        classify_jvm, classify_valgrind, classify_assert, classify_ubsan_minimal,
                        classify_glibc, classify_gdb, classify_shell_signal}) {
    if (auto h = classify(s)) {
      if (h->prefix > 0) h->prefix += static_cast<std::size_t>(s.data() - line.data());
      return h;
    }
  }
  return std::nullopt;
}

bool may_end_prefix(std::string_view line, std::size_t p) {
  char before = line[p - 1], at = line[p];
  if (at == ' ' || at == '\t') return false;
  return before == ' ' || before == '\t' || before == '.' || before == '|' || before == ']' ||
         before == '>';
}

std::optional<Header> locate_header(std::string_view line) {
  if (auto h = classify_line(line)) return h;
  // Headlines are short: a 10 MB line of minified JSON that mentions "SIG" is
  // tried at most 160 times over its first 4 KiB, not 160 times over 10 MB.
  line = line.substr(0, 4096);
  std::size_t limit = std::min(line.size(), k_max_prefix);
  for (std::size_t p = 1; p < limit; ++p) {
    if (!may_end_prefix(line, p)) continue;
    if (auto h = classify_line(line.substr(p))) {
      if (h->format == Format::gap) return std::nullopt;
      h->prefix += p;
      return h;
    }
  }
  return std::nullopt;
}

ReportReader::ReportReader(Header header, std::string_view line) : m_format(header.format) {
  m_crashes.push_back(std::move(header.crash));
  add_excerpt(line);
  if (m_format == Format::one_line || m_format == Format::summary) m_ended_naturally = true;
}

void ReportReader::add_excerpt(std::string_view line) {
  if (m_excerpt_lines >= k_max_excerpt_lines || m_crashes.empty()) return;
  ++m_excerpt_lines;
  std::string& e = m_crashes.front().excerpt;
  e.append(line.substr(0, 400));
  e += '\n';
}

ReportReader::Step ReportReader::feed(std::string_view line) {
  Step step = Step::done_before;
  switch (m_format) {
    case Format::sanitizer:
    case Format::leaks:
    case Format::ubsan:
    case Format::gdb:
      step = feed_sanitizer(line);
      break;
    case Format::go:
      step = feed_go(line);
      break;
    case Format::go_race:
      step = feed_go_race(line);
      break;
    case Format::rust:
      step = feed_rust(line);
      break;
    case Format::terminate:
      step = feed_terminate(line);
      break;
    case Format::python:
      step = feed_python(line);
      break;
    case Format::node:
      step = feed_node(line);
      break;
    case Format::jvm:
      step = feed_jvm(line);
      break;
    case Format::valgrind:
      step = feed_valgrind(line);
      break;
    default:
      break;
  }
  if (step != Step::done_before) add_excerpt(line);
  return step;
}

bool ReportReader::take_hash_frame(std::string_view line) {
  auto frame = parse_hash_frame(line);
  if (!frame) return false;
  std::string_view s = strip_line_prefix(line);
  if (s.size() > 2 && s[1] == '0' && s[2] == ' ') {
    ++m_stack;
    if (m_stack == 2 && !m_want_other) m_stack = 3;
  }
  std::vector<Frame>* target = nullptr;
  if (m_stack == 1)
    target = &current().frames;
  else if (m_stack == 2)
    target = &current().other_frames;
  if (target && target->size() < k_max_frames) target->push_back(std::move(*frame));
  m_idle = 0;
  return true;
}

bool is_open_ubsan_kind(std::string_view kind) {
  return kind == "integer-divide-by-zero" || kind == "implicit-conversion" || kind == "undefined";
}

bool ReportReader::take_summary(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (!starts_with(s, "SUMMARY: ") || !contains(s, "Sanitizer: ")) return false;
  // LSan's summary totals all leaks; UBSan's says less than its headline, but
  // with report_error_type=1 it settles what the message leaves open (float vs
  // integer division, which implicit conversion). Elsewhere the message wins:
  // clang's runtime calls a bad bool load "invalid-enum-load", gcc's "invalid-bool-load".
  if (m_format == Format::ubsan && is_open_ubsan_kind(current().kind)) {
    std::string_view type = s.substr(s.find("Sanitizer: ") + 11);
    if (auto kind = ubsan_kind_for_error_type(type.substr(0, type.find(' '))))
      current().kind = *kind;
  }
  if (m_format != Format::leaks && m_format != Format::ubsan) current().summary = std::string(s);
  m_ended_naturally = true;
  return true;
}

// "READ of size 1 at …" (ASan), "  Write of size 4 at …" (TSan), "Previous read …".
void ReportReader::take_access(std::string_view s) {
  if (starts_with(s, "Previous ")) {
    m_want_other = true;
    return;
  }
  std::size_t of = s.find(" of size ");
  if (of == std::string_view::npos && !starts_with(s, "The signal is caused by a ")) return;
  bool write = contains(s.substr(0, of == std::string_view::npos ? s.size() : of), "WRITE") ||
               contains(s.substr(0, of == std::string_view::npos ? s.size() : of), "rite");
  bool read = contains(s, "READ") || starts_with(s, "Read") || starts_with(s, "Atomic read");
  if ((!write && !read) || current().access) return;
  std::uint64_t size =
      of == std::string_view::npos ? 0 : std::strtoull(s.data() + of + 9, nullptr, 10);
  current().access = Access{write ? AccessKind::write : AccessKind::read, size};
}

ReportReader::Step ReportReader::feed_sanitizer(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (take_summary(s)) return Step::done;
  if (take_hash_frame(s)) return Step::more;
  if (m_format == Format::leaks &&
      (starts_with(s, "Direct leak of") || starts_with(s, "Indirect leak of"))) {
    if (!current().summary.starts_with("LeakSanitizer")) m_crashes.push_back({});
    Crash& c = current();
    c.tool = "lsan";
    c.kind = starts_with(s, "Direct") ? "memory-leak" : "indirect-memory-leak";
    c.summary = std::string(s);
    m_stack = 0;
    m_idle = 0;
    return Step::more;
  }
  take_access(s);
  if (!s.empty() && classify_line(s)) return Step::done_before;
  int limit = m_format == Format::ubsan ? k_ubsan_idle_limit : k_idle_limit;
  return ++m_idle > limit ? Step::done_before : Step::more;
}

ReportReader::Step ReportReader::feed_go(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  auto& frames = current().frames;
  if (s.empty()) {
    if (m_in_goroutine && !frames.empty()) {
      m_ended_naturally = true;
      return Step::done;
    }
    return ++m_idle > k_idle_limit ? Step::done_before : Step::more;
  }
  m_idle = 0;
  if (starts_with(s, "goroutine ") && ends_with(s, ":")) {
    if (m_in_goroutine) return Step::done_before;
    m_in_goroutine = true;
    return Step::more;
  }
  if (s == "signal arrived during cgo execution" || starts_with(s, "[signal ")) {
    current().summary += " | " + std::string(s);
    return Step::more;
  }
  if (starts_with(s, "created by ")) {
    m_skip_file_line = true;
    return Step::more;
  }
  Frame file_only;
  if (parse_go_file_line(line, file_only)) {
    if (!m_skip_file_line && !frames.empty() && frames.back().file.empty()) {
      frames.back().file = file_only.file;
      frames.back().line = file_only.line;
    }
    m_skip_file_line = false;
    return Step::more;
  }
  if (auto frame = parse_go_function_line(line)) {
    if (frames.size() < k_max_frames) frames.push_back(std::move(*frame));
    return Step::more;
  }
  if (starts_with(s, "exit status ")) return Step::done;
  if (classify_line(s)) return Step::done_before;
  return Step::more;
}

ReportReader::Step ReportReader::feed_go_race(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (starts_with(s, "==================")) {
    m_ended_naturally = true;
    return current().frames.empty() ? Step::more : Step::done;
  }
  if (starts_with(s, "Previous ")) {
    m_stack = 2;
    return Step::more;
  }
  bool access_line =
      (contains(s, " at 0x") && contains(s, " by ")) ||
      ((starts_with(s, "Read by ") || starts_with(s, "Write by ") || starts_with(s, "Atomic ")) &&
       ends_with(s, ":"));
  if (access_line) {
    m_stack = 1;
    bool write = starts_with(s, "Write") || starts_with(s, "Atomic write");
    if (!current().access)
      current().access = Access{write ? AccessKind::write : AccessKind::read, 0};
    return Step::more;
  }
  if (starts_with(s, "Goroutine ") || starts_with(s, "Location is")) {
    m_stack = 3;
    return Step::more;
  }
  std::vector<Frame>* target = m_stack == 1   ? &current().frames
                               : m_stack == 2 ? &current().other_frames
                                              : nullptr;
  Frame file_only;
  if (parse_go_file_line(line, file_only)) {
    if (target && !target->empty() && target->back().file.empty()) {
      target->back().file = file_only.file;
      target->back().line = file_only.line;
    }
    return Step::more;
  }
  if (auto frame = parse_go_function_line(line)) {
    if (target && target->size() < k_max_frames) target->push_back(std::move(*frame));
    return Step::more;
  }
  if (!s.empty() && classify_line(s)) return Step::done_before;
  return ++m_idle > k_idle_limit ? Step::done_before : Step::more;
}

ReportReader::Step ReportReader::feed_rust(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (s == "stack backtrace:") {
    m_stack = 1;
    return Step::more;
  }
  if (starts_with(s, "note: ")) {
    m_ended_naturally = true;
    return Step::done;
  }
  auto& frames = current().frames;
  if (m_stack == 1) {
    if (auto frame = parse_rust_function_line(s)) {
      if (frames.size() < k_max_frames) frames.push_back(std::move(*frame));
      return Step::more;
    }
    if (!frames.empty() && parse_rust_file_line(s, frames.back())) return Step::more;
  }
  if (!s.empty() && classify_line(s)) return Step::done_before;
  if (m_stack == 0 && m_idle == 0 && !s.empty()) current().summary += " | " + std::string(s);
  return ++m_idle > k_idle_limit ? Step::done_before : Step::more;
}

ReportReader::Step ReportReader::feed_terminate(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (!starts_with(s, "what():")) return Step::done_before;
  current().summary += " | " + std::string(s);
  return Step::done;
}

std::vector<Crash> ReportReader::finish(bool cut) {
  if (m_format == Format::rust && !m_crashes.empty()) unprefix_macos_symbols();
  if (m_format == Format::leaks && !m_crashes.empty()) {
    std::string excerpt = m_crashes.front().excerpt;
    bool direct = std::any_of(m_crashes.begin(), m_crashes.end(), [](const Crash& c) {
      return c.kind == "memory-leak" && !c.frames.empty();
    });
    if (direct) {
      std::erase_if(m_crashes,
                    [](const Crash& c) { return c.kind != "memory-leak" || c.frames.empty(); });
    }
    for (auto& c : m_crashes) c.excerpt = excerpt;
  }
  for (auto& c : m_crashes) c.truncated = cut && !m_ended_naturally;
  return std::move(m_crashes);
}

}  // namespace faultline::sanitizers
