// What a foreground run shows on a terminal (`faultline repro`): the run's text
// with the matrix's secrets masked and control characters made visible
// (reporters::terminal_text), and its output as it comes, a line at a time.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "base/redact.h"

namespace faultline::pipeline {

// Text of the run for the terminal: secrets masked, then control characters made visible.
class Shown {
 public:
  explicit Shown(const Redactor& redactor) : m_redactor(redactor) {}
  std::string operator()(std::string_view text) const;

 private:
  const Redactor& m_redactor;
};

// Where a line longer than LiveOutput's limit may be cut: at or before `at`, not inside one of
// `redactor`'s secrets (which would then be shown in part) nor inside a UTF-8 character.
std::size_t safe_cut(std::string_view text, std::size_t at, const Redactor& redactor);

// The workload's output as it comes, a line at a time per stream, so that a secret or a UTF-8
// character split between two reads is masked or shown whole; a line longer than k_line_limit
// is shown in pieces cut where no secret spans the cut (memory stays bounded); what is left of a
// last line without a newline is shown at the end.
class LiveOutput {
 public:
  static constexpr std::size_t k_line_limit = 64 * 1024;

  LiveOutput(const Shown& shown, const Redactor& redactor) : m_shown(shown), m_redactor(redactor) {}
  // Bytes read from `stream` (1 stdout, 2 stderr), shown on the same stream.
  void add(int stream, std::string_view bytes);
  // What is left of a last line without a newline, shown with one.
  void finish();

 private:
  void write(int stream, std::string_view lines);
  const Shown& m_shown;
  const Redactor& m_redactor;
  std::string m_pending[2];  // stdout, stderr: the line read so far
};

}  // namespace faultline::pipeline
