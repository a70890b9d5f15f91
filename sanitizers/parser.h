// Crash recognition: from a run's captured output (stdout and stderr
// interleaved, possibly with a "[... N bytes omitted ...]" gap) and how the run
// ended, the crashes it shows, each with its signature. One pass; ordinary
// lines cost a vector compare (scanner.h), report lines a line parse (report.h).
#pragma once

#include <map>
#include <optional>
#include <string_view>
#include <vector>

#include "sanitizers/crash.h"
#include "sanitizers/signature.h"

namespace faultline::sanitizers {

struct ParseOptions {
  SignatureOptions signature;
  Symbolizer symbolizer;  // optional; fills frames printed only as (module+0xoffset)
  // When no report is found: a fatal signal (or exit code 128+signal), or a
  // built-in profile's exit code (23 asan, …), still counts as a crash.
  bool use_exit_status = true;
  // Which exit codes name which tool in this run (exit_codes_of in profile.h);
  // nullopt: the built-in profiles' codes (tool_for_exit_code), for output of
  // unknown origin (`faultline triage`).
  std::optional<std::map<int, std::string>> exit_codes;
};

std::vector<Crash> parse_output(std::string_view output, const RunStatus& status = {},
                                const ParseOptions& options = {});

// Location, signature: filled in from frames (used by parse_output; public for
// callers that build a Crash themselves).
void finalize(Crash& crash, const ParseOptions& options);

}  // namespace faultline::sanitizers
