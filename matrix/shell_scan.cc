#include "matrix/shell_scan.h"

#include <algorithm>
#include <cctype>
#include <cstdint>

#include "matrix/shell_programs.h"

namespace faultline::matrix {

namespace {

// What a placeholder's value stands as in the words read: text no program name or option has.
constexpr char k_value_mark = '\x01';

// What refusals say; "$VAR" is the placeholder's environment variable.
std::string input_code(const std::string& reader) {
  return "is in text that " + reader +
         " reads from its input and runs as code (a here-document, here-string or pipe into "
         "it), so the value would run; read the environment variable in that code instead: "
         "\"$VAR\" inside a quoted here-document (<<'EOF') or single quotes for a shell";
}

std::string file_code(const std::string& reader) {
  return "is in text that " + reader +
         " reads as code from a process substitution (<(…)), so the value would run; read the "
         "environment variable in that code instead (\"$VAR\" for a shell)";
}

const std::string k_run_again =
    "is in text that is run as code again (eval, sh -c, python -c, ssh, trap), so the value would "
    "be read as code; read the environment variable inside that code instead (\"$VAR\" for a "
    "shell)";

std::string program_code(const std::string& program) {
  return "is in the program text of " + program + ", which " + program +
         " runs as code (a value can add commands to it: sed's e and awk's system() run shell "
         "commands), so the value would run; pass the value as data instead, as in awk -v "
         "v=\"$VAR\" '{ print v }'";
}

std::string command_line_code(const std::string& program) {
  return "is in a command line that " + program +
         " splits into words and runs (env -S), so the value could name the program or add "
         "words and options to it; pass the value as an argument after that command line "
         "instead";
}

const std::string k_git_setting =
    "is in a git -c setting, which git may run as a shell command (alias.NAME=!…, core.pager, "
    "core.sshCommand, diff.external, …), so the value could run; pass the value as an argument "
    "of the git command instead";

const std::string k_variable_name =
    "is in a variable's name or array subscript (read NAME, printf -v NAME, declare NAME, unset, "
    "test -v, a[…]=), where bash evaluates the subscript as arithmetic and runs commands found in "
    "it (a[$(…)]), so the value would run; use a fixed name and give the value as the variable's "
    "value";

const std::string k_evaluated_value =
    "is in the value of a variable declared -i, -n, -a or -A, which bash evaluates as arithmetic, "
    "a name or a list of [subscript]=value, and runs commands found in it (a[$(…)]), so the value "
    "would run; assign it to a plain variable (checked to be a number where one is needed)";

// `NAME[…` (or a compound array's `[…`) with its `]` still to come: an array subscript.
bool in_subscript(std::string_view word) {
  std::size_t i = 0;
  while (i < word.size() && (word[i] == '_' || std::isalnum(static_cast<unsigned char>(word[i]))))
    ++i;
  return i < word.size() && word[i] == '[' && word.find(']', i) == std::string_view::npos &&
         (i == 0 || !std::isdigit(static_cast<unsigned char>(word[0])));
}

// The variable `NAME=` or `NAME+=` assigns.
std::string_view assigned_name(std::string_view word) {
  const std::size_t eq = word.find('=');
  if (eq == std::string_view::npos) return {};
  return word.substr(0, eq > 0 && word[eq - 1] == '+' ? eq - 1 : eq);
}

// Variables whose value a shell or program runs as code, or expands again (bash(1) PROMPT_COMMAND,
// BASH_ENV, ENV, PS0–PS4; git(1) GIT_*; less(1) LESSOPEN; perlrun PERL5OPT; node NODE_OPTIONS).
bool runs_variable(std::string_view name) {
  for (std::string_view v : {"PROMPT_COMMAND",
                             "BASH_ENV",
                             "ENV",
                             "PS0",
                             "PS1",
                             "PS2",
                             "PS4",
                             "GIT_SSH_COMMAND",
                             "GIT_EDITOR",
                             "GIT_SEQUENCE_EDITOR",
                             "GIT_PAGER",
                             "GIT_EXTERNAL_DIFF",
                             "EDITOR",
                             "VISUAL",
                             "PAGER",
                             "MANPAGER",
                             "FCEDIT",
                             "LESSOPEN",
                             "LESSCLOSE",
                             "PERL5OPT",
                             "PERL5DB",
                             "RUBYOPT",
                             "NODE_OPTIONS"})
    if (name == v) return true;
  return false;
}

// The variable the word being read assigns, when that variable runs its value: an assignment
// before a command or alone, or an argument of export, declare, env and the like.
std::string code_variable(const std::vector<std::string>& words, std::string_view word) {
  const std::size_t eq = word.find('=');
  if (eq == std::string_view::npos || !runs_variable(word.substr(0, eq))) return "";
  for (const std::string& w : words) {
    if (is_name_prefix(w)) continue;
    for (std::string_view c : {"export", "declare", "typeset", "local", "readonly", "env", "sudo"})
      if (w == c) return std::string(word.substr(0, eq));
    return "";
  }
  return std::string(word.substr(0, eq));
}

// `exec` with no command after it, only redirections (and prefixes before it).
bool is_bare_exec(const std::vector<std::string>& words) {
  bool exec = false;
  for (std::size_t j = 0; j < words.size(); ++j) {
    const std::string& w = words[j];
    if (!exec && w == "exec") {
      exec = true;
    } else if (!w.empty() &&
               (std::isdigit(static_cast<unsigned char>(w[0])) || w[0] == '<' || w[0] == '>')) {
      j += w.find_first_not_of("0123456789<>&|") == std::string::npos &&
           !std::isdigit(static_cast<unsigned char>(w.back()));  // `>` then its file; not 2>&1
    } else if (exec || !is_name_prefix(w)) {
      return false;
    }
  }
  return exec;
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
    if (is_command(m_stack[i].kind)) {
      if (i + 1 == m_stack.size()) end_word();
      judge_input(m_stack[i]);
    }
  }
}

void ShellScan::placeholder() {
  const std::size_t id = m_placeholders++;
  m_dollar = false;
  if (!m_in_body) {
    // The value is text of the word (quoted, as its reference is): `-i{{ x }}` is an option
    // with its argument attached, not a bare `-i` taking the next word.
    quoted_text(k_value_mark);
    if (commandlike()) m_stack.back().in_word = true;
    note_placeholder(id, m_stack.size());
    return;
  }
  m_line += "x";
  const Heredoc& doc = m_pending.front();
  note_placeholder(id, doc.level);
  if (doc.level < m_stack.size()) m_stack[doc.level].inside.push_back(id);
  if (doc.level < m_stack.size() && m_stack[doc.level].pipeline == doc.pipeline)
    m_stack[doc.level].upstream.push_back(id);  // the pipeline goes on after the body
  if (doc.level < m_stack.size() && doc.exec) m_stack[doc.level].exec_input.push_back(id);
  if (doc.level < m_stack.size() && !m_stack[doc.level].exec_output.empty())
    refuse(id, input_code(m_stack[doc.level].exec_output));
}

// Placeholder `id` stands in the current words of the first `levels` levels of the stack.
void ShellScan::note_placeholder(std::size_t id, std::size_t levels) {
  for (std::size_t i = 0; i < levels && i < m_stack.size(); ++i) {
    Level& level = m_stack[i];
    if (!is_command(level.kind)) continue;
    level.stage.push_back(id);
    level.inside.push_back(id);
    level.word_ids.push_back(id);
    if (level.herestring) level.input.push_back(id);
  }
}

void ShellScan::refuse(std::size_t placeholder, std::string why) {
  for (const auto& [id, reason] : m_refused)
    if (id == placeholder) return;
  m_refused.emplace_back(placeholder, std::move(why));
}

void ShellScan::refuse_all(const std::vector<std::size_t>& ids, const std::string& why) {
  for (std::size_t id : ids) refuse(id, why);
}

bool ShellScan::is_command(Frame kind) {
  return kind == Frame::command || kind == Frame::subst || kind == Frame::backquote ||
         kind == Frame::in_subst || kind == Frame::out_subst;
}

bool ShellScan::commandlike() const { return is_command(m_stack.back().kind); }

void ShellScan::push(Frame kind, int depth) {
  if (commandlike()) m_stack.back().in_word = true;
  if (kind == Frame::in_subst || kind == Frame::out_subst)
    m_stack.back().word += "/dev/fd/63";  // the name bash gives the command
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
      m_stack.back().quoted_end = true;
    } else if (c != '\n') {
      quoted_text(c);
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
      if (c == '\'')
        m_stack.pop_back();
      else
        quoted_text(c);
      return 0;
    case Frame::ansi_sq:
      if (c == '\\')
        m_escape = true;
      else if (c == '\'')
        m_stack.pop_back();
      else
        quoted_text(c);
      return 0;
    case Frame::dq:
      return c == '$' ? dollar(s, i) : dq_char(c);
    case Frame::param:
      return param_char(s, i);
    case Frame::arith:
      if (c == (top.brackets ? '[' : '('))
        ++top.depth;
      else if (c == (top.brackets ? ']' : ')') && --top.depth == 0)
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
  else
    quoted_text(c);
  return 0;
}

// A character of a quoted part of a word, or of a parameter's name: the shell removes the quotes,
// so `"sh" -c` runs sh and `"$SHELL"` names the variable; it joins the word of the command below.
void ShellScan::quoted_text(char c) {
  for (std::size_t i = m_stack.size(); i-- > 0;) {
    Level& level = m_stack[i];
    if (is_command(level.kind)) {
      level.word += c;
      level.in_word = true;
      level.quoted_end = true;
      return;
    }
    if (level.kind == Frame::arith) return;
  }
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
  else if (std::isalnum(static_cast<unsigned char>(c)) || c == '_')
    quoted_text(c);
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
  if (next == '[') {  // $[ … ]: bash's older spelling of $(( … ))
    push(Frame::arith, 1);
    m_stack.back().brackets = true;
    return 1;
  }
  if (next == '{') {
    quoted_text('$');  // ${SHELL} is written $SHELL in the word
    push(Frame::param);
    return 1;
  }
  if (next == '\'' && commandlike()) {
    push(Frame::ansi_sq);
    return 1;
  }
  if (commandlike()) m_stack.back().in_word = true;
  if (std::isalpha(static_cast<unsigned char>(next)) || next == '_') quoted_text('$');  // $SHELL
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
    case '>':
      if (i + 1 < s.size() && s[i + 1] == '(') {
        push(Frame::out_subst);
        return 1;
      }
      break;
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
  top.quoted_end = false;
  return 0;
}

// The operators that end a simple command: ; & && | || |& ( ) ` and a newline. `>&` and `>|`
// belong to a redirection.
std::size_t ShellScan::operator_char(std::string_view s, std::size_t i) {
  if (!m_stack.back().cases.empty() && s[i] != '`') return case_char(s, i);
  return list_char(s, i);
}

std::size_t ShellScan::list_char(std::string_view s, std::size_t i) {
  const char c = s[i];
  Level& top = m_stack.back();
  const char next = i + 1 < s.size() ? s[i + 1] : '\0';
  const bool redirect =
      !top.word.empty() && !top.quoted_end && (top.word.back() == '>' || top.word.back() == '<');
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
      open_group(m_stack.back());
      if (next == '(') {  // (( … )): bash's arithmetic command
        push(Frame::arith, 2);
        return 1;
      }
      ++top.depth;
      return 0;
    case ')':
      end_command(End::group);
      close_group(m_stack.back());
      if (top.kind != Frame::command && top.kind != Frame::backquote && top.depth == 0)
        close_subst();
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

// `$(…)`, `<(…)` or `>(…)` ends: what <(…) printed flows into the word that names it; a >(…)
// that runs its input as code makes code of what the command writes.
void ShellScan::close_subst() {
  Level inner = std::move(m_stack.back());
  m_stack.pop_back();
  Level& outer = m_stack.back();
  if (inner.kind == Frame::in_subst)
    outer.word_flow.insert(outer.word_flow.end(), inner.inside.begin(), inner.inside.end());
  if (inner.kind == Frame::out_subst && outer.output_reader.empty())
    outer.output_reader = inner.reads_input;
}

// Inside a `case`, outside the commands of its items: patterns are words, `(` may open one,
// `|` separates them and `)` ends the list. In the commands, `;;`, `;&` and `;;&` end an item.
std::size_t ShellScan::case_char(std::string_view s, std::size_t i) {
  Level& top = m_stack.back();
  const char c = s[i];
  const char next = i + 1 < s.size() ? s[i + 1] : '\0';
  if (top.cases.back() == Case::body) {
    const std::size_t used = list_char(s, i);
    if (c != ';' || (next != ';' && next != '&')) return used;
    m_stack.back().cases.back() = Case::pattern;
    if (next == '&') return used;
    return i + 2 < s.size() && s[i + 2] == '&' ? 2 : 1;  // ;;& or ;;
  }
  end_word();  // `esac)`: the case ends, and the `)` belongs to what holds it
  if (top.cases.empty() || top.cases.back() == Case::body) return operator_char(s, i);
  if (c == ')' && top.cases.back() == Case::pattern) {
    top.cases.back() = Case::body;
    top.words.clear();
    top.flows.clear();
    top.ids.clear();
    top.ids.clear();
  }
  return 0;
}

// A finished word while a `case` is read: true when it belongs to the case, not a command.
bool ShellScan::case_word(Level& top) {
  const bool named = std::any_of(top.words.begin(), top.words.end(),
                                 [](const std::string& w) { return !is_name_prefix(w); });
  if (top.word == "case" && !named && (top.cases.empty() || top.cases.back() == Case::body)) {
    top.cases.push_back(Case::subject);
    open_group(top);
    return true;
  }
  if (top.cases.empty()) return false;
  Case& state = top.cases.back();
  if (state == Case::body && (named || top.word != "esac")) return false;
  if (state == Case::subject) {
    state = Case::in;
  } else if (state == Case::in) {
    if (top.word == "in") state = Case::pattern;
  } else if (top.word == "esac") {
    top.cases.pop_back();
    close_group(top);
    top.words.clear();
    top.flows.clear();
    top.ids.clear();
    top.ids.clear();
  }
  return true;
}

// << starts a here-document's delimiter, <<- one whose body may be indented with tabs, <<< a
// here-string (the next word is the command's input).
std::size_t ShellScan::redirect_char(std::string_view s, std::size_t i) {
  Level& top = m_stack.back();
  if (i + 1 < s.size() && s[i + 1] == '(') {
    push(Frame::in_subst);
    return 1;
  }
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
    top.input.insert(top.input.end(), top.word_flow.begin(), top.word_flow.end());
  } else if (!case_word(top)) {
    note_word(top);
    top.words.push_back(std::move(top.word));
    top.flows.push_back(std::move(top.word_flow));
    top.ids.push_back(std::move(top.word_ids));
  }
  top.word.clear();
  top.word_flow.clear();
  top.word_ids.clear();
  top.in_word = false;
  top.quoted_end = false;
  top.pipe_open = false;
}

// What the finished word `top.word` makes of the command.
void ShellScan::note_word(Level& top) {
  // The command's name is its first word that is not an assignment, reserved word or prefix.
  const bool named = std::any_of(top.words.begin(), top.words.end(),
                                 [](const std::string& w) { return !is_name_prefix(w); });
  if (!named && (top.word == "eval" || top.word == "trap" || top.word == "alias"))
    top.all_code = true;
  if (!named && (top.word == "let" || top.word == "[[")) top.arithmetic = true;
  const int change = named || top.word == "case" ? 0 : group_change(top.word);
  if (change > 0) open_group(top);
  if (change < 0) close_group(top);
  if (top.word == "]]") top.arithmetic = false;
}

void ShellScan::open_group(Level& top) {
  ++top.groups;
  top.group_readers.emplace_back();
}

// A compound command ends: the redirections after its last word feed every command in it, so a
// program in it that runs its input makes code of them (`{ sh; } <<< …`, `(sh) <<EOF`).
void ShellScan::close_group(Level& top) {
  if (top.groups == 0) return;
  --top.groups;
  top.closed_reader = top.group_readers.back();
  top.group_readers.pop_back();
  if (!top.group_readers.empty() && top.group_readers.back().empty())
    top.group_readers.back() = top.closed_reader;
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
  top.flows.clear();
  top.ids.clear();
  top.output_reader.clear();
  top.closed_reader.clear();
  top.all_code = false;
  top.arithmetic = false;
}

// The simple command just read: when it reads its input as code, what flows into it is refused —
// its here-strings, what the pipeline's earlier stages printed, what a `<` redirection reads,
// and its pipeline's here-documents; so is what a <(…) that names a file it reads as code
// printed, and all the command writes into a >(…) that runs its input.
void ShellScan::judge_input(Level& top) {
  const CommandCode code = command_code(top.words);
  for (std::size_t j = 0; code.integers && j < top.words.size(); ++j)
    if (code.roles[j] == WordRole::evaluated) {
      const std::string_view name = assigned_name(top.words[j]);
      m_integers.emplace(name.empty() ? std::string_view(top.words[j]) : name);
    }
  for (std::size_t j = 0; j < top.words.size() && j < top.flows.size(); ++j)
    if (code.roles[j] == WordRole::code_file) refuse_all(top.flows[j], file_code(code.program));
  for (std::size_t j = 0; code.permutes && j < top.words.size() && j < top.ids.size(); ++j)
    if (code.roles[j] == WordRole::program) refuse_all(top.ids[j], program_code(code.program));
  std::string reader = code.reads_input_as_code ? code.program : "";
  if (!top.output_reader.empty()) {
    reader = top.output_reader;
    refuse_all(top.stage, input_code(reader));
    for (const auto& flow : top.flows) refuse_all(flow, input_code(reader));
  }
  if (!top.exec_output.empty()) refuse_all(top.stage, input_code(top.exec_output));
  if (!reader.empty() && !top.group_readers.empty() && top.group_readers.back().empty())
    top.group_readers.back() = reader;
  if (reader.empty()) reader = top.closed_reader;
  if (is_bare_exec(top.words)) return judge_exec(top);
  if (reader.empty()) return;
  if (top.kind == Frame::out_subst && top.reads_input.empty()) top.reads_input = reader;
  refuse_all(top.upstream, input_code(reader));
  refuse_all(top.input, input_code(reader));
  refuse_all(top.exec_input, input_code(reader));
  for (std::size_t j : code.input_from)
    if (j < top.flows.size()) refuse_all(top.flows[j], input_code(reader));
  const auto level = static_cast<std::size_t>(&top - m_stack.data());
  for (Heredoc& doc : m_pending)
    if (doc.level == level && doc.pipeline == top.pipeline && doc.reader.empty())
      doc.reader = reader;
}

// `exec` with only redirections: they stay for the rest of the shell. Output into a >(…) that
// runs it makes code of all that follows; input (a here-string, here-document or `<` file) is
// what every later command reads.
void ShellScan::judge_exec(Level& top) {
  if (!top.output_reader.empty() && top.exec_output.empty()) top.exec_output = top.output_reader;
  top.exec_input.insert(top.exec_input.end(), top.input.begin(), top.input.end());
  for (std::size_t j : command_code(top.words).input_from)
    if (j < top.flows.size())
      top.exec_input.insert(top.exec_input.end(), top.flows[j].begin(), top.flows[j].end());
  const auto level = static_cast<std::size_t>(&top - m_stack.data());
  for (Heredoc& doc : m_pending)
    if (doc.level == level && doc.pipeline == top.pipeline) doc.exec = true;
}

// A placeholder in an assignment before the command's name (or alone): in an array subscript
// (`a[{{ x }}]=1`, `a=([{{ x }}]=1)`), or in the value of a variable declared an integer.
std::optional<std::string> ShellScan::assignment_code(const Level& level) const {
  if (!level.in_word || std::any_of(level.words.begin(), level.words.end(),
                                    [](const std::string& w) { return !is_name_prefix(w); }))
    return std::nullopt;
  const std::string_view name = assigned_name(level.word);
  if (in_subscript(name.empty() ? std::string_view(level.word) : name)) return k_variable_name;
  if (!name.empty() && m_integers.count(std::string(name))) return k_evaluated_value;
  return std::nullopt;
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
    if (!is_command(level.kind)) continue;
    if (level.all_code) return k_run_again;
    if (const std::string v = level.in_word ? code_variable(level.words, level.word) : "";
        !v.empty())
      return "is in the value of " + v +
             ", which the shell or a program runs as code or expands "
             "again, so the value would run; set " +
             v +
             " to fixed text that reads the "
             "environment variable instead (\"$VAR\" inside single quotes)";
    if (auto why = assignment_code(level)) return why;
    std::vector<std::string> words = level.words;
    if (level.in_word) words.push_back(level.word);
    const CommandCode code = command_code(words, level.in_word);
    const WordRole role = code.roles[level.words.size()];
    if (role == WordRole::variable) return k_variable_name;
    if (role == WordRole::declared || role == WordRole::evaluated) {
      const std::string_view name =
          assigned_name(level.in_word ? std::string_view(level.word) : std::string_view());
      if (name.empty() || in_subscript(name)) return k_variable_name;
      if (role == WordRole::evaluated || m_integers.count(std::string(name)))
        return k_evaluated_value;
    }
    if (code.tentative) continue;  // sed {{ x }} -e p: judged when the command ends
    if (role == WordRole::script) return k_run_again;
    if (role == WordRole::program) return program_code(code.program);
    if (role == WordRole::command_line) return command_line_code(code.program);
    if (role == WordRole::setting) return k_git_setting;
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

std::string ShellScan::option_reader() const {
  if (m_in_body || m_delimiter || m_comment) return "";
  for (std::size_t i = m_stack.size(); i-- > 0;) {
    const Level& level = m_stack[i];
    if (!is_command(level.kind)) continue;
    if (!level.word.empty() || level.herestring) return "";
    std::vector<std::string> words = level.words;
    words.emplace_back();
    return command_code(words, true).option_reader;
  }
  return "";
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
