// Stack frames as the tools print them: sanitizer "#N 0xPC in f file:line"
// lines, gdb backtraces, Go "pkg.f(...)" + "\tfile:line +0x" pairs and Rust
// "N: f" + "at file:line" pairs; and the normalisation that makes one frame
// compare equal across compilers, optimisation levels and build paths.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "sanitizers/crash.h"

namespace faultline::sanitizers {

// "    #3 0x4f2a1c in foo(int) /src/a.cc:12:5", "#0 foo a.cc:3 (bin+0x12)",
// "#2 0x7f.. (/lib/libc.so.6+0x29d90)", gdb's "#1  0x.. in f (x=1) at a.c:4".
std::optional<Frame> parse_hash_frame(std::string_view line);

// Go: "main.(*T).run(0xc000010000, {0x4a, 0x1})" — the function line of a pair.
std::optional<Frame> parse_go_function_line(std::string_view line);
// Go: "\t/home/me/x.go:12 +0x1d" — fills file and line of `frame`; false if not one.
bool parse_go_file_line(std::string_view line, Frame& frame);

// Rust backtrace: "  12: mycrate::f" and "             at ./src/lib.rs:4:5".
std::optional<Frame> parse_rust_function_line(std::string_view line);
bool parse_rust_file_line(std::string_view line, Frame& frame);

// valgrind: "at 0x4854A3C: ring_peek (ring.c:73)", "by 0x10A3F1: main (in /bin/x)".
std::optional<Frame> parse_valgrind_frame(std::string_view line);

// Node.js native stack: " 4: 0x7f9a4c21b3e5 imgproc::Resize(Napi::CallbackInfo const&)
// [/app/x.node]", " 2: 0xa8e823  [node]" (no symbol).
std::optional<Frame> parse_node_frame(std::string_view line);

// JVM hs_err: "C  [libzstdjni.so+0x121d4]  ZSTD_decompressStream+0x54" (native),
// "V  [libjvm.so+0x6b2b5a]  Unsafe_SetLong+0x1ea" (VM), "j  com.a.B.f(I)V+12" (Java).
std::optional<Frame> parse_jvm_frame(std::string_view line);

// CPython faulthandler: "  File \"/a/core.py\", line 88 in decode_block".
std::optional<Frame> parse_python_frame(std::string_view line);

// "dir/a.cc:12:5" → {"dir/a.cc", 12}; nullopt when there is no ":line".
struct FileLine {
  std::string_view file;
  int line = 0;
};
std::optional<FileLine> split_file_line(std::string_view text);

std::string_view basename(std::string_view path);

// The comparable name of a function: parameter lists, template arguments,
// "(anonymous namespace)::", clone suffixes (.cold, .isra.0, .constprop.0,
// .part.0, [clone …]), Rust hashes and Go argument lists removed.
std::string normalise_function(std::string_view name);

// Leading whitespace and a CI timestamp ("2024-05-01T12:00:00.1234567Z ") removed.
std::string_view strip_line_prefix(std::string_view line);

}  // namespace faultline::sanitizers
