// Parser tests on fixtures (sanitizers/testdata/fixtures/, sources in its
// README): Go, Rust, Bun, glibc formats, plus real sanitizer output cut,
// interleaved and repeated the ways captured logs are.
#include "sanitizers/parser.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>
#include <string>

#include "sanitizers/frame.h"
#include "sanitizers/profile.h"

namespace faultline::sanitizers {
namespace {

std::string fixture(const std::string& name) {
  std::ifstream in(std::string(FAULTLINE_SOURCE_DIR) + "/sanitizers/testdata/fixtures/" + name,
                   std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << "missing fixture " << name;
  return s.str();
}

std::vector<std::string> top(const Crash& c) { return meaningful_frames(c.frames, {}); }

TEST(ParserFixtures, GoNilPointerPanic) {
  auto crashes = parse_output(fixture("go_nil_panic.txt"));
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "go");
  EXPECT_EQ(crashes[0].kind, "nil-pointer-dereference");
  EXPECT_EQ(top(crashes[0]),
            (std::vector<std::string>{"github.com/example/gate.(*Client).GetFeatureGate",
                                      "main.worker"}));
  EXPECT_EQ(crashes[0].location, "client.go:212");
}

TEST(ParserFixtures, GlibcAbortThenGoSigabrtInCgoIsOneCrash) {
  auto crashes = parse_output(fixture("go_cgo_sigabrt_after_glibc.txt"));
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "glibc");
  EXPECT_EQ(crashes[0].kind, "double-free-or-corruption");
  EXPECT_EQ(top(crashes[0])[0], "github.com/ebitengine/purego.RegisterFunc.func1");
  EXPECT_NE(crashes[0].excerpt.find("signal arrived during cgo execution"), std::string::npos);
}

TEST(ParserFixtures, GoSigabrtInCgoAlone) {
  std::string text = fixture("go_cgo_sigabrt_after_glibc.txt");
  text.erase(0, text.find("SIGABRT"));
  auto crashes = parse_output(text);
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "go");
  EXPECT_EQ(crashes[0].kind, "SIGABRT");
  EXPECT_NE(crashes[0].summary.find("signal arrived during cgo execution"), std::string::npos);
}

TEST(ParserFixtures, GoBadPointerInHeap) {
  auto crashes = parse_output(fixture("go_bad_pointer.txt"));
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].kind, "found-bad-pointer-in-go-heap");
  EXPECT_EQ(top(crashes[0])[0], "google.golang.org/grpc.newClientStream");
}

TEST(ParserFixtures, GoRaceHasBothSides) {
  auto crashes = parse_output(fixture("go_race.txt"));
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "go");
  EXPECT_EQ(crashes[0].kind, "data-race");
  ASSERT_TRUE(crashes[0].access.has_value());
  EXPECT_EQ(crashes[0].access->kind, AccessKind::write);
  EXPECT_EQ(top(crashes[0]), (std::vector<std::string>{"main.increment", "main.main.func1"}));
  EXPECT_EQ(meaningful_frames(crashes[0].other_frames, {})[0], "main.report");
  EXPECT_EQ(crashes[0].signature.text,
            "go data-race: main.increment > main.main.func1 | main.report > main.main");
}

TEST(ParserFixtures, GoConcurrentMapWrites) {
  auto crashes = parse_output(fixture("go_concurrent_map.txt"));
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].kind, "concurrent-map-writes");
  EXPECT_EQ(top(crashes[0]), (std::vector<std::string>{"main.store", "main.main.func1"}));
}

TEST(ParserFixtures, RustPanicWithBacktrace) {
  auto crashes = parse_output(fixture("rust_panic_backtrace.txt"));
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "rust");
  EXPECT_EQ(crashes[0].kind, "panic");
  EXPECT_EQ(top(crashes[0]),
            (std::vector<std::string>{"main::pick", "main::run_case", "main::main"}));
  EXPECT_EQ(crashes[0].location, "main.rs:2");
  EXPECT_NE(crashes[0].summary.find("index out of bounds"), std::string::npos);
}

TEST(ParserFixtures, RustOldFormatWithoutBacktrace) {
  auto crashes = parse_output(
      "thread 'main' panicked at 'called `Option::unwrap()` on a `None` value', src/lib.rs:41:9\n"
      "note: run with `RUST_BACKTRACE=1` environment variable to display a backtrace\n");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].location, "lib.rs:41");
  EXPECT_EQ(crashes[0].signature.text, "rust panic: lib.rs:41");
}

TEST(ParserFixtures, BunPanicBanner) {
  auto crashes = parse_output(fixture("bun_panic.txt"));
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "bun");
  EXPECT_EQ(crashes[0].kind, "SIGSEGV");
  auto old = parse_output("panic: Segmentation fault at address 0x38\n");
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].tool, "bun");
}

TEST(ParserFixtures, BunUbsanMemberCallOnNull) {
  auto crashes = parse_output(fixture("bun_ubsan.txt"));
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "ubsan");
  EXPECT_EQ(crashes[0].kind, "null");
  EXPECT_EQ(crashes[0].location, "Strong.h:147");
  EXPECT_EQ(crashes[0].signature.text, "ubsan null: Strong.h:147");
}

TEST(ParserFixtures, GlibcShellAndTerminateMessages) {
  auto crashes = parse_output(fixture("glibc_messages.txt"));
  ASSERT_EQ(crashes.size(), 4u);
  EXPECT_EQ(crashes[0].kind, "invalid-pointer");  // "Aborted (core dumped)" folded in
  EXPECT_EQ(crashes[1].kind, "heap-corruption");  // bash job report folded in
  EXPECT_EQ(crashes[2].kind, "stack-smashing");
  EXPECT_EQ(crashes[3].tool, "c++");
  EXPECT_EQ(crashes[3].kind, "uncaught-exception");
  EXPECT_EQ(crashes[3].detail, "std::length_error");
  EXPECT_NE(crashes[3].summary.find("what():"), std::string::npos);
}

TEST(ParserFixtures, ShellSignalLinesAlone) {
  auto crashes = parse_output("running\nSegmentation fault (core dumped)\n");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "signal");
  EXPECT_EQ(crashes[0].kind, "SIGSEGV");
  EXPECT_TRUE(parse_output("log: Segmentation fault handling is documented in FAQ.md\n").empty());
}

TEST(ParserFixtures, GdbBacktrace) {
  auto crashes = parse_output(
      "Program received signal SIGSEGV, Segmentation fault.\n"
      "0x0000555555555135 in f (p=0x0) at g.c:2\n"
      "2\t__attribute__((noinline)) int f(int*p){return *p;}\n"
      "#0  0x0000555555555135 in f (p=0x0) at g.c:2\n"
      "#1  0x0000555555555147 in main () at g.c:3\n");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].kind, "SIGSEGV");
  EXPECT_EQ(top(crashes[0]), (std::vector<std::string>{"f", "main"}));
  EXPECT_EQ(crashes[0].location, "g.c:2");
}

TEST(ParserLogs, OrdinaryOutputHasNoCrash) {
  EXPECT_TRUE(parse_output("").empty());
  EXPECT_TRUE(
      parse_output("all 12 tests passed\nfree(): this is a log line about free()\n").empty());
  EXPECT_TRUE(
      parse_output("fatal error: the word panic appears in the middle panic: no\n").size() <= 1);
}

TEST(ParserLogs, TruncatedReportKeepsWhatItHas) {
  std::string text = fixture("asan_uaf_clang14.txt");
  std::size_t cut = text.find("freed by thread");
  std::string truncated = text.substr(0, cut) + "[... 123456 bytes omitted ...]\nworker 3 done\n";
  auto crashes = parse_output(truncated);
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_TRUE(crashes[0].truncated);
  EXPECT_EQ(crashes[0].kind, "heap-use-after-free");
  EXPECT_EQ(top(crashes[0])[0], "bug_heap_use_after_free");
  EXPECT_EQ(crashes[0].signature, parse_output(text)[0].signature);
}

TEST(ParserLogs, SummaryAfterGapStillCounts) {
  std::string text = fixture("asan_uaf_clang14.txt");
  std::string tail = "[... 99 bytes omitted ...]\n" + text.substr(text.find("SUMMARY:"));
  auto crashes = parse_output(tail);
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "asan");
  EXPECT_EQ(crashes[0].kind, "heap-use-after-free");
}

TEST(ParserLogs, OrphanFramesAfterGapAreIgnored) {
  std::string text = fixture("asan_uaf_clang14.txt");
  std::string tail = "[... 99 bytes omitted ...]\n" + text.substr(text.find("    #1 "), 300);
  EXPECT_TRUE(parse_output(tail).empty());
}

// Lines of other threads between the report's lines, as an unbuffered
// program's stdout mixes with the sanitizer's stderr.
TEST(ParserLogs, InterleavedLinesOfOtherThreads) {
  std::string text = fixture("tsan_race_gcc12.txt");
  std::istringstream in(text);
  std::string line, mixed;
  int n = 0;
  while (std::getline(in, line))
    mixed += line + "\n" + "worker " + std::to_string(n++ % 4) + ": tick\n";
  auto clean = parse_output(text);
  auto crashes = parse_output(mixed);
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].kind, "data-race");
  EXPECT_EQ(crashes[0].signature, clean[0].signature);
}

TEST(ParserLogs, SeveralReportsInOneLog) {
  std::string text = "build ok\n" + fixture("asan_uaf_clang14.txt") + "next run\n" +
                     fixture("tsan_race_gcc12.txt") + fixture("go_race.txt") +
                     fixture("lsan_leak_gcc12.txt");
  auto crashes = parse_output(text);
  ASSERT_EQ(crashes.size(), 4u);
  EXPECT_EQ(crashes[0].tool, "asan");
  EXPECT_EQ(crashes[1].tool, "tsan");
  EXPECT_EQ(crashes[2].tool, "go");
  EXPECT_EQ(crashes[3].tool, "lsan");
}

TEST(ParserLogs, GithubActionsTimestampsAndCrLf) {
  std::string text = fixture("asan_uaf_clang14.txt");
  std::istringstream in(text);
  std::string line, ci;
  while (std::getline(in, line)) ci += "2024-05-01T12:00:00.1234567Z " + line + "\r\n";
  auto crashes = parse_output(ci);
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].signature, parse_output(text)[0].signature);
}

TEST(ParserLogs, InvalidUtf8DoesNotDisturb) {
  std::string text = "\xff\xfe garbage \xc3\n" + fixture("asan_uaf_clang14.txt") + "\x80\x80\n";
  auto crashes = parse_output(text);
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].kind, "heap-use-after-free");
}

TEST(ParserStatus, FatalSignalWithoutReport) {
  RunStatus status;
  status.signal = 11;
  auto crashes = parse_output("iteration 1\n", status);
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "signal");
  EXPECT_EQ(crashes[0].kind, "SIGSEGV");
  status.signal = 9;  // a kill, not a crash
  EXPECT_TRUE(parse_output("", status).empty());
}

TEST(ParserStatus, ExitCodes) {
  RunStatus shell;
  shell.exit_code = 134;
  EXPECT_EQ(parse_output("", shell).at(0).kind, "SIGABRT");
  RunStatus asan;
  asan.exit_code = 23;
  auto crashes = parse_output("[... 5000 bytes omitted ...]\n", asan);
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "asan");
  EXPECT_EQ(crashes[0].kind, "report-not-found");
  RunStatus ok;
  ok.exit_code = 0;
  EXPECT_TRUE(parse_output("done\n", ok).empty());
}

TEST(ParserStatus, AnExitCodeNamesAToolOnlyWhereItsRuntimeIsIn) {
  RunStatus exit23;
  exit23.exit_code = 23;
  ParseOptions none;
  none.exit_codes = exit_codes_of({}, *builtin("none", Compiler::gcc));
  EXPECT_TRUE(parse_output("", exit23, none)
                  .empty());  // a plain exit code: the caller calls it nonzero-exit
  const Profile asan = *builtin("asan", Compiler::gcc);
  ParseOptions with_asan;
  with_asan.exit_codes = exit_codes_of(asan.env, asan);
  auto crashes = parse_output("", exit23, with_asan);
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "asan");
  EXPECT_EQ(crashes[0].kind, "report-not-found");
  RunStatus exit66;
  exit66.exit_code = 66;
  EXPECT_TRUE(parse_output("", exit66, with_asan).empty());
  const Profile tsan = *builtin("tsan", Compiler::gcc);
  EXPECT_EQ(exit_codes_of(tsan.env, tsan), (std::map<int, std::string>{{66, "tsan"}}));
  EXPECT_EQ(exit_codes_of({{"ASAN_OPTIONS", "exitcode=42:halt_on_error=1"}}, Profile{}),
            (std::map<int, std::string>{{42, "asan"}}));
  EXPECT_EQ(exit_codes_of({{"ASAN_OPTIONS", "abort_on_error=0"}}, Profile{}),
            (std::map<int, std::string>{}));
}

TEST(ParserOptions, IgnoredFramesAndSymbolizer) {
  std::string text =
      "==1==ERROR: AddressSanitizer: SEGV on unknown address 0x000000000000 (pc 0x1 bp 0x2 sp 0x3 "
      "T4)\n"
      "    #0 0x7f1 in purego_dispatch_trampoline /src/tramp.c:10\n"
      "    #1 0x7f2  (/opt/lib/libgate.so.1+0x1a2b)\n"
      "    #2 0x7f3 in main /src/main.c:5\n"
      "SUMMARY: AddressSanitizer: SEGV /src/tramp.c:10 in purego_dispatch_trampoline\n";
  ParseOptions options;
  options.signature.ignore_frames = {"purego_*"};
  auto plain = parse_output(text, {}, options);
  ASSERT_EQ(plain.size(), 1u);
  EXPECT_EQ(plain[0].signature.text, "asan SEGV: libgate.so.1+0x00001a2b > main");
  options.symbolizer = [](std::string_view module, std::uint64_t offset) -> std::optional<Frame> {
    if (basename(module) != "libgate.so.1" || offset != 0x1a2b) return std::nullopt;
    Frame f;
    f.function = "gate_check(int)";
    f.file = "gate.c";
    f.line = 77;
    return f;
  };
  auto symbolized = parse_output(text, {}, options);
  EXPECT_EQ(symbolized[0].signature.text, "asan SEGV: gate_check > main");
  EXPECT_EQ(symbolized[0].location, "gate.c:77");
}

}  // namespace

}  // namespace faultline::sanitizers
