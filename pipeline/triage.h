// `faultline triage`'s work: reading captured output (a CI log, a pasted
// terminal session, a sanitizer log_path file, stdin) in bounded memory and
// recognising the crashes in it (sanitizers/parser); printing is cli/triage.cc's.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "base/expected.h"
#include "base/redact.h"
#include "sanitizers/parser.h"

namespace faultline::pipeline {

// The crashes in `file` ("-": stdin). A regular file is mapped (a 1 GiB log
// costs no copy); stdin, pipes and devices are read as a stream that keeps the
// first 16 MiB, the last 1 MiB and every crash report in between (up to 64 MiB
// of them, more for new signatures). Error: bad input "faultline triage: cannot
// read 'FILE': REASON".
Expected<std::vector<sanitizers::Crash>> triage_log(const std::string& file,
                                                    const sanitizers::ParseOptions& options);

// Masks the secrets `redactor` holds in the crashes' captured text — frames (function, file,
// module, raw line), location, summary, detail, excerpt and signature text — and nothing else:
// tool, kind, access and signature hash stay as found. Both of triage's outputs print masked
// crashes, so neither can leak a token.
void mask_crashes(std::vector<sanitizers::Crash>& crashes, const Redactor& redactor);

// {"crashes": [{tool, kind, frames[{function, file, line, module, offset, raw}],
// location, summary, detail, signature{hash, text}, truncated, excerpt, access?}]}.
nlohmann::json crashes_json(const std::vector<sanitizers::Crash>& crashes);

}  // namespace faultline::pipeline
