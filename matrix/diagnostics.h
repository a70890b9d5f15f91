// Errors and warnings found in a matrix file, each with its place, printed the
// way compilers print them:
//   `faultline.yaml:12:5: error: unknown sanitizer 'tasn' (did you mean 'tsan'?)`
//   `faultline.yaml:9:7: warning: matrix.include[0] has no effect: …`
// An error refuses the file (exit 2); a warning is printed and the file is used.
#pragma once

#include <string>
#include <vector>

#include "matrix/config.h"

namespace faultline::matrix {

// One error as compilers print it: `FILE:LINE:COL: error: MESSAGE\n`, or
// `FILE: error: MESSAGE\n` when the mark has no line (0). Also the shape of
// every other YAML file's errors (ci/serve/config.cc, the bot's configuration).
std::string render_error(const std::string& file, const Mark& mark, const std::string& message);

enum class Severity { error, warning };

struct Diagnostic {
  Mark mark;
  std::string message;
  Severity severity = Severity::error;
};

class Diagnostics {
 public:
  static constexpr std::size_t k_max = 100;  // errors, and warnings, past this: one line saying so

  void error(Mark mark, std::string message);
  void warning(Mark mark, std::string message);
  // No error (warnings may be present): the file can be used.
  bool empty() const { return m_errors == 0; }
  std::size_t size() const { return m_errors; }
  std::size_t warnings() const { return m_items.size() - m_errors; }
  const std::vector<Diagnostic>& items() const { return m_items; }
  bool truncated() const { return m_dropped > 0; }

  // Every diagnostic as `FILE:LINE:COL: error: MESSAGE` or `… warning: …`, one
  // per line, in file order; "" when there is none.
  std::string render(const std::string& file) const;

 private:
  void add(Mark mark, std::string message, Severity severity);

  std::vector<Diagnostic> m_items;
  std::size_t m_errors = 0;
  std::size_t m_dropped = 0;  // errors past k_max
  std::size_t m_dropped_warnings = 0;
};

}  // namespace faultline::matrix
