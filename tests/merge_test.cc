// End-to-end tests of `faultline merge`: a matrix whose workloads crash
// deterministically (a real SIGSEGV, a real non-zero exit with the cell's own
// message) run once unsharded and once as shards 1/3..3/3 through the real
// binary; the merged results must equal the unsharded ones, field for field,
// except timings and state-folder paths. Scratch folder per test, kept on failure.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using ::testing::HasSubstr;

using e2e::Outcome;

// lib 3 and 4 segfault under mode=segv; under mode=exit they print their own
// message and exit 3 (one signature, a different excerpt per cell); the rest pass.
const char* k_matrix = R"(version: 1
name: shardy
components:
  lib:
    versions: ["1", "2", "3", "4"]
    build: echo "lib {{ lib }}" > {{ prefix }}/stamp
    inputs: []   # the build reads no local file, so results written beside the matrix never rebuild it
sanitizers: [none]
workloads:
  w:
    run: "if [ {{ mode }} = segv ] && [ {{ lib }} -ge 3 ]; then kill -SEGV $$; elif [ {{ mode }} = exit ] && [ {{ lib }} -ge 3 ]; then echo \"fatal: $(cat {{ prefix.lib }}/stamp) broke\" >&2; exit 3; else cat {{ prefix.lib }}/stamp; fi"
    params: { mode: [segv, exit, plain] }
stress: { runs: 3, stop: all }
)";

class MergeTest : public e2e::ScratchTest {
 protected:
  MergeTest() : ScratchTest("merge") {}
  void SetUp() override { write("faultline.yaml", k_matrix); }
  std::string read(const std::string& name) {
    std::ifstream in(m_dir / name);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  // Shard K of 3 into rK.json, each with its own state folder (as separate CI jobs).
  void run_shards() {
    for (int k = 1; k <= 3; ++k) {
      const std::string n = std::to_string(k);
      Outcome o = faultline({"run", "-j", "2", "--shard", n + "/3", "--state-dir", "state" + n,
                             "--out", "r" + n + ".json"});
      ASSERT_LE(o.status, 1) << o.err;
    }
  }
  // The results without what may differ between runs of the same cells: times,
  // and the state folders (each run had its own) inside paths and commands.
  json comparable(const std::string& name) {
    const std::string text =
        std::regex_replace(read(name), std::regex(m_dir.string() + "/state[0-9]"), "STATE");
    json r = json::parse(text);
    // `merged` is merge's own; `store` names the results store of one job's machine.
    for (const char* key : {"started_at", "finished_at", "merged", "store"}) r.erase(key);
    for (auto& c : r["cells"]) c.erase("wall_seconds");
    for (auto& b : r["builds"]) b.erase("seconds");
    return r;
  }
};

TEST_F(MergeTest, MergedShardsEqualOneUnshardedRun) {
  Outcome all = faultline({"run", "-j", "2", "--state-dir", "state0", "--out", "all.json"});
  ASSERT_EQ(all.status, 1) << all.err;
  ASSERT_NO_FATAL_FAILURE(run_shards());
  Outcome m = faultline({"merge", "r3.json", "r1.json", "r2.json", "-o", "merged.json"});
  ASSERT_EQ(m.status, 0) << m.err;
  EXPECT_EQ(m.err,
            "faultline merge: 3 of 3 shards, 12 cells: 4 crash, 0 hang, 8 pass, 0 build-error; "
            "2 signatures -> merged.json\n");
  const json expected = comparable("all.json"), merged = comparable("merged.json");
  EXPECT_EQ(merged, expected) << "diff (unsharded -> merged): "
                              << json::diff(expected, merged).dump(2);
  // The test means something: shards differ from the whole, and the exit
  // signature's details come from lib 3 (shard 3), not lib 4 (shard 2).
  EXPECT_EQ(expected["totals"]["crash"], 4);
  for (int k = 1; k <= 3; ++k)
    EXPECT_LT(comparable("r" + std::to_string(k) + ".json")["cells"].size(), 12u);
  bool found = false;
  for (const auto& s : merged["signatures"])
    if (s["tool"] == "exit") {
      found = true;
      EXPECT_EQ(s["excerpt"], "fatal: lib 3 broke\n");
      EXPECT_THAT(s.value("attribution", ""), HasSubstr("lib ≥ 3"));
    }
  EXPECT_TRUE(found) << merged["signatures"].dump(2);
  const json file = json::parse(read("merged.json"));
  EXPECT_EQ(file["options"]["shard"], nullptr);
  EXPECT_FALSE(file.contains("store"));
  EXPECT_EQ(file["merged"]["shards"], json::array({"1/3", "2/3", "3/3"}));
  // Reports of the merged file read as those of the unsharded run.
  Outcome md_all = faultline({"report", "--format", "md", "all.json", "--full-report", "R"});
  Outcome md_merged = faultline({"report", "--format", "md", "merged.json", "--full-report", "R"});
  const auto without_state_and_time = [](const std::string& text) {
    const std::string t = std::regex_replace(text, std::regex("state[0-9](/|\\b)"), "STATE/");
    return std::regex_replace(t, std::regex("[0-9-]{10}T[0-9:]{8}Z"), "TIME");
  };
  EXPECT_EQ(without_state_and_time(md_merged.out), without_state_and_time(md_all.out));
  Outcome outputs = faultline({"report", "--format", "github-outputs", "merged.json"});
  EXPECT_EQ(outputs.out,
            "verdict=crash\ncrashes=4\nhangs=0\ncells=12\ncrashing_runs=12\nsignatures=2\n");
}

TEST_F(MergeTest, MissingShardsAreNamedAndAllowPartialMarksTheMerge) {
  ASSERT_NO_FATAL_FAILURE(run_shards());
  Outcome o = faultline({"merge", "r2.json"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(
      o.err,
      "faultline merge: shards 1/3, 3/3 are missing (1 of 3 given); merge every shard, or pass "
      "--allow-partial\n");
  EXPECT_EQ(o.out, "");
  o = faultline({"merge", "--allow-partial", "r1.json", "r3.json"});
  ASSERT_EQ(o.status, 0) << o.err;
  const json r = json::parse(o.out);  // stdout by default
  EXPECT_EQ(r["merged"]["partial"], true);
  EXPECT_EQ(r["merged"]["missing"], json::array({2}));
  EXPECT_EQ(r["totals"]["cells"], 8);
}

TEST_F(MergeTest, RefusesTheSameShardTwiceAndAnUnshardedRun) {
  ASSERT_NO_FATAL_FAILURE(run_shards());
  fs::copy_file(m_dir / "r1.json", m_dir / "copy.json");
  Outcome o = faultline({"merge", "r1.json", "r2.json", "r3.json", "copy.json", "-o", "out.json"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "faultline merge: r1.json and copy.json are both shard 1/3; merge each shard once\n");
  EXPECT_FALSE(fs::exists(m_dir / "out.json"));
  Outcome all = faultline({"run", "--only", "lib=1", "--state-dir", "state0", "--out", "all.json"});
  ASSERT_EQ(all.status, 0) << all.err;
  o = faultline({"merge", "r1.json", "all.json"});
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.err, HasSubstr("all.json: options.shard is null"));
}

TEST_F(MergeTest, RefusesShardsOfAChangedMatrixFile) {
  ASSERT_NO_FATAL_FAILURE(run_shards());
  write("faultline.yaml", std::string(k_matrix) + "# edited between the jobs\n");
  Outcome o = faultline({"run", "--shard", "2/3", "--state-dir", "state2", "--out", "r2.json"});
  ASSERT_EQ(o.status, 1) << o.err;
  o = faultline({"merge", "r1.json", "r2.json", "r3.json"});
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.err, HasSubstr("r2.json: matrix_fingerprint (a hash of the matrix file)"));
  EXPECT_THAT(o.err, HasSubstr("in r1.json: not shards of one matrix run"));
}

TEST_F(MergeTest, RefusesWhatIsNotAResultsFile) {
  write("junk.json", "{\"schema\": \"faultline.results/9\"}");
  Outcome o = faultline({"merge", "junk.json"});
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.err,
              HasSubstr("junk.json: schema 'faultline.results/9' is not one this faultline reads"));
  o = faultline({"merge", "absent.json"});
  EXPECT_EQ(o.status, 2);
  EXPECT_THAT(o.err, HasSubstr("absent.json: cannot read"));
}

}  // namespace
}  // namespace faultline
