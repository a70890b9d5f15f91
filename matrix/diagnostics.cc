#include "matrix/diagnostics.h"

#include <algorithm>

namespace faultline::matrix {

namespace {

std::string render_one(const std::string& file, const Mark& mark, const char* label,
                       const std::string& message) {
  std::string out = file;
  if (mark.line > 0) out += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.column);
  return out + ": " + label + ": " + message + "\n";
}

}  // namespace

void Diagnostics::add(Mark mark, std::string message, Severity severity) {
  const std::size_t same = severity == Severity::error ? m_errors : warnings();
  if (same >= k_max) {
    ++(severity == Severity::error ? m_dropped : m_dropped_warnings);
    return;
  }
  if (severity == Severity::error) ++m_errors;
  m_items.push_back({mark, std::move(message), severity});
}

void Diagnostics::error(Mark mark, std::string message) {
  add(mark, std::move(message), Severity::error);
}

void Diagnostics::warning(Mark mark, std::string message) {
  add(mark, std::move(message), Severity::warning);
}

std::string render_error(const std::string& file, const Mark& mark, const std::string& message) {
  return render_one(file, mark, "error", message);
}

std::string Diagnostics::render(const std::string& file) const {
  std::vector<Diagnostic> sorted = m_items;
  std::stable_sort(sorted.begin(), sorted.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return a.mark.line != b.mark.line ? a.mark.line < b.mark.line : a.mark.column < b.mark.column;
  });
  std::string out;
  for (const auto& d : sorted)
    out += render_one(file, d.mark, d.severity == Severity::error ? "error" : "warning", d.message);
  if (m_dropped > 0)
    out += file + ": error: too many errors; " + std::to_string(m_dropped) + " more not shown\n";
  if (m_dropped_warnings > 0)
    out += file + ": warning: too many warnings; " + std::to_string(m_dropped_warnings) +
           " more not shown\n";
  return out;
}

}  // namespace faultline::matrix
