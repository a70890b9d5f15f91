// Errors found in a matrix file, each with its place, printed the way compilers
// print them: `faultline.yaml:12:5: error: unknown sanitizer 'tasn' (did you mean 'tsan'?)`.
#pragma once

#include <string>
#include <vector>

#include "matrix/config.h"

namespace faultline::matrix {

// One error as compilers print it: `FILE:LINE:COL: error: MESSAGE\n`, or
// `FILE: error: MESSAGE\n` when the mark has no line (0). Also the shape of
// every other YAML file's errors (ci/serve/config.cc, the bot's configuration).
std::string render_error(const std::string& file, const Mark& mark, const std::string& message);

struct Diagnostic {
  Mark mark;
  std::string message;
};

class Diagnostics {
 public:
  static constexpr std::size_t k_max = 100;  // past this, one "too many errors" line

  void error(Mark mark, std::string message);
  bool empty() const { return m_items.empty(); }
  std::size_t size() const { return m_items.size(); }
  const std::vector<Diagnostic>& items() const { return m_items; }
  bool truncated() const { return m_dropped > 0; }

  // Every diagnostic as `FILE:LINE:COL: error: MESSAGE`, one per line, in file order.
  std::string render(const std::string& file) const;

 private:
  std::vector<Diagnostic> m_items;
  std::size_t m_dropped = 0;
};

}  // namespace faultline::matrix
