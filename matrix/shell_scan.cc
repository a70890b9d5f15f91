#include "matrix/shell_scan.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

namespace faultline::matrix {

namespace {

bool is_shell(std::string_view word) {
  const std::size_t slash = word.rfind('/');
  if (slash != std::string_view::npos) word.remove_prefix(slash + 1);
  for (std::string_view s : {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "busybox", "su"})
    if (word == s) return true;
  return false;
}

// Programs whose -c/-e/-E/-r option takes a script in their own language.
bool is_interpreter(std::string_view word) {
  const std::size_t slash = word.rfind('/');
  if (slash != std::string_view::npos) word.remove_prefix(slash + 1);
  for (std::string_view s :
       {"python", "perl", "ruby", "node", "nodejs", "php", "lua", "Rscript", "tclsh"})
    if (word.substr(0, s.size()) == s) return true;
  return false;
}

// "-c", "-ec", "-xc": a shell option cluster that names the script next.
bool is_script_option(std::string_view word) {
  if (word.size() < 2 || word[0] != '-' || word[1] == '-') return false;
  return std::all_of(word.begin() + 1, word.end(), [](char c) { return c >= 'a' && c <= 'z'; }) &&
         word.find('c') != std::string_view::npos;
}

bool is_assignment(std::string_view word) {
  const std::size_t eq = word.find('=');
  return eq != std::string_view::npos && eq > 0 &&
         std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(eq), [](char c) {
           return c == '_' || std::isalnum(static_cast<unsigned char>(c));
         });
}

// A word before a command's name that leaves the next word the name: an assignment, a reserved
// word that starts a command (`!`, `if`, `do`, `{`, `time`, …), or `command`/`builtin` and their
// options (`command -p eval …` runs eval).
bool is_name_prefix(std::string_view word) {
  if (is_assignment(word) || (word.size() > 1 && word[0] == '-')) return true;
  for (std::string_view w : {"!", "if", "then", "elif", "else", "while", "until", "do", "{", "time",
                             "command", "builtin"})
    if (word == w) return true;
  return word.size() > 2 && word.substr(word.size() - 2) == "()";  // f() { …
}

}  // namespace

void ShellScan::feed(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) i += step(text, i);
}

void ShellScan::placeholder() {
  m_dollar = false;
  if (m_in_body)
    m_line += "x";
  else if (commandlike())
    m_stack.back().in_word = true;
}

bool ShellScan::commandlike() const {
  const Frame k = m_stack.back().kind;
  return k == Frame::command || k == Frame::subst || k == Frame::backquote;
}

void ShellScan::push(Frame kind, int depth) {
  if (commandlike()) m_stack.back().in_word = true;
  Level level;
  level.kind = kind;
  level.depth = depth;
  m_stack.push_back(std::move(level));
}

// Reads s[i]; returns how many characters after it were read too.
std::size_t ShellScan::step(std::string_view s, std::size_t i) {
  const char c = s[i];
  m_dollar = false;
  if (m_in_body) {
    body_char(c);
    return 0;
  }
  if (m_escape) {
    m_escape = false;
    if (commandlike() && c != '\n') {
      m_stack.back().word += c;
      m_stack.back().in_word = true;
    }
    return 0;
  }
  if (m_comment) {
    if (c == '\n') {
      m_comment = false;
      return command_char(s, i);
    }
    return 0;
  }
  if (m_delimiter) return delimiter_char(s, i);
  return commandlike() ? command_char(s, i) : quoted_char(s, i);
}

// Inside quotes, ${…} or $((…)).
std::size_t ShellScan::quoted_char(std::string_view s, std::size_t i) {
  const char c = s[i];
  Level& top = m_stack.back();
  switch (top.kind) {
    case Frame::sq:
      if (c == '\'') m_stack.pop_back();
      return 0;
    case Frame::ansi_sq:
      if (c == '\\')
        m_escape = true;
      else if (c == '\'')
        m_stack.pop_back();
      return 0;
    case Frame::dq:
      if (c == '\\')
        m_escape = true;
      else if (c == '"')
        m_stack.pop_back();
      else if (c == '`')
        push(Frame::backquote);
      else if (c == '$')
        return dollar(s, i);
      return 0;
    case Frame::param:
      if (c == '\\')
        m_escape = true;
      else if (c == '{')
        ++top.depth;
      else if (c == '}' && top.depth-- == 0)
        m_stack.pop_back();
      else if (c == '\'')
        push(Frame::sq);
      else if (c == '"')
        push(Frame::dq);
      else if (c == '$')
        return dollar(s, i);
      return 0;
    case Frame::arith:
      if (c == '(')
        ++top.depth;
      else if (c == ')' && --top.depth == 0)
        m_stack.pop_back();
      else if (c == '$')
        return dollar(s, i);
      return 0;
    default:
      return 0;
  }
}

std::size_t ShellScan::dollar(std::string_view s, std::size_t i) {
  if (i + 1 >= s.size()) {
    m_dollar = true;
    return 0;
  }
  const char next = s[i + 1];
  if (next == '(' && i + 2 < s.size() && s[i + 2] == '(') {
    push(Frame::arith, 2);
    return 2;
  }
  if (next == '(') {
    push(Frame::subst);
    return 1;
  }
  if (next == '{') {
    push(Frame::param);
    return 1;
  }
  if (next == '\'' && commandlike()) {
    push(Frame::ansi_sq);
    return 1;
  }
  if (commandlike()) m_stack.back().in_word = true;
  return 0;
}

std::size_t ShellScan::command_char(std::string_view s, std::size_t i) {
  const char c = s[i];
  Level& top = m_stack.back();
  const char next = i + 1 < s.size() ? s[i + 1] : '\0';
  switch (c) {
    case '\\':
      m_escape = true;
      top.in_word = true;
      return 0;
    case '\'':
      push(Frame::sq);
      return 0;
    case '"':
      push(Frame::dq);
      return 0;
    case '$':
      return dollar(s, i);
    case ' ':
    case '\t':
      end_word();
      return 0;
    case ';':
    case '&':
    case '|':
      end_command();
      return 0;
    case '(':
      end_command();
      if (next == '(') {  // (( … )): bash's arithmetic command
        push(Frame::arith, 2);
        return 1;
      }
      ++top.depth;
      return 0;
    case '`':
      if (top.kind != Frame::backquote) {
        push(Frame::backquote);
        return 0;
      }
      end_command();
      m_stack.pop_back();
      return 0;
    case ')':
      end_command();
      if (top.kind == Frame::subst && top.depth == 0)
        m_stack.pop_back();
      else
        --top.depth;
      return 0;
    case '\n':
      end_command();
      if (!m_pending.empty()) m_in_body = true;
      return 0;
    case '#':
      if (!top.in_word) {
        m_comment = true;
        return 0;
      }
      break;
    case '<':
      if (next != '<') break;
      end_word();
      if (i + 2 < s.size() && s[i + 2] == '<')
        return 2;  // <<< here-string: a word, not a here-document
      m_next = Heredoc{};
      m_next.strip_tabs = i + 2 < s.size() && s[i + 2] == '-';
      m_delimiter = 1;
      return m_next.strip_tabs ? 2 : 1;
    default:
      break;
  }
  top.word += c;
  top.in_word = true;
  return 0;
}

// The word after << or <<-: quoting any part of it quotes the whole body.
std::size_t ShellScan::delimiter_char(std::string_view s, std::size_t i) {
  const char c = s[i];
  if (m_delimiter_quote) {
    if (c == m_delimiter_quote)
      m_delimiter_quote = 0;
    else
      m_next.delimiter += c;
    return 0;
  }
  const bool blank = c == ' ' || c == '\t';
  if (m_delimiter == 1 && blank) return 0;
  if (blank || std::string_view("\n;&|<>()").find(c) != std::string_view::npos) {
    m_pending.push_back(m_next);
    m_delimiter = 0;
    return command_char(s, i);
  }
  m_delimiter = 2;
  if (c == '\'' || c == '"') {
    m_delimiter_quote = c;
    m_next.quoted = true;
  } else if (c == '\\') {
    m_next.quoted = true;
  } else {
    m_next.delimiter += c;
  }
  return 0;
}

void ShellScan::body_char(char c) {
  if (c != '\n') {
    m_line += c;
    return;
  }
  std::string_view line = m_line;
  if (m_pending.front().strip_tabs)
    while (!line.empty() && line.front() == '\t') line.remove_prefix(1);
  if (line == m_pending.front().delimiter) {
    m_pending.erase(m_pending.begin());
    m_in_body = !m_pending.empty();
  }
  m_line.clear();
}

void ShellScan::end_word() {
  Level& top = m_stack.back();
  if (!top.in_word) return;
  // The command's name is its first word that is not an assignment, reserved word or prefix.
  const bool named = std::any_of(top.words.begin(), top.words.end(),
                                 [](const std::string& w) { return !is_name_prefix(w); });
  if (!named &&
      (top.word == "eval" || top.word == "ssh" || top.word == "trap" || top.word == "alias"))
    top.all_code = true;
  if (!named && (top.word == "let" || top.word == "[[")) top.arithmetic = true;
  if (top.word == "]]") top.arithmetic = false;
  const bool shell = std::any_of(top.words.begin(), top.words.end(),
                                 [](const std::string& w) { return is_shell(w); });
  const bool interpreter = std::any_of(top.words.begin(), top.words.end(),
                                       [](const std::string& w) { return is_interpreter(w); });
  const bool script_option = (shell && is_script_option(top.word)) ||
                             (interpreter && (top.word == "-c" || top.word == "-e" ||
                                              top.word == "-E" || top.word == "-r"));
  if (top.script_word == SIZE_MAX && script_option) top.script_word = top.words.size() + 1;
  top.words.push_back(std::move(top.word));
  top.word.clear();
  top.in_word = false;
}

void ShellScan::end_command() {
  end_word();
  Level& top = m_stack.back();
  top.words.clear();
  top.all_code = false;
  top.arithmetic = false;
  top.script_word = SIZE_MAX;
}

std::variant<PlaceholderContext, std::string> ShellScan::body_context() const {
  const Heredoc& doc = m_pending.front();
  if (doc.quoted)
    return std::string("is inside a quoted here-document (<<'" + doc.delimiter +
                       "'), where nothing expands; write <<" + doc.delimiter + " without quotes");
  std::size_t backslashes = 0;
  for (auto it = m_line.rbegin(); it != m_line.rend() && *it == '\\'; ++it) ++backslashes;
  if (backslashes % 2)
    return std::string(
        "follows a backslash, which would quote the reference; remove the backslash");
  if (!m_line.empty() && m_line.back() == '$')
    return std::string("follows a '$'; write the placeholder on its own");
  const auto opens = std::count(m_line.begin(), m_line.end(), '(');
  const auto closes = std::count(m_line.begin(), m_line.end(), ')');
  const bool in_braces =
      std::count(m_line.begin(), m_line.end(), '{') > std::count(m_line.begin(), m_line.end(), '}');
  if (opens > closes || in_braces || std::count(m_line.begin(), m_line.end(), '`') % 2)
    return std::string(
        "is inside an expansion within a here-document; give the value a shell variable before the "
        "here-document (v={{ … }}) and use $v in it");
  return PlaceholderContext::here_document;
}

std::variant<PlaceholderContext, std::string> ShellScan::here() const {
  if (m_in_body) return body_context();
  if (m_delimiter)
    return std::string("is a here-document's delimiter; write a fixed word after <<");
  if (m_escape)
    return std::string(
        "follows a backslash, which would quote the reference; remove the backslash");
  if (m_dollar) return std::string("follows a '$'; write the placeholder on its own");
  if (m_comment) return PlaceholderContext::comment;
  for (const Level& level : m_stack) {
    if (level.kind == Frame::arith)
      return std::string(
          "is inside arithmetic $(( … )), where the shell evaluates a value as an expression (bash "
          "runs commands found in one); use $VAR outside it after checking it is a number");
    if (level.kind == Frame::param)
      return std::string(
          "is inside a parameter expansion ${…}; give the value a shell variable first "
          "(v={{ … }}) and expand that");
    if (level.kind == Frame::ansi_sq)
      return std::string("is inside $'…' quoting; use '…' or \"…\" there");
    if (level.arithmetic)
      return std::string(
          "is in bash's [[ … ]] or let, which may evaluate a value as arithmetic (and run commands "
          "found in it); compare with [ … ] instead");
    if (level.all_code || level.words.size() == level.script_word)
      return std::string(
          "is in text that is run as code again (eval, sh -c, python -c, ssh, trap), so the "
          "value would be read as code; read the environment variable inside that code instead "
          "(\"$VAR\" for a shell)");
  }
  switch (m_stack.back().kind) {
    case Frame::dq:
      return PlaceholderContext::double_quoted;
    case Frame::sq:
      return PlaceholderContext::single_quoted;
    default:
      return PlaceholderContext::word;
  }
}

}  // namespace faultline::matrix
