// runner/report_regions.h — ReportRegions: the crash reports found anywhere in one
// output stream, kept with bounded memory while the stream is read in chunks.
// Owns: spotting report lines as bytes arrive (sanitizers/scanner.h), keeping each
// report's lines (from its first anchor line to k_lines_after lines past its last),
// and keeping only regions in which sanitizers::parse_output recognises a crash.
// Leaves to Capture (capture.h) the head and tail of the stream and how the kept
// pieces are joined into text.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::runner {

// One kept stretch of the stream: the bytes from offset `start` (0 = first byte).
struct StreamRegion {
  std::uint64_t start = 0;
  std::string bytes;
  std::uint64_t end() const { return start + bytes.size(); }
};

class ReportRegions {
 public:
  // A region ends 256 lines (or 64 KiB) after the last line holding an anchor, or
  // at 1 MiB. Regions are kept until their bytes reach `budget_bytes`; past that,
  // only regions showing a signature not kept yet, up to twice the budget.
  static constexpr std::size_t k_lines_after = 256;
  static constexpr std::size_t k_bytes_after = 64 * 1024;
  static constexpr std::size_t k_region_limit = 1024 * 1024;
  static constexpr std::size_t k_line_keep = 4096;  // a report line's start kept across chunks

  explicit ReportRegions(std::size_t budget_bytes = 0) : m_budget(budget_bytes) {}

  bool enabled() const { return m_budget > 0; }
  // Reads the next bytes of the stream; `offset` is the stream offset of bytes[0].
  void feed(std::string_view bytes, std::uint64_t offset);

  // The kept regions in stream order, the one still open (not yet judged) last.
  std::vector<StreamRegion> regions() const;
  // Regions that held a crash report but were dropped for the memory budget.
  std::size_t dropped_reports() const { return m_dropped; }

 private:
  struct Open {
    StreamRegion region;
    std::size_t lines_left = k_lines_after;
    std::size_t bytes_left = k_bytes_after;
  };

  void open_at(std::uint64_t offset, std::size_t line_start);
  std::size_t extend(std::string_view bytes, std::size_t pos);
  void close();
  void remember_line(std::string_view bytes, std::uint64_t offset);

  std::size_t m_budget;
  std::optional<Open> m_open;
  std::vector<StreamRegion> m_kept;
  std::size_t m_kept_bytes = 0;
  std::set<std::string> m_signatures;  // of the kept regions' crashes
  std::size_t m_dropped = 0;
  // The unfinished last line: its start offset, its first k_line_keep bytes, and
  // whether those are all of it so far; the stream's last bytes (anchor_spans).
  std::uint64_t m_line_start = 0;
  std::string m_line;
  bool m_line_whole = true;
  std::string m_edge;
};

}  // namespace faultline::runner
