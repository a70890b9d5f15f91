// End-to-end tests of what values do inside commands (docs/config.md, "How
// values reach commands"): through the faultline binary, a real /bin/sh, real
// builds and runs, each idiom of issue 14 gets the exact value and no value
// ever runs; a command that would run as something else in some cells is
// refused by validate.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>

#include "runner/process.h"
#include "tests/support.h"

namespace faultline {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

using e2e::Outcome;

// The values: each would run `touch PWNED` if a shell read it as code.
const std::vector<std::string> k_values = {"1.0; touch PWNED", "$(touch PWNED)", "`touch PWNED`",
                                           "it's a \"q\" $HOME ${IFS} '; touch PWNED; '",
                                           "b\\s\\\\ \\\"x"};

class ValuesTest : public e2e::ScratchTest {
 protected:
  ValuesTest() : ScratchTest("values") {}
  // Every file named PWNED anywhere under the scratch directory.
  std::vector<std::string> pwned() {
    std::vector<std::string> out;
    for (const auto& e : fs::recursive_directory_iterator(m_dir))
      if (e.path().filename() == "PWNED") out.push_back(e.path().string());
    return out;
  }
  // `faultline validate` and `faultline run` each exit 2 with exactly `want` on
  // stderr, and no command ran: no PWNED file anywhere.
  void expect_validate_and_run_refuse(const std::string& want) {
    for (const char* command : {"validate", "run"}) {
      Outcome o = faultline({command});
      EXPECT_EQ(o.status, 2) << command;
      EXPECT_EQ(o.err, want) << command;
    }
    EXPECT_EQ(pwned(), std::vector<std::string>{});
  }
  // One cell per hostile value, each of whose commands wrote the exact value it was given
  // (its param x) to WORKDIR/seen.
  void expect_each_cell_saw_its_value() {
    const json r = results();
    ASSERT_EQ(r["cells"].size(), k_values.size());
    for (const auto& c : r["cells"])
      EXPECT_EQ(read(m_dir / ".faultline/work" / c["hash"].get<std::string>() / "seen"),
                c["values"]["x"].get<std::string>());
  }
};

// The idioms of issue 14; each writes what its command saw to DIR/NAME.
std::string idioms(const std::string& var, const std::string& dir) {
  const std::string v = "{{ " + var + " }}", d = "{{ " + dir + " }}";
  return "      # it's a comment with an apostrophe before " + v +
         "\n"
         "      printf '%s' " +
         v + " > \"" + d +
         "/bare\"\n"
         "      printf '%s' \"" +
         v + "\" > \"" + d +
         "/dq\"\n"
         "      printf '%s' '" +
         v + "' > \"" + d +
         "/sq\"\n"
         "      printf '%s' \"$(echo " +
         v + ")\" > \"" + d +
         "/echo\"\n"
         "      D=\"$(dirname \"" +
         d + "/" + v + "\")\"; printf '%s' \"$D\" > \"" + d +
         "/dirname\"\n"
         "      printf '%s' \"`printf '%s' " +
         v + "`\" > \"" + d +
         "/backquote\"\n"
         "      cat > \"" +
         d +
         "/heredoc\" <<EOF\n"
         "      " +
         v +
         "\n"
         "      EOF\n"
         "      printf '%s' \"$(printf '%s' '" +
         v + "')\" > \"" + d +
         "/sq-in-subst\"\n"
         "      printf '%s' --flag=" +
         v + " > \"" + d + "/flag\"\n";
}

// YAML double-quoted scalar for `value`.
std::string yaml_quoted(const std::string& value) {
  std::string out = "\"";
  for (char c : value) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

// The hostile values as the items of a YAML flow sequence: `"a", "b"`.
std::string yaml_values() {
  std::string out;
  for (const auto& v : k_values) out += (out.empty() ? "" : ", ") + yaml_quoted(v);
  return out;
}

std::string hostile_matrix() {
  const std::string values = yaml_values();
  return "version: 1\ncomponents:\n  lib:\n    versions: [" + values + "]\n    build: |\n" +
         idioms("version", "prefix") + "workloads:\n  w:\n    params: { x: [" + values +
         "] }\n    run: |\n" + idioms("x", "workdir") + "stress: { runs: 1 }\n";
}

// What each idiom's file must hold for `value` (dirname: the folder itself).
void expect_exact(const fs::path& dir, const std::string& value, const std::string& where,
                  const std::function<std::string(const fs::path&)>& read) {
  for (const char* name : {"bare", "dq", "sq", "backquote", "sq-in-subst"})
    EXPECT_EQ(read(dir / name), value) << where << " " << name;
  // dash's echo reads backslashes as escapes: the value is exact where it has none.
  if (value.find('\\') == std::string::npos) {
    EXPECT_EQ(read(dir / "echo"), value) << where << " echo";
  }
  EXPECT_EQ(read(dir / "heredoc"), value + "\n") << where << " heredoc";
  EXPECT_EQ(read(dir / "flag"), "--flag=" + value) << where << " flag";
  EXPECT_EQ(read(dir / "dirname"), dir.string()) << where << " dirname";
}

TEST_F(ValuesTest, NoValueRunsInBuildOrRunAndEveryIdiomSeesTheExactValue) {
  write("faultline.yaml", hostile_matrix());
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 0) << o.out << o.err;
  EXPECT_EQ(pwned(), std::vector<std::string>{});
  const json r = json::parse(read(m_dir / ".faultline/results.json"));
  ASSERT_EQ(r["cells"].size(), k_values.size() * k_values.size());
  ASSERT_EQ(r["builds"].size(), k_values.size());
  auto reader = [this](const fs::path& p) { return read(p); };
  std::map<std::string, std::string> prefix_of;
  for (const auto& b : r["builds"]) {
    const std::string version = read(fs::path(b["dir"].get<std::string>()) / "prefix/bare");
    prefix_of[version] = b["dir"].get<std::string>() + "/prefix";
    expect_exact(prefix_of[version], version, "build " + b["id"].get<std::string>(), reader);
  }
  EXPECT_EQ(prefix_of.size(), k_values.size());
  for (const auto& c : r["cells"]) {
    EXPECT_EQ(c["verdict"], "pass") << c["id"];
    const fs::path work = m_dir / ".faultline/work" / c["hash"].get<std::string>();
    expect_exact(work, c["values"]["x"].get<std::string>(), "cell " + c["id"].get<std::string>(),
                 reader);
  }
}

TEST_F(ValuesTest, ARunCommandUsingAVariableSomeCellsLackIsRefused) {
  write(
      "faultline.yaml",
      "version: 1\ncomponents:\n  lib: { versions: [\"1.0\"] }\nworkloads:\n"
      "  a: { run: \"exit 7 {{ n }}\" }\n  b: { run: \"true {{ n }}\", params: { n: [\"1\"] } }\n");
  for (const char* command : {"validate", "run"}) {
    Outcome o = faultline({command});
    EXPECT_EQ(o.status, 2) << command;
    EXPECT_EQ(o.err,
              "faultline.yaml:5:21: error: workloads.a.run uses {{ n }}, which 1 cell of workload "
              "'a' lacks: "
              "'lib=1.0 sanitizer=none workload=a' ('n' is a parameter of workload 'b'); give "
              "every cell of "
              "'a' a value for it, or use it in another workload\n")
        << command;
  }
  EXPECT_FALSE(fs::exists(m_dir / ".faultline/results.json"));
}

TEST_F(ValuesTest, APlaceWhereAValueWouldRunAsCodeIsRefusedAtItsPlace) {
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib:\n    versions: [\"1.0\"]\n"
        "    build: make && sh -c \"install {{ prefix }}\"\n"
        "workloads:\n  w: { run: \"exit $(( {{ n }} ))\", params: { n: [\"a[$(touch PWNED)]\"] } "
        "}\n");
  Outcome o = faultline({"validate"});
  EXPECT_EQ(o.status, 2);
  EXPECT_EQ(o.err,
            "faultline.yaml:5:35: error: components.lib.build: '{{ prefix }}' is in text that is "
            "run as code again "
            "(eval, sh -c, python -c, ssh, trap), so the value would be read as code; read the "
            "environment variable "
            "inside that code instead (\"$FAULTLINE_PREFIX\" for a shell)\n"
            "faultline.yaml:7:23: error: workloads.w.run: '{{ n }}' is inside arithmetic $(( … )), "
            "where the shell "
            "evaluates a value as an expression (bash runs commands found in one); use "
            "$FAULTLINE_N outside it after "
            "checking it is a number\n");
  EXPECT_EQ(pwned(), std::vector<std::string>{});
}

// A here-document, here-string or pipe whose text a shell reads as code: each placeholder in it
// is refused at its place, by validate and by run, before anything runs.
TEST_F(ValuesTest, TextAShellReadsFromItsInputIsRefusedAtItsPlace) {
  write("faultline.yaml", R"Y(version: 1
components:
  lib:
    versions: ["1.0"]
    build: |
      sh <<EOF
      echo {{ prefix }} > /dev/null
      EOF
workloads:
  here_doc:
    params: { x: ["$(touch PWNED)", "1.0; touch PWNED"] }
    run: |
      dash -s <<EOF
      echo {{ x }}
      EOF
  here_string:
    params: { x: ["$(touch PWNED)"] }
    run: bash <<< "echo {{ x }}"
  pipe:
    params: { x: ["1.0; touch PWNED"] }
    run: echo {{ x }} | sh
  cat_pipe:
    params: { x: ["$(touch PWNED)"] }
    run: |
      cat <<EOF | bash
      {{ x }}
      EOF
)Y");
  auto why = [](const std::string& placeholder, const std::string& reader,
                const std::string& variable) {
    return "'" + placeholder + "' is in text that " + reader +
           " reads from its input and runs as code (a here-document, here-string or pipe into "
           "it), so the value would run; read the environment variable in that code instead: \"$" +
           variable + "\" inside a quoted here-document (<<'EOF') or single quotes for a shell\n";
  };
  const std::string want =
      "faultline.yaml:7:12: error: components.lib.build: " +
      why("{{ prefix }}", "sh", "FAULTLINE_PREFIX") +
      "faultline.yaml:14:12: error: workloads.here_doc.run: " +
      why("{{ x }}", "dash", "FAULTLINE_X") +
      "faultline.yaml:18:25: error: workloads.here_string.run: " +
      why("{{ x }}", "bash", "FAULTLINE_X") +
      "faultline.yaml:21:15: error: workloads.pipe.run: " + why("{{ x }}", "sh", "FAULTLINE_X") +
      "faultline.yaml:26:7: error: workloads.cat_pipe.run: " +
      why("{{ x }}", "bash", "FAULTLINE_X");
  expect_validate_and_run_refuse(want);
  EXPECT_FALSE(fs::exists(m_dir / ".faultline/results.json"));
}

// Every way a program reads its code from something other than its arguments — a process
// substitution as its script, its input after options that take arguments (`bash -o pipefail`,
// `--rcfile f`), `awk -f -`, `source <(…)`, a `>(…)` that runs what it is given — and awk's and
// sed's own program text: each placeholder there is refused at its place by validate and run,
// with the version `$(touch PWNED)`, before anything runs.
TEST_F(ValuesTest, ProgramsReadingCodeFromSubstitutionsOrInputAreRefusedAtTheirPlace) {
  write("faultline.yaml", R"Y(version: 1
components:
  lib:
    versions: ["$(touch PWNED)"]
    build: sh <(echo "echo {{ version }}")
workloads:
  rcfile:
    params: { x: ["$(touch PWNED)"] }
    run: |
      bash --rcfile /dev/null -o pipefail <<EOF
      echo {{ x }}
      EOF
  awk_stdin:
    params: { x: ["$(touch PWNED)"] }
    run: |
      awk -f - <<EOF
      BEGIN { system("echo {{ x }}") }
      EOF
  sourced:
    params: { x: ["$(touch PWNED)"] }
    run: source <(echo "V={{ x }}") && echo "$V" > /dev/null
  tee:
    params: { x: ["$(touch PWNED)"] }
    run: echo {{ x }} > >(sh)
  sed:
    params: { x: ["a/;e touch PWNED;#"] }
    run: echo a | sed 's/a/{{ x }}/'
  fine:
    params: { x: ["$(touch PWNED)"] }
    run: case "{{ x }}" in (a|b) exit 1;; *) cat <(echo {{ x }}) > /dev/null;; esac
)Y");
  const std::string input_tail =
      " reads from its input and runs as code (a here-document, here-string or pipe into it), so "
      "the value would run; read the environment variable in that code instead: "
      "\"$FAULTLINE_X\" inside a quoted here-document (<<'EOF') or single quotes for a shell\n";
  const std::string want =
      "faultline.yaml:5:28: error: components.lib.build: '{{ version }}' is in text that sh reads "
      "as code from a process substitution (<(…)), so the value would run; read the environment "
      "variable in that code instead (\"$FAULTLINE_VERSION\" for a shell)\n"
      "faultline.yaml:11:12: error: workloads.rcfile.run: '{{ x }}' is in text that bash" +
      input_tail +
      "faultline.yaml:17:28: error: workloads.awk_stdin.run: '{{ x }}' is in text that awk" +
      input_tail +
      "faultline.yaml:21:27: error: workloads.sourced.run: '{{ x }}' is in text that source reads "
      "as code from a process substitution (<(…)), so the value would run; read the environment "
      "variable in that code instead (\"$FAULTLINE_X\" for a shell)\n"
      "faultline.yaml:24:15: error: workloads.tee.run: '{{ x }}' is in text that sh" +
      input_tail +
      "faultline.yaml:27:28: error: workloads.sed.run: '{{ x }}' is in the program text of sed, "
      "which sed runs as code (a value can add commands to it: sed's e and awk's system() run "
      "shell commands), so the value would run; pass the value as data instead, as in awk -v "
      "v=\"$FAULTLINE_X\" '{ print v }'\n";
  expect_validate_and_run_refuse(want);
  EXPECT_FALSE(fs::exists(m_dir / ".faultline/results.json"));
}

// What the refusal says to write instead: the value reaches the inner shell as its variable.
TEST_F(ValuesTest, AShellReadingAQuotedHereDocumentGetsTheExactValue) {
  const std::string xs = yaml_values();
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1.0\"] }\nworkloads:\n"
        "  w:\n    params: { x: [" +
            xs +
            "] }\n    run: |\n"
            "      sh <<'EOF'\n      printf '%s' \"$FAULTLINE_X\" > \"$FAULTLINE_WORKDIR/seen\"\n"
            "      EOF\n      true {{ workdir }}\nstress: { runs: 1 }\n");
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 0) << o.out << o.err;
  EXPECT_EQ(pwned(), std::vector<std::string>{});
  expect_each_cell_saw_its_value();
}

// The launchers, quoted shells, compound commands and sed's permuted options of issue 14's
// second round: validate and run refuse each at its line:column (exit 2, nothing runs), and a
// launcher whose command only looks like a shell word runs with the exact value.
TEST_F(ValuesTest, LaunchersQuotedShellsAndGroupsAreReadAsTheShellRunsThem) {
  write("faultline.yaml", R"Y(version: 1
components:
  lib:
    versions: ["$(touch PWNED)"]
    build: timeout -s KILL 5 "sh" -c "echo {{ version }}"
workloads:
  group:
    params: { x: ["touch PWNED"] }
    run: "{ tee >(sh) > /dev/null; } <<< {{ x }}"
  sed:
    params: { x: ["a/;e touch PWNED;#"] }
    run: echo a > f; sed f -e 's/a/{{ x }}/'
  exec:
    params: { x: ["touch PWNED"] }
    run: |
      exec > >(sh)
      echo {{ x }}
)Y");
  const std::string want =
      "faultline.yaml:5:44: error: components.lib.build: '{{ version }}' is in text that is run "
      "as code again (eval, sh -c, python -c, ssh, trap), so the value would be read as code; "
      "read the environment variable inside that code instead (\"$FAULTLINE_VERSION\" for a "
      "shell)\n"
      "faultline.yaml:9:42: error: workloads.group.run: '{{ x }}' is in text that sh reads from "
      "its input and runs as code (a here-document, here-string or pipe into it), so the value "
      "would run; read the environment variable in that code instead: \"$FAULTLINE_X\" inside a "
      "quoted here-document (<<'EOF') or single quotes for a shell\n"
      "faultline.yaml:12:36: error: workloads.sed.run: '{{ x }}' is in the program text of sed, "
      "which sed runs as code (a value can add commands to it: sed's e and awk's system() run "
      "shell commands), so the value would run; pass the value as data instead, as in awk -v "
      "v=\"$FAULTLINE_X\" '{ print v }'\n"
      "faultline.yaml:17:12: error: workloads.exec.run: '{{ x }}' is in text that sh reads from "
      "its input and runs as code (a here-document, here-string or pipe into it), so the value "
      "would run; read the environment variable in that code instead: \"$FAULTLINE_X\" inside a "
      "quoted here-document (<<'EOF') or single quotes for a shell\n";
  expect_validate_and_run_refuse(want);
}

// Options whose argument a program compiles as code beside its script: perl -M (`use MOD;`) and
// node --import (a data: URL). Both would run the value here; validate and run refuse them.
TEST_F(ValuesTest, AnInterpretersModuleOptionIsCodeAndIsRefused) {
  write("faultline.yaml", R"Y(version: 1
components:
  lib:
    versions: ["POSIX;system(q(touch PWNED))"]
    build: perl -M{{ version }} -e 1
workloads:
  node:
    params: { x: ["data:text/javascript,import fs from 'fs'; fs.writeFileSync('PWNED', '')"] }
    run: node --import {{ x }} -e 1
)Y");
  const std::string want =
      "faultline.yaml:5:19: error: components.lib.build: '{{ version }}' is in text that is run "
      "as code again (eval, sh -c, python -c, ssh, trap), so the value would be read as code; "
      "read the environment variable inside that code instead (\"$FAULTLINE_VERSION\" for a "
      "shell)\n"
      "faultline.yaml:9:24: error: workloads.node.run: '{{ x }}' is in text that is run as code "
      "again (eval, sh -c, python -c, ssh, trap), so the value would be read as code; read the "
      "environment variable inside that code instead (\"$FAULTLINE_X\" for a shell)\n";
  expect_validate_and_run_refuse(want);
}

// A program run under a tracer or with a changed personality (setarch, strace), a makefile's
// --eval text and a debugger's -ex command: each ran the value before; validate and run refuse.
TEST_F(ValuesTest, CodeThroughTracersMakeAndDebuggersIsRefused) {
  write("faultline.yaml", R"Y(version: 1
components:
  lib:
    versions: ["$(shell touch PWNED)"]
    build: make --eval={{ version }} -f /dev/null
workloads:
  setarch:
    params: { x: ["touch PWNED"] }
    run: setarch -R sh -c {{ x }}
  gdb:
    params: { x: ["shell touch PWNED"] }
    run: gdb -batch -ex {{ x }}
)Y");
  auto why = [](const std::string& variable) {
    return "is in text that is run as code again (eval, sh -c, python -c, ssh, trap), so the "
           "value would be read as code; read the environment variable inside that code instead "
           "(\"$" +
           variable + "\" for a shell)\n";
  };
  const std::string want =
      "faultline.yaml:5:24: error: components.lib.build: '{{ version }}' " +
      why("FAULTLINE_VERSION") + "faultline.yaml:9:27: error: workloads.setarch.run: '{{ x }}' " +
      why("FAULTLINE_X") + "faultline.yaml:12:25: error: workloads.gdb.run: '{{ x }}' " +
      why("FAULTLINE_X");
  expect_validate_and_run_refuse(want);
}

// A value beginning with '-' that starts a word where sed or python3 still reads options is an
// option: sed's -e with its e command, python3's -c. Both ran; validate and run refuse the values.
TEST_F(ValuesTest, AValueThatWouldBeAnOptionGivingCodeIsRefused) {
  write("faultline.yaml", R"Y(version: 1
components:
  lib:
    versions: ["-e1e touch PWNED"]
    build: echo a > f; sed {{ version }} -e p f
workloads:
  py:
    params: { x: ["-cimport os; os.system('touch PWNED')"] }
    run: python3 -W ignore {{ x }}
)Y");
  const std::string tail =
      "' begins with '-', so %P would take it for an option, and an option such as -e, -c, -S or "
      "--eval gives a program code to run; put -- before it, or fixed text (./{{ %N }})\n";
  auto why = [&tail](const std::string& program, const std::string& name,
                     const std::string& value) {
    std::string t = tail;
    t.replace(t.find("%P"), 2, program);
    t.replace(t.find("%N"), 2, name);
    return "'{{ " + name + " }}' starts a word where " + program +
           " reads its options, and its value '" + value + t;
  };
  const std::string want = "faultline.yaml:5:28: error: components.lib.build: " +
                           why("sed", "version", "-e1e touch PWNED") +
                           "faultline.yaml:9:28: error: workloads.py.run: " +
                           why("python3", "x", "-cimport os; os.system('touch PWNED')");
  expect_validate_and_run_refuse(want);
}

// Where /bin/sh is bash, a value used as a variable's name, or as the value of a variable
// declared -i, runs its array subscript (bash 5.2: `read "$V"` with V=a[$(touch PWNED)]).
// validate and run refuse both before anything runs.
TEST_F(ValuesTest, ABashVariableNameOrIntegerValueIsRefused) {
  write("faultline.yaml", R"Y(version: 1
components:
  lib:
    versions: ["a[$(touch PWNED)]"]
    build: read -r {{ version }} < /dev/null || true
workloads:
  integer:
    params: { x: ["a[$(touch PWNED)]"] }
    run: |
      declare -i n
      n={{ x }}
)Y");
  const std::string want =
      "faultline.yaml:5:20: error: components.lib.build: '{{ version }}' is in a variable's name "
      "or array subscript (read NAME, printf -v NAME, declare NAME, unset, test -v, a[…]=), where "
      "bash evaluates the subscript as arithmetic and runs commands found in it (a[$(…)]), so the "
      "value would run; use a fixed name and give the value as the variable's value\n"
      "faultline.yaml:11:9: error: workloads.integer.run: '{{ x }}' is in the value of a variable "
      "declared -i, -n, -a or -A, which bash evaluates as arithmetic, a name or a list of "
      "[subscript]=value, and runs commands found in it (a[$(…)]), so the value would run; assign "
      "it to a plain variable (checked to be a number where one is needed)\n";
  expect_validate_and_run_refuse(want);
}

TEST_F(ValuesTest, ALauncherWhoseCommandOnlyNamesAShellRunsWithTheExactValue) {
  write("tool", "#!/bin/sh\nshift 2\nprintf '%s' \"$1\" > \"$2/seen\"\n");
  fs::permissions(m_dir / "tool", fs::perms::owner_all);
  const std::string xs = yaml_values();
  write("faultline.yaml",
        "version: 1\ncomponents:\n  lib: { versions: [\"1.0\"] }\nworkloads:\n"
        "  w:\n    params: { x: [" +
            xs + "] }\n    run: exec timeout 5 '" + (m_dir / "tool").string() +
            "' --mode sh {{ x }} {{ workdir }}\n"
            "stress: { runs: 1 }\n");
  Outcome v = faultline({"validate"});
  EXPECT_EQ(v.status, 0) << v.err;
  Outcome o = faultline({"run"});
  EXPECT_EQ(o.status, 0) << o.out << o.err;
  EXPECT_EQ(pwned(), std::vector<std::string>{});
  expect_each_cell_saw_its_value();
}

}  // namespace
}  // namespace faultline
