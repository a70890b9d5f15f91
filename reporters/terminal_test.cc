#include "reporters/terminal.h"

#include <gtest/gtest.h>

#include "reporters/text.h"

namespace faultline::reporters {
namespace {

using nlohmann::json;

json cell(const std::string& lib, const std::string& bind, const std::string& san,
          const std::string& verdict) {
  return {{"values", {{"lib", lib}, {"bind", bind}, {"sanitizer", san}}},
          {"verdict", verdict},
          {"runs", 4}};
}

TEST(TerminalGrid, CountsCrashingCellsPerVersionPairOverTheOtherAxes) {
  json r = {{"axes",
             {{{"name", "lib"}, {"kind", "component"}, {"values", {"1", "2"}}},
              {{"name", "bind"}, {"kind", "component"}, {"values", {"a", "b"}}},
              {{"name", "sanitizer"}, {"kind", "sanitizer"}, {"values", {"none", "asan"}}}}},
            {"cells",
             {cell("1", "a", "none", "pass"), cell("1", "a", "asan", "pass"),
              cell("1", "b", "none", "build-error"), cell("1", "b", "asan", "build-error"),
              cell("2", "a", "none", "pass"), cell("2", "a", "asan", "crash"),
              cell("2", "b", "asan", "hang")}}};
  EXPECT_EQ(render_grid(r),
            "     bind  (crashing cells / cells, over the other axes; . = none crashed)\n"
            "lib  a          b          \n"
            "1    .          build-err  \n"
            "2    1/2        1/1        \n");
}

TEST(TerminalGrid, NoGridWithOneVersionAxis) {
  json r = {{"axes", {{{"name", "lib"}, {"kind", "component"}, {"values", {"1", "2"}}}}},
            {"cells", {cell("1", "a", "none", "pass")}}};
  EXPECT_EQ(render_grid(r), "");
}

TEST(TerminalText, ControlCharactersAreShownNotObeyed) {
  EXPECT_EQ(terminal_text("a\x1b[2Jb\x1b]0;title\x07 c\r\x7f\ttab\n"),
            "a\\x1b[2Jb\\x1b]0;title\\x07 c\\x0d\\x7f\ttab\n");
  EXPECT_EQ(terminal_text("csi \xc2\x9b"
                          "31m, bad \xff, é \\x"),
            "csi \\u009b31m, bad \\xff, é \\x");
}

TEST(TerminalReport, WorkloadTextCannotDriveTheTerminal) {
  json r = json::parse(R"({
    "cells": [{"id": "lib=1 \u001b]0;pwned\u0007", "verdict": "crash", "hash": "h1",
               "summary": "runtime error: \u001b[2J\u001b[H cleared", "signatures": [{"hash": "abc"}]}],
    "signatures": [{"hash": "abc", "tool": "ubsan", "kind": "runtime-error", "runs": 1, "cells": ["h1"],
                    "summary": "see \u001b]8;;http://x/\u001b\\here\u001b]8;;\u001b\\ \u0007",
                    "frames": [{"function": "f\u001b[5m", "file": "a.c", "line": 3}]}],
    "builds": [], "axes": [], "totals": {"cells": 1, "crash": 1, "signatures": 1, "runs": 1}})");
  EXPECT_EQ(
      render_terminal(r),
      "  crash       lib=1 \\x1b]0;pwned\\x07  — runtime error: \\x1b[2J\\x1b[H cleared  [abc]\n"
      "\n"
      "crash abc  ubsan runtime-error — 1 cell, 1 of 0 runs there\n"
      "  see \\x1b]8;;http://x/\\x1b\\here\\x1b]8;;\\x1b\\ \\x07\n"
      "    #0 f\\x1b[5m  a.c:3\n"
      "  first in: lib=1 \\x1b]0;pwned\\x07\n"
      "\n"
      "1 crash signature in 1 of 1 cells (1 runs)\n");
}

// A family's summary and attribution come from a frame's function name, which the workload
// printed: they are shown, never obeyed.
TEST(TerminalReport, FamilyLinesCannotDriveTheTerminal) {
  const json r = json::parse(
      "{\"cells\": [], \"signatures\": [{\"hash\": \"abc\", \"tool\": \"asan\", \"kind\": \"uaf\", "
      "\"runs\": 1, \"cells\": [\"h1\"], \"frames\": []}], \"builds\": [], \"axes\": [],"
      " \"families\": [{\"hash\": \"fam1\", \"cells\": [\"h1\"],"
      " \"summary\": \"asan uaf in evil\\u001b]0;PWN\\u0007 (1 run)\","
      " \"attribution\": \"where \\u001b[2J\"}],"
      " \"totals\": {\"cells\": 1, \"crash\": 1, \"signatures\": 1, \"runs\": 1}}");
  const std::string out = render_terminal(r);
  EXPECT_NE(out.find("\n1 bug, asan uaf in evil\\x1b]0;PWN\\x07 (1 run)\n"
                     "  bug fam1: asan uaf in evil\\x1b]0;PWN\\x07 (1 run) — 1 cell\n"
                     "    where: where \\x1b[2J\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find('\x1b'), std::string::npos) << out;
  EXPECT_EQ(out.find('\x07'), std::string::npos) << out;
}

}  // namespace
}  // namespace faultline::reporters

namespace faultline::reporters {
namespace {

// An interval answer: both ends with their commits, open ends, and what the bisect cost.
TEST(TerminalBisect, AnIntervalShowsBothEndsWithTheirCommitsAndTheCost) {
  results::Results r;
  results::BisectAnswer b;
  b.axes = std::vector<std::string>{"lib"};
  b.signature = "15027b82e369";
  b.base = "sanitizer=asan";
  b.direction = "regression";
  b.status = "found";
  b.first_crashing = results::Values{{"lib", "a01d03fb8b48"}};
  b.first_commit = results::BisectCommit{"a01d03fb8b48c0ffee", "widget: read after free",
                                         "Ada Lovelace <ada@example.com>", "2026-01-09"};
  results::BisectInterval i;
  i.first_crashing = "a01d03fb8b48";
  i.last_good = "765b794fa60c";
  i.first_fixed = "f1f1f1f1f1f1";
  i.last_crashing = "0b0b0b0b0b0b";
  i.first_crashing_commit = b.first_commit;
  i.start_compare_url = "https://github.com/acme/widget/compare/765b794fa60c...a01d03fb8b48";
  i.first_fixed_commit = results::BisectCommit{"f1f1f1f1f1f1c0ffee", "widget: free once",
                                               "Grace Hopper <grace@example.com>", "2026-01-13"};
  b.interval = i;
  b.costs = results::BisectCosts{7, 12.25, 13, 9.75};
  r.bisect = std::vector<results::BisectAnswer>{b};
  EXPECT_EQ(render_bisect(r),
            "\nbisect lib for 15027b82e369 with sanitizer=asan: found\n"
            "  start: first crashing lib=a01d03fb8b48, last good lib=765b794fa60c\n"
            "    commit a01d03fb8b48 \"widget: read after free\" by Ada Lovelace "
            "<ada@example.com> on 2026-01-09\n"
            "    compare: https://github.com/acme/widget/compare/765b794fa60c...a01d03fb8b48\n"
            "  end: first fixed lib=f1f1f1f1f1f1, last crashing lib=0b0b0b0b0b0b\n"
            "    commit f1f1f1f1f1f1 \"widget: free once\" by Grace Hopper <grace@example.com> "
            "on 2026-01-13\n"
            "  cost: 7 builds (12.2 s), 13 runs (9.8 s)\n");
  i.first_fixed.reset();
  i.last_crashing.reset();
  i.first_fixed_commit.reset();
  i.end_open = true;
  (*r.bisect)[0].interval = i;
  (*r.bisect)[0].costs.reset();
  EXPECT_NE(render_bisect(r).find("  end: open (lib crashes to its newest version)\n"),
            std::string::npos)
      << render_bisect(r);
}

}  // namespace
}  // namespace faultline::reporters
