// Whole files: reading one into memory, and writing one so that a reader never
// sees it half-written (a temporary file beside it, then rename(2), which is
// atomic within a file system). Errors carry the path and the system's reason;
// callers add what the file was for.
#pragma once

#include <string>
#include <string_view>

#include "base/expected.h"

namespace faultline {

// The bytes of the file at `path`. Error (bad_input): the system's reason
// alone ("No such file or directory"), for the caller's sentence.
Expected<std::string> read_file(const std::string& path);

// Writes `text` to `path` whole or not at all, through a unique temporary file
// beside it (`path`.tmp.XXXXXX, mkstemp(3)), synced, then renamed over `path`;
// concurrent writers never share the temporary file. Errors (infrastructure):
// "PATH: cannot create a temporary file beside it: REASON",
// "PATH: cannot write PATH.tmp.XXXXXX: REASON", "PATH: cannot write: REASON".
Status write_file_atomically(const std::string& path, std::string_view text);

}  // namespace faultline
