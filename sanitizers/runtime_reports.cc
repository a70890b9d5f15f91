#include "sanitizers/runtime_reports.h"

#include <cctype>
#include <cstdlib>
#include <string>

#include "base/text.h"
#include "sanitizers/frame.h"
#include "sanitizers/kinds.h"

namespace faultline::sanitizers {

namespace {

constexpr std::size_t k_max_frames = 64;
constexpr int k_idle_limit = 16;

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

Header strong_header(Format format, std::string tool, std::string kind, std::string_view summary) {
  Header h;
  h.format = format;
  h.strong = true;
  h.crash.tool = std::move(tool);
  h.crash.kind = std::move(kind);
  h.crash.summary = std::string(summary);
  return h;
}

// "Segmentation fault" → "SIGSEGV"; otherwise `fallback` with the message as detail.
void kind_from_message(Header& h, std::string_view message, std::string_view fallback) {
  h.crash.kind = signal_kind_for_description(message);
  if (!h.crash.kind.empty()) return;
  h.crash.kind = std::string(fallback);
  h.crash.detail = std::string(trim(message));
}

// "src/shard.c:214: shard_commit" → where ":<line>: " is, or npos.
std::size_t find_line_number(std::string_view s) {
  for (std::size_t colon = s.find(':'); colon != std::string_view::npos;
       colon = s.find(':', colon + 1)) {
    std::size_t i = colon + 1;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i > colon + 1 && (i == s.size() || s.substr(i, 2) == ": ")) return colon;
  }
  return std::string_view::npos;
}

// glibc's __PRETTY_FUNCTION__ for C++ carries the return type: "int Shard::commit(int)".
std::string function_from_pretty(std::string_view pretty) {
  std::string name = normalise_function(pretty);
  std::size_t space = name.rfind(' ');
  if (space != std::string::npos && name.find("operator") == std::string::npos)
    name.erase(0, space + 1);
  while (!name.empty() && (name[0] == '*' || name[0] == '&')) name.erase(0, 1);
  return name;
}

}  // namespace

std::optional<Header> classify_python(std::string_view s) {
  if (!starts_with(s, "Fatal Python error: ")) return std::nullopt;
  Header h = strong_header(Format::python, "python", "", s);
  kind_from_message(h, s.substr(20), "fatal-error");
  return h;
}

std::optional<Header> classify_node(std::string_view s) {
  if (!starts_with(s, "FATAL ERROR: ")) return std::nullopt;
  Header h = strong_header(Format::node, "node", "fatal-error", s);
  h.crash.detail = std::string(trim(s.substr(13)));
  return h;
}

std::optional<Header> classify_jvm(std::string_view s) {
  if (!starts_with(s, "# A fatal error has been detected by the Java Runtime Environment"))
    return std::nullopt;
  return strong_header(Format::jvm, "jvm", "fatal-error", s);
}

std::optional<Header> classify_valgrind(std::string_view s) {
  auto kind = valgrind_kind(s);
  if (!kind) return std::nullopt;
  Header h = strong_header(Format::valgrind, "valgrind", *kind, s);
  if (*kind == "fatal-signal") {  // "… of signal 11 (SIGSEGV)"
    std::size_t open = s.rfind("(SIG");
    if (open != std::string_view::npos)
      h.crash.kind = std::string(s.substr(open + 1, s.find(')', open) - open - 1));
  }
  std::size_t of = s.find(" of size ");
  if (of != std::string_view::npos && (*kind == "invalid-read" || *kind == "invalid-write")) {
    std::uint64_t size = std::strtoull(s.data() + of + 9, nullptr, 10);
    h.crash.access = Access{*kind == "invalid-write" ? AccessKind::write : AccessKind::read, size};
  }
  return h;
}

std::optional<Header> classify_assert(std::string_view s) {
  std::size_t pos = s.find("Assertion `");
  if (pos == std::string_view::npos || s.find("' failed", pos) == std::string_view::npos)
    return std::nullopt;
  std::string_view before = trim(s.substr(0, pos));
  if (before.size() >= 1 && before.back() == ':') before.remove_suffix(1);
  std::size_t colon = find_line_number(before);
  if (colon == std::string_view::npos) return std::nullopt;
  std::size_t file_at = before.rfind(": ", colon);
  file_at = file_at == std::string_view::npos ? 0 : file_at + 2;
  Frame frame;
  frame.raw = std::string(s);
  frame.file = std::string(before.substr(file_at, colon - file_at));
  frame.line = std::atoi(std::string(before.substr(colon + 1)).c_str());
  std::size_t function_at = before.find(": ", colon + 1);
  if (function_at != std::string_view::npos)
    frame.function = function_from_pretty(before.substr(function_at + 2));
  Header h = strong_header(Format::one_line, "glibc", "assertion-failure", s);
  std::string_view expr = s.substr(pos + 11);
  h.crash.detail = std::string(expr.substr(0, expr.rfind("' failed")));
  h.crash.frames.push_back(std::move(frame));
  return h;
}

std::optional<Header> classify_ubsan_minimal(std::string_view s) {
  if (!starts_with(s, "ubsan: ")) return std::nullopt;
  std::string_view handler = s.substr(7);
  handler = handler.substr(0, handler.find(' '));
  auto kind = ubsan_minimal_kind(handler);
  if (!kind) return std::nullopt;
  Header h = strong_header(Format::one_line, "ubsan", *kind, s);
  h.crash.detail = std::string(handler);
  return h;
}

// The thread that crashed is "Current thread 0x… (most recent call first):"
// (or "Stack (…)" when there is one thread); other threads' stacks are skipped.
ReportReader::Step ReportReader::feed_python(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  auto& frames = current().frames;
  if (starts_with(s, "Current thread ") || starts_with(s, "Stack (most recent call first)")) {
    m_in_current_thread = true;
    return Step::more;
  }
  if (starts_with(s, "Thread 0x")) {
    m_in_current_thread = false;
    return Step::more;
  }
  if (starts_with(s, "Extension modules: ")) {
    std::string& detail = current().detail;
    detail += (detail.empty() ? "" : " | ") + std::string("extension modules: ") +
              std::string(s.substr(19));
    m_ended_naturally = true;
    return Step::done;
  }
  if (auto frame = parse_python_frame(s)) {
    if (m_in_current_thread && frames.size() < k_max_frames) frames.push_back(std::move(*frame));
    m_idle = 0;
    return Step::more;
  }
  if (s.empty() || s == "..." || s == "<no Python frame>") return Step::more;
  if (classify_line(s)) return Step::done_before;
  return ++m_idle > k_idle_limit ? Step::done_before : Step::more;
}

ReportReader::Step ReportReader::feed_node(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  auto& frames = current().frames;
  if (auto frame = parse_node_frame(s)) {
    if (frames.size() < k_max_frames) frames.push_back(std::move(*frame));
    m_idle = 0;
    return Step::more;
  }
  if (!frames.empty()) {
    m_ended_naturally = true;
    return Step::done_before;
  }
  if (!s.empty() && classify_line(s)) return Step::done_before;
  return ++m_idle > k_idle_limit ? Step::done_before : Step::more;
}

// The header's lines all start with '#'; its "Problematic frame:" is the stack.
ReportReader::Step ReportReader::feed_jvm(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (!starts_with(s, "#")) {
    m_ended_naturally = true;
    return Step::done_before;
  }
  std::string_view body = trim(s.substr(1));
  if (m_want_frame) {
    m_want_frame = false;
    if (auto frame = parse_jvm_frame(body)) current().frames.push_back(std::move(*frame));
  } else if (starts_with(body, "SIG") || starts_with(body, "EXCEPTION_")) {
    current().kind = std::string(body.substr(0, body.find(' ')));
    current().summary = std::string(body);
  } else if (starts_with(body, "Internal Error ")) {
    current().kind = "internal-error";
    current().summary = std::string(body);
  } else if (body == "Problematic frame:") {
    m_want_frame = true;
  }
  return Step::more;
}

// memcheck: the headline, its stack ("at"/"by"), then "Address … free'd" with
// more stacks (where the block was freed or allocated), and a blank line.
ReportReader::Step ReportReader::feed_valgrind(std::string_view line) {
  std::string_view s = strip_line_prefix(line);
  if (s.empty() || starts_with(s, "ERROR SUMMARY:")) {
    m_ended_naturally = true;
    return Step::done;
  }
  if (auto frame = parse_valgrind_frame(s)) {
    if (m_stack == 0 && current().frames.size() < k_max_frames)
      current().frames.push_back(std::move(*frame));
    return Step::more;
  }
  if (classify_line(s)) return Step::done_before;
  m_stack = 1;  // "Address 0x… is 8 bytes inside a block …": later stacks are not the fault's
  return ++m_idle > k_idle_limit ? Step::done_before : Step::more;
}

// macOS prefixes C symbols with '_': "_rust_begin_unwind", "_main", "_wf_decode".
// When the backtrace shows that spelling, the C frames lose one '_' so they
// compare equal to Linux's.
void ReportReader::unprefix_macos_symbols() {
  auto& frames = current().frames;
  auto is_c = [](const Frame& f) { return f.function.find("::") == std::string::npos; };
  bool macos = false;
  for (const auto& f : frames) {
    macos = macos || (is_c(f) && (f.function == "_rust_begin_unwind" || f.function == "_main" ||
                                  starts_with(f.function, "___rust")));
  }
  if (!macos) return;
  for (auto& f : frames) {
    if (is_c(f) && starts_with(f.function, "_")) f.function.erase(0, 1);
  }
}

}  // namespace faultline::sanitizers
