// Reading a faultline.yaml: YAML (yaml-cpp) into the typed model of
// matrix/config.h, with every mistake in the file reported at its place. Git
// version ranges are enumerated through a caller-supplied lister, so this folder
// never spawns a process itself.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"
#include "matrix/config.h"
#include "matrix/diagnostics.h"

namespace faultline::matrix {

// Lists the commits of `range` ("v1.0..v1.3") in the repository at `repo_dir`,
// oldest first, the range's start included; with `first_parent`, only the
// commits on the first-parent line (merged-in branches' commits left out).
// An error's message is shown as the cause, after the place in the matrix file.
using GitRangeLister = std::function<Expected<std::vector<std::string>>(
    const std::string& repo_dir, const std::string& range, bool first_parent)>;

// Lists the tags of the repository at `repo_dir` matching the glob `pattern`
// ("v0.*", as `git tag --list` matches), in any order.
using GitTagLister = std::function<Expected<std::vector<std::string>>(const std::string& repo_dir,
                                                                      const std::string& pattern)>;

// Runs the shell command `command` in the folder `dir`; its stdout, or an error
// (how it ended, its stderr) when it did not exit 0.
using CommandRunner =
    std::function<Expected<std::string>(const std::string& command, const std::string& dir)>;

// Each unset lister makes that kind of versions source an error ("cannot be listed here").
struct LoadOptions {
  GitRangeLister list_git_range;
  GitTagLister list_git_tags;
  CommandRunner run_versions_command;
};

struct LoadResult {
  Config config;
  Diagnostics diagnostics;  // empty when the file is valid
};

// Parses and checks `text` as the matrix file `file` (the name used in messages
// and to resolve relative paths).
LoadResult load_text(std::string_view text, const std::string& file,
                     const LoadOptions& options = {});

// Reads `file` and loads it; a file that cannot be read is one diagnostic.
LoadResult load_file(const std::string& file, const LoadOptions& options = {});

// The template variables a build command of `component` may use, and those a
// workload's run command may use (extras: keys that include entries add).
std::vector<std::string> build_variables(const Config& config, const Component& component);
std::vector<std::string> run_variables(const Config& config,
                                       const std::vector<std::string>& extras);

}  // namespace faultline::matrix
