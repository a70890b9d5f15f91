// What a real POSIX shell makes of a command line: for tests that check how a
// shell reads back the words faultline quoted (base/shell.h, matrix templates).
// Not for product code: runner/ runs processes, from an argv vector.
#pragma once

#include <string>

namespace faultline::testing {

// The stdout of `/bin/sh -c COMMAND` (popen(3)), whole; "" when it cannot run.
std::string shell_output(const std::string& command);

}  // namespace faultline::testing
