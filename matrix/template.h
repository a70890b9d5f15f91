// Command templates: `{{ name }}` placeholders in the shell commands of a
// matrix file. A value never becomes shell text: each variable a command uses
// is exported as an environment variable (FAULTLINE_<NAME>), and a placeholder
// renders as a reference to it, written for the place of the shell grammar it
// stands in ("${V}" in a word, ${V} inside double quotes or an unquoted
// here-document, '"${V}"' inside single quotes). The shell expands a reference
// once and never reads its result as code, so `1.0; touch PWNED` or
// `$(touch PWNED)` arrive as text. Places where the shell would read the value
// as code again (arithmetic, eval, `sh -c`'s script) or could not expand it (a
// quoted here-document) are refused by `parse`, with the place.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

namespace faultline::matrix {

// Values for template variables. A value may be several words (san.cflags):
// in a word each becomes its own word; inside quotes they are joined by spaces.
using Vars = std::map<std::string, std::vector<std::string>, std::less<>>;
using EnvPairs = std::vector<std::pair<std::string, std::string>>;

// Where in the shell grammar a placeholder stands, which decides how its
// reference is written.
enum class PlaceholderContext { word, double_quoted, single_quoted, here_document, comment };

class ShellScan;

class Template {
 public:
  struct Placeholder {
    std::string name;
    std::size_t offset = 0;  // byte offset of "{{" in the template text
    std::size_t length = 0;  // bytes from "{{" to "}}" inclusive
    PlaceholderContext context = PlaceholderContext::word;
    // The program that would read a value starting with '-' here as its option, one of which
    // gives it code (`sed {{ x }} f`, `python3 {{ x }}`, `env {{ x }} t`), or "".
    std::string option_reader;
  };

  struct ParseError {
    std::size_t offset = 0;  // of the "{{" concerned
    std::string message;
  };

  // Splits `text` into literals and placeholders and places each placeholder
  // in the shell grammar; fails on an unclosed "{{", an empty or malformed
  // name, or a placeholder where no reference is safe (the message says why
  // and what to write instead).
  static std::variant<Template, ParseError> parse(std::string_view text);

  const std::vector<Placeholder>& placeholders() const { return m_placeholders; }
  const std::string& text() const { return m_text; }

  // The shell command with every placeholder replaced by its reference;
  // nullopt names the first variable missing from `vars` through `missing`.
  std::optional<std::string> render(const Vars& vars, std::string* missing = nullptr) const;

  // The environment the rendered command needs: each used variable as
  // environment_name(name), joined by spaces; a value of other than one word
  // also as NAME__1, NAME__2, … (its words, for a placeholder in a word).
  EnvPairs environment(const Vars& vars) const;

  // The argv a shell would make of the rendered command, when the command is
  // plain words (no expansion, operator or redirection besides placeholders):
  // lets a runner exec it without /bin/sh. nullopt: it needs the shell.
  std::optional<std::vector<std::string>> argv(const Vars& vars) const;

 private:
  std::optional<ParseError> late_refusal(const ShellScan& scan) const;

  std::string m_text;
  std::vector<std::string> m_literals;  // m_literals.size() == m_placeholders.size() + 1
  std::vector<Placeholder> m_placeholders;
};

// "FAULTLINE_" + the name upper-cased, every byte not a letter or digit as '_':
// `prefix.library` -> FAULTLINE_PREFIX_LIBRARY.
std::string environment_name(std::string_view variable);

}  // namespace faultline::matrix
