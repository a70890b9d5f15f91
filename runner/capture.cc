#include "runner/capture.h"

#include <algorithm>
#include <cstring>

namespace faultline::runner {

void Capture::append(std::string_view bytes) {
  count(bytes);
  keep(bytes);
}

void Capture::count(std::string_view bytes) {
  m_reports.feed(bytes, m_total);
  m_total += bytes.size();
}

void Capture::keep(std::string_view bytes) {
  if (m_head.size() < m_limits.head_bytes) {
    std::size_t take = std::min(bytes.size(), m_limits.head_bytes - m_head.size());
    m_head.append(bytes.data(), take);
    bytes.remove_prefix(take);
  }
  if (!bytes.empty()) append_to_ring(bytes);
}

void Capture::append_to_ring(std::string_view bytes) {
  const std::size_t capacity = m_limits.tail_bytes;
  if (capacity == 0) return;
  if (m_ring.size() != capacity) m_ring.resize(capacity);
  if (bytes.size() >= capacity) {  // only the last `capacity` bytes can survive
    std::memcpy(m_ring.data(), bytes.data() + bytes.size() - capacity, capacity);
    m_ring_start = 0;
    m_ring_size = capacity;
    return;
  }
  std::size_t write_at = (m_ring_start + m_ring_size) % capacity;
  std::size_t first = std::min(bytes.size(), capacity - write_at);
  std::memcpy(m_ring.data() + write_at, bytes.data(), first);
  std::memcpy(m_ring.data(), bytes.data() + first, bytes.size() - first);
  advance_ring(bytes.size());
}

// Counts n more bytes written at the ring's end, over its oldest ones when full.
void Capture::advance_ring(std::size_t n) {
  const std::size_t capacity = m_limits.tail_bytes;
  std::size_t size = m_ring_size + n;
  if (size > capacity) {
    m_ring_start = (m_ring_start + (size - capacity)) % capacity;
    size = capacity;
  }
  m_ring_size = size;
}

void Capture::keep_bytes_of(const Capture& source) {
  m_head = source.m_head;
  m_ring = source.m_ring;
  m_ring_start = source.m_ring_start;
  m_ring_size = source.m_ring_size;
}

std::span<char> Capture::ring_space(std::size_t most) {
  const std::size_t capacity = m_limits.tail_bytes;
  if (m_head.size() < m_limits.head_bytes || capacity == 0) return {};
  if (m_ring.size() != capacity) m_ring.resize(capacity);
  const std::size_t write_at = (m_ring_start + m_ring_size) % capacity;
  return {m_ring.data() + write_at, std::min(most, capacity - write_at)};
}

std::string_view Capture::commit_to_ring(std::size_t n) {
  const std::size_t capacity = m_limits.tail_bytes;
  std::string_view bytes(m_ring.data() + (m_ring_start + m_ring_size) % capacity, n);
  count(bytes);
  advance_ring(n);
  return bytes;
}

std::string Capture::tail() const {
  std::string out;
  out.reserve(m_ring_size);
  std::size_t first = std::min(m_ring_size, m_ring.size() - m_ring_start);
  out.append(m_ring.data() + m_ring_start, first);
  out.append(m_ring.data(), m_ring_size - first);
  return out;
}

std::vector<StreamRegion> Capture::middle() const {
  std::vector<StreamRegion> out;
  const std::uint64_t head_end = m_head.size();
  const std::uint64_t tail_start = m_total - m_ring_size;
  for (StreamRegion& region : m_reports.regions()) {
    std::uint64_t begin = std::max(region.start, head_end);
    std::uint64_t end = std::min(region.end(), tail_start);
    if (!out.empty()) begin = std::max(begin, out.back().end());
    if (begin >= end) continue;
    region.bytes = region.bytes.substr(begin - region.start, end - begin);
    region.start = begin;
    out.push_back(std::move(region));
  }
  return out;
}

std::uint64_t Capture::omitted_bytes() const {
  std::uint64_t kept = m_head.size() + m_ring_size;
  for (const StreamRegion& region : middle()) kept += region.bytes.size();
  return m_total - kept;
}

namespace {
void add_gap(std::string& out, std::uint64_t omitted) {
  if (omitted == 0) return;
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += "[... " + std::to_string(omitted) + " bytes omitted ...]\n";
}
}  // namespace

std::string Capture::text() const {
  std::string out = m_head;
  std::uint64_t at = m_head.size();
  for (const StreamRegion& region : middle()) {
    add_gap(out, region.start - at);
    out += region.bytes;
    at = region.end();
  }
  add_gap(out, m_total - m_ring_size - at);
  out += tail();
  return out;
}

OutputCaptures::OutputCaptures(CaptureLimits limits) : m_interleaved(limits) {
  limits.report_bytes = 0;  // crash reports are looked for once, in the interleaved copy
  m_stdout = Capture(limits);
  m_stderr = Capture(limits);
}

void OutputCaptures::append(int stream, std::string_view bytes) {
  if (bytes.empty()) return;
  note_writer(stream);
  of(stream).append(bytes);
  add_to_interleaved(bytes);
}

std::span<char> OutputCaptures::space(int stream, std::size_t most) {
  std::span<char> ring = of(stream).ring_space(most);
  m_space_in_ring = !ring.empty();
  if (m_space_in_ring) return ring;
  if (m_scratch_size < most) {
    m_scratch = std::make_unique<char[]>(most);
    m_scratch_size = most;
  }
  return {m_scratch.get(), most};
}

std::string_view OutputCaptures::commit(int stream, std::size_t n) {
  if (!m_space_in_ring) {
    std::string_view bytes(m_scratch.get(), n);
    append(stream, bytes);
    return bytes;
  }
  if (n == 0) return {};
  note_writer(stream);  // first: on a switch, the interleaved copy keeps these bytes
  std::string_view bytes = of(stream).commit_to_ring(n);
  add_to_interleaved(bytes);
  return bytes;
}

// On the other stream's first bytes, the interleaved copy takes the bytes it shared.
void OutputCaptures::note_writer(int stream) {
  if (m_sole_writer == 0) m_sole_writer = stream;
  if (m_sole_writer > 0 && m_sole_writer != stream) {
    m_interleaved.keep_bytes_of(of(m_sole_writer));
    m_sole_writer = -1;
  }
}

void OutputCaptures::add_to_interleaved(std::string_view bytes) {
  m_interleaved.count(bytes);
  if (m_sole_writer < 0) m_interleaved.keep(bytes);
}

void OutputCaptures::finish(Capture& stdout_capture, Capture& stderr_capture,
                            Capture& interleaved) {
  if (m_sole_writer > 0) m_interleaved.keep_bytes_of(of(m_sole_writer));
  stdout_capture = std::move(m_stdout);
  stderr_capture = std::move(m_stderr);
  interleaved = std::move(m_interleaved);
}

}  // namespace faultline::runner
