// results/records.h — the plain records of a stress run: one run (`RunRecord`,
// as the runner produces it and the store keeps it) and a cell's tally
// (`CellResult`) with its verdict. Plain data below runner/ and store/, so that
// neither includes the other; how runs are made is runner/'s, how they are
// kept store/'s.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sanitizers/crash.h"

namespace faultline::results {

enum class Verdict { pass, crash, hang, build_error, skipped };

std::string_view verdict_name(Verdict v);  // "pass", "crash", "hang", "build-error", "skipped"

struct RunRecord {
  std::size_t cell = 0;
  int index = 0;        // 0-based run number within the cell
  std::string outcome;  // "pass", "crash", "hang"
  std::optional<int> exit_code;
  std::optional<int> signal;
  bool core_dumped = false;
  double wall_seconds = 0;
  double cpu_seconds = 0;
  std::int64_t peak_rss_bytes = 0;
  std::uint64_t stdout_bytes = 0;
  std::uint64_t stderr_bytes = 0;
  std::string command;  // as run by /bin/sh: placeholders are references to command_env
  std::vector<std::pair<std::string, std::string>>
      command_env;  // FAULTLINE_* the command references
  std::vector<sanitizers::Crash> crashes;
  std::string hung_stacks;
};

struct CellResult {
  int runs = 0;
  int crashes = 0;
  int hangs = 0;
  int interrupted = 0;  // runs ended by cancellation (Ctrl-C): not in `runs`, never a pass
  double wall_seconds = 0;
  std::map<std::string, int> signatures;  // signature hash -> runs showing it
  std::string hung_stacks;                // gdb's backtraces of the first hung run, when taken
  std::string build_error;                // set: the cell could not run
  std::string build_log;
  std::string build_command;
  // build-error, then crash, then hang; skipped with no run or when not `selected`.
  Verdict verdict(bool selected = true) const;
};

}  // namespace faultline::results
