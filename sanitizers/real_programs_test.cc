// Real programs, real compilers, real sanitizer runtimes: the buggy programs in
// sanitizers/testdata/ are built with the built-in profiles' flags under gcc and
// clang at -O0 and -O2, run with the profiles' runtime environment, and their
// output is parsed. Binaries are cached in a kept scratch directory
// (<build>/sanitizers-scratch), printed on failure.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "sanitizers/parser.h"
#include "sanitizers/profile.h"

extern char** environ;

namespace faultline::sanitizers {
namespace {

namespace fs = std::filesystem;

struct Config {
  Compiler compiler;
  const char* opt;
};

const Config k_configs[] = {{Compiler::gcc, "-O0"},
                            {Compiler::gcc, "-O2"},
                            {Compiler::clang, "-O0"},
                            {Compiler::clang, "-O2"}};

struct Case {
  const char* profile;           // built-in profile
  const char* program;           // file in sanitizers/testdata/
  const char* arg;               // which bug
  const char* tool;              // expected
  const char* kind;              // expected
  std::vector<std::string> top;  // expected first meaningful frames
  std::vector<std::string> extra_flags = {};
};

const std::vector<std::string> k_main3 = {"run_case", "main"};

std::vector<std::string> top(std::string bug) { return {bug, "run_case", "main"}; }

const std::vector<Case>& cases() {
  static const std::vector<Case> all = {
      {"asan", "asan_bugs.cc", "heap-use-after-free", "asan", "heap-use-after-free",
       top("bug_heap_use_after_free")},
      {"asan", "asan_bugs.cc", "heap-buffer-overflow", "asan", "heap-buffer-overflow",
       top("bug_heap_buffer_overflow")},
      {"asan", "asan_bugs.cc", "stack-buffer-overflow", "asan", "stack-buffer-overflow",
       top("bug_stack_buffer_overflow")},
      {"asan", "asan_bugs.cc", "global-buffer-overflow", "asan", "global-buffer-overflow",
       top("bug_global_buffer_overflow")},
      {"asan", "asan_bugs.cc", "stack-use-after-return", "asan", "stack-use-after-return",
       top("bug_stack_use_after_return")},
      {"asan", "asan_bugs.cc", "stack-use-after-scope", "asan", "stack-use-after-scope",
       top("bug_stack_use_after_scope")},
      {"asan", "asan_bugs.cc", "double-free", "asan", "double-free", top("bug_double_free")},
      {"asan", "asan_bugs.cc", "bad-free", "asan", "bad-free", top("bug_bad_free")},
      {"asan", "asan_bugs.cc", "alloc-dealloc-mismatch", "asan", "alloc-dealloc-mismatch",
       top("bug_alloc_dealloc_mismatch")},
      {"asan", "asan_bugs.cc", "segv", "asan", "SEGV", top("bug_segv")},
      {"asan",
       "asan_bugs.cc",
       "stack-overflow",
       "asan",
       "stack-overflow",
       {"recurse", "recurse", "recurse"}},
      {"asan", "asan_bugs.cc", "container-overflow", "asan", "container-overflow",
       top("bug_container_overflow")},
      {"asan", "asan_bugs.cc", "use-after-poison", "asan", "use-after-poison",
       top("bug_use_after_poison")},
      {"asan", "asan_bugs.cc", "leak", "lsan", "memory-leak", top("bug_leak")},
      {"lsan", "misc_bugs.c", "leak", "lsan", "memory-leak", top("bug_leak")},
      {"msan", "misc_bugs.c", "uninitialized", "msan", "use-of-uninitialized-value",
       top("bug_uninitialized")},
      {"ubsan", "ubsan_bugs.cc", "signed-integer-overflow", "ubsan", "signed-integer-overflow",
       top("bug_signed_overflow")},
      {"ubsan", "ubsan_bugs.cc", "division-by-zero", "ubsan", "integer-divide-by-zero",
       top("bug_division_by_zero")},
      {"ubsan", "ubsan_bugs.cc", "shift-out-of-bounds", "ubsan", "shift-exponent",
       top("bug_shift")},
      {"ubsan", "ubsan_bugs.cc", "index-out-of-bounds", "ubsan", "bounds", top("bug_index")},
      {"ubsan", "ubsan_bugs.cc", "null-load", "ubsan", "null", top("bug_null_load")},
      {"ubsan", "ubsan_bugs.cc", "member-call-on-null", "ubsan", "null",
       top("bug_member_call_on_null")},
      {"ubsan", "ubsan_bugs.cc", "misaligned-access", "ubsan", "alignment", top("bug_misaligned")},
      {"ubsan", "ubsan_bugs.cc", "invalid-bool-load", "ubsan", "bool", top("bug_invalid_bool")},
      {"ubsan", "ubsan_bugs.cc", "vla-bound", "ubsan", "vla-bound", top("bug_vla_bound")},
      {"ubsan",
       "ubsan_bugs.cc",
       "missing-return",
       "ubsan",
       "return",
       {"bug_missing_return_impl", "bug_missing_return", "run_case"}},
      {"asan+ubsan", "ubsan_bugs.cc", "member-call-on-null", "ubsan", "null",
       top("bug_member_call_on_null")},
      {"asan+ubsan", "asan_bugs.cc", "heap-use-after-free", "asan", "heap-use-after-free",
       top("bug_heap_use_after_free")},
      {"tsan", "tsan_bugs.c", "data-race", "tsan", "data-race", {"racy_increment"}},
      {"tsan",
       "tsan_bugs.c",
       "heap-use-after-free",
       "tsan",
       "heap-use-after-free",
       {"read_shared", "late_reader"}},
      {"tsan",
       "tsan_bugs.c",
       "lock-order-inversion",
       "tsan",
       "lock-order-inversion",
       {"lock_a_then_b", "bug_lock_order_inversion", "run_case"}},
      {"tsan", "tsan_bugs.c", "thread-leak", "tsan", "thread-leak", top("bug_thread_leak")},
      {"tsan",
       "tsan_bugs.c",
       "signal-unsafe-call",
       "tsan",
       "signal-unsafe-call",
       {"unsafe_handler"}},
      {"tsan",
       "tsan_bugs.c",
       "signal-handler-spoils-errno",
       "tsan",
       "signal-handler-spoils-errno",
       {"errno_handler"}},
      {"tsan", "tsan_bugs.c", "unlock-of-unlocked-mutex", "tsan", "unlock-of-unlocked-mutex",
       top("bug_unlock_unlocked")},
      {"tsan", "tsan_bugs.c", "destroy-of-locked-mutex", "tsan", "destroy-of-locked-mutex",
       top("bug_destroy_locked")},
      {"none", "misc_bugs.c", "glibc-double-free", "glibc", "double-free", {}},
      {"none",
       "misc_bugs.c",
       "stack-smashing",
       "glibc",
       "stack-smashing",
       {},
       {"-fstack-protector-all"}},
      {"none", "misc_bugs.c", "segv", "signal", "SIGSEGV", {}},
      {"none", "misc_bugs.c", "sigfpe", "signal", "SIGFPE", {}},
      {"none", "throw.cc", "", "c++", "uncaught-exception", {}},
  };
  return all;
}

fs::path scratch_root() {
  fs::path root = fs::path(FAULTLINE_BINARY_DIR) / "sanitizers-scratch";
  fs::create_directories(root);
  return root;
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

struct Spawned {
  RunStatus status;
  std::string output;
};

// Runs argv with exactly `env`, stdout+stderr into `log`; kills it after 60 s.
Spawned spawn_and_wait(const std::vector<std::string>& argv, const EnvList& env,
                       const fs::path& log) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : env) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& e : env_strings) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  pid_t pid = 0;
  int rc = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  Spawned result;
  if (rc != 0) {
    result.status.exit_code = 127;
    return result;
  }
  int wstatus = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (waitpid(pid, &wstatus, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) kill(pid, SIGKILL);
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (WIFEXITED(wstatus)) result.status.exit_code = WEXITSTATUS(wstatus);
  if (WIFSIGNALED(wstatus)) result.status.signal = WTERMSIG(wstatus);
  result.output = read_file(log);
  return result;
}

EnvList base_env() {
  EnvList env = {{"PATH", "/usr/local/bin:/usr/bin:/bin"}, {"HOME", "/tmp"}, {"LC_ALL", "C"}};
  return env;
}

std::string tag(const Case& c, const Config& cfg) {
  std::string profile = c.profile;
  for (char& ch : profile) ch = ch == '+' ? '_' : ch;
  std::string program = fs::path(c.program).stem().string();
  return program + "-" + profile + "-" + std::string(compiler_name(cfg.compiler)) + cfg.opt;
}

// The binary for (program, profile, config), compiled once and cached.
fs::path build(const Case& c, const Config& cfg, const Profile& profile, std::string* log_text) {
  fs::path out = scratch_root() / tag(c, cfg);
  if (!c.extra_flags.empty()) out += "-extra";
  if (fs::exists(out)) return out;
  bool cxx = fs::path(c.program).extension() == ".cc";
  std::string compiler =
      cfg.compiler == Compiler::gcc ? (cxx ? "g++" : "gcc") : (cxx ? "clang++-14" : "clang-14");
  std::vector<std::string> argv = {compiler, cfg.opt};
  for (const auto& f : cxx ? profile.cxxflags : profile.cflags) argv.push_back(f);
  for (const auto& f : c.extra_flags) argv.push_back(f);
  argv.push_back(std::string(FAULTLINE_SOURCE_DIR) + "/sanitizers/testdata/" + c.program);
  fs::path tmp = out;
  tmp += ".tmp" + std::to_string(getpid());
  argv.push_back("-o");
  argv.push_back(tmp.string());
  for (const auto& f : profile.ldflags) argv.push_back(f);
  argv.push_back("-lpthread");
  fs::path log = out;
  log += ".build.log";
  auto r = spawn_and_wait(argv, base_env(), log);
  *log_text = r.output;
  if (r.status.exit_code != 0) return {};
  fs::rename(tmp, out);
  return out;
}

std::string symbolizer_path() {
  for (const char* p : {"/usr/bin/llvm-symbolizer-14", "/usr/lib/llvm-14/bin/llvm-symbolizer"}) {
    if (access(p, X_OK) == 0) return p;
  }
  return "";
}

struct Outcome {
  Spawned run;
  std::vector<Crash> crashes;
  fs::path binary;
  std::string build_log;
};

Outcome build_and_run(const Case& c, const Config& cfg) {
  Outcome o;
  auto profile = builtin(c.profile, cfg.compiler);
  if (!profile) return o;
  std::string symbolizer = symbolizer_path();
  if (!symbolizer.empty()) profile = with_symbolizer(*profile, symbolizer);
  o.binary = build(c, cfg, *profile, &o.build_log);
  if (o.binary.empty()) return o;
  EnvList env = base_env();
  for (const auto& kv : profile->env) env.push_back(kv);
  fs::path log = o.binary;
  log += std::string(".") + (*c.arg ? c.arg : "run") + ".log";
  std::vector<std::string> argv = {o.binary.string()};
  if (*c.arg) argv.push_back(c.arg);
  o.run = spawn_and_wait(argv, env, log);
  o.crashes = parse_output(o.run.output, o.run.status);
  return o;
}

bool supported(const Case& c, const Config& cfg) {
  auto p = builtin(c.profile, cfg.compiler);
  return p.has_value();
}

std::string describe(const Outcome& o) {
  std::ostringstream s;
  s << "scratch: " << scratch_root().string() << "\nbinary: " << o.binary.string() << "\n";
  if (!o.build_log.empty()) s << "build log:\n" << o.build_log << "\n";
  s << "exit: " << (o.run.status.exit_code ? std::to_string(*o.run.status.exit_code) : "-")
    << " signal: " << (o.run.status.signal ? std::to_string(*o.run.status.signal) : "-") << "\n";
  s << "output:\n" << o.run.output.substr(0, 6000);
  return s.str();
}

struct Param {
  std::size_t case_index;
  std::size_t config_index;
};

std::string param_name(const testing::TestParamInfo<Param>& info) {
  const Case& c = cases()[info.param.case_index];
  std::string name = tag(c, k_configs[info.param.config_index]) + "_" + c.arg;
  for (char& ch : name) {
    if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
  }
  return name;
}

std::vector<Param> all_params() {
  std::vector<Param> out;
  for (std::size_t i = 0; i < cases().size(); ++i) {
    for (std::size_t k = 0; k < std::size(k_configs); ++k) {
      if (supported(cases()[i], k_configs[k])) out.push_back({i, k});
    }
  }
  return out;
}

class RealProgram : public testing::TestWithParam<Param> {};

TEST_P(RealProgram, ParserRecognisesTheReport) {
  const Case& c = cases()[GetParam().case_index];
  Outcome o = build_and_run(c, k_configs[GetParam().config_index]);
  ASSERT_FALSE(o.binary.empty()) << describe(o);
  ASSERT_FALSE(o.crashes.empty()) << describe(o);
  const Crash& crash = o.crashes.front();
  EXPECT_EQ(crash.tool, c.tool) << describe(o);
  EXPECT_EQ(crash.kind, c.kind) << describe(o);
  auto frames = meaningful_frames(crash.frames, {});
  ASSERT_GE(frames.size(), c.top.size()) << describe(o);
  for (std::size_t i = 0; i < c.top.size(); ++i) EXPECT_EQ(frames[i], c.top[i]) << describe(o);
  EXPECT_EQ(crash.signature.hash.size(), 12u);
  if (!c.top.empty()) {
    EXPECT_FALSE(crash.location.empty()) << describe(o);
  }
}

INSTANTIATE_TEST_SUITE_P(Sanitizers, RealProgram, testing::ValuesIn(all_params()), param_name);

class SameBugSameSignature : public testing::TestWithParam<std::size_t> {};

TEST_P(SameBugSameSignature, AcrossCompilersAndOptimisation) {
  const Case& c = cases()[GetParam()];
  std::string first;
  for (const Config& cfg : k_configs) {
    if (!supported(c, cfg)) continue;
    Outcome o = build_and_run(c, cfg);
    ASSERT_FALSE(o.crashes.empty()) << describe(o);
    const Signature& sig = o.crashes.front().signature;
    if (first.empty()) first = sig.hash + " " + sig.text;
    EXPECT_EQ(sig.hash + " " + sig.text, first) << tag(c, cfg) << "\n" << describe(o);
  }
}

std::vector<std::size_t> case_indices() {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < cases().size(); ++i) out.push_back(i);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Sanitizers, SameBugSameSignature, testing::ValuesIn(case_indices()),
                         [](const testing::TestParamInfo<std::size_t>& info) {
                           const Case& c = cases()[info.param];
                           std::string name = std::string(c.profile) + "_" +
                                              fs::path(c.program).stem().string() + "_" +
                                              (*c.arg ? c.arg : "run");
                           for (char& ch : name) {
                             if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace faultline::sanitizers
