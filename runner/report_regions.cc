#include "runner/report_regions.h"

#include <algorithm>
#include <cstring>

#include "sanitizers/parser.h"
#include "sanitizers/scanner.h"

namespace faultline::runner {

namespace {
constexpr std::size_t k_edge_bytes = 32;  // longer than every scanner anchor
}

void ReportRegions::feed(std::string_view bytes, std::uint64_t offset) {
  if (!enabled() || bytes.empty()) return;
  std::size_t pos = 0;
  if (!m_edge.empty() && sanitizers::anchor_spans(m_edge, bytes)) {
    if (m_open) {
      m_open->lines_left = k_lines_after;
      m_open->bytes_left = k_bytes_after;
    } else {
      open_at(offset, 0);
    }
  }
  while (pos < bytes.size()) {
    if (m_open) {
      pos = extend(bytes, pos);
      continue;
    }
    std::size_t line = sanitizers::find_anchor_line(bytes, pos);
    if (line >= bytes.size()) break;
    pos = std::max(line, pos);
    open_at(offset, pos);
  }
  remember_line(bytes, offset);
}

// A region from the line starting at bytes[line_start]; at 0, the line may have
// begun in an earlier chunk, whose kept start (m_line) opens the region.
void ReportRegions::open_at(std::uint64_t offset, std::size_t line_start) {
  // Not emplace(): clang 14 finds no default constructor for the nested Open.
  m_open.emplace(Open{StreamRegion{}, k_lines_after, k_bytes_after});
  if (line_start == 0 && !m_line.empty() && m_line_whole) {
    m_open->region.start = m_line_start;
    m_open->region.bytes = m_line;
  } else {
    m_open->region.start = offset + line_start;
  }
}

// Copies bytes[pos…] into the open region line by line until it ends (closed
// here) or the chunk does; returns where it stopped.
std::size_t ReportRegions::extend(std::string_view bytes, std::size_t pos) {
  Open& open = *m_open;
  while (pos < bytes.size()) {
    const void* nl = std::memchr(bytes.data() + pos, '\n', bytes.size() - pos);
    std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) + 1
                         : bytes.size();
    std::string_view line = bytes.substr(pos, end - pos);
    if (sanitizers::find_anchor_line(line, 0) < line.size()) {
      open.lines_left = k_lines_after;
      open.bytes_left = k_bytes_after;
    }
    std::size_t take =
        std::min({line.size(), open.bytes_left, k_region_limit - open.region.bytes.size()});
    open.region.bytes.append(line.substr(0, take));
    open.bytes_left -= take;
    pos += take;
    if (nl && take == line.size()) --open.lines_left;
    if (open.lines_left == 0 || open.bytes_left == 0 ||
        open.region.bytes.size() >= k_region_limit) {
      close();
      return pos;
    }
  }
  return pos;
}

// Judges the finished region: kept when it shows a crash and the budget allows.
void ReportRegions::close() {
  StreamRegion region = std::move(m_open->region);
  m_open.reset();
  sanitizers::ParseOptions options;
  options.use_exit_status = false;
  std::vector<sanitizers::Crash> crashes = sanitizers::parse_output(region.bytes, {}, options);
  if (crashes.empty()) return;
  bool novel = std::any_of(crashes.begin(), crashes.end(), [&](const sanitizers::Crash& c) {
    return !m_signatures.count(c.signature.hash);
  });
  std::size_t kept = m_kept_bytes + region.bytes.size();
  if (kept > m_budget && !(novel && kept <= 2 * m_budget)) {
    ++m_dropped;
    return;
  }
  for (const sanitizers::Crash& c : crashes) m_signatures.insert(c.signature.hash);
  m_kept_bytes = kept;
  m_kept.push_back(std::move(region));
}

void ReportRegions::remember_line(std::string_view bytes, std::uint64_t offset) {
  // Only the last k_line_keep + 1 bytes are searched: a line with no '\n' in
  // them is longer than is kept, so the rest of the chunk is not read twice.
  const std::size_t window = std::min(bytes.size(), k_line_keep + 1);
  const void* nl = memrchr(bytes.data() + bytes.size() - window, '\n', window);
  if (nl) {
    std::size_t after = static_cast<std::size_t>(static_cast<const char*>(nl) - bytes.data()) + 1;
    m_line_start = offset + after;
    m_line.assign(bytes.substr(after, std::min(k_line_keep, bytes.size() - after)));
    m_line_whole = bytes.size() - after <= k_line_keep;
  } else if (bytes.size() > k_line_keep) {
    m_line_whole = false;
  } else if (m_line_whole) {
    std::size_t room = k_line_keep - m_line.size();
    m_line.append(bytes.substr(0, room));
    m_line_whole = bytes.size() <= room;
  }
  if (bytes.size() >= k_edge_bytes) {
    m_edge.assign(bytes.substr(bytes.size() - k_edge_bytes));
  } else {
    m_edge.append(bytes);
    if (m_edge.size() > k_edge_bytes) m_edge.erase(0, m_edge.size() - k_edge_bytes);
  }
}

std::vector<StreamRegion> ReportRegions::regions() const {
  std::vector<StreamRegion> out = m_kept;
  if (m_open) out.push_back(m_open->region);
  return out;
}

}  // namespace faultline::runner
