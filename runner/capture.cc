#include "runner/capture.h"

#include <algorithm>
#include <cstring>

namespace faultline::runner {

void Capture::append(std::string_view bytes) {
  m_total += bytes.size();
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
  std::size_t size = m_ring_size + bytes.size();
  if (size > capacity) {
    m_ring_start = (m_ring_start + (size - capacity)) % capacity;
    size = capacity;
  }
  m_ring_size = size;
}

std::string Capture::tail() const {
  std::string out;
  out.reserve(m_ring_size);
  std::size_t first = std::min(m_ring_size, m_ring.size() - m_ring_start);
  out.append(m_ring.data() + m_ring_start, first);
  out.append(m_ring.data(), m_ring_size - first);
  return out;
}

std::string Capture::text() const {
  if (!truncated()) return m_head + tail();
  std::string out = m_head;
  if (!out.empty() && out.back() != '\n') out += '\n';
  out += "[... " + std::to_string(omitted_bytes()) + " bytes omitted ...]\n";
  out += tail();
  return out;
}

}  // namespace faultline::runner
