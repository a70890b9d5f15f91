#include "sanitizers/scanner.h"

#include <array>
#include <cstdint>
#include <cstring>

namespace faultline::sanitizers {

namespace {

// Every report format the parser knows contains at least one of these. Each is
// found by two bytes at `key` (chosen to be uncommon in ordinary output), then
// confirmed whole. Keep in step with classify_line() in report.cc.
struct Anchor {
  std::string_view text;
  std::size_t key;
};

constexpr std::array<Anchor, 15> k_anchors = {{
    {"Sanitizer", 0},          // ASan, LSan, TSan, MSan, UBSan headers and SUMMARY lines
    {"runtime error: ", 12},   // UBSan "file:line:col: runtime error: …"
    {"***", 0},                // glibc "*** stack smashing detected ***", "*** Error in"
    {"terminate called", 3},   // C++ uncaught exception
    {"panic", 0},              // Go "panic: ", Rust "panicked at", Bun "panic(main thread)"
    {"fatal error: ", 0},      // Go runtime
    {"DATA RACE", 0},          // Go -race
    {"(): ", 0},               // glibc "free(): invalid pointer", …
    {"double free or corruption", 3},
    {"corrupted ", 5},         // glibc "corrupted size vs. prev_size", …
    {"SIG", 0},                // Go "SIGSEGV: segmentation violation", gdb "received signal SIGSEGV"
    {"(core dumped)", 0},      // shell
    {"Segmentation fault", 2},
    {"Aborted", 0},
    {"[... ", 0},              // capture gap marker
}};

using Bytes = unsigned char __attribute__((vector_size(16)));

struct Fingerprints {
  std::array<Bytes, k_anchors.size()> first;
  std::array<Bytes, k_anchors.size()> second;
};

Fingerprints make_fingerprints() {
  Fingerprints f{};
  for (std::size_t a = 0; a < k_anchors.size(); ++a) {
    for (int i = 0; i < 16; ++i) {
      f.first[a][i] = static_cast<unsigned char>(k_anchors[a].text[k_anchors[a].key]);
      f.second[a][i] = static_cast<unsigned char>(k_anchors[a].text[k_anchors[a].key + 1]);
    }
  }
  return f;
}

const Fingerprints k_fingerprints = make_fingerprints();

// True if an anchor whose key bytes sit at `pos` is present in full.
bool anchor_at(std::string_view text, std::size_t pos) {
  for (const auto& anchor : k_anchors) {
    if (pos < anchor.key) continue;
    std::size_t start = pos - anchor.key;
    if (start + anchor.text.size() > text.size()) continue;
    if (std::memcmp(text.data() + start, anchor.text.data(), anchor.text.size()) == 0) return true;
  }
  return false;
}

std::uint32_t block_mask(const char* p) {
  Bytes a, b;
  std::memcpy(&a, p, 16);
  std::memcpy(&b, p + 1, 16);
  Bytes hit{};
  for (std::size_t i = 0; i < k_anchors.size(); ++i) {
    hit |= reinterpret_cast<Bytes>((a == k_fingerprints.first[i]) & (b == k_fingerprints.second[i]));
  }
  std::uint64_t lanes[2];
  std::memcpy(lanes, &hit, 16);
  if ((lanes[0] | lanes[1]) == 0) return 0;
  std::uint32_t mask = 0;
  for (int i = 0; i < 16; ++i) mask |= (hit[i] ? 1u : 0u) << i;
  return mask;
}

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

std::size_t find_anchor_line(std::string_view text, std::size_t from) {
  const char* p = text.data();
  std::size_t i = from;
  for (; i + 17 <= text.size(); i += 16) {
    std::uint32_t mask = block_mask(p + i);
    while (mask) {
      int lane = __builtin_ctz(mask);
      mask &= mask - 1;
      if (anchor_at(text, i + lane)) return line_start(text, i + lane);
    }
  }
  return scan_tail(text, i);
}

std::string_view line_at(std::string_view text, std::size_t begin, std::size_t* next) {
  const void* nl = std::memchr(text.data() + begin, '\n', text.size() - begin);
  std::size_t end = nl ? static_cast<std::size_t>(static_cast<const char*>(nl) - text.data()) : text.size();
  *next = nl ? end + 1 : end;
  return text.substr(begin, end - begin);
}

}  // namespace faultline::sanitizers
