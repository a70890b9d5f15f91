#include "base/shell.h"

#include <algorithm>
#include <cctype>

namespace faultline {

namespace {

bool is_plain_shell_word(std::string_view value) {
  if (value.empty()) return false;
  return std::all_of(value.begin(), value.end(), [](unsigned char c) {
    return std::isalnum(c) || c == '.' || c == '_' || c == '-' || c == '/' || c == '+' ||
           c == ',' || c == ':' || c == '=' || c == '@' || c == '%';
  });
}

std::string single_quote_body(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out;
}

}  // namespace

std::string shell_quote(std::string_view value) {
  if (is_plain_shell_word(value) && value.front() != '=' && value.front() != '-') {
    return std::string(value);
  }
  return "'" + single_quote_body(value) + "'";
}

std::string shell_quote_in(ShellContext context, std::string_view value) {
  switch (context) {
    case ShellContext::bare:
      return "'" + single_quote_body(value) + "'";
    case ShellContext::single_quoted:
      return single_quote_body(value);
    case ShellContext::double_quoted: {
      std::string out;
      for (char c : value) {
        if (c == '$' || c == '`' || c == '"' || c == '\\') out += '\\';
        out += c;
      }
      return out;
    }
  }
  return std::string(value);
}

ShellContext shell_context_after(std::string_view text, ShellContext state) {
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    switch (state) {
      case ShellContext::bare:
        if (c == '\\')
          ++i;
        else if (c == '\'')
          state = ShellContext::single_quoted;
        else if (c == '"')
          state = ShellContext::double_quoted;
        break;
      case ShellContext::single_quoted:
        if (c == '\'') state = ShellContext::bare;
        break;
      case ShellContext::double_quoted:
        if (c == '\\')
          ++i;
        else if (c == '"')
          state = ShellContext::bare;
        break;
    }
  }
  return state;
}

namespace {

// Reads the quoted or escaped part of a word at command[i] into `word`; returns the index of its
// last character, or nullopt when only a shell could read it (an unclosed quote, an expansion
// inside "…", a line continuation).
std::optional<std::size_t> read_quoted(std::string_view command, std::size_t i, std::string& word) {
  const char c = command[i];
  if (c == '\'') {
    const std::size_t end = command.find('\'', i + 1);
    if (end == std::string_view::npos) return std::nullopt;
    word.append(command.substr(i + 1, end - i - 1));
    return end;
  }
  if (c == '\\') {
    if (i + 1 >= command.size() || command[i + 1] == '\n') return std::nullopt;
    word += command[i + 1];
    return i + 1;
  }
  for (++i; i < command.size() && command[i] != '"'; ++i) {  // "…"
    if (command[i] == '$' || command[i] == '`') return std::nullopt;
    if (command[i] == '\\') {
      if (i + 1 >= command.size() || command[i + 1] == '\n') return std::nullopt;
      const char n = command[i + 1];
      if (n == '$' || n == '`' || n == '"' || n == '\\') ++i;
    }
    word += command[i];
  }
  if (i >= command.size()) return std::nullopt;
  return i;
}

// The words of `command` as a shell splits them, or nullopt at any character only a shell reads.
std::optional<std::vector<std::string>> split_words(std::string_view command) {
  static constexpr std::string_view k_special = "$`|&;<>()*?[]~{}#!\n";
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;
  for (std::size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (c == ' ' || c == '\t') {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    if (k_special.find(c) != std::string_view::npos) return std::nullopt;
    in_word = true;
    if (c != '\'' && c != '"' && c != '\\') {
      word += c;
      continue;
    }
    const auto end = read_quoted(command, i, word);
    if (!end) return std::nullopt;
    i = *end;
  }
  if (in_word) words.push_back(std::move(word));
  return words;
}

// NAME=value as the first word is an assignment, which only a shell performs.
bool starts_with_assignment(std::string_view command) {
  const std::string_view first = command.substr(command.find_first_not_of(" \t"));
  const std::size_t name_end =
      first.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
  return name_end != std::string_view::npos && name_end > 0 && first[name_end] == '=';
}

// A builtin or keyword (`exit 23`, `cd dir`, `ulimit -c 0`) is the shell's, not a program's.
bool is_shell_word(std::string_view word) {
  static const std::vector<std::string_view> k_shell_words = {
      "exit",   "cd",     "export", "set",      "unset", ".",     "source",   "eval",     "exec",
      "trap",   "return", "shift",  "readonly", "times", "break", "continue", "read",     "wait",
      "ulimit", "umask",  "alias",  "unalias",  "type",  "hash",  "getopts",  "command",  "jobs",
      "fg",     "bg",     "local",  "if",       "then",  "else",  "elif",     "fi",       "do",
      "done",   "case",   "esac",   "while",    "until", "for",   "in",       "function", "select"};
  return std::find(k_shell_words.begin(), k_shell_words.end(), word) != k_shell_words.end();
}

}  // namespace

std::optional<std::vector<std::string>> split_plain_command(std::string_view command) {
  auto words = split_words(command);
  if (!words || words->empty()) return std::nullopt;
  if (starts_with_assignment(command) || is_shell_word(words->front())) return std::nullopt;
  return words;
}

}  // namespace faultline
