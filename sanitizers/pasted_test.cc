// Crash output as people paste it (sanitizers/testdata/pasted/, README.md
// there): every sample against expected.json (tool, kind, top frames, which
// samples are the same bug), then variants of each kind — other prefixes,
// other modules, other layouts — so the kind is tested, not the bytes.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "sanitizers/frame.h"
#include "sanitizers/line_prefix.h"
#include "sanitizers/parser.h"

namespace faultline::sanitizers {
namespace {

using Keys = std::vector<std::string>;

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  EXPECT_FALSE(s.str().empty()) << "missing " << path;
  return s.str();
}

std::string pasted(const std::string& name) {
  return read_file(std::string(FAULTLINE_SOURCE_DIR) + "/sanitizers/testdata/pasted/" + name);
}

std::string fixture(const std::string& name) {
  return read_file(std::string(FAULTLINE_SOURCE_DIR) + "/sanitizers/testdata/fixtures/" + name);
}

nlohmann::json expected() { return nlohmann::json::parse(pasted("expected.json")); }

// A triage reads pasted text without a run status.
std::vector<Crash> triage(const std::string& text) {
  ParseOptions options;
  options.use_exit_status = false;
  return parse_output(text, {}, options);
}

Keys top(const Crash& c) { return meaningful_frames(c.frames, {}); }

// Every line of `text` with `prefix(i)` before it.
template <class Prefix>
std::string prefixed(const std::string& text, Prefix prefix) {
  std::istringstream in(text);
  std::string line, out;
  for (int i = 0; std::getline(in, line); ++i) out += prefix(i) + line + "\n";
  return out;
}

std::vector<std::string> sample_names() {
  std::vector<std::string> names;
  const nlohmann::json all = expected();
  for (const auto& [name, value] : all.items()) names.push_back(name);
  return names;
}

class PastedSample : public testing::TestWithParam<std::string> {};

TEST_P(PastedSample, ToolKindAndTopFrames) {
  const auto want = expected().at(GetParam());
  auto crashes = triage(pasted(GetParam()));
  ASSERT_EQ(crashes.size(), 1u) << GetParam();
  EXPECT_EQ(crashes[0].tool, want.at("tool").get<std::string>());
  EXPECT_EQ(crashes[0].kind, want.at("kind").get<std::string>());
  Keys frames = want.at("top_frames").get<Keys>();
  Keys got = top(crashes[0]);
  if (!frames.empty()) got.resize(std::min(got.size(), frames.size()));
  EXPECT_EQ(got, frames);  // none expected: none meaningful
}

TEST_P(PastedSample, SameBugSameSignature) {
  const auto want = expected().at(GetParam());
  auto mine = triage(pasted(GetParam()));
  ASSERT_FALSE(mine.empty());
  for (const auto& other : want.at("same_bug_as")) {
    auto theirs = triage(pasted(other.get<std::string>()));
    ASSERT_FALSE(theirs.empty());
    EXPECT_EQ(mine[0].signature, theirs[0].signature) << GetParam() << " vs " << other;
  }
}

std::string sample_test_name(const testing::TestParamInfo<std::string>& info) {
  std::string name = info.param.substr(0, info.param.find('.'));
  for (char& c : name) c = std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
  return name;
}

INSTANTIATE_TEST_SUITE_P(Pasted, PastedSample, testing::ValuesIn(sample_names()), sample_test_name);

TEST(PastedSamples, DetailsThePeopleReadingThemNeed) {
  auto python = triage(pasted("python_faulthandler.log"));
  EXPECT_EQ(python[0].detail,
            "extension modules: fastcodec._native, numpy.core._multiarray_umath, "
            "numpy.core._multiarray_tests "
            "(total: 3)");
  EXPECT_EQ(python[0].location, "core.py:88");
  auto jvm = triage(pasted("jvm_hs_err.log"));
  ASSERT_EQ(jvm[0].frames.size(), 1u);
  EXPECT_EQ(jvm[0].frames[0].module, "libzstdjni.so");
  EXPECT_EQ(jvm[0].frames[0].offset, 0x121d4u);
  auto assert_failure = triage(pasted("glibc_assert.log"));
  EXPECT_EQ(assert_failure[0].detail, "s->pending == 0");
  EXPECT_EQ(assert_failure[0].location, "shard.c:214");
  auto valgrind = triage(pasted("valgrind_memcheck.log"));
  ASSERT_TRUE(valgrind[0].access.has_value());
  EXPECT_EQ(valgrind[0].access->size, 4u);
  EXPECT_EQ(valgrind[0].location, "ring.c:73");
}

// --- Line prefixes of any shape ------------------------------------------

TEST(PastedPrefixes, LinePrefixShapes) {
  LinePrefix compose("api-1     | ");
  EXPECT_EQ(compose.match("api-1     |     #0 0x1 in f a.c:1"), 12u);
  EXPECT_FALSE(compose.match("db-1      | LOG:  checkpoint complete").has_value());
  LinePrefix kubectl("2026-03-02T10:14:07.112301002Z stderr F ");
  EXPECT_EQ(kubectl.match("2026-03-02T10:14:07.1Z stderr F x"),
            32u);  // RFC 3339 drops trailing zeros
  EXPECT_FALSE(kubectl.match("2026-03-02T10:14:07.1Z stdout F x").has_value());
  LinePrefix ctest("3: ");
  EXPECT_EQ(ctest.match("12: x"), 4u);
  EXPECT_EQ(ctest.match("3:"), 2u);  // a blank line whose trailing space was trimmed
}

struct PrefixCase {
  const char* name;
  std::string (*prefix)(int);
};

const PrefixCase k_prefixes[] = {
    {"github_actions",
     [](int i) { return "2024-05-01T12:00:0" + std::to_string(i % 10) + ".1234567Z "; }},
    {"compose_v1", [](int) { return std::string("worker_1  | "); }},
    {"kubectl_prefix", [](int) { return std::string("[pod/api-7d9c8b5f4-x2x9z/app] "); }},
    {"containerd",
     [](int i) { return "2026-03-02T10:14:07." + std::to_string(100 + i * 7) + "Z stdout F "; }},
    {"ctest", [](int) { return std::string("12: "); }},
    {"jenkins", [](int i) { return "[2024-05-01T12:00:" + std::to_string(10 + i) + ".123Z] "; }},
};

class PrefixedReport : public testing::TestWithParam<PrefixCase> {};

// Every format that has a stack keeps its frames (and signature) under each prefix.
TEST_P(PrefixedReport, SameSignatureAsUnprefixed) {
  for (const char* file : {"asan_uaf_clang14.txt", "tsan_race_gcc12.txt", "go_nil_panic.txt",
                           "go_race.txt", "rust_panic_backtrace.txt", "lsan_leak_gcc12.txt"}) {
    std::string text = fixture(file);
    auto plain = triage(text);
    auto crashes = triage(prefixed(text, GetParam().prefix));
    ASSERT_EQ(crashes.size(), plain.size()) << file;
    ASSERT_FALSE(crashes.empty()) << file;
    EXPECT_FALSE(top(crashes[0]).empty()) << file;
    EXPECT_EQ(crashes[0].signature, plain[0].signature) << file;
  }
  for (const char* file :
       {"valgrind_memcheck_noprefix.log", "python_faulthandler_threads.log", "node_fatal.log"}) {
    std::string text = pasted(file);
    auto crashes = triage(prefixed(text, GetParam().prefix));
    ASSERT_EQ(crashes.size(), 1u) << file;
    EXPECT_EQ(crashes[0].signature, triage(text)[0].signature) << file;
  }
}

INSTANTIATE_TEST_SUITE_P(Pasted, PrefixedReport, testing::ValuesIn(k_prefixes),
                         [](const auto& info) { return std::string(info.param.name); });

TEST(PastedPrefixes, WeakHeadlineInASentenceIsNoCrash) {
  EXPECT_TRUE(triage("INFO handler: recovered panic: bad request\nINFO next request\n").empty());
  EXPECT_TRUE(triage("docs: see Aborted\nbuild ok\n").empty());
  // … but the same words after a prefix that repeats are a report.
  auto crashes = triage(
      "7: starting\n7: panic: boom\n7: \n7: goroutine 1 [running]:\n7: main.main()\n"
      "7: \t/src/main.go:4 +0x1d\n");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "go");
  EXPECT_EQ(top(crashes[0]), (Keys{"main.main"}));
}

TEST(PastedPrefixes, ReportGluedToProgressOutput) {
  auto crashes = triage(
      "tests/test_io.py ........Fatal Python error: Bus error\n\n"
      "Current thread 0x00007f2c3a1b5740 (most recent call first):\n"
      "  File \"/srv/.venv/lib/python3.12/site-packages/mmapdb/reader.py\", line 12 in read_page\n"
      "  File \"/srv/tests/test_io.py\", line 40 in test_truncated_file\n");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].kind, "SIGBUS");
  EXPECT_EQ(top(crashes[0]), (Keys{"read_page", "test_truncated_file"}));
}

// --- Each kind beyond its sample --------------------------------------------

TEST(PastedKinds, PythonSingleThreadAndNonSignalFatalError) {
  auto crashes = triage(
      "Fatal Python error: _PyThreadState_Get: no current thread\n"
      "Python runtime state: initialized\n\n"
      "Stack (most recent call first):\n"
      "  File \"/usr/lib/python3/dist-packages/lxml/etree.py\", line 7 in parse\n"
      "  File \"/home/ci/app/load.py\", line 3 in <module>\n"
      "  File \"/usr/lib/python3.11/runpy.py\", line 88 in _run_code\n");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].tool, "python");
  EXPECT_EQ(crashes[0].kind, "fatal-error");
  EXPECT_EQ(crashes[0].detail, "_PyThreadState_Get: no current thread");
  EXPECT_EQ(top(crashes[0]), (Keys{"parse", "<module>"}));
}

TEST(PastedKinds, NodeNativeStackTraceLayout) {
  auto crashes = triage(
      "FATAL ERROR: Error::ThrowAsJavaScriptException napi_throw\n"
      "----- Native stack trace -----\n\n"
      " 1: 0xb8ced1 node::OnFatalError(char const*, char const*) "
      "[/home/ci/.nvm/versions/node/v20.11.0/bin/node]\n"
      " 2: 0xb8d0ab  [/home/ci/.nvm/versions/node/v20.11.0/bin/node]\n"
      " 3: 0x7f11aa4c2b10 sharp::Pipeline::Work(uv_work_s*) "
      "[/srv/node_modules/sharp/build/Release/sharp.node]\n"
      " 4: 0x7f11aa4c1000 napi_call_function [/home/ci/.nvm/versions/node/v20.11.0/bin/node]\n"
      " 5: 0x16e8c0e uv_run [/home/ci/.nvm/versions/node/v20.11.0/bin/node]\n"
      "Aborted\n");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].kind, "fatal-error");
  EXPECT_EQ(top(crashes[0]), (Keys{"sharp::Pipeline::Work"}));
}

TEST(PastedKinds, JvmOtherLibraryAndVmFrame) {
  auto crashes = triage(
      "#\n# A fatal error has been detected by the Java Runtime Environment:\n#\n"
      "#  SIGBUS (0x7) at pc=0x00007f3d2c0a1b20, pid=88, tid=91\n#\n"
      "# Problematic frame:\n"
      "# C  [librocksdbjni-linux64.so+0x4a1b20]  rocksdb::DBImpl::Get(rocksdb::ReadOptions "
      "const&)+0x40\n#\n");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].kind, "SIGBUS");
  EXPECT_EQ(top(crashes[0]), (Keys{"rocksdb::DBImpl::Get"}));
  auto vm = triage(
      "# A fatal error has been detected by the Java Runtime Environment:\n"
      "#  SIGSEGV (0xb) at pc=0x1, pid=1, tid=2\n# Problematic frame:\n"
      "# V  [libjvm.so+0x6b2b5a]  Unsafe_SetLong+0x1ea\n");
  ASSERT_EQ(vm.size(), 1u);
  EXPECT_TRUE(top(vm[0]).empty());  // the VM's own frame is not the bug's
}

TEST(PastedKinds, ValgrindOtherErrors) {
  auto write = triage(
      "==4021== Invalid write of size 8\n"
      "==4021==    at 0x109A2F: Cache::put(std::string const&, int) (cache.cc:41)\n"
      "==4021==    by 0x1093C1: main (main.cc:9)\n"
      "==4021==  Address 0x4dd5c80 is 0 bytes after a block of size 64 alloc'd\n"
      "==4021==    at 0x4849013: operator new[](unsigned long) (in "
      "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so)\n"
      "==4021== \n");
  ASSERT_EQ(write.size(), 1u);
  EXPECT_EQ(write[0].kind, "invalid-write");
  EXPECT_EQ(top(write[0]), (Keys{"Cache::put", "main"}));
  auto killed = triage(
      "==77== Process terminating with default action of signal 11 (SIGSEGV)\n"
      "==77==  Access not within mapped region at address 0x0\n"
      "==77==    at 0x10915D: deref (d.c:3)\n"
      "==77== \n");
  ASSERT_EQ(killed.size(), 1u);
  EXPECT_EQ(killed[0].tool, "valgrind");
  EXPECT_EQ(killed[0].kind, "SIGSEGV");
}

TEST(PastedKinds, AssertInCxxAndWithoutProgramName) {
  auto crashes = triage(
      "5: bench: /src/db/shard.cc:88: int db::Shard::commit(int): Assertion `n > 0' failed.\n"
      "5: Aborted\n");
  ASSERT_EQ(crashes.size(), 1u);
  EXPECT_EQ(crashes[0].kind, "assertion-failure");
  EXPECT_EQ(top(crashes[0]), (Keys{"db::Shard::commit"}));
  EXPECT_EQ(crashes[0].location, "shard.cc:88");
}

TEST(PastedKinds, UbsanMinimalHandlersAndFullRuntimeSummary) {
  auto old = triage("ubsan: divrem-overflow\n");  // before the " by 0x…" suffix
  ASSERT_EQ(old.size(), 1u);
  EXPECT_EQ(old[0].kind, "integer-divide-by-zero");
  auto ptr = triage("2024-05-01T12:00:00.1Z ubsan: type-mismatch by 0x55d0c0a1c2f7\n");
  ASSERT_EQ(ptr.size(), 1u);
  EXPECT_EQ(ptr[0].kind, "null");
  // The full runtime with report_error_type=1: SUMMARY names the check.
  auto fp = triage(
      "/src/a.c:3:12: runtime error: division by zero\n"
      "    #0 0x4f2a1c in ratio /src/a.c:3:12\n"
      "SUMMARY: UndefinedBehaviorSanitizer: float-divide-by-zero /src/a.c:3:12\n");
  ASSERT_EQ(fp.size(), 1u);
  EXPECT_EQ(fp[0].kind, "float-divide-by-zero");
  auto lost = triage(
      "[... 99 bytes omitted ...]\nSUMMARY: UndefinedBehaviorSanitizer: misaligned-pointer-use "
      "a.c:3:5\n");
  ASSERT_EQ(lost.size(), 1u);
  EXPECT_EQ(lost[0].kind, "alignment");
}

TEST(PastedKinds, GoRaceOldLayoutMainGoroutine) {
  auto crashes = triage(
      "==================\nWARNING: DATA RACE\n"
      "Read by main goroutine:\n"
      "  main.report()\n      /src/main.go:20 +0x3a\n\n"
      "Previous write by goroutine 6:\n"
      "  main.increment()\n      /src/main.go:12 +0x44\n"
      "==================\n");
  ASSERT_EQ(crashes.size(), 1u);
  ASSERT_TRUE(crashes[0].access.has_value());
  EXPECT_EQ(crashes[0].access->kind, AccessKind::read);
  EXPECT_EQ(top(crashes[0]), (Keys{"main.report"}));
  EXPECT_EQ(meaningful_frames(crashes[0].other_frames, {}), (Keys{"main.increment"}));
}

TEST(PastedKinds, RustWindowsAndNewHeaderSpellings) {
  std::string linux_text = pasted("rust_backtrace_linux.log");
  auto windows = triage(
      "thread 'main' (4242) panicked at src\\codec\\frame.rs:142:21:\n"
      "index out of bounds: the len is 3 but the index is 3\n"
      "stack backtrace:\n"
      "   0: std::panicking::begin_panic_handler\n"
      "   1: core::panicking::panic_fmt\n"
      "   2: core::panicking::panic_bounds_check\n"
      "   3: wirefmt::codec::frame::Frame::split\n"
      "   4: wirefmt::codec::Decoder::next_frame\n"
      "   5: wirefmt_ffi::wf_decode\n"
      "   6: std::rt::lang_start::closure$0<()>\n"
      "note: Some details are omitted, run with `RUST_BACKTRACE=full` for a verbose backtrace.\n");
  ASSERT_EQ(windows.size(), 1u);
  EXPECT_EQ(windows[0].signature, triage(linux_text)[0].signature);
  EXPECT_EQ(normalise_function("std::rt::lang_start::closure$0<()>"),
            normalise_function("std::rt::lang_start::{{closure}}"));
  EXPECT_EQ(normalise_function("<wirefmt::Frame as core::fmt::Display>::fmt::h0123456789abcdef"),
            "wirefmt::Frame::fmt");
}

TEST(PastedKinds, ShellSignalLines) {
  auto ill = triage(
      "./ci.sh: line 4: 90210 Illegal instruction     (core dumped) ./bin/simd_check --avx512\n");
  ASSERT_EQ(ill.size(), 1u);
  EXPECT_EQ(ill[0].tool, "signal");
  EXPECT_EQ(ill[0].kind, "SIGILL");
  auto fpe = triage("run.sh: line 9:   311 Floating point exception ./ratecalc\n");
  ASSERT_EQ(fpe.size(), 1u);
  EXPECT_EQ(fpe[0].kind, "SIGFPE");
  auto bus = triage("Bus error (core dumped)\n");
  ASSERT_EQ(bus.size(), 1u);
  EXPECT_EQ(bus[0].kind, "SIGBUS");
}

TEST(PastedKinds, RuntimeMachineryIsNotMeaningful) {
  auto frame = [](std::string function, std::string module = "") {
    Frame f;
    f.function = std::move(function);
    f.module = std::move(module);
    return f;
  };
  for (const Frame& f :
       {frame("main._Cfunc_gate_check"), frame("_cgoexp_1a2b3c_goCallback"),
        frame("runtime.cgocallbackg1"), frame("__rustc::rust_begin_unwind"),
        frame("<alloc::boxed::Box<F,A> as core::ops::function::FnOnce<Args>>::call_once"),
        frame("", "node"), frame("", "/usr/local/bin/node"), frame("v8::internal::Isolate::Throw"),
        frame("Unsafe_SetLong", "/usr/lib/jvm/java-17/lib/server/libjvm.so"),
        frame("free", "/usr/libexec/valgrind/vgpreload_memcheck-amd64-linux.so"),
        frame("___interceptor_malloc")}) {
    EXPECT_TRUE(is_runtime_frame(f)) << f.function << " " << f.module;
  }
  EXPECT_FALSE(is_runtime_frame(
      frame("imgproc::Resize", "/app/node_modules/imgproc/build/Release/imgproc.node")));
  EXPECT_FALSE(is_runtime_frame(frame("example.com/acme/ffi.goEventTrampoline")));
}

}  // namespace
}  // namespace faultline::sanitizers
