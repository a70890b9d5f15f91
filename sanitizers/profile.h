// Sanitizer profiles: what flags build a component under a sanitizer, for gcc
// and for clang, and what runtime environment makes its errors fatal, stacked,
// symbolized and recognisable. Knows nothing of YAML (matrix/ fills custom
// profiles) or of processes (runner/ probes that a toolchain works).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace faultline::sanitizers {

enum class Compiler { gcc, clang };

std::string_view compiler_name(Compiler c);              // "gcc" / "clang"
std::optional<Compiler> parse_compiler(std::string_view name);

using EnvList = std::vector<std::pair<std::string, std::string>>;

struct Profile {
  std::string name;                   // "asan", "asan+ubsan", or a custom name
  std::vector<std::string> cflags;    // for C compiles; also given to the linker via ldflags
  std::vector<std::string> cxxflags;  // for C++ compiles
  std::vector<std::string> ldflags;   // for links
  std::vector<std::string> goflags;   // e.g. -race; exported as $SAN_GOFLAGS
  std::vector<std::string> rustflags; // e.g. -Zsanitizer=address; $SAN_RUSTFLAGS
  EnvList env;                        // runtime environment (ASAN_OPTIONS=…, GODEBUG=…)
  std::vector<std::string> wrapper;   // argv prefix for runs, e.g. {"valgrind", "--error-exitcode=99"}
  bool clang_only = false;            // msan
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

}  // namespace faultline::sanitizers
