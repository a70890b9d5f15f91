#include "matrix/template.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "base/testing/scratch_dir.h"
#include "base/testing/shell_output.h"
#include "base/text.h"

namespace faultline::matrix {
namespace {

namespace fs = std::filesystem;

Template parse_ok(std::string_view text) {
  auto parsed = Template::parse(text);
  if (auto* e = std::get_if<Template::ParseError>(&parsed))
    ADD_FAILURE() << text << ": " << e->message;
  return std::get<Template>(parsed);
}

std::string refusal(std::string_view text) {
  auto parsed = Template::parse(text);
  if (!std::holds_alternative<Template::ParseError>(parsed)) return "(accepted)";
  return std::get<Template::ParseError>(parsed).message;
}

// Runs the rendered command under `shell` in `dir` with the template's
// environment exported, as the runner does; returns what it printed.
std::string run_in(const std::string& shell, const fs::path& dir, const Template& t,
                   const Vars& vars) {
  auto command = t.render(vars);
  EXPECT_TRUE(command);
  std::string env;
  for (const auto& [k, v] : t.environment(vars)) env += k + "=" + shell_quote(v) + " ";
  std::string full =
      "cd " + shell_quote(dir.string()) + " && env " + env + shell + " -c " + shell_quote(*command);
  return testing::shell_output(full);
}

std::vector<std::string> shells() {
  std::vector<std::string> out = {"/bin/sh"};
  for (const char* s : {"/usr/bin/dash", "/bin/dash", "/usr/bin/bash", "/bin/bash"})
    if (access(s, X_OK) == 0) out.push_back(s);
  return out;
}

const std::vector<std::string> k_hostile = {"1.0; touch PWNED",
                                            "$(touch PWNED)",
                                            "`touch PWNED`",
                                            "a'b\"c",
                                            "it's",
                                            "x\ny; touch PWNED",
                                            "$HOME",
                                            "\\",
                                            "back\\slash\\",
                                            "\"; touch PWNED; \"",
                                            "'; touch PWNED; '",
                                            "${IFS}touch${IFS}PWNED",
                                            "*",
                                            "-n",
                                            "",
                                            " spaced  out ",
                                            "a)b",
                                            "}}",
                                            "EOF\ntouch PWNED"};

// Every idiom of issue 14, each printing the value between '<' and '>'.
const std::vector<std::string> k_idioms = {
    "printf '<%s>' {{ x }}",
    "printf '<%s>' \"{{ x }}\"",
    "printf '<%s>' '{{ x }}'",
    "# it's a comment with an apostrophe\nprintf '<%s>' {{ x }}",
    "printf '<%s>' \"$(echo {{ x }})\"",
    "printf '<%s>' \"$(printf '%s' {{ x }})\"",
    "printf '<%s>' \"$(printf '%s' '{{ x }}')\"",
    "D=\"$(dirname \"{{ prefix.lib }}/{{ x }}\")\"; printf '<%s>' \"${D#/p}\"",
    "printf '<%s>' \"`printf '%s' {{ x }}`\"",
    "cat <<EOF\n<{{ x }}>\nEOF",
    "cat <<-EOF\n\t<{{ x }}>\n\tEOF",
    "printf '<%s>' --flag={{ x }}",
    "printf '<%s>' \"--flag={{ x }}\"",
    "v={{ x }}; printf '<%s>' \"$v\"",
    "printf '<%s>' {{x}}{{ x }}",
    "case {{ x }} in *) printf '<%s>' \"{{ x }}\";; esac",
    "sh -c 'printf \"<%s>\" \"$1\"' sh {{ x }}",
    "case a in (a|b) printf '<%s>' \"{{ x }}\";; esac",
    "printf '<%s>' \"$(case a in a) printf '%s' \") {{ x }}\";; esac)\"",
};

std::string expected_output(const std::string& idiom, const std::string& value) {
  if (idiom.find("$(echo {{ x }})") != std::string::npos)
    return "";  // echo's own rules: not compared
  if (idiom.find("dirname") != std::string::npos) return "";
  if (idiom.find("{{x}}{{ x }}") != std::string::npos) return "<" + value + value + ">";
  if (idiom.find("--flag=") != std::string::npos) return "<--flag=" + value + ">";
  if (idiom.rfind("cat <<", 0) == 0) return "<" + value + ">\n";
  if (idiom.find("case a in a)") != std::string::npos) {  // a case inside $(…)
    std::string v = value;
    while (!v.empty() && v.back() == '\n') v.pop_back();
    return "<) " + v + ">";
  }
  // Command substitution drops trailing newlines (POSIX 2.6.3).
  if (idiom.find("$(") != std::string::npos || idiom.find('`') != std::string::npos) {
    std::string v = value;
    while (!v.empty() && v.back() == '\n') v.pop_back();
    return "<" + v + ">";
  }
  return "<" + value + ">";
}

TEST(Template, NoValueExecutesInAnyIdiomOrShell) {
  const testing::ScratchDir scratch("template");  // where the commands run
  const fs::path& dir = scratch.path();
  for (const auto& shell : shells())
    for (const auto& idiom : k_idioms) {
      Template t = parse_ok(idiom);
      for (const auto& value : k_hostile) {
        const std::string out = run_in(shell, dir, t, {{"x", {value}}, {"prefix.lib", {"/p"}}});
        EXPECT_FALSE(fs::exists(dir / "PWNED")) << shell << " ran the value " << value << " in\n"
                                                << idiom;
        fs::remove(dir / "PWNED");
        const std::string want = expected_output(idiom, value);
        if (!want.empty()) {
          EXPECT_EQ(out, want) << shell << " " << idiom << " with " << value;
        }
      }
    }
}

TEST(Template, CommandSubstitutionsSeeTheExactValue) {
  const testing::ScratchDir scratch("template");  // where the commands run
  const fs::path& dir = scratch.path();
  Template echo = parse_ok("printf '<%s>' \"$(echo {{ x }})\"");
  Template dirname =
      parse_ok("D=\"$(dirname \"{{ prefix.lib }}/{{ x }}\")\"; printf '<%s>' \"$D\"");
  for (const auto& shell : shells()) {
    EXPECT_EQ(run_in(shell, dir, echo, {{"x", {"1.0; touch PWNED"}}}), "<1.0; touch PWNED>");
    EXPECT_EQ(run_in(shell, dir, echo, {{"x", {"$(touch PWNED)"}}}), "<$(touch PWNED)>");
    EXPECT_EQ(
        run_in(shell, dir, dirname, {{"x", {"a b/$(touch PWNED)"}}, {"prefix.lib", {"/opt/it's"}}}),
        "<"
        "/opt/it's/a b>");
    EXPECT_FALSE(fs::exists(dir / "PWNED")) << shell;
  }
}

TEST(Template, PlaceholdersRenderAsReferencesForTheirPlace) {
  Template t = parse_ok(
      "run {{ v }} \"in-{{ v }}\" 'sq-{{ v }}' --lib={{ prefix.lib }}\n# {{ v }}\ncat <<E\n{{ v "
      "}}\nE");
  ASSERT_EQ(t.placeholders().size(), 6u);
  EXPECT_EQ(t.placeholders()[0].context, PlaceholderContext::word);
  EXPECT_EQ(t.placeholders()[1].context, PlaceholderContext::double_quoted);
  EXPECT_EQ(t.placeholders()[2].context, PlaceholderContext::single_quoted);
  EXPECT_EQ(t.placeholders()[4].context, PlaceholderContext::comment);
  EXPECT_EQ(t.placeholders()[5].context, PlaceholderContext::here_document);
  EXPECT_EQ(*t.render({{"v", {"1.0"}}, {"prefix.lib", {"/p"}}}),
            "run \"${FAULTLINE_V}\" \"in-${FAULTLINE_V}\" 'sq-'\"${FAULTLINE_V}\"'' "
            "--lib=\"${FAULTLINE_PREFIX_LIB}\"\n# \"${FAULTLINE_V}\"\ncat <<E\n${FAULTLINE_V}\nE");
  EXPECT_EQ(t.environment({{"v", {"1.0"}}, {"prefix.lib", {"/p"}}}),
            (EnvPairs{{"FAULTLINE_V", "1.0"}, {"FAULTLINE_PREFIX_LIB", "/p"}}));
}

TEST(Template, ListValuesSplitIntoWordsInAWordAndJoinInsideQuotes) {
  const testing::ScratchDir scratch("template");  // where the commands run
  const fs::path& dir = scratch.path();
  Template t = parse_ok("printf '%s|' {{ flags }} \"{{ flags }}\" x{{ none }}y {{ none }}");
  const Vars vars = {{"flags", {"-fsanitize=address", "-g", "a b"}}, {"none", {}}};
  EXPECT_EQ(t.environment(vars), (EnvPairs{{"FAULTLINE_FLAGS", "-fsanitize=address -g a b"},
                                           {"FAULTLINE_FLAGS__1", "-fsanitize=address"},
                                           {"FAULTLINE_FLAGS__2", "-g"},
                                           {"FAULTLINE_FLAGS__3", "a b"},
                                           {"FAULTLINE_NONE", ""}}));
  for (const auto& shell : shells())
    EXPECT_EQ(run_in(shell, dir, t, vars),
              "-fsanitize=address|-g|a b|-fsanitize=address -g a b|xy|");
}

TEST(Template, PlainCommandsBecomeArgvWithTheExactValues) {
  Template t = parse_ok("{{ prefix.b }}/bin/stress --threads {{ n }} \"--v={{ v }}\" {{ flags }}");
  auto argv = t.argv(
      {{"prefix.b", {"/x y"}}, {"n", {"$(touch PWNED)"}}, {"v", {"a'b"}}, {"flags", {"-a", "-b"}}});
  ASSERT_TRUE(argv);
  EXPECT_EQ(*argv, (std::vector<std::string>{"/x y/bin/stress", "--threads", "$(touch PWNED)",
                                             "--v=a'b", "-a", "-b"}));
  EXPECT_FALSE(parse_ok("run {{ n }} | cat").argv({{"n", {"1"}}}));
  EXPECT_FALSE(parse_ok("run -I{{ flags }}")
                   .argv({{"flags", {"-a", "-b"}}}));  // words inside a word: the shell
}

TEST(Template, RefusesPlacesWhereNoReferenceIsSafe) {
  EXPECT_EQ(refusal("echo $(( {{ n }} + 1 ))"),
            "'{{ n }}' is inside arithmetic $(( … )), where the shell evaluates a value as an "
            "expression (bash runs "
            "commands found in one); use $FAULTLINE_N outside it after checking it is a number");
  EXPECT_EQ(refusal("eval run {{ n }}"),
            "'{{ n }}' is in text that is run as code again (eval, sh -c, python -c, ssh, trap), "
            "so the value would "
            "be read as code; read the environment variable inside that code instead "
            "(\"$FAULTLINE_N\" for a shell)");
  EXPECT_EQ(refusal("sh -c 'run {{ n }}'"), refusal("eval run {{ n }}"));
  EXPECT_EQ(refusal("python3 -c 'print(\"{{ n }}\")'"), refusal("eval run {{ n }}"));
  EXPECT_EQ(refusal("trap 'rm {{ n }}' EXIT"), refusal("eval run {{ n }}"));
  EXPECT_EQ(refusal("env A=1 xargs su -c \"{{ n }}\""), refusal("eval run {{ n }}"));
  EXPECT_EQ(refusal("bash -ec \"run $(echo {{ n }})\""), refusal("eval run {{ n }}"));
  EXPECT_EQ(refusal("cat <<'EOF'\n{{ n }}\nEOF"),
            "'{{ n }}' is inside a quoted here-document (<<'EOF'), where nothing expands; write "
            "<<EOF without quotes");
  EXPECT_EQ(refusal("echo \\{{ n }}"),
            "'{{ n }}' follows a backslash, which would quote the reference; remove the backslash");
  EXPECT_EQ(refusal("echo ${X:-{{ n }}}"),
            "'{{ n }}' is inside a parameter expansion ${…}; give the value a shell variable first "
            "(v={{ … }}) and "
            "expand that");
  EXPECT_EQ(refusal("(( {{ n }} > 1 )) && run"), refusal("echo $(( {{ n }} + 1 ))"));
  EXPECT_EQ(refusal("[[ {{ n }} -eq 1 ]] && run"),
            "'{{ n }}' is in bash's [[ … ]] or let, which may evaluate a value as arithmetic (and "
            "run commands found "
            "in it); compare with [ … ] instead");
  EXPECT_EQ(refusal("let x={{ n }}"), refusal("[[ {{ n }} -eq 1 ]] && run"));
  EXPECT_EQ(refusal("echo ${{ n }}"), "'{{ n }}' follows a '$'; write the placeholder on its own");
  EXPECT_EQ(refusal("cat <<{{ n }}"),
            "'{{ n }}' is a here-document's delimiter; write a fixed word after <<");
  EXPECT_EQ(refusal("echo $'a{{ n }}'"),
            "'{{ n }}' is inside $'…' quoting; use '…' or \"…\" there");
}

// A reserved word (`if`, `!`, `do`, `{`…) or `command`/`builtin` before eval, let or [[ does not
// make it an argument of another command: dash and bash still run the value as code.
TEST(Template, RefusesCodeAfterReservedWordsAndCommandPrefixes) {
  const std::string code = refusal("eval run {{ n }}");
  EXPECT_EQ(refusal("command eval run {{ n }}"), code);
  EXPECT_EQ(refusal("command -p eval run {{ n }}"), code);
  EXPECT_EQ(refusal("builtin eval run {{ n }}"), code);
  EXPECT_EQ(refusal("! eval run {{ n }}"), code);
  EXPECT_EQ(refusal("if eval run {{ n }}; then :; fi"), code);
  EXPECT_EQ(refusal("while eval run {{ n }}; do break; done"), code);
  EXPECT_EQ(refusal("for i in 1; do eval run {{ n }}; done"), code);
  EXPECT_EQ(refusal("{ eval run {{ n }}; }"), code);
  EXPECT_EQ(refusal("f() { eval run {{ n }}; }; f"), code);
  EXPECT_EQ(refusal("if trap 'rm {{ n }}' EXIT; then :; fi"), code);
  EXPECT_EQ(refusal("if [[ {{ n }} -eq 1 ]]; then run; fi"), refusal("[[ {{ n }} -eq 1 ]] && run"));
  EXPECT_EQ(refusal("command let x={{ n }}"), refusal("let x={{ n }}"));
  parse_ok("echo if eval {{ n }}");  // here eval is only an argument of echo
}

std::string read_as_code(const std::string& reader, const std::string& name = "x") {
  std::string variable = "FAULTLINE_" + name;
  for (char& c : variable) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return "'{{ " + name + " }}' is in text that " + reader +
         " reads from its input and runs as code (a here-document, here-string or pipe into it), "
         "so the value would run; read the environment variable in that code instead: "
         "\"$" +
         variable + "\" inside a quoted here-document (<<'EOF') or single quotes for a shell";
}

// Text a shell (or another interpreter) reads from its standard input is code: a here-document
// or here-string fed to it, and whatever an earlier stage of its pipeline prints.
TEST(Template, RefusesTextAShellReadsFromItsInput) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"sh <<EOF\necho {{ x }}\nEOF", "sh"},
      {"bash <<EOF\necho {{ x }}\nEOF", "bash"},
      {"dash <<EOF\necho {{ x }}\nEOF", "dash"},
      {"/bin/sh <<EOF\necho {{ x }}\nEOF", "/bin/sh"},
      {"sh -s <<EOF\necho {{ x }}\nEOF", "sh"},
      {"bash -s -- a b <<EOF\necho {{ x }}\nEOF", "bash"},
      {"bash -ex <<EOF\necho {{ x }}\nEOF", "bash"},
      {"sh <<-EOF\n\techo {{ x }}\n\tEOF", "sh"},
      {"sh 2>&1 <<EOF\necho {{ x }}\nEOF", "sh"},
      {"sh > log <<EOF\necho {{ x }}\nEOF", "sh"},
      {"sh <<EOF # a comment\necho {{ x }}\nEOF", "sh"},
      {"env A=1 timeout 5 sh <<EOF\necho {{ x }}\nEOF", "sh"},
      {"sh <<EOF\necho \"{{ x }}\"\nEOF", "sh"},
      {"sh <<'EOF'\necho {{ x }}\nEOF", "sh"},
      {"sh <<< \"echo {{ x }}\"", "sh"},
      {"bash <<< {{ x }}", "bash"},
      {"sh -s <<< \"$(echo {{ x }})\"", "sh"},
      {"echo {{ x }} | sh", "sh"},
      {"printf '%s\\n' \"{{ x }}\" | bash", "bash"},
      {"echo {{ x }} | bash -s", "bash"},
      {"echo {{ x }} |& sh", "sh"},
      {"echo {{ x }} | tr a b | sh", "sh"},
      {"echo {{ x }} | xargs -I{} sh -c '{}'", "sh"},
      {"cat <<EOF | sh\necho {{ x }}\nEOF", "sh"},
      {"cat <<EOF |\necho {{ x }}\nEOF\nsh\n", "sh"},
      {"(echo {{ x }}; echo b) | sh", "sh"},
      {"{ echo {{ x }}; } | sh", "sh"},
      {"for i in 1; do echo {{ x }}; done | bash", "bash"},
      {"echo \"$(echo {{ x }})\" | sh", "sh"},
      {"echo {{ x }} | eval \"$(cat)\"", "eval"},
      {"echo {{ x }} | . /dev/stdin", "."},
      {"echo {{ x }} | source /dev/stdin", "source"},
      {"echo {{ x }} | python3", "python3"},
      {"python3 - <<EOF\nprint('{{ x }}')\nEOF", "python3"},
      {"perl <<EOF\nprint '{{ x }}';\nEOF", "perl"},
      {"make && cat <<EOF | sh\n{{ x }}\nEOF", "sh"},
      {"sh 0<<EOF\necho {{ x }}\nEOF", "sh"},
      {"sudo -u root sh <<EOF\necho {{ x }}\nEOF", "sh"},
      {"docker exec -i box sh <<EOF\necho {{ x }}\nEOF", "sh"},
      {"kubectl exec -i pod -- bash <<EOF\necho {{ x }}\nEOF", "bash"},
      {"ssh host <<EOF\necho {{ x }}\nEOF", "ssh"},
      {"echo {{ x }} | parallel", "parallel"},
      {"echo {{ x }} | at now", "at"},
      {"echo {{ x }} | nice -n 5 bash", "bash"},
  };
  for (const auto& [text, reader] : cases) EXPECT_EQ(refusal(text), read_as_code(reader)) << text;
  // The first placeholder that reaches the reader is named, wherever it stands.
  EXPECT_EQ(refusal("echo {{ n }} {{ x }} | sh"), read_as_code("sh", "n"));
  // A here-document inside a substitution that eval runs is run as code again.
  EXPECT_EQ(refusal("eval \"$(cat <<EOF\n{{ x }}\nEOF\n)\""), refusal("eval run {{ x }}"));
}

TEST(Template, AcceptsInputThatIsOnlyData) {
  parse_ok("sh -s {{ x }} <<'EOF'\nprintf '%s' \"$1\"\nEOF");  // an argument, not the script
  parse_ok("sh -c 'cat' <<EOF\n{{ x }}\nEOF");                 // the script is given
  parse_ok("sh script.sh <<EOF\n{{ x }}\nEOF");                // so is a script file
  parse_ok("python3 tool.py <<EOF\n{{ x }}\nEOF");
  parse_ok("echo {{ x }} | cat");
  parse_ok("echo {{ x }} | sh -c 'read v; printf %s \"$v\"'");
  parse_ok("echo {{ x }} || sh run.sh");
  parse_ok("echo {{ x }} && sh <<'EOF'\necho hi\nEOF");
  parse_ok("echo {{ x }}; sh <<'EOF'\necho hi\nEOF");
  parse_ok("cat <<EOF\n{{ x }}\nEOF\nsh <<'EOF'\necho hi\nEOF");
  parse_ok("sh | cat <<EOF\n{{ x }}\nEOF");  // cat's input, after sh in the pipeline
  parse_ok("echo {{ x }} 2>&1 | grep -q a && echo ok");
  parse_ok("(echo {{ x }}) ; sh <<'EOF'\nexit 0\nEOF");
  parse_ok("docker run --rm img cat <<EOF\n{{ x }}\nEOF");  // no shell: cat prints it
  parse_ok("sudo tee /etc/x.conf <<EOF\n{{ x }}\nEOF");
  parse_ok("kubectl exec -i pod -- bash -c 'cat > f' <<EOF\n{{ x }}\nEOF");
}

// The safe way to hand a value to a shell that reads its input: the quoted here-document passes
// "$FAULTLINE_X" through, and the inner shell expands it once, as text.
TEST(Template, AShellReadingItsInputGetsTheExactValueFromItsEnvironment) {
  const testing::ScratchDir scratch("template");  // where the commands run
  const fs::path& dir = scratch.path();
  const Template t = parse_ok("true {{ x }}; sh <<'EOF'\nprintf '<%s>' \"$FAULTLINE_X\"\nEOF");
  for (const auto& shell : shells())
    for (const std::string value :
         {"1.0; touch PWNED", "$(touch PWNED)", "`touch PWNED`", "a'b\"c"}) {
      EXPECT_EQ(run_in(shell, dir, t, {{"x", {value}}}), "<" + value + ">")
          << shell << " " << value;
      EXPECT_FALSE(fs::exists(dir / "PWNED")) << shell << " ran " << value;
    }
}

TEST(Template, AcceptsWhatOnlyLooksLikeThosePlaces) {
  parse_ok("sh -c 'echo \"$1\"' sh {{ n }}");      // an argument after the script is data
  parse_ok("echo $((1 + 2)) {{ n }}");             // after the arithmetic closes
  parse_ok("cat <<'EOF'\n$x\nEOF\necho {{ n }}");  // after the quoted here-document ends
  parse_ok("echo a#b {{ n }}");                    // '#' inside a word starts no comment
  parse_ok("x=1 y=2 make V={{ n }}");
  parse_ok("echo ${X:-1} {{ n }}");
  parse_ok("[[ -e x ]] && run {{ n }}");  // after ]] the command goes on
  parse_ok("[ \"{{ n }}\" -eq 1 ] && (cd x; run {{ n }})");
}

TEST(Template, RejectsUnclosedAndMalformedPlaceholders) {
  auto a = Template::parse("run {{ threads");
  ASSERT_TRUE(std::holds_alternative<Template::ParseError>(a));
  EXPECT_EQ(std::get<Template::ParseError>(a).offset, 4u);
  EXPECT_EQ(refusal("run {{ 9lives }}"),
            "malformed placeholder '{{ 9lives }}' (a placeholder is written {{ name }} or {{ "
            "prefix.component }})");
}

TEST(Template, RenderNamesTheMissingVariable) {
  Template t = parse_ok("x {{ a }} {{ b }}");
  std::string missing;
  EXPECT_FALSE(t.render({{"a", {"1"}}}, &missing));
  EXPECT_EQ(missing, "b");
}

}  // namespace
}  // namespace faultline::matrix
