// The fast path of crash recognition: finds the next line that may open a
// report, skipping ordinary output with a vectorised two-byte fingerprint test
// (no regex, no per-line work) and confirming candidates with memcmp.
#pragma once

#include <cstddef>
#include <string_view>

namespace faultline::sanitizers {

// Offset of the first byte of the first line at or after `from` that holds one
// of the anchor strings (see scanner.cc), or text.size() when none does.
// A line is reported once even if it holds several anchors.
std::size_t find_anchor_line(std::string_view text, std::size_t from);

// The same with the vector instructions named, for tests and benchmarks that compare them:
// one the CPU lacks is replaced by the best it has (avx512: AVX-512BW; avx2; sse2).
enum class VectorPath { sse2, avx2, avx512 };
std::size_t find_anchor_line(std::string_view text, std::size_t from, VectorPath path);

// True when an anchor begins in `before` and ends in `after`: for a stream read
// in chunks, `before` the last bytes of one chunk and `after` the next chunk.
bool anchor_spans(std::string_view before, std::string_view after);

// The line starting at `begin` (without its '\n'), and where the next one starts.
std::string_view line_at(std::string_view text, std::size_t begin, std::size_t* next);

}  // namespace faultline::sanitizers
