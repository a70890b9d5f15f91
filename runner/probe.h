// runner/probe.h — does a sanitizer work here? Compiles and runs a one-line C
// program with a profile's flags and runtime environment, and says which Debian
// package to install when the compiler or the sanitizer runtime is missing.
// Results are cached by the flags they depend on, so a second check is free.
#pragma once

#include <string>

#include "base/expected.h"
#include "sanitizers/profile.h"

namespace faultline::runner {

struct ProbeResult {
  bool ok = false;
  bool cached = false;
  std::string problem;  // when !ok: what failed, the compiler's first error, and what to install
};

// `cache_dir`: where the verdicts are kept (created when missing). A cache that
// cannot be read or written (another user's, a HOME not ours) is skipped: the probe
// then runs in a temporary folder of its own, never failing for the cache's sake.
ProbeResult probe_sanitizer(const sanitizers::Profile& profile, sanitizers::Compiler compiler,
                            const std::string& cache_dir);

// The Debian package that provides `sanitizer`'s runtime for `compiler`.
std::string package_hint(std::string_view sanitizer, sanitizers::Compiler compiler);

}  // namespace faultline::runner
