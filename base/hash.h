// Stable short hashes for ids (cells, signatures, fingerprints of a file):
// the same bytes give the same hash on every machine and run. Not for security.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace faultline {

// 64-bit FNV-1a; stable across runs and machines (used for ids, not security).
std::uint64_t fnv1a64(std::string_view text, std::uint64_t seed = 0xcbf29ce484222325ULL);
std::string hex16(std::uint64_t value);  // 16 lowercase hex digits

}  // namespace faultline
