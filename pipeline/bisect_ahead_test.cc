// Tests of pipeline/bisect_ahead.h over the FakeProcessRunner: a build made
// ahead is a cache hit for the probe that chooses its cell; an ahead build the
// search no longer names is cancelled and no probe waits for it; a probe that
// needs a build in flight ahead waits for it instead of building it twice; and
// a whole 2-D bisect (pipeline/bisect.h) with -j 2 builds its next probes ahead.
// Threaded: the ahead builds run on their own threads.
#include "pipeline/bisect_ahead.h"

#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "pipeline/bisect.h"
#include "runner/fake_process_runner.h"
#include "runner/testing/matrix_fixture.h"

namespace faultline::pipeline {
namespace {

using runner::FakeCall;
using runner::FakeProcess;
using runner::FakeProcessRunner;

const char* k_matrix = R"(version: 1
components:
  lib: { versions: ["1", "2", "3", "4"], build: "make lib", inputs: [] }
sanitizers: [none]
workloads:
  w: { run: "work" }
)";

// Polls `done` every 5 ms for up to 10 s.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 2000 && !done(); ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  return done();
}

class BuildAheadTest : public runner::testing::MatrixFixture {
 protected:
  void SetUp() override {
    load("build-ahead", k_matrix);
    if (HasFatalFailure()) return;
    ASSERT_EQ(m_expansion.cell_builds.size(), 4u);
  }
  runner::BuildOptions options(FakeProcessRunner& fake) const {
    runner::BuildOptions o;
    o.state_dir = m_scratch + "/.faultline";
    o.matrix_dir = m_scratch;
    o.matrix_file = m_scratch + "/faultline.yaml";
    o.timeout_ms = 9000;
    o.processes = &fake;
    return o;
  }
  // The cell of lib version `version`, and its builds.
  std::size_t cell(const std::string& version) const {
    for (std::size_t c = 0; c < m_expansion.cell_builds.size(); ++c)
      if (m_expansion.builds[m_expansion.cell_builds[c][0]].version == version) return c;
    ADD_FAILURE() << "no cell of lib " << version;
    return 0;
  }
  std::vector<std::size_t> builds(std::size_t c) const {
    return {m_expansion.cell_builds[c].begin(), m_expansion.cell_builds[c].end()};
  }
  // How many build commands ran for lib `version`.
  static int built(const FakeProcessRunner& fake, const std::string& version) {
    int n = 0;
    for (const FakeCall& c : fake.calls())
      n += c.argv.back() == "make lib" && c.env("FAULTLINE_VERSION") == version;
    return n;
  }
};

// Answers the compiler's --version; the build of lib `blocked` runs until cancelled.
FakeProcessRunner::Script builds_blocking(const std::string& blocked) {
  return [blocked](const FakeCall& c) {
    FakeProcess p;
    if (c.argv.size() == 2 && c.argv[1] == "--version") p.stdout_text = "fakecc 1.0\n";
    if (c.argv.back() == "make lib" && c.env("FAULTLINE_VERSION") == blocked)
      p.wait_for_cancel = true;
    return p;
  };
}

TEST_F(BuildAheadTest, AProbeFindsTheBuildMadeAheadInTheCache) {
  FakeProcessRunner fake(builds_blocking(""));
  BuildAhead ahead(BisectMatrix{m_config, m_expansion}, options(fake), 1);
  ahead.want(cell("1"), {cell("3")});
  ASSERT_TRUE(eventually([&] { return ahead.tally().built == 1; }));
  const auto outcomes = ahead.build_now(builds(cell("3")), options(fake));
  const std::size_t b = builds(cell("3"))[0];
  EXPECT_EQ(outcomes[b].state, runner::BuildState::ok);
  EXPECT_TRUE(outcomes[b].cached) << "made ahead: found in the cache";
  EXPECT_EQ(built(fake, "3"), 1);
  ahead.stop();
  const AheadTally t = ahead.tally();
  EXPECT_EQ(t.built, 1);
  EXPECT_EQ(t.used, 1);
  EXPECT_EQ(t.cancelled, 0);
  EXPECT_EQ(describe_ahead(t), "built ahead: 1, used 1");
}

// lib 2's ahead build never ends on its own: a probe of lib 4 does not wait
// for it; once the search names other versions it is cancelled, and counts as
// cancelled, not built.
TEST_F(BuildAheadTest, AnAheadBuildTheSearchNoLongerNamesIsCancelledAndNotWaitedFor) {
  FakeProcessRunner fake(builds_blocking("2"));
  BuildAhead ahead(BisectMatrix{m_config, m_expansion}, options(fake), 1);
  ahead.want(cell("1"), {cell("2")});
  ASSERT_TRUE(eventually([&] { return built(fake, "2") == 1; }));
  // lib 2 still building: a probe of lib 4 builds at once beside it.
  const auto outcomes = ahead.build_now(builds(cell("4")), options(fake));
  EXPECT_EQ(outcomes[builds(cell("4"))[0]].state, runner::BuildState::ok);
  EXPECT_FALSE(outcomes[builds(cell("4"))[0]].cached);
  EXPECT_EQ(ahead.tally().cancelled, 0);
  ahead.want(cell("3"), {});
  ASSERT_TRUE(eventually([&] { return ahead.tally().cancelled == 1; }));
  ahead.stop();
  EXPECT_EQ(ahead.tally().built, 0);
  EXPECT_EQ(ahead.tally().used, 0);
  EXPECT_EQ(describe_ahead(ahead.tally()), "built ahead: 0, used 0, cancelled 1");
}

// A probe of the cell whose build is in flight ahead waits for it (and is not
// built twice); stopping cancels nothing the probe needed.
TEST_F(BuildAheadTest, AProbeWaitsForItsBuildInFlightAheadInsteadOfBuildingItTwice) {
  FakeProcessRunner fake([](const FakeCall& c) {
    FakeProcess p;
    if (c.argv.size() == 2 && c.argv[1] == "--version") p.stdout_text = "fakecc 1.0\n";
    if (c.argv.back() == "make lib") std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return p;
  });
  BuildAhead ahead(BisectMatrix{m_config, m_expansion}, options(fake), 2);
  ahead.want(cell("1"), {cell("2"), cell("3")});
  ASSERT_TRUE(eventually([&] { return built(fake, "2") == 1 && built(fake, "3") == 1; }));
  ahead.want(cell("2"), {cell("3")});
  const auto outcomes = ahead.build_now(builds(cell("2")), options(fake));
  EXPECT_EQ(outcomes[builds(cell("2"))[0]].state, runner::BuildState::ok);
  EXPECT_EQ(built(fake, "2"), 1) << "built once, ahead";
  ahead.stop();
  EXPECT_EQ(ahead.tally().used, 1);
  EXPECT_EQ(ahead.tally().built, 2);
  EXPECT_GE(fake.max_in_flight(), 2) << "two ahead builds at once with two threads";
}

// lib 3's build fails ahead: the probe that then chooses lib 3 gets that failure
// (its command and log tail) without building it again, and lib 3 is settled.
TEST_F(BuildAheadTest, AVersionWhoseAheadBuildFailedIsNotBuiltAgainByItsProbe) {
  FakeProcessRunner fake([](const FakeCall& c) {
    FakeProcess p;
    if (c.argv.size() == 2 && c.argv[1] == "--version") p.stdout_text = "fakecc 1.0\n";
    if (c.argv.back() == "make lib" && c.env("FAULTLINE_VERSION") == "3") {
      p.exit_code = 2;
      p.stderr_text = "lib.c:1:1: error: expected ';'\n";
    }
    return p;
  });
  BuildAhead ahead(BisectMatrix{m_config, m_expansion}, options(fake), 1);
  const std::size_t b = builds(cell("3"))[0];
  EXPECT_FALSE(ahead.settled(b));
  ahead.want(cell("1"), {cell("3")});
  ASSERT_TRUE(eventually([&] { return ahead.settled(b); }));
  const auto outcomes = ahead.build_now(builds(cell("3")), options(fake));
  EXPECT_EQ(outcomes[b].state, runner::BuildState::failed);
  EXPECT_TRUE(outcomes[b].reused);
  EXPECT_FALSE(outcomes[b].cached);
  EXPECT_EQ(outcomes[b].command, "make lib");
  EXPECT_EQ(outcomes[b].log_tail, "$ make lib\nlib.c:1:1: error: expected ';'\n");
  EXPECT_EQ(built(fake, "3"), 1) << "built once, ahead; the probe reused its failure";
  ahead.want(cell("2"), {cell("3")});  // named again: not built again ahead either
  const auto two = ahead.build_now(builds(cell("2")), options(fake));
  EXPECT_EQ(two[builds(cell("2"))[0]].state, runner::BuildState::ok);
  ahead.stop();
  EXPECT_EQ(built(fake, "3"), 1);
  const AheadTally t = ahead.tally();
  EXPECT_EQ(t.built, 0);
  EXPECT_EQ(t.builds, 1);  // the failed build ran once, ahead
}

// A plane of a 1–3 (rows) × b 1–4 (columns), built separately; a cell crashes
// (SIGSEGV) from b=3 with a=2 and from b=2 with a=3, never with a=1.
const char* k_plane_matrix = R"(version: 1
components:
  a: { versions: ["1", "2", "3"], build: "make a", inputs: [] }
  b: { versions: ["1", "2", "3", "4"], build: "make b", inputs: [] }
sanitizers: [none]
workloads:
  w: { run: "work {{ a }} {{ b }}" }
)";

class PlaneAheadTest : public runner::testing::MatrixFixture {
 protected:
  void SetUp() override { load("plane-ahead", k_plane_matrix); }
  // `faultline bisect --axes a,b --any-crash --runs-per-pair 2 -j JOBS` over `fake`;
  // its exit status, step log (lines progress) in `log`, answer file in `answer`.
  int bisect(FakeProcessRunner& fake, int jobs, std::string& log, nlohmann::json& answer) {
    BisectRequest request;
    request.file = m_scratch + "/faultline.yaml";
    request.any_crash = true;
    request.runs_per_pair = 2;
    request.no_results = true;
    const BisectMatrix in{m_config, m_expansion};
    auto plane = find_plane(in, {"a", "b"}, {});
    EXPECT_TRUE(plane.has_value());
    if (!plane) return -1;
    BisectPlace place{m_scratch, m_scratch + "/.faultline", m_scratch + "/.faultline/fl.db", jobs};
    place.processes = &fake;
    std::filesystem::create_directories(place.state_dir);
    std::ostringstream out, err;
    const int status = run_bisect(request, in, *plane, place, BisectOutput{out, err, {}});
    log = err.str();
    answer =
        nlohmann::json::parse(std::ifstream(place.state_dir + "/bisect-a-b.json"), nullptr, false);
    return status;
  }
};

// How many times the build of component `c` (a or b) at `version` ran.
int built(const FakeProcessRunner& fake, const std::string& c, const std::string& version) {
  int n = 0;
  for (const FakeCall& call : fake.calls())
    n += call.argv.back() == "make " + c && call.env("FAULTLINE_VERSION") == version;
  return n;
}

// Builds end at once; each run takes 300 ms, time enough for the next
// probes' builds to be made ahead beside it.
FakeProcess plane_process(const FakeCall& c) {
  FakeProcess p;
  if (c.argv.size() == 2 && c.argv[1] == "--version") p.stdout_text = "fakecc 1.0\n";
  if (c.env("FAULTLINE_A").empty() || c.argv.back().rfind("make ", 0) == 0) return p;
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  const int a = std::stoi(c.env("FAULTLINE_A")), b = std::stoi(c.env("FAULTLINE_B"));
  if ((a == 2 && b >= 3) || (a == 3 && b >= 2)) p.signal = SIGSEGV;
  return p;
}

// How many lines of `log` start with `prefix`.
std::size_t lines_starting(const std::string& log, const std::string& prefix) {
  std::size_t n = 0;
  for (std::size_t at = 0; (at = log.find("\n" + prefix, at)) != std::string::npos; ++at) ++n;
  return n + (log.rfind(prefix, 0) == 0);
}

// The first call of `fake` that `is`, by start order; calls().size() when none.
std::size_t first_call(const FakeProcessRunner& fake,
                       const std::function<bool(const FakeCall&)>& is) {
  const auto calls = fake.calls();
  for (std::size_t i = 0; i < calls.size(); ++i)
    if (is(calls[i])) return i;
  return calls.size();
}

// The staircase probes a=2 b=3 (a crash) first, naming a=2 b=2 (its next after
// a crash) to build ahead: b=2 is built while a=2 b=3 runs, and the probe of
// a=2 b=2 builds nothing. Every build runs once, the probes' and the ahead
// builds' alike. (Which step line says "its build was made ahead" first
// depends on whether a=2 was built ahead too, for a=2 b=2, or by a=2 b=3's probe.)
TEST_F(PlaneAheadTest, TwoJobsBuildTheStaircasesNextProbeAheadAndItsProbeBuildsNothing) {
  FakeProcessRunner fake(plane_process);
  std::string log;
  nlohmann::json answer;
  ASSERT_EQ(bisect(fake, 2, log, answer), 1) << log;
  ASSERT_TRUE(answer.is_object()) << log;
  EXPECT_NE(log.find("\n  a=2 b=2: target in 0 of 2 runs; < 78% at 95%; leading first crashing "
                     "a=2 b=3 (posterior 0.500)"),
            std::string::npos)
      << log;
  EXPECT_NE(log.find("; its build was made ahead\n"), std::string::npos) << log;
  EXPECT_EQ(lines_starting(log, "built for probe a=2 b=2 "), 0u) << log;
  const std::size_t b2_built = first_call(fake, [](const FakeCall& c) {
    return c.argv.back() == "make b" && c.env("FAULTLINE_VERSION") == "2";
  });
  const std::size_t b2_ran = first_call(fake, [](const FakeCall& c) {
    return c.env("FAULTLINE_A") == "2" && c.env("FAULTLINE_B") == "2" &&
           c.argv.back().rfind("make ", 0) != 0;
  });
  const std::size_t b3_ran = first_call(fake, [](const FakeCall& c) {
    return c.env("FAULTLINE_A") == "2" && c.env("FAULTLINE_B") == "3" &&
           c.argv.back().rfind("make ", 0) != 0;
  });
  EXPECT_LT(b3_ran, b2_ran);
  EXPECT_LT(b2_built, b2_ran) << "b=2 built before its probe ran";
  int builds = 0;
  for (const std::string c : {"a", "b"})
    for (const std::string v : {"1", "2", "3", "4"}) {
      if (c == "a" && v == "4") continue;
      EXPECT_EQ(built(fake, c, v), 1) << c << " " << v << "\n" << log;
      builds += built(fake, c, v);
    }
  EXPECT_EQ(builds, 7);
  EXPECT_EQ(answer["costs"]["builds"], 7) << answer.dump();
  EXPECT_GE(answer["built_ahead"]["used"].get<int>(), 1) << answer.dump();
  EXPECT_EQ(answer["first_crashing_by_row"], nlohmann::json::parse(R"({"1":null,"2":"3","3":"2"})"))
      << answer.dump();
}

// A 2-D cell has two builds: its probe says "built for probe" once, for both
// ("(2 builds)"), or for the one it ran when the other was built before (-j 1:
// every probe builds its own).
TEST_F(PlaneAheadTest, AProbeSaysBuiltForProbeOnceForItsBuilds) {
  FakeProcessRunner fake(plane_process);
  std::string log;
  nlohmann::json answer;
  ASSERT_EQ(bisect(fake, 1, log, answer), 1) << log;
  EXPECT_EQ(lines_starting(log, "built for probe "), 5u) << log;
  const std::vector<std::pair<std::string, std::string>> probes = {{"a=2 b=3", " \\(2 builds\\)"},
                                                                   {"a=2 b=2", ""},
                                                                   {"a=1 b=4", " \\(2 builds\\)"},
                                                                   {"a=3 b=2", ""},
                                                                   {"a=3 b=1", ""}};
  for (const auto& [cell, count] : probes) {
    EXPECT_EQ(lines_starting(log, "built for probe " + cell + " "), 1u) << cell << "\n" << log;
    const std::regex line("(^|\n)built for probe " + cell + " in [0-9]+\\.[0-9] s" + count + "\n");
    EXPECT_TRUE(std::regex_search(log, line)) << cell << "\n" << log;
  }
}

}  // namespace
}  // namespace faultline::pipeline
