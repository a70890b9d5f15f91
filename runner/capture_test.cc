#include "runner/capture.h"

#include <gtest/gtest.h>

#include <string>

namespace faultline::runner {
namespace {

TEST(RunnerCapture, KeepsEverythingUnderTheBound) {
  Capture capture({8, 8});
  capture.append("hello ");
  capture.append("world\n");
  EXPECT_EQ(capture.total_bytes(), 12u);
  EXPECT_FALSE(capture.truncated());
  EXPECT_EQ(capture.head(), "hello wo");
  EXPECT_EQ(capture.tail(), "rld\n");
  EXPECT_EQ(capture.text(), "hello world\n");
}

TEST(RunnerCapture, ExactlyHeadPlusTailIsNotTruncated) {
  Capture capture({4, 4});
  capture.append("abcdefgh");
  EXPECT_FALSE(capture.truncated());
  EXPECT_EQ(capture.text(), "abcdefgh");
}

TEST(RunnerCapture, DropsTheMiddleWithAMarkerLine) {
  Capture capture({4, 4});
  capture.append("abc\n");
  for (int i = 0; i < 10; ++i) capture.append("0123456789");
  capture.append("xyz\n");
  EXPECT_EQ(capture.total_bytes(), 108u);
  EXPECT_TRUE(capture.truncated());
  EXPECT_EQ(capture.omitted_bytes(), 100u);
  EXPECT_EQ(capture.tail(), "xyz\n");
  EXPECT_EQ(capture.text(), "abc\n[... 100 bytes omitted ...]\nxyz\n");
}

TEST(RunnerCapture, MarkerStartsOnItsOwnLine) {
  Capture capture({3, 3});
  capture.append("abcdefghij");
  EXPECT_EQ(capture.text(), "abc\n[... 4 bytes omitted ...]\nhij");
}

TEST(RunnerCapture, RingWrapsAcrossManySmallAppends) {
  Capture capture({2, 5});
  std::string all;
  for (char c = 'a'; c <= 'z'; ++c) {
    capture.append(std::string(1, c));
    all += c;
  }
  EXPECT_EQ(capture.head(), "ab");
  EXPECT_EQ(capture.tail(), "vwxyz");
  EXPECT_EQ(capture.omitted_bytes(), 26u - 7u);
}

TEST(RunnerCapture, ChunkLargerThanTheTailKeepsItsEnd) {
  Capture capture({2, 4});
  capture.append("ab");
  capture.append("cd");
  capture.append(std::string(1000, '.') + "WXYZ");
  EXPECT_EQ(capture.tail(), "WXYZ");
  capture.append("12");
  EXPECT_EQ(capture.tail(), "YZ12");
  EXPECT_EQ(capture.total_bytes(), 1010u);
}

TEST(RunnerCapture, ZeroTailKeepsOnlyTheHead) {
  Capture capture({3, 0});
  capture.append("abcdef");
  EXPECT_EQ(capture.text(), "abc\n[... 3 bytes omitted ...]\n");
}

TEST(RunnerCapture, DefaultBoundIsOneMebibyteEachSide) {
  Capture capture;
  std::string mib(1 << 20, 'h');
  capture.append(mib);
  capture.append(std::string(1 << 20, 'm'));
  capture.append(std::string(1 << 20, 't'));
  EXPECT_EQ(capture.head(), mib);
  EXPECT_EQ(capture.tail(), std::string(1 << 20, 't'));
  EXPECT_EQ(capture.omitted_bytes(), 1u << 20);
}

}  // namespace
}  // namespace faultline::runner
