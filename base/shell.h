// Shell words: quoting a value so a POSIX shell reads it back as one inert
// word, tracking the quoting state of a command, and splitting a command that
// needs no shell into its argv. Running anything is runner/'s business.
#pragma once

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
// operators, no builtin or keyword first: `exit 23`); nullopt when it needs a real shell. Lets a
// runner exec simple commands directly, without /bin/sh in between.
std::optional<std::vector<std::string>> split_plain_command(std::string_view command);

}  // namespace faultline
