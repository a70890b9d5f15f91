// End-to-end tests of the versions sources (git tags ordered by semantic
// version, git ranges, a command's listing, a semver range filter): the real
// binary, a real generated git repository, real shell commands.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "tests/support.h"

namespace faultline {
namespace {

using e2e::Outcome;

// A scratch directory with a git repository `lib` whose tags are given out of
// order, plus some that are not v0.*; left behind (and named) when a test fails.
class Versions : public e2e::ScratchTest {
 protected:
  Versions() : ScratchTest("versions") {}
  void SetUp() override {
    sh("git init -q lib && cd lib && git config user.email t@t && git config user.name t && "
       "for t in v0.1.0 v0.10.0 v0.2.0-rc.1 v0.9.1 v0.2.0 v1.0.0 nightly; do "
       "echo $t > f && git add f && git commit -qm $t && git tag $t; done");
  }
  // faultline.yaml with `versions` as the library's versions; returns its path.
  std::string matrix(const std::string& versions) {
    return write("faultline.yaml",
                 "version: 1\nname: v\ncomponents:\n  library:\n    versions: " + versions +
                     "\nworkloads: { w: { run: \"echo {{ library }}\" } }\n");
  }
  Outcome validate() { return faultline({"validate", "--no-probe", "faultline.yaml"}); }
  Outcome plan() { return faultline({"plan", "faultline.yaml"}); }
};

// The line `faultline validate` prints for the library's versions.
std::string versions_line(const std::string& out) {
  auto at = out.find("  versions   ");
  return at == std::string::npos ? "" : out.substr(at, out.find('\n', at) + 1 - at);
}

TEST_F(Versions, GitTagsAreOrderedBySemanticVersion) {
  matrix("{ git: { repo: lib, tags: \"v0.*\" } }");
  Outcome v = validate();
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(versions_line(v.out),
            "  versions   library: 5 from git tags 'v0.*' in 'lib', v0.1.0 .. v0.10.0\n");
  Outcome p = faultline({"plan", "--format", "json", "faultline.yaml"});
  ASSERT_EQ(p.status, 0) << p.err;
  std::vector<std::string> order;
  for (std::size_t at = 0; (at = p.out.find("\"library\": \"", at)) != std::string::npos; at += 12)
    order.push_back(p.out.substr(at + 12, p.out.find('"', at + 12) - at - 12));
  EXPECT_EQ(order,
            (std::vector<std::string>{"v0.1.0", "v0.2.0-rc.1", "v0.2.0", "v0.9.1", "v0.10.0"}));
}

TEST_F(Versions, ARangeKeepsTheMatchingReleases) {
  matrix("{ git: { repo: lib, tags: \"v*\" }, range: \">=0.2.0 <1\" }");
  Outcome v = validate();
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(versions_line(v.out),
            "  versions   library: 3 from git tags 'v*' in 'lib', range '>=0.2.0 <1', v0.2.0 .. "
            "v0.10.0\n");
}

TEST_F(Versions, ATagThatIsNotASemanticVersionIsAnErrorAtTheGlob) {
  const std::string file = matrix("{ git: { repo: lib, tags: \"*\" } }");
  Outcome v = validate();
  EXPECT_EQ(v.status, 2);
  EXPECT_EQ(v.err,
            "faultline.yaml:5:41: error: tag 'nightly' is not a semantic version "
            "(MAJOR.MINOR.PATCH, e.g. v1.2.0); "
            "components.library.versions.git.tags orders tags by semantic version: narrow '*' to "
            "those tags\n");
  matrix("{ git: { repo: lib, tags: \"v9.*\" } }");
  v = validate();
  EXPECT_EQ(v.status, 2);
  EXPECT_EQ(v.err,
            "faultline.yaml:5:41: error: no tag in 'lib' matches 'v9.*' "
            "(components.library.versions.git.tags)\n");
}

TEST_F(Versions, ACommandPrintsAJsonArrayFilteredByARange) {
  matrix(
      "{ command: \"printf '%s' '[\\\"1.0.0\\\", \\\"1.1.0-beta.1\\\", \\\"1.1.0\\\", "
      "\\\"1.2.0\\\", \\\"2.0.0\\\"]'\", "
      "range: \"^1.1\" }");
  Outcome v = validate();
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(versions_line(v.out),
            "  versions   library: 2 from command 'printf '%s' '[\"1.0.0\", \"1.1.0-beta.1\", "
            "\"1.1.0\", \"1.2.0\", \"2.0.0\"]'', range '^1.1', 1.1.0 .. 1.2.0\n");
}

TEST_F(Versions, ACommandPrintsOneVersionPerLineInItsOrder) {
  write("list.txt", "0.8\n  0.9\n\n0.10\n");
  matrix("{ command: cat list.txt }");
  Outcome v = validate();
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(versions_line(v.out),
            "  versions   library: 3 from command 'cat list.txt', 0.8 .. 0.10\n");
  Outcome p = plan();
  ASSERT_EQ(p.status, 0) << p.err;
  EXPECT_EQ(p.out,
            "     1  e59b367c  library=0.8 sanitizer=none workload=w\n"
            "     2  3d73fe43  library=0.9 sanitizer=none workload=w\n"
            "     3  5d567787  library=0.10 sanitizer=none workload=w\n"
            "3 cells, 3 builds\n");
}

// A listing is one version per line: a CR (a Windows tool's output), blanks around a version and
// empty lines are dropped, and a version whose name holds a space is not cut into two.
TEST_F(Versions, ACommandsLinesAreItsVersionsAndALineOfTwoWordsIsAnError) {
  write("list.txt", "1.0\r\n\r\n  1.1 \t\r\n\n2.0\r\n");
  matrix("{ command: cat list.txt }");
  Outcome v = validate();
  ASSERT_EQ(v.status, 0) << v.err;
  EXPECT_EQ(versions_line(v.out),
            "  versions   library: 3 from command 'cat list.txt', 1.0 .. 2.0\n");
  write("list.txt", "1.0\n\n1.1 1.2\n2.0\n");
  v = validate();
  EXPECT_EQ(v.status, 2);
  EXPECT_EQ(
      v.err,
      "faultline.yaml:5:26: error: components.library.versions.command 'cat list.txt': line 3 "
      "of its output, '1.1 1.2', holds whitespace: print one version per line (a version is "
      "one word)\n");
  write("list.txt", "1.0\n2.0\tbeta\n");
  v = validate();
  EXPECT_EQ(v.status, 2);
  EXPECT_EQ(
      v.err,
      "faultline.yaml:5:26: error: components.library.versions.command 'cat list.txt': line 2 "
      "of its output, '2.0\tbeta', holds whitespace: print one version per line (a version "
      "is one word)\n");
}

// A JSON listing holds versions as lines do: an object is no listing, and an empty item or one
// holding whitespace is an error (they became a cell 'library=' or 'library=a b').
TEST_F(Versions, AJsonListingsItemsAreOneWordEachAndAnObjectIsNoListing) {
  const std::string key = "faultline.yaml:5:26: error: components.library.versions.command ";
  for (const auto& [json, why] : std::vector<std::pair<std::string, std::string>>{
           {"{\"a\": 1}", "the output is JSON but not an array of version strings"},
           {"[\"1.0\", \"\"]", "item 2 of the JSON array is empty"},
           {"[\"1.0 2.0\"]",
            "item 1 of the JSON array, '1.0 2.0', holds whitespace: a version is one word, as on "
            "a line"}}) {
    write("list.json", json);
    matrix("{ command: cat list.json }");
    Outcome v = validate();
    EXPECT_EQ(v.status, 2) << json;
    EXPECT_EQ(v.err, key + "'cat list.json': " + why + "\n") << json;
  }
}

TEST_F(Versions, AFailingOrSilentCommandIsAnErrorAtItsKey) {
  matrix("{ command: \"echo no such package >&2; exit 4\" }");
  Outcome v = validate();
  EXPECT_EQ(v.status, 2);
  EXPECT_EQ(v.err,
            "faultline.yaml:5:26: error: components.library.versions.command 'echo no such package "
            ">&2; exit 4' "
            "failed: exit 4: no such package\n");
  matrix("{ command: \"true\" }");
  v = validate();
  EXPECT_EQ(v.status, 2);
  EXPECT_EQ(v.err,
            "faultline.yaml:5:26: error: components.library.versions.command 'true' printed no "
            "versions\n");
  matrix("{ command: \"echo 1.0.0\", range: \">=1 <banana\" }");
  v = validate();
  EXPECT_EQ(v.status, 2);
  EXPECT_EQ(v.err,
            "faultline.yaml:5:47: error: components.library.versions.range '>=1 <banana': "
            "'<banana' is not a "
            "version or comparator\n");
}

TEST_F(Versions, ARangeOfCommitsFollowsTheFirstParentUnlessToldNot) {
  sh("cd lib && git checkout -q -b side v0.1.0 && echo s > s && git add s && git commit -qm side1 "
     "&& "
     "echo t > s && git commit -qam side2 && git checkout -q - 2>/dev/null || git checkout -q "
     "master || git checkout -q main;"
     " git merge -q --no-edit -m merge side && git tag merged");
  matrix("{ git: { repo: lib, range: v1.0.0..merged } }");
  Outcome first = validate();
  ASSERT_EQ(first.status, 0) << first.err;
  EXPECT_NE(versions_line(first.out).find("library: 3 from git range 'v1.0.0..merged' in 'lib', "),
            std::string::npos)
      << first.out;
  matrix("{ git: { repo: lib, range: v1.0.0..merged, first-parent: false } }");
  Outcome every = validate();
  ASSERT_EQ(every.status, 0) << every.err;
  EXPECT_NE(versions_line(every.out).find(
                "library: 5 from git range 'v1.0.0..merged' (every parent) in 'lib', "),
            std::string::npos)
      << every.out;
}

}  // namespace
}  // namespace faultline
