// runner/builds.h — the build cache: one build per component, version,
// sanitizer and everything that reaches its build command, in a directory
// named by a content key under STATE/builds/: the local input files (the
// component's `inputs:` globs, else every file of the matrix folder) by content,
// or the git commit of `source: git`; the compiler and its version; the profile's
// flags and environment; the command; the dependencies' keys. A second run with
// unchanged inputs runs no build command; an edited file rebuilds exactly the
// builds that read it (and those that depend on them); a failed build is reported with its command
// and the tail of its log, and the cells that need it become build-errors.
#pragma once

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "base/redact.h"
#include "matrix/config.h"
#include "matrix/expand.h"

namespace faultline::runner {

class ProcessRunner;  // runner/process_runner.h

enum class BuildState { ok, failed, dependency_failed, not_needed };

struct BuildOutcome {
  BuildState state = BuildState::not_needed;
  bool cached = false;   // found complete in the cache; no command ran
  std::string key;       // the first 16 hex digits of the content key (a SHA-256)
  std::string dir;       // STATE/builds/<name>-<key>
  std::string prefix;    // dir/prefix: what {{ prefix }} names
  std::string command;   // the rendered build command ("" when the component has none)
  std::string log_path;  // dir/build.log
  // Why it failed: how the command ended and the last line it printed ("the build
  // command exit 127: /bin/sh: 1: clang: not found"), or which dependency failed.
  std::string error;
  std::string log_tail;  // the last lines of the log, for reports
  double seconds = 0;
  // An outcome met earlier in the session and handed on again (a build that failed
  // ahead, pipeline/bisect_ahead.h): no command ran for this request.
  bool reused = false;
};

struct BuildOptions {
  std::string state_dir;   // usually <matrix folder>/.faultline
  std::string matrix_dir;  // working directory of build commands (unless source: git)
  std::string
      matrix_file;  // left out of the local inputs (its build settings are keyed field by field)
  int jobs = 1;     // builds at once
  bool rebuild = false;  // ignore the cache
  // Only look in the cache: a build found complete is ok and cached; any other is
  // left not_needed. No command runs and nothing under STATE/builds/ changes.
  bool find_only = false;
  std::int64_t timeout_ms = 30 * 60 * 1000;
  const std::atomic<bool>* cancel = nullptr;
  Redactor redactor;  // masks secrets in build.log, the log tail, the command and errors
  // Called (from worker threads, one at a time) as each build ends or is found cached.
  std::function<void(std::size_t build, const BuildOutcome&)> on_done;
  // Runs build commands and their helpers (the compiler's --version, git, tar);
  // nullptr: real processes. Tests pass a FakeProcessRunner. Outlives run_builds.
  ProcessRunner* processes = nullptr;
};

// Builds every build in `needed` (indices into expansion.builds) and what they
// depend on, dependencies first, `jobs` at a time. The result has one outcome
// per entry of expansion.builds (not_needed for the rest).
std::vector<BuildOutcome> run_builds(const matrix::Config& config,
                                     const matrix::Expansion& expansion,
                                     const std::vector<std::size_t>& needed,
                                     const BuildOptions& options);

// The last `lines` lines of `text`.
std::string last_lines(const std::string& text, std::size_t lines);

}  // namespace faultline::runner
