#include "matrix/load.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "matrix/expand.h"

namespace faultline::matrix {
namespace {

namespace fs = std::filesystem;

const fs::path k_bad_dir = fs::path(FAULTLINE_SOURCE_DIR) / "matrix" / "testdata" / "bad";

std::string slurp(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// What `faultline validate` prints on stderr for a file: load, then expand.
std::string diagnose(const std::string& text, const std::string& name) {
  LoadResult r = load_text(text, name);
  if (!r.diagnostics.empty()) return r.diagnostics.render(name);
  Diagnostics d;
  expand(r.config, d);
  return d.render(name);
}

// Golden tests: every testdata/bad/NAME.yaml is refused with exactly the text of
// NAME.expected. FAULTLINE_UPDATE_GOLDEN=1 rewrites the .expected files.
class BadMatrix : public ::testing::TestWithParam<std::string> {};

TEST_P(BadMatrix, IsRefusedWithItsExactMessages) {
  const fs::path yaml = k_bad_dir / (GetParam() + ".yaml");
  const fs::path expected = k_bad_dir / (GetParam() + ".expected");
  std::string actual = diagnose(slurp(yaml), GetParam() + ".yaml");
  if (std::getenv("FAULTLINE_UPDATE_GOLDEN")) std::ofstream(expected, std::ios::binary) << actual;
  EXPECT_NE(actual.find(": error: "), std::string::npos) << yaml << " was accepted";
  EXPECT_EQ(actual, slurp(expected)) << "for " << yaml;
}

std::vector<std::string> bad_files() {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(k_bad_dir))
    if (entry.path().extension() == ".yaml") names.push_back(entry.path().stem().string());
  std::sort(names.begin(), names.end());
  return names;
}

INSTANTIATE_TEST_SUITE_P(Golden, BadMatrix, ::testing::ValuesIn(bad_files()), [](const auto& info) {
  std::string name = info.param;
  for (char& c : name)
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  return name;
});

TEST(BadMatrix, AtLeastTwentyCases) { EXPECT_GE(bad_files().size(), 20u); }

TEST(Load, ReadsEveryKeyOfTheExample) {
  LoadResult r =
      load_file((fs::path(FAULTLINE_SOURCE_DIR) / "examples/ffi-race/faultline.yaml").string());
  ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("example");
  const Config& c = r.config;
  EXPECT_EQ(c.name, "ffi-race");
  ASSERT_EQ(c.components.size(), 2u);
  EXPECT_EQ(c.components[0].versions.front(), "1.0");
  EXPECT_EQ(c.components[1].versions.back(), "0.10");  // "0.10" stays text, not 0.1
  EXPECT_EQ(c.components[1].depends.at(0).value, "library");
  EXPECT_EQ(c.sanitizers.size(), 4u);
  ASSERT_EQ(c.workloads.size(), 2u);
  EXPECT_EQ(c.workloads[0].timeout_ms, 30'000);
  EXPECT_EQ(c.stress.runs, 20);
  EXPECT_EQ(c.stress.stop, StopPolicy::first_crash);
  ASSERT_EQ(c.bisect.axes.size(), 2u);
  EXPECT_EQ(c.bisect.axes[0].value, "binding");
}

TEST(Load, CustomSanitizerProfilesKeepTheirFields) {
  LoadResult r = load_text(R"(version: 1
compiler: clang
components: { lib: { versions: ["1"] } }
sanitizers:
  - msan
  - { name: asan, env: { ASAN_OPTIONS: detect_leaks=0 } }
  - name: go-checks
    goflags: -gcflags=all=-d=checkptr
    env: { GODEBUG: cgocheck=2 }
  - { name: memcheck, wrapper: [valgrind, --error-exitcode=99] }
workloads: { w: { run: x, timeout: 500ms } }
)",
                           "t.yaml");
  ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("t.yaml");
  const auto& s = r.config.sanitizers;
  ASSERT_EQ(s.size(), 4u);
  EXPECT_TRUE(s[1].builtin);
  EXPECT_EQ(s[1].fields.env.at(0).second, "detect_leaks=0");
  EXPECT_FALSE(s[2].builtin);
  EXPECT_EQ(s[2].fields.goflags.at(0), "-gcflags=all=-d=checkptr");
  EXPECT_EQ(s[3].fields.wrapper.size(), 2u);
  EXPECT_EQ(r.config.workloads[0].timeout_ms, 500);
}

TEST(Load, GitRangesUseTheListerWithThePathBesideTheFile) {
  LoadOptions options;
  std::string seen_dir, seen_range;
  options.list_git_range = [&](const std::string& dir, const std::string& range,
                               bool) -> Expected<std::vector<std::string>> {
    seen_dir = dir;
    seen_range = range;
    return std::vector<std::string>{"aaa", "bbb"};
  };
  LoadResult r = load_text(
      "version: 1\ncomponents:\n  lib: { versions: { git: { repo: ../libgate, range: v1..v2 } } "
      "}\nworkloads: { w: { run: x } }\n",
      "proj/faultline.yaml", options);
  ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("t");
  EXPECT_EQ(seen_dir, "libgate");
  EXPECT_EQ(seen_range, "v1..v2");
  EXPECT_EQ(r.config.components[0].versions, (std::vector<std::string>{"aaa", "bbb"}));
}

TEST(Load, GitTagsAreOrderedBySemverAndCommandsFilteredByRange) {
  LoadOptions options;
  std::string seen_pattern, seen_command, seen_dir;
  options.list_git_tags = [&](const std::string&,
                              const std::string& pattern) -> Expected<std::vector<std::string>> {
    seen_pattern = pattern;
    return std::vector<std::string>{"v0.10.0", "v0.2.0", "v0.2.0-rc.1", "v0.1.0"};
  };
  options.run_versions_command = [&](const std::string& command,
                                     const std::string& dir) -> Expected<std::string> {
    seen_command = command;
    seen_dir = dir;
    return std::string("[\"1.0.0\", \"1.1.0-beta.1\", \"1.1.0\", \"2.0.0\"]\n");
  };
  LoadResult r = load_text(
      "version: 1\ncomponents:\n  lib: { versions: { git: { repo: lib, tags: \"v0.*\" } } }\n"
      "  bind: { versions: { command: npm view bind versions --json, range: \"^1.0\" } "
      "}\nworkloads: { w: { run: x } }\n",
      "proj/faultline.yaml", options);
  ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("t");
  EXPECT_EQ(seen_pattern, "v0.*");
  EXPECT_EQ(seen_command, "npm view bind versions --json");
  EXPECT_EQ(seen_dir, "proj");
  EXPECT_EQ(r.config.components[0].versions,
            (std::vector<std::string>{"v0.1.0", "v0.2.0-rc.1", "v0.2.0", "v0.10.0"}));
  EXPECT_EQ(r.config.components[0].versions_from, "git tags 'v0.*' in 'lib'");
  EXPECT_EQ(r.config.components[1].versions, (std::vector<std::string>{"1.0.0", "1.1.0"}));
  EXPECT_EQ(r.config.components[1].versions_from,
            "command 'npm view bind versions --json', range '^1.0'");
}

TEST(Load, AVersionsCommandWithoutARunnerIsAnErrorAtItsKey) {
  LoadResult r = load_text(
      "version: 1\ncomponents:\n  lib: { versions: { command: ls } }\nworkloads: { w: { run: x } "
      "}\n",
      "t.yaml");
  EXPECT_EQ(r.diagnostics.render("t.yaml"),
            "t.yaml:3:31: error: components.lib.versions.command cannot be run here\n");
}

}  // namespace
}  // namespace faultline::matrix
