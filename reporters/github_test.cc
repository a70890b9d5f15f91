#include "reporters/github.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace faultline::reporters {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(Github, EscapesDataAndPropertiesAsDocumented) {
  EXPECT_EQ(workflow_data("50% a\r\nb"), "50%25 a%0D%0Ab");
  EXPECT_EQ(workflow_property("a:b,c%"), "a%3Ab%2Cc%25");
}

json results_with(const std::string& file, int line) {
  return {
      {"signatures",
       {{{"hash", "abc123"},
         {"tool", "asan"},
         {"kind", "heap-use-after-free"},
         {"summary", "SUMMARY: AddressSanitizer: heap-use-after-free\n::set-output name=x::pwned"},
         {"cells", {"c1", "c2"}},
         {"runs", 3},
         {"attribution", "appears where lib ≥ 3"},
         {"frames",
          {{{"function", "memcpy"}, {"file", "/usr/include/string.h"}, {"line", 10}},
           {{"function", "gate_call"}, {"file", file}, {"line", line}}}}}}}};
}

TEST(Github, AnnotatesTheInnermostFrameInsideTheRepository) {
  std::string out = github_annotations(results_with("/src/repo/lib/gate.c", 42), "/src/repo");
  EXPECT_EQ(out,
            "::error file=lib/gate.c,line=42,title=faultline%3A asan heap-use-after-free::SUMMARY: "
            "AddressSanitizer: "
            "heap-use-after-free%0A::set-output name=x::pwned — in 2 cells, 3 runs; signature "
            "abc123%0Aappears where "
            "lib ≥ 3\n");
}

TEST(Github, FramesOutsideTheRepositoryGiveNoAnnotation) {
  EXPECT_EQ(github_annotations(results_with("/elsewhere/gate.c", 42), "/src/repo"), "");
  EXPECT_EQ(github_annotations(results_with("/src/repo/../other/gate.c", 42), "/src/repo"), "");
}

TEST(Github, AtMostTheLimit) {
  json r = results_with("/src/repo/a.c", 1);
  for (int i = 0; i < 20; ++i) r["signatures"].push_back(r["signatures"][0]);
  std::string out = github_annotations(r, "/src/repo");
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 10);
}

TEST(Github, StopCommandsWrapTheText) {
  std::string out = without_workflow_commands("::error::injected\n");
  ASSERT_EQ(out.rfind("::stop-commands::", 0), 0u);
  const std::string token = out.substr(17, 16);
  EXPECT_THAT(out, HasSubstr("\n::error::injected\n::" + token + "::\n"));
  EXPECT_NE(without_workflow_commands("x"), out);  // a fresh token each time
}

TEST(Github, FoldsEachExcerptInAGroupWithCommandsStopped) {
  json r = results_with("/src/repo/a.c", 1);
  r["signatures"][0]["excerpt"] = "==1==ERROR: AddressSanitizer\n::warning::injected\n";
  std::string out = github_groups(r);
  EXPECT_EQ(
      out.rfind("::group::faultline: asan heap-use-after-free [abc123], 2 cells\n::stop-commands::",
                0),
      0u)
      << out;
  EXPECT_THAT(out, HasSubstr("\n::warning::injected\n::"));
  EXPECT_EQ(out.substr(out.size() - 13), "::endgroup::\n");
}

TEST(Github, OutputsTheVerdictAsRunsExitStatusWouldSayIt) {
  json r = {{"interrupted", false},
            {"totals",
             {{"cells", 4},
              {"crash", 1},
              {"hang", 1},
              {"build_error", 0},
              {"crashing_runs", 3},
              {"signatures", 2}}}};
  EXPECT_EQ(github_outputs(r),
            "verdict=crash\ncrashes=1\nhangs=1\ncells=4\ncrashing_runs=3\nsignatures=2\n");
  r["totals"]["crash"] = 0;
  r["totals"]["hang"] = 0;
  EXPECT_THAT(github_outputs(r), HasSubstr("verdict=pass\n"));
  r["totals"]["build_error"] = 1;  // one cell did not run: the matrix is incomplete
  EXPECT_THAT(github_outputs(r), HasSubstr("verdict=error\n"));
  r["totals"]["build_error"] = 4;
  EXPECT_THAT(github_outputs(r), HasSubstr("verdict=error\n"));
  r["interrupted"] = true;
  EXPECT_THAT(github_outputs(r), HasSubstr("verdict=interrupted\n"));
}

}  // namespace
}  // namespace faultline::reporters
