// runner/capture.h — Capture, a bounded copy of one output stream: the first and
// last N bytes, every crash report in between (report_regions.h), the total count
// and whether anything was dropped; OutputCaptures, a child's stdout, stderr and
// both interleaved. They own no descriptors and know nothing of processes;
// process.h feeds them what a child writes, and crash parsers read text() afterwards.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "runner/report_regions.h"

namespace faultline::runner {

inline constexpr std::size_t k_default_capture_bytes = std::size_t{1} << 20;  // 1 MiB
inline constexpr std::size_t k_default_report_bytes = std::size_t{8} << 20;   // 8 MiB

// How much of a stream to keep: the first head_bytes, the last tail_bytes and, in
// between, the crash reports found anywhere, up to report_bytes (0: none; see
// ReportRegions for how reports past the budget are kept or dropped).
struct CaptureLimits {
  std::size_t head_bytes = k_default_capture_bytes;
  std::size_t tail_bytes = k_default_capture_bytes;
  std::size_t report_bytes = k_default_report_bytes;
};

class Capture {
 public:
  Capture() = default;
  explicit Capture(CaptureLimits limits) : m_limits(limits) {}

  // Adds the next bytes of the stream. Memory stays within head_bytes + tail_bytes
  // (+ up to twice report_bytes of reports) whatever the stream's length; a chunk
  // larger than the tail costs one copy of its last tail_bytes.
  void append(std::string_view bytes);

  std::uint64_t total_bytes() const { return m_total; }
  // True when bytes between head and tail were dropped.
  bool truncated() const { return omitted_bytes() > 0; }
  std::uint64_t omitted_bytes() const;
  // Crash reports between head and tail dropped for the report budget.
  std::size_t dropped_reports() const { return m_reports.dropped_reports(); }

  const std::string& head() const { return m_head; }  // the first bytes, up to head_bytes
  std::string tail() const;  // the kept bytes after the head: the last ones, up to tail_bytes

  // The stream for people and parsers: all of it when nothing was dropped; else
  // head, then each kept report region and the tail, each after a line
  // "[... N bytes omitted ...]" (on a line of its own) where bytes were dropped.
  std::string text() const;

 private:
  friend class OutputCaptures;
  // append() is count() then keep(): the first scans and counts, the second stores.
  void count(std::string_view bytes);
  void keep(std::string_view bytes);
  // Stores the bytes `source` stores, for a capture that count()ed the same stream
  // (same total) but kept nothing; both were made with the same head and tail bounds.
  void keep_bytes_of(const Capture& source);
  void append_to_ring(std::string_view bytes);
  void advance_ring(std::size_t n);
  // Where the ring's next bytes go, at most `most` (up to the ring's end; over the
  // oldest bytes once it is full); empty until the head is full, or with no tail.
  std::span<char> ring_space(std::size_t most);
  // The first n bytes of ring_space() hold the stream's next bytes: count them and
  // keep them, where they are.
  std::string_view commit_to_ring(std::size_t n);
  // The kept report regions, cut to the bytes between head and tail.
  std::vector<StreamRegion> middle() const;

  CaptureLimits m_limits;
  std::string m_head;
  std::vector<char> m_ring;      // tail_bytes once the head is full; a circular buffer
  std::size_t m_ring_start = 0;  // index of the oldest kept byte
  std::size_t m_ring_size = 0;
  std::uint64_t m_total = 0;
  ReportRegions m_reports{m_limits.report_bytes};
};

// The captures of one child's output: stdout, stderr, and both interleaved in the
// order they were read, which alone looks for crash reports. Once a stream's head
// is full, its bytes are read straight into its capture's ring (space(), then
// commit()) and scanned there. While only one stream has written, the interleaved
// copy stores nothing itself: its bytes are that stream's capture's, copied in (at
// most head + tail bytes) when the other stream first writes, or at finish(). So a
// run that writes to one stream copies no byte in faultline after its first
// head_bytes; one that writes to both copies each byte once, into the interleaved copy.
class OutputCaptures {
 public:
  OutputCaptures() = default;
  explicit OutputCaptures(CaptureLimits limits);

  // The next bytes of stream 1 (stdout) or 2 (stderr).
  void append(int stream, std::string_view bytes);
  // Room to read up to `most` next bytes of `stream` into; then commit(stream, n)
  // with the n (≤ its size) that arrived, before any other call (a space() not
  // committed, as after a read() that failed, is forgotten). commit returns those
  // bytes, valid until the next call.
  std::span<char> space(int stream, std::size_t most);
  std::string_view commit(int stream, std::size_t n);
  // The three captures, the interleaved copy completed; this object is spent.
  void finish(Capture& stdout_capture, Capture& stderr_capture, Capture& interleaved);

 private:
  Capture& of(int stream) { return stream == 1 ? m_stdout : m_stderr; }
  void note_writer(int stream);
  void add_to_interleaved(std::string_view bytes);

  Capture m_stdout;
  Capture m_stderr;
  Capture m_interleaved;
  int m_sole_writer = 0;  // 1 or 2 while only that stream has written; 0 before any, -1 both
  std::unique_ptr<char[]> m_scratch;  // reads before a head is full, or with no tail
  std::size_t m_scratch_size = 0;
  bool m_space_in_ring = false;  // where the last space() was
};

}  // namespace faultline::runner
