// End-to-end tests of how `faultline bisect` explains itself: progress lines
// on CI through long builds and long runs, the commit behind a git answer
// (subject, author, date, GitHub compare link) in the terminal, the answer file,
// results.json and the Markdown report, the target's name with --any-crash,
// and the step log agreeing with the answer with --fixed. Real builds, real
// runs, real git.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <regex>
#include <sstream>

#include "runner/process.h"
#include "tests/support.h"

namespace faultline::e2e {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class BisectExplain : public ScratchTest {
 protected:
  BisectExplain() : ScratchTest("explain") {}
  // The full commit id (40 hex digits) of `tag` in the lib repository, or "".
  std::string full_hash(const char* tag) const {
    auto h = runner::command_output({"git", "-C", (m_dir / "lib").string(), "rev-parse", tag});
    return h ? h->substr(0, 40) : std::string();
  }
};

// Version V aborts when V is in [FIRST, LAST] (-DFIRST, -DLAST at build time).
const char* k_program = R"(#include <stdio.h>
#include <stdlib.h>
int main(void) {
  if (V >= FIRST && V <= LAST) abort();
  puts("ok");
  return 0;
}
)";

// Six versions of the program above, aborting from FIRST to LAST; `build_extra`
// and `run_extra` run before the build and the run.
std::string six_versions(int first, int last, const std::string& build_extra = "",
                         const std::string& run_extra = "") {
  return "version: 1\ncomponents:\n  lib:\n    versions: [\"1\", \"2\", \"3\", \"4\", \"5\", "
         "\"6\"]\n    inputs: [prog.c]\n    build: >-\n      " +
         build_extra + "$CC -O1 -DV={{ version }} -DFIRST=" + std::to_string(first) +
         " -DLAST=" + std::to_string(last) +
         " -o {{ prefix }}/prog prog.c\nsanitizers: [none]\nworkloads:\n  w:\n    run: >-\n      " +
         run_extra + "{{ prefix.lib }}/prog\n";
}

// The third build sleeps 11 s and the fourth run 12 s (counted in files beside
// the matrix), so the search meets a long build and a long run after its first steps.
const char* k_slow_build =
    "n=$(cat builds.count 2>/dev/null || echo 0); echo $((n+1)) > builds.count; "
    "if [ $n = 2 ]; then sleep 11; fi; ";
const char* k_slow_run =
    "n=$(cat runs.count 2>/dev/null || echo 0); echo $((n+1)) > runs.count; "
    "if [ $n = 3 ]; then sleep 12; fi; ";

// Seconds since the epoch, then the line, for every line faultline prints (both
// streams piped: no terminal), between "start" and "end" lines.
const char* k_timestamped = R"(stamp() { while IFS= read -r l; do echo "$(date +%s.%N) $l"; done; }
echo "$(date +%s.%N) start"
"$0" bisect --axis lib --good 1 --bad 6 -j 1 2>&1 | stamp
echo "$(date +%s.%N) end"
)";

// A progress line as CI shows it: the probe, building or running; the leading
// candidate; builds, runs, elapsed time and ETA.
const std::regex k_progress_line(
    R"(progress: probe lib=[1-6]: (building \([0-9]+s\)|run [0-9]+ of ≤ [0-9]+ \([0-9]+s\), [0-9]+ crashed))"
    R"((; leading first crashing lib=[1-6] \(posterior [01]\.[0-9]{3}\))?)"
    R"(; builds [0-9]+ \([0-9]+ cached\), runs [0-9]+ \([0-9]+ crashed\); elapsed [0-9]+s, ETA (~[0-9hms]+|unknown))");

TEST_F(BisectExplain, OnCiNoTenSecondsPassWithoutALineNamingTheProbeAndAnEta) {
  write("faultline.yaml", six_versions(4, 6, k_slow_build, k_slow_run));
  write("prog.c", k_program);
  auto r = runner::run_command({"/bin/sh", "-c", k_timestamped, FAULTLINE_BINARY}, m_dir.string(),
                               std::chrono::minutes(5));
  ASSERT_TRUE(r);
  const std::string out = r->stdout_capture.text();
  std::istringstream lines(out);
  double previous = 0, first = 0, longest = 0;
  int progress = 0, building = 0, running = 0, with_eta = 0, slow_build = 0;
  for (std::string line; std::getline(lines, line);) {
    const double at = std::stod(line.substr(0, line.find(' ')));
    if (first == 0) first = at;
    if (previous > 0) longest = std::max(longest, at - previous);
    previous = at;
    const std::string text = line.substr(line.find(' ') + 1);
    slow_build +=
        std::regex_match(text, std::regex(R"(built for probe lib=[1-6] in 1[1-9]\.[0-9] s)"));
    if (text.rfind("progress: ", 0) != 0) continue;
    ++progress;
    EXPECT_TRUE(std::regex_match(text, k_progress_line)) << text;
    building += text.find(": building (") != std::string::npos;
    running += text.find(": run ") != std::string::npos;
    with_eta += text.find(", ETA ~") != std::string::npos;
  }
  EXPECT_THAT(out, HasSubstr("first crashing: lib=4; last good: lib=3")) << out;
  EXPECT_GE(previous - first, 23.0) << out;  // the sleeps happened
  EXPECT_LT(longest, 10.0) << out;
  EXPECT_EQ(slow_build, 1) << out;
  EXPECT_GE(progress, 2) << out;
  EXPECT_GE(building, 1) << out;
  EXPECT_GE(running, 1) << out;
  EXPECT_GE(with_eta, 1) << out;
}

// 16 commits of a small library by Ada Lovelace, one a day from 2026-01-01;
// commit 9 ("widget: read the buffer after freeing it") brings a
// heap-use-after-free; origin is git@github.com:acme/widget.git.
const char* k_history = R"sh(set -e
git init -q lib && cd lib && git config user.email ada@example.com && git config user.name 'Ada Lovelace'
git remote add origin git@github.com:acme/widget.git
for i in $(seq 1 16); do
  if [ $i -ge 9 ]; then ret='p[1]'; else ret=0; fi
  if [ $i -eq 9 ]; then subject='widget: read the buffer after freeing it'; else subject="commit $i"; fi
  printf '/* commit %s */\n#include <stdlib.h>\nint main(void) { char* volatile p = malloc(8); free(p); return %s; }\n' "$i" "$ret" > lib.c
  git add lib.c
  GIT_AUTHOR_DATE="$(printf '2026-01-%02dT10:00:00+00:00' $i)" git commit -qm "$subject"
  git tag c$i
done
)sh";

TEST_F(BisectExplain, AGitAnswerNamesTheCommitItsAuthorDateAndGithubCompareLink) {
  sh(k_history);
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: { git: { repo: lib, range: c1..c16 } }\n"
        "    source: { git: lib }\n"
        "    build: $CC $SAN_CFLAGS -g -o {{ prefix }}/prog lib.c $SAN_LDFLAGS\n"
        "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/prog\" }\n");
  auto hash = [&](const char* tag) { return full_hash(tag); };
  const std::string c8 = hash("c8"), c9 = hash("c9");
  ASSERT_EQ(c9.size(), 40u);
  Outcome o = faultline({"bisect", "--axis", "lib"}, std::chrono::minutes(10));
  EXPECT_EQ(o.status, 1) << o.err;
  const std::string compare =
      "https://github.com/acme/widget/compare/" + c8.substr(0, 12) + "..." + c9.substr(0, 12);
  EXPECT_THAT(o.out, HasSubstr("\nfirst crashing: lib=" + c9.substr(0, 12) +
                               "; last good: lib=" + c8.substr(0, 12) + " (posterior "))
      << o.out << o.err;
  EXPECT_THAT(o.out, HasSubstr(")\ncommit " + c9.substr(0, 12) +
                               " \"widget: read the buffer after freeing it\"\n"
                               "  by Ada Lovelace <ada@example.com> on 2026-01-09T10:00:00+00:00\n"
                               "compare: " +
                               compare + "\n"))
      << o.out;

  const json b = results()["bisect"][0];
  EXPECT_EQ(b["first_commit"], json({{"hash", c9},
                                     {"subject", "widget: read the buffer after freeing it"},
                                     {"author", "Ada Lovelace <ada@example.com>"},
                                     {"date", "2026-01-09T10:00:00+00:00"}}));
  EXPECT_EQ(b["compare_url"], compare);
  const json answer = json::parse(read(m_dir / ".faultline/bisect-lib.json"));
  EXPECT_EQ(answer["first_commit"]["hash"], c9);
  EXPECT_EQ(answer["compare_url"], compare);

  Outcome md = faultline({"report", "--format", "md", ".faultline/results.json"});
  EXPECT_THAT(md.out, HasSubstr("- commit `" + c9.substr(0, 12) +
                                "` widget: read the buffer after freeing it — Ada Lovelace "
                                "\\<ada@example.com\\>, 2026-01-09T10:00:00+00:00\n- compare: " +
                                compare + "\n"))
      << md.out << md.err;
  // The answer is an interval (no --good/--bad): its start with the commit, its end open.
  Outcome terminal = faultline({"report", ".faultline/results.json"});
  EXPECT_THAT(terminal.out,
              HasSubstr("\n  start: first crashing lib=" + c9.substr(0, 12) +
                        ", last good lib=" + c8.substr(0, 12) + "\n    commit " + c9.substr(0, 12) +
                        " \"widget: read the buffer after freeing it\" by Ada "
                        "Lovelace <ada@example.com> on 2026-01-09T10:00:00+00:00\n"
                        "    compare: " +
                        compare + "\n  end: open (lib crashes to its newest version)\n"))
      << terminal.out << terminal.err;
}

// The same library, fixed again by commit 13 ("widget: free the buffer once", by
// Grace Hopper): an interval with both ends found.
const char* k_fixed_history = R"sh(set -e
git init -q lib && cd lib && git config user.email ada@example.com && git config user.name 'Ada Lovelace'
git remote add origin https://github.com/acme/widget.git
for i in $(seq 1 16); do
  if [ $i -ge 9 ] && [ $i -lt 13 ]; then ret='p[1]'; else ret=0; fi
  subject="commit $i"; author='Ada Lovelace <ada@example.com>'
  if [ $i -eq 9 ]; then subject='widget: read the buffer after freeing it'; fi
  if [ $i -eq 13 ]; then subject='widget: free the buffer once'; author='Grace Hopper <grace@example.com>'; fi
  printf '/* commit %s */\n#include <stdlib.h>\nint main(void) { char* volatile p = malloc(8); free(p); return %s; }\n' "$i" "$ret" > lib.c
  git add lib.c
  GIT_AUTHOR_DATE="$(printf '2026-01-%02dT10:00:00+00:00' $i)" git commit -qm "$subject" --author "$author"
  git tag c$i
done
)sh";

TEST_F(BisectExplain, AnIntervalAnswerKeepsBothEndsCommitsAndWhatItCost) {
  sh(k_fixed_history);
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: { git: { repo: lib, range: c1..c16 } }\n"
        "    source: { git: lib }\n"
        "    build: $CC $SAN_CFLAGS -g -o {{ prefix }}/prog lib.c $SAN_LDFLAGS\n"
        "sanitizers: [asan]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/prog\" }\n");
  auto hash = [&](const char* tag) { return full_hash(tag); };
  const std::string c8 = hash("c8"), c9 = hash("c9"), c12 = hash("c12"), c13 = hash("c13");
  ASSERT_EQ(c13.size(), 40u);
  auto short_hash = [](const std::string& h) { return h.substr(0, 12); };
  const std::string compare = "https://github.com/acme/widget/compare/";
  const std::string start_url = compare + short_hash(c8) + "..." + short_hash(c9);
  const std::string end_url = compare + short_hash(c12) + "..." + short_hash(c13);
  Outcome o = faultline({"bisect", "--axis", "lib"}, std::chrono::minutes(10));
  ASSERT_EQ(o.status, 1) << o.out << o.err;
  EXPECT_THAT(o.out, HasSubstr("\nfirst fixed: lib=" + short_hash(c13) +
                               "; last crashing: lib=" + short_hash(c12) + " (posterior "))
      << o.out;

  const json start = {{"hash", c9},
                      {"subject", "widget: read the buffer after freeing it"},
                      {"author", "Ada Lovelace <ada@example.com>"},
                      {"date", "2026-01-09T10:00:00+00:00"}};
  const json end = {{"hash", c13},
                    {"subject", "widget: free the buffer once"},
                    {"author", "Grace Hopper <grace@example.com>"},
                    {"date", "2026-01-13T10:00:00+00:00"}};
  const json answer = json::parse(read(m_dir / ".faultline/bisect-lib.json"));
  const json b = results()["bisect"][0];
  for (const json& interval : {answer["interval"], b["interval"]}) {
    EXPECT_EQ(interval["first_crashing"], short_hash(c9)) << interval.dump(1);
    EXPECT_EQ(interval["first_fixed"], short_hash(c13));
    EXPECT_EQ(interval["first_crashing_commit"], start);
    EXPECT_EQ(interval["start_compare_url"], start_url);
    EXPECT_EQ(interval["first_fixed_commit"], end);
    EXPECT_EQ(interval["end_compare_url"], end_url);
  }
  EXPECT_EQ(b["first_commit"], start);  // the entry's own fields are the start search's

  // What it cost: one build per version probed (each in its own build folder), every run.
  int built = 0;
  for (const auto& entry : std::filesystem::directory_iterator(m_dir / ".faultline/builds"))
    built += entry.is_directory();
  EXPECT_EQ(b["costs"]["builds"], built) << b["costs"].dump();
  EXPECT_EQ(b["costs"]["runs"], b["runs"]) << b["costs"].dump();
  EXPECT_GT(b["costs"]["build_seconds"].get<double>(), 0);
  EXPECT_GT(b["costs"]["run_seconds"].get<double>(), 0);
  EXPECT_EQ(answer["costs"], b["costs"]);  // the answer file states the same costs
  char cost[96];
  std::snprintf(cost, sizeof cost, "cost: %d builds (%.1f s), %d runs (%.1f s)\n", built,
                b["costs"]["build_seconds"].get<double>(), b["runs"].get<int>(),
                b["costs"]["run_seconds"].get<double>());

  Outcome terminal = faultline({"report", ".faultline/results.json"});
  EXPECT_THAT(
      terminal.out,
      HasSubstr("\n  start: first crashing lib=" + short_hash(c9) +
                ", last good lib=" + short_hash(c8) + "\n    commit " + short_hash(c9) +
                " \"widget: read the buffer after freeing it\" by Ada Lovelace "
                "<ada@example.com> on 2026-01-09T10:00:00+00:00\n    compare: " +
                start_url + "\n  end: first fixed lib=" + short_hash(c13) +
                ", last crashing lib=" + short_hash(c12) + "\n    commit " + short_hash(c13) +
                " \"widget: free the buffer once\" by Grace Hopper <grace@example.com> "
                "on 2026-01-13T10:00:00+00:00\n    compare: " +
                end_url + "\n"))
      << terminal.out << terminal.err;
  EXPECT_THAT(terminal.out, HasSubstr("\n  " + std::string(cost))) << terminal.out;
  Outcome md = faultline({"report", "--format", "md", ".faultline/results.json"});
  EXPECT_THAT(
      md.out,
      HasSubstr("- start: first crashing `lib=" + short_hash(c9) +
                "`, last good `lib=" + short_hash(c8) + "`\n- commit `" + short_hash(c9) +
                "` widget: read the buffer after freeing it — Ada Lovelace "
                "\\<ada@example.com\\>, 2026-01-09T10:00:00+00:00\n- compare: " +
                start_url + "\n- end: first fixed `lib=" + short_hash(c13) +
                "`, last crashing `lib=" + short_hash(c12) + "`\n- commit `" + short_hash(c13) +
                "` widget: free the buffer once — Grace Hopper "
                "\\<grace@example.com\\>, 2026-01-13T10:00:00+00:00\n- compare: " +
                end_url + "\n- " + cost))
      << md.out << md.err;
}

TEST_F(BisectExplain, AVersionListHasNoCommitLines) {
  write("faultline.yaml", six_versions(4, 6));
  write("prog.c", k_program);
  Outcome o = faultline({"bisect", "--axis", "lib", "--good", "1", "--bad", "6"});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.out, HasSubstr("first crashing: lib=4; last good: lib=3 (posterior ")) << o.out;
  EXPECT_EQ(o.out.find("commit "), std::string::npos) << o.out;
  EXPECT_EQ(o.out.find("compare: "), std::string::npos) << o.out;
  EXPECT_FALSE(results()["bisect"][0].contains("first_commit"));
}

TEST_F(BisectExplain, AnyCrashNamesItsTargetAnyCrash) {
  write("faultline.yaml", six_versions(4, 6));
  write("prog.c", k_program);
  Outcome o = faultline({"bisect", "--axis", "lib", "--any-crash", "--good", "1", "--bad", "6"});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.out, HasSubstr("bisect lib (sanitizer=none workload=w), target any crash\n"))
      << o.out;
  Outcome interval = faultline({"bisect", "--axis", "lib", "--any-crash"});
  EXPECT_EQ(interval.status, 1) << interval.err;
  EXPECT_THAT(interval.out, HasSubstr("bisect lib (sanitizer=none workload=w), target any crash\n"))
      << interval.out;
}

// The last "leading first fixed lib=X" of the step log in `log`.
std::string last_leading_fixed(const std::string& log) {
  std::smatch m;
  std::string last;
  for (auto it = log.cbegin();
       std::regex_search(it, log.cend(), m, std::regex("leading first fixed (lib=[0-9]+)"));
       it = m.suffix().first)
    last = m[1];
  return last;
}

TEST_F(BisectExplain, WithFixedTheStepLogLeadsWithTheFirstPassingVersionAsTheAnswerDoes) {
  write("faultline.yaml", six_versions(1, 3));  // 1–3 crash, 4 fixed it
  write("prog.c", k_program);
  Outcome o = faultline({"bisect", "--axis", "lib", "--fixed", "--bad", "1", "--good", "6"});
  EXPECT_EQ(o.status, 1) << o.err;
  EXPECT_THAT(o.out, HasSubstr("first fixed: lib=4; last crashing: lib=3 (posterior ")) << o.out;
  EXPECT_EQ(last_leading_fixed(o.err), "lib=4") << o.err;
  Outcome interval = faultline({"bisect", "--axis", "lib", "--fixed"});
  EXPECT_EQ(interval.status, 1) << interval.err;
  EXPECT_THAT(interval.out, HasSubstr("first fixed: lib=4; last crashing: lib=3 (posterior "))
      << interval.out;
  EXPECT_EQ(last_leading_fixed(interval.err), "lib=4") << interval.err;
}

// Three libs × three binds: `pair BIND` from lib V aborts when V + BIND >= 5 (a staircase with
// corners lib=2 bind=3 and lib=3 bind=2); the fifth run sleeps 12 s, after the search's first
// crash (lib=2 bind=3) and while its predecessor lib=1 bind=3 runs.
const char* k_pair_program = R"(#include <stdio.h>
#include <stdlib.h>
int main(int argc, char** argv) {
  if (V + atoi(argv[1]) >= 5) abort();
  puts("ok");
  return 0;
}
)";

const char* k_plane_timestamped =
    R"(stamp() { while IFS= read -r l; do echo "$(date +%s.%N) $l"; done; }
"$0" bisect --axes lib,bind --runs-per-pair 2 -j 1 2>&1 | stamp
)";

// A 2-D progress line as CI shows it: as 1-D's, the leading candidate a pair.
const std::regex k_plane_progress_line(
    R"(progress: probe (lib=[1-3] bind=[1-3]|bind=[1-3] lib=[1-3]): (building \([0-9]+s\)|run [0-9]+ of ≤ [0-9]+ \([0-9]+s\), [0-9]+ crashed))"
    R"((; leading first crashing lib=[1-3] bind=[1-3] \(posterior [01]\.[0-9]{3}\))?)"
    R"(; builds [0-9]+ \([0-9]+ cached\), runs [0-9]+ \([0-9]+ crashed\); elapsed [0-9]+s, ETA (~[0-9hms]+|unknown))");

TEST_F(BisectExplain, TwoDimensionalProgressShowsTheLeadingCornerItsPosteriorAndAnEta) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: [\"1\", \"2\", \"3\"]\n"
        "    inputs: [pair.c]\n"
        "    build: $CC -O1 -DV={{ version }} -o {{ prefix }}/pair pair.c\n"
        "  bind:\n    versions: [\"1\", \"2\", \"3\"]\n"
        "sanitizers: [none]\nworkloads:\n  w:\n    run: >-\n      " +
            std::string(k_slow_run).replace(std::string(k_slow_run).find("$n = 3"), 6, "$n = 4") +
            "{{ prefix.lib }}/pair {{ bind }}\n");
  write("pair.c", k_pair_program);
  auto r = runner::run_command({"/bin/sh", "-c", k_plane_timestamped, FAULTLINE_BINARY},
                               m_dir.string(), std::chrono::minutes(5));
  ASSERT_TRUE(r);
  const std::string out = r->stdout_capture.text();
  std::istringstream lines(out);
  int progress = 0, leading = 0, with_eta = 0;
  std::string last_step_leading;
  for (std::string line; std::getline(lines, line);) {
    const std::string text = line.substr(line.find(' ') + 1);
    std::smatch m;
    if (std::regex_search(text, m, std::regex(R"(^  lib=.*; leading (first crashing .*)$)")))
      last_step_leading = m[1];
    if (text.rfind("progress: ", 0) != 0) continue;
    ++progress;
    EXPECT_TRUE(std::regex_match(text, k_plane_progress_line)) << text;
    leading +=
        text.find("; leading first crashing lib=2 bind=3 (posterior 0.500)") != std::string::npos;
    with_eta += text.find(", ETA ~") != std::string::npos;
  }
  EXPECT_GE(progress, 1) << out;
  EXPECT_GE(leading, 1) << out;  // lib=1 bind=3, its predecessor, still running
  EXPECT_GE(with_eta, 1) << out;
  EXPECT_THAT(out, HasSubstr(" lib=2: crashes from bind=3\n")) << out;
  // Both predecessors of the first corner passed, and the crash is deterministic: certain.
  EXPECT_EQ(last_step_leading, "first crashing lib=2 bind=3 (posterior 1.000)") << out;
}

// bind 3 and 4 abort under every lib; an earlier run of 3 runs per pair leaves the newest
// pair (bind=6 lib=3) silent in fewer than --runs-per-pair (10) runs: plain `faultline
// bisect` (bisect.axes: [bind, lib]) says why it runs that pair 7 more times, then bounds the
// crashing region from the evidence.
TEST_F(BisectExplain, TwoDimensionalRegionSaysWhyItTopsUpTheNewestPair) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: [\"1\", \"2\", \"3\"]\n"
        "    inputs: [pair.c]\n"
        "    build: $CC -O1 -DV={{ version }} -o {{ prefix }}/pair pair.c\n"
        "  bind:\n    versions: [\"1\", \"2\", \"3\", \"4\", \"5\", \"6\"]\n"
        "sanitizers: [none]\nworkloads:\n  w: { run: \"{{ prefix.lib }}/pair {{ bind }}\" }\n"
        "bisect: { axes: [bind, lib] }\n");
  write("pair.c", R"(#include <stdio.h>
#include <stdlib.h>
int main(int argc, char** argv) {
  int bind = atoi(argv[1]);
  if (bind >= 3 && bind < 5) abort();
  puts("ok");
  return 0;
}
)");
  Outcome run = faultline({"run", "--runs", "3", "--stop", "all"});
  ASSERT_EQ(run.status, 1) << run.out << run.err;
  Outcome o = faultline({"bisect"});
  ASSERT_EQ(o.status, 1) << o.out << o.err;
  EXPECT_THAT(o.err, HasSubstr("bisect: the newest pair bind=6 lib=3 was silent in 3 runs of the "
                               "earlier run; 7 more settle whether the crash was fixed on the "
                               "way\n  bind=6 lib=3: target in 0 of 7 runs; < 35% at 95%\n"))
      << o.err;
  EXPECT_THAT(o.out, HasSubstr("the crashing region from the earlier run's results: 6 crashing "
                               "cells within bind 3–4 (first crashing 3, first fixed 5) × lib "
                               "1–3 (from the oldest, to the newest)\n"))
      << o.out;
  EXPECT_THAT(o.out, HasSubstr("  bind=5: no crash (0 of 3 cells with runs, 9 runs)\n"
                               "  bind=6: no crash (0 of 3 cells with runs, 16 runs)\n"))
      << o.out;
  const json b = results()["bisect"][0];
  EXPECT_EQ(b["status"], "region");
  EXPECT_EQ(b["runs"], 7);
  EXPECT_EQ(b["costs"]["runs"], 7);
  EXPECT_EQ(b["costs"]["builds"], 0);  // the earlier run's builds, from the cache
}

}  // namespace
}  // namespace faultline::e2e
