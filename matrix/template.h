// Command templates: `{{ name }}` placeholders in the shell commands of a
// matrix file. Every substituted value is quoted for the exact place of the
// command it lands in (bare, "double-quoted", 'single-quoted'), so a value never
// reaches a shell unquoted: `1.0; rm -rf /` arrives as one inert word.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "base/expected.h"
#include "base/text.h"

namespace faultline::matrix {

// Values for template variables. A value may be several words (san.cflags):
// bare, each word is quoted on its own; inside quotes they are joined by spaces.
using Vars = std::map<std::string, std::vector<std::string>, std::less<>>;

class Template {
 public:
  struct Placeholder {
    std::string name;
    std::size_t offset = 0;  // byte offset of "{{" in the template text
    ShellContext context = ShellContext::bare;
  };

  struct ParseError {
    std::size_t offset = 0;
    std::string message;
  };

  // Splits `text` into literals and placeholders; fails on an unclosed "{{" or
  // an empty or malformed name.
  static std::variant<Template, ParseError> parse(std::string_view text);

  const std::vector<Placeholder>& placeholders() const { return m_placeholders; }
  const std::string& text() const { return m_text; }

  // The command with every placeholder replaced; nullopt names the first
  // variable missing from `vars` through `missing`.
  std::optional<std::string> render(const Vars& vars, std::string* missing = nullptr) const;

 private:
  std::string m_text;
  std::vector<std::string> m_literals;  // m_literals.size() == m_placeholders.size() + 1
  std::vector<Placeholder> m_placeholders;
};

}  // namespace faultline::matrix
