#include "matrix/template.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "base/text.h"
#include "matrix/shell_scan.h"

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

std::string word_name(const std::string& variable, std::size_t index) {
  return variable + "__" + std::to_string(index + 1);
}

// The reference to `name`'s variable for a placeholder in `context`.
std::string reference(PlaceholderContext context, const std::string& name, std::size_t words) {
  const std::string var = environment_name(name);
  switch (context) {
    case PlaceholderContext::double_quoted:
    case PlaceholderContext::here_document:
      return "${" + var + "}";
    case PlaceholderContext::single_quoted:
      return "'\"${" + var + "}\"'";
    case PlaceholderContext::word:
    case PlaceholderContext::comment:
      break;
  }
  if (words == 1) return "\"${" + var + "}\"";
  std::string out;  // no words: nothing, not an empty argument
  for (std::size_t i = 0; i < words; ++i) out += (i ? " \"${" : "\"${") + word_name(var, i) + "}\"";
  return out;
}

// "{{ x }} is inside …", with $VAR spelled out.
std::string refusal(std::string_view raw, const std::string& name, std::string reason) {
  const std::size_t at = reason.find("$VAR");
  if (at != std::string::npos) reason.replace(at, 4, "$" + environment_name(name));
  return "'" + std::string(raw) + "' " + reason;
}

}  // namespace

std::string environment_name(std::string_view variable) {
  return "FAULTLINE_" + env_name(variable);
}

// The first placeholder the scan refused after accepting it (its text flows into a program that
// reads its input as code), as a ParseError; nullopt when there is none.
std::optional<Template::ParseError> Template::late_refusal(const ShellScan& scan) const {
  if (scan.refused().empty()) return std::nullopt;
  const auto first = std::min_element(scan.refused().begin(), scan.refused().end());
  const Placeholder& p = m_placeholders[first->first];
  return ParseError{p.offset, refusal(std::string_view(m_text).substr(p.offset, p.length), p.name,
                                      first->second)};
}

std::variant<Template, Template::ParseError> Template::parse(std::string_view text) {
  Template t;
  t.m_text = std::string(text);
  ShellScan scan;
  std::size_t pos = 0;
  while (true) {
    std::size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      t.m_literals.emplace_back(text.substr(pos));
      scan.feed(t.m_literals.back());
      scan.finish();
      if (auto late = t.late_refusal(scan)) return *late;
      return t;
    }
    std::string_view literal = text.substr(pos, open - pos);
    scan.feed(literal);
    std::size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos)
      return ParseError{open, "unclosed '{{' (a placeholder is written {{ name }})"};
    std::string_view raw = text.substr(open, close + 2 - open);
    std::string name(trim(text.substr(open + 2, close - open - 2)));
    if (!valid_name(name))
      return ParseError{open,
                        "malformed placeholder '" + std::string(raw) +
                            "' (a placeholder is written {{ name }} or {{ prefix.component }})"};
    auto context = scan.here();
    if (auto late = t.late_refusal(scan)) return *late;
    if (auto* why = std::get_if<std::string>(&context))
      return ParseError{open, refusal(raw, name, *why)};
    t.m_literals.emplace_back(literal);
    t.m_placeholders.push_back(
        {name, open, raw.size(), std::get<PlaceholderContext>(context), scan.option_reader()});
    scan.placeholder();
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
    out += reference(p.context, p.name, it->second.size());
    out += m_literals[i + 1];
  }
  return out;
}

EnvPairs Template::environment(const Vars& vars) const {
  EnvPairs out;
  std::set<std::string> done;
  for (const auto& p : m_placeholders) {
    auto it = vars.find(p.name);
    if (it == vars.end() || !done.insert(p.name).second) continue;
    const std::string var = environment_name(p.name);
    out.emplace_back(var, join(it->second, " "));
    if (it->second.size() != 1)
      for (std::size_t i = 0; i < it->second.size(); ++i)
        out.emplace_back(word_name(var, i), it->second[i]);
  }
  return out;
}

namespace {

// \x01 N \x02 stands for placeholder N while the words are split.
constexpr char k_open = '\x01', k_close = '\x02';

// Appends `word` to `out` with every stand-in replaced by its value; a word
// that is exactly one stand-in for a placeholder in a word takes its words.
bool substitute(const std::string& word, const std::vector<const std::vector<std::string>*>& values,
                const std::vector<bool>& bare, std::vector<std::string>& out) {
  if (word.size() > 2 && word.front() == k_open && word.back() == k_close &&
      word.find(k_open, 1) == std::string::npos) {
    const std::size_t n = std::stoul(word.substr(1, word.size() - 2));
    if (bare[n]) {
      out.insert(out.end(), values[n]->begin(), values[n]->end());
      return true;
    }
  }
  std::string text;
  for (std::size_t i = 0; i < word.size(); ++i) {
    if (word[i] != k_open) {
      text += word[i];
      continue;
    }
    const std::size_t end = word.find(k_close, i);
    const std::size_t n = std::stoul(word.substr(i + 1, end - i - 1));
    if (bare[n] && values[n]->size() != 1) return false;  // words inside a word: the shell decides
    text += join(*values[n], " ");
    i = end;
  }
  out.push_back(std::move(text));
  return true;
}

}  // namespace

std::optional<std::vector<std::string>> Template::argv(const Vars& vars) const {
  if (m_text.find(k_open) != std::string::npos || m_text.find(k_close) != std::string::npos)
    return std::nullopt;
  std::string stand_in = m_literals[0];
  std::vector<const std::vector<std::string>*> values;
  std::vector<bool> bare;
  for (std::size_t i = 0; i < m_placeholders.size(); ++i) {
    auto it = vars.find(m_placeholders[i].name);
    if (it == vars.end()) return std::nullopt;
    values.push_back(&it->second);
    bare.push_back(m_placeholders[i].context == PlaceholderContext::word);
    stand_in += k_open + std::to_string(i) + k_close + m_literals[i + 1];
  }
  auto words = split_plain_command(stand_in);
  if (!words) return std::nullopt;
  std::vector<std::string> out;
  for (const auto& w : *words)
    if (!substitute(w, values, bare, out)) return std::nullopt;
  if (out.empty()) return std::nullopt;
  return out;
}

}  // namespace faultline::matrix
