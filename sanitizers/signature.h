// Crash signatures: which frames are meaningful (not sanitizer, libc, C++ or
// Go/Rust runtime, nor caller-named trampolines), their normalised names, and
// the stable hash of tool + kind + top frames that buckets the same bug across
// cells, compilers and optimisation levels. Symbolizing needs a process, so it
// is a callback that runner/ supplies.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "sanitizers/crash.h"

namespace faultline::sanitizers {

// Resolves an unsymbolized frame (module, offset) to function/file/line, or
// nullopt. runner/ may back it with llvm-symbolizer or addr2line.
using Symbolizer =
    std::function<std::optional<Frame>(std::string_view module, std::uint64_t offset)>;

struct SignatureOptions {
  // Frames to skip, e.g. a binding's dispatch trampolines. A pattern with
  // * ? or [ is a glob over the normalised function name; else a substring.
  std::vector<std::string> ignore_frames;
  std::size_t frame_count = 3;
};

// True for frames of sanitizer runtimes, interceptors, libc, libstdc++, the
// dynamic loader, and the Go and Rust runtimes.
bool is_runtime_frame(const Frame& frame);

bool matches_pattern(std::string_view name, std::string_view pattern);

// The comparable key of a frame: its normalised function, else "module+0xoff".
std::string frame_key(const Frame& frame);

// Keys of the first `options.frame_count` meaningful frames.
std::vector<std::string> meaningful_frames(const std::vector<Frame>& frames,
                                           const SignatureOptions& options);

// Index of the first meaningful frame, or frames.size().
std::size_t first_meaningful(const std::vector<Frame>& frames, const SignatureOptions& options);

Signature make_signature(const Crash& crash, const SignatureOptions& options);

// Fills function/file/line of frames that have only a module and offset.
void symbolize(Crash& crash, const Symbolizer& symbolizer);

}  // namespace faultline::sanitizers
