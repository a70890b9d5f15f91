// Finding the cell `faultline repro` runs; the run itself is tested in tests/repro_test.cc.
#include "pipeline/repro.h"

#include <gtest/gtest.h>

#include "matrix/load.h"

namespace faultline::pipeline {
namespace {

matrix::Expansion expansion() {
  matrix::LoadResult r = matrix::load_text(R"(version: 1
components:
  lib: { versions: ["1", "2"] }
sanitizers: [none, asan]
workloads:
  w: { run: "true" }
)",
                                           "t.yaml");
  EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("t.yaml");
  matrix::Diagnostics d;
  return matrix::expand(r.config, d);
}

TEST(FindCell, ByIdHashOrHashPrefix) {
  const matrix::Expansion e = expansion();
  const auto& t = e.cells;
  auto by_id = find_cell("lib=2 sanitizer=asan workload=w", t, "t.yaml");
  ASSERT_TRUE(by_id);
  EXPECT_EQ(t.id(*by_id), "lib=2 sanitizer=asan workload=w");
  auto by_hash = find_cell(t.hash(1), t, "t.yaml");
  ASSERT_TRUE(by_hash);
  EXPECT_EQ(*by_hash, 1u);
  auto by_prefix = find_cell(t.hash(2).substr(0, 6), t, "t.yaml");
  ASSERT_TRUE(by_prefix);
  EXPECT_EQ(*by_prefix, 2u);
}

TEST(FindCell, NamesTheFileAndSuggests) {
  const matrix::Expansion e = expansion();
  auto missing = find_cell("lib=2 sanitizer=asan workload=ww", e.cells, "t.yaml");
  ASSERT_FALSE(missing);
  EXPECT_EQ(missing.error().kind, ErrorKind::bad_input);
  EXPECT_EQ(missing.error().message,
            "no cell 'lib=2 sanitizer=asan workload=ww' in t.yaml (did you mean "
            "'lib=2 sanitizer=asan workload=w'?); `faultline plan t.yaml` lists the cells");
}

TEST(CellOfOnly, WantsExactlyOneCell) {
  const matrix::Expansion e = expansion();
  auto one = cell_of_only({"lib=1", "sanitizer=asan"}, e.cells);
  ASSERT_TRUE(one);
  EXPECT_EQ(e.cells.id(*one), "lib=1 sanitizer=asan workload=w");
  auto several = cell_of_only({"lib=1"}, e.cells);
  ASSERT_FALSE(several);
  EXPECT_EQ(several.error().message,
            "--only lib=1 matches 2 cells (lib=1 sanitizer=none workload=w; lib=1 "
            "sanitizer=asan workload=w; …); fix every axis to one value");
}

}  // namespace
}  // namespace faultline::pipeline
