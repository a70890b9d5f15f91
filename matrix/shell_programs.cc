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
  if (word == "$SHELL" || word == "$BASH" || word == "$CONFIG_SHELL") return true;  // "$SHELL" -c
  for (std::string_view s : {"sh", "bash", "dash", "zsh", "ksh", "mksh", "ash", "yash", "posh"})
    if (base_name(word) == s) return true;
  return false;
}

bool is_stdin_path(std::string_view word) {
  return word == "-" || word == "/dev/stdin" || word == "/dev/fd/0" || word == "/proc/self/fd/0";
}

// Programs that run another command, named somewhere among their arguments with options of
// their own that are not read here: `docker exec -i c sh`, `kubectl exec -i pod -- bash`,
// `chroot`-like namespace tools: any shell or language word after them is taken as the command
// (a refusal may be too wide there, never too narrow).
// So are the tools that run a program under a debugger, tracer, profiler, emulated environment
// or job launcher, as a crash-hunting matrix does (`valgrind sh -c …`, `setarch -R bash -c …`,
// `perf record -- python3 -c …`, `mpirun -n 2 sh -c …`, `cmake -E env sh -c …`).
bool is_runner(std::string_view word) {
  for (std::string_view w : {"docker",
                             "podman",
                             "nerdctl",
                             "kubectl",
                             "nsenter",
                             "unshare",
                             "runuser",
                             "setpriv",
                             "systemd-run",
                             "lxc-attach",
                             "schroot",
                             "valgrind",
                             "strace",
                             "ltrace",
                             "perf",
                             "rr",
                             "catchsegv",
                             "heaptrack",
                             "setarch",
                             "linux32",
                             "linux64",
                             "prlimit",
                             "numactl",
                             "cgexec",
                             "fakeroot",
                             "faketime",
                             "unbuffer",
                             "xvfb-run",
                             "dbus-run-session",
                             "ssh-agent",
                             "firejail",
                             "bwrap",
                             "proot",
                             "nsjail",
                             "systemd-nspawn",
                             "mpirun",
                             "mpiexec",
                             "srun",
                             "tini",
                             "dumb-init",
                             "gosu",
                             "su-exec",
                             "chpst",
                             "cmake",
                             "uv",
                             "poetry",
                             "pipenv",
                             "conda",
                             "direnv",
                             "pkexec"})
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
  bool permutes = false;  // GNU getopt: options may follow operands (sed FILE -e PROG), until --
  // Options whose argument is code the program compiles besides its script, which they do not
  // replace: perl -MMOD / -mMOD / -d:MOD become `use MOD;` and -F its split(/PAT/) (perlrun),
  // node --import / --loader take a data: URL (node --help). Letters take the rest of the word.
  std::string_view attached_code = "";
  std::vector<std::string_view> long_inline = {};
};

// The programs whose code shell_scan follows, with their options (see the header for sources).
const std::vector<Language> k_languages = {
    {{"python"}, "c", "m", "WX", "", "", {}, {}, {}},
    {{"perl"},
     "eE",
     "",
     "",
     "iIxCD",
     "l0",
     {},
     {},
     {},
     WordRole::script,
     WordRole::code_file,
     true,
     false,
     "MmdF"},
    {{"ruby"}, "e", "", "IrCE", "ixFK", "0T", {}, {}, {}},
    {{"node", "nodejs"},
     "",
     "",
     "",
     "",
     "",
     {"--eval", "--print", "-e", "-p", "-pe"},
     {},
     {"--require", "--conditions", "--input-type", "--title", "-r", "-C"},
     WordRole::script,
     WordRole::code_file,
     true,
     false,
     "",
     {"--import", "--loader", "--experimental-loader"}},
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
     false,
     true},
    {{"source", "."}, "", "", "", "", "", {}, {}, {}, WordRole::script, WordRole::code_file, false},
    // GNU make: --eval TEXT is makefile text ($(shell …) runs), -f FILE a makefile (-f - the
    // input); operands are targets and NAME=VALUE (make(1)).
    {{"make", "gmake"},
     "E",
     "f",
     "CIoWjl",
     "O",
     "",
     {"--eval"},
     {"--file", "--makefile"},
     {"--directory", "--include-dir", "--old-file", "--assume-old", "--what-if", "--new-file",
      "--assume-new"},
     WordRole::script,
     WordRole::data,
     false},
    // gdb and lldb run their own commands (`shell …`, `platform shell …`) from -ex / -o and
    // from -x / -s files; with no script they read commands from the input (gdb(1), lldb(1)).
    {{"gdb"},
     "",
     "",
     "",
     "",
     "",
     {"-ex", "--ex", "-eval-command", "--eval-command", "-iex", "--iex", "-init-eval-command",
      "--init-eval-command"},
     {"-x", "--x", "-command", "--command", "-ix", "--ix", "-init-command", "--init-command"},
     {"-p",
      "--pid",
      "-cd",
      "--cd",
      "-d",
      "--directory",
      "-s",
      "--symbols",
      "-e",
      "--exec",
      "-se",
      "-c",
      "--core",
      "-tty",
      "--tty",
      "-D",
      "--data-directory",
      "-b",
      "-l",
      "-i",
      "--interpreter"},
     WordRole::script,
     WordRole::data},
    {{"lldb"},
     "",
     "",
     "",
     "",
     "",
     {"-o", "--one-line", "-O", "--one-line-before-file", "-k", "--one-line-on-crash"},
     {"-s", "--source", "-S", "--source-before-file", "-K", "--source-on-crash"},
     {"-p", "--attach-pid", "-n", "--attach-name", "-c", "--core", "-a", "--arch", "-f", "--file",
      "-l", "--script-language"},
     WordRole::script,
     WordRole::data},
    // Editors run in scripts: emacs --eval (Lisp), vim -c / --cmd (Ex commands, `!` runs a shell).
    {{"emacs"},
     "",
     "",
     "",
     "",
     "",
     {"--eval", "-eval", "--execute"},
     {"-l", "--load", "--script", "-scriptload"},
     {"-f", "--funcall", "-L", "--directory", "--chdir"},
     WordRole::script,
     WordRole::data,
     false},
    {{"vim", "vi", "nvim", "ex", "view"},
     "",
     "",
     "",
     "",
     "",
     {"-c", "--cmd"},
     {"-S", "-u"},
     {"-s", "-w", "-W", "-T", "-i", "-t", "-q", "-r"},
     WordRole::script,
     WordRole::data,
     false},
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

// Whether an option anywhere before `--` gives a permuting program its code (sed FILE -e PROG):
// then no operand is the program.
bool gives_program(const std::vector<std::string>& words, std::size_t name, const Language& lang) {
  for (std::size_t j = name + 1; j < words.size() && words[j] != "--"; ++j) {
    const std::string_view w = words[j];
    if (w.size() < 2 || w[0] != '-') continue;
    if (is_long(w, lang)) {
      const std::string_view option = w.substr(0, w.find('='));
      if (has(lang.long_code, option) || has(lang.long_files, option)) return true;
      j += has(lang.long_args, option) && option.size() == w.size();
      continue;
    }
    for (std::size_t i = 1; i < w.size(); ++i) {
      if (has(lang.code, w[i]) || has(lang.files, w[i])) return true;
      if (has(lang.attached, w[i])) break;
      if (has(lang.args, w[i])) {
        j += i + 1 == w.size();
        break;
      }
    }
  }
  return false;
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
  std::size_t m_first = k_none;       // the first operand's word
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
  if (has(lang.long_inline, option) && eq == std::string_view::npos) m_pending = lang.code_role;
  if (has(lang.long_inline, option) && eq != std::string_view::npos)
    m_out.roles[j] = lang.code_role;
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
    if (has(lang.attached_code, c)) {  // perl -MPOSIX: the rest, if any, is code
      if (!rest.empty() || (m_partial && j + 1 == m_words.size())) m_out.roles[j] = lang.code_role;
      return;
    }
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
  if (lang.permutes && gives_program(m_words, name, lang)) m_operand = true;
  for (std::size_t j = name + 1; j < m_words.size(); ++j) {
    if (taken(j)) continue;
    const std::string& w = m_words[j];
    if (options && m_partial && j + 1 == m_words.size() && w.empty())
      m_out.option_reader = m_words[name];
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
      options = options && (lang.first == WordRole::data || lang.permutes);  // su U -c, sed F -e P
      m_operand = true;
      m_first = j;
      m_out.roles[j] = lang.first == WordRole::program ? lang.code_role : lang.first;
      if (lang.first == WordRole::code_file && is_stdin_path(w)) m_stdin = true;
    }
  }
  m_out.permutes = lang.permutes;
  m_out.tentative =
      lang.permutes && !m_given && !m_pending &&
      (!m_operand || (m_partial && m_out.roles[m_words.size() - 1] != WordRole::data &&
                      m_words.size() - 1 == m_first));
  const bool open = !m_given && (!m_operand || lang.first == WordRole::data);
  const WordRole next = lang.first == WordRole::program ? lang.code_role : lang.first;
  m_out.roles.back() = m_pending.value_or(!m_given && !m_operand ? next : WordRole::data);
  m_out.reads_input_as_code = m_stdin || (open && lang.input_by_default);
}

// What an option of a launcher does: nothing more (flag), take an argument in its word or the
// next (arg), take one only in its word (attached), say no command runs (none: command -v,
// sudo -l), run the user's shell (shell: sudo -s), give a shell command as its argument
// (script: flock -c), give a command line the launcher splits itself (split: env -S), or run the
// command without a shell (direct: watch -x).
enum class Opt { flag, arg, attached, none, shell, script, split, direct };

// A program that runs a command named among its words, after options of its own that end at its
// first operand (getopt's '+'; none of these permute). Options as each manual has them: bash(1)
// exec, command, time; coreutils env, nice, nohup, timeout, stdbuf, chroot; GNU time; findutils
// xargs; sudo(8); doas(1); util-linux setsid, ionice, chrt, taskset, flock, script; procps watch.
struct Launcher {
  std::vector<std::string_view> names;
  std::vector<std::pair<std::string_view, Opt>> letters;  // letters by what they do; others: flag
  std::vector<std::pair<std::string_view, Opt>> longs;    // long options by what they do; idem
  std::size_t operands = 0;    // operands before the command: timeout's DURATION, chroot's NEWROOT
  bool assignments = false;    // NAME=VALUE words before the command (env, sudo)
  bool joins = false;          // runs its command's words joined as one shell command (watch)
  bool shell_alone = false;    // with no command (and no script), runs a shell reading its input
  bool options_after = false;  // options may follow its operands (flock FILE -c CMD, script)
};

constexpr std::size_t k_all = static_cast<std::size_t>(-2);  // every operand is data (script FILE)

const std::vector<Launcher> k_launchers = {
    {{"exec"}, {{"a", Opt::arg}}, {}},
    {{"command"}, {{"vV", Opt::none}}, {}},
    {{"builtin", "nohup", "setsid", "busybox"}, {}, {}},
    {{"time"}, {{"fo", Opt::arg}}, {{"--format", Opt::arg}, {"--output", Opt::arg}}},
    {{"nice"}, {{"n", Opt::arg}}, {{"--adjustment", Opt::arg}}},
    {{"env"},
     {{"uCP", Opt::arg}, {"S", Opt::split}},
     {{"--unset", Opt::arg}, {"--chdir", Opt::arg}, {"--split-string", Opt::split}},
     0,
     true},
    {{"timeout"}, {{"ks", Opt::arg}}, {{"--kill-after", Opt::arg}, {"--signal", Opt::arg}}, 1},
    {{"stdbuf"},
     {{"ioe", Opt::arg}},
     {{"--input", Opt::arg}, {"--output", Opt::arg}, {"--error", Opt::arg}}},
    {{"xargs"},
     {{"aEILnsPd", Opt::arg}, {"eil", Opt::attached}},
     {{"--arg-file", Opt::arg},
      {"--delimiter", Opt::arg},
      {"--max-args", Opt::arg},
      {"--max-procs", Opt::arg},
      {"--max-chars", Opt::arg},
      {"--process-slot-var", Opt::arg}}},
    {{"sudo"},
     {{"lVvKe", Opt::none}, {"aCcDgpRrTtUu", Opt::arg}, {"h", Opt::attached}, {"si", Opt::shell}},
     {{"--user", Opt::arg},
      {"--group", Opt::arg},
      {"--chdir", Opt::arg},
      {"--close-from", Opt::arg},
      {"--host", Opt::arg},
      {"--prompt", Opt::arg},
      {"--role", Opt::arg},
      {"--type", Opt::arg},
      {"--command-timeout", Opt::arg},
      {"--other-user", Opt::arg},
      {"--chroot", Opt::arg},
      {"--login-class", Opt::arg},
      {"--auth-type", Opt::arg},
      {"--shell", Opt::shell},
      {"--login", Opt::shell},
      {"--list", Opt::none},
      {"--version", Opt::none},
      {"--validate", Opt::none},
      {"--edit", Opt::none},
      {"--remove-timestamp", Opt::none}},
     0,
     true},
    {{"doas"}, {{"LC", Opt::none}, {"au", Opt::arg}, {"s", Opt::shell}}, {}},
    {{"ionice"}, {{"pPu", Opt::none}, {"cn", Opt::arg}}, {}},
    {{"chrt"}, {{"p", Opt::none}, {"TPD", Opt::arg}}, {}, 1},
    {{"taskset"}, {{"p", Opt::none}}, {}, 1},
    {{"flock"},
     {{"wE", Opt::arg}, {"c", Opt::script}},
     {{"--timeout", Opt::arg}, {"--conflict-exit-code", Opt::arg}, {"--command", Opt::script}},
     1,
     false,
     false,
     false,
     true},
    {{"watch"},
     {{"nq", Opt::arg}, {"d", Opt::attached}, {"x", Opt::direct}},
     {{"--interval", Opt::arg}, {"--equexit", Opt::arg}, {"--exec", Opt::direct}},
     0,
     false,
     true},
    {{"script"},
     {{"BEIOmT", Opt::arg}, {"t", Opt::attached}, {"c", Opt::script}},
     {{"--command", Opt::script},
      {"--log-in", Opt::arg},
      {"--log-out", Opt::arg},
      {"--log-io", Opt::arg},
      {"--log-timing", Opt::arg},
      {"--logging-format", Opt::arg},
      {"--echo", Opt::arg},
      {"--output-limit", Opt::arg}},
     k_all,
     false,
     false,
     true,
     true},
    {{"chroot"}, {}, {{"--userspec", Opt::arg}, {"--groups", Opt::arg}}, 1, false, false, true},
    // npx and `npm exec`: -c / --call CMD runs CMD with a shell; otherwise the command after the
    // options (npm(1) npm-exec).
    {{"npx"},
     {{"p", Opt::arg}, {"c", Opt::script}},
     {{"--package", Opt::arg}, {"--call", Opt::script}, {"--workspace", Opt::arg}},
     0,
     false,
     false,
     false,
     true},
};

// A launcher by its name, bare or by an absolute path (a ./script of the project's is no launcher).
const Launcher* launcher_of(std::string_view word) {
  if (word.find('/') != std::string_view::npos && word[0] != '/') return nullptr;
  const std::string_view name = base_name(word);
  for (const Launcher& l : k_launchers)
    if (std::find(l.names.begin(), l.names.end(), name) != l.names.end()) return &l;
  return nullptr;
}

Opt kind_of(const std::vector<std::pair<std::string_view, Opt>>& table, std::string_view key,
            bool letters) {
  for (const auto& [names, opt] : table)
    if (letters ? names.find(key) != std::string_view::npos : names == key) return opt;
  return Opt::flag;
}

// Where a command's program is, as the launchers before it say.
struct Target {
  std::size_t name = k_none;  // the program's word; k_none: no program this file knows runs
  std::string launcher;       // a launcher that runs a shell itself (sudo -s, watch, chroot)
  bool script = false;        // words from `name` on are one shell command (sudo -s CMD, watch)
  bool reads_input = false;   // the launcher's own shell reads the input (sudo -s, chroot DIR)
  bool xargs = false;         // xargs runs it, with the input as its words
  bool replaces = false;      // xargs -I: an input item may land inside any word
};

// Reads a launcher's options, words[k + 1] on, giving its own code words their roles.
class Launch {
 public:
  Launch(const std::vector<std::string>& words, bool partial, CommandCode& out)
      : m_words(words), m_partial(partial), m_out(out) {}
  Target read(std::size_t k, const Launcher& l);

 private:
  void option(std::size_t j, const Launcher& l);
  void act(std::size_t j, Opt opt, bool has_argument);
  bool operand(const Launcher& l);
  static WordRole role(Opt opt) {
    return opt == Opt::script  ? WordRole::script
           : opt == Opt::split ? WordRole::command_line
                               : WordRole::data;
  }

  const std::vector<std::string>& m_words;
  bool m_partial;
  CommandCode& m_out;
  std::optional<Opt> m_pending;  // the option whose argument is the next word
  bool m_none = false, m_shell = false, m_script = false, m_direct = false;
  std::size_t m_operands = 0;  // operands read
  bool m_options = true;       // options are still read
};

void Launch::act(std::size_t j, Opt opt, bool has_argument) {
  m_none = m_none || opt == Opt::none;
  m_shell = m_shell || opt == Opt::shell;
  m_direct = m_direct || opt == Opt::direct;
  m_script = m_script || opt == Opt::script || opt == Opt::split;
  if (opt != Opt::arg && opt != Opt::script && opt != Opt::split) return;
  if (has_argument || (m_partial && j + 1 == m_words.size()))  // flock f -c{{ x }}
    m_out.roles[j] = role(opt);
  else
    m_pending = opt;
}

void Launch::option(std::size_t j, const Launcher& l) {
  const std::string_view w = m_words[j];
  if (w.substr(0, 2) == "--") {
    const std::size_t eq = w.find('=');
    return act(j, kind_of(l.longs, w.substr(0, eq), false), eq != std::string_view::npos);
  }
  for (std::size_t i = 1; i < w.size(); ++i) {
    const Opt opt = kind_of(l.letters, w.substr(i, 1), true);
    if (opt == Opt::attached) return;
    act(j, opt, i + 1 < w.size());
    if (opt == Opt::arg || opt == Opt::script || opt == Opt::split) return;
  }
}

// An operand before the command (timeout's DURATION); false when words[j] is the command.
bool Launch::operand(const Launcher& l) {
  if (m_operands >= l.operands) return false;
  ++m_operands;
  m_options = l.options_after;  // flock FILE -c CMD; getopt's '+' ends options otherwise
  return true;
}

// Whether one of the launcher's options gives it code to run (env -S, flock -c, sudo -s).
bool runs_code(const Launcher& l) {
  for (const auto* table : {&l.letters, &l.longs})
    for (const auto& [names, opt] : *table)
      if (opt == Opt::script || opt == Opt::split || opt == Opt::shell) return true;
  return false;
}

Target Launch::read(std::size_t k, const Launcher& l) {
  Target t;
  for (std::size_t j = k + 1; j < m_words.size() && t.name == k_none; ++j) {
    const std::string& w = m_words[j];
    bool target = false;
    if (m_pending) {
      m_out.roles[j] = role(*m_pending);
      m_pending.reset();
    } else if (is_redirection(w, &target)) {
      j += target;
    } else if (m_options && w == "--") {
      m_options = false;
    } else if (m_options && w.size() > 1 && w[0] == '-') {
      option(j, l);
    } else if (m_options && m_partial && j + 1 == m_words.size() && w.empty() && runs_code(l)) {
      m_out.option_reader = m_words[k];  // env {{ x }}: the value may be -S…
    } else if (!(l.assignments && (is_assignment(w) || w == "-")) && !operand(l)) {
      t.name = j;
    }
  }
  if (m_pending) m_out.roles.back() = role(*m_pending);
  if (m_none) return Target{};
  t.launcher = m_words[k];
  t.script = m_shell || (l.joins && !m_direct);
  if (t.script && t.name == k_none) m_out.roles.back() = WordRole::script;
  t.reads_input = t.name == k_none && (m_shell || (l.shell_alone && !m_script));
  return t;
}

// find's -exec, -execdir, -ok and -okdir: the index of the command's name, or k_none.
std::size_t find_exec(const std::vector<std::string>& words, std::size_t k) {
  for (std::size_t j = k + 1; j + 1 < words.size(); ++j)
    if (words[j] == "-exec" || words[j] == "-execdir" || words[j] == "-ok" || words[j] == "-okdir")
      return j + 1;
  return k_none;
}

// git's options before its subcommand: each -c NAME=VALUE is a setting git may run as a command.
void git_settings(const std::vector<std::string>& words, std::size_t k, bool partial,
                  CommandCode& out) {
  for (std::size_t j = k + 1; j < words.size(); ++j) {
    const std::string& w = words[j];
    if (w == "-c" || w == "--config-env") {
      if (j + 1 < words.size()) out.roles[++j] = WordRole::setting;
      if (j + 1 == words.size()) out.roles.back() = WordRole::setting;
    } else if (w == "-C" || w == "--git-dir" || w == "--work-tree" || w == "--namespace") {
      ++j;
    } else if (w.substr(0, 13) == "--config-env=" ||
               (partial && j + 1 == words.size() && w.substr(0, 2) == "-c")) {
      out.roles[j] = WordRole::setting;
    } else if (w.empty() || w[0] != '-') {
      return;
    }
  }
}

// xargs before the program: its input items become the program's words.
void note_xargs(const std::vector<std::string>& words, std::size_t k, std::size_t name, Target& t) {
  t.xargs = true;
  for (std::size_t j = k + 1; j < name && j < words.size(); ++j) {
    const std::string& w = words[j];
    if (w.substr(0, 9) == "--replace" ||
        (w.size() > 1 && w[0] == '-' && w[1] != '-' && w.find_first_of("iI") != std::string::npos))
      t.replaces = true;
  }
}

// The role of bash builtins' operands that name variables (bash(1)): printf -v NAME (before
// its format), read's operands and -a NAME (-d -i -n -N -p -t -u take data), unset's operands,
// test -v NAME and [ -v NAME ].
void variable_roles(const std::vector<std::string>& words, std::size_t k, bool partial,
                    CommandCode& out) {
  const std::string_view name = words[k];
  const bool names = name == "read" || name == "unset";  // every operand is a name
  bool options = true;
  for (std::size_t j = k + 1; j <= words.size(); ++j) {
    const std::string_view w = j < words.size() ? std::string_view(words[j]) : "";
    const std::string_view before = j > k + 1 ? std::string_view(words[j - 1]) : "";
    const bool last = partial && j + 1 == words.size();
    WordRole& role = out.roles[j];
    if ((name == "test" || name == "[") && before == "-v") role = WordRole::variable;
    if (name == "printf" && options &&
        (before == "-v" || (w.substr(0, 2) == "-v" && (w.size() > 2 || last))))
      role = WordRole::variable;
    if (name == "read" && options && before.size() > 1 && before[0] == '-' &&
        before.find_first_of("adinNptu", 1) != std::string_view::npos) {
      role = before.back() == 'a' ? WordRole::variable : WordRole::data;  // -ra NAME, -p TEXT
    } else if (options && w.size() > 1 && w[0] == '-') {
      options = w != "--";
    } else {
      options = false;
      if (names) role = WordRole::variable;
    }
  }
}

// declare, typeset, local, export and readonly: each operand NAME[=VALUE] declares NAME; under
// -i (integer), -n (nameref), -a or -A (an array, whose value "(…)" is a list of [SUB]=VALUE)
// bash evaluates VALUE too (bash(1) declare).
void declared_roles(const std::vector<std::string>& words, std::size_t k, CommandCode& out) {
  bool evaluated = false;
  for (std::size_t j = k + 1; j <= words.size(); ++j) {
    const std::string_view w = j < words.size() ? std::string_view(words[j]) : "";
    if (w.size() > 1 && w[0] == '-' && w != "--") {
      evaluated = evaluated || w.find_first_of("inaA") != std::string_view::npos;
      out.integers = out.integers || w.find('i') != std::string_view::npos;
    } else if (w.empty() || w[0] != '+') {
      out.roles[j] = evaluated ? WordRole::evaluated : WordRole::declared;
    }
  }
}

bool is_declaration(std::string_view word) {
  for (std::string_view w : {"declare", "typeset", "local", "export", "readonly"})
    if (word == w) return true;
  return false;
}

// ssh [OPTION…] DESTINATION [COMMAND…] (ssh(1)): the remote shell runs the command's words
// joined, and a destination starting with '-' is read as an option, so both are code; so are
// -o's settings (ProxyCommand, LocalCommand, KnownHostsCommand and Match exec run locally) and
// -J's jump hosts (made into a proxy command). Other options' arguments are names, files and
// numbers: `ssh -i KEY -p PORT -l USER host make` keeps them data.
void ssh_roles(const std::vector<std::string>& words, std::size_t k, bool partial,
               CommandCode& out) {
  constexpr std::string_view args = "BbcDEeFIiJLlmOoPpQRSWw", code = "oJ";
  std::size_t j = k + 1;
  for (; j < words.size(); ++j) {
    const std::string_view w = words[j];
    bool target = false;
    if (is_redirection(w, &target)) {
      j += target;
      continue;
    }
    if (w.size() < 2 || w[0] != '-') break;
    if (w == "--") {
      ++j;
      break;
    }
    for (std::size_t i = 1; i < w.size(); ++i) {
      if (!has(args, w[i])) continue;
      const WordRole role = has(code, w[i]) ? WordRole::script : WordRole::data;
      if (i + 1 < w.size() || (partial && j + 1 == words.size()))
        out.roles[j] = role;
      else
        out.roles[++j] = role;  // the next word (or, past the end, a further one)
      break;
    }
  }
  for (; j <= words.size(); ++j) out.roles[j] = WordRole::script;
}

// The program gdb --args or lldb -- runs under the debugger: the index of its name, or k_none.
std::size_t debugged(const std::vector<std::string>& words, std::size_t k) {
  const std::string_view mark = base_name(words[k]) == "gdb" ? "--args" : "--";
  for (std::size_t j = k + 1; j + 1 < words.size(); ++j)
    if (words[j] == mark) return j + 1;
  return k_none;
}

// The program a command runs, through the launchers, find -exec and name prefixes before it.
Target find_program(const std::vector<std::string>& words, bool partial, CommandCode& out) {
  Target t;
  for (std::size_t k = 0; k < words.size(); ++k) {
    bool target = false;
    if (is_redirection(words[k], &target)) {
      k += target;
      continue;
    }
    const std::string_view name = base_name(words[k]);
    if (const Launcher* l = launcher_of(words[k])) {
      Target next = Launch(words, partial, out).read(k, *l);
      if (name == "xargs" && next.name != k_none) note_xargs(words, k, next.name, t);
      if (next.script || next.reads_input || next.name == k_none)
        return next.launcher.empty() ? Target{} : next;
      k = next.name - 1;
    } else if (name == "find") {
      if ((k = find_exec(words, k)) == k_none) return Target{};
      --k;
    } else if (name == "git") {
      git_settings(words, k, partial, out);
      return Target{};
    } else if (name == "npm" && k + 1 < words.size() &&
               (words[k + 1] == "exec" || words[k + 1] == "x")) {
      ++k;  // npm exec …: read as npx …
      Target next = Launch(words, partial, out).read(k, *launcher_of("npx"));
      if (next.script || next.name == k_none) return next.launcher.empty() ? Target{} : next;
      k = next.name - 1;
    } else if ((name == "gdb" || name == "lldb") && debugged(words, k) != k_none) {
      k = debugged(words, k) - 1;  // gdb --args PROG ARG…, lldb -- PROG ARG…: PROG runs
    } else if (is_runner(name)) {
      for (std::size_t j = k + 1; j < words.size(); ++j)
        if (is_shell_name(words[j]) || language_of(words[j])) {
          t.name = j;
          break;
        }
      return t;
    } else if (!is_name_prefix(words[k])) {
      t.name = k;
      return t;
    }
  }
  return t;
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
  const Target t = find_program(words, last_partial, out);
  if (t.script || t.reads_input) {  // the launcher's own shell: sudo -s CMD, watch CMD, chroot DIR
    for (std::size_t j = t.name; t.script && j < out.roles.size(); ++j)
      out.roles[j] = WordRole::script;
    out.program = t.launcher;
    out.reads_input_as_code = t.reads_input;
    return out;
  }
  out.program = t.launcher;  // env -S LINE: the launcher is the program that reads it
  if (t.name == k_none) return out;
  const std::string& program = words[t.name];
  Reading reading(words, last_partial, out);
  if (runs_input(base_name(program))) {
    out.reads_input_as_code = true;
    if (base_name(program) == "ssh") ssh_roles(words, t.name, last_partial, out);
  } else if (is_shell_name(program)) {
    reading.shell(t.name);
  } else if (const Language* lang = language_of(program)) {
    reading.language(t.name, *lang);
  } else if (is_declaration(program)) {
    declared_roles(words, t.name, out);
    return out;
  } else {
    variable_roles(words, t.name, last_partial, out);
    return out;
  }
  out.program = program;
  // Through xargs, input items become words: code where a further word would be, or anywhere
  // with -I.
  if (t.xargs)
    out.reads_input_as_code =
        t.replaces || out.roles.back() != WordRole::data || runs_input(base_name(program));
  return out;
}

}  // namespace faultline::matrix
