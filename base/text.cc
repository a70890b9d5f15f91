#include "base/text.h"

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
    if (c == '\'') out += "'\\''";
    else out += c;
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
        if (c == '\\') ++i;
        else if (c == '\'') state = ShellContext::single_quoted;
        else if (c == '"') state = ShellContext::double_quoted;
        break;
      case ShellContext::single_quoted:
        if (c == '\'') state = ShellContext::bare;
        break;
      case ShellContext::double_quoted:
        if (c == '\\') ++i;
        else if (c == '"') state = ShellContext::bare;
        break;
    }
  }
  return state;
}

std::optional<std::vector<std::string>> split_plain_command(std::string_view command) {
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
    } else if (c == '\'') {
      const std::size_t end = command.find('\'', i + 1);
      if (end == std::string_view::npos) return std::nullopt;
      word.append(command.substr(i + 1, end - i - 1));
      i = end;
      in_word = true;
    } else if (c == '"') {
      for (++i; i < command.size() && command[i] != '"'; ++i) {
        if (command[i] == '$' || command[i] == '`') return std::nullopt;
        if (command[i] == '\\') {
          if (i + 1 >= command.size()) return std::nullopt;
          char n = command[i + 1];
          if (n == '$' || n == '`' || n == '"' || n == '\\') ++i;
          else if (n == '\n') return std::nullopt;
        }
        word += command[i];
      }
      if (i >= command.size()) return std::nullopt;
      in_word = true;
    } else if (c == '\\') {
      if (i + 1 >= command.size() || command[i + 1] == '\n') return std::nullopt;
      word += command[++i];
      in_word = true;
    } else if (k_special.find(c) != std::string_view::npos) {
      return std::nullopt;
    } else {
      word += c;
      in_word = true;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return std::nullopt;
  // NAME=value as the first word is an assignment, which only a shell performs.
  const std::string_view first = command.substr(command.find_first_not_of(" \t"));
  const std::size_t name_end = first.find_first_not_of(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
  if (name_end != std::string_view::npos && name_end > 0 && first[name_end] == '=') return std::nullopt;
  // A builtin or keyword (`exit 23`, `cd dir`, `ulimit -c 0`) is the shell's, not a program's.
  static const std::vector<std::string_view> k_shell_words = {
      "exit",  "cd",     "export", "set",    "unset", ".",     "source",  "eval",  "exec",     "trap",
      "return", "shift", "readonly", "times", "break", "continue", "read", "wait", "ulimit", "umask",
      "alias", "unalias", "type",  "hash",   "getopts", "command", "jobs", "fg",    "bg",       "local",
      "if",    "then",   "else",   "elif",   "fi",    "do",    "done",    "case",  "esac",     "while",
      "until", "for",    "in",     "function", "select"};
  if (std::find(k_shell_words.begin(), k_shell_words.end(), words.front()) != k_shell_words.end()) return std::nullopt;
  return words;
}

std::optional<std::size_t> first_invalid_utf8(std::string_view s) {
  std::size_t i = 0;
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  while (i < s.size()) {
    unsigned char c = p[i];
    std::size_t len = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) { ++i; continue; }
    if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
    else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
    else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
    else return i;
    if (i + len > s.size()) return i;
    for (std::size_t k = 1; k < len; ++k) {
      if ((p[i + k] & 0xC0) != 0x80) return i;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    bool overlong = (len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000);
    if (overlong || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return i;
    i += len;
  }
  return std::nullopt;
}

LineCol line_col_at(std::string_view text, std::size_t offset) {
  LineCol lc;
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    if (text[i] == '\n') { ++lc.line; lc.column = 1; }
    else ++lc.column;
  }
  return lc;
}

// Optimal string alignment distance: a swap of two neighbours costs one, as in
// the usual typos ("tasn" for "tsan").
std::size_t edit_distance(std::string_view a, std::string_view b) {
  const std::size_t w = b.size() + 1;
  std::vector<std::size_t> d((a.size() + 1) * w);
  for (std::size_t i = 0; i <= a.size(); ++i) d[i * w] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      std::size_t v = std::min({d[(i - 1) * w + j] + 1, d[i * w + j - 1] + 1,
                                d[(i - 1) * w + j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
        v = std::min(v, d[(i - 2) * w + j - 2] + 1);
      d[i * w + j] = v;
    }
  }
  return d[a.size() * w + b.size()];
}

std::optional<std::string> did_you_mean(std::string_view word,
                                        const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  for (const auto& c : candidates) {
    std::size_t d = edit_distance(word, c);
    if (!best || d < best_distance) { best = c; best_distance = d; }
  }
  std::size_t limit = std::max<std::size_t>(1, std::min<std::size_t>(3, word.size() / 3 + 1));
  if (best && best_distance > 0 && best_distance <= limit) return best;
  return std::nullopt;
}

std::uint64_t fnv1a64(std::string_view text, std::uint64_t hash) {
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 0x100000001b3ULL;
  }
  return hash;
}

std::string hex16(std::uint64_t value) {
  static const char* digits = "0123456789abcdef";
  std::string out(16, '0');
  for (int i = 15; i >= 0; --i) { out[i] = digits[value & 0xF]; value >>= 4; }
  return out;
}

std::string env_name(std::string_view name) {
  std::string out;
  for (unsigned char c : name) out += std::isalnum(c) ? static_cast<char>(std::toupper(c)) : '_';
  return out;
}

std::string join(const std::vector<std::string>& parts, std::string_view sep) {
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) {
    if (i) out += sep;
    out += parts[i];
  }
  return out;
}

std::string_view trim(std::string_view t) {
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.front()))) t.remove_prefix(1);
  while (!t.empty() && std::isspace(static_cast<unsigned char>(t.back()))) t.remove_suffix(1);
  return t;
}

}  // namespace faultline
