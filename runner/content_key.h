// runner/content_key.h — content keys for the build cache: a SHA-256 (OpenSSL)
// over length-prefixed fields, so no field's text can shift another's boundary
// (a multi-line `build:` cannot pass for a flag), and digests of the local files
// a build reads, found by `inputs:` globs (or every file of a folder).
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace faultline::runner {

class ContentKey {
 public:
  ContentKey();
  ContentKey(ContentKey&&) noexcept;
  ContentKey& operator=(ContentKey&&) noexcept;
  ~ContentKey();

  // One field: its length as 8 bytes (little-endian), then its bytes.
  ContentKey& add(std::string_view field);
  // The SHA-256 of every field added, as 64 lower-case hex digits. Ends the key.
  std::string hex();

 private:
  struct Context;
  std::unique_ptr<Context> m_context;
};

// SHA-256 of a file's bytes (64 hex digits); an infrastructure error naming the
// file when it cannot be read.
Expected<std::string> file_digest(const std::string& path);

// Does `path` ("a/b/c.c", relative, '/'-separated) match `glob`? `*`, `?` and
// `[…]` match within one name (fnmatch(3)); `**` as a whole name matches any
// number of names, none included. A glob that names a folder matches every
// file under it.
bool glob_matches(std::string_view glob, std::string_view path);

struct InputFiles {
  std::string folder;              // absolute or relative to the working directory
  std::vector<std::string> globs;  // empty: every file, dot-names left out
  std::vector<std::string> skip;   // paths (absolute) never read: the state folder, the matrix file
};

// The digest (64 hex digits) of the files `inputs` names under its folder, in
// path order: for each, its relative path, whether it is executable, and its
// content's SHA-256. `.git` folders are never read. Bad input naming the glob
// when one matches no file.
Expected<std::string> inputs_digest(const InputFiles& inputs);

}  // namespace faultline::runner
