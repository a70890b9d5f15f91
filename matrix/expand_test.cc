#include "matrix/expand.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "matrix/load.h"

namespace faultline::matrix {
namespace {

using ::testing::ElementsAre;

std::string show(const std::vector<Combination>& combos) {
  std::string out;
  for (const auto& c : combos) {
    out += "{";
    for (std::size_t i = 0; i < c.size(); ++i)
      out += (i ? ", " : "") + c[i].first + ": " + c[i].second;
    out += "}\n";
  }
  return out;
}

// docs.github.com, "Running variations of jobs in a workflow", Example: Expanding or adding
// matrix configurations — the fruit/animal example and its documented result.
TEST(GithubMatrix, IncludeExtendsWithoutOverwritingAndAddsWhatMatchesNothing) {
  auto result = github_matrix({{"fruit", {"apple", "pear"}}, {"animal", {"cat", "dog"}}}, {},
                              {{{"color", "green"}},
                               {{"color", "pink"}, {"animal", "cat"}},
                               {{"fruit", "apple"}, {"shape", "circle"}},
                               {{"fruit", "banana"}},
                               {{"fruit", "banana"}, {"animal", "cat"}}});
  EXPECT_EQ(show(result),
            "{fruit: apple, animal: cat, color: pink, shape: circle}\n"
            "{fruit: apple, animal: dog, color: green, shape: circle}\n"
            "{fruit: pear, animal: cat, color: pink}\n"
            "{fruit: pear, animal: dog, color: green}\n"
            "{fruit: banana}\n"
            "{fruit: banana, animal: cat}\n");
}

// Example: Adding configurations — os × node, one entry adds npm: 6 to windows/16 only.
TEST(GithubMatrix, IncludeAddsAKeyToTheOneMatchingCombination) {
  auto result = github_matrix({{"os", {"windows-latest", "ubuntu-latest"}}, {"node", {"14", "16"}}},
                              {}, {{{"os", "windows-latest"}, {"node", "16"}, {"npm", "6"}}});
  EXPECT_EQ(show(result),
            "{os: windows-latest, node: 14}\n"
            "{os: windows-latest, node: 16, npm: 6}\n"
            "{os: ubuntu-latest, node: 14}\n"
            "{os: ubuntu-latest, node: 16}\n");
}

// Example: Excluding matrix configurations — 12 combinations, a full match and a partial match.
TEST(GithubMatrix, ExcludeRemovesFullAndPartialMatches) {
  auto result =
      github_matrix({{"os", {"macos-latest", "windows-latest"}},
                     {"version", {"12", "14", "16"}},
                     {"environment", {"staging", "production"}}},
                    {{{"os", "macos-latest"}, {"version", "12"}, {"environment", "production"}},
                     {{"os", "windows-latest"}, {"version", "16"}}},
                    {});
  EXPECT_EQ(result.size(), 9u);
  for (const auto& c : result) {
    EXPECT_FALSE(c[0].second == "windows-latest" && c[1].second == "16") << show({c});
    EXPECT_FALSE(c[0].second == "macos-latest" && c[1].second == "12" &&
                 c[2].second == "production");
  }
}

// Example: Adding configurations to a matrix with only include.
TEST(GithubMatrix, IncludeOnlyMakesOneCombinationPerEntry) {
  auto result = github_matrix({}, {},
                              {{{"site", "production"}, {"datacenter", "site-a"}},
                               {{"site", "staging"}, {"datacenter", "site-b"}}});
  EXPECT_EQ(show(result),
            "{site: production, datacenter: site-a}\n{site: staging, datacenter: site-b}\n");
}

// Exclude runs before include: an include can bring back an excluded combination as a new one.
TEST(GithubMatrix, ExcludeIsAppliedBeforeInclude) {
  auto result = github_matrix({{"os", {"linux", "mac"}}, {"cc", {"gcc", "clang"}}},
                              {{{"os", "mac"}, {"cc", "gcc"}}},
                              {{{"os", "mac"}, {"cc", "gcc"}, {"note", "back"}}});
  EXPECT_EQ(show(result),
            "{os: linux, cc: gcc}\n{os: linux, cc: clang}\n{os: mac, cc: clang}\n{os: mac, cc: "
            "gcc, note: back}\n");
}

// An added (non-original) value may be overwritten by a later entry; an original never.
TEST(GithubMatrix, LaterIncludeOverwritesAddedValuesOnly) {
  auto result = github_matrix(
      {{"os", {"linux", "mac"}}}, {},
      {{{"flag", "a"}}, {{"os", "mac"}, {"flag", "b"}}, {{"os", "bsd"}, {"flag", "c"}}});
  EXPECT_EQ(show(result), "{os: linux, flag: a}\n{os: mac, flag: b}\n{os: bsd, flag: c}\n");
}

Config load_ok(const std::string& yaml) {
  LoadResult r = load_text(yaml, "t.yaml");
  EXPECT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("t.yaml");
  return r.config;
}

const char* k_two_axes = R"(version: 1
components:
  library: { versions: ["1.0", "1.1"], build: make }
  binding: { versions: ["0.8", "0.9"], depends: [library], build: "./b {{ prefix.library }}" }
sanitizers: [none, asan]
workloads:
  gates: { run: "stress {{ threads }}", params: { threads: [1, 8] } }
  callbacks: { run: "stress --cb" }
)";

TEST(Expand, CellsAreTheProductPerWorkloadInADeterministicOrder) {
  Config cfg = load_ok(k_two_axes);
  Diagnostics d;
  Expansion e = expand(cfg, d);
  ASSERT_TRUE(d.empty()) << d.render("t.yaml");
  EXPECT_EQ(e.cells.size(), 2u * 2 * 2 * 2 + 2u * 2 * 2);
  EXPECT_EQ(e.cells.id(0), "library=1.0 binding=0.8 sanitizer=none workload=gates threads=1");
  EXPECT_EQ(e.cells.id(1), "library=1.0 binding=0.8 sanitizer=none workload=gates threads=8");
  EXPECT_EQ(e.cells.id(16), "library=1.0 binding=0.8 sanitizer=none workload=callbacks");
  EXPECT_EQ(e.cells.hash(0).size(), 8u);
  EXPECT_EQ(e.cells.hash(0), expand(cfg, d).cells.hash(0));
  EXPECT_NE(e.cells.hash(0), e.cells.hash(1));
}

TEST(Expand, BuildsAreDistinctAndCarryTheirDependencies) {
  Config cfg = load_ok(k_two_axes);
  Diagnostics d;
  Expansion e = expand(cfg, d);
  // library: 2 versions × 2 sanitizers; binding: 2 × 2 library versions × 2 sanitizers.
  EXPECT_EQ(e.builds.size(), 4u + 8u);
  EXPECT_EQ(e.builds[0].id, "library=1.0 sanitizer=none");
  EXPECT_EQ(e.builds[1].id, "binding=0.8 library=1.0 sanitizer=none");
  EXPECT_EQ(e.cell_builds[0], e.cell_builds[1]);  // threads does not change the builds
}

TEST(Expand, ExcludeAndIncludeApplyToCells) {
  std::string yaml = std::string(k_two_axes) + R"(matrix:
  exclude: [ { sanitizer: asan, workload: callbacks } ]
  include: [ { sanitizer: asan, threads: "8", extra: yes } ]
)";
  Config cfg = load_ok(yaml);
  Diagnostics d;
  Expansion e = expand(cfg, d);
  ASSERT_TRUE(d.empty()) << d.render("t.yaml");
  EXPECT_EQ(e.excluded, 4u);
  EXPECT_EQ(e.included, 0u);
  std::size_t with_extra = 0;
  for (std::size_t c = 0; c < e.cells.size(); ++c)
    if (e.cells.value(c, "extra")) {
      ++with_extra;
      EXPECT_EQ(*e.cells.value(c, "sanitizer"), "asan");
      EXPECT_EQ(*e.cells.value(c, "threads"), "8");
    }
  EXPECT_EQ(with_extra, 4u);  // asan × threads=8 × 2 × 2 versions
}

TEST(Expand, AnIncompleteNewCellIsAnErrorAtTheIncludeEntry) {
  std::string yaml = std::string(k_two_axes) +
                     "matrix:\n  include:\n    - { library: \"1.0\", sanitizer: asan, workload: "
                     "gates, threads: \"16\" }\n";
  LoadResult r = load_text(yaml, "t.yaml");
  ASSERT_TRUE(r.diagnostics.empty()) << r.diagnostics.render("t.yaml");
  Diagnostics d;
  expand(r.config, d);
  EXPECT_EQ(d.render("t.yaml"),
            "t.yaml:11:7: error: this matrix.include entry matches no cell, so it adds a new one, "
            "which lacks "
            "binding: give a value for every component, the sanitizer, the workload and its "
            "parameters\n");
}

TEST(Expand, RefusesMoreCellsThanTheLimit) {
  Config cfg = load_ok(k_two_axes);
  Diagnostics d;
  ExpandOptions options;
  options.max_cells = 10;
  expand(cfg, d, options);
  EXPECT_EQ(d.render("t.yaml"),
            "t.yaml: error: the matrix expands to 24 cells, more than the limit of 10; narrow it "
            "with matrix.exclude, or raise --max-cells\n");
}

TEST(Shards, BalanceAndKeepBuildsTogether) {
  Config cfg = load_ok(k_two_axes);
  Diagnostics d;
  Expansion e = expand(cfg, d);
  auto shards = assign_shards(e, 4);
  std::vector<int> counts(4, 0);
  for (auto s : shards) ++counts[s];
  EXPECT_THAT(counts, ElementsAre(6, 6, 6, 6));
  // Cells needing the same builds (differing only in workload and threads) share a shard.
  for (std::size_t a = 0; a < e.cells.size(); ++a)
    for (std::size_t b = 0; b < e.cells.size(); ++b)
      if (e.cell_builds[a] == e.cell_builds[b]) {
        EXPECT_EQ(shards[a], shards[b]) << e.cells.id(a) << " / " << e.cells.id(b);
      }
  EXPECT_EQ(assign_shards(e, 4), shards);  // deterministic
}

}  // namespace
}  // namespace faultline::matrix
