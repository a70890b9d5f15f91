#include "sanitizers/scanner.h"

// 32-byte vectors appear only inside the avx2-targeted function.
#pragma GCC diagnostic ignored "-Wpsabi"

#include <array>
#include <cstdint>
#include <cstring>
#include <utility>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

namespace faultline::sanitizers {

namespace {

// Every report format the parser knows contains at least one of these. Each is
// found by two bytes at `key` (chosen to be uncommon in ordinary output), then
// confirmed whole. Keep in step with classify_line() in report.cc.
struct Anchor {
  std::string_view text;
  std::size_t key;
};

// Cost per vector is one compare per distinct first and second key byte and
// an and/or per distinct pair, so keys are chosen to share bytes: "r:" serves
// two anchors, "fa" two, "AT" two, "pt" two, "rt" two; the a's, t's and S's
// are shared across pairs. 20 anchors, 15 pairs over 10 + 10 bytes.
constexpr std::array<Anchor, 20> k_anchors = {{
    {"Sanitizer", 0},         // ASan, LSan, TSan, MSan, UBSan headers and SUMMARY lines
    {"runtime error: ", 12},  // UBSan "file:line:col: runtime error: …"
    {"Python error: ", 11},   // CPython "Fatal Python error: "
    {"***", 0},               // glibc "*** stack smashing detected ***", "*** Error in"
    {"terminate called", 2},  // C++ uncaught exception
    {"panic", 0},             // Go "panic: ", Rust "panicked at", Bun "panic(main thread)"
    {"fatal error", 0},  // Go runtime "fatal error: ", the JVM's "A fatal error has been detected"
    {"Segmentation fault", 13},
    {"DATA RACE", 1},      // Go -race
    {"FATAL ERROR: ", 1},  // Node.js
    {"(): ", 0},           // glibc "free(): invalid pointer", …
    {"corrupt", 5},        // glibc "double free or corruption", "corrupted size vs. prev_size"
    {"Floating point exception", 19},  // shell
    {"SIG", 0},            // Go "SIGSEGV: segmentation violation", gdb "received signal SIGSEGV"
    {"(core dumped)", 0},  // shell
    {"Aborted", 3},
    {"Assertion `", 4},  // glibc assert()
    {"Invalid ", 2},     // valgrind memcheck "Invalid read of size 4", "Invalid free()"
    {"ubsan: ", 2},      // UBSan minimal runtime "ubsan: add-overflow by 0x…"
    {"[... ", 0},        // capture gap marker
}};

constexpr unsigned char first_byte(std::size_t i) {
  return static_cast<unsigned char>(k_anchors[i].text[k_anchors[i].key]);
}
constexpr unsigned char second_byte(std::size_t i) {
  return static_cast<unsigned char>(k_anchors[i].text[k_anchors[i].key + 1]);
}

// True if an anchor whose key bytes sit at `pos` is present in full.
bool anchor_at(std::string_view text, std::size_t pos) {
  for (const auto& anchor : k_anchors) {
    if (pos < anchor.key || text[pos] != anchor.text[anchor.key]) continue;  // cheap test first
    std::size_t start = pos - anchor.key;
    if (start + anchor.text.size() > text.size()) continue;
    if (std::memcmp(text.data() + start, anchor.text.data(), anchor.text.size()) == 0) return true;
  }
  return false;
}

// Lanes where some anchor's two key bytes start; constants are visible to the
// compiler, so repeated bytes share one compare.
template <class V, std::size_t... I>
__attribute__((always_inline)) inline V fingerprint_hits(V a, V b, std::index_sequence<I...>) {
  return (
      (reinterpret_cast<V>((a == (V{} + first_byte(I))) & (b == (V{} + second_byte(I)))) | ...));
}

// One pass over `text` from `from` in blocks of sizeof(V), each starting before
// `to`; the offset of the first confirmed anchor, or npos. The unaligned tail is
// left to the caller.
template <class V>
__attribute__((always_inline)) inline std::size_t scan_blocks(std::string_view text,
                                                              std::size_t from, std::size_t to,
                                                              std::size_t* stopped) {
  constexpr std::size_t k_width = sizeof(V);
  constexpr std::size_t k_words = k_width / 8;
  const char* p = text.data();
  std::size_t i = from;
  for (; i + k_width + 1 <= text.size() && i < to; i += k_width) {
    V a, b;
    std::memcpy(&a, p + i, k_width);
    std::memcpy(&b, p + i + 1, k_width);
    V hit = fingerprint_hits(a, b, std::make_index_sequence<k_anchors.size()>());
    std::uint64_t words[k_words];
    std::memcpy(words, &hit, k_width);
    std::uint64_t any = 0;
    for (std::size_t w = 0; w < k_words; ++w) any |= words[w];
    if (!any) continue;
    for (std::size_t w = 0; w < k_words; ++w) {
      std::uint64_t bits = words[w];
      while (bits) {
        std::size_t byte = static_cast<std::size_t>(__builtin_ctzll(bits)) / 8;
        bits &= ~(0xFFull << (byte * 8));
        if (anchor_at(text, i + w * 8 + byte)) {
          *stopped = i;
          return i + w * 8 + byte;
        }
      }
    }
  }
  *stopped = i;
  return std::string_view::npos;
}

using Bytes16 = unsigned char __attribute__((vector_size(16)));
using Bytes32 = unsigned char __attribute__((vector_size(32)));

std::size_t scan_sse2(std::string_view text, std::size_t from, std::size_t* stopped) {
  return scan_blocks<Bytes16>(text, from, std::string_view::npos, stopped);
}

#if defined(__x86_64__)
// Nibble tables of the key bytes (the "Teddy" filter): anchor i sets bit
// k_buckets[i] in the entries for the low and high nibble of its first key byte (lo1, hi1)
// and of its second (lo2, hi2). A position can hold anchor i's key pair only if
// its bit survives lo1[a & 15] & hi1[a >> 4] & lo2[b & 15] & hi2[b >> 4]; a
// surviving bit may be a false alarm, which the fingerprint test then clears.
struct NibbleTables {
  std::array<unsigned char, 16> lo1{}, hi1{}, lo2{}, hi2{};
};

// The bucket (bit) of each anchor, in k_anchors' order: chosen by a search for the
// fewest false alarms on 4 MiB of English text and C++ source (1.7 % of byte
// positions, against 6.7 % for i % 8).
constexpr std::array<unsigned char, k_anchors.size()> k_buckets = {0, 7, 7, 3, 2, 1, 3, 3, 4, 4,
                                                                   6, 1, 1, 6, 5, 7, 7, 1, 0, 4};

constexpr NibbleTables nibble_tables() {
  NibbleTables t;
  for (std::size_t i = 0; i < k_anchors.size(); ++i) {
    const auto bit = static_cast<unsigned char>(1u << k_buckets[i]);
    t.lo1[first_byte(i) & 15] |= bit;
    t.hi1[first_byte(i) >> 4] |= bit;
    t.lo2[second_byte(i) & 15] |= bit;
    t.hi2[second_byte(i) >> 4] |= bit;
  }
  return t;
}
constexpr NibbleTables k_nibbles = nibble_tables();

// Clears a 32-byte block (and the byte after it) in ten vector operations when
// no lane can start a key pair: about a quarter of the fingerprint test's cost.
struct NibbleFilter {
  __m256i lo1, hi1, lo2, hi2;

  __attribute__((target("avx2"))) NibbleFilter()
      : lo1(table(k_nibbles.lo1)),
        hi1(table(k_nibbles.hi1)),
        lo2(table(k_nibbles.lo2)),
        hi2(table(k_nibbles.hi2)) {}

  __attribute__((target("avx2"), always_inline)) static __m256i table(
      const std::array<unsigned char, 16>& t) {
    return _mm256_broadcastsi128_si256(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t.data())));
  }
  __attribute__((target("avx2"), always_inline)) static __m256i lookup(__m256i lo, __m256i hi,
                                                                       const char* p) {
    const __m256i nibble = _mm256_set1_epi8(0x0f);
    __m256i v = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(p));
    __m256i low = _mm256_shuffle_epi8(lo, _mm256_and_si256(v, nibble));
    __m256i high = _mm256_shuffle_epi8(hi, _mm256_and_si256(_mm256_srli_epi16(v, 4), nibble));
    return _mm256_and_si256(low, high);
  }
  __attribute__((target("avx2"), always_inline)) bool quiet(const char* p) const {
    return _mm256_testz_si256(lookup(lo1, hi1, p), lookup(lo2, hi2, p + 1));
  }
};

// Skips blocks the nibble filter clears; gives each other block the
// fingerprint test.
__attribute__((target("avx2"))) std::size_t scan_avx2(std::string_view text, std::size_t from,
                                                      std::size_t* stopped) {
  constexpr std::size_t k_width = sizeof(Bytes32);
  const NibbleFilter filter;
  std::size_t i = from;
  while (true) {
    while (i + k_width + 1 <= text.size() && filter.quiet(text.data() + i)) i += k_width;
    if (i + k_width + 1 > text.size()) break;
    std::size_t found = scan_blocks<Bytes32>(text, i, i + 1, stopped);
    if (found != std::string_view::npos) return found;
    i += k_width;
  }
  *stopped = i;
  return std::string_view::npos;
}

// The same nibble filter over 64-byte blocks (AVX-512BW): one shuffle covers twice the bytes,
// so a quiet block costs half as many operations per byte as with AVX2. A block it cannot
// clear gets the fingerprint test as two 32-byte blocks.
struct NibbleFilter512 {
  __m512i lo1, hi1, lo2, hi2;

  __attribute__((target("avx512f,avx512bw"))) NibbleFilter512()
      : lo1(table(k_nibbles.lo1)),
        hi1(table(k_nibbles.hi1)),
        lo2(table(k_nibbles.lo2)),
        hi2(table(k_nibbles.hi2)) {}

  __attribute__((target("avx512f,avx512bw"), always_inline)) static __m512i table(
      const std::array<unsigned char, 16>& t) {
    return _mm512_broadcast_i32x4(_mm_loadu_si128(reinterpret_cast<const __m128i*>(t.data())));
  }
  __attribute__((target("avx512f,avx512bw"), always_inline)) static __m512i lookup(__m512i lo,
                                                                                   __m512i hi,
                                                                                   const char* p) {
    const __m512i nibble = _mm512_set1_epi8(0x0f);
    __m512i v = _mm512_loadu_si512(p);
    __m512i low = _mm512_shuffle_epi8(lo, _mm512_and_si512(v, nibble));
    __m512i high = _mm512_shuffle_epi8(hi, _mm512_and_si512(_mm512_srli_epi16(v, 4), nibble));
    return _mm512_and_si512(low, high);
  }
  __attribute__((target("avx512f,avx512bw"), always_inline)) __m512i hits(const char* p) const {
    return _mm512_and_si512(lookup(lo1, hi1, p), lookup(lo2, hi2, p + 1));
  }
  __attribute__((target("avx512f,avx512bw"), always_inline)) bool quiet(const char* p) const {
    return _mm512_test_epi8_mask(hits(p), hits(p)) == 0;
  }
  // Two blocks with one test: 128 bytes (and the byte after them).
  __attribute__((target("avx512f,avx512bw"), always_inline)) bool quiet2(const char* p) const {
    const __m512i any = _mm512_or_si512(hits(p), hits(p + 64));
    return _mm512_test_epi8_mask(any, any) == 0;
  }
};

__attribute__((target("avx512f,avx512bw"))) std::size_t scan_avx512(std::string_view text,
                                                                    std::size_t from,
                                                                    std::size_t* stopped) {
  constexpr std::size_t k_width = 64;
  const NibbleFilter512 filter;
  std::size_t i = from;
  while (true) {
    while (i + 2 * k_width + 1 <= text.size() && filter.quiet2(text.data() + i)) i += 2 * k_width;
    while (i + k_width + 1 <= text.size() && filter.quiet(text.data() + i)) i += k_width;
    if (i + k_width + 1 > text.size()) break;
    std::size_t found = scan_blocks<Bytes32>(text, i, i + 33, stopped);
    if (found != std::string_view::npos) return found;
    i += k_width;
  }
  return scan_avx2(text, i, stopped);  // the last block or two of 32 bytes
}

const bool k_have_avx2 = __builtin_cpu_supports("avx2");
const bool k_have_avx512 = __builtin_cpu_supports("avx512bw");
#else
std::size_t scan_avx2(std::string_view text, std::size_t from, std::size_t* stopped) {
  return scan_sse2(text, from, stopped);
}
std::size_t scan_avx512(std::string_view text, std::size_t from, std::size_t* stopped) {
  return scan_sse2(text, from, stopped);
}
const bool k_have_avx2 = false;
const bool k_have_avx512 = false;
#endif

std::size_t line_start(std::string_view text, std::size_t pos) {
  while (pos > 0 && text[pos - 1] != '\n') --pos;
  return pos;
}

std::size_t scan_tail(std::string_view text, std::size_t i) {
  for (; i + 1 < text.size(); ++i) {
    if (anchor_at(text, i)) return line_start(text, i);
  }
  return text.size();
}

}  // namespace

std::size_t find_anchor_line(std::string_view text, std::size_t from, VectorPath path) {
  if (path == VectorPath::avx512 && !k_have_avx512) path = VectorPath::avx2;
  if (path == VectorPath::avx2 && !k_have_avx2) path = VectorPath::sse2;
  std::size_t stopped = from;
  std::size_t found = path == VectorPath::avx512 ? scan_avx512(text, from, &stopped)
                      : path == VectorPath::avx2 ? scan_avx2(text, from, &stopped)
                                                 : scan_sse2(text, from, &stopped);
  if (found != std::string_view::npos) return line_start(text, found);
  return scan_tail(text, stopped);
}

std::size_t find_anchor_line(std::string_view text, std::size_t from) {
  return find_anchor_line(text, from, VectorPath::avx512);
}

bool anchor_spans(std::string_view before, std::string_view after) {
  for (const auto& anchor : k_anchors) {
    for (std::size_t split = 1; split < anchor.text.size(); ++split) {
      if (split > before.size() || anchor.text.size() - split > after.size()) continue;
      if (before.back() != anchor.text[split - 1]) continue;  // the cheap test first
      if (before.substr(before.size() - split) == anchor.text.substr(0, split) &&
          after.substr(0, anchor.text.size() - split) == anchor.text.substr(split))
        return true;
    }
  }
  return false;
}

std::string_view line_at(std::string_view text, std::size_t begin, std::size_t* next) {
  const void* nl = std::memchr(text.data() + begin, '\n', text.size() - begin);
  std::size_t end =
      nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
  *next = nl ? end + 1 : end;
  return text.substr(begin, end - begin);
}

}  // namespace faultline::sanitizers
