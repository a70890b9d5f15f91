// Errors found in a matrix file, each with its place, printed the way compilers
// print them: `faultline.yaml:12:5: error: unknown sanitizer 'tasn' (did you mean 'tsan'?)`.
#pragma once

#include <string>
#include <vector>

#include "matrix/config.h"

namespace faultline::matrix {

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
