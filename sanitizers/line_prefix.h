// What a log tool puts before every line of a report: a CI timestamp, a
// docker-compose service ("api-1     | "), ctest's test number ("3: "), a
// kubectl/containerd RFC 3339 time and stream tag ("2026-03-02T10:14:07.1Z
// stderr F "). Learned from the report's first line, then removed from the
// lines after it that carry the same shape. Parsing only; no I/O.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace faultline::sanitizers {

class LinePrefix {
 public:
  LinePrefix() = default;
  // `prefix`: the bytes before the report's text on its first line.
  explicit LinePrefix(std::string_view prefix) : m_prefix(prefix) {}

  // Bytes of `line` that are the prefix, or nullopt when the line does not
  // carry it. A run of digits matches any run of digits (times, pids, test
  // numbers change); everything else must be equal. A line that stops where
  // only the prefix's trailing spaces are left ("3:" for "3: ") matches whole.
  std::optional<std::size_t> match(std::string_view line) const;

  bool empty() const { return m_prefix.empty(); }

 private:
  std::string m_prefix;
};

}  // namespace faultline::sanitizers
