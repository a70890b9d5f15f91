// What the program a simple command runs makes of its words, for matrix/shell_scan: which word
// is code in the program's own language (the script of `sh -c`, `python3 -c`, `perl -ne`, the
// text of `perl -MMOD` and `node --import URL`, the program of awk and sed), which names a file the
// program reads as code (`sh FILE`, `source FILE`, `awk -f FILE`, `bash --rcfile FILE`), and
// whether it reads its code from its standard input (`sh`, `bash -s`, `python3 -`, `node -`, `awk
// -f -`, `sh -o pipefail`). Options are read as each program's own manual has them (shells: XCU sh;
// bash(1); python(1); perl perlrun; ruby(1); node --help; php-cli; lua(1); awk: XCU awk and
// gawk(1); sed: XCU sed and GNU sed, whose options may follow its operands; make(1) --eval;
// gdb -ex; lldb -o; emacs --eval; vim -c; ssh(1)'s destination, command and -o). The program is
// found through the programs that start another command, read with their own options (exec,
// command, time, nice, env, timeout, stdbuf, xargs, sudo, doas, ionice, chrt, taskset, flock,
// watch, script, chroot; find's -exec), some of which run shell code themselves (sudo -s, watch,
// flock -c, env -S). Shell grammar (quotes, operators) is shell_scan's.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace faultline::matrix {

// What one word is to the command's program.
enum class WordRole {
  data,       // an argument, an option, a redirection, a word before the program's name
  script,     // code a shell or interpreter runs: `sh -c SCRIPT`, `python3 -c CODE`, eval's words
  program,    // the program text of awk or sed (`awk '{…}'`, `sed -e 's/…/…/'`)
  code_file,  // a file the program reads as code: `sh FILE`, `. FILE`, `awk -f FILE`
  command_line,  // a command line a program splits into words and runs: `env -S LINE`
  setting,       // a git -c NAME=VALUE setting, which git may run as a command (alias.x=!…)
  // A bash variable's name, whose subscript bash evaluates as arithmetic (`read NAME`,
  // `printf -v NAME`, `unset NAME`, `test -v NAME`): a[$(…)] runs a command.
  variable,
  declared,  // NAME[=VALUE] after declare, typeset, local, export, readonly: the NAME is one
  evaluated  // NAME[=VALUE] after declare -i, -n, -a or -A: bash evaluates the VALUE too
};

struct CommandCode {
  std::string program;  // the program's name as written ("/bin/sh"), or "" when unknown
  // roles[i] is words[i]'s role; roles[words.size()] is the role a further word would have.
  std::vector<WordRole> roles;
  bool reads_input_as_code = false;     // it reads its standard input as code
  std::vector<std::size_t> input_from;  // words that a `<` redirection makes its input
  bool permutes = false;   // options may follow operands: a later -e changes earlier roles (sed)
  bool tentative = false;  // the next (or partial last) word's role is a permuting program's
                           // first operand, which a later -e or -f makes a file
  bool integers = false;   // declare -i (typeset, local): its names hold integers from now on
  // The partial last word is empty (a value starts it) and stands where the program still reads
  // options: a value beginning with '-' would be one (sed -e…, python3 -c…, env -S…).
  std::string option_reader;  // that program's name, or ""
};

// The words of a finished (or, with its last word partial, an unfinished) simple command. A
// word whose text is "/dev/fd/63" stands for a process substitution, as bash passes one.
CommandCode command_code(const std::vector<std::string>& words, bool last_partial = false);

// A word before a command's name that leaves the next word the name: an assignment, a reserved
// word that starts a command (`!`, `if`, `do`, `{`, `time`, …), `command`/`builtin` and their
// options (`command -p eval …` runs eval), a function's `f()`.
bool is_name_prefix(std::string_view word);

}  // namespace faultline::matrix
