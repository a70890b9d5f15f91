// What a recognised crash is: the tool that reported it, the kind of fault,
// the stack, where it happened and its signature. Produced by parse_output()
// (sanitizers/parser.h); stored, bucketed and reported by higher layers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace faultline::sanitizers {

enum class AccessKind { read, write };

struct Access {
  AccessKind kind = AccessKind::read;
  std::uint64_t size = 0;  // bytes
};

struct Frame {
  std::string function;      // as printed (demangled); empty when unknown
  std::string file;          // as printed; empty when unknown
  int line = 0;              // 0 when unknown
  std::string module;        // binary or shared object, when printed as (module+0xoffset)
  std::uint64_t offset = 0;  // offset in module
  std::string raw;           // the line it came from, trimmed
};

struct Signature {
  std::string hash;  // 12 lowercase hex digits, stable across machines and builds
  std::string text;  // "asan heap-use-after-free: free_twice > run_case > main"
  friend bool operator==(const Signature&, const Signature&) = default;
};

struct Crash {
  std::string tool;              // asan, lsan, ubsan, tsan, msan, glibc, c++, signal, go, rust, bun
  std::string kind;              // heap-use-after-free, data-race, SIGSEGV, panic, …
  std::optional<Access> access;  // READ/WRITE of size N, where the report says so
  std::vector<Frame> frames;     // the faulting stack, innermost first
  std::vector<Frame>
      other_frames;      // a second stack where it names the bug (race's previous access)
  std::string location;  // "file.c:12" of the top meaningful frame, or as reported
  std::string summary;   // one line: the SUMMARY line or the report's headline
  std::string detail;    // distinguishing text when there are no frames (exception type, …)
  Signature signature;
  std::string excerpt;     // the report's lines, bounded
  bool truncated = false;  // the report ran into an omitted-bytes gap or the end of the log
  // Why the stack is missing when it was lost rather than never there: "core file shared by
  // parallel runs" (runner/core_stack.h); "" otherwise. Such a crash is told apart from no
  // other: bisect counts its run as unknown, neither the target nor another crash.
  std::string stack_lost;
};

// How a run ended. A signal is the most important fact about a crash, so it is
// kept apart from the exit code.
struct RunStatus {
  std::optional<int> exit_code;
  std::optional<int> signal;
};

}  // namespace faultline::sanitizers
