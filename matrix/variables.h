// What a build command and a run command see: the values of their template
// variables and the environment exported beside them (FAULTLINE_*, CC, SAN_*),
// and the sanitizer profile a cell's sanitizer name stands for. Pure functions
// of the config, a cell or build, and the paths the runner chose.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "matrix/config.h"
#include "matrix/expand.h"
#include "matrix/template.h"
#include "sanitizers/profile.h"

namespace faultline::matrix {

struct Binding {
  Vars vars;
  std::vector<std::pair<std::string, std::string>> env;  // added to the inherited environment
};

// The profile for sanitizer `name`: the built-in one for the config's compiler,
// with the file's overrides merged in; or a custom profile, on top of the
// built-in one it extends. nullopt when the compiler does not support it.
std::optional<sanitizers::Profile> profile_for(const Config& config, std::string_view name);

struct BuildPaths {
  std::string prefix;                     // this build's install prefix
  std::string source;                     // checkout of this version ("" when none)
  std::vector<std::string> dep_prefixes;  // parallel to BuildRef::deps
  int jobs = 1;
};

Binding build_binding(const Config& config, const BuildRef& build,
                      const sanitizers::Profile& profile, const BuildPaths& paths);

struct RunPaths {
  std::vector<std::string> component_prefixes;  // per component index ("" for none)
  std::string workdir;
  int run_index = 0;
};

Binding run_binding(const Config& config, const CellTable& cells, std::size_t cell,
                    const sanitizers::Profile& profile, const RunPaths& paths);

}  // namespace faultline::matrix
