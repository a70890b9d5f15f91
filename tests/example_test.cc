// End-to-end tests of the bundled example (examples/ffi-race): its real faultline.yaml, real
// builds of libgate and gatebind under ASan, real stress runs, on a reduced slice. faultline
// must tell the binding's pooled-frame double free from the library's callback
// use-after-free, blame each on its axis, and bisect both to their versions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <nlohmann/json.hpp>
#include <set>

#include "tests/support.h"

namespace faultline {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

const std::string k_matrix =
    std::string(FAULTLINE_SOURCE_DIR) + "/examples/ffi-race/faultline.yaml";

using e2e::Outcome;

class ExampleTest : public e2e::ScratchTest {
 protected:
  ExampleTest() : ScratchTest("example") {}
  // faultline COMMAND on the example, with builds, sessions and reports in the scratch directory.
  Outcome faultline(const std::string& command, const std::vector<std::string>& args) {
    std::vector<std::string> argv = {command, k_matrix, "--state-dir", (m_dir / "state").string()};
    argv.insert(argv.end(), args.begin(), args.end());
    return ScratchTest::faultline(argv, std::chrono::minutes(10));
  }
  // `faultline run` on a slice; results.json goes to NAME.json in the scratch directory. Up to
  // 4 runs per cell: a cell of either bug crashes in at least 5 runs of 6 (README.md).
  json run(const std::string& name, std::vector<std::string> only, int expected_status) {
    std::vector<std::string> args = {"--runs",      "4",     "--stop",
                                     "first-crash", "--out", (m_dir / (name + ".json")).string()};
    for (const auto& o : only) args.insert(args.end(), {"--only", o});
    Outcome o = faultline("run", args);
    EXPECT_EQ(o.status, expected_status) << name << "\n" << o.out << o.err;
    return json::parse(read(m_dir / (name + ".json")), nullptr, false);
  }
  json bisect_answer(const std::string& axis) {
    return json::parse(read(m_dir / "state" / ("bisect-" + axis + ".json")), nullptr, false);
  }
};

// The cell of `results` with these values (library, binding, workload, threads; ASan), or null.
const json* cell(const json& results, const std::string& library, const std::string& binding,
                 const std::string& workload, const std::string& threads) {
  for (const json& c : results["cells"]) {
    const json& v = c["values"];
    if (v["library"] == library && v["binding"] == binding && v["workload"] == workload &&
        v["threads"] == threads)
      return &c;
  }
  return nullptr;
}

std::string verdict(const json& results, const std::string& library, const std::string& binding,
                    const std::string& workload, const std::string& threads) {
  const json* c = cell(results, library, binding, workload, threads);
  return c ? (*c)["verdict"].get<std::string>() : "no such cell";
}

// "library=1.4 binding=0.7 …" ids of the cells where `signature` appeared.
std::set<std::string> cells_showing(const json& results, const json& signature) {
  std::set<std::string> hashes(signature["cells"].begin(), signature["cells"].end()), ids;
  for (const json& c : results["cells"])
    if (hashes.count(c["hash"].get<std::string>())) ids.insert(c["id"].get<std::string>());
  return ids;
}

std::string frames_text(const json& signature) {
  std::string text;
  for (const json& f : signature["frames"]) text += f.value("function", "") + "\n";
  return text;
}

std::string id(const std::string& library, const std::string& binding, const std::string& workload,
               const std::string& threads) {
  return "library=" + library + " binding=" + binding + " sanitizer=asan workload=" + workload +
         " threads=" + threads;
}

TEST_F(ExampleTest, RunTellsTheTwoBugsApartAndBlamesEachOnItsAxis) {
  // The binding's frame pool: two libraries, four bindings, `gates`, 8 threads.
  json pool = run("pool",
                  {"sanitizer=asan", "threads=8", "workload=gates", "library=1.3", "library=1.4",
                   "binding=0.7", "binding=0.8", "binding=0.9", "binding=0.10"},
                  1);
  ASSERT_FALSE(pool.is_discarded());
  ASSERT_EQ(pool["signatures"].size(), 1u) << pool["signatures"].dump(1);
  const json& double_free = pool["signatures"][0];
  EXPECT_EQ(double_free["kind"], "double-free");
  EXPECT_THAT(frames_text(double_free), HasSubstr("acquire_frame"));
  EXPECT_EQ(
      cells_showing(pool, double_free),
      (std::set<std::string>{id("1.3", "0.8", "gates", "8"), id("1.4", "0.8", "gates", "8"),
                             id("1.3", "0.9", "gates", "8"), id("1.4", "0.9", "gates", "8")}));
  EXPECT_THAT(double_free["attribution"].get<std::string>(),
              HasSubstr("appears in every cell with 0.8 ≤ binding ≤ 0.9"));
  EXPECT_THAT(double_free["attribution"].get<std::string>(), HasSubstr("library does not matter"));

  // The library's callback dispatch: two libraries, two correct bindings, both workloads.
  json callbacks = run(
      "callbacks",
      {"sanitizer=asan", "threads=8", "library=1.3", "library=1.4", "binding=0.7", "binding=0.10"},
      1);
  ASSERT_FALSE(callbacks.is_discarded());
  ASSERT_EQ(callbacks["signatures"].size(), 1u) << callbacks["signatures"].dump(1);
  const json& use_after_free = callbacks["signatures"][0];
  EXPECT_EQ(use_after_free["kind"], "heap-use-after-free");
  EXPECT_THAT(frames_text(use_after_free), HasSubstr("worker_main"));
  EXPECT_EQ(cells_showing(callbacks, use_after_free),
            (std::set<std::string>{id("1.4", "0.7", "callbacks", "8"),
                                   id("1.4", "0.10", "callbacks", "8")}));
  EXPECT_THAT(use_after_free["attribution"].get<std::string>(),
              HasSubstr("appears in every cell with library ≥ 1.4 and workload = callbacks"));
  EXPECT_THAT(use_after_free["attribution"].get<std::string>(),
              HasSubstr("binding does not matter"));

  // Two bugs, two signatures.
  EXPECT_NE(double_free["hash"], use_after_free["hash"]);

  // A sample of verdicts.
  EXPECT_EQ(verdict(pool, "1.3", "0.7", "gates", "8"), "pass");
  EXPECT_EQ(verdict(pool, "1.3", "0.8", "gates", "8"), "crash");
  EXPECT_EQ(verdict(pool, "1.4", "0.10", "gates", "8"), "pass");
  EXPECT_EQ(verdict(callbacks, "1.3", "0.7", "callbacks", "8"), "pass");
  EXPECT_EQ(verdict(callbacks, "1.4", "0.7", "callbacks", "8"), "crash");
  EXPECT_EQ(verdict(callbacks, "1.4", "0.7", "gates", "8"), "pass");

  // One thread never crashes, even with both bugs built in.
  json alone = run("one-thread", {"sanitizer=asan", "threads=1", "library=1.4", "binding=0.8"}, 0);
  ASSERT_FALSE(alone.is_discarded());
  EXPECT_EQ(verdict(alone, "1.4", "0.8", "gates", "1"), "pass");
  EXPECT_EQ(verdict(alone, "1.4", "0.8", "callbacks", "1"), "pass");
}

TEST_F(ExampleTest, BisectFindsTheFirstCrashingAndTheFirstFixedVersions) {
  const std::vector<std::string> binding_base = {"--only",         "library=1.3", "--only",
                                                 "sanitizer=asan", "--only",      "workload=gates",
                                                 "--only",         "threads=8"};
  std::vector<std::string> args = {"--axis", "binding", "--bad", "0.9"};
  args.insert(args.end(), binding_base.begin(), binding_base.end());
  Outcome first = faultline("bisect", args);
  EXPECT_EQ(first.status, 1) << first.out << first.err;
  EXPECT_THAT(first.out, HasSubstr("first crashing: binding=0.8; last good: binding=0.7"));
  json a = bisect_answer("binding");
  EXPECT_EQ(a["outcome"], "culprit") << a.dump();
  EXPECT_EQ(a["first_bad"], "0.8");
  EXPECT_GE(a["posterior"].get<double>(), 0.99);

  args = {"--axis", "binding", "--fixed", "--bad", "0.8"};
  args.insert(args.end(), binding_base.begin(), binding_base.end());
  Outcome fixed = faultline("bisect", args);
  EXPECT_EQ(fixed.status, 1) << fixed.out << fixed.err;
  EXPECT_THAT(fixed.out, HasSubstr("first fixed: binding=0.10; last crashing: binding=0.9"));
  a = bisect_answer("binding");
  EXPECT_EQ(a["first_bad"], "0.10") << a.dump();

  Outcome library =
      faultline("bisect", {"--axis", "library", "--only", "binding=0.7", "--only", "sanitizer=asan",
                           "--only", "workload=callbacks", "--only", "threads=8"});
  EXPECT_EQ(library.status, 1) << library.out << library.err;
  EXPECT_THAT(library.out, HasSubstr("first crashing: library=1.4; last good: library=1.3"));
  a = bisect_answer("library");
  EXPECT_EQ(a["outcome"], "culprit") << a.dump();
  EXPECT_EQ(a["first_bad"], "1.4");
  EXPECT_GE(a["posterior"].get<double>(), 0.99);
  // The target is the use-after-free's family, not whichever manifestation came first: a rare
  // `asan SEGV` in the same function counts, and so does the usual heap-use-after-free.
  EXPECT_EQ(a["family"]["exact"], false) << a.dump();
  EXPECT_EQ(a["family"]["top_frame"], "worker_main") << a.dump();
  EXPECT_THAT(library.err, HasSubstr("every crash whose top frame is worker_main"));
}

}  // namespace
}  // namespace faultline
