// Tests of runner/builds.h over the FakeProcessRunner: which commands the build
// cache runs, in which order, what a cache hit and a failed dependency run, and
// what each outcome says. No process starts; each test works in its own scratch
// directory, left behind and printed when the test fails.
#include "runner/builds.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "runner/fake_process_runner.h"
#include "runner/testing/matrix_fixture.h"

namespace faultline::runner {
namespace {

// app depends on lib; neither reads local files, so the keys are stable.
const char* k_matrix = R"(version: 1
components:
  lib: { versions: ["1.0"], build: "make lib", inputs: [] }
  app: { versions: ["2.0"], depends: [lib], build: "make app", inputs: [] }
sanitizers: [none]
workloads:
  w: { run: "work" }
)";

using Argv = std::vector<std::string>;

class BuildsTest : public testing::MatrixFixture {
 protected:
  void SetUp() override {
    load("builds", k_matrix);
    if (HasFatalFailure()) return;
    ASSERT_EQ(m_expansion.builds.size(), 2u);
    ASSERT_EQ(m_expansion.builds[0].id, "lib=1.0 sanitizer=none");
    ASSERT_EQ(m_expansion.builds[1].id, "app=2.0 lib=1.0 sanitizer=none");
  }

  // Builds what the app needs (and so lib first) with `fake`.
  std::vector<BuildOutcome> build(FakeProcessRunner& fake) {
    BuildOptions o;
    o.state_dir = m_scratch + "/.faultline";
    o.matrix_dir = m_scratch;
    o.matrix_file = m_scratch + "/faultline.yaml";
    o.timeout_ms = 9000;
    o.processes = &fake;
    return run_builds(m_config, m_expansion, {1}, o);
  }
};

// Answers the compiler's --version and fails the build commands listed.
FakeProcessRunner::Script compiler_and(std::vector<std::string> failing = {}) {
  return [failing](const FakeCall& c) {
    FakeProcess p;
    if (c.argv.size() == 2 && c.argv[1] == "--version") p.stdout_text = "fakecc 1.0\n";
    for (const std::string& command : failing)
      if (c.argv.back() == command) {
        p.exit_code = 2;
        p.stderr_text = "make: *** No rule to make target 'lib'.  Stop.\n";
      }
    return p;
  };
}

std::vector<Argv> commands(const FakeProcessRunner& fake) {
  std::vector<Argv> out;
  for (const FakeCall& c : fake.calls()) out.push_back(c.argv);
  return out;
}

std::string read(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

TEST_F(BuildsTest, DependenciesBuildFirstEachThroughTheShellInTheMatrixFolder) {
  FakeProcessRunner fake(compiler_and());
  std::vector<BuildOutcome> out = build(fake);
  const std::string cc = fake.calls().at(0).argv.at(0);
  EXPECT_EQ(commands(fake),
            (std::vector<Argv>{
                {cc, "--version"}, {"/bin/sh", "-c", "make lib"}, {"/bin/sh", "-c", "make app"}}));
  const FakeCall app = fake.calls().at(2);
  EXPECT_EQ(app.working_directory, m_scratch);
  EXPECT_EQ(app.timeout, std::chrono::milliseconds(9000));
  EXPECT_EQ(app.env("FAULTLINE_PREFIX_LIB"), out[0].prefix);
  EXPECT_EQ(app.env("FAULTLINE_PREFIX"), out[1].prefix);
  for (const BuildOutcome& o : out) {
    EXPECT_EQ(o.state, BuildState::ok);
    EXPECT_FALSE(o.cached);
    EXPECT_EQ(o.error, "");
  }
  EXPECT_EQ(read(out[1].log_path), "$ make app\n");
}

TEST_F(BuildsTest, ASecondBuildOfTheSameKeysRunsNoBuildCommand) {
  FakeProcessRunner first(compiler_and());
  std::vector<BuildOutcome> built = build(first);
  FakeProcessRunner second(compiler_and());
  std::vector<BuildOutcome> cached = build(second);
  const std::string cc = first.calls().at(0).argv.at(0);
  EXPECT_EQ(commands(second), (std::vector<Argv>{{cc, "--version"}}));  // the key's compiler only
  for (std::size_t b = 0; b < 2; ++b) {
    EXPECT_EQ(cached[b].state, BuildState::ok);
    EXPECT_TRUE(cached[b].cached);
    EXPECT_EQ(cached[b].key, built[b].key);
    EXPECT_EQ(cached[b].dir, built[b].dir);
  }
}

// find_only looks in the cache: before the builds, nothing is found and nothing
// is made; after them, both are found, cached, and no build command runs.
TEST_F(BuildsTest, FindOnlyLooksInTheCacheAndBuildsNothing) {
  BuildOptions o;
  o.state_dir = m_scratch + "/.faultline";
  o.matrix_dir = m_scratch;
  o.matrix_file = m_scratch + "/faultline.yaml";
  o.find_only = true;
  FakeProcessRunner before(compiler_and());
  o.processes = &before;
  std::vector<BuildOutcome> none = run_builds(m_config, m_expansion, {1}, o);
  const std::string cc = before.calls().at(0).argv.at(0);
  EXPECT_EQ(commands(before), (std::vector<Argv>{{cc, "--version"}}));
  for (std::size_t b = 0; b < 2; ++b) {
    EXPECT_EQ(none[b].state, BuildState::not_needed);
    EXPECT_FALSE(none[b].cached);
    EXPECT_FALSE(std::filesystem::exists(none[b].dir)) << none[b].dir;
  }
  FakeProcessRunner real(compiler_and());
  build(real);
  FakeProcessRunner after(compiler_and());
  o.processes = &after;
  std::vector<BuildOutcome> found = run_builds(m_config, m_expansion, {1}, o);
  EXPECT_EQ(commands(after), (std::vector<Argv>{{cc, "--version"}}));
  for (std::size_t b = 0; b < 2; ++b) {
    EXPECT_EQ(found[b].state, BuildState::ok);
    EXPECT_TRUE(found[b].cached);
  }
}

TEST_F(BuildsTest, AnotherCompilerVersionIsAnotherKeyAndRebuilds) {
  FakeProcessRunner first(compiler_and());
  std::vector<BuildOutcome> built = build(first);
  FakeProcessRunner upgraded([](const FakeCall& c) {
    FakeProcess p;
    if (c.argv.back() == "--version") p.stdout_text = "fakecc 2.0\n";
    return p;
  });
  std::vector<BuildOutcome> rebuilt = build(upgraded);
  EXPECT_EQ(upgraded.calls().size(), 3u);
  EXPECT_NE(rebuilt[0].key, built[0].key);
  EXPECT_FALSE(rebuilt[0].cached);
}

TEST_F(BuildsTest, AFailedDependencyFailsItsDependentsWithoutRunningThem) {
  FakeProcessRunner fake(compiler_and({"make lib"}));
  std::vector<BuildOutcome> out = build(fake);
  const std::string cc = fake.calls().at(0).argv.at(0);
  EXPECT_EQ(commands(fake), (std::vector<Argv>{{cc, "--version"}, {"/bin/sh", "-c", "make lib"}}));
  EXPECT_EQ(out[0].state, BuildState::failed);
  EXPECT_EQ(out[0].error,
            "the build command exit 2: make: *** No rule to make target 'lib'.  Stop.");
  EXPECT_EQ(out[0].log_tail, "$ make lib\nmake: *** No rule to make target 'lib'.  Stop.\n");
  EXPECT_EQ(out[1].state, BuildState::dependency_failed);
  EXPECT_EQ(out[1].error, "its dependency lib=1.0 sanitizer=none failed to build");
  EXPECT_FALSE(std::filesystem::exists(out[1].log_path));
}

TEST_F(BuildsTest, AFailedBuildIsNotCachedAndRunsAgainNextTime) {
  FakeProcessRunner failing(compiler_and({"make lib"}));
  build(failing);
  FakeProcessRunner fixed(compiler_and());
  std::vector<BuildOutcome> out = build(fixed);
  EXPECT_EQ(fixed.calls().size(), 3u);
  EXPECT_EQ(out[0].state, BuildState::ok);
  EXPECT_FALSE(out[0].cached);
  EXPECT_EQ(out[1].state, BuildState::ok);
}

TEST_F(BuildsTest, ABuildThatCannotStartFailsNamingTheCause) {
  FakeProcessRunner fake([](const FakeCall& c) {
    FakeProcess p;
    if (c.argv.back() == "make lib") p.spawn_error = "cannot run '/bin/sh': no such file";
    return p;
  });
  std::vector<BuildOutcome> out = build(fake);
  EXPECT_EQ(out[0].state, BuildState::failed);
  EXPECT_EQ(out[0].error, "cannot run '/bin/sh': no such file");
  EXPECT_EQ(read(out[0].log_path), "$ make lib\ncannot run '/bin/sh': no such file\n");
  EXPECT_EQ(out[1].state, BuildState::dependency_failed);
}

}  // namespace
}  // namespace faultline::runner
