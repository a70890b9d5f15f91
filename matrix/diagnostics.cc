#include "matrix/diagnostics.h"

#include <algorithm>

namespace faultline::matrix {

void Diagnostics::error(Mark mark, std::string message) {
  if (m_items.size() >= k_max) {
    ++m_dropped;
    return;
  }
  m_items.push_back({mark, std::move(message)});
}

std::string render_error(const std::string& file, const Mark& mark, const std::string& message) {
  std::string out = file;
  if (mark.line > 0) out += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
  return out + ": error: " + message + "\n";
}

std::string Diagnostics::render(const std::string& file) const {
  std::vector<Diagnostic> sorted = m_items;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.mark.line != b.mark.line ? a.mark.line < b.mark.line : a.mark.column < b.mark.column;
  });
  std::string out;
  for (const auto& d : sorted) out += render_error(file, d.mark, d.message);
  if (m_dropped > 0)
    out += file + ": error: too many errors; " + std::to_string(m_dropped) + " more not shown\n";
  return out;
}

}  // namespace faultline::matrix
