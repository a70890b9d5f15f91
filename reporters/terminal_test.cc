#include "reporters/terminal.h"

#include <gtest/gtest.h>

namespace faultline::reporters {
namespace {

using nlohmann::json;

json cell(const std::string& lib, const std::string& bind, const std::string& san, const std::string& verdict) {
  return {{"values", {{"lib", lib}, {"bind", bind}, {"sanitizer", san}}}, {"verdict", verdict}, {"runs", 4}};
}

TEST(TerminalGrid, CountsCrashingCellsPerVersionPairOverTheOtherAxes) {
  json r = {{"axes", {{{"name", "lib"}, {"kind", "component"}, {"values", {"1", "2"}}},
                      {{"name", "bind"}, {"kind", "component"}, {"values", {"a", "b"}}},
                      {{"name", "sanitizer"}, {"kind", "sanitizer"}, {"values", {"none", "asan"}}}}},
            {"cells", {cell("1", "a", "none", "pass"), cell("1", "a", "asan", "pass"),
                       cell("1", "b", "none", "build-error"), cell("1", "b", "asan", "build-error"),
                       cell("2", "a", "none", "pass"), cell("2", "a", "asan", "crash"),
                       cell("2", "b", "asan", "hang")}}};
  EXPECT_EQ(render_grid(r),
            "     bind  (crashing cells / cells, over the other axes; . = none crashed)\n"
            "lib  a          b          \n"
            "1    .          build-err  \n"
            "2    1/2        1/1        \n");
}

TEST(TerminalGrid, NoGridWithOneVersionAxis) {
  json r = {{"axes", {{{"name", "lib"}, {"kind", "component"}, {"values", {"1", "2"}}}}},
            {"cells", {cell("1", "a", "none", "pass")}}};
  EXPECT_EQ(render_grid(r), "");
}

}  // namespace
}  // namespace faultline::reporters
