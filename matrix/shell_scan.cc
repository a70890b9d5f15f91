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

std::string_view base_name(std::string_view word) {
  const std::size_t slash = word.rfind('/');
  return slash == std::string_view::npos ? word : word.substr(slash + 1);
}

// Words a command's name may follow that leave it the program which reads the input:
// `env A=1 sh`, `timeout 5 bash`, `nice -n 5 sh`.
bool is_wrapper(std::string_view word) {
  for (std::string_view w : {"env", "exec", "nohup", "nice", "timeout", "stdbuf", "setsid"})
    if (word == w) return true;
  return !word.empty() && std::isdigit(static_cast<unsigned char>(word[0]));  // timeout 5s
}

bool is_stdin_path(std::string_view word) {
  return word == "-" || word == "/dev/stdin" || word == "/dev/fd/0" || word == "/proc/self/fd/0";
}

// `>log`, `2>&1`, `<file`, `>`: a redirection, not an operand; true in `*target` when the
// next word is its file.
bool is_redirection(std::string_view word, bool* target) {
  std::size_t i = 0;
  while (i < word.size() && std::isdigit(static_cast<unsigned char>(word[i]))) ++i;
  if (i >= word.size() || (word[i] != '<' && word[i] != '>')) return false;
  *target = word.find_first_not_of("0123456789<>&|", i) == std::string_view::npos &&
            word.back() != '-' && !std::isdigit(static_cast<unsigned char>(word.back()));
  return true;
}

// After a shell's or interpreter's name (`words[k]`): does it read its script from its input?
// Yes with no operand, `-s`, or `-` / `/dev/stdin`; no with -c (-e … for an interpreter) or a
// script file.
bool reads_script_from_input(const std::vector<std::string>& words, std::size_t k) {
  const bool shell = is_shell(words[k]);
  for (std::size_t j = k + 1; j < words.size(); ++j) {
    const std::string& w = words[j];
    bool target = false;
    if (is_redirection(w, &target)) {
      j += target;
    } else if (is_stdin_path(w)) {
      return true;
    } else if (w.size() > 1 && (w[0] == '-' || w[0] == '+') && w != "--") {
      if (shell ? is_script_option(w)
                : (w == "-c" || w == "-e" || w == "-E" || w == "-r" || w == "-m"))
        return false;
      if (shell && w[1] != '-' && w.find('s') != std::string::npos) return true;
      if (w == "-o" || w == "+o" || (!shell && (w == "-W" || w == "-X"))) ++j;
    } else if (w != "--" && !(shell && base_name(words[k]) == "su")) {
      return false;  // a script file (su's operand is a user)
    }
  }
  return true;
}

// Programs that run another command, named somewhere among their arguments, with their input:
// `docker exec -i c sh`, `kubectl exec -i pod -- bash`, `sudo -u root sh`, `chroot /srv sh`.
bool is_runner(std::string_view word) {
  for (std::string_view w :
       {"sudo", "doas", "docker", "podman", "nerdctl", "kubectl", "chroot", "nsenter", "unshare",
        "runuser", "setpriv", "flock", "systemd-run", "lxc-attach", "schroot", "xargs"})
    if (word == w) return true;
  return false;
}

// Programs that always run what they read as shell commands: at and batch queue it, GNU
// parallel runs each line, ssh hands it to the remote shell.
bool runs_input(std::string_view name) {
  return name == "at" || name == "batch" || name == "parallel" || name == "ssh";
}

// From words[k], the program that reads its input as code, if any (see input_reader).
std::optional<std::string> reader_at(const std::vector<std::string>& words, std::size_t k,
                                     bool through_runner) {
  const std::string& w = words[k];
  const std::string_view name = base_name(w);
  if (name == "eval" || runs_input(name)) return w;
  if (name == "source" || name == ".")
    return k + 1 < words.size() && is_stdin_path(words[k + 1]) ? std::optional(w) : std::nullopt;
  if (!is_shell(w) && !is_interpreter(w)) return std::nullopt;
  if (through_runner || reads_script_from_input(words, k)) return w;
  return std::nullopt;
}

// The program of a finished simple command that reads its standard input as code (a shell or
// interpreter given no script, `source /dev/stdin`, eval, which can read input only through a
// substitution, at/batch/parallel/ssh, or a shell a runner such as xargs, sudo or docker
// starts), as written; nullopt for any other.
std::optional<std::string> input_reader(const std::vector<std::string>& words) {
  for (std::size_t k = 0; k < words.size(); ++k) {
    const std::string_view name = base_name(words[k]);
    if (is_runner(name)) {
      // A shell anywhere after a runner: its options are the runner's business.
      for (std::size_t j = k + 1; j < words.size(); ++j)
        if (is_shell(words[j]) || is_interpreter(words[j]))
          return reader_at(words, j, name == "xargs");
      return std::nullopt;
    }
    if (is_name_prefix(words[k]) || is_wrapper(words[k])) continue;
    return reader_at(words, k, false);
  }
  return std::nullopt;
}

std::string input_code(const std::string& reader) {
  return "is in text that " + reader +
         " reads from its input and runs as code (a here-document, here-string or pipe into "
         "it), so the value would run; read the environment variable in that code instead: "
         "\"$VAR\" inside a quoted here-document (<<'EOF') or single quotes for a shell";
}

// A reserved word that opens (+1) or closes (-1) a compound command, which a pipe may follow.
int group_change(std::string_view word) {
  for (std::string_view w : {"{", "if", "while", "until", "for", "case", "select"})
    if (word == w) return 1;
  for (std::string_view w : {"}", "fi", "done", "esac"})
    if (word == w) return -1;
  return 0;
}

}  // namespace

void ShellScan::feed(std::string_view text) {
  for (std::size_t i = 0; i < text.size(); ++i) i += step(text, i);
}

void ShellScan::finish() {
  if (m_in_body) return;  // its pipeline was judged at the newline before the body
  for (std::size_t i = m_stack.size(); i-- > 0;) {
    const Frame k = m_stack[i].kind;
    if (k == Frame::command || k == Frame::subst || k == Frame::backquote) {
      if (i + 1 == m_stack.size()) end_word();
      judge_input(m_stack[i]);
    }
  }
}

void ShellScan::placeholder() {
  const std::size_t id = m_placeholders++;
  m_dollar = false;
  if (!m_in_body) {
    if (commandlike()) m_stack.back().in_word = true;
    note_placeholder(id, m_stack.size());
    return;
  }
  m_line += "x";
  const Heredoc& doc = m_pending.front();
  note_placeholder(id, doc.level);
  if (doc.level < m_stack.size() && m_stack[doc.level].pipeline == doc.pipeline)
    m_stack[doc.level].upstream.push_back(id);  // the pipeline goes on after the body
}

// Placeholder `id` stands in the current words of the first `levels` levels of the stack.
void ShellScan::note_placeholder(std::size_t id, std::size_t levels) {
  for (std::size_t i = 0; i < levels && i < m_stack.size(); ++i) {
    Level& level = m_stack[i];
    const Frame k = level.kind;
    if (k != Frame::command && k != Frame::subst && k != Frame::backquote) continue;
    level.stage.push_back(id);
    if (level.herestring) level.input.push_back(id);
  }
}

void ShellScan::refuse(std::size_t placeholder, std::string why) {
  for (const auto& [id, reason] : m_refused)
    if (id == placeholder) return;
  m_refused.emplace_back(placeholder, std::move(why));
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
  level.pipeline = ++m_pipelines;
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
    if (c != '\n') return 0;
    m_comment = false;
    return command_char(s, i);
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
      return c == '$' ? dollar(s, i) : dq_char(c);
    case Frame::param:
      return param_char(s, i);
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

std::size_t ShellScan::dq_char(char c) {
  if (c == '\\')
    m_escape = true;
  else if (c == '"')
    m_stack.pop_back();
  else if (c == '`')
    push(Frame::backquote);
  return 0;
}

std::size_t ShellScan::param_char(std::string_view s, std::size_t i) {
  const char c = s[i];
  Level& top = m_stack.back();
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
    case '#':
      if (top.in_word) break;
      m_comment = true;
      return 0;
    case '<':
      return redirect_char(s, i);
    case ';':
    case '&':
    case '|':
    case '(':
    case ')':
    case '`':
    case '\n':
      return operator_char(s, i);
    default:
      break;
  }
  top.word += c;
  top.in_word = true;
  return 0;
}

// The operators that end a simple command: ; & && | || |& ( ) ` and a newline. `>&` and `>|`
// belong to a redirection.
std::size_t ShellScan::operator_char(std::string_view s, std::size_t i) {
  const char c = s[i];
  Level& top = m_stack.back();
  const char next = i + 1 < s.size() ? s[i + 1] : '\0';
  const bool redirect = !top.word.empty() && (top.word.back() == '>' || top.word.back() == '<');
  if ((c == '&' || c == '|') && (redirect || (c == '&' && next == '>'))) {
    top.word += c;
    top.in_word = true;
    return 0;
  }
  switch (c) {
    case '|':
      if (next == '|') {
        end_command(End::list);
        return 1;
      }
      end_command(End::pipe);
      return next == '&' ? 1 : 0;
    case '(':
      end_command(End::group);
      ++top.groups;
      if (next == '(') {  // (( … )): bash's arithmetic command
        push(Frame::arith, 2);
        return 1;
      }
      ++top.depth;
      return 0;
    case ')':
      end_command(End::group);
      top.groups = std::max(0, top.groups - 1);
      if (top.kind == Frame::subst && top.depth == 0)
        m_stack.pop_back();
      else
        --top.depth;
      return 0;
    case '`':
      if (top.kind != Frame::backquote) {
        push(Frame::backquote);
        return 0;
      }
      end_command();
      m_stack.pop_back();
      return 0;
    case '\n':
      end_command();
      if (!m_pending.empty()) m_in_body = true;
      return 0;
    default:  // ; & &&
      end_command();
      return next == '&' ? 1 : 0;
  }
}

// << starts a here-document's delimiter, <<- one whose body may be indented with tabs, <<< a
// here-string (the next word is the command's input).
std::size_t ShellScan::redirect_char(std::string_view s, std::size_t i) {
  Level& top = m_stack.back();
  if (i + 1 >= s.size() || s[i + 1] != '<') {
    top.word += '<';
    top.in_word = true;
    return 0;
  }
  if (!top.word.empty() && std::all_of(top.word.begin(), top.word.end(), [](char c) {
        return std::isdigit(static_cast<unsigned char>(c));
      })) {  // 0<<EOF: the descriptor's number, not a word
    top.word.clear();
    top.in_word = false;
  }
  end_word();
  if (i + 2 < s.size() && s[i + 2] == '<') {
    top.herestring = true;
    return 2;
  }
  m_next = Heredoc{};
  m_next.strip_tabs = i + 2 < s.size() && s[i + 2] == '-';
  m_next.level = m_stack.size() - 1;
  m_next.pipeline = top.pipeline;
  m_delimiter = 1;
  return m_next.strip_tabs ? 2 : 1;
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
  if (top.herestring) {  // the command's input, not one of its words
    top.herestring = false;
  } else {
    note_word(top);
    top.words.push_back(std::move(top.word));
  }
  top.word.clear();
  top.in_word = false;
  top.pipe_open = false;
}

// What the finished word `top.word` makes of the command.
void ShellScan::note_word(Level& top) {
  // The command's name is its first word that is not an assignment, reserved word or prefix.
  const bool named = std::any_of(top.words.begin(), top.words.end(),
                                 [](const std::string& w) { return !is_name_prefix(w); });
  if (!named &&
      (top.word == "eval" || top.word == "ssh" || top.word == "trap" || top.word == "alias"))
    top.all_code = true;
  if (!named && (top.word == "let" || top.word == "[[")) top.arithmetic = true;
  if (!named) top.groups = std::max(0, top.groups + group_change(top.word));
  if (top.word == "]]") top.arithmetic = false;
  const bool shell = std::any_of(top.words.begin(), top.words.end(),
                                 [](const std::string& w) { return is_shell(w); });
  const bool interpreter = std::any_of(top.words.begin(), top.words.end(),
                                       [](const std::string& w) { return is_interpreter(w); });
  const bool script_option = (shell && is_script_option(top.word)) ||
                             (interpreter && (top.word == "-c" || top.word == "-e" ||
                                              top.word == "-E" || top.word == "-r"));
  if (top.script_word == SIZE_MAX && script_option) top.script_word = top.words.size() + 1;
}

void ShellScan::end_command(End end) {
  end_word();
  Level& top = m_stack.back();
  if (end == End::list && top.pipe_open) return;  // `a |` then a newline: the pipeline goes on
  judge_input(top);
  top.upstream.insert(top.upstream.end(), top.stage.begin(), top.stage.end());
  if (end == End::list && top.groups == 0) {
    top.upstream.clear();
    top.pipeline = ++m_pipelines;
  }
  top.pipe_open = end == End::pipe;
  top.stage.clear();
  top.input.clear();
  top.words.clear();
  top.all_code = false;
  top.arithmetic = false;
  top.script_word = SIZE_MAX;
}

// The simple command just read: when it reads its input as code, what flows into it is refused —
// its here-strings, what the pipeline's earlier stages printed, and its pipeline's here-documents.
void ShellScan::judge_input(Level& top) {
  const auto reader = input_reader(top.words);
  if (!reader) return;
  for (std::size_t id : top.upstream) refuse(id, input_code(*reader));
  for (std::size_t id : top.input) refuse(id, input_code(*reader));
  const auto level = static_cast<std::size_t>(&top - m_stack.data());
  for (Heredoc& doc : m_pending)
    if (doc.level == level && doc.pipeline == top.pipeline && doc.reader.empty())
      doc.reader = *reader;
}

// The first enclosing level where text is run as code, or evaluated as arithmetic.
std::optional<std::string> ShellScan::enclosing_code() const {
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
  return std::nullopt;
}

std::variant<PlaceholderContext, std::string> ShellScan::body_context() const {
  const Heredoc& doc = m_pending.front();
  if (!doc.reader.empty()) return input_code(doc.reader);
  if (auto code = enclosing_code()) return *code;
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
  if (auto code = enclosing_code()) return *code;
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
