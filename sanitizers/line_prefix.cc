#include "sanitizers/line_prefix.h"

namespace faultline::sanitizers {

namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::size_t digits_from(std::string_view s, std::size_t i) {
  while (i < s.size() && is_digit(s[i])) ++i;
  return i;
}

bool only_spaces(std::string_view s) {
  return s.find_first_not_of(" \t") == std::string_view::npos;
}

}  // namespace

std::optional<std::size_t> LinePrefix::match(std::string_view line) const {
  std::string_view p = m_prefix;
  std::size_t i = 0, j = 0;
  while (i < p.size()) {
    if (j == line.size() || line[j] == '\r') {
      if (only_spaces(p.substr(i))) return j;
      return std::nullopt;
    }
    if (is_digit(p[i])) {
      if (!is_digit(line[j])) return std::nullopt;
      i = digits_from(p, i);
      j = digits_from(line, j);
      continue;
    }
    if (p[i] != line[j]) return std::nullopt;
    ++i;
    ++j;
  }
  return j;
}

}  // namespace faultline::sanitizers
