// What `faultline validate` says of each place where a value would reach code through a program's
// own reading (matrix/shell_programs, matrix/shell_scan): a process substitution a shell or
// interpreter reads as its script, a program reading its script from its input after options
// that take arguments, awk's and sed's program text; and the places that only look like them.
// Each message is asserted whole, at the placeholder's line:column in the matrix file.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "matrix/expand.h"
#include "matrix/load.h"

namespace faultline::matrix {
namespace {

// The matrix file "m.yaml" with `run` as workload w's command (a block scalar whose first line
// is line 8, column 7) and `x` its parameter, as validate prints it: "" when valid.
std::string validate(const std::string& run, const std::string& x = "$(touch PWNED)") {
  std::string text =
      "version: 1\ncomponents:\n  lib: { versions: [\"1.0\"] }\nworkloads:\n  w:\n"
      "    params: { x: [\"" +
      x + "\"] }\n    run: |\n";
  std::size_t start = 0;
  while (start <= run.size()) {
    const std::size_t end = std::min(run.find('\n', start), run.size());
    text += "      " + run.substr(start, end - start) + "\n";
    start = end + 1;
  }
  LoadResult r = load_text(text, "m.yaml");
  if (!r.diagnostics.empty()) return r.diagnostics.render("m.yaml");
  Diagnostics d;
  expand(r.config, d);
  return d.render("m.yaml");
}

std::string error(const std::string& place, const std::string& why) {
  return "m.yaml:" + place + ": error: workloads.w.run: '{{ x }}' " + why + "\n";
}

std::string from_input(const std::string& reader) {
  return error("", "is in text that " + reader +
                       " reads from its input and runs as code (a here-document, here-string or "
                       "pipe into it), so the value would run; read the environment variable in "
                       "that code instead: \"$FAULTLINE_X\" inside a quoted here-document "
                       "(<<'EOF') or single quotes for a shell");
}

std::string from_file(const std::string& reader) {
  return error("", "is in text that " + reader +
                       " reads as code from a process substitution (<(…)), so the value would "
                       "run; read the environment variable in that code instead "
                       "(\"$FAULTLINE_X\" for a shell)");
}

std::string program_text(const std::string& program) {
  return error("", "is in the program text of " + program + ", which " + program +
                       " runs as code (a value can add commands to it: sed's e and awk's system() "
                       "run shell commands), so the value would run; pass the value as data "
                       "instead, as in awk -v v=\"$FAULTLINE_X\" '{ print v }'");
}

const std::string k_run_again =
    error("",
          "is in text that is run as code again (eval, sh -c, python -c, ssh, trap), so the value "
          "would be read as code; read the environment variable inside that code instead "
          "(\"$FAULTLINE_X\" for a shell)");

std::string command_line(const std::string& program) {
  return error("", "is in a command line that " + program +
                       " splits into words and runs (env -S), so the value could name the program "
                       "or add words and options to it; pass the value as an argument after that "
                       "command line instead");
}

const std::string k_git_setting = error(
    "",
    "is in a git -c setting, which git may run as a shell command (alias.NAME=!…, core.pager, "
    "core.sshCommand, diff.external, …), so the value could run; pass the value as an argument "
    "of the git command instead");

std::string variable(const std::string& name) {
  return error("", "is in the value of " + name +
                       ", which the shell or a program runs as code or expands again, so the value "
                       "would run; set " +
                       name +
                       " to fixed text that reads the environment variable instead "
                       "(\"$FAULTLINE_X\" inside single quotes)");
}

// `message` with its place ("m.yaml:: error") filled in as LINE:COL.
std::string at(const std::string& place, std::string message) {
  return message.replace(message.find("::"), 2, ":" + place + ":");
}

struct Case {
  std::string run, place, message;
};

void expect_refused(const std::vector<Case>& cases) {
  for (const Case& c : cases) EXPECT_EQ(validate(c.run), at(c.place, c.message)) << c.run;
}

TEST(ShellScan, RefusesAProcessSubstitutionAProgramReadsAsCode) {
  expect_refused({
      {"sh <(echo {{ x }})", "8:17", from_file("sh")},
      {"bash <(printf '%s\\n' \"{{ x }}\")", "8:29", from_file("bash")},
      {"source <(echo \"export V={{ x }}\")", "8:31", from_file("source")},
      {". <(echo {{ x }})", "8:16", from_file(".")},
      {"python3 <(echo \"print('{{ x }}')\")", "8:30", from_file("python3")},
      {"awk -f <(echo '{ print \"{{ x }}\" }') /dev/null", "8:31", from_file("awk")},
      {"bash --rcfile <(echo {{ x }}) -i", "8:28", from_file("bash")},
      {"sh <(cat <<EOF\necho {{ x }}\nEOF\n)", "9:12", from_file("sh")},
      {"sh <(echo a; echo {{ x }})", "8:25", from_file("sh")},
      {"sh < <(echo {{ x }})", "8:19", from_input("sh")},
      {"echo {{ x }} > >(sh)", "8:12", from_input("sh")},
      {"printf '%s' {{ x }} | tee >(bash) > /dev/null", "8:19", from_input("bash")},
      {"cat > >(sh) <<EOF\necho {{ x }}\nEOF", "9:12", from_input("sh")},
  });
}

TEST(ShellScan, RefusesInputAProgramReadsAsCodeAfterItsOptions) {
  expect_refused({
      {"bash --rcfile f <<EOF\necho {{ x }}\nEOF", "9:12", from_input("bash")},
      {"bash -o pipefail <<EOF\necho {{ x }}\nEOF", "9:12", from_input("bash")},
      {"sh -eo pipefail <<EOF\necho {{ x }}\nEOF", "9:12", from_input("sh")},
      {"bash -O extglob <<EOF\necho {{ x }}\nEOF", "9:12", from_input("bash")},
      {"bash --norc --noprofile <<< \"echo {{ x }}\"", "8:41", from_input("bash")},
      {"busybox sh <<EOF\necho {{ x }}\nEOF", "9:12", from_input("sh")},
      {"timeout -s KILL 5 sh <<EOF\necho {{ x }}\nEOF", "9:12", from_input("sh")},
      {"awk -f - <<EOF\nBEGIN { print \"{{ x }}\" }\nEOF", "9:22", from_input("awk")},
      {"gawk -f /dev/stdin <<EOF\nBEGIN { print \"{{ x }}\" }\nEOF", "9:22", from_input("gawk")},
      {"sed -f - f <<EOF\ns/a/{{ x }}/\nEOF", "9:11", from_input("sed")},
      {"echo {{ x }} | python3 -", "8:12", from_input("python3")},
      {"echo {{ x }} | python3 -u -W ignore", "8:12", from_input("python3")},
      {"echo {{ x }} | perl -", "8:12", from_input("perl")},
      {"echo {{ x }} | node -", "8:12", from_input("node")},
      {"echo {{ x }} | ruby -", "8:12", from_input("ruby")},
      {"ruby -r json <<EOF\np '{{ x }}'\nEOF", "9:10", from_input("ruby")},
      {"echo {{ x }} | lua -", "8:12", from_input("lua")},
      {"php <<EOF\n<?php echo '{{ x }}';\nEOF", "9:19", from_input("php")},
      {"echo {{ x }} | sh -s", "8:12", from_input("sh")},
      {"echo {{ x }} | bash -s -- a", "8:12", from_input("bash")},
      {"echo {{ x }} | sh /dev/stdin", "8:12", from_input("sh")},
      {"echo {{ x }} | source /dev/stdin", "8:12", from_input("source")},
      {"echo {{ x }} | su -s /bin/sh nobody", "8:12", from_input("su")},
  });
}

TEST(ShellScan, RefusesAValueInAProgramsOwnCode) {
  expect_refused({
      {"awk '{ print \"{{ x }}\" }' f", "8:21", program_text("awk")},
      {"awk -v n=1 -F: '{ print \"{{ x }}\" }' f", "8:32", program_text("awk")},
      {"sed -e 's/a/{{ x }}/' f", "8:19", program_text("sed")},
      {"sed -i.bak 's/a/{{ x }}/' f", "8:23", program_text("sed")},
      {"sed --expression='s/a/{{ x }}/' f", "8:29", program_text("sed")},
      {"perl -ne 'print \"{{ x }}\"'", "8:24", k_run_again},
      {"perl -pi -e 's/a/{{ x }}/' f", "8:24", k_run_again},
      {"python3 -Sc 'print(\"{{ x }}\")'", "8:27", k_run_again},
      {"node -pe '\"{{ x }}\"'", "8:18", k_run_again},
      {"su -c \"echo {{ x }}\" nobody", "8:19", k_run_again},
      {"bash -o pipefail -c \"echo {{ x }}\"", "8:33", k_run_again},
      {"python3 -{{ x }}", "8:16", k_run_again},
      {"perl -M{{ x }} -e 1", "8:14", k_run_again},
      {"perl -e 1 -mstrict -m{{ x }}", "8:28", k_run_again},
      {"perl -d:{{ x }} t.pl", "8:15", k_run_again},
      {"perl -lan -F{{ x }} -e 1", "8:19", k_run_again},
      {"node --import {{ x }} t.js", "8:21", k_run_again},
      {"node --import=data:text/javascript,{{ x }} t.js", "8:42", k_run_again},
      {"node --experimental-loader {{ x }} t.js", "8:34", k_run_again},
  });
}

TEST(ShellScan, AcceptsValuesThatStayData) {
  for (const std::string run :
       {"awk -v v={{ x }} '{ print v }' f", "awk '{ print }' {{ x }}", "awk -f prog.awk {{ x }}",
        "sed -i 's/a/b/' {{ x }}", "sed -e 's/a/b/' -- {{ x }}", "sh script.sh {{ x }}",
        "cat <(echo {{ x }})", "diff <(echo {{ x }}) f", "sh -c 'cat \"$1\"' sh <(echo {{ x }})",
        "ruby -r json -e 'p 1' {{ x }}", "source ./env.sh {{ x }}",
        "bash --rcfile f -c 'echo \"$1\"' sh {{ x }}", "echo {{ x }} > >(cat)",
        "python3 -W ignore tool.py {{ x }}", "bash -o pipefail script.sh <<EOF\n{{ x }}\nEOF",
        "perl -I lib -e 'print 1' {{ x }}", "python3 -m http.server {{ x }}",
        "perl -I{{ x }}/lib -MPOSIX t.pl {{ x }}", "node -r {{ x }} --import ./a.mjs t.js {{ x }}"})
    EXPECT_EQ(validate(run), "") << run;
}

// A case item's `)` and its `(a|b)` patterns are patterns, not a group or a pipe: the commands
// after them are read as commands, and a `$(…)` around the case ends at its own `)`.
TEST(ShellScan, ReadsCasePatternsAsPatterns) {
  for (const std::string run :
       {"case $y in a) echo {{ x }};; esac", "case $y in (a|b) echo {{ x }};; esac | cat",
        "case $y in a|sh) echo {{ x }};; esac", "case $y in\n  a)\n    echo {{ x }}\n    ;;\nesac",
        "case $y in a) echo 1;& b) echo {{ x }};;& esac",
        "echo \"$(case $y in a) echo ok;; esac)\" {{ x }}"})
    EXPECT_EQ(validate(run), "") << run;
  expect_refused({
      {"case $y in a) eval {{ x }};; esac", "8:26", k_run_again},
      {"case $y in (a|b) echo hi;; esac; echo {{ x }} | sh", "8:45", from_input("sh")},
      {"case $y in a) echo {{ x }};; esac | sh", "8:26", from_input("sh")},
      {"echo \"$(case $y in a) echo;; esac; sh -c {{ x }})\"", "8:48", k_run_again},
      {"echo \"$(case $y in a) echo;; esac)\"; eval {{ x }}", "8:49", k_run_again},
  });
}

// What a command writes into a >(…) that runs it, wherever the words stand: its here-strings,
// here-documents and `<` input after the substitution too; a compound command's redirections
// feed the programs inside it; a bare exec's redirections hold for the rest of the script.
TEST(ShellScan, RefusesWhatFlowsIntoAProgramThatRunsIt) {
  expect_refused({
      {"tee >(sh) <<< {{ x }}", "8:21", from_input("sh")},
      {"cmd >(sh) {{ x }}", "8:17", from_input("sh")},
      {"echo > >(sh) {{ x }}", "8:20", from_input("sh")},
      {"tee >(sh) <<EOF\n{{ x }}\nEOF", "9:7", from_input("sh")},
      {"tee >(sh) < <(echo {{ x }})", "8:26", from_input("sh")},
      {"{ tee >(sh); } <<< {{ x }}", "8:26", from_input("sh")},
      {"{ sh; } <<< {{ x }}", "8:19", from_input("sh")},
      {"(sh) <<EOF\n{{ x }}\nEOF", "9:7", from_input("sh")},
      {"{ cat; sh; } < <(echo {{ x }})", "8:29", from_input("sh")},
      {"if true; then bash; fi <<< {{ x }}", "8:34", from_input("bash")},
      {"{ { sh; }; cat; } <<< {{ x }}", "8:29", from_input("sh")},
      {"exec > >(sh)\necho {{ x }}", "9:12", from_input("sh")},
      {"exec 3> >(sh)\necho {{ x }} >&3", "9:12", from_input("sh")},
      {"exec > >(sh)\ncat <<EOF\n{{ x }}\nEOF", "10:7", from_input("sh")},
      {"exec < <(echo {{ x }})\nsh", "8:21", from_input("sh")},
      {"exec <<< {{ x }}\npython3 -", "8:16", from_input("python3")},
      {"echo \"{{ x }}>\"|sh", "8:13", from_input("sh")},
  });
}

TEST(ShellScan, AcceptsFlowsIntoProgramsThatDoNotRunThem) {
  for (const std::string run :
       {"{ cat; } <<< {{ x }}", "{ sh; } <<< ok; echo {{ x }}", "exec 2>&1\necho {{ x }}",
        "exec > >(tee log)\necho {{ x }}", "exec <<< {{ x }}\ncat", "tee >(cat) {{ x }}",
        "(cat) <<EOF\n{{ x }}\nEOF", "echo \"$(exec > >(sh); echo a)\" {{ x }}"})
    EXPECT_EQ(validate(run), "") << run;
}

// GNU sed permutes its arguments as getopt does: -e or -f after a file still gives the program,
// and then no operand is one; after `--` they are files.
TEST(ShellScan, ReadsSedOptionsAfterItsOperands) {
  expect_refused({
      {"sed f -e \"s/a/{{ x }}/\"", "8:21", program_text("sed")},
      {"sed f --expression=\"{{ x }}\"", "8:27", program_text("sed")},
      {"gsed -n f -e p -e \"s/{{ x }}//\"", "8:28", program_text("gsed")},
      {"sed f -f - <<EOF\ns/a/{{ x }}/\nEOF", "9:11", from_input("sed")},
      {"sed {{ x }} f", "8:11", program_text("sed")},
      {"sed -- {{ x }} -e p", "8:14", program_text("sed")},
      {"sed \"$(echo {{ x }})\" f", "8:19", program_text("sed")},
  });
  for (const std::string run :
       {"sed -n f -e p {{ x }}", "sed -- f -e \"{{ x }}\"", "sed \"s/a/b/\" {{ x }} -i",
        "sed {{ x }} -e p", "sed -n {{ x }} --expression=p", "awk f -e \"{{ x }}\"",
        "perl f -e \"{{ x }}\"", "python3 f -c \"{{ x }}\""})
    EXPECT_EQ(validate(run), "") << run;
}

// exec, command, time, nice, env, timeout, stdbuf, xargs, sudo and the like are read with their
// own options, so the command they run is found exactly: a shell they run is followed, and a
// word `sh` that is only an argument of theirs or of another program is not.
TEST(ShellScan, FindsTheCommandALauncherRuns) {
  expect_refused({
      {"exec -a foo sh -c \"{{ x }}\"", "8:26", k_run_again},
      {"nice -5 sh -c \"{{ x }}\"", "8:22", k_run_again},
      {"nice -n 5 sh -c \"{{ x }}\"", "8:24", k_run_again},
      {"env -i A=1 -u B sh -c \"{{ x }}\"", "8:30", k_run_again},
      {"env - sh -c \"{{ x }}\"", "8:20", k_run_again},
      {"timeout -s KILL -k 1 5 sh -c \"{{ x }}\"", "8:37", k_run_again},
      {"time -p sh -c \"{{ x }}\"", "8:22", k_run_again},
      {"command sh -c \"{{ x }}\"", "8:22", k_run_again},
      {"stdbuf -oL -e 0 sh -c \"{{ x }}\"", "8:30", k_run_again},
      {"nohup sh -c \"{{ x }}\"", "8:20", k_run_again},
      {"sudo -u root VAR=1 bash -c \"{{ x }}\"", "8:35", k_run_again},
      {"sudo env A=1 nice -n 3 bash -c \"{{ x }}\"", "8:39", k_run_again},
      {"ionice -c 3 sh -c \"{{ x }}\"", "8:26", k_run_again},
      {"taskset -c 0 sh -c \"{{ x }}\"", "8:27", k_run_again},
      {"chrt -f 10 sh -c \"{{ x }}\"", "8:25", k_run_again},
      {"setsid -w sh -c \"{{ x }}\"", "8:24", k_run_again},
      {"echo | xargs -0 -n 1 sh -c \"{{ x }}\"", "8:35", k_run_again},
  });
  for (const std::string run :
       {"exec ./tool --mode sh <<EOF\n{{ x }}\nEOF", "nice -n 5 ./t sh -c {{ x }}",
        "env ./t sh -c {{ x }}", "env -u sh ./t -c {{ x }}", "timeout 5 ./t sh -c {{ x }}",
        "time -o sh ./t -c {{ x }}", "command -v sh -c {{ x }}", "stdbuf -o L ./t sh -c {{ x }}",
        "sudo -u sh ./t -c {{ x }}", "sudo -l sh -c {{ x }}", "xargs -a sh ./t -c {{ x }}",
        "taskset 1 ./t sh -c {{ x }}", "watch -x ./t {{ x }}", "flock /tmp/l ./t {{ x }}",
        "nohup ./t sh -c {{ x }}", "echo {{ x }} | xargs sh -c 'echo \"$@\"' sh",
        "echo {{ x }} | xargs cat", "chroot /srv ./t <<EOF\n{{ x }}\nEOF",
        "./script <<EOF\n{{ x }}\nEOF"})
    EXPECT_EQ(validate(run), "") << run;
}

// More programs that run a value: env -S, find -exec, git -c, a shell named by $SHELL or in
// quotes, sudo -s, watch, flock -c, script -c, chroot without a command, xargs -I, and variables
// that run their value.
TEST(ShellScan, RefusesTheOtherWaysAValueRuns) {
  expect_refused({
      {"env -S \"sh -c {{ x }}\"", "8:21", command_line("env")},
      {"find . -exec sh -c \"echo {{ x }}\" \\;", "8:32", k_run_again},
      {"find . -name a -execdir bash -c \"{{ x }}\" {} +", "8:40", k_run_again},
      {"git -c alias.x=\"!echo {{ x }}\" x", "8:29", k_git_setting},
      {"\"$SHELL\" -c \"{{ x }}\"", "8:20", k_run_again},
      {"${SHELL} -c \"{{ x }}\"", "8:20", k_run_again},
      {"$BASH -c \"{{ x }}\"", "8:17", k_run_again},
      {"\"sh\" -c \"{{ x }}\"", "8:16", k_run_again},
      {"sh \"-c\" \"{{ x }}\"", "8:16", k_run_again},
      {"\"eval\" {{ x }}", "8:14", k_run_again},
      {"sudo -s echo {{ x }}", "8:20", k_run_again},
      {"sudo -i <<EOF\n{{ x }}\nEOF", "9:7", from_input("sudo")},
      {"watch \"echo {{ x }}\"", "8:19", k_run_again},
      {"watch -n 1 ./t {{ x }}", "8:22", k_run_again},
      {"flock /tmp/l -c \"echo {{ x }}\"", "8:29", k_run_again},
      {"script -q /dev/null -c \"echo {{ x }}\"", "8:36", k_run_again},
      {"chroot /srv <<EOF\n{{ x }}\nEOF", "9:7", from_input("chroot")},
      {"echo {{ x }} | xargs -I{} sh -c 'echo \"$1\"' sh {}", "8:12", from_input("sh")},
      {"export PROMPT_COMMAND={{ x }}", "8:29", variable("PROMPT_COMMAND")},
      {"BASH_ENV={{ x }} bash s.sh", "8:16", variable("BASH_ENV")},
      {"PS4=\"+ $(echo {{ x }}) \" bash -x s", "8:21", variable("PS4")},
      {"env GIT_SSH_COMMAND=\"ssh -i {{ x }}\" git fetch", "8:35", variable("GIT_SSH_COMMAND")},
  });
  for (const std::string run :
       {"$CC -c {{ x }}", "echo PS4={{ x }}", "A={{ x }} ./t", "git -C d log {{ x }}",
        "find . -name {{ x }} -print", "LD_PRELOAD={{ x }} ./t"})
    EXPECT_EQ(validate(run), "") << run;
}

// Debuggers, tracers and profilers run a program as a launcher does; gdb, lldb, make --eval,
// npx -c, emacs and vim take code in their options; ssh runs its destination and command
// through launchers too, while its other options' arguments are data.
TEST(ShellScan, RefusesCodeThroughDebuggersBuildToolsAndSsh) {
  expect_refused({
      {"valgrind -q --tool=memcheck sh -c {{ x }}", "8:41", k_run_again},
      {"setarch x86_64 -R bash -c {{ x }}", "8:33", k_run_again},
      {"strace -f -o log python3 -c {{ x }}", "8:35", k_run_again},
      {"perf record -g -- sh -c {{ x }}", "8:31", k_run_again},
      {"cmake -E env A=1 sh -c {{ x }}", "8:30", k_run_again},
      {"gdb --args sh -c {{ x }}", "8:24", k_run_again},
      {"gdb -batch -ex {{ x }} ./t", "8:22", k_run_again},
      {"lldb -o {{ x }} ./t", "8:15", k_run_again},
      {"echo {{ x }} | gdb -q ./t", "8:12", from_input("gdb")},
      {"make --eval={{ x }} all", "8:19", k_run_again},
      {"make -E {{ x }}", "8:15", k_run_again},
      {"echo {{ x }} | make -f -", "8:12", from_input("make")},
      {"npx -c {{ x }}", "8:14", k_run_again},
      {"npm exec --call={{ x }}", "8:23", k_run_again},
      {"emacs --batch --eval {{ x }}", "8:28", k_run_again},
      {"vim -es --cmd {{ x }}", "8:21", k_run_again},
      {"timeout 5 ssh host make {{ x }}", "8:31", k_run_again},
      {"sudo -u ci ssh {{ x }} make", "8:22", k_run_again},
      {"ssh -o ProxyCommand={{ x }} host", "8:27", k_run_again},
      {"ssh -J {{ x }} host", "8:14", k_run_again},
  });
  for (const std::string run :
       {"ssh -i {{ x }} host make", "ssh -p {{ x }} -l {{ x }} -F {{ x }} host make",
        "ssh -i{{ x }} -L 80:{{ x }}:80 host", "valgrind --log-file={{ x }} ./t {{ x }}",
        "setarch -R ./t --mode sh {{ x }}", "gdb -batch -ex run --args ./t {{ x }}",
        "lldb -- ./t {{ x }}", "make -j {{ x }} -C {{ x }} all V={{ x }}", "make -f {{ x }}",
        "npx eslint {{ x }}", "npm run test -- {{ x }}", "cmake -DV={{ x }} -S . -B b"})
    EXPECT_EQ(validate(run), "") << run;
}

std::string option(const std::string& program, const std::string& value) {
  return error("", "starts a word where " + program + " reads its options, and its value '" +
                       value + "' begins with '-', so " + program +
                       " would take it for an option, and an option such as -e, -c, -S or --eval "
                       "gives a program code to run; put -- before it, or fixed text (./{{ x }})");
}

// A value starting with '-' at the start of a word where a program that takes code in an option
// still reads its options would be that option: refused for the values that begin with '-'.
TEST(ShellScan, RefusesAValueBeginningWithADashWhereItWouldBeAnOption) {
  const std::string e = "-e1e touch PWNED";
  for (const Case& c : std::vector<Case>{
           {"sed {{ x }} -e p f", "8:11", option("sed", e)},
           {"sed -n p \"{{ x }}\"", "8:17", option("sed", e)},
           {"python3 -W ignore {{ x }}", "8:25", option("python3", e)},
           {"make -C d {{ x }}", "8:17", option("make", e)},
           {"env {{ x }} ./t", "8:11", option("env", e)},
       })
    EXPECT_EQ(validate(c.run, e), at(c.place, c.message)) << c.run;
  for (const std::string run :
       {"sed -i s/a/b/ -- {{ x }}", "python3 t.py {{ x }}", "cc {{ x }} -c t.c",
        "env -u {{ x }} ./t", "sed -n p ./{{ x }}", "echo {{ x }}"})
    EXPECT_EQ(validate(run, e), "") << run;
  EXPECT_EQ(validate("sed {{ x }} -e p f", "f.txt"), "");
}

const std::string k_arithmetic = error(
    "",
    "is inside arithmetic $(( … )), where the shell evaluates a value as an expression (bash runs "
    "commands found in one); use $FAULTLINE_X outside it after checking it is a number");

const std::string k_name = error(
    "",
    "is in a variable's name or array subscript (read NAME, printf -v NAME, declare NAME, unset, "
    "test -v, a[…]=), where bash evaluates the subscript as arithmetic and runs commands found in "
    "it (a[$(…)]), so the value would run; use a fixed name and give the value as the variable's "
    "value");

const std::string k_evaluated = error(
    "",
    "is in the value of a variable declared -i, -n, -a or -A, which bash evaluates as arithmetic, "
    "a name or a list of [subscript]=value, and runs commands found in it (a[$(…)]), so the value "
    "would run; assign it to a plain variable (checked to be a number where one is needed)");

// bash evaluates an array subscript as arithmetic wherever a variable is named, and with it
// runs a[$(…)]: in $[ … ], an assignment's subscript, the names read, printf -v, declare,
// unset and test -v take, and the values of variables declared -i, -n, -a or -A.
TEST(ShellScan, RefusesBashNamesSubscriptsAndEvaluatedValues) {
  expect_refused({
      {"echo $[ {{ x }} + 1 ]", "8:15", k_arithmetic},
      {"a[{{ x }}]=1", "8:9", k_name},
      {"a=([{{ x }}]=1)", "8:11", k_name},
      {"printf -v {{ x }} %s 1", "8:17", k_name},
      {"read -r {{ x }} <<< 1", "8:15", k_name},
      {"read -ra {{ x }} <<< 1", "8:16", k_name},
      {"declare {{ x }}=1", "8:15", k_name},
      {"unset {{ x }}", "8:13", k_name},
      {"test -v {{ x }}", "8:15", k_name},
      {"[ -v {{ x }} ]", "8:12", k_name},
      {"declare -i n={{ x }}", "8:20", k_evaluated},
      {"local -n r={{ x }}", "8:18", k_evaluated},
      {"declare -a a=\"({{ x }})\"", "8:22", k_evaluated},
      {"declare -i n\nn+={{ x }}", "9:10", k_evaluated},
  });
  for (const std::string run :
       {"echo $[ 1 + 2 ] {{ x }}", "a[1]={{ x }}", "declare v={{ x }}", "export V={{ x }}",
        "printf -v v %s {{ x }}", "printf %s -v {{ x }}", "read -r -p {{ x }} v < /dev/null",
        "test {{ x }} = 1", "[ -n {{ x }} ]", "declare -i n; m={{ x }}", "declare -a a; a={{ x }}",
        "a=({{ x }} 2)", "echo a[{{ x }}]", "cp lib{{ x }}.so d"})
    EXPECT_EQ(validate(run), "") << run;
}

}  // namespace
}  // namespace faultline::matrix
