#include "base/time.h"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace faultline {
namespace {

using std::chrono::milliseconds;
using std::chrono::system_clock;

// 2026-11-22T00:27:32.481Z
const SystemTime k_moment = system_clock::from_time_t(1'795'307'252) + milliseconds(481);

TEST(UtcTimestamp, FormatsIso8601InUtc) {
  EXPECT_EQ(utc_timestamp(k_moment), "2026-11-22T00:27:32Z");
  EXPECT_EQ(utc_timestamp_ms(k_moment), "2026-11-22T00:27:32.481Z");
  EXPECT_EQ(utc_timestamp_ms(system_clock::from_time_t(0)), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(utc_clock(k_moment), "00:27:32 UTC");
}

// The bot formats on several threads at once: each gets its own answer.
TEST(UtcTimestamp, IsSafeOnManyThreads) {
  std::vector<std::thread> threads;
  std::vector<std::string> out(8);
  for (std::size_t i = 0; i < out.size(); ++i)
    threads.emplace_back([&out, i] {
      for (int k = 0; k < 200; ++k) out[i] = utc_timestamp(k_moment + std::chrono::hours(24 * i));
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(out[0], "2026-11-22T00:27:32Z");
  EXPECT_EQ(out[7], "2026-11-29T00:27:32Z");
}

TEST(ParseDuration, ReadsEveryUnit) {
  EXPECT_EQ(parse_duration_ms("250ms"), 250);
  EXPECT_EQ(parse_duration_ms("30s"), 30'000);
  EXPECT_EQ(parse_duration_ms("30"), 30'000);  // a bare number is seconds by default
  EXPECT_EQ(parse_duration_ms("1.5m"), 90'000);
  EXPECT_EQ(parse_duration_ms("2min"), 120'000);
  EXPECT_EQ(parse_duration_ms("1h"), 3'600'000);
}

TEST(ParseDuration, RefusesWhatIsNotOne) {
  EXPECT_FALSE(parse_duration_ms("30", BareNumber::refused));
  EXPECT_FALSE(parse_duration_ms(""));
  EXPECT_FALSE(parse_duration_ms("s"));
  EXPECT_FALSE(parse_duration_ms("."));
  EXPECT_FALSE(parse_duration_ms("0s"));
  EXPECT_FALSE(parse_duration_ms("-5s"));
  EXPECT_FALSE(parse_duration_ms("10 m"));
  EXPECT_FALSE(parse_duration_ms("10d"));
}

}  // namespace
}  // namespace faultline
