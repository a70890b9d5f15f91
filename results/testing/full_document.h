// results/testing/full_document.h — for tests: a results document with every
// field the model knows set (each optional present, each list non-empty), as
// `faultline run`, `bisect` (1-D and 2-D fields in one entry), `merge` and
// `report --baseline` together would write it.
#pragma once

#include "results/model.h"

namespace faultline::results::testing {

inline Cell full_cell() {
  Cell c;
  c.id = "library=1.1 sanitizer=asan";
  c.hash = "0a1b2c3d";
  c.index = 3;
  c.values = {{"library", "1.1"}, {"sanitizer", "asan"}};
  c.verdict = "crash";
  c.skipped_reason = "interrupted after 3 of 20 runs";
  c.runs = 20;
  c.crashes = 3;
  c.hangs = 1;
  c.rate = {0.15, 0.052, 0.36};
  c.summary = "3 of 20 runs (15%; 95% CI 5.2%–36%)";
  c.signatures = {{"15027b82e369", 3}};
  c.wall_seconds = 1.25;
  c.repro = "faultline repro 0a1b2c3d 'faultline.yaml'";
  c.hung_stacks = "Thread 1 (LWP 7):\n#0 spin ()";
  c.build_error = BuildError{"exit 2", "make", "cc: error"};
  return c;
}

inline Signature full_signature() {
  Signature s;
  s.hash = "15027b82e369";
  s.text = "asan heap-use-after-free: gate_worker > gate_call > main";
  s.tool = "asan";
  s.kind = "heap-use-after-free";
  s.location = "gate.c:12";
  s.summary = "SUMMARY: AddressSanitizer: heap-use-after-free gate.c:12 in gate_worker";
  s.top_frame = "gate_worker";
  s.frames = {{"gate_worker", "gate.c", 12, "libgate.so"}};
  s.excerpt = "==1==ERROR: AddressSanitizer: heap-use-after-free";
  s.cells = {"0a1b2c3d"};
  s.runs = 3;
  s.attribution = "appears with library ≥ 1.1";
  s.family = "15027b82e369";
  s.baseline = "new";
  return s;
}

inline BisectAnswer full_bisect_answer() {
  BisectAnswer b;
  b.signature = "15027b82e369";
  b.signature_text = "asan heap-use-after-free: gate_worker > gate_call > main";
  b.family = BisectFamily{{"15027b82e369"}, "gate_worker", false, false, false};
  b.axes = {"library"};
  b.base = "sanitizer=asan";
  b.direction = "regression";
  b.status = "found";
  b.summary = "library 1.1 introduced the crash";
  b.first_crashing = Values{{"library", "1.1"}};
  b.last_passing = Values{{"library", "1.0"}};
  b.first_fixed = Values{{"library", "1.3"}};
  b.last_crashing = Values{{"library", "1.2"}};
  b.confidence = 0.995;
  b.confidence_goal = 0.99;
  b.crash_rate = BisectRate{0.15, 0.05, 0.36, 3, 20, "3 of 20 runs; 5.2–36% at 95%"};
  b.runs = 40;
  b.other_crashes = 0;
  b.verification = BisectVerification{{20, 3, 0, "crash"}, {20, 0, 0, "pass"}, {20, 4, 0, "crash"}};
  b.unbuildable = std::vector<std::string>{"1.05"};
  b.contradicting = std::vector<std::string>{};
  b.steps =
      std::vector<BisectStep>{{{{"library", "1.1"}}, "search", 20, 3, 0, "crash", "1.1", 0.9, 1}};
  b.manifestation_changed =
      ManifestationChange{{0.1, 0.02, 0.3, 2, 20, std::nullopt}, {0, 0, 0.14, 0, 20, std::nullopt}};
  b.first_commit = BisectCommit{"a01d03fb8b48c0ffee0123456789abcdef012345",
                                "widget: read the buffer after freeing it",
                                "Ada Lovelace <ada@example.com>", "2026-01-09T10:00:00+00:00"};
  b.compare_url = "https://github.com/acme/widget/compare/765b794fa60c...a01d03fb8b48";
  b.minimal_pairs = std::vector<Values>{{{"library", "1.1"}, {"binding", "0.8"}}};
  b.first_crashing_by_row =
      std::map<std::string, std::optional<std::string>>{{"1.0", std::nullopt}, {"1.1", "0.8"}};
  b.contradictions = std::vector<Contradiction>{
      {{{"library", "1.1"}, {"binding", "0.8"}}, {{"library", "1.2"}, {"binding", "0.9"}}}};
  b.probes = 5;
  b.grid_cells = 9;
  b.runs_per_pair = 20;
  b.interval = BisectInterval{};
  b.interval->first_crashing = "1.1";
  b.interval->last_good = "1.0";
  b.interval->last_crashing = "1.2";
  b.interval->first_fixed = "1.3";
  b.interval->start_outcome = "culprit";
  b.interval->end_outcome = "culprit";
  b.interval->spread = {{"1.2", 4, 1, false}};
  b.interval->summary = "crashes from 1.1 to 1.2";
  b.interval->first_crashing_commit = b.first_commit;
  b.interval->start_compare_url = b.compare_url;
  b.interval->first_fixed_commit =
      BisectCommit{"f1f1f1f1f1f1c0ffee0123456789abcdef012345", "widget: free the buffer once",
                   "Grace Hopper <grace@example.com>", "2026-02-01T12:00:00+00:00"};
  b.interval->end_compare_url =
      "https://github.com/acme/widget/compare/0b0b0b0b0b0b...f1f1f1f1f1f1";
  b.costs = BisectCosts{7, 12.5, 13, 9.75};
  b.region = nlohmann::json{{"cells", 16}, {"rows", nlohmann::json::array()}};
  return b;
}

inline Results full_document() {
  Results r;
  r.name = "ffi-race";
  r.matrix_file = "examples/ffi-race/faultline.yaml";
  r.matrix_fingerprint = "5068fa7fde36b8af";
  r.started_at = "2026-11-21T21:40:00Z";
  r.finished_at = "2026-11-21T21:44:10Z";
  r.interrupted = true;
  r.options = {20, 2, "first-crash", "2/4"};
  r.axes = {{"library", "component", {"1.0", "1.1"}}, {"sanitizer", "sanitizer", {"asan"}}};
  r.cells = {full_cell()};
  r.signatures = {full_signature()};
  r.families = {{"15027b82e369",
                 "asan heap-use-after-free: gate_worker > gate_call > main",
                 {"15027b82e369"},
                 "gate_worker",
                 {"0a1b2c3d"},
                 3,
                 "1 manifestation: asan heap-use-after-free in gate_worker (3 runs)",
                 "appears with library ≥ 1.1"}};
  r.builds = {{"library@1.1+asan", 1, "failed", false, 2.5, "/s/builds/library-ab12",
               "/s/builds/library-ab12/build.log", "make", "exit 2"}};
  r.totals = {1, 0, 1, 0, 0, 0, 20, 3, 1, 1, 0, 0, 1};
  r.merged = Merged{{"1/2", "2/2"}, 2, {}, false};
  r.store = StoreRef{".faultline/faultline.db", 4};
  r.bisect = std::vector<BisectAnswer>{full_bisect_answer()};
  r.baseline = Baseline{"session 2 (run of 2026-11-22T00:27:30Z)",
                        {"15027b82e369"},
                        {},
                        {{"895dbc99d66b", "exit nonzero-exit", "exit", "nonzero-exit", 4}}};
  r.attribution = AxisAttribution{"15027b82e369", "library", "the library, not the binding",
                                  std::vector<AxisEffect>{{"library", "decisive", "1.0: 0 of 20"}}};
  return r;
}

}  // namespace faultline::results::testing
