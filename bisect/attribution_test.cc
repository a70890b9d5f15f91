#include "bisect/attribution.h"

#include <gtest/gtest.h>

#include <functional>

namespace faultline::bisect {
namespace {

using Shows = std::function<bool(const std::map<std::string, std::string>&)>;

// library 1.0..1.4 × binding 0.6..0.9 × threads {2, 16} × sanitizer {asan, tsan}.
AttributionInput grid(const Shows& shows) {
  AttributionInput in;
  in.signature = "S1";
  in.axes = {{"library", {"1.0", "1.1", "1.2", "1.3", "1.4"}, true},
             {"binding", {"0.6", "0.7", "0.8", "0.9"}, true},
             {"threads", {"2", "16"}, true},
             {"sanitizer", {"asan", "tsan"}, false}};
  for (const std::string& l : in.axes[0].values)
    for (const std::string& b : in.axes[1].values)
      for (const std::string& t : in.axes[2].values)
        for (const std::string& s : in.axes[3].values) {
          std::map<std::string, std::string> v = {
              {"library", l}, {"binding", b}, {"threads", t}, {"sanitizer", s}};
          in.cells.push_back({v, 20, shows(v) ? 7 : 0});
        }
  return in;
}

Attribution must(Expected<Attribution> a) {
  EXPECT_TRUE(a.has_value()) << (a ? "" : a.error().message);
  return a ? *a : Attribution{};
}

TEST(Attribution, AThresholdOnOneAxis) {
  Attribution a = must(attribute(grid([](auto& v) { return v.at("binding") >= "0.8"; })));
  EXPECT_EQ(a.kind, ExplanationKind::axes);
  ASSERT_EQ(a.conditions.size(), 1u);
  EXPECT_EQ(a.conditions[0].axis, "binding");
  EXPECT_EQ(a.conditions[0].comparison, Comparison::at_least);
  EXPECT_EQ(a.conditions[0].value, "0.8");
  EXPECT_EQ(a.irrelevant_axes, (std::vector<std::string>{"library", "threads", "sanitizer"}));
  EXPECT_EQ(a.text,
            "S1 appears in every cell with binding ≥ 0.8 (5 library values × 2 threads values × "
            "2 sanitizer values: 40 of 40 cells) and in none of the other 40; library, threads and "
            "sanitizer do not matter.");
}

TEST(Attribution, ASingleValueOfAnUnorderedAxis) {
  Attribution a = must(attribute(grid([](auto& v) { return v.at("sanitizer") == "tsan"; })));
  EXPECT_EQ(a.kind, ExplanationKind::axes);
  ASSERT_EQ(a.conditions.size(), 1u);
  EXPECT_EQ(a.conditions[0].comparison, Comparison::equals);
  EXPECT_EQ(a.conditions[0].value, "tsan");
  EXPECT_NE(a.text.find("sanitizer = tsan"), std::string::npos) << a.text;
}

TEST(Attribution, AConjunctionOfTwoAxes) {
  Attribution a = must(
      attribute(grid([](auto& v) { return v.at("binding") >= "0.8" && v.at("threads") == "16"; })));
  EXPECT_EQ(a.kind, ExplanationKind::axes);
  ASSERT_EQ(a.conditions.size(), 2u);
  EXPECT_EQ(a.matching, 20);
  EXPECT_EQ(a.showing, 20);
  EXPECT_EQ(a.irrelevant_axes, (std::vector<std::string>{"library", "sanitizer"}));
  EXPECT_NE(a.text.find("binding ≥ 0.8 and threads ≥ 16"), std::string::npos) << a.text;
}

// The example's pool bug: bindings 0.8 and 0.9 crash, 0.10 fixes it.
TEST(Attribution, ARangeInsideAnOrderedAxis) {
  Attribution a = must(attribute(
      grid([](auto& v) { return v.at("library") >= "1.1" && v.at("library") <= "1.3"; })));
  EXPECT_EQ(a.kind, ExplanationKind::axes);
  ASSERT_EQ(a.conditions.size(), 1u);
  EXPECT_EQ(a.conditions[0].comparison, Comparison::between);
  EXPECT_EQ(a.conditions[0].value, "1.1");
  EXPECT_EQ(a.conditions[0].upper, "1.3");
  EXPECT_EQ(a.irrelevant_axes, (std::vector<std::string>{"binding", "threads", "sanitizer"}));
  EXPECT_NE(a.text.find("appears in every cell with 1.1 ≤ library ≤ 1.3 ("), std::string::npos)
      << a.text;
}

TEST(Attribution, ARangeAndAValueOfAnotherAxis) {
  Attribution a = must(attribute(grid([](auto& v) {
    return v.at("library") >= "1.2" && v.at("library") <= "1.3" && v.at("sanitizer") == "asan";
  })));
  EXPECT_EQ(a.kind, ExplanationKind::axes);
  EXPECT_NE(a.text.find("every cell with sanitizer = asan and 1.2 ≤ library ≤ 1.3 (4 binding "
                        "values × 2 threads values: 16 of 16 cells)"),
            std::string::npos)
      << a.text;
}

TEST(Attribution, NoSimpleExplanation) {
  int k = 0;
  Attribution a = must(attribute(grid([&k](auto&) { return (k++ * 7) % 3 == 0; })));
  EXPECT_EQ(a.kind, ExplanationKind::none);
  EXPECT_LT(a.explained, a.cells);
  EXPECT_NE(a.text.find("no simple explanation"), std::string::npos) << a.text;
}

TEST(Attribution, EverywhereMeansNoAxis) {
  Attribution a = must(attribute(grid([](auto&) { return true; })));
  EXPECT_EQ(a.kind, ExplanationKind::everywhere);
  EXPECT_EQ(a.text, "S1 appears in every cell (80 cells); no axis explains it");
}

TEST(Attribution, CellsWithoutRunsAreIgnored) {
  AttributionInput in = grid([](auto& v) { return v.at("library") <= "1.1"; });
  in.cells[0].runs = 0;
  Attribution a = must(attribute(in));
  EXPECT_EQ(a.cells, 79);
  EXPECT_EQ(a.kind, ExplanationKind::axes);
  EXPECT_EQ(a.conditions[0].comparison, Comparison::at_most);
  EXPECT_EQ(a.conditions[0].value, "1.1");
}

TEST(Attribution, UnknownValueIsBadInput) {
  AttributionInput in = grid([](auto&) { return false; });
  in.cells[3].values["binding"] = "0.75";
  Expected<Attribution> a = attribute(in);
  ASSERT_FALSE(a.has_value());
  EXPECT_EQ(a.error().message,
            "attribution: cell 3 has binding='0.75', not one of the axis's values");
}

}  // namespace
}  // namespace faultline::bisect
