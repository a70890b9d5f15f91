// `faultline triage`'s work: reading captured output (a CI log, a pasted
// terminal session, a sanitizer log_path file, stdin) in bounded memory and
// recognising the crashes in it (sanitizers/parser); printing is cli/triage.cc's.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/expected.h"
#include "sanitizers/parser.h"

namespace faultline::pipeline {

// The crashes in `file` ("-": stdin). A regular file is mapped (a 1 GiB log
// costs no copy); stdin, pipes and devices are read as a stream that keeps the
// first 16 MiB, the last 1 MiB and every crash report in between (up to 64 MiB
// of them, more for new signatures). Error: bad input "faultline triage: cannot
// read 'FILE': REASON".
Expected<std::vector<sanitizers::Crash>> triage_log(const std::string& file,
                                                    const sanitizers::ParseOptions& options);

// {"crashes": [{tool, kind, frames[{function, file, line, module, offset, raw}],
// location, summary, detail, signature{hash, text}, truncated, excerpt, access?}]}.
nlohmann::json crashes_json(const std::vector<sanitizers::Crash>& crashes);

}  // namespace faultline::pipeline
