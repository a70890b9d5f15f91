// Words and places in text: "did you mean" suggestions, line:column of an
// offset, environment-variable names, join and trim. Nothing here knows YAML,
// processes or HTTP. Shell quoting, UTF-8 and hashes have their own headers;
// they are included here for the files that took them from text.h before the
// split (include the one you use in new code).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/hash.h"
#include "base/shell.h"
#include "base/utf8.h"

namespace faultline {

// 1-based line and column of byte `offset` in `text`.
struct LineCol {
  int line = 1;
  int column = 1;
};
LineCol line_col_at(std::string_view text, std::size_t offset);

// The candidate closest to `word` by edit distance, if close enough to suggest.
std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates);

std::size_t edit_distance(std::string_view a, std::string_view b);

// "FAULTLINE_" style environment names: upper-case, non-alphanumerics to '_'.
std::string env_name(std::string_view name);

std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string_view trim(std::string_view text);

}  // namespace faultline
