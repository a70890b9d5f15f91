#include "sanitizers/signature.h"

#include <fnmatch.h>

#include <algorithm>
#include <array>

#include "base/text.h"
#include "sanitizers/frame.h"

namespace faultline::sanitizers {

namespace {

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// Normalised function names that begin with these are a runtime's machinery:
// sanitizer interceptors, libc, C++ ABI, the Go runtime and its cgo trampolines,
// Rust's panic machinery (Linux, macOS after unprefixing, Windows), Node.js/V8,
// the JVM's Java library, Windows thread start-up.
constexpr std::array<std::string_view, 72> k_runtime_prefixes = {"__rustc::",
                                                                 "__interceptor_",
                                                                 "___interceptor_",
                                                                 "__asan",
                                                                 "__tsan",
                                                                 "__msan",
                                                                 "__lsan",
                                                                 "__ubsan",
                                                                 "__sanitizer",
                                                                 "__interception",
                                                                 "__libc_",
                                                                 "__GI_",
                                                                 "_IO_",
                                                                 "__pthread",
                                                                 "pthread_",
                                                                 "__cxa_",
                                                                 "__cxxabiv1",
                                                                 "_Unwind_",
                                                                 "__gxx_",
                                                                 "__gnu_cxx::",
                                                                 "std::__",
                                                                 "std::terminate",
                                                                 "runtime.",
                                                                 "runtime/",
                                                                 "__rust",
                                                                 "rust_begin_unwind",
                                                                 "rust_panic",
                                                                 "core::panicking",
                                                                 "std::panicking",
                                                                 "core::panic",
                                                                 "std::panic",
                                                                 "std::rt::",
                                                                 "std::sys",
                                                                 "core::ops::function",
                                                                 "core::result::unwrap_failed",
                                                                 "core::option::",
                                                                 "std::thread::",
                                                                 "_dl_",
                                                                 "__restore_rt",
                                                                 "gsignal",
                                                                 "__assert",
                                                                 "__fortify_fail",
                                                                 "__stack_chk_fail",
                                                                 "__chk_fail",
                                                                 "malloc_printerr",
                                                                 "_int_free",
                                                                 "_int_malloc",
                                                                 "_int_realloc",
                                                                 "__clone",
                                                                 "_cgo_",
                                                                 "x_cgo_",
                                                                 "crosscall",
                                                                 "asan_thread_start",
                                                                 "_cgoexp_",
                                                                 "alloc::boxed::Box::call",
                                                                 "core::slice::index::",
                                                                 "core::str::slice_error_fail",
                                                                 "std::process::abort",
                                                                 "alloc::alloc::handle_alloc_error",
                                                                 "std::alloc::",
                                                                 "BaseThreadInitThunk",
                                                                 "RtlUserThreadStart",
                                                                 "__scrt_",
                                                                 "invoke_main",
                                                                 "node::",
                                                                 "v8::",
                                                                 "Builtins_",
                                                                 "uv_",
                                                                 "napi_",
                                                                 "java.",
                                                                 "jdk.internal.",
                                                                 "sun."};

// Go's generated cgo wrappers inside a package: "main._Cfunc_gate_check".
constexpr std::array<std::string_view, 3> k_runtime_infixes = {"._Cfunc_", "._cgo_", "._Cgo_"};

// Executables whose own frames are a runtime's: Node.js prints "[node]".
constexpr std::array<std::string_view, 4> k_runtime_executables = {"node", "nodejs", "java", "bun"};

constexpr std::array<std::string_view, 38> k_runtime_functions = {
    "malloc",          "free",           "calloc",
    "realloc",         "valloc",         "memalign",
    "posix_memalign",  "aligned_alloc",  "operator new",
    "operator delete", "operator new[]", "operator delete[]",
    "memcpy",          "memmove",        "memset",
    "memcmp",          "strlen",         "strcpy",
    "strncpy",         "strcat",         "strcmp",
    "strncmp",         "strdup",         "printf",
    "fprintf",         "puts",           "start_thread",
    "clone",           "clone3",         "_start",
    "abort",           "raise",          "exit",
    "cfree",           "panic",          "cgocall",
    "asmcgocall",      "__tls_get_addr"};

constexpr std::array<std::string_view, 20> k_runtime_modules = {
    "libasan", "libtsan",    "libubsan",   "liblsan",    "libmsan",  "libclang_rt", "libc.so",
    "libc-",   "libstdc++",  "libc++",     "libpthread", "ld-linux", "libgcc_s",    "libm.so",
    "libdl",   "linux-vdso", "vgpreload_", "libjvm.",    "libjava.", "libnode."};

// Source paths of runtimes; Python's test runners and threading module.
constexpr std::array<std::string_view, 17> k_runtime_paths = {
    "/compiler-rt/lib/", "libsanitizer/", "sysdeps/",      "nptl/",
    "/libstdc++-v3/",    "csu/",          "/include/c++/", "/rustc/",
    "/go/src/runtime/",  "/libgcc/",      "/glibc-",       "vg_replace_",
    "/_pytest/",         "/pluggy/",      "/unittest/",    "/threading.py",
    "/runpy.py"};

template <std::size_t N>
bool any_prefix(std::string_view s, const std::array<std::string_view, N>& list) {
  return std::any_of(list.begin(), list.end(),
                     [&](std::string_view p) { return starts_with(s, p); });
}

bool is_glob(std::string_view pattern) {
  return pattern.find_first_of("*?[") != std::string_view::npos;
}

bool is_ignored(const std::string& key, const SignatureOptions& options) {
  return std::any_of(options.ignore_frames.begin(), options.ignore_frames.end(),
                     [&](const std::string& p) { return matches_pattern(key, p); });
}

// gdb's "??": a frame whose function is unknown (a stripped binary) names nothing.
bool is_unknown_function(std::string_view function) {
  return function.empty() || starts_with(function, "??");
}

bool is_meaningful(const Frame& frame, const SignatureOptions& options) {
  if (is_unknown_function(frame.function) && frame.module.empty()) return false;
  if (is_runtime_frame(frame)) return false;
  return !is_ignored(frame_key(frame), options);
}

// Data races: the two accesses come in either order, so both stacks' keys, sorted.
bool is_two_sided(const Crash& crash) {
  return crash.kind == "data-race" && !crash.other_frames.empty();
}

std::string frames_text(const std::vector<std::string>& keys) { return join(keys, " > "); }

}  // namespace

bool is_runtime_frame(const Frame& frame) {
  std::string name = normalise_function(frame.function);
  if (!name.empty()) {
    if (any_prefix(name, k_runtime_prefixes)) return true;
    if (std::any_of(k_runtime_infixes.begin(), k_runtime_infixes.end(),
                    [&](std::string_view p) { return name.find(p) != std::string::npos; }))
      return true;
    if (std::find(k_runtime_functions.begin(), k_runtime_functions.end(), name) !=
        k_runtime_functions.end())
      return true;
  }
  std::string_view module = basename(frame.module);
  if (!module.empty() && any_prefix(module, k_runtime_modules)) return true;
  if (std::find(k_runtime_executables.begin(), k_runtime_executables.end(), module) !=
      k_runtime_executables.end())
    return true;
  return std::any_of(k_runtime_paths.begin(), k_runtime_paths.end(),
                     [&](std::string_view p) { return frame.file.find(p) != std::string::npos; });
}

bool matches_pattern(std::string_view name, std::string_view pattern) {
  if (pattern.empty()) return false;
  if (!is_glob(pattern)) return name.find(pattern) != std::string_view::npos;
  return fnmatch(std::string(pattern).c_str(), std::string(name).c_str(), 0) == 0;
}

std::string frame_key(const Frame& frame) {
  std::string name = normalise_function(frame.function);
  if (!name.empty()) return name;
  if (frame.module.empty()) return "?";
  return std::string(basename(frame.module)) + "+0x" + hex16(frame.offset).substr(16 - 8);
}

std::size_t first_meaningful(const std::vector<Frame>& frames, const SignatureOptions& options) {
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (is_meaningful(frames[i], options)) return i;
  }
  return frames.size();
}

std::vector<std::string> meaningful_frames(const std::vector<Frame>& frames,
                                           const SignatureOptions& options) {
  std::vector<std::string> keys;
  for (const auto& frame : frames) {
    if (keys.size() >= options.frame_count) break;
    if (is_meaningful(frame, options)) keys.push_back(frame_key(frame));
  }
  return keys;
}

Signature make_signature(const Crash& crash, const SignatureOptions& options) {
  std::string body = frames_text(meaningful_frames(crash.frames, options));
  if (is_two_sided(crash)) {
    std::string other = frames_text(meaningful_frames(crash.other_frames, options));
    body = std::min(body, other) + " | " + std::max(body, other);
  }
  if (body.empty())
    body = !crash.detail.empty() ? crash.detail : std::string(basename(crash.location));
  std::string text = crash.tool + " " + crash.kind + (body.empty() ? "" : ": " + body);
  return Signature{hex16(fnv1a64(text)).substr(0, 12), text};
}

void symbolize(Crash& crash, const Symbolizer& symbolizer) {
  if (!symbolizer) return;
  for (auto* frames : {&crash.frames, &crash.other_frames}) {
    for (auto& frame : *frames) {
      if (!frame.function.empty() || frame.module.empty()) continue;
      if (auto found = symbolizer(frame.module, frame.offset)) {
        frame.function = found->function;
        if (frame.file.empty()) frame.file = found->file;
        if (frame.line == 0) frame.line = found->line;
      }
    }
  }
}

}  // namespace faultline::sanitizers
