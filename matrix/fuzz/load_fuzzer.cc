// libFuzzer target for the matrix loader: what `faultline validate` does with
// a file's bytes (load_text, then expand when the file loaded clean, then the
// diagnostics rendered). Any bytes must give diagnostics or cells, never a crash,
// a hang or undefined behaviour. Built by faultline_fuzzer() (CMakeLists.txt);
// docs/fuzzing.md has the commands.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "matrix/expand.h"
#include "matrix/load.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace faultline::matrix;
  std::string_view text(reinterpret_cast<const char*>(data), size);
  LoadResult loaded = load_text(text, "fuzz.yaml");
  Diagnostics& diagnostics = loaded.diagnostics;
  if (diagnostics.empty()) {
    ExpandOptions options;
    options.max_cells = 10'000;  // bounded work per input
    expand(loaded.config, diagnostics, options);
  }
  // A refusal always says something.
  if (!diagnostics.empty() && diagnostics.render("fuzz.yaml").empty()) std::abort();
  return 0;
}
