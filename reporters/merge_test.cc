// Unit tests of reporters/merge.h over small hand-written shards: what is
// refused and with which words, and how cells, builds and signatures are joined.
// The end-to-end exactness check (real runs, sharded vs unsharded) is
// tests/merge_test.cc.
#include "reporters/merge.h"

#include <gtest/gtest.h>

#include "reporters/results.h"

namespace faultline::reporters {
namespace {

using nlohmann::json;

json cell(std::size_t index, const std::string& lib, const std::string& verdict, int crashes,
          const std::string& signature = "") {
  json sigs = json::array();
  if (!signature.empty()) sigs.push_back({{"hash", signature}, {"runs", crashes}});
  return {{"id", "lib=" + lib},       {"hash", "c" + lib},  {"index", index},
          {"values", {{"lib", lib}}}, {"verdict", verdict}, {"runs", 4},
          {"crashes", crashes},       {"hangs", 0},         {"signatures", sigs}};
}

json signature(const std::string& hash, const std::string& excerpt) {
  return {{"hash", hash},
          {"text", "signal " + hash},
          {"tool", "signal"},
          {"kind", hash},
          {"frames", json::array()},
          {"excerpt", excerpt},
          {"cells", json::array()},
          {"runs", 0}};
}

json build(std::size_t index, const std::string& lib, bool cached) {
  return {{"id", "lib=" + lib + " sanitizer=none"},
          {"index", index},
          {"state", "ok"},
          {"cached", cached}};
}

json shard(const std::string& k_of_n, json cells, json signatures = json::array(),
           json builds = json::array()) {
  json r = {
      {"schema", k_results_schema},
      {"name", "m"},
      {"matrix_file", "faultline.yaml"},
      {"matrix_fingerprint", "0123456789abcdef"},
      {"started_at", "2026-11-22T00:00:0" + k_of_n.substr(0, 1) + "Z"},
      {"finished_at", "2026-11-22T00:01:0" + k_of_n.substr(0, 1) + "Z"},
      {"interrupted", false},
      {"options", {{"runs", 4}, {"jobs", 2}, {"stop", "all"}, {"shard", k_of_n}}},
      {"axes",
       json::array({{{"name", "lib"}, {"kind", "component"}, {"values", {"1", "2", "3", "4"}}}})},
      {"cells", cells},
      {"signatures", signatures},
      {"builds", builds}};
  derive_summary(r);
  return r;
}

// Shards 1/2 (lib 1, 3) and 2/2 (lib 2, 4); SIGSEGV in lib 3 and 4, SIGABRT in 4.
std::vector<ShardResults> two_shards() {
  return {{"b.json",
           shard("2/2", {cell(1, "2", "pass", 0), cell(3, "4", "crash", 4, "segv")},
                 {signature("segv", "from lib 4")}, {build(1, "2", false), build(3, "4", false)})},
          {"a.json",
           shard("1/2", {cell(0, "1", "pass", 0), cell(2, "3", "crash", 2, "segv")},
                 {signature("segv", "from lib 3")}, {build(0, "1", false), build(2, "3", true)})}};
}

std::string error_of(std::vector<ShardResults> inputs, MergeOptions options = {}) {
  auto r = merge_results(std::move(inputs), options);
  return r ? "merged" : r.error().message;
}

TEST(Merge, JoinsCellsAndBuildsInMatrixOrderAndRecomputesTotals) {
  auto r = merge_results(two_shards(), {});
  ASSERT_TRUE(r) << r.error().message;
  std::vector<std::string> ids;
  for (const auto& c : (*r)["cells"]) ids.push_back(c["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"lib=1", "lib=2", "lib=3", "lib=4"}));
  EXPECT_EQ((*r)["totals"]["cells"], 4);
  EXPECT_EQ((*r)["totals"]["crash"], 2);
  EXPECT_EQ((*r)["totals"]["runs"], 16);
  EXPECT_EQ((*r)["totals"]["crashing_runs"], 6);
  EXPECT_EQ((*r)["totals"]["builds_cached"], 1);
  EXPECT_EQ((*r)["builds"].size(), 4u);
  EXPECT_EQ((*r)["options"]["shard"], nullptr);
  EXPECT_EQ((*r)["merged"],
            json::parse(R"({"shards":["1/2","2/2"],"of":2,"missing":[],"partial":false})"));
  EXPECT_EQ((*r)["started_at"], "2026-11-22T00:00:01Z");
  EXPECT_EQ((*r)["finished_at"], "2026-11-22T00:01:02Z");
}

TEST(Merge, SignatureDetailsComeFromTheEarliestCellAndCountEveryShard) {
  auto r = merge_results(two_shards(), {});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ((*r)["signatures"].size(), 1u);
  const json& s = (*r)["signatures"][0];
  EXPECT_EQ(s["excerpt"], "from lib 3");
  EXPECT_EQ(s["cells"], json::array({"c3", "c4"}));
  EXPECT_EQ(s["runs"], 6);
  // Attribution over all four cells, not one shard's two.
  EXPECT_NE(s.value("attribution", "").find("lib"), std::string::npos) << s.dump();
  EXPECT_NE(s.value("attribution", "").find("2 of 2"), std::string::npos) << s.dump();
}

TEST(Merge, ABuildSeveralShardsNeededIsListedOnceAndBuiltIfAnyShardBuiltIt) {
  auto inputs = two_shards();
  inputs[0].results["builds"].push_back(build(2, "3", false));  // shard 2 also built lib 3
  auto r = merge_results(inputs, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["builds"].size(), 4u);
  EXPECT_EQ((*r)["builds"][2]["cached"], false);
  EXPECT_EQ((*r)["totals"]["builds_run"], 4);
  EXPECT_EQ((*r)["totals"]["builds_cached"], 0);
}

TEST(Merge, KeepsEveryShardsBisectAnswersOnce) {
  auto inputs = two_shards();
  const json answer = {{"signature", "segv"}, {"axes", {"lib"}}, {"status", "found"}};
  inputs[0].results["bisect"] = json::array({answer});
  inputs[1].results["bisect"] = json::array({answer, {{"signature", "other"}}});
  auto r = merge_results(inputs, {});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["bisect"], json::array({answer, {{"signature", "other"}}}));
  EXPECT_FALSE(merge_results(two_shards(), {})->contains("bisect"));
}

TEST(Merge, NamesTheMissingShards) {
  std::vector<ShardResults> one = {two_shards()[1]};
  EXPECT_EQ(error_of(one),
            "shard 2/2 is missing (1 of 2 given); merge every shard, or pass --allow-partial");
  auto four = two_shards();
  for (auto& s : four)
    s.results["options"]["shard"] = s.results["options"]["shard"] == "1/2" ? "1/4" : "3/4";
  EXPECT_EQ(
      error_of(four),
      "shards 2/4, 4/4 are missing (2 of 4 given); merge every shard, or pass --allow-partial");
}

TEST(Merge, AllowPartialMergesAndSaysWhichShardsAreMissing) {
  auto r = merge_results({two_shards()[1]}, {true});
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ((*r)["merged"]["partial"], true);
  EXPECT_EQ((*r)["merged"]["missing"], json::array({2}));
  EXPECT_EQ((*r)["totals"]["cells"], 2);
}

TEST(Merge, RefusesTheSameShardTwice) {
  auto inputs = two_shards();
  inputs.push_back({"a-again.json", inputs[1].results});
  EXPECT_EQ(error_of(inputs), "a.json and a-again.json are both shard 1/2; merge each shard once");
}

TEST(Merge, RefusesTheSameCellInTwoFiles) {
  auto inputs = two_shards();
  inputs[0].results["cells"].push_back(cell(0, "1", "pass", 0));
  EXPECT_EQ(error_of(inputs),
            "cell lib=1 (c1) is in both a.json and b.json; each cell must come from one shard");
}

TEST(Merge, RefusesShardsOfDifferentMatrices) {
  auto inputs = two_shards();
  inputs[1].results["matrix_fingerprint"] = "fedcba9876543210";
  EXPECT_EQ(
      error_of(inputs),
      "a.json: matrix_fingerprint (a hash of the matrix file) \"fedcba9876543210\" differs from "
      "\"0123456789abcdef\" in b.json: not shards of one matrix run");
  inputs = two_shards();
  inputs[1].results["name"] = "other";
  EXPECT_EQ(error_of(inputs),
            "a.json: name \"other\" differs from \"m\" in b.json: not shards of one matrix run");
  inputs = two_shards();
  inputs[1].results["axes"][0]["values"].push_back("5");
  EXPECT_NE(error_of(inputs).find("a.json: axes "), std::string::npos);
  inputs = two_shards();
  inputs[1].results["options"]["runs"] = 10;
  EXPECT_EQ(error_of(inputs),
            "a.json: options.runs 10 differs from 4 in b.json: not shards of one matrix run");
  inputs = two_shards();
  inputs[1].results["options"]["shard"] = "1/3";
  EXPECT_EQ(error_of(inputs),
            "a.json: options.shard (of N) \"1/3\" differs from \"2/2\" in b.json: not shards of "
            "one matrix run");
}

TEST(Merge, RefusesWhatIsNotAShard) {
  auto inputs = two_shards();
  inputs[1].results["options"]["shard"] = nullptr;
  EXPECT_EQ(error_of(inputs),
            "a.json: options.shard is null: not the results of `faultline run --shard K/N`, "
            "so there is nothing to merge it with");
  inputs = two_shards();
  inputs[1].results["schema"] = "faultline.results/2";
  EXPECT_EQ(error_of(inputs), "a.json: not a results.json of schema 'faultline.results/1'");
  inputs = two_shards();
  inputs[1].results["cells"][0].erase("index");
  EXPECT_EQ(error_of(inputs),
            "a.json: cell lib=1 has no index (written by an older faultline?); rerun the "
            "shard to merge it");
  inputs = two_shards();
  inputs[1].results["options"]["shard"] = "3/2";
  EXPECT_EQ(error_of(inputs), "a.json: options.shard '3/2' is not K/N");
  EXPECT_EQ(error_of({}), "no results.json to merge");
}

}  // namespace
}  // namespace faultline::reporters
