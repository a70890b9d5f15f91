// The typed model of a faultline.yaml matrix file. matrix/load.h fills it from
// YAML and checks it; matrix/expand.h turns it into cells. Knows nothing of
// processes, output or HTTP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "sanitizers/profile.h"

namespace faultline::matrix {

// A place in the matrix file, 1-based; line 0 means "not from the file".
struct Mark {
  int line = 0;
  int column = 0;
  std::size_t pos = 0;  // byte offset in the file
};

// A string from the file together with where it was written.
struct Text {
  std::string value;
  Mark mark;
};

using EnvList = std::vector<std::pair<std::string, Text>>;

struct GitRange {
  std::string repo;   // as written (relative to the matrix file's folder)
  std::string range;  // "v1.0..v1.3": every commit after v1.0 up to v1.3, plus v1.0 itself
};

struct Component {
  std::string name;
  Mark mark;
  std::vector<std::string> versions;     // ordered, oldest first (after git enumeration)
  std::optional<GitRange> versions_git;  // where the versions came from, if from a git range
  std::string
      versions_from;  // for people: "git tags 'v0.*' in lib", "command 'npm view …'", "the list"
  std::optional<std::string> source_git;  // checked out per version into the build dir
  Text build;                             // shell command; may be empty (nothing to build)
  EnvList env;
  std::vector<Text> depends;  // names of other components
  std::vector<Text> inputs;   // globs of the local files its build reads (matrix folder relative);
  bool inputs_given = false;  // `inputs:` written (an empty list: the build reads no local file)
                              // empty: every file of the matrix file's folder
};

// A sanitizer as named in the file: a built-in name, or a custom profile
// (optionally extending a built-in one) with its fields.
struct SanitizerSpec {
  std::string name;
  Mark mark;
  std::optional<std::string> extends;  // built-in profile it starts from
  sanitizers::Profile fields;          // the file's own flags, env and wrapper
  bool builtin = false;
};

struct Param {
  std::string name;
  Mark mark;
  std::vector<std::string> values;
};

struct Workload {
  std::string name;
  Mark mark;
  Text run;
  std::vector<Text>
      run_placeholders;       // each {{ name }} of run, at its place (filled by the loader)
  std::vector<Param> params;  // each a further axis
  std::int64_t timeout_ms = 60'000;
  EnvList env;
};

enum class StopPolicy { first_crash, all, confidence };

struct Stress {
  int runs = 20;
  int parallel = 0;  // 0 = auto (number of cores)
  StopPolicy stop = StopPolicy::first_crash;
  bool keep_cores =
      false;  // keep the core files of crashes (runner/core_stack.h) instead of deleting them
};

struct BisectSpec {
  std::vector<Text> axes;
  double confidence = 0.99;
};

struct ReportSpec {
  std::vector<std::string> formats = {"terminal"};
  std::string dir = ".faultline/reports";
};

// One entry of matrix.include / matrix.exclude: axis (or extra key) = value.
struct RuleEntry {
  std::vector<std::pair<std::string, std::string>> values;
  std::vector<Mark> key_marks;  // parallel to values
  Mark mark;
};

struct Config {
  std::string file;  // path as given
  int version = 1;
  std::string name;
  sanitizers::Compiler compiler = sanitizers::Compiler::gcc;
  std::vector<Component> components;
  std::vector<SanitizerSpec> sanitizers;
  std::vector<RuleEntry> include;
  std::vector<RuleEntry> exclude;
  std::vector<Workload> workloads;
  Stress stress;
  BisectSpec bisect;
  ReportSpec report;
  std::vector<std::string>
      secrets;  // environment variables whose values never reach a log or report

  const Component* component(std::string_view name) const;
  const Workload* workload(std::string_view name) const;
  const SanitizerSpec* sanitizer(std::string_view name) const;
};

// Whether two values differ at most in ASCII letter case. faultline compares
// values as exact text; GitHub's runner compares matrix strings ignoring case,
// so a value that differs only in case is worth a word to the user.
bool equal_ignoring_case(std::string_view a, std::string_view b);

}  // namespace faultline::matrix
