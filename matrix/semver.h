// Semantic versions (https://semver.org, 2.0.0) and npm-style ranges
// (https://github.com/npm/node-semver#ranges), for ordering git tags and
// filtering listed versions. Pure: no processes, no files.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/expected.h"

namespace faultline::matrix {

// MAJOR.MINOR.PATCH[-PRERELEASE][+BUILD], as in "v1.2.3-rc.1+abc". A leading
// 'v' (or 'V') is allowed and ignored; build metadata is kept but not ordered.
struct SemVer {
  std::uint64_t major = 0, minor = 0, patch = 0;
  std::vector<std::string> prerelease;  // dot-separated identifiers; empty: a release
  std::string build;
};

// nullopt when `text` is not a semantic version (no leading zeros, three parts).
std::optional<SemVer> parse_semver(std::string_view text);

// Semver precedence: <0, 0, >0. Pre-releases before their release; numeric
// identifiers compare numerically and before alphanumeric ones; build ignored.
int compare(const SemVer& a, const SemVer& b);

// A set of comparator sets joined by "||"; each set holds comparators that all
// must hold. Written as npm writes ranges: ">=1.2.0 <2", "^1.2", "~1.4.0",
// "1.x", "1.2 - 1.4", "*", joined by "||".
struct SemVerRange {
  struct Comparator {
    enum class Op { less, less_equal, greater, greater_equal, equal } op = Op::equal;
    SemVer version;
  };
  std::vector<std::vector<Comparator>> sets;  // any set; every comparator in it
};

// A bad_input Error naming the part of `text` that is not a range.
Expected<SemVerRange> parse_semver_range(std::string_view text);

// npm's rule: a pre-release satisfies a set only if some comparator in that set
// names a pre-release of the same MAJOR.MINOR.PATCH.
bool satisfies(const SemVer& version, const SemVerRange& range);

// Versions as a command prints them: one per line (blank lines and surrounding
// blanks or a CR ignored), or a JSON array of strings, or one JSON string (as
// `npm view PKG versions --json` prints for one or many). Order kept. Errors:
// output that starts like JSON but is not an array of strings; a line holding
// whitespace inside it ("line N of its output, 'TEXT', holds whitespace…"); a
// version given twice.
Expected<std::vector<std::string>> parse_version_listing(std::string_view printed);

// `names` ordered by semver precedence, oldest first (equal precedence: by
// text). Error: the first name that is not a semantic version.
Expected<std::vector<std::string>> sort_by_semver(std::vector<std::string> names);

// The versions that satisfy `range`, order kept; non-semver versions never do.
std::vector<std::string> keep_satisfying(const std::vector<std::string>& versions,
                                         const SemVerRange& range);

}  // namespace faultline::matrix
