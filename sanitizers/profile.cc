#include "sanitizers/profile.h"

#include <algorithm>

namespace faultline::sanitizers {

std::string_view compiler_name(Compiler c) { return c == Compiler::gcc ? "gcc" : "clang"; }

std::optional<Compiler> parse_compiler(std::string_view name) {
  if (name == "gcc" || name == "g++") return Compiler::gcc;
  if (name == "clang" || name == "clang++") return Compiler::clang;
  return std::nullopt;
}

const std::vector<std::string>& builtin_names() {
  static const std::vector<std::string> names = {"none", "asan", "ubsan", "tsan",
                                                 "msan", "lsan", "asan+ubsan"};
  return names;
}

bool is_builtin(std::string_view name) {
  const auto& names = builtin_names();
  return std::find(names.begin(), names.end(), name) != names.end();
}

}  // namespace faultline::sanitizers
