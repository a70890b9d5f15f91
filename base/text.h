// Small text utilities every layer needs: shell quoting, UTF-8 checking,
// "did you mean" suggestions, stable short hashes. Nothing here knows YAML,
// processes or HTTP.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace faultline {

// Quote `value` so that a POSIX shell reads it back as exactly one word, inert:
// 'abc' stays readable, anything else is wrapped in single quotes.
std::string shell_quote(std::string_view value);

// Where in a shell command a substitution lands, which decides how to quote it.
enum class ShellContext { bare, double_quoted, single_quoted };

// Quote `value` for insertion at a point of a shell command in `context`, so that
// the value is one inert word (or part of the quoted word) whatever it holds.
std::string shell_quote_in(ShellContext context, std::string_view value);

// The shell quoting state after reading `text` from `start` (a conservative scan
// of POSIX quoting: backslashes, single and double quotes).
ShellContext shell_context_after(std::string_view text, ShellContext start = ShellContext::bare);

// The words of `command` when a shell would do nothing but split it into words
// (quotes and backslashes allowed; no expansion, redirection, globbing, control
// operators, no builtin or keyword first: `exit 23`); nullopt when it needs a
// real shell. Lets a runner exec simple commands directly, without /bin/sh.
std::optional<std::vector<std::string>> split_plain_command(std::string_view command);

// Position of the first byte that is not part of valid UTF-8, if any.
std::optional<std::size_t> first_invalid_utf8(std::string_view text);

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

// 64-bit FNV-1a; stable across runs and machines (used for ids, not security).
std::uint64_t fnv1a64(std::string_view text, std::uint64_t seed = 0xcbf29ce484222325ULL);
std::string hex16(std::uint64_t value);  // 16 lowercase hex digits

// "FAULTLINE_" style environment names: upper-case, non-alphanumerics to '_'.
std::string env_name(std::string_view name);

std::string join(const std::vector<std::string>& parts, std::string_view separator);
std::string_view trim(std::string_view text);

}  // namespace faultline
