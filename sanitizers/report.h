// The slow path of crash recognition, run only on lines the scanner flagged:
// which report a line opens (classify_line) and how the lines after it fill in
// the crash (ReportReader). One reader per report format family.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "sanitizers/crash.h"

namespace faultline::sanitizers {

enum class Format {
  sanitizer,  // ==N==ERROR: AddressSanitizer: …, WARNING: ThreadSanitizer: …, MSan
  leaks,      // LeakSanitizer: one crash per leak
  ubsan,      // file:line:col: runtime error: …
  one_line,   // glibc messages, stack smashing, shell "Segmentation fault", Bun panic
  terminate,  // C++ "terminate called …" + "what():"
  go,         // Go panic, fatal error, signal
  go_race,    // Go WARNING: DATA RACE
  rust,       // thread '…' panicked at
  gdb,        // Program received signal …, then a backtrace
  python,     // CPython faulthandler: Fatal Python error: …, then the threads' Python frames
  node,       // Node.js FATAL ERROR: …, then its native stack
  jvm,        // the JVM's hs_err header: # A fatal error has been detected …
  valgrind,   // memcheck: Invalid read of size N, then at/by frames
  summary,    // a SUMMARY line whose report was lost (gap, truncation)
  gap,        // [... N bytes omitted ...]
};

struct Header {
  Format format = Format::one_line;
  Crash crash;  // tool, kind, summary and what the headline says
  // Bytes of the line before the report's text ("api-1  | ", "3: ", "....");
  // 0 when the report starts the line (after CI timestamps and indentation).
  std::size_t prefix = 0;
  // The headline names its tool beyond doubt ("==1==ERROR: AddressSanitizer:",
  // "Fatal Python error: "), so it counts after any prefix; a weak one ("panic: ",
  // "Aborted") after a prefix counts only when the prefix repeats on a neighbour line.
  bool strong = false;
};

// The report this line opens, if any, when it starts the line.
std::optional<Header> classify_line(std::string_view line);

// The report this line opens, starting it or after a prefix of any shape
// (up to k_max_prefix bytes; `prefix` says where it starts).
std::optional<Header> locate_header(std::string_view line);
constexpr std::size_t k_max_prefix = 160;

// Whether a prefix may end at byte `p` (0 < p < line.size()) of `line`: where a
// word, a run of dots or a "| " separator ends ("api-1     | ", "3: ",
// "…Z stderr F ", "tests/test_codec.py ....").
bool may_end_prefix(std::string_view line, std::size_t p);

bool is_gap_line(std::string_view line);

class ReportReader {
 public:
  enum class Step { more, done, done_before };  // done_before: the line is not ours

  ReportReader(Header header, std::string_view line);
  Step feed(std::string_view line);
  // The crashes read; `cut` says the report was cut short by a gap or the end.
  std::vector<Crash> finish(bool cut);

 private:
  Step feed_sanitizer(std::string_view line);
  Step feed_go(std::string_view line);
  Step feed_go_race(std::string_view line);
  Step feed_rust(std::string_view line);
  Step feed_terminate(std::string_view line);
  Step feed_python(std::string_view line);
  Step feed_node(std::string_view line);
  Step feed_jvm(std::string_view line);
  Step feed_valgrind(std::string_view line);
  void unprefix_macos_symbols();
  bool take_hash_frame(std::string_view line);
  bool take_summary(std::string_view line);
  void take_access(std::string_view line);
  Crash& current() { return m_crashes.back(); }
  void add_excerpt(std::string_view line);

  Format m_format;
  std::vector<Crash> m_crashes;
  int m_stack = 0;            // stacks begun so far in the current crash
  bool m_want_other = false;  // the next stack is a race's previous access
  bool m_in_goroutine = false;
  bool m_in_current_thread = false;  // python: inside the "Current thread" stack
  bool m_want_frame = false;         // jvm: the next line is the problematic frame
  bool m_skip_file_line = false;
  bool m_ended_naturally = false;
  int m_idle = 0;  // lines since the report last said something
  std::size_t m_excerpt_lines = 0;
};

}  // namespace faultline::sanitizers
