// Scanner tests, for each vector path: every anchor is found at every offset within two
// 64-byte blocks (the nibble filters of scan_avx2 and scan_avx512 must never clear a block
// holding one), in the unaligned tail too, and ordinary output full of the key bytes finds
// nothing.
#include "sanitizers/scanner.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

namespace faultline::sanitizers {
namespace {

// The anchors of scanner.cc, each as it appears in real output.
const std::vector<std::string_view> k_anchor_texts = {"Sanitizer",
                                                      "runtime error: ",
                                                      "Python error: ",
                                                      "***",
                                                      "terminate called",
                                                      "panic",
                                                      "fatal error",
                                                      "Segmentation fault",
                                                      "DATA RACE",
                                                      "FATAL ERROR: ",
                                                      "(): ",
                                                      "corrupt",
                                                      "Floating point exception",
                                                      "SIG",
                                                      "(core dumped)",
                                                      "Aborted",
                                                      "Assertion `",
                                                      "Invalid ",
                                                      "ubsan: ",
                                                      "[... "};

const std::vector<VectorPath> k_paths = {VectorPath::sse2, VectorPath::avx2, VectorPath::avx512};

TEST(Scanner, FindsEveryAnchorAtEveryOffsetOfABlock) {
  const std::string first_line = "ordinary output line\n";
  for (VectorPath path : k_paths)
    for (std::string_view anchor : k_anchor_texts) {
      for (std::size_t offset = 0; offset < 140; ++offset) {
        std::string text = first_line + std::string(offset, 'x') + std::string(anchor) +
                           std::string(80, 'y') + "\nlast line\n";
        EXPECT_EQ(find_anchor_line(text, 0, path), first_line.size())
            << "anchor \"" << anchor << "\" at offset " << offset << ", path "
            << static_cast<int>(path);
      }
    }
}

TEST(Scanner, FindsAnAnchorEndingTheText) {
  for (std::string_view anchor : k_anchor_texts) {
    std::string text = std::string(100, 'z') + "\n" + std::string(anchor);
    for (VectorPath path : k_paths) EXPECT_EQ(find_anchor_line(text, 0, path), 101u) << anchor;
  }
}

TEST(Scanner, OrdinaryOutputWithTheKeyBytesFindsNothing) {
  // Every key byte pair but broken up: "Sa nitizer", "r :", "p anic", …
  std::string text;
  for (int i = 0; i < 200; ++i)
    text += "Sa nitizer r : fa tal ** * AT  pt rt SI G (c ore) Ab orted 0123 {}[]\n";
  for (VectorPath path : k_paths) {
    EXPECT_EQ(find_anchor_line(text, 0, path), text.size());
    EXPECT_EQ(find_anchor_line(std::string(1 << 16, '\0'), 0, path), std::size_t{1} << 16);
  }
}

}  // namespace
}  // namespace faultline::sanitizers
