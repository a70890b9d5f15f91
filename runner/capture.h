// runner/capture.h — Capture, a bounded copy of one output stream: the first and
// last N bytes, the total count and whether anything in between was dropped. It
// owns no descriptors and knows nothing of processes; process.h feeds it what a
// child writes, and crash parsers read text() afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::runner {

inline constexpr std::size_t k_default_capture_bytes = std::size_t{1} << 20;  // 1 MiB

// How much of a stream to keep: the first head_bytes and the last tail_bytes.
struct CaptureLimits {
  std::size_t head_bytes = k_default_capture_bytes;
  std::size_t tail_bytes = k_default_capture_bytes;
};

class Capture {
 public:
  Capture() = default;
  explicit Capture(CaptureLimits limits) : m_limits(limits) {}

  // Adds the next bytes of the stream. Memory stays within head_bytes + tail_bytes
  // whatever the stream's length; a chunk larger than the tail costs one copy of
  // its last tail_bytes.
  void append(std::string_view bytes);

  std::uint64_t total_bytes() const { return m_total; }
  // True when bytes between head and tail were dropped.
  bool truncated() const { return omitted_bytes() > 0; }
  std::uint64_t omitted_bytes() const { return m_total - m_head.size() - m_ring_size; }

  const std::string& head() const { return m_head; }  // the first bytes, up to head_bytes
  std::string tail() const;  // the kept bytes after the head: the last ones, up to tail_bytes

  // The stream for people and parsers: all of it when nothing was dropped; else
  // head, then a line "[... N bytes omitted ...]" (on a line of its own), then tail.
  std::string text() const;

 private:
  void append_to_ring(std::string_view bytes);

  CaptureLimits m_limits;
  std::string m_head;
  std::vector<char> m_ring;      // tail_bytes once the head is full; a circular buffer
  std::size_t m_ring_start = 0;  // index of the oldest kept byte
  std::size_t m_ring_size = 0;
  std::uint64_t m_total = 0;
};

}  // namespace faultline::runner
