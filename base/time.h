// Time as faultline writes and reads it: UTC timestamps (ISO 8601, as in
// results.json, the store and GitHub's API) formatted with the reentrant
// gmtime_r, safe on any thread; and the one grammar of durations in the
// matrix file and on the command line ("30s", "1.5m", "250ms", "2h").
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace faultline {

using SystemTime = std::chrono::system_clock::time_point;

// "2026-11-22T00:27:32Z": seconds, UTC.
std::string utc_timestamp(SystemTime t = std::chrono::system_clock::now());
// "2026-11-22T00:27:32.481Z": milliseconds, UTC.
std::string utc_timestamp_ms(SystemTime t = std::chrono::system_clock::now());
// "00:27:32 UTC": a time of day for messages ("the rate limit resets at …").
std::string utc_clock(SystemTime t);

// Durations: a decimal NUMBER then a UNIT, one of ms, s, m, min, h; `units`
// says whether a bare NUMBER is seconds (the matrix's `timeout: 30`) or no
// duration at all (--budget, where a bare number counts runs). The length in
// milliseconds, or nullopt when `text` is not one or is not above zero.
enum class BareNumber { seconds, refused };
std::optional<double> parse_duration_ms(std::string_view text,
                                        BareNumber bare = BareNumber::seconds);

}  // namespace faultline
