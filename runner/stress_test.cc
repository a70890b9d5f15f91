// Tests of runner/stress.h over the FakeProcessRunner: which runs the loop asks
// for, in which order and how many at once, and how it counts what they did.
// No process starts; each test works in its own scratch directory, left behind
// and printed when the test fails.
#include "runner/stress.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "runner/fake_process_runner.h"
#include "runner/testing/matrix_fixture.h"

namespace faultline::runner {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

// Two cells (n=a, n=b) of one workload that needs no shell.
const char* k_matrix = R"(version: 1
components:
  lib: { versions: ["1.0"] }
sanitizers: [none]
workloads:
  w: { run: "work", params: { n: [a, b] }, timeout: 7s }
)";
const std::string k_cell_a = "lib=1.0 sanitizer=none workload=w n=a";

class StressLoopTest : public testing::MatrixFixture {
 protected:
  void SetUp() override {
    load("stress", k_matrix);
    if (HasFatalFailure()) return;
    ASSERT_EQ(m_expansion.cells.size(), 2u);
    ASSERT_EQ(m_expansion.cells.id(0), k_cell_a);
  }

  StressOptions options(FakeProcessRunner& fake, int runs, matrix::StopPolicy stop) {
    StressOptions o;
    o.runs = runs;
    o.stop = stop;
    o.matrix_dir = m_scratch;
    o.state_dir = m_scratch + "/.faultline";
    o.stacks_on_timeout = false;
    o.core_stacks = false;
    o.processes = &fake;
    return o;
  }

  // Runs the loop over `cells`; the records it handed out, in order.
  std::vector<RunRecord> run(StressLoop& loop, std::vector<std::size_t> cells = {0, 1}) {
    for (std::size_t c : cells) loop.add_cell(c, {m_scratch + "/prefix"});
    std::vector<RunRecord> records;
    loop.run([&](const RunRecord& r) { records.push_back(r); });
    return records;
  }
};

// The (cell, run index) of each call, in the order the calls started.
std::vector<std::pair<std::string, int>> asked(const FakeProcessRunner& fake) {
  std::vector<std::pair<std::string, int>> out;
  for (const FakeCall& c : fake.calls())
    out.emplace_back(c.env("FAULTLINE_N"), std::stoi(c.env("FAULTLINE_RUN_INDEX")));
  return out;
}

bool is(const FakeCall& call, const std::string& n, int run) {
  return call.env("FAULTLINE_N") == n && call.env("FAULTLINE_RUN_INDEX") == std::to_string(run);
}

FakeProcess exits(int code) {
  FakeProcess p;
  p.exit_code = code;
  return p;
}

FakeProcess killed_by(int sig) {
  FakeProcess p;
  p.exit_code.reset();
  p.signal = sig;
  return p;
}

TEST_F(StressLoopTest, EachRunIsTheWorkloadCommandInTheMatrixFolderWithItsTimeout) {
  FakeProcessRunner fake;
  StressLoop loop(m_config, m_expansion, options(fake, 1, matrix::StopPolicy::all));
  run(loop, {0});
  ASSERT_EQ(fake.calls().size(), 1u);
  const FakeCall call = fake.calls()[0];
  EXPECT_EQ(call.argv, std::vector<std::string>{"work"});
  EXPECT_EQ(call.working_directory, m_scratch);
  EXPECT_EQ(call.timeout, milliseconds(7000));
  EXPECT_EQ(call.env("FAULTLINE_CELL"), k_cell_a);
  EXPECT_EQ(call.env("FAULTLINE_WORKDIR"),
            m_scratch + "/.faultline/work/" + m_expansion.cells.hash(0));
  EXPECT_FALSE(call.core_dumps);
}

TEST_F(StressLoopTest, FirstCrashStopsOnlyTheCellThatCrashed) {
  FakeProcessRunner fake(
      [](const FakeCall& c) { return is(c, "a", 3) ? exits(3) : FakeProcess{}; });
  StressLoop loop(m_config, m_expansion, options(fake, 6, matrix::StopPolicy::first_crash));
  std::vector<RunRecord> records = run(loop);
  // Run-major order: run 0 of every cell, then run 1, …; cell a ends after run 3.
  EXPECT_EQ(asked(fake), (std::vector<std::pair<std::string, int>>{{"a", 0},
                                                                   {"b", 0},
                                                                   {"a", 1},
                                                                   {"b", 1},
                                                                   {"a", 2},
                                                                   {"b", 2},
                                                                   {"a", 3},
                                                                   {"b", 3},
                                                                   {"b", 4},
                                                                   {"b", 5}}));
  ASSERT_EQ(records.size(), 10u);
  EXPECT_EQ(records[6].outcome, "crash");
  ASSERT_EQ(records[6].crashes.size(), 1u);
  EXPECT_EQ(records[6].crashes[0].kind, "nonzero-exit");
  EXPECT_EQ(records[6].crashes[0].summary, "the workload ended with exit 3 and no crash report");
  EXPECT_EQ(loop.results().at(0).runs, 4);
  EXPECT_EQ(loop.results().at(0).crashes, 1);
  EXPECT_EQ(loop.results().at(0).verdict(), Verdict::crash);
  EXPECT_EQ(loop.results().at(1).runs, 6);
  EXPECT_EQ(loop.results().at(1).verdict(), Verdict::pass);
}

TEST_F(StressLoopTest, AHangStopsTheCellUnderFirstCrash) {
  FakeProcessRunner fake([](const FakeCall& c) {
    FakeProcess p;
    p.time_out = c.env("FAULTLINE_RUN_INDEX") == "1";
    return p;
  });
  StressLoop loop(m_config, m_expansion, options(fake, 5, matrix::StopPolicy::first_crash));
  std::vector<RunRecord> records = run(loop, {0});
  ASSERT_EQ(records.size(), 2u);
  EXPECT_EQ(records[1].outcome, "hang");
  EXPECT_EQ(records[1].signal, SIGTERM);
  EXPECT_DOUBLE_EQ(records[1].wall_seconds, 7.0);
  EXPECT_EQ(loop.results().at(0).hangs, 1);
  EXPECT_EQ(loop.results().at(0).verdict(), Verdict::hang);
}

TEST_F(StressLoopTest, StopAtIgnoresOtherCrashesAndStopsAtTheTarget) {
  FakeProcessRunner fake([](const FakeCall& c) {
    if (c.env("FAULTLINE_RUN_INDEX") == "1") return exits(3);
    if (c.env("FAULTLINE_RUN_INDEX") == "4") return killed_by(SIGSEGV);
    return FakeProcess{};
  });
  StressOptions o = options(fake, 10, matrix::StopPolicy::first_crash);
  o.stop_at = [](const sanitizers::Crash& c) { return c.kind == "SIGSEGV"; };
  StressLoop loop(m_config, m_expansion, o);
  run(loop, {0});
  EXPECT_EQ(fake.calls().size(), 5u);
  EXPECT_EQ(loop.results().at(0).runs, 5);
  EXPECT_EQ(loop.results().at(0).crashes, 2);
  EXPECT_EQ(loop.results().at(0).signatures.size(), 2u);
  EXPECT_EQ(loop.signatures().size(), 2u);
}

TEST_F(StressLoopTest, StopAllRunsEveryRunAndCountsEachCrash) {
  FakeProcessRunner fake([](const FakeCall& c) {
    return std::stoi(c.env("FAULTLINE_RUN_INDEX")) % 2 == 0 ? killed_by(SIGABRT) : FakeProcess{};
  });
  StressLoop loop(m_config, m_expansion, options(fake, 10, matrix::StopPolicy::all));
  run(loop, {0});
  EXPECT_EQ(fake.calls().size(), 10u);
  EXPECT_EQ(loop.results().at(0).runs, 10);
  EXPECT_EQ(loop.results().at(0).crashes, 5);
  EXPECT_EQ(loop.runs_with(0, ""), 5);
}

TEST_F(StressLoopTest, ConfidenceStopsOnceTheIntervalIsNarrowEnough) {
  // 0 crashes of 10 runs: the 95% interval is [0, 0.278], narrower than 0.3.
  FakeProcessRunner fake;
  StressOptions o = options(fake, 100, matrix::StopPolicy::confidence);
  o.precision = 0.3;
  StressLoop loop(m_config, m_expansion, o);
  run(loop, {0});
  EXPECT_EQ(fake.calls().size(), 10u);
  EXPECT_EQ(loop.results().at(0).runs, 10);
}

TEST_F(StressLoopTest, ATimeBudgetEndsACellOnceItsRunsTookThatLong) {
  FakeProcessRunner fake([](const FakeCall&) {
    FakeProcess p;
    p.wall = seconds(2);
    return p;
  });
  StressOptions o = options(fake, 10, matrix::StopPolicy::all);
  o.budget_seconds = 5;
  StressLoop loop(m_config, m_expansion, o);
  run(loop);
  // 2 s, 4 s, 6 s: the third run crosses the 5 s budget; each cell has its own.
  EXPECT_EQ(fake.calls().size(), 6u);
  EXPECT_EQ(loop.results().at(0).runs, 3);
  EXPECT_DOUBLE_EQ(loop.results().at(0).wall_seconds, 6.0);
  EXPECT_EQ(loop.results().at(1).runs, 3);
  EXPECT_EQ(loop.planned_runs(), 20u);
}

TEST_F(StressLoopTest, ARunsBudgetOfZeroRunsNothing) {
  FakeProcessRunner fake;
  StressLoop loop(m_config, m_expansion, options(fake, 0, matrix::StopPolicy::all));
  EXPECT_TRUE(run(loop).empty());
  EXPECT_TRUE(fake.calls().empty());
  EXPECT_EQ(loop.results().at(0).verdict(), Verdict::skipped);
}

TEST_F(StressLoopTest, ResumeRunsOnlyTheRunsNotYetRecorded) {
  FakeProcessRunner fake;
  StressLoop loop(m_config, m_expansion, options(fake, 5, matrix::StopPolicy::all));
  for (int index : {0, 1, 3}) {
    RunRecord done;
    done.cell = 0;
    done.index = index;
    done.outcome = "pass";
    loop.add_previous(done);
    loop.add_previous(done);  // the same run twice is counted once
  }
  std::vector<RunRecord> records = run(loop, {0});
  EXPECT_EQ(asked(fake), (std::vector<std::pair<std::string, int>>{{"a", 2}, {"a", 4}}));
  EXPECT_EQ(records.size(), 2u);
  EXPECT_EQ(loop.results().at(0).runs, 5);
}

TEST_F(StressLoopTest, AResumedCellThatAlreadyCrashedRunsNoMore) {
  FakeProcessRunner fake;
  StressLoop loop(m_config, m_expansion, options(fake, 5, matrix::StopPolicy::first_crash));
  RunRecord crashed;
  crashed.cell = 0;
  crashed.index = 0;
  crashed.outcome = "crash";
  loop.add_previous(crashed);
  run(loop, {0});
  EXPECT_TRUE(fake.calls().empty());
  EXPECT_EQ(loop.results().at(0).verdict(), Verdict::crash);
}

TEST_F(StressLoopTest, FirstIndexContinuesTheRunNumbers) {
  FakeProcessRunner fake;
  StressOptions o = options(fake, 3, matrix::StopPolicy::all);
  o.first_index = 5;
  StressLoop loop(m_config, m_expansion, o);
  std::vector<RunRecord> records = run(loop, {0});
  EXPECT_EQ(asked(fake), (std::vector<std::pair<std::string, int>>{{"a", 5}, {"a", 6}, {"a", 7}}));
  ASSERT_EQ(records.size(), 3u);
  EXPECT_EQ(records[2].index, 7);
}

TEST_F(StressLoopTest, NoMoreThanJobsRunsAreInFlight) {
  FakeProcessRunner fake;
  fake.rendezvous(3);
  StressOptions o = options(fake, 6, matrix::StopPolicy::all);
  o.jobs = 3;
  StressLoop loop(m_config, m_expansion, o);
  std::vector<RunRecord> records = run(loop);
  EXPECT_EQ(fake.max_in_flight(), 3);
  EXPECT_EQ(fake.calls().size(), 12u);
  std::set<std::pair<std::string, int>> distinct;
  for (const auto& a : asked(fake)) distinct.insert(a);
  EXPECT_EQ(distinct.size(), 12u);
  EXPECT_EQ(records.size(), 12u);
}

TEST_F(StressLoopTest, RunsInFlightAtAFirstCrashAreCountedAndNoNewOneStarts) {
  // Every run crashes; runs 0, 1 and 2 are in flight together. The first crash
  // counted ends the cell: the other two are still counted, runs 3 and 4 never start.
  FakeProcessRunner fake([](const FakeCall&) { return exits(1); });
  fake.rendezvous(3);
  StressOptions o = options(fake, 5, matrix::StopPolicy::first_crash);
  o.jobs = 3;
  StressLoop loop(m_config, m_expansion, o);
  std::vector<RunRecord> records = run(loop, {0});
  std::multiset<std::pair<std::string, int>> got;
  for (const auto& a : asked(fake)) got.insert(a);
  EXPECT_EQ(got, (std::multiset<std::pair<std::string, int>>{{"a", 0}, {"a", 1}, {"a", 2}}));
  EXPECT_EQ(records.size(), 3u);
  EXPECT_EQ(loop.results().at(0).runs, 3);
  EXPECT_EQ(loop.results().at(0).crashes, 3);
  EXPECT_EQ(fake.max_in_flight(), 3);
}

TEST_F(StressLoopTest, AnInterruptedRunIsCountedAsInterruptedNeverAsAPass) {
  std::atomic<bool> cancel{false};
  FakeProcessRunner fake([&](const FakeCall& c) {
    if (c.env("FAULTLINE_RUN_INDEX") == "0") {
      FakeProcess p;
      p.wait_for_cancel = true;  // in flight when Ctrl-C comes
      return p;
    }
    cancel = true;  // run 1 ends normally, as Ctrl-C arrives
    return FakeProcess{};
  });
  fake.rendezvous(2);
  StressOptions o = options(fake, 4, matrix::StopPolicy::all);
  o.jobs = 2;
  o.cancel = &cancel;
  StressLoop loop(m_config, m_expansion, o);
  std::vector<RunRecord> records = run(loop, {0});
  EXPECT_EQ(fake.calls().size(), 2u);  // nothing starts after the interrupt
  ASSERT_EQ(records.size(), 1u);       // the interrupted run is not handed out as a result
  EXPECT_EQ(records[0].index, 1);
  EXPECT_EQ(records[0].outcome, "pass");
  const CellResult& a = loop.results().at(0);
  EXPECT_EQ(a.runs, 1);
  EXPECT_EQ(a.interrupted, 1);
  EXPECT_EQ(a.crashes, 0);
}

TEST_F(StressLoopTest, ACommandThatCannotStartIsACrashOfFaultlineNamingTheCause) {
  FakeProcessRunner fake([](const FakeCall&) {
    FakeProcess p;
    p.spawn_error = "cannot run 'work': no such program in PATH (/usr/bin:/bin)";
    return p;
  });
  StressLoop loop(m_config, m_expansion, options(fake, 3, matrix::StopPolicy::first_crash));
  std::vector<RunRecord> records = run(loop, {0});
  ASSERT_EQ(records.size(), 1u);
  EXPECT_EQ(records[0].outcome, "crash");
  ASSERT_EQ(records[0].crashes.size(), 1u);
  EXPECT_EQ(records[0].crashes[0].tool, "faultline");
  EXPECT_EQ(records[0].crashes[0].kind, "spawn-failed");
  EXPECT_EQ(records[0].crashes[0].summary,
            "cannot run 'work': no such program in PATH (/usr/bin:/bin)");
}

TEST_F(StressLoopTest, ACellWithABuildErrorRunsNothing) {
  FakeProcessRunner fake;
  StressLoop loop(m_config, m_expansion, options(fake, 3, matrix::StopPolicy::all));
  loop.add_cell(0, {m_scratch + "/prefix"});
  loop.mark_build_error(0, "the build command exit 2", "make", "no rule");
  loop.run([](const RunRecord&) {});
  EXPECT_TRUE(fake.calls().empty());
  EXPECT_EQ(loop.results().at(0).verdict(), Verdict::build_error);
  EXPECT_EQ(loop.planned_runs(), 0u);
}

}  // namespace
}  // namespace faultline::runner
