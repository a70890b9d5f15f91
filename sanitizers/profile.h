// Sanitizer profiles: what flags build a component under a sanitizer, for gcc
// and for clang, and what runtime environment makes its errors fatal, stacked,
// symbolized and recognisable. Knows nothing of YAML (matrix/ fills custom
// profiles) or of processes (runner/ probes that a toolchain works).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faultline::sanitizers {

enum class Compiler { gcc, clang };

std::string_view compiler_name(Compiler c);  // "gcc" / "clang"
std::optional<Compiler> parse_compiler(std::string_view name);

using EnvList = std::vector<std::pair<std::string, std::string>>;

struct Profile {
  std::string name;                    // "asan", "asan+ubsan", or a custom name
  std::vector<std::string> cflags;     // for C compiles; also given to the linker via ldflags
  std::vector<std::string> cxxflags;   // for C++ compiles
  std::vector<std::string> ldflags;    // for links
  std::vector<std::string> goflags;    // e.g. -race; exported as $SAN_GOFLAGS
  std::vector<std::string> rustflags;  // e.g. -Zsanitizer=address; $SAN_RUSTFLAGS
  EnvList env;                         // runtime environment (ASAN_OPTIONS=…, GODEBUG=…)
  std::vector<std::string>
      wrapper;              // argv prefix for runs, e.g. {"valgrind", "--error-exitcode=99"}
  bool clang_only = false;  // msan
};

// Names of the built-in profiles, in documentation order:
// none, asan, ubsan, tsan, msan, lsan, asan+ubsan.
const std::vector<std::string>& builtin_names();
bool is_builtin(std::string_view name);

// The built-in profile `name` for `compiler`; nullopt when unknown or when the
// compiler does not support it (msan under gcc).
std::optional<Profile> builtin(std::string_view name, Compiler compiler);

// `base` with `extra` laid over it: flag lists appended, wrapper replaced when
// given, and environment merged so that sanitizer option strings
// (ASAN_OPTIONS=a=1:b=2) are merged key by key — the user's keys win, the
// profile's other keys stay.
Profile merge(Profile base, const Profile& extra);

// Exit codes the built-in profiles ask each runtime to use (`exitcode=`), so a
// run's exit status alone says which tool reported: see docs/sanitizers.md.
inline constexpr int k_asan_exit_code = 23;
inline constexpr int k_lsan_exit_code = 24;
inline constexpr int k_ubsan_exit_code = 25;
inline constexpr int k_tsan_exit_code = 66;  // TSan's own default
inline constexpr int k_msan_exit_code = 77;  // MSan's own default

// The tool ("asan", "lsan", "ubsan", "tsan", "msan") a built-in profile's exit
// code stands for; nullopt for any other code.
std::optional<std::string_view> tool_for_exit_code(int code);

// The exit codes that name a sanitizer in a run with environment `env` (the
// run's variables, the profile's included) of a build under `profile`: each
// runtime's options variable's `exitcode=` (ASAN_OPTIONS=…:exitcode=23 → 23
// "asan"; LSAN_, UBSAN_, TSAN_, MSAN_OPTIONS likewise), and TSan's 66 and
// MSan's 77 defaults where that runtime is in (its options variable, or its
// -fsanitize= / -Zsanitizer= / -race flag). Empty for `none`: an exit 23 there
// is a plain exit code.
std::map<int, std::string> exit_codes_of(const EnvList& env, const Profile& profile);

// Merge two sanitizer option strings ("a=1:b=2"), key by key; `over`'s keys win.
// Separators accepted on input: ':' ',' and whitespace; output uses ':'.
std::string merge_options(std::string_view base, std::string_view over);

// `profile` with external_symbolizer_path=`path` added to every *SAN_OPTIONS
// variable it sets. Kept out of the static profiles: runner/ finds the
// symbolizer (e.g. /usr/bin/llvm-symbolizer-14) and calls this.
Profile with_symbolizer(Profile profile, std::string_view path);

// The compiler commands a build runs: names as found on PATH.
struct Toolchain {
  Compiler compiler = Compiler::gcc;
  std::string cc;   // "gcc", "clang", "clang-14", …
  std::string cxx;  // "g++", "clang++", …
};
Toolchain default_toolchain(Compiler compiler);

// The environment a build step sees: CC, CXX, SAN_CFLAGS, SAN_CXXFLAGS,
// SAN_LDFLAGS, SAN_GOFLAGS, SAN_RUSTFLAGS (flag lists joined with spaces).
EnvList build_environment(const Profile& profile, const Toolchain& toolchain);
EnvList build_environment(const Profile& profile, Compiler compiler);

}  // namespace faultline::sanitizers
