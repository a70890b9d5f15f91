// libFuzzer target for crash recognition: any captured output, under any way a
// run can end, gives crashes (each with a signature) or none, never a crash of
// the parser. The first two bytes choose the run status (exit code, signal), the
// rest is the output. Also walks the scanner's anchor lines, which must advance.
// Built by faultline_fuzzer() (CMakeLists.txt); docs/fuzzing.md has the commands.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "sanitizers/parser.h"
#include "sanitizers/scanner.h"

namespace {

using namespace faultline::sanitizers;

RunStatus status_from(std::uint8_t how, std::uint8_t value) {
  RunStatus status;
  if (how % 3 == 1) status.exit_code = value;
  if (how % 3 == 2) status.signal = value % 65;
  return status;
}

void walk_anchor_lines(std::string_view output) {
  std::size_t at = 0;
  while ((at = find_anchor_line(output, at)) < output.size()) {
    std::size_t next = 0;
    line_at(output, at, &next);
    if (next <= at) std::abort();  // no progress: an endless loop in the parser
    at = next;
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  std::string_view output(reinterpret_cast<const char*>(data) + 2, size - 2);
  walk_anchor_lines(output);
  for (const Crash& crash : parse_output(output, status_from(data[0], data[1])))
    if (crash.tool.empty() || crash.signature.hash.size() != 12) std::abort();
  return 0;
}
