#include "matrix/shell_programs.h"

#include <algorithm>
#include <cctype>
#include <optional>
#include <utility>

namespace faultline::matrix {

namespace {

constexpr std::size_t k_none = static_cast<std::size_t>(-1);

std::string_view base_name(std::string_view word) {
  const std::size_t slash = word.rfind('/');
  return slash == std::string_view::npos ? word : word.substr(slash + 1);
}

bool is_assignment(std::string_view word) {
  const std::size_t eq = word.find('=');
  return eq != std::string_view::npos && eq > 0 &&
         std::all_of(word.begin(), word.begin() + static_cast<std::ptrdiff_t>(eq), [](char c) {
           return c == '_' || std::isalnum(static_cast<unsigned char>(c));
         });
}

bool is_shell_name(std::string_view word) {
  for (std::string_view s : {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh"})
    if (base_name(word) == s) return true;
  return false;
}

bool is_stdin_path(std::string_view word) {
  return word == "-" || word == "/dev/stdin" || word == "/dev/fd/0" || word == "/proc/self/fd/0";
}

// Programs that run the program named among their arguments, with their own options and
// arguments before it: `env A=1 sh`, `timeout -s KILL 5 bash`, `nice -n 5 sh`, `busybox sh`.
bool is_wrapper(std::string_view word) {
  for (std::string_view w : {"env", "exec", "nohup", "nice", "timeout", "stdbuf", "setsid",
                             "busybox", "ionice", "chrt", "taskset"})
    if (word == w) return true;
  return false;
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

// Programs that always run what they read as shell commands: eval (through a substitution
// that reads the input), at and batch queue it, GNU parallel runs each line, ssh hands it to
// the remote shell.
bool runs_input(std::string_view name) {
  return name == "eval" || name == "at" || name == "batch" || name == "parallel" || name == "ssh";
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

// How a program other than a shell takes its code: option letters (clustered, as getopt
// reads them) and long options whose argument is code, a file of code or data; and what its
// first operand is when no option gave the program.
struct Language {
  std::vector<std::string_view> names;  // a name matches with a version after it: python3.11
  std::string_view code, files, args;   // letters: argument is code / a code file / data
  std::string_view attached;            // letters whose argument (maybe empty) is the rest
  std::string_view digits;              // letters followed by optional digits (perl -l0)
  std::vector<std::string_view> long_code, long_files, long_args;
  WordRole code_role = WordRole::script;
  WordRole first = WordRole::code_file;  // data: the operand is no program (su's user)
  bool input_by_default = true;          // given no program, it reads one from its input
};

// The programs whose code shell_scan follows, with their options (see the header for sources).
const std::vector<Language> k_languages = {
    {{"python"}, "c", "m", "WX", "", "", {}, {}, {}},
    {{"perl"}, "eE", "", "", "iIMmxCdD", "l0", {}, {}, {}},
    {{"ruby"}, "e", "", "IrCE", "ixFK", "0T", {}, {}, {}},
    {{"node", "nodejs"},
     "",
     "",
     "",
     "",
     "",
     {"--eval", "--print", "-e", "-p", "-pe"},
     {},
     {"--require", "--import", "--loader", "--experimental-loader", "--conditions", "--input-type",
      "--title", "-r", "-C"}},
    {{"php"}, "rBRE", "fF", "cdz", "", "", {}, {}, {}},
    {{"lua", "luajit"}, "e", "", "l", "", "", {}, {}, {}},
    {{"Rscript"}, "e", "", "", "", "", {}, {}, {}, WordRole::script, WordRole::code_file, false},
    {{"tclsh", "wish", "jimsh"}, "", "", "", "", "", {}, {}, {}},
    {{"awk", "gawk", "mawk", "nawk"},
     "e",
     "fiE",
     "vFl",
     "",
     "",
     {"--source"},
     {"--file", "--include", "--exec"},
     {"--assign", "--field-separator", "--load"},
     WordRole::program,
     WordRole::program,
     false},
    {{"sed", "gsed"},
     "e",
     "f",
     "l",
     "i",
     "",
     {"--expression"},
     {"--file"},
     {"--line-length"},
     WordRole::program,
     WordRole::program,
     false},
    {{"source", "."}, "", "", "", "", "", {}, {}, {}, WordRole::script, WordRole::code_file, false},
    {{"su"},
     "c",
     "",
     "sgGw",
     "",
     "",
     {"--command", "--session-command"},
     {},
     {"--shell", "--group", "--supp-group", "--whitelist-environment"},
     WordRole::script,
     WordRole::data,
     true},
};

// `python3`, `python3.11`, `/usr/bin/perl5.36`: the name, or the name and a version.
bool names(std::string_view word, std::string_view name) {
  word = base_name(word);
  if (word.substr(0, name.size()) != name) return false;
  return word.find_first_not_of("0123456789.", name.size()) == std::string_view::npos;
}

const Language* language_of(std::string_view word) {
  for (const Language& l : k_languages)
    for (std::string_view n : l.names)
      if (names(word, n)) return &l;
  return nullptr;
}

bool has(const std::vector<std::string_view>& list, std::string_view s);

// An option read whole: `--name`, `--name=value`, or one the language spells whole (node -pe).
bool is_long(std::string_view w, const Language& lang) {
  if (w.substr(0, 2) == "--") return true;
  const std::string_view option = w.substr(0, w.find('='));
  return has(lang.long_code, option) || has(lang.long_files, option) || has(lang.long_args, option);
}

bool has(std::string_view letters, char c) { return letters.find(c) != std::string_view::npos; }
bool has(const std::vector<std::string_view>& list, std::string_view s) {
  return std::find(list.begin(), list.end(), s) != list.end();
}

// Reads the words after a program's name, `words[name]`, as that program does.
class Reading {
 public:
  Reading(const std::vector<std::string>& words, bool last_partial, CommandCode& out)
      : m_words(words), m_partial(last_partial), m_out(out) {}

  void shell(std::size_t name);
  void language(std::size_t name, const Language& lang);

 private:
  // Gives words[j] a pending option's argument role, or skips a redirection; true when done.
  bool taken(std::size_t& j);
  void shell_option(std::string_view w);
  void long_option(std::size_t j, const Language& lang);
  void cluster(std::size_t j, const Language& lang);
  void argument(std::size_t j, std::string_view rest, WordRole role);

  const std::vector<std::string>& m_words;
  bool m_partial;
  CommandCode& m_out;
  std::optional<WordRole> m_pending;  // the role of the next word, an option's argument
  int m_skip = 0;                     // words that are arguments of options, for a shell's -o
  bool m_given = false;               // an option gave the program (-c, -e, -f, -m)
  bool m_stdin = false;               // the program comes from the input (-s, -, -f -)
  bool m_operand = false;             // the first operand has been read
};

bool Reading::taken(std::size_t& j) {
  if (m_pending) {
    m_out.roles[j] = *m_pending;
    if (*m_pending == WordRole::code_file && is_stdin_path(m_words[j])) m_stdin = true;
    m_pending.reset();
    return true;
  }
  if (m_skip > 0) {
    --m_skip;
    return true;
  }
  bool target = false;
  if (!is_redirection(m_words[j], &target)) return false;
  j += target;
  return true;
}

void Reading::shell_option(std::string_view w) {
  if (w == "--rcfile" || w == "--init-file") m_pending = WordRole::code_file;
  if (w.substr(0, 2) == "--") return;
  for (char c : w.substr(1)) {
    if (c == 'c') m_given = true;
    if (c == 's') m_stdin = true;
    if (c == 'o' || c == 'O') ++m_skip;
  }
}

// sh [options] [-c SCRIPT | -s | FILE | -] [ARG…]: -c makes the first operand the script, -s
// and no operand read it from the input, -o/-O take an option's name.
void Reading::shell(std::size_t name) {
  bool options = true;
  for (std::size_t j = name + 1; j < m_words.size(); ++j) {
    if (taken(j)) continue;
    const std::string& w = m_words[j];
    if (options && (w == "--" || w == "-")) {
      options = false;
    } else if (options && w.size() > 1 && (w[0] == '-' || w[0] == '+')) {
      shell_option(w);
    } else if (!m_operand) {
      options = false;
      m_operand = true;
      if (m_given) m_out.roles[j] = WordRole::script;
      if (!m_given && !m_stdin) m_out.roles[j] = WordRole::code_file;
      if (!m_given && !m_stdin && is_stdin_path(w)) m_stdin = true;
    }
  }
  WordRole next = m_given ? WordRole::script : m_stdin ? WordRole::data : WordRole::code_file;
  if (m_skip == 0) m_out.roles.back() = m_pending.value_or(m_operand ? WordRole::data : next);
  m_out.reads_input_as_code = !m_given && (m_stdin || !m_operand);
}

// An option's argument: the rest of its word, or the next word when the rest is empty.
void Reading::argument(std::size_t j, std::string_view rest, WordRole role) {
  if (role != WordRole::data) m_given = true;
  if (!rest.empty() || (m_partial && j + 1 == m_words.size())) {  // python3 -c{{ x }}
    m_out.roles[j] = role;
    if (role == WordRole::code_file && is_stdin_path(rest)) m_stdin = true;
  } else {
    m_pending = role;
  }
}

void Reading::long_option(std::size_t j, const Language& lang) {
  const std::string_view w = m_words[j];
  const std::size_t eq = w.find('=');
  const std::string_view option = w.substr(0, eq);
  const std::string_view rest = eq == std::string_view::npos ? "" : w.substr(eq + 1);
  if (has(lang.long_code, option)) argument(j, rest, lang.code_role);
  if (has(lang.long_files, option)) argument(j, rest, WordRole::code_file);
  if (has(lang.long_args, option) && eq == std::string_view::npos) m_pending = WordRole::data;
}

// -abc as getopt reads it: letters until one that takes an argument.
void Reading::cluster(std::size_t j, const Language& lang) {
  const std::string_view w = m_words[j];
  for (std::size_t i = 1; i < w.size(); ++i) {
    const char c = w[i];
    const std::string_view rest = w.substr(i + 1);
    if (has(lang.code, c)) return argument(j, rest, lang.code_role);
    if (has(lang.files, c)) return argument(j, rest, WordRole::code_file);
    if (has(lang.args, c)) return argument(j, rest, WordRole::data);
    if (has(lang.attached, c)) return;
    if (has(lang.digits, c))
      while (i + 1 < w.size() && std::isdigit(static_cast<unsigned char>(w[i + 1]))) ++i;
  }
  // A value that continues the letters (python3 -{{ x }}) may be a code option itself.
  if (m_partial && j + 1 == m_words.size() && (!lang.code.empty() || !lang.long_code.empty()))
    m_out.roles[j] = lang.code_role;
}

// PROGRAM [options] [SCRIPT | -] [ARG…], the options as `lang` has them.
void Reading::language(std::size_t name, const Language& lang) {
  bool options = true;
  for (std::size_t j = name + 1; j < m_words.size(); ++j) {
    if (taken(j)) continue;
    const std::string& w = m_words[j];
    if (options && w == "--") {
      options = false;
    } else if (options && w == "-" && !m_given && !(m_partial && j + 1 == m_words.size())) {
      options = false;
      m_stdin = m_operand = true;
    } else if (options && w[0] == '-') {
      if (is_long(w, lang))
        long_option(j, lang);
      else
        cluster(j, lang);
    } else if (!m_operand && !m_given) {
      options = lang.first == WordRole::data;  // su USER -c …
      m_operand = true;
      m_out.roles[j] = lang.first == WordRole::program ? lang.code_role : lang.first;
      if (lang.first == WordRole::code_file && is_stdin_path(w)) m_stdin = true;
    }
  }
  const bool open = !m_given && (!m_operand || lang.first == WordRole::data);
  const WordRole next = lang.first == WordRole::program ? lang.code_role : lang.first;
  m_out.roles.back() = m_pending.value_or(!m_given && !m_operand ? next : WordRole::data);
  m_out.reads_input_as_code = m_stdin || (open && lang.input_by_default);
}

// The index of the command's program (a shell, a language or a program that runs its input)
// and whether it is started by xargs, which feeds it the input as its words; k_none when the
// command runs nothing known.
std::pair<std::size_t, bool> program_index(const std::vector<std::string>& words) {
  for (std::size_t k = 0; k < words.size(); ++k) {
    bool target = false;
    if (is_redirection(words[k], &target)) {
      k += target;
      continue;
    }
    const std::string_view name = base_name(words[k]);
    if (is_runner(name) || is_wrapper(name)) {
      // A program anywhere after a runner or wrapper: their options are their business.
      for (std::size_t j = k + 1; j < words.size(); ++j)
        if (is_shell_name(words[j]) || language_of(words[j])) return {j, name == "xargs"};
      return {k_none, false};
    }
    if (is_name_prefix(words[k])) continue;
    return {k, false};
  }
  return {k_none, false};
}

// The words `<` (or `0<`) redirections read the input from.
void note_input_redirections(const std::vector<std::string>& words, CommandCode& out) {
  for (std::size_t j = 0; j + 1 < words.size(); ++j) {
    bool target = false;
    if (!is_redirection(words[j], &target) || !target) continue;
    if (words[j] == "<" || words[j] == "0<") out.input_from.push_back(j + 1);
    ++j;
  }
}

}  // namespace

bool is_name_prefix(std::string_view word) {
  if (is_assignment(word) || (word.size() > 1 && word[0] == '-')) return true;
  for (std::string_view w : {"!", "if", "then", "elif", "else", "while", "until", "do", "{", "time",
                             "command", "builtin"})
    if (word == w) return true;
  return word.size() > 2 && word.substr(word.size() - 2) == "()";  // f() { …
}

CommandCode command_code(const std::vector<std::string>& words, bool last_partial) {
  CommandCode out;
  out.roles.assign(words.size() + 1, WordRole::data);
  note_input_redirections(words, out);
  const auto [name, through_xargs] = program_index(words);
  if (name == k_none) return out;
  const std::string& program = words[name];
  Reading reading(words, last_partial, out);
  if (runs_input(base_name(program))) {
    out.reads_input_as_code = true;
  } else if (is_shell_name(program)) {
    reading.shell(name);
  } else if (const Language* lang = language_of(program)) {
    reading.language(name, *lang);
  } else {
    return out;
  }
  out.program = program;
  out.reads_input_as_code = out.reads_input_as_code || through_xargs;
  return out;
}

}  // namespace faultline::matrix
