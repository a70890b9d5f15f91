#include "matrix/template.h"

#include <cctype>

namespace faultline::matrix {

namespace {

bool valid_name(std::string_view name) {
  if (name.empty() || !(std::isalpha(static_cast<unsigned char>(name[0])) || name[0] == '_'))
    return false;
  for (char c : name) {
    auto u = static_cast<unsigned char>(c);
    if (!(std::isalnum(u) || c == '_' || c == '.' || c == '-' || c == '+')) return false;
  }
  return true;
}

std::string render_value(ShellContext context, const std::vector<std::string>& words) {
  if (context != ShellContext::bare) return shell_quote_in(context, join(words, " "));
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) out += ' ';
    out += shell_quote(words[i]);
  }
  // An empty list must still occupy its place as nothing, not as '' (no empty argument).
  return out;
}

}  // namespace

std::variant<Template, Template::ParseError> Template::parse(std::string_view text) {
  Template t;
  t.m_text = std::string(text);
  ShellContext context = ShellContext::bare;
  std::size_t pos = 0;
  while (true) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.m_literals.emplace_back(text.substr(pos));
      return t;
    }
    std::string_view literal = text.substr(pos, open - pos);
    context = shell_context_after(literal, context);
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos)
      return ParseError{open, "unclosed '{{' (a placeholder is written {{ name }})"};
    std::string_view name = trim(text.substr(open + 2, close - open - 2));
    if (!valid_name(name))
      return ParseError{open, "malformed placeholder '" + std::string(text.substr(open, close + 2 - open)) +
                                  "' (a placeholder is written {{ name }} or {{ prefix.component }})"};
    t.m_literals.emplace_back(literal);
    t.m_placeholders.push_back({std::string(name), open, context});
    pos = close + 2;
  }
}

std::optional<std::string> Template::render(const Vars& vars, std::string* missing) const {
  std::string out = m_literals[0];
  for (std::size_t i = 0; i < m_placeholders.size(); ++i) {
    const auto& p = m_placeholders[i];
    auto it = vars.find(p.name);
    if (it == vars.end()) {
      if (missing) *missing = p.name;
      return std::nullopt;
    }
    out += render_value(p.context, it->second);
    out += m_literals[i + 1];
  }
  return out;
}

}  // namespace faultline::matrix
