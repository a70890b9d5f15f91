#include "matrix/semver.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace faultline::matrix {
namespace {

SemVer v(const std::string& text) {
  auto parsed = parse_semver(text);
  EXPECT_TRUE(parsed) << text;
  return parsed.value_or(SemVer{});
}

TEST(SemVer, ParsesPartsPreReleaseAndBuildWithAnOptionalV) {
  SemVer s = v("v1.20.3-rc.1+build.7");
  EXPECT_EQ(s.major, 1u);
  EXPECT_EQ(s.minor, 20u);
  EXPECT_EQ(s.patch, 3u);
  EXPECT_EQ(s.prerelease, (std::vector<std::string>{"rc", "1"}));
  EXPECT_EQ(s.build, "build.7");
  for (const char* bad :
       {"1.2", "1.2.3.4", "01.2.3", "1.2.3-", "1.2.3-01", "1.2.x", "release", "1.2.3-a..b", ""})
    EXPECT_FALSE(parse_semver(bad)) << bad;
}

TEST(SemVer, OrdersAsTheSpecificationDoes) {
  // The example of semver.org section 11, shuffled, plus numeric order and a leading v.
  std::vector<std::string> texts = {
      "1.0.0", "1.0.0-rc.1",    "1.0.0-beta.11", "v0.10.0",     "1.0.0-alpha.beta", "1.0.0-beta",
      "0.2.0", "1.0.0-alpha.1", "1.0.0-beta.2",  "1.0.0-alpha", "v0.2.0-rc.1",      "0.9.1"};
  std::sort(texts.begin(), texts.end(), [](auto& a, auto& b) { return compare(v(a), v(b)) < 0; });
  EXPECT_EQ(texts,
            (std::vector<std::string>{"v0.2.0-rc.1", "0.2.0", "0.9.1", "v0.10.0", "1.0.0-alpha",
                                      "1.0.0-alpha.1", "1.0.0-alpha.beta", "1.0.0-beta",
                                      "1.0.0-beta.2", "1.0.0-beta.11", "1.0.0-rc.1", "1.0.0"}));
  EXPECT_EQ(compare(v("1.0.0+a"), v("1.0.0+b")), 0);
}

std::vector<std::string> matching(const std::string& range_text) {
  auto range = parse_semver_range(range_text);
  EXPECT_TRUE(range) << range_text << ": " << (range ? "" : range.error().message);
  std::vector<std::string> out;
  for (const char* text :
       {"0.0.3", "0.0.4", "0.1.0", "0.2.5", "1.0.0", "1.2.0-rc.1", "1.2.0", "1.2.9", "1.4.0",
        "1.4.7", "1.5.0", "1.9.9", "2.0.0-alpha", "2.0.0", "3.1.0"})
    if (range && satisfies(v(text), *range)) out.push_back(text);
  return out;
}

using Versions = std::vector<std::string>;

TEST(SemVerRange, MatchesTheFormsNpmUsers) {
  EXPECT_EQ(matching(">=1.2.0 <2"),
            (Versions{"1.2.0", "1.2.9", "1.4.0", "1.4.7", "1.5.0", "1.9.9"}));
  EXPECT_EQ(matching("^1.2"), (Versions{"1.2.0", "1.2.9", "1.4.0", "1.4.7", "1.5.0", "1.9.9"}));
  EXPECT_EQ(matching("^0.2.1"), (Versions{"0.2.5"}));
  EXPECT_EQ(matching("^0.0.3"), (Versions{"0.0.3"}));
  EXPECT_EQ(matching("~1.4.0"), (Versions{"1.4.0", "1.4.7"}));
  EXPECT_EQ(matching("~1"),
            (Versions{"1.0.0", "1.2.0", "1.2.9", "1.4.0", "1.4.7", "1.5.0", "1.9.9"}));
  EXPECT_EQ(matching("1.x"),
            (Versions{"1.0.0", "1.2.0", "1.2.9", "1.4.0", "1.4.7", "1.5.0", "1.9.9"}));
  EXPECT_EQ(matching("1.2.x || >=3"), (Versions{"1.2.0", "1.2.9", "3.1.0"}));
  EXPECT_EQ(matching("1.4 - 1.5"), (Versions{"1.4.0", "1.4.7", "1.5.0"}));
  EXPECT_EQ(matching(">1.4 <=2.0.0"), (Versions{"1.5.0", "1.9.9", "2.0.0"}));
  EXPECT_EQ(matching("< 0.1"), (Versions{"0.0.3", "0.0.4"}));
  EXPECT_EQ(matching("=1.2.9"), (Versions{"1.2.9"}));
  EXPECT_EQ(matching("*").size(), 13u);  // every release, no pre-release
}

TEST(SemVerRange, APreReleaseMatchesOnlyARangeNamingItsVersion) {
  EXPECT_EQ(matching(">=1.2.0-rc.0 <1.3"), (Versions{"1.2.0-rc.1", "1.2.0", "1.2.9"}));
  EXPECT_EQ(matching(">=2.0.0-alpha"), (Versions{"2.0.0-alpha", "2.0.0", "3.1.0"}));
}

TEST(SemVerRange, ABadRangeNamesThePartAtFault) {
  auto r = parse_semver_range(">=1.2.0 <banana");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().message, "'<banana' is not a version or comparator");
  auto h = parse_semver_range("1.2 - x.1");
  ASSERT_FALSE(h);
  EXPECT_EQ(h.error().message, "'x.1' is not a version");
}

}  // namespace
}  // namespace faultline::matrix
