// The pure steps of `faultline run`'s session: the budget grammar, the stop
// policy, cell selection and the exit status. The whole session runs in tests/run_test.cc.
#include "pipeline/run.h"

#include <gtest/gtest.h>

#include "base/exit_status.h"
#include "matrix/load.h"

namespace faultline::pipeline {
namespace {

TEST(ParseBudget, IsRunsOrATime) {
  auto none = parse_budget("");
  ASSERT_TRUE(none);
  EXPECT_EQ(none->runs, 0);
  EXPECT_EQ(none->seconds, 0);
  auto runs = parse_budget("500");
  ASSERT_TRUE(runs);
  EXPECT_EQ(runs->runs, 500);
  EXPECT_EQ(runs->seconds, 0);
  auto time = parse_budget("10m");
  ASSERT_TRUE(time);
  EXPECT_EQ(time->runs, 0);
  EXPECT_DOUBLE_EQ(time->seconds, 600);
}

TEST(ParseBudget, RefusesAnythingElseNamingIt) {
  for (const char* text : {"0", "ten", "5 runs", "-3", "1234567890"}) {
    auto b = parse_budget(text);
    ASSERT_FALSE(b) << text;
    EXPECT_EQ(b.error().kind, ErrorKind::bad_input);
    EXPECT_EQ(b.error().message, std::string("--budget '") + text +
                                     "' is neither a number of runs (500) nor a time (90s, "
                                     "10m, 1h)");
  }
}

TEST(StopPolicy, TheFlagWinsOverTheMatrix) {
  using matrix::StopPolicy;
  EXPECT_EQ(stop_policy("", StopPolicy::all), StopPolicy::all);
  EXPECT_EQ(stop_policy("first-crash", StopPolicy::all), StopPolicy::first_crash);
  EXPECT_EQ(stop_policy("confidence", StopPolicy::all), StopPolicy::confidence);
  EXPECT_EQ(stop_policy("all", StopPolicy::first_crash), StopPolicy::all);
  EXPECT_STREQ(stop_name(StopPolicy::first_crash), "first-crash");
  EXPECT_STREQ(stop_name(StopPolicy::confidence), "confidence");
  EXPECT_STREQ(stop_name(StopPolicy::all), "all");
}

matrix::Expansion expansion_of(const char* yaml) {
  matrix::LoadResult r = matrix::load_text(yaml, "t.yaml");
  EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("t.yaml");
  matrix::Diagnostics d;
  return matrix::expand(r.config, d);
}

const char* k_matrix = R"(version: 1
components:
  lib: { versions: ["1", "2", "3"] }
sanitizers: [none, asan]
workloads:
  w: { run: "true" }
)";

TEST(SelectCells, OnlyKeepsTheCellsOfEveryAxisAndEitherValueOfOne) {
  const matrix::Expansion e = expansion_of(k_matrix);
  auto all = select_cells(e, {}, "");
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), 6u);
  auto picked = select_cells(e, {"lib=1", "lib=3", "sanitizer=asan"}, "");
  ASSERT_TRUE(picked);
  std::vector<std::string> ids;
  for (std::size_t c : *picked) ids.push_back(e.cells.id(c));
  EXPECT_EQ(ids, (std::vector<std::string>{"lib=1 sanitizer=asan workload=w",
                                           "lib=3 sanitizer=asan workload=w"}));
}

TEST(SelectCells, ShardsSplitTheCellsWithoutOverlap) {
  const matrix::Expansion e = expansion_of(k_matrix);
  std::size_t total = 0;
  for (const char* shard : {"1/2", "2/2"}) {
    auto cells = select_cells(e, {}, shard);
    ASSERT_TRUE(cells) << shard;
    total += cells->size();
  }
  EXPECT_EQ(total, 6u);
}

TEST(SelectCells, NamesWhatMatchesNothing) {
  const matrix::Expansion e = expansion_of(k_matrix);
  auto bad_shard = select_cells(e, {}, "3/2");
  ASSERT_FALSE(bad_shard);
  EXPECT_EQ(bad_shard.error().message, "--shard '3/2' is not K/N with 1 <= K <= N (e.g. 2/4)");
  int empty_shards = 0;  // the one cell of lib=1 with ASan is in one of 6 shards
  for (int k = 1; k <= 6; ++k) {
    const std::string shard = std::to_string(k) + "/6";
    auto cells = select_cells(e, {"lib=1", "sanitizer=asan"}, shard);
    if (cells) continue;
    ++empty_shards;
    EXPECT_EQ(cells.error().message,
              "no cell matches --only lib=1 --only sanitizer=asan in shard " + shard);
  }
  EXPECT_EQ(empty_shards, 5);
}

RunOutcome outcome(int crash, int hang, int build_error, std::size_t cells) {
  RunOutcome o;
  o.cells = cells;
  o.results["totals"] = {{"crash", crash}, {"hang", hang}, {"build_error", build_error}};
  return o;
}

TEST(RunExitStatus, InterruptedThenStoreThenCrashesThenCellsThatDidNotRun) {
  EXPECT_EQ(run_exit_status(outcome(0, 0, 0, 4)), k_exit_ok);
  EXPECT_EQ(run_exit_status(outcome(0, 0, 1, 4)), k_exit_infrastructure);  // incomplete
  EXPECT_EQ(run_exit_status(outcome(1, 0, 0, 4)), k_exit_crashes);
  EXPECT_EQ(run_exit_status(outcome(0, 2, 0, 4)), k_exit_crashes);
  EXPECT_EQ(run_exit_status(outcome(0, 0, 4, 4)), k_exit_infrastructure);
  EXPECT_EQ(run_exit_status(outcome(1, 0, 3, 4)), k_exit_crashes);
  RunOutcome stored = outcome(1, 0, 0, 4);
  stored.store_failed = true;
  EXPECT_EQ(run_exit_status(stored), k_exit_infrastructure);
  RunOutcome stopped = outcome(0, 0, 4, 4);
  stopped.interrupted = true;
  EXPECT_EQ(run_exit_status(stopped), k_exit_interrupted);
}

}  // namespace
}  // namespace faultline::pipeline
